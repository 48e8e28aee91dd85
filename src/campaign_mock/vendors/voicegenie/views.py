"""Read models: what each VoiceGenie page shows of the records, derived from the calls on every read.

Counts per contact follow each contact's latest call (completed: answered or voicemail; failed: busy, no_answer
or failed; in progress; pending: not called yet, or a redial waits); call counts and durations take every call
of the campaign, redials and calls placed without a contact included. So statistics, history, statuses and the
downloadable report always agree call for call.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .calls import redial_limits, retry_interval
from .records import (
    ACTIVE,
    ANSWERED,
    COMPLETED,
    OUTCOMES,
    QUEUED,
    REACHED,
    RUNNING,
    Record,
    epoch,
    iso,
    user_epoch,
)
from .state import VoiceGenieState


def v2_status(campaign: Record) -> str:
    """The status as the v2 routes and the createCampaign family show it (contradiction V2)."""
    status: str = campaign["campaign_status"]
    return "in_progress" if status == RUNNING else status


def percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 2) if whole else 0.0


def ended(calls: list[Record]) -> list[Record]:
    return [c for c in calls if c["status"] in OUTCOMES]


def _tally(values: Iterable[str]) -> defaultdict[str, int]:
    """How many times each value comes (0 for one that never does). Not a Counter: building one costs several
    microseconds more, and a stats page builds a few per request."""
    counts: defaultdict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return counts


def contact_counts(state: VoiceGenieState, campaign: Record) -> defaultdict[str, int]:
    latest = state.latest_calls(campaign)
    return _tally(state.contact_state(contact, latest) for contact in state.members(campaign))


# -- v1 campaign pages -------------------------------------------------------------------------------
def list_item(state: VoiceGenieState, campaign: Record, with_counts: bool) -> Record:
    item: Record = {
        "id": campaign["id"],
        "name": campaign["name"],
        "campaign_status": campaign["campaign_status"],
        "created_at": campaign["created_at"],
        "updated_at": campaign["updated_at"],
        "campaign_start_time": campaign["campaign_start_time"],
        "campaign_end_time": campaign["campaign_end_time"],
    }
    if with_counts:
        counts = contact_counts(state, campaign)
        total = sum(counts.values())
        item["total_count"] = total
        item["registered_count"] = total - counts["pending"] + _queued_contacts(state, campaign)
        item["completed_count"] = counts["completed"] + counts["failed"]
    return item


def _queued_contacts(state: VoiceGenieState, campaign: Record) -> int:
    """Contacts waiting for a queued call (registered, though counted pending)."""
    latest = state.latest_calls(campaign)
    return sum(1 for contact in state.members(campaign) if latest.get(contact["id"], {}).get("status") == QUEUED)


def detail(state: VoiceGenieState, campaign: Record) -> Record:
    counts = contact_counts(state, campaign)
    members = state.members(campaign)
    return {
        "id": campaign["id"],
        "name": campaign["name"],
        "campaign_status": campaign["campaign_status"],
        "script_id": campaign["script_id"],
        "contact_ids": [c["id"] for c in members],
        "total_count": len(members),
        "completed_count": counts["completed"],
        "failed_count": counts["failed"],
        "created_at": campaign["created_at"],
        "updated_at": campaign["updated_at"],
    }


def breakdown(calls: list[Record]) -> dict[str, int]:
    counts = _tally(c["status"] for c in calls)
    return {outcome: counts[outcome] for outcome in OUTCOMES}


def stats(state: VoiceGenieState, campaign: Record) -> Record:
    counts = contact_counts(state, campaign)
    latest = state.latest_calls(campaign)
    answered = sum(1 for c in state.members(campaign) if latest.get(c["id"], {}).get("status") == ANSWERED)
    done = ended(state.calls_of(campaign["id"]))
    total_duration = sum(c["duration"] for c in done)
    return {
        "campaign_id": campaign["id"],
        "campaign_name": campaign["name"],
        "total_contacts": sum(counts.values()),
        "calls_completed": counts["completed"],
        "calls_failed": counts["failed"],
        "calls_in_progress": counts["in_progress"],
        "calls_pending": counts["pending"],
        "success_rate": percent(answered, counts["completed"] + counts["failed"]),
        "average_call_duration": round(total_duration / len(done)) if done else 0,
        "total_call_duration": total_duration,
        "call_status_breakdown": breakdown(done),
        "started_at": campaign["started_at"],
        "completed_at": campaign["completed_at"] if campaign["campaign_status"] == COMPLETED else None,
    }


def history(state: VoiceGenieState, campaign: Record, query: Record) -> list[Record]:
    """The campaign's ended calls, newest first (ties: the later call first), filtered as getHistory asks."""
    calls = [(i, c) for i, c in enumerate(state.calls_of(campaign["id"])) if c["status"] in OUTCOMES]
    wanted = query.get("status_filter")
    low = epoch_or(query.get("date_from"), float("-inf"))
    high = epoch_or(query.get("date_to"), float("inf"))
    picked = [
        (i, c) for i, c in calls if (wanted is None or c["status"] == wanted) and low <= epoch(c["started_at"]) <= high
    ]
    picked.sort(key=lambda pair: (pair[1]["started_at"], pair[0]), reverse=True)
    return [history_entry(c) for _, c in picked]


