"""Leadterra's records and rules, with no HTTP.

One workspace per session. Records are kept in Leadterra's wire form (camelCase), which is also the scenario
form, so export and import round-trip without translation. Leads are one workspace-wide contact store keyed
by email (the API reference's upsert rule) and enrolled per campaign. What a started campaign does over time is
sending.py's; this module decides what the API calls change.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, cast

from ...engine.clock import format_instant, parse_instant
from ...engine.plaincopy import plain_copy
from ...engine.vendor import StateContext, VendorState
from . import errors, events
from .events import Notifier
from .pools import PoolWindows, whole_seconds
from .records import (
    Campaign,
    Lead,
    LeadProgress,
    LeadReply,
    ProgressStatus,
    SenderAccount,
    SenderPool,
    StoredLead,
    Webhook,
)
from .sending import Sequencer, delay_of, new_progress
from .simulation import Outcomes, Rates, classification_problem

STAT_COUNTERS = ("sent", "delivered", "bounced", "replied", "opened", "queued")


@dataclass(frozen=True)
class EnrolResult:
    enrolled: int
    updated: int
    skipped: int


class LeadterraState(VendorState):
    def __init__(self, data: dict[str, Any]) -> None:
        self.api_keys: list[str] = data["api_keys"]
        self.orphan_api_keys: list[str] = data["orphan_api_keys"]
        self.sender_pools = cast(list[SenderPool], data["senderPools"])
        self.sender_accounts = cast(list[SenderAccount], data["senderAccounts"])
        self.campaigns = cast(list[Campaign], data["campaigns"])
        self.suppression: list[str] = data["suppressionList"]
        self.replies = cast(list[LeadReply], data["replies"])
        self.webhooks = cast(list[Webhook], data["webhooks"])
        self.rates = Rates.from_section(data["simulation"])
        self.pools = PoolWindows(self.sender_pools)
        self._suppressed = {email.lower() for email in self.suppression}
        self._next_refill = self.pools.first_window_end()
        self._sequencer: Sequencer | None = None  # built on first use: it draws from the session's generator

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self:
        """Fill the documented defaults; timestamps left out come from the clock."""
        now = format_instant(ctx.now)
        data = _copied(data)
        data.setdefault("api_keys", [])
        data.setdefault("orphan_api_keys", [])
        for pool in data.setdefault("senderPools", []):
            pool.setdefault("remainingVolume", pool["dailyCapacity"])
            pool.setdefault("senderAccountIds", [])
            # Canonical form, so windows can be compared as text on the hot path.
            pool["windowStartedAt"] = format_instant(parse_instant(pool.get("windowStartedAt", now)))
        for account in data.setdefault("senderAccounts", []):
            account.setdefault("name", account["email"].split("@")[0])
            account.setdefault("status", "active")
        for campaign in data.setdefault("campaigns", []):
            campaign.setdefault("status", "draft")
            campaign.setdefault("sequenceSteps", [])
            campaign.setdefault("createdAt", now)
            campaign.setdefault("startedAt", now if campaign["status"] != "draft" else None)
            campaign.setdefault("pausedAt", now if campaign["status"] == "paused" else None)
            campaign.setdefault("leads", [])
            stats = campaign.setdefault("stats", {})
            for counter in STAT_COUNTERS:
                stats.setdefault(counter, 0)
            if data["senderPools"]:
                campaign.setdefault("senderPoolId", data["senderPools"][0]["id"])
            _fill_progress(campaign, now)
        data.setdefault("suppressionList", [])
        for reply in data.setdefault("replies", []):
            reply.setdefault("receivedAt", now)
            reply.setdefault("threadSnippet", "")
        for hook in data.setdefault("webhooks", []):
            hook.setdefault("status", "active")
            hook.setdefault("createdAt", now)
            if "secret" not in hook:
                hook["secret"] = ctx.ids.new("whsec_", "token", 32)
        data.setdefault("simulation", {})
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        return plain_copy(
            {
                "api_keys": self.api_keys,
                "orphan_api_keys": self.orphan_api_keys,
                "senderPools": self.sender_pools,
                "senderAccounts": self.sender_accounts,
                "campaigns": self.campaigns,
                "suppressionList": self.suppression,
                "replies": self.replies,
                "webhooks": self.webhooks,
                "simulation": self.rates.to_dict(),
            }
        )

    def advance_to(self, ctx: StateContext) -> None:
        self.sequencer(ctx).run(ctx.stamp, ctx.ids, ctx.emit)
        if ctx.stamp >= self._next_refill:
            self.refresh_pools(ctx.now)

    def due_at(self) -> float:
        # Until the sequencer is built (by the first advance), what is scheduled is not known.
        sequencer = self._sequencer
        if sequencer is None:
            return -math.inf
        first = sequencer.due_at()
        return first if first < self._next_refill else self._next_refill

    def sequencer(self, ctx: StateContext) -> Sequencer:
        if self._sequencer is None:
            self._sequencer = Sequencer(self, self.pools, Outcomes(ctx.chance, self.rates))
        return self._sequencer

    # -- lookups ------------------------------------------------------------------------------------
    def campaign(self, campaign_id: str) -> Campaign:
        for campaign in self.campaigns:
            if campaign["id"] == campaign_id:
                return campaign
        raise errors.campaign_not_found()

    def _index_of(self, campaign: Campaign) -> int:
        return next(i for i, c in enumerate(self.campaigns) if c is campaign)

    def refresh_pools(self, now: datetime) -> None:
        """Give back a pool's daily capacity once its rolling 24-hour window has ended on the mock clock."""
        self.pools.refresh_all(whole_seconds(now))
        self._next_refill = self.pools.first_window_end()

    def is_suppressed(self, email: str) -> bool:
        return email.lower() in self._suppressed

    # -- rules --------------------------------------------------------------------------------------
    def create_campaign(self, campaign_id: str, name: str, steps: list[dict[str, Any]], now: str) -> Campaign:
        campaign: Campaign = {
            "id": campaign_id,
            "name": name,
            "status": "draft",
            "sequenceSteps": copy.deepcopy(steps),
            "createdAt": now,
            "startedAt": None,
            "pausedAt": None,
            "leads": [],
            "stats": {"sent": 0, "delivered": 0, "bounced": 0, "replied": 0, "opened": 0, "queued": 0},
            "progress": [],
        }
        if self.sender_pools:
            campaign["senderPoolId"] = self.sender_pools[0]["id"]
        self.campaigns.append(campaign)
        return campaign

    def enrol(self, campaign: Campaign, leads: list[Lead], ctx: StateContext) -> EnrolResult:
        """Upsert by email across the workspace, then enrol in `campaign`; suppressed addresses are skipped.

        The caller has checked every email; nothing here can fail half-way. `leads` is freshly parsed request
        data that nothing else holds, so it is stored without copying. In a started campaign a new lead's step 1
        is due at once (after the step's delayDays).
        """
        enrolled = updated = skipped = 0
        seen: set[str] = set()
        first_new = len(campaign["leads"])
        for incoming in leads:
            email = incoming["email"]
            # A repeat of an address in the same request updates the same lead; it is counted once.
            repeat = email.lower() in seen
            seen.add(email.lower())
            if self.is_suppressed(email):
                skipped += 0 if repeat else 1
                continue
            holders = self._update_lead(incoming)
            if holders:
                updated += 0 if repeat else 1
                if not any(holder is campaign for holder, _ in holders):
                    campaign["leads"].append(copy.deepcopy(holders[0][1]))
            else:
                enrolled += 1
                campaign["leads"].append(incoming)
        if campaign["status"] != "draft":
            self._begin_sequence(campaign, first_new, ctx)
        return EnrolResult(enrolled, updated, skipped)

    def _update_lead(self, incoming: Lead) -> list[tuple[Campaign, StoredLead]]:
        """Each campaign's record of the address, replaced by a copy with `incoming`'s fields (a stored lead is never
        changed in place: see StoredLead); (campaign, new record) for each, none when no campaign holds it."""
        wanted = incoming["email"].lower()
        fields = {k: v for k, v in incoming.items() if k != "email"}
        holders: list[tuple[Campaign, StoredLead]] = []
        for campaign in self.campaigns:
            leads = campaign["leads"]
            for i in [i for i, lead in enumerate(leads) if lead["email"].lower() == wanted]:
                leads[i] = record = {**leads[i], **fields}
                holders.append((campaign, record))
        return holders

    def _begin_sequence(self, campaign: Campaign, first: int, ctx: StateContext) -> int:
        """Step 1 for the campaign's leads from index `first` on, due now (plus its delayDays); what is due is
        done at once. Returns how many leads that is."""
        sequencer = self.sequencer(ctx)
        cidx = self._index_of(campaign)
        due = whole_seconds(ctx.now) + delay_of(campaign["sequenceSteps"][0]) if campaign["sequenceSteps"] else 0
        progress = campaign["progress"]
        for lead in campaign["leads"][first:]:
            progress.append(new_progress(lead["email"], due))
            sequencer.schedule(cidx, len(progress) - 1, due)
        sequencer.run(ctx.stamp, ctx.ids, ctx.emit)
        return len(campaign["leads"]) - first

    def start(self, campaign: Campaign, ctx: StateContext, allow_empty: bool) -> int:
        """draft -> running (step 1 for every lead), paused -> running (held steps go out); running is a no-op.

        Returns the number of messages the call queued (on a no-op: what is queued now)."""
        if campaign["status"] == "running":
            return campaign["stats"]["queued"]
        if campaign["status"] == "draft":
            if not campaign["leads"] and not allow_empty:
                raise errors.error(400, errors.NO_LEADS_ENROLLED)
            if not campaign["sequenceSteps"]:
                raise errors.error(400, errors.NO_SEQUENCE_STEPS)
            campaign["startedAt"] = format_instant(ctx.now)
            campaign["status"] = "running"
            notifier = Notifier(self.webhooks, ctx.emit)
            if notifier.wants(events.CAMPAIGN_STARTED):
                notifier.send(events.CAMPAIGN_STARTED, ctx.stamp, events.campaign_started(campaign))
            return self._begin_sequence(campaign, 0, ctx)
        campaign["status"] = "running"
        sequencer = self.sequencer(ctx)
        resumed = sequencer.resume(self._index_of(campaign), whole_seconds(ctx.now))
        sequencer.run(ctx.stamp, ctx.ids, ctx.emit)
        return resumed

    def pause(self, campaign: Campaign, now: str) -> None:
        """running -> paused; draft and paused are no-ops. Queued messages are held, not dropped."""
        if campaign["status"] == "running":
            campaign["status"] = "paused"
            campaign["pausedAt"] = now

    def stats(self, campaign: Campaign) -> dict[str, Any]:
        counters = campaign["stats"]
        delivered = counters["delivered"]
        return {
            "campaignId": campaign["id"],
            "totalEnrolled": len(campaign["leads"]),
            "sent": counters["sent"],
            "delivered": delivered,
            "bounced": counters["bounced"],
            "replied": counters["replied"],
            "queued": counters["queued"],
            "openRate": min(1.0, counters["opened"] / delivered) if delivered else 0.0,
            "replyRate": min(1.0, counters["replied"] / delivered) if delivered else 0.0,
        }

    def suppress(self, emails: list[str]) -> int:
        added = 0
        for email in emails:
            if email.lower() not in self._suppressed:
                self._suppressed.add(email.lower())
                self.suppression.append(email)
                added += 1
        return added

    def replies_for(self, campaign_id: str | None) -> list[LeadReply]:
        if campaign_id is not None:
            self.campaign(campaign_id)
        found = [r for r in self.replies if campaign_id is None or r["campaignId"] == campaign_id]
        return sorted(found, key=lambda r: r["receivedAt"], reverse=True)


