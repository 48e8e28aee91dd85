"""FoxReach's read models: what the list, search, timeline, conversation and analytics operations show, built from
the records in `FoxReachState` without changing them."""

from __future__ import annotations

import copy
from typing import Literal

from .records import Activity, Campaign, InboxReply, Lead, Record, activity_view
from .state import FoxReachState, find_optional, thread_messages

STAT_CATEGORIES = {
    "interested": "interested",
    "not_interested": "notInterested",
    "out_of_office": "outOfOffice",
    "uncategorized": "uncategorized",
    "unknown": "unknown",
    "bounce": "bounce",
}

_REPLY_FILTERS: tuple[Literal["category", "isRead", "isStarred", "accountId", "campaignId"], ...] = (
    "category",
    "isRead",
    "isStarred",
    "accountId",
    "campaignId",
)


def _percent(part: int | float, whole: int | float) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def _preview(body: str | None) -> str | None:
    return body[:120] if body else body


def find_leads(state: FoxReachState, search: str | None, status: str | None, tags: str | None) -> list[Lead]:
    wanted_tags = {t.strip().lower() for t in (tags or "").split(",") if t.strip()}
    needle = (search or "").lower()
    found: list[Lead] = []
    for lead in state.leads:
        if status is not None and lead["status"] != status:
            continue
        if wanted_tags and not wanted_tags & {t.lower() for t in lead["tags"]}:
            continue
        haystack = (lead["email"], lead["firstName"], lead["lastName"], lead["company"])
        if needle and not any(needle in (text or "").lower() for text in haystack):
            continue
        found.append(lead)
    return found


def find_replies(state: FoxReachState, filters: Record) -> list[InboxReply]:
    """Replies matching every filter given, newest first."""
    needle = (filters.get("search") or "").lower()
    found: list[InboxReply] = []
    for reply in state.inbox:
        if any(filters.get(key) is not None and reply[key] != filters[key] for key in _REPLY_FILTERS):
            continue
        texts = (reply["fromEmail"], reply["subject"], reply["body"], reply["bodyPlain"], reply["bodyPreview"])
        if needle and not any(needle in (t or "").lower() for t in texts):
            continue
        found.append(reply)
    return sorted(found, key=lambda r: r["receivedAt"], reverse=True)


def lead_activity(state: FoxReachState, lead: Lead) -> Record:
    """The lead's timeline (seeded entries, its replies, mail sent to it), newest first, and its campaigns.

    Entries name their campaign by id (mail in a reply's thread belongs to the reply's campaign), so a
    renamed campaign, or two campaigns of one name, keep each lead's progress apart."""
    entries: dict[str, Activity] = {}
    for reply in state.inbox:
        if reply["leadId"] != lead["id"]:
            continue
        entries[reply["id"]] = {
            "id": reply["id"],
            "type": "reply_received",
            "subject": reply["subject"] or "",
            "bodyPreview": reply["bodyPreview"],
            "status": None,
            "campaignId": reply["campaignId"],
            "campaignName": None,
            "sequenceStep": None,
            "emailType": None,
            "openedAt": None,
            "clickedAt": None,
            "category": reply["category"],
            "timestamp": reply["receivedAt"],
        }
        for message in reply.get("messages") or []:
            if message["direction"] == "sent" and message["id"] not in entries:
                entries[message["id"]] = {
                    "id": message["id"],
                    "type": "email_sent",
                    "subject": message["subject"] or "",
                    "bodyPreview": _preview(message["body"]),
                    "status": "sent",
                    "campaignId": reply["campaignId"],
                    "campaignName": None,
                    "sequenceStep": None,
                    "emailType": "reply",
                    "openedAt": None,
                    "clickedAt": None,
                    "category": None,
                    "timestamp": message["timestamp"],
                }
    for activity in lead["activities"]:
        entries[activity["id"]] = activity
    timeline = sorted(entries.values(), key=lambda a: a["timestamp"], reverse=True)
    memberships = [_membership(state, lead, c, timeline) for c in state.campaigns if lead["id"] in c["leadIds"]]
    return {"activities": [_activity_view(state, a) for a in timeline], "campaigns": memberships}