def epoch_or(text: str | None, default: float) -> float:
    return user_epoch(text) if text else default


def history_entry(call: Record) -> Record:
    return {
        "call_id": call["id"],
        "contact_name": call["contact_name"],
        "phone_number": call["phone_number"],
        "status": call["status"],
        "duration": call["duration"],
        "call_time": call["started_at"],
        "recording_url": call["recording_url"],
    }


# -- v2 pages ------------------------------------------------------------------------------------------
def status_entry(state: VoiceGenieState, campaign: Record, now: float) -> Record:
    calls = state.calls_of(campaign["id"])
    by_status = _tally(c["status"] for c in calls)
    done = ended(calls)
    reached = sum(1 for c in done if c["status"] in REACHED)
    counts = contact_counts(state, campaign)
    completed = campaign["campaign_status"] == COMPLETED
    statistics: Record = {
        "total_calls": sum(1 for c in calls if c["started_at"]),
        "completed": reached,
        "failed": by_status["failed"],
        "no_answer": by_status["no_answer"],
    }
    entry: Record = {
        "campaign_id": campaign["_id"],
        "campaign_name": campaign["name"],
        "status": v2_status(campaign),
        "started_at": campaign["started_at"],
        "total_contacts": sum(counts.values()),
        "call_statistics": statistics,
        "success_metrics": {
            "connection_rate": percent(reached, len(done)),
            "success_rate": percent(by_status["answered"], len(done)),
            "average_call_duration": round(sum(c["duration"] for c in done) / len(done)) if done else 0,
        },
    }
    if completed:
        entry["completed_at"] = campaign["completed_at"]
        return entry
    statistics["in_progress"] = sum(by_status[s] for s in ACTIVE)
    statistics["busy"] = by_status["busy"]
    statistics["queued"] = state.dialer.pending_contacts(campaign) + by_status[QUEUED]
    total = sum(counts.values())
    running = campaign["campaign_status"] == RUNNING
    entry["progress"] = {
        "percentage": percent(counts["completed"] + counts["failed"], total),
        "estimated_completion": iso(state.dialer.estimated_completion(campaign, now)) if running else None,
    }
    redials = [c for c in calls if c["attempt"] > 1]
    waiting = [c for c in redials if c["status"] == QUEUED]
    entry["redial_info"] = {
        "total_redials": len(redials),
        "pending_redials": len(waiting),
        "next_redial_at": min((c["scheduled_at"] for c in waiting if c["scheduled_at"]), default=None),
    }
    return entry


