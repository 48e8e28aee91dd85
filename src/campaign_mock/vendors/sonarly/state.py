"""Sonarly's records and rules, with no HTTP.

Everything belongs to an account group, so a group record holds its folders, audiences, prospects and campaigns;
API keys sit beside the groups, each with its permissions and the groups it may reach. Records are kept in
Sonarly's wire form (camelCase), which is also the scenario form, so export and import round-trip without
translation. Timestamps are kept canonical (`2026-05-01T12:00:00.000Z`, UTC, milliseconds), so they order as text.

What happens over time happens in `advance_to`, in time order, on the session's clock: a filling audience whose
`readyAt` has come becomes ready, a pending signal evaluation whose `evaluatesAt` has come completes, and workflow
instances run their steps (`workflows.py`) until every one has finished and the campaign is completed.
Every rule checks everything it needs before it changes anything, so an error never leaves a record half-updated.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Self

from ...engine.chance import Chance
from ...engine.clock import parse_instant
from ...engine.plaincopy import plain_copy
from ...engine.vendor import StateContext, VendorState
from . import errors
from .workflows import (
    DEFAULT_TEMPLATES,
    SLOTS,
    STEP_DURATION,
    default_slots,
    slot_id,
    step_outcome,
    steps_of,
    time_to_reach,
)

Record = dict[str, Any]

OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
CAMPAIGN_DEFAULTS: Record = {
    "description": None,
    "status": "draft",
    "starterTemplateId": "connect",
    "audienceId": None,
    "includeConversationHistory": False,
    "autoCancelOnMessageReceived": True,
    "outreachLanguage": "en",
    "rateLimitedUntil": None,
}
AUDIENCE_DEFAULTS: Record = {"type": "on_demand", "description": None, "folderId": None, "filling": False}


def stamp(moment: datetime) -> str:
    """`2026-05-01T12:00:00.000Z`: UTC with milliseconds, the form Sonarly's examples show."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def canonical(text: str | None, default: str | None = None) -> str | None:
    """A scenario timestamp in the stored form (None stays None, unless a default is given)."""
    return _stored(text) if text is not None else default


@lru_cache(maxsize=4096)  # every session built from a scenario stores the same instants of it
def _stored(text: str) -> str:
    return stamp(parse_instant(text))