def _copied(section: dict[str, Any]) -> dict[str, Any]:
    """The section copied, but for the leads in it: each campaign's list of leads is its own, the leads in it are
    the section's (a stored lead is never changed in place: see StoredLead). A scenario's leads are most of it,
    and every session built from it shares them instead of holding a copy."""
    campaigns = section.get("campaigns")
    if not isinstance(campaigns, list):
        return plain_copy(section)
    copied = plain_copy({**section, "campaigns": [_without_leads(campaign) for campaign in campaigns]})
    lists: dict[int, list[StoredLead]] = {}  # one list written in two places (a YAML alias) stays one, as copied
    for mine, given in zip(copied["campaigns"], campaigns, strict=True):
        if "leads" in given:
            leads = given["leads"]
            if id(leads) not in lists:
                lists[id(leads)] = list(leads)
            mine["leads"] = lists[id(leads)]
    return copied


def _without_leads(campaign: dict[str, Any]) -> dict[str, Any]:
    """The campaign with an empty list where its leads were (in their place among its keys)."""
    return {key: [] if key == "leads" else value for key, value in campaign.items()}


def _fill_progress(campaign: dict[str, Any], now: str) -> None:
    """Progress for the leads of a started scenario campaign that has none for them, and `queued` recounted.

    A scenario that writes only counters says how many messages wait with `stats.queued`: the last that many leads
    without progress wait for step 1 (due now; held if the campaign is paused), the others are taken as done
    with the sequence (their history is in the counters the scenario gives).
    """
    progress: list[LeadProgress] = campaign.setdefault("progress", [])
    for entry in progress:
        entry.setdefault("dueAt", None)
        entry.setdefault("messages", [])
    stats = campaign["stats"]
    if campaign["status"] != "draft":
        missing = campaign["leads"][len(progress) :]
        already = sum(1 for entry in progress if entry["status"] == "queued")
        waiting = min(max(0, stats["queued"] - already), len(missing)) if campaign["sequenceSteps"] else 0
        steps = len(campaign["sequenceSteps"])
        for i, lead in enumerate(missing):
            if i >= len(missing) - waiting:
                status: ProgressStatus = "scheduled" if campaign["status"] == "running" else "queued"
                progress.append({"email": lead["email"], "status": status, "nextStep": 0, "dueAt": now, "messages": []})
            else:
                progress.append(
                    {"email": lead["email"], "status": "completed", "nextStep": steps, "dueAt": None, "messages": []}
                )
    stats["queued"] = sum(1 for entry in progress if entry["status"] == "queued")


