"""VoiceGenie's rules, with no HTTP: one account's campaigns, contacts, scripts, calls, users and quota.

Records are kept in their scenario form (`records.py`); the dialer (`calls.py`) places and ends calls on the mock
clock. Every rule checks what it needs before it changes anything, and after a change it rebuilds the dialer's run
of the campaign it touched, so the simulation always follows the records. Statistics are never stored: `views.py`
derives them from the calls.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Self

from ...engine.chance import Chance
from ...engine.clock import format_instant
from ...engine.ids import IdFactory
from ...engine.plaincopy import plain_copy
from ...engine.vendor import StateContext, VendorState
from .calls import Dialer, contact_key
from .records import (
    ACTIVE,
    DRAFT,
    NOT_YET_STARTED,
    OUTCOMES,
    PAUSED,
    QUEUED,
    RUNNING,
    SCHEDULED,
    Record,
    digits,
    epoch,
    fill_call,
    fill_campaign,
    fill_contact,
    fill_quota,
    fill_script,
    fill_user,
    valid_phone,
)

STARTABLE = (PAUSED, SCHEDULED, NOT_YET_STARTED)  # plus draft, per the variant voicegenie.start_from_draft


@dataclass(frozen=True)
class Upload:
    """The outcome of adding contacts to a campaign."""

    added: list[tuple[int, Record]]  # (position in the upload, new contact)
    errors: list[Record]  # {index, phone_number, issue} per rejected contact
    skipped: int  # numbers already in the campaign, or earlier in the same upload


@dataclass(frozen=True)
class StartCheck:
    """Why a campaign cannot be started: the state that forbids it (None: the state allows it) and the missing
    configuration (`script_id`, `contacts`)."""

    forbidden_status: str | None
    missing: list[str]

    @property
    def ok(self) -> bool:
        return self.forbidden_status is None and not self.missing


class VoiceGenieState(VendorState):
    def __init__(self, data: Record, ctx: StateContext) -> None:
        self.api_keys: list[str] = data["api_keys"]
        self.forbidden_api_keys: list[str] = data["forbidden_api_keys"]
        self.users: list[Record] = data["users"]
        self.campaigns: list[Record] = data["campaigns"]
        self.contacts: dict[str, Record] = {c["id"]: c for c in data["contacts"]}
        self.scripts: dict[str, Record] = {s["script_id"]: s for s in data["scripts"]}
        self.calls: list[Record] = data["calls"]
        self.quota: Record = data["quota"]
        self.revoked_tokens: list[str] = data["revoked_tokens"]
        self._by_id = {c["id"]: c for c in self.campaigns}
        self._by_object_id = {c["_id"]: c for c in self.campaigns}
        self._calls_of: dict[str, list[Record]] = {}
        for call in self.calls:
            self._calls_of.setdefault(call["campaign_id"], []).append(call)
        self.dialer = Dialer(self)
        now = ctx.stamp
        for campaign in self.campaigns:
            self.dialer.rebuild(campaign, now, ctx.chance)
        self.dialer.seen = now

    @classmethod
    def from_dict(cls, data: Record, ctx: StateContext) -> Self:
        """Fill the documented defaults; timestamps left out come from the clock."""
        now = format_instant(ctx.now)
        data = plain_copy(data)
        for key in ("api_keys", "forbidden_api_keys", "users", "campaigns", "contacts", "scripts", "calls"):
            data.setdefault(key, [])
        data.setdefault("revoked_tokens", [])
        for user in data["users"]:
            fill_user(user, now, user.get("_id") or ctx.ids.new("", "hex24"))
        for campaign in data["campaigns"]:
            fill_campaign(campaign, now, campaign.get("_id") or ctx.ids.new("", "hex24"))
        for contact in data["contacts"]:
            fill_contact(contact, now)
        for script in data["scripts"]:
            fill_script(script, now)
        for call in data["calls"]:
            fill_call(call)
        fill_quota(data.setdefault("quota", {}), ctx.now)
        return cls(data, ctx)

    def to_dict(self) -> Record:
        return plain_copy(
            {
                "api_keys": self.api_keys,
                "forbidden_api_keys": self.forbidden_api_keys,
                "users": self.users,
                "campaigns": self.campaigns,
                "contacts": list(self.contacts.values()),
                "scripts": list(self.scripts.values()),
                "calls": self.calls,
                "quota": self.quota,
                "revoked_tokens": self.revoked_tokens,
            }
        )

    def advance_to(self, ctx: StateContext) -> None:
        self.dialer.advance(ctx.stamp, ctx.ids, ctx.chance)

    # -- lookups ------------------------------------------------------------------------------------
    def campaign(self, campaign_id: str) -> Record | None:
        """A campaign by its UUID (soft-deleted ones are gone)."""
        found = self._by_id.get(campaign_id)
        return found if found is not None and not found["isDeleted"] else None

    def campaign_by_object_id(self, object_id: str) -> Record | None:
        found = self._by_object_id.get(object_id)
        return found if found is not None and not found["isDeleted"] else None

    def live_campaigns(self) -> list[Record]:
        return [c for c in self.campaigns if not c["isDeleted"]]

    def calls_of(self, campaign_id: str) -> list[Record]:
        return self._calls_of.get(campaign_id, [])

    def name_taken(self, name: str, other_than: Record | None = None) -> bool:
        """Campaign names are unique, case-sensitive, soft-deleted campaigns included."""
        return any(c["name"] == name and c is not other_than for c in self.campaigns)

    def user(self, user_id: str) -> Record | None:
        return next((u for u in self.users if u["_id"] == user_id), None)

    def members(self, campaign: Record) -> list[Record]:
        """The campaign's contacts still to count (not excluded, still existing), in order."""
        excluded = set(campaign["excluded_contact_ids"])
        return [self.contacts[c] for c in campaign["contact_ids"] if c not in excluded and c in self.contacts]

    def records_calls(self, campaign: Record) -> bool:
        script = self.scripts.get(campaign["script_id"] or "")
        settings = (script or {}).get("call_settings") or {}
        return bool(settings.get("recording_enabled", True))

    # -- campaigns ----------------------------------------------------------------------------------
    def new_campaign(self, ids: IdFactory, now: str, name: str, status: str, **fields: Any) -> Record:
        campaign: Record = {
            "id": ids.new("", "uuid"),
            "_id": ids.new("", "hex24"),
            "name": name,
            "campaign_status": status,
            "created_at": now,
            "updated_at": now,
            **fields,
        }
        fill_campaign(campaign, now, campaign["_id"])
        if status != RUNNING:
            campaign["started_at"] = None
        self.campaigns.append(campaign)
        self._by_id[campaign["id"]] = campaign
        self._by_object_id[campaign["_id"]] = campaign
        return campaign

    def start_check(self, campaign: Record, allow_draft: bool) -> StartCheck:
        """What stops a (not running) campaign from starting."""
        status = campaign["campaign_status"]
        startable = status in STARTABLE or (status == DRAFT and allow_draft)
        missing = []
        if not campaign["script_id"] or campaign["script_id"] not in self.scripts:
            missing.append("script_id")
        if not self.members(campaign):
            missing.append("contacts")
        return StartCheck(None if startable else status, missing)

    def start(self, campaign: Record, now: str, chance: Chance) -> None:
        campaign["campaign_status"] = RUNNING
        campaign["started_at"] = campaign["updated_at"] = now
        campaign["completed_at"] = None
        self.dialer.rebuild(campaign, epoch(now), chance)

    def pause(self, campaign: Record, now: str, chance: Chance) -> int:
        """running -> paused; the calls in progress (returned) end normally."""
        campaign["campaign_status"] = PAUSED
        campaign["paused_at"] = campaign["updated_at"] = now
        self.dialer.rebuild(campaign, epoch(now), chance)
        return self.dialer.active_calls(campaign)

    def delete(self, campaign: Record, chance: Chance, now: str) -> None:
        """Soft-delete: the campaign keeps its name; its calls go, and so do contacts no other campaign has."""
        campaign["isDeleted"] = True
        campaign["updated_at"] = now
        gone = list(self.calls_of(campaign["id"]))
        if gone:
            placed = [c for c in gone if c["started_at"]]
            self.quota["calls"]["used"] += len(placed)  # usage stays counted after the calls are gone
            self.quota["minutes"]["used"] += sum(-(-c["duration"] // 60) for c in placed if c["status"] in OUTCOMES)
            self._remove_calls(gone)
        kept = {cid for c in self.live_campaigns() for cid in c["contact_ids"]}
        for contact_id in campaign["contact_ids"]:
            if contact_id not in kept:
                self._drop_contact(contact_id)
        campaign["contact_ids"] = []
        campaign["excluded_contact_ids"] = []
        self.dialer.rebuild(campaign, epoch(now), chance)

    def upload(self, campaign: Record, contacts: list[Record], now: str, ids: IdFactory) -> Upload:
        """Add contacts to a campaign: malformed numbers are rejected, numbers already in it skipped."""
        known = {digits(c["phone_number"]) for c in self.members(campaign)}
        added, errors, skipped = [], [], 0
        for index, given in enumerate(contacts):
            number = given["phone_number"]
            if not valid_phone(number):
                errors.append({"index": index, "phone_number": number, "issue": "Phone number format invalid"})
                continue
            if digits(number) in known:
                skipped += 1
                continue
            known.add(digits(number))
            added.append((index, self.add_contact(ids, now, given)))
        campaign["contact_ids"].extend(c["id"] for _, c in added)
        if added:
            campaign["updated_at"] = now
        return Upload(added, errors, skipped)

    def configure(self, campaign: Record, fields: Record, now: str) -> None:
        """Set some of a campaign's fields (the caller has checked them)."""
        campaign.update(copy.deepcopy(fields))
        campaign["updated_at"] = now

    def exclude(self, campaign: Record, contact_ids: Iterable[str], now: str) -> int:
        excluded = campaign["excluded_contact_ids"]
        fresh = [c for c in contact_ids if c not in excluded]
        excluded.extend(fresh)
        if fresh:
            campaign["updated_at"] = now
        return len(fresh)

    def refresh(self, campaign: Record, now: str, chance: Chance) -> None:
        """Let the dialer see a campaign's changed records."""
        self.dialer.rebuild(campaign, epoch(now), chance)

    # -- contacts -----------------------------------------------------------------------------------
    def add_contact(self, ids: IdFactory, now: str, given: Record) -> Record:
        contact: Record = {"id": ids.new("contact_", "token", 12), "phone_number": given["phone_number"]}
        for key in ("name", "email"):
            if isinstance(given.get(key), str):
                contact[key] = given[key]
        contact["custom_fields"] = copy.deepcopy(given.get("custom_fields") or {})
        contact["created_at"] = now
        self.contacts[contact["id"]] = contact
        return contact

    def delete_contact(self, contact_id: str, now: str, chance: Chance) -> None:
        self._drop_contact(contact_id)
        for campaign in self.campaigns:
            if contact_id in campaign["contact_ids"]:
                campaign["contact_ids"].remove(contact_id)
                if contact_id in campaign["excluded_contact_ids"]:
                    campaign["excluded_contact_ids"].remove(contact_id)
                self.dialer.rebuild(campaign, epoch(now), chance)

    def _drop_contact(self, contact_id: str) -> None:
        """Forget a contact: redials waiting for it go; calls made to it keep its name and number but no longer
        point at it."""
        self.contacts.pop(contact_id, None)
        waiting = [c for c in self.calls if c["contact_id"] == contact_id and c["status"] == QUEUED]
        if waiting:
            self._remove_calls(waiting)
        for call in self.calls:
            if call["contact_id"] == contact_id:
                call["contact_id"] = None

    def _remove_calls(self, calls: list[Record]) -> None:
        dropped = {id(c) for c in calls}
        self.calls[:] = [c for c in self.calls if id(c) not in dropped]
        for campaign_id in {c["campaign_id"] for c in calls}:
            kept = [c for c in self._calls_of.get(campaign_id, []) if id(c) not in dropped]
            self._calls_of[campaign_id] = kept

    # -- calls --------------------------------------------------------------------------------------
    def add_call(
        self,
        ids: IdFactory,
        campaign: Record,
        *,
        contact: Record | None = None,
        like: Record | None = None,
        phone_number: str | None = None,
        name: str | None = None,
        status: str = QUEUED,
        scheduled_at: str | None = None,
        batch_id: str | None = None,
        extra: Record | None = None,
    ) -> Record:
        """A new call record of `campaign`: to `contact`, again to whoever `like` called (next attempt), or to a
        number without a contact record."""
        if like is not None:
            contact_id, name, phone_number = like["contact_id"], like["contact_name"], like["phone_number"]
            attempt = like["attempt"] + 1  # `like` is always the callee's latest call
            batch_id = batch_id if batch_id is not None else like["batch_id"]
        elif contact is not None:
            contact_id, name, phone_number, attempt = contact["id"], contact.get("name"), contact["phone_number"], 1
        else:
            contact_id, attempt = None, 1
        call: Record = {
            "id": ids.new("call-uuid-", "token", 12),
            "campaign_id": campaign["id"],
            "contact_id": contact_id,
            "contact_name": name,
            "phone_number": phone_number,
            "status": status,
            "scheduled_at": scheduled_at,
            "started_at": None,
            "ended_at": None,
            "duration": 0,
            "recording_url": None,
            "attempt": attempt,
            "batch_id": batch_id,
            "notificationWebhookUrl": None,
            **(extra or {}),
        }
        self.calls.append(call)
        self._calls_of.setdefault(campaign["id"], []).append(call)
        return call

    def latest_calls(self, campaign: Record) -> dict[str, Record]:
        """Each callee's latest call (highest attempt; the later record on a tie), by contact key."""
        latest: dict[str, Record] = {}
        for call in self.calls_of(campaign["id"]):
            key = contact_key(call)
            seen = latest.get(key)
            if seen is None or call["attempt"] >= seen["attempt"]:
                latest[key] = call
        return latest

    def contact_state(self, contact: Record, latest: dict[str, Record]) -> str:
        """completed (reached), failed (not reached), in_progress, or pending (not called, or a redial waits)."""
        call = latest.get(contact["id"])
        if call is None or call["status"] == QUEUED:
            return "pending"
        if call["status"] in ACTIVE:
            return "in_progress"
        return "completed" if call["status"] in ("answered", "voicemail") else "failed"