class SonarlyState(VendorState):
    def __init__(self, data: Record) -> None:
        self.api_keys: list[Record] = data["api_keys"]
        self.account_groups: list[Record] = data["accountGroups"]
        self._keys = {record["key"]: record for record in self.api_keys}
        self._next_due = self._first_due()

    @classmethod
    def from_dict(cls, data: Record, ctx: StateContext) -> Self:
        """Fill the documented (and inferred) defaults; timestamps left out come from the clock."""
        now = stamp(ctx.now)
        data = plain_copy(data)
        for key in data.setdefault("api_keys", []):
            key.setdefault("revoked", False)
        for group in data.setdefault("accountGroups", []):
            _fill_group(group, now)
        return cls(data)

    def to_dict(self) -> Record:
        return plain_copy({"api_keys": self.api_keys, "accountGroups": self.account_groups})

    # -- time ---------------------------------------------------------------------------------------
    def advance_to(self, ctx: StateContext) -> None:
        now = stamp(ctx.now)
        if self._next_due is None or now < self._next_due:
            return
        for group in self.account_groups:
            for audience in group["audiences"]:
                if audience["filling"] and audience["readyAt"] is not None and audience["readyAt"] <= now:
                    audience["filling"] = False
            for prospect in group["prospects"]:
                signals = prospect["signals"]
                due = signals["evaluatesAt"]
                if signals["status"] == "pending" and due is not None and due <= now:
                    signals["status"] = "evaluated"
            for campaign in group["campaigns"]:
                if campaign["status"] == "active":
                    _run_instances(campaign, now, ctx.chance)
        self._next_due = self._first_due()

    def _first_due(self) -> str | None:
        """The earliest moment anything is due (canonical timestamps order as text), or None."""
        due: list[str] = []
        for group in self.account_groups:
            due += [a["readyAt"] for a in group["audiences"] if a["filling"] and a["readyAt"] is not None]
            for prospect in group["prospects"]:
                signals = prospect["signals"]
                if signals["status"] == "pending" and signals["evaluatesAt"] is not None:
                    due.append(signals["evaluatesAt"])
            for campaign in group["campaigns"]:
                if campaign["status"] != "active":
                    continue
                running = [i["dueAt"] for i in campaign["instances"] if i["status"] == "running"]
                due += running or [campaign["startedAt"]]  # nothing left to run: it completes at once
        return min(due, default=None)

    # -- lookups ------------------------------------------------------------------------------------
    def key_record(self, key: str) -> Record | None:
        """The record of a key that may call the API (listed and not revoked)."""
        record = self._keys.get(key)
        return record if record is not None and not record["revoked"] else None

    def group(self, group_id: str) -> Record | None:
        return next((g for g in self.account_groups if g["id"] == group_id), None)

    @staticmethod
    def find_audience(group: Record, audience_id: str | None) -> Record | None:
        return _find(group["audiences"], audience_id)

    @staticmethod
    def audience(group: Record, audience_id: str) -> Record:
        return _get(group["audiences"], audience_id, "audienceId")

    @staticmethod
    def prospect(group: Record, prospect_id: str) -> Record:
        return _get(group["prospects"], prospect_id, "prospectId")

    @staticmethod
    def campaign(group: Record, campaign_id: str) -> Record:
        return _get(group["campaigns"], campaign_id, "campaignId")

    @staticmethod
    def prospects_of(group: Record, audience_id: str) -> list[Record]:
        return [p for p in group["prospects"] if audience_id in p["audienceIds"]]

    @staticmethod
    def ready_audiences(group: Record) -> list[Record]:
        """The audiences the lists show: not those a prospecting job is still filling."""
        return [a for a in group["audiences"] if not a["filling"]]

    # -- audiences ----------------------------------------------------------------------------------
    def create_audience(self, group: Record, audience_id: str, fields: Record, now: str) -> Record:
        if not group["linkedinConnected"]:
            raise errors.error(
                422,
                errors.LINKEDIN_ACCOUNT_REQUIRED,
                errors.NO_LINKEDIN_ACCOUNT,
                "the account group has no connected LinkedIn account",
            )
        audience: Record = {
            "id": audience_id,
            "name": fields["name"],
            "type": fields["type"],
            "description": fields.get("description"),
            "folderId": None,
            "filling": False,
            "readyAt": None,
            "createdAt": now,
        }
        group["audiences"].append(audience)
        return audience

    # -- campaigns ----------------------------------------------------------------------------------
    def create_campaign(self, group: Record, campaign_id: str, fields: Record, now: str) -> Record:
        """A draft from a starter template, targeting an audience (422 when the group has none of that id)."""
        audience_id = fields["audienceId"]
        if self.find_audience(group, audience_id) is None:
            raise errors.validation(422, f"body.audienceId: no audience {audience_id} in this account group")
        leads, count = self._target(group, audience_id, fields.get("leadIds"))
        template = fields["starterTemplateId"]
        campaign = _new_campaign(campaign_id, fields["name"], template, audience_id, leads, count, now)
        campaign["contentSlots"] = default_slots(template, campaign_id)
        group["campaigns"].append(campaign)
        return campaign

    def duplicate_campaign(self, group: Record, source: Record, campaign_id: str, fields: Record, now: str) -> Record:
        """A new draft copied from `source` for another audience (404 when the group has none of that id)."""
        audience_id = fields["audienceId"]
        self.audience(group, audience_id)
        leads, count = self._target(group, audience_id, fields.get("leadIds"))
        selected = leads if leads is not None else [p["id"] for p in self.prospects_of(group, audience_id)]
        busy = self._running_leads(group)
        for lead in selected:
            if lead in busy:
                raise errors.error(409, errors.WORKFLOW_CONFLICT, errors.IN_ACTIVE_WORKFLOW, lead)
        name = fields.get("name") or f"{source['name']} (copy)"
        campaign = _new_campaign(campaign_id, name, source["starterTemplateId"], audience_id, leads, count, now)
        for key in ("description", "includeConversationHistory", "autoCancelOnMessageReceived", "outreachLanguage"):
            campaign[key] = source[key]
        campaign["contentSlots"] = [
            {**copy.deepcopy(slot), "id": slot_id(campaign_id, index)}
            for index, slot in enumerate(source["contentSlots"], start=1)
        ]
        group["campaigns"].append(campaign)
        return campaign

    def _target(self, group: Record, audience_id: str, lead_ids: list[str] | None) -> tuple[list[str] | None, int]:
        """The leads a new draft selects (None: the whole audience) and how many; the audience must be ready and
        every lead one of its prospects."""
        audience = self.find_audience(group, audience_id)
        assert audience is not None
        if audience["filling"]:
            raise errors.audience_not_ready(audience_id)
        if lead_ids is None:
            return None, len(self.prospects_of(group, audience_id))
        members = {p["id"] for p in self.prospects_of(group, audience_id)}
        for index, lead in enumerate(lead_ids):
            if lead not in members:
                raise errors.validation(
                    422, f"body.leadIds[{index}]: {lead} is not a prospect of audience {audience_id}"
                )
        distinct = list(dict.fromkeys(lead_ids))
        return distinct, len(distinct)

    @staticmethod
    def _running_leads(group: Record) -> set[str]:
        """Leads with a running workflow instance in an active campaign of the group."""
        return {
            instance["leadId"]
            for campaign in group["campaigns"]
            if campaign["status"] == "active"
            for instance in campaign["instances"]
            if instance["status"] == "running" and instance["leadId"] is not None
        }

    def update_slot(self, group: Record, campaign: Record, slot_id_: str, template_id: str, now: str) -> Record:
        slot = _get(campaign["contentSlots"], slot_id_, "slotId")
        if campaign["status"] != "draft":
            raise errors.error(409, errors.CAMPAIGN_NOT_EDITABLE, errors.NOT_EDITABLE, f"status {campaign['status']}")
        if not OBJECT_ID.fullmatch(template_id):
            raise errors.validation(422, _clip(f"body.templateId: {template_id!r} is not a 24-hex ObjectId"))
        allowed = group.get("templateIds")
        if allowed is not None and template_id not in allowed and template_id not in DEFAULT_TEMPLATES.values():
            raise errors.validation(
                422, f"body.templateId: {template_id} is not a message template of this account group"
            )
        slot["templateId"] = template_id
        campaign["updatedAt"] = now
        return slot

    def start(self, group: Record, campaign: Record, now: datetime) -> int:
        """draft -> active: one running workflow instance per selected lead; returns how many."""
        if campaign["status"] != "draft":
            status = campaign["status"]
            raise errors.error(409, errors.CAMPAIGN_ALREADY_STARTED, errors.ALREADY_STARTED, f"status {status}")
        audience = self.find_audience(group, campaign["audienceId"])
        if audience is not None and audience["filling"]:
            raise errors.audience_not_ready(audience["id"])
        leads = leads_of(group, campaign)
        if not leads:
            raise errors.validation(422, "the campaign has no selected leads to start workflows for")
        at = stamp(now)
        until = campaign["rateLimitedUntil"]
        if until is not None and until > at:
            raise errors.rate_limited(until)
        first = stamp(now + time_to_reach(campaign["starterTemplateId"], 1))
        campaign.update(
            status="active",
            startedAt=at,
            updatedAt=at,
            selectedLeadCount=len(leads),
            instances=[_instance(lead, first) for lead in leads],
        )
        # Only this campaign gained something due (its instances, all at `first`): no need to look through every
        # campaign again, which made a start cost as much as the account's campaigns.
        self._next_due = first if self._next_due is None else min(self._next_due, first)
        return len(leads)

    def delete_campaign(self, group: Record, campaign: Record, delete_active: bool) -> None:
        """Draft and completed campaigns can be deleted; an active one only when `delete_active` (its instances go
        with it)."""
        if campaign["status"] == "active" and not delete_active:
            raise errors.error(409, errors.CAMPAIGN_NOT_DELETABLE, errors.NOT_DELETABLE, "status active")
        group["campaigns"].remove(campaign)
        self._next_due = self._first_due()


