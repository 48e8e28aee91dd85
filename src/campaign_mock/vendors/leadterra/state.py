"""Leadterra's records and rules, with no HTTP.

One workspace per session. Records are kept in Leadterra's wire form (camelCase), which is also the scenario
form, so export and import round-trip without translation. Leads are one workspace-wide contact store keyed
by email (the API reference's upsert rule) and enrolled per campaign.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NotRequired, Self, TypedDict, cast

from ...engine.clock import format_instant, parse_instant
from ...engine.vendor import StateContext, VendorState
from . import errors

POOL_WINDOW = timedelta(hours=24)
STAT_COUNTERS = ("sent", "delivered", "bounced", "replied", "opened", "queued")
LEAD_FIELDS = ("firstName", "lastName", "company", "jobTitle")


class SenderPool(TypedDict):
    id: str
    name: str
    dailyCapacity: int
    remainingVolume: int
    senderAccountIds: list[str]
    windowStartedAt: str  # when the current rolling 24-hour window began (canonical RFC 3339, comparable as text)


class SenderAccount(TypedDict):
    id: str
    email: str
    name: str
    status: str


class Lead(TypedDict):
    email: str
    firstName: NotRequired[str]
    lastName: NotRequired[str]
    company: NotRequired[str]
    jobTitle: NotRequired[str]


class Stats(TypedDict):
    sent: int
    delivered: int
    bounced: int
    replied: int
    opened: int
    queued: int


class Campaign(TypedDict):
    id: str
    name: str
    status: str  # draft | running | paused
    sequenceSteps: list[dict[str, Any]]
    createdAt: str
    startedAt: str | None
    pausedAt: str | None
    leads: list[Lead]
    stats: Stats
    senderPoolId: NotRequired[str]


class LeadReply(TypedDict):
    id: str
    email: str
    campaignId: str
    classification: str
    receivedAt: str
    threadSnippet: str


class Webhook(TypedDict):
    id: str
    url: str
    events: list[str]
    status: str
    createdAt: str


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
        self._next_refill = self._first_window_end()

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self:
        """Fill the documented defaults; timestamps left out come from the clock."""
        now = format_instant(ctx.now)
        data = copy.deepcopy(data)
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
        data.setdefault("suppressionList", [])
        for reply in data.setdefault("replies", []):
            reply.setdefault("receivedAt", now)
            reply.setdefault("threadSnippet", "")
        for hook in data.setdefault("webhooks", []):
            hook.setdefault("status", "active")
            hook.setdefault("createdAt", now)
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "api_keys": self.api_keys,
                "orphan_api_keys": self.orphan_api_keys,
                "senderPools": self.sender_pools,
                "senderAccounts": self.sender_accounts,
                "campaigns": self.campaigns,
                "suppressionList": self.suppression,
                "replies": self.replies,
                "webhooks": self.webhooks,
            }
        )

    def advance_to(self, ctx: StateContext) -> None:
        if ctx.now.timestamp() >= self._next_refill:
            self.refresh_pools(ctx.now)

    # -- lookups ------------------------------------------------------------------------------------
    def campaign(self, campaign_id: str) -> Campaign:
        for campaign in self.campaigns:
            if campaign["id"] == campaign_id:
                return campaign
        raise errors.campaign_not_found()

    def pool_of(self, campaign: Campaign) -> SenderPool | None:
        wanted = campaign.get("senderPoolId")
        return next((p for p in self.sender_pools if p["id"] == wanted), None)

    def refresh_pools(self, now: datetime) -> None:
        """Give back a pool's daily capacity once its rolling 24-hour window has ended on the mock clock."""
        cutoff = format_instant(now - POOL_WINDOW)  # canonical instants order as text
        for pool in self.sender_pools:
            if pool["windowStartedAt"] > cutoff:
                continue
            elapsed = now - parse_instant(pool["windowStartedAt"])
            if elapsed >= POOL_WINDOW:
                pool["remainingVolume"] = pool["dailyCapacity"]
                pool["windowStartedAt"] = format_instant(now - elapsed % POOL_WINDOW)
        self._next_refill = self._first_window_end()

    def _first_window_end(self) -> float:
        """When the earliest pool window ends: until then there is nothing to refill (a cheap check per request)."""
        ends = [(parse_instant(p["windowStartedAt"]) + POOL_WINDOW).timestamp() for p in self.sender_pools]
        return min(ends, default=float("inf"))

    def is_suppressed(self, email: str) -> bool:
        return email.lower() in {s.lower() for s in self.suppression}

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
        }
        if self.sender_pools:
            campaign["senderPoolId"] = self.sender_pools[0]["id"]
        self.campaigns.append(campaign)
        return campaign

    def enrol(self, campaign: Campaign, leads: list[Lead]) -> EnrolResult:
        """Upsert by email across the workspace, then enrol in `campaign`; suppressed addresses are skipped.

        The caller has checked every email; nothing here can fail half-way. `leads` is freshly parsed request
        data that nothing else holds, so it is stored without copying.
        """
        enrolled = updated = skipped = 0
        seen: set[str] = set()
        for incoming in leads:
            email = incoming["email"]
            # A repeat of an address in the same request updates the same lead; it is counted once.
            repeat = email.lower() in seen
            seen.add(email.lower())
            if self.is_suppressed(email):
                skipped += 0 if repeat else 1
                continue
            copies = self._lead_copies(email)
            if copies:
                updated += 0 if repeat else 1
                for record in copies:
                    cast(dict[str, Any], record).update((k, v) for k, v in incoming.items() if k != "email")
                if not any(c is r for c in campaign["leads"] for r in copies):
                    campaign["leads"].append(copy.deepcopy(copies[0]))
            else:
                enrolled += 1
                campaign["leads"].append(incoming)
        if campaign["status"] == "running":
            self.queue_waiting(campaign)
        return EnrolResult(enrolled, updated, skipped)

    def _lead_copies(self, email: str) -> list[Lead]:
        wanted = email.lower()
        return [lead for c in self.campaigns for lead in c["leads"] if lead["email"].lower() == wanted]

    def queue_waiting(self, campaign: Campaign) -> int:
        """Queue step 1 for enrolled leads not yet queued, capped by the pool's remaining volume."""
        stats = campaign["stats"]
        waiting = max(0, len(campaign["leads"]) - stats["queued"] - stats["sent"])
        pool = self.pool_of(campaign)
        count: int = min(waiting, pool["remainingVolume"]) if pool is not None else waiting
        stats["queued"] += count
        if pool is not None:
            pool["remainingVolume"] -= count
        return count

    def start(self, campaign: Campaign, now: str, allow_empty: bool) -> None:
        """draft -> running (queueing step 1), paused -> running (resuming); running is a no-op."""
        if campaign["status"] == "running":
            return
        if campaign["status"] == "draft":
            if not campaign["leads"] and not allow_empty:
                raise errors.error(400, errors.NO_LEADS_ENROLLED)
            if not campaign["sequenceSteps"]:
                raise errors.error(400, errors.NO_SEQUENCE_STEPS)
            campaign["startedAt"] = now
        campaign["status"] = "running"
        self.queue_waiting(campaign)

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
        known = {s.lower() for s in self.suppression}
        added = 0
        for email in emails:
            if email.lower() not in known:
                known.add(email.lower())
                self.suppression.append(email)
                added += 1
        return added

    def replies_for(self, campaign_id: str | None) -> list[LeadReply]:
        if campaign_id is not None:
            self.campaign(campaign_id)
        found = [r for r in self.replies if campaign_id is None or r["campaignId"] == campaign_id]
        return sorted(found, key=lambda r: r["receivedAt"], reverse=True)


def check_references(section: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Records that point at records the scenario does not define."""
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
    for i, reply in enumerate(section.get("replies", [])):
        if reply["campaignId"] not in campaigns:
            problems.append((("replies", i, "campaignId"), f"no campaign {reply['campaignId']!r}"))
    for kind in ("senderPools", "senderAccounts", "campaigns", "replies", "webhooks"):
        seen: set[str] = set()
        for i, record in enumerate(section.get(kind, [])):
            if record["id"] in seen:
                problems.append(((kind, i, "id"), f"duplicate id {record['id']!r}"))
            seen.add(record["id"])
    return problems