def check_references(section: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Records that point at records the scenario does not define, or contradict each other."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    pools = {p["id"] for p in section.get("senderPools", [])}
    accounts = {a["id"] for a in section.get("senderAccounts", [])}
    campaigns = {c["id"] for c in section.get("campaigns", [])}
    for i, pool in enumerate(section.get("senderPools", [])):
        for j, account in enumerate(pool.get("senderAccountIds", [])):
            if account not in accounts:
                problems.append((("senderPools", i, "senderAccountIds", j), f"no sender account {account!r}"))
        if pool.get("remainingVolume", 0) > pool["dailyCapacity"]:
            problems.append((("senderPools", i, "remainingVolume"), "remainingVolume exceeds dailyCapacity"))
    for i, campaign in enumerate(section.get("campaigns", [])):
        pool = campaign.get("senderPoolId")
        if pool is not None and pool not in pools:
            problems.append((("campaigns", i, "senderPoolId"), f"no sender pool {pool!r}"))
        problems += [(("campaigns", i, *path), message) for path, message in _progress_problems(campaign)]
    for i, reply in enumerate(section.get("replies", [])):
        if reply["campaignId"] not in campaigns:
            problems.append((("replies", i, "campaignId"), f"no campaign {reply['campaignId']!r}"))
    for kind in ("senderPools", "senderAccounts", "campaigns", "replies", "webhooks"):
        seen: set[str] = set()
        for i, record in enumerate(section.get(kind, [])):
            if record["id"] in seen:
                problems.append(((kind, i, "id"), f"duplicate id {record['id']!r}"))
            seen.add(record["id"])
    weights = classification_problem(section.get("simulation") or {})
    if weights:
        problems.append((("simulation", "reply_classifications"), weights))
    return problems


def _progress_problems(campaign: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """A campaign's progress must follow its leads one to one and stay within its steps."""
    progress = campaign.get("progress") or []
    if not progress:
        return []
    if campaign.get("status", "draft") == "draft":
        return [(("progress",), "a draft campaign has no progress (it starts when the campaign does)")]
    leads = campaign.get("leads", [])
    steps = len(campaign.get("sequenceSteps", []))
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if len(progress) > len(leads):
        problems.append((("progress",), f"{len(progress)} entries for {len(leads)} leads"))
    for j, (entry, lead) in enumerate(zip(progress, leads, strict=False)):
        if entry["email"].lower() != lead["email"].lower():
            problems.append((("progress", j, "email"), f"{entry['email']!r} is not leads[{j}] ({lead['email']!r})"))
        pending = entry["status"] in ("scheduled", "queued")
        if pending and entry.get("dueAt") is None:
            problems.append((("progress", j, "dueAt"), f"a {entry['status']} entry needs dueAt"))
        if entry["nextStep"] > steps or (pending and entry["nextStep"] >= steps):
            problems.append((("progress", j, "nextStep"), f"the campaign has {steps} steps"))
        for k, message in enumerate(entry.get("messages", [])):
            if message["step"] >= steps:
                problems.append((("progress", j, "messages", k, "step"), f"the campaign has {steps} steps"))
    return problems