# -- helpers --------------------------------------------------------------------------------------------
def _find(records: list[Record], record_id: str | None) -> Record | None:
    return next((r for r in records if r["id"] == record_id), None)


def _get(records: list[Record], record_id: str, parameter: str) -> Record:
    """The record with that id, or the documented 404 naming the path parameter that asked for it."""
    record = _find(records, record_id)
    if record is None:
        raise errors.not_found(parameter, record_id)
    return record


def leads_of(group: Record, campaign: Record) -> list[str | None]:
    """The leads a start creates workflow instances for: the campaign's leadIds, else every prospect of its
    audience, else (a seeded campaign naming neither) `selectedLeadCount` leads it does not name."""
    if "leadIds" in campaign:
        return list(campaign["leadIds"])
    if campaign["audienceId"] is not None:
        return [p["id"] for p in group["prospects"] if campaign["audienceId"] in p["audienceIds"]]
    return [None] * int(campaign["selectedLeadCount"])


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _instance(lead: str | None, due: str) -> Record:
    return {"leadId": lead, "status": "running", "step": 1, "dueAt": due, "outcome": None}


def _new_campaign(
    campaign_id: str, name: str, template: str, audience_id: str, leads: list[str] | None, count: int, now: str
) -> Record:
    campaign: Record = {"id": campaign_id, "name": name, **CAMPAIGN_DEFAULTS}
    campaign.update(starterTemplateId=template, audienceId=audience_id, selectedLeadCount=count)
    if leads is not None:
        campaign["leadIds"] = leads
    campaign.update(createdAt=now, updatedAt=now, startedAt=None, instances=[])
    return campaign