def _activity_view(state: FoxReachState, activity: Activity) -> Record:
    view = activity_view(activity)
    campaign = find_optional(state.campaigns, activity["campaignId"])
    if campaign is not None:
        view["campaignName"] = campaign["name"]
    return view


def _membership(state: FoxReachState, lead: Lead, campaign: Campaign, timeline: list[Activity]) -> Record:
    sent = [a for a in timeline if a["type"] == "email_sent" and a["campaignId"] == campaign["id"]]
    replies = sorted(
        r["receivedAt"] for r in state.inbox if r["leadId"] == lead["id"] and r["campaignId"] == campaign["id"]
    )
    steps = [a["sequenceStep"] for a in sent if a["sequenceStep"] is not None]
    return {
        "campaignId": campaign["id"],
        "campaignName": campaign["name"],
        "status": "replied" if replies else ("sent" if sent else "pending"),
        "currentStep": max(steps) if steps else None,
        "totalSent": len(sent),
        "totalOpened": sum(1 for a in sent if a["openedAt"] is not None),
        "lastSentAt": max((a["timestamp"] for a in sent), default=None),
        "nextSendAt": None,
        "repliedAt": replies[0] if replies else None,
    }


def conversation(state: FoxReachState, reply: InboxReply) -> Record:
    lead = find_optional(state.leads, reply["leadId"])
    campaign = find_optional(state.campaigns, reply["campaignId"])
    return {
        "messages": sorted(thread_messages(reply), key=lambda m: m["timestamp"]),
        "lead": {
            "id": lead["id"],
            "email": lead["email"],
            "firstName": lead["firstName"],
            "lastName": lead["lastName"],
            "company": lead["company"],
        }
        if lead
        else None,
        "campaign": {"id": campaign["id"], "name": campaign["name"]} if campaign else None,
    }


def inbox_stats(state: FoxReachState) -> Record:
    stats = {"total": len(state.inbox), "unread": sum(1 for r in state.inbox if not r["isRead"])}
    for category, key in STAT_CATEGORIES.items():
        stats[key] = sum(1 for r in state.inbox if r["category"] == category)
    # Answers to leads: mail sent in a thread after the lead's reply arrived.
    stats["totalSent"] = sum(
        1
        for r in state.inbox
        for m in r.get("messages") or []
        if m["direction"] == "sent" and m["timestamp"] >= r["receivedAt"]
    )
    return stats


def overview(state: FoxReachState) -> Record:
    scores = [a["healthScore"] for a in state.email_accounts if a["healthScore"] is not None]
    sent = sum(c["totalSent"] for c in state.campaigns)
    replies = sum(c["totalReplied"] for c in state.campaigns)
    return {
        "totalAccounts": len(state.email_accounts),
        "activeAccounts": sum(1 for a in state.email_accounts if a["isActive"]),
        "totalCampaigns": len(state.campaigns),
        "activeCampaigns": sum(1 for c in state.campaigns if c["status"] == "active"),
        "totalLeads": len(state.leads),
        "totalSent": sent,
        "totalReplies": replies,
        "replyRate": _percent(replies, sent),
        "accountHealthAvg": round(sum(scores) / len(scores), 2) if scores else 0.0,
    }


def campaign_analytics(state: FoxReachState, campaign: Campaign) -> Record:
    return {
        "sent": campaign["totalSent"],
        "delivered": campaign["totalDelivered"],
        "bounced": campaign["totalBounced"],
        "replied": campaign["totalReplied"],
        "opened": campaign["totalOpened"],
        "replyRate": _percent(campaign["totalReplied"], campaign["totalSent"]),
        "bounceRate": _percent(campaign["totalBounced"], campaign["totalSent"]),
        "dailyStats": sorted(copy.deepcopy(campaign["dailyStats"]), key=lambda d: d["date"]),
    }