def statuses_summary(state: VoiceGenieState, campaigns: list[Record], now: datetime) -> Record:
    midnight = iso(now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    calls = [c for campaign in campaigns for c in state.calls_of(campaign["id"])]
    done = ended(calls)
    return {
        "total_campaigns": len(campaigns),
        "active_campaigns": sum(1 for c in campaigns if c["campaign_status"] == RUNNING),
        "completed_campaigns": sum(1 for c in campaigns if c["campaign_status"] == COMPLETED),
        "total_calls_today": sum(1 for c in calls if c["started_at"] and c["started_at"] >= midnight),
        "success_rate_overall": percent(sum(1 for c in done if c["status"] == ANSWERED), len(done)),
    }


def v2_redial_config(campaign: Record) -> Record:
    config = campaign["redialConfig"]
    most, intervals = redial_limits(campaign)
    return {"enabled": bool(config.get("enabled")), "max_attempts": most, "retry_intervals": intervals}


def start_v2(state: VoiceGenieState, campaign: Record, now: float) -> Record:
    calls = state.calls_of(campaign["id"])
    scheduled = sum(1 for c in calls if c["status"] == QUEUED and c["attempt"] == 1)
    return {
        "campaign_id": campaign["_id"],
        "campaign_name": campaign["name"],
        "status": v2_status(campaign),
        "started_at": campaign["started_at"],
        "total_contacts": len(state.members(campaign)),
        "scheduled_calls": scheduled,
        "immediate_calls": state.dialer.pending_contacts(campaign),
        "estimated_completion": iso(state.dialer.estimated_completion(campaign, now)),
        "configuration": {
            "is_scheduled_call": campaign["isScheduledCall"],
            "is_context_based_call": campaign["isContextBasedCall"],
            "redial_config": v2_redial_config(campaign),
        },
    }


def run_summary(state: VoiceGenieState, campaign: Record, now: float, redial: Record) -> Record:
    calls = state.calls_of(campaign["id"])
    return {
        "campaign": {
            "_id": campaign["_id"],
            "campaignName": campaign["name"],
            "campaignId": campaign["id"],
            "status": v2_status(campaign),
            "agentId": campaign["script_id"],
            "totalContacts": len(state.members(campaign)),
            "isScheduledCall": campaign["isScheduledCall"],
            "isContextBasedCall": campaign["isContextBasedCall"],
            "createdAt": campaign["created_at"],
            "campaignStartTime": campaign["started_at"],
        },
        "execution_status": {
            "calls_queued": state.dialer.pending_contacts(campaign) + sum(1 for c in calls if c["status"] == QUEUED),
            "calls_initiated": sum(1 for c in calls if c["started_at"]),
            "estimated_completion": iso(state.dialer.estimated_completion(campaign, now)),
        },
        "redial_config": redial,
    }


def redial_interval(campaign: Record) -> int:
    """Seconds before a redial asked for by redialCampaignCalls: the campaign's first retry interval."""
    return retry_interval(list(campaign["redialConfig"].get("retryIntervals") or []), 0)


# -- createCampaign family --------------------------------------------------------------------------
def campaign_document(state: VoiceGenieState, campaign: Record) -> Record:
    doc: Record = {
        "_id": campaign["_id"],
        "campaignName": campaign["name"],
        "campaignId": campaign["id"],
        "campaignType": campaign.get("campaignType", "continuous"),
        "status": v2_status(campaign),
        "agentId": campaign["script_id"] or "",
        "contactId": campaign["contact_ids"][0] if campaign["contact_ids"] else "",
        "campaignStartDate": campaign.get("campaignStartDate"),
        "campaignEndDate": campaign.get("campaignEndDate"),
        "campaignStartTime": copy.deepcopy(campaign.get("campaignStartTime") or midnight()),
        "campaignEndTime": copy.deepcopy(campaign.get("campaignEndTime") or midnight()),
        "redialConfig": copy.deepcopy(campaign["redialConfig"]),
        "isScheduledCall": campaign["isScheduledCall"],
        "isDeleted": False,
        "isHidden": campaign["isHidden"],
        "currDialingCallCount": sum(1 for c in state.calls_of(campaign["id"]) if c["status"] == "initiated"),
        "currProcessingCallCount": sum(1 for c in state.calls_of(campaign["id"]) if c["status"] == "in_progress"),
        "createdAt": campaign["created_at"],
        "updatedAt": campaign["updated_at"],
    }
    if campaign["isScheduledCall"] and campaign.get("scheduledCallDateTime"):
        doc["scheduledCallDateTime"] = campaign["scheduledCallDateTime"]
    return doc


def midnight() -> Record:
    return {"timeZone": "Asia/Calcutta", "hour": 0, "minute": 0}


# -- contacts and scripts ------------------------------------------------------------------------------
def contact_summary(contact: Record) -> Record:
    return {
        "id": contact["id"],
        "name": contact.get("name"),
        "phone_number": contact["phone_number"],
        "email": contact.get("email"),
    }


def contact_detail(contact: Record) -> Record:
    return {
        **contact_summary(contact),
        "custom_fields": copy.deepcopy(contact["custom_fields"]),
        "created_at": contact["created_at"],
    }


def script_detail(state: VoiceGenieState, script: Record, analytics: bool, versions: bool) -> Record:
    out: Record = {
        "script_id": script["script_id"],
        "script_name": script["script_name"],
        "script_content": copy.deepcopy(script["script_content"]),
        "language": script["language"],
        "accent": script["accent"],
        "version": script["version"],
        "created_at": script["created_at"],
        "updated_at": script["updated_at"],
    }
    if analytics:
        calls = [
            c
            for campaign in state.live_campaigns()
            if campaign["script_id"] == script["script_id"]
            for c in state.calls_of(campaign["id"])
            if c["started_at"]
        ]
        done = ended(calls)
        out["usage_stats"] = {
            "total_calls": len(calls),
            "success_rate": percent(sum(1 for c in done if c["status"] == ANSWERED), len(done)),
            "avg_duration": round(sum(c["duration"] for c in done) / len(done)) if done else 0,
        }
    if versions:
        out["version_history"] = [{"version": script["version"], "updated_at": script["updated_at"]}]
    return out


def quota(state: VoiceGenieState) -> Record:
    calls = [c for c in state.calls if c["started_at"]]
    minutes = sum(-(-c["duration"] // 60) for c in calls if c["status"] in OUTCOMES)
    used = {"calls": len(calls), "minutes": minutes, "sms": 0}
    counters: dict[str, Any] = {}
    for name in ("calls", "minutes", "sms"):
        record = state.quota[name]
        total = record["used"] + used[name]
        limit = record["limit"]
        counters[name] = {
            "used": total,
            "limit": limit,
            "remaining": max(0, limit - total),
            "percentage": percent(total, limit),
        }
    return {
        "plan": state.quota["plan"],
        "quota": counters,
        "resetDate": state.quota["resetDate"],
        "billingCycle": state.quota["billingCycle"],
    }