def _run_instances(campaign: Record, now: str, chance: Chance) -> None:
    """Run every step due by `now`; once no instance is left running, the campaign is completed."""
    template = campaign["starterTemplateId"]
    steps = steps_of(template)
    for index, instance in enumerate(campaign["instances"]):
        lead = instance["leadId"] or f"#{index}"
        while instance["status"] == "running" and instance["dueAt"] <= now:
            outcome = step_outcome(chance, template, campaign["id"], lead, instance["step"])
            if outcome is None:
                instance["step"] += 1
                step = steps[instance["step"] - 1]
                instance["dueAt"] = stamp(parse_instant(instance["dueAt"]) + STEP_DURATION[step])
            else:
                instance["status"], instance["outcome"] = "finished", outcome
    instances = campaign["instances"]
    if all(i["status"] == "finished" for i in instances):
        campaign["status"] = "completed"
        campaign["updatedAt"] = max([campaign["updatedAt"], *(i["dueAt"] for i in instances)])


def _fill_group(group: Record, now: str) -> None:
    group["createdAt"] = canonical(group.get("createdAt"), now)
    group.setdefault("linkedinConnected", True)
    for position, folder in enumerate(group.setdefault("folders", [])):
        folder.setdefault("isPinned", False)
        folder.setdefault("position", position)
        folder["createdAt"] = canonical(folder.get("createdAt"), now)
        folder["updatedAt"] = canonical(folder.get("updatedAt"), folder["createdAt"])
    for audience in group.setdefault("audiences", []):
        for key, value in AUDIENCE_DEFAULTS.items():
            audience.setdefault(key, value)
        audience["readyAt"] = canonical(audience.get("readyAt"))
        audience["createdAt"] = canonical(audience.get("createdAt"), now)
    for prospect in group.setdefault("prospects", []):
        prospect["createdAt"] = canonical(prospect.get("createdAt"), now)
        signals = prospect.setdefault("signals", {})
        signals.setdefault("status", "pending")
        signals.setdefault("results", [])
        signals["evaluatesAt"] = canonical(signals.get("evaluatesAt"))
    for campaign in group.setdefault("campaigns", []):
        _fill_campaign(group, campaign, now)


def _fill_campaign(group: Record, campaign: Record, now: str) -> None:
    for key, value in CAMPAIGN_DEFAULTS.items():
        campaign.setdefault(key, value)
    template = campaign["starterTemplateId"]
    if "selectedLeadCount" not in campaign:
        if "leadIds" in campaign:
            campaign["selectedLeadCount"] = len(campaign["leadIds"])
        elif campaign["audienceId"] is not None:
            audience_id = campaign["audienceId"]
            campaign["selectedLeadCount"] = sum(1 for p in group["prospects"] if audience_id in p["audienceIds"])
        else:
            campaign["selectedLeadCount"] = 0
    if "contentSlots" not in campaign:
        campaign["contentSlots"] = default_slots(template, campaign["id"])
    labels = dict(SLOTS[template])
    per_channel: dict[str, int] = {}
    for position, slot in enumerate(campaign["contentSlots"], start=1):
        per_channel[slot["channel"]] = per_channel.get(slot["channel"], 0) + 1
        slot.setdefault("label", labels.get(slot["channel"], slot["channel"].replace("_", " ").capitalize()))
        slot.setdefault("position", position)
        slot.setdefault("channelPosition", per_channel[slot["channel"]])
    campaign["createdAt"] = canonical(campaign.get("createdAt"), now)
    campaign["updatedAt"] = canonical(campaign.get("updatedAt"), campaign["createdAt"])
    started = now if campaign["status"] != "draft" else None
    campaign["startedAt"] = canonical(campaign.get("startedAt"), started)
    campaign["rateLimitedUntil"] = canonical(campaign["rateLimitedUntil"])
    origin = parse_instant(campaign["startedAt"] or campaign["createdAt"])
    if "instances" not in campaign:
        leads = leads_of(group, campaign) if campaign["status"] == "active" else []
        first = stamp(origin + time_to_reach(template, 1))
        campaign["instances"] = [_instance(lead, first) for lead in leads]
        return
    for instance in campaign["instances"]:
        instance.setdefault("leadId", None)
        instance.setdefault("status", "running")
        instance.setdefault("step", 1)
        instance.setdefault("outcome", None)
        instance["dueAt"] = canonical(instance.get("dueAt"), stamp(origin + time_to_reach(template, instance["step"])))
