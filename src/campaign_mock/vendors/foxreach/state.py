"""FoxReach's rules, with no HTTP: every change to its records.

One workspace per session. Records are kept in FoxReach's wire form (camelCase), which is also the scenario
form, so export and import round-trip without translation (their shape and defaults are in `records.py`, the
read models built from them in `views.py`, and the checks on seeded records in `seeds.py`).

Every rule checks everything it needs before it changes anything, so an error never leaves a record
half-updated. Derived counters are kept in step: `totalLeads` is always the number of `leadIds`, and deleting a
lead, an email account or a campaign removes every reference to it, so an exported state always imports again.
What campaigns do over time is `sending.py`'s: every rule that changes what a campaign's sending depends on tells
it so (`sender.changed`), and `advance_to` moves it on.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self, TypeVar, cast

from ...engine.plaincopy import plain_copy
from ...engine.vendor import StateContext, VendorState
from . import errors
from .outcomes import fill_simulation
from .records import (
    ACCOUNT_DEFAULTS,
    ACTIVITY_DEFAULTS,
    CAMPAIGN_DEFAULTS,
    CAMPAIGN_SETTINGS,
    LEAD_DEFAULTS,
    LEAD_SETTINGS,
    MESSAGE_DEFAULTS,
    REPLY_DEFAULTS,
    REPLY_SETTINGS,
    SEQUENCE_SETTINGS,
    TEMPLATE_DEFAULTS,
    TEMPLATE_SETTINGS,
    WEBHOOK_DEFAULTS,
    WEBHOOK_SETTINGS,
    Campaign,
    EmailAccount,
    InboxReply,
    Lead,
    Message,
    Record,
    SequenceStep,
    StoredRecord,
    Template,
    Webhook,
    fill,
    fill_campaign,
    fill_step,
    loose,
    naive,
    number_steps,
    stamp,
)
from .sending import Sender

_VARIABLE = re.compile(r"\{\{[^{}]*\}\}")
_Links = Literal["leadIds", "accountIds"]  # a campaign's lists of linked records
_Found = TypeVar("_Found", bound=Mapping[str, Any])  # a stored record, looked up by its "id"


def valid_spin(text: str) -> bool:
    """Spin groups `{a|b}` must be closed and not nested; `{{variables}}` are not spin groups."""
    open_group = False
    for char in _VARIABLE.sub("", text):
        if char == "{":
            if open_group:
                return False
            open_group = True
        elif char == "}":
            if not open_group:
                return False
            open_group = False
    return not open_group


@dataclass(frozen=True)
class LinkResult:
    added: int
    skipped: int


class FoxReachState(VendorState):
    def __init__(self, data: Record) -> None:
        self.api_keys: list[str] = data["api_keys"]
        self.simulation: Record = data["simulation"]
        # The JSON edge: `from_dict` has filled every default, so the records have their full shape.
        self.campaigns = cast(list[Campaign], data["campaigns"])
        self.leads = cast(list[Lead], data["leads"])
        self.email_accounts = cast(list[EmailAccount], data["emailAccounts"])
        self.templates = cast(list[Template], data["templates"])
        self.webhooks = cast(list[Webhook], data["webhooks"])
        self.inbox = cast(list[InboxReply], data["inbox"])
        self.sender = Sender(self)

    @classmethod
    def from_dict(cls, data: Record, ctx: StateContext) -> Self:
        """Fill the documented defaults; timestamps left out come from the clock."""
        now = naive(ctx.now)
        data = plain_copy(data)
        data.setdefault("api_keys", [])
        for campaign in data.setdefault("campaigns", []):
            fill_campaign(campaign, now)
        for lead in data.setdefault("leads", []):
            stamp(fill(lead, LEAD_DEFAULTS), now)
            for activity in lead["activities"]:
                fill(activity, ACTIVITY_DEFAULTS).setdefault("timestamp", now)
                if activity["campaignId"] is not None:
                    activity["campaignName"] = None  # the name follows the campaign (checked to agree at load)
        for account in data.setdefault("emailAccounts", []):
            stamp(fill(account, ACCOUNT_DEFAULTS), now)
        for template in data.setdefault("templates", []):
            stamp(fill(template, TEMPLATE_DEFAULTS), now)
        for hook in data.setdefault("webhooks", []):
            stamp(fill(hook, WEBHOOK_DEFAULTS), now)
            if "secret" not in hook:
                hook["secret"] = ctx.ids.new("whsec_", "token", 32)
        for reply in data.setdefault("inbox", []):
            fill(reply, REPLY_DEFAULTS).setdefault("receivedAt", now)
            for message in reply.get("messages") or []:
                fill(message, MESSAGE_DEFAULTS).setdefault("timestamp", now)
        data["simulation"] = fill_simulation(data)
        state = cls(data)
        state.sender.load(ctx.now)
        return state

    def to_dict(self) -> Record:
        return plain_copy(
            {
                "api_keys": self.api_keys,
                "simulation": self.simulation,
                "campaigns": self.campaigns,
                "leads": self.leads,
                "emailAccounts": self.email_accounts,
                "templates": self.templates,
                "webhooks": self.webhooks,
                "inbox": self.inbox,
            }
        )

    def advance_to(self, ctx: StateContext) -> None:
        """Campaigns send, and recipients open, reply and bounce, up to the clock (see `sending.py`)."""
        self.sender.advance(ctx)

    # -- lookups ------------------------------------------------------------------------------------
    def campaign(self, campaign_id: str) -> Campaign:
        return _find(self.campaigns, campaign_id, errors.CAMPAIGN_NOT_FOUND)

    def lead(self, lead_id: str) -> Lead:
        return _find(self.leads, lead_id, errors.LEAD_NOT_FOUND)

    def email_account(self, account_id: str) -> EmailAccount:
        return _find(self.email_accounts, account_id, errors.EMAIL_ACCOUNT_NOT_FOUND)

    def template(self, template_id: str) -> Template:
        return _find(self.templates, template_id, errors.TEMPLATE_NOT_FOUND)

    def reply(self, reply_id: str) -> InboxReply:
        return _find(self.inbox, reply_id, errors.THREAD_NOT_FOUND)

    def webhook(self, webhook_id: str) -> Webhook:
        return _find(self.webhooks, webhook_id, errors.WEBHOOK_NOT_FOUND)

    def sequence(self, campaign: Campaign, sequence_id: str) -> SequenceStep:
        return _find(campaign["sequences"], sequence_id, errors.SEQUENCE_NOT_FOUND)

    # -- campaigns ----------------------------------------------------------------------------------
    def create_campaign(self, campaign_id: str, fields: Record, now: str) -> Campaign:
        record: Record = {"id": campaign_id, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(fields[k]) for k in CAMPAIGN_SETTINGS if k in fields})
        campaign = fill_campaign(record, now)
        _check_window(campaign)
        self.campaigns.append(campaign)
        self.sender.changed(campaign_id)
        return campaign

    def update_campaign(self, campaign: Campaign, fields: Record, now: str) -> None:
        if campaign["status"] == "active":
            raise errors.bad_request(errors.EDIT_ACTIVE)
        _check_window({**campaign, **{k: fields[k] for k in CAMPAIGN_SETTINGS if k in fields}})
        _update(campaign, fields, CAMPAIGN_SETTINGS, now)
        self.sender.changed(campaign["id"])

    def delete_campaign(self, campaign: Campaign) -> None:
        if campaign["status"] != "draft":
            raise errors.bad_request(errors.ONLY_DRAFT_DELETABLE)
        self.campaigns.remove(campaign)
        self.sender.changed(campaign["id"])
        for reply in self.inbox:
            if reply["campaignId"] == campaign["id"]:
                reply["campaignId"] = None
        for lead in self.leads:
            for activity in lead["activities"]:
                if activity["campaignId"] == campaign["id"]:
                    activity["campaignId"] = None

    def start(self, campaign: Campaign, now: str) -> None:
        """draft or paused -> active; the first start stamps startedAt."""
        if campaign["status"] == "active":
            raise errors.bad_request(errors.ALREADY_ACTIVE)
        if campaign["status"] == "completed":
            raise errors.bad_request(errors.START_COMPLETED)
        if not campaign["sequences"]:
            raise errors.bad_request(errors.NO_SEQUENCE_STEPS)
        campaign["status"] = "active"
        if campaign["startedAt"] is None:
            campaign["startedAt"] = now
        campaign["updatedAt"] = now
        self.sender.changed(campaign["id"])

    def pause(self, campaign: Campaign, now: str) -> None:
        if campaign["status"] != "active":
            raise errors.bad_request(errors.ONLY_ACTIVE_PAUSABLE)
        campaign["status"] = "paused"
        campaign["updatedAt"] = now
        self.sender.changed(campaign["id"])

    def resume(self, campaign: Campaign, now: str) -> None:
        """paused -> active, on the same condition as start: at least one sequence step."""
        if campaign["status"] != "paused":
            raise errors.bad_request(errors.NOT_PAUSED)
        if not campaign["sequences"]:
            raise errors.bad_request(errors.NO_SEQUENCE_STEPS)
        campaign["status"] = "active"
        campaign["updatedAt"] = now
        self.sender.changed(campaign["id"])

    def add_leads(self, campaign: Campaign, lead_ids: list[str], now: str) -> LinkResult:
        for lead_id in lead_ids:
            self.lead(lead_id)
        self.sender.changed(campaign["id"])
        return _link(campaign, "leadIds", lead_ids, now)

    def remove_lead(self, campaign: Campaign, lead_id: str, now: str) -> None:
        self.lead(lead_id)
        if lead_id not in campaign["leadIds"]:
            raise errors.not_found(errors.LEAD_NOT_FOUND)
        _unlink(campaign, "leadIds", lead_id, now)
        self.sender.changed(campaign["id"])

    def add_accounts(self, campaign: Campaign, account_ids: list[str], now: str) -> LinkResult:
        for account_id in account_ids:
            self.email_account(account_id)
        self.sender.changed(campaign["id"])
        return _link(campaign, "accountIds", account_ids, now)

    def remove_account(self, campaign: Campaign, account_id: str, now: str) -> None:
        self.email_account(account_id)
        if account_id not in campaign["accountIds"]:
            raise errors.not_found(errors.EMAIL_ACCOUNT_NOT_FOUND)
        _unlink(campaign, "accountIds", account_id, now)
        self.sender.changed(campaign["id"])

    # -- sequences ----------------------------------------------------------------------------------
    def create_sequence(self, campaign: Campaign, step_id: str, fields: Record, now: str) -> SequenceStep:
        _check_sequence_edit(campaign, fields)
        record: Record = {"id": step_id, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(fields[k]) for k in SEQUENCE_SETTINGS if k in fields})
        steps = campaign["sequences"]
        position = min(fields.get("stepNumber", len(steps) + 1), len(steps) + 1)
        step = fill_step(record, campaign["id"], position, now)
        steps.insert(position - 1, step)
        number_steps(campaign)
        campaign["updatedAt"] = now
        self.sender.changed(campaign["id"])
        return step

    def update_sequence(self, campaign: Campaign, step: SequenceStep, fields: Record, now: str) -> None:
        _check_sequence_edit(campaign, fields)
        changes = {k: copy.deepcopy(fields[k]) for k in SEQUENCE_SETTINGS if k in fields}
        steps = campaign["sequences"]
        moved = "stepNumber" in fields  # the number itself is given by the new position (number_steps)
        if moved:
            steps.remove(step)
            steps.insert(min(fields["stepNumber"], len(steps) + 1) - 1, step)
        if changes or moved:
            loose(step).update(changes)
            step["updatedAt"] = now
            number_steps(campaign)
            campaign["updatedAt"] = now
            self.sender.changed(campaign["id"])

    def delete_sequence(self, campaign: Campaign, step: SequenceStep, now: str) -> None:
        if campaign["status"] == "active":
            raise errors.bad_request(errors.SEQUENCE_WHILE_ACTIVE)
        campaign["sequences"].remove(step)
        number_steps(campaign)
        campaign["updatedAt"] = now
        self.sender.changed(campaign["id"])

    # -- leads --------------------------------------------------------------------------------------
    def create_lead(self, lead_id: str, fields: Record, now: str) -> Lead:
        email = fields["email"]
        if any(lead["email"].lower() == email.lower() for lead in self.leads):
            raise errors.error(409, errors.DUPLICATE_LEAD)
        record: Record = {"id": lead_id, "email": email, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(fields[k]) for k in (*LEAD_SETTINGS, "source") if k in fields})
        stamp(fill(record, LEAD_DEFAULTS), now)
        lead = cast(Lead, record)  # every field is set now
        self.leads.append(lead)
        self.sender.leads_changed()
        return lead

    def update_lead(self, lead: Lead, fields: Record, now: str) -> None:
        _update(lead, fields, LEAD_SETTINGS, now)
        for campaign in self.campaigns:
            if lead["id"] in campaign["leadIds"]:
                self.sender.changed(campaign["id"])  # its status may stop or restart the lead's sequence

    def delete_lead(self, lead: Lead, now: str) -> None:
        self.leads.remove(lead)
        self.sender.leads_changed()
        for campaign in self.campaigns:
            if lead["id"] in campaign["leadIds"]:
                _unlink(campaign, "leadIds", lead["id"], now)
                self.sender.changed(campaign["id"])
        for reply in self.inbox:
            if reply["leadId"] == lead["id"]:
                reply["leadId"] = None

    # -- email accounts -----------------------------------------------------------------------------
    def delete_email_account(self, account: EmailAccount, now: str) -> None:
        """Detach the account everywhere; its replies keep the address they were received at, so they can still
        be answered (every reply names a mailbox: see `check_references`)."""
        self.email_accounts.remove(account)
        for campaign in self.campaigns:
            if account["id"] in campaign["accountIds"]:
                _unlink(campaign, "accountIds", account["id"], now)
                self.sender.changed(campaign["id"])
        for reply in self.inbox:
            if reply["accountId"] == account["id"]:
                reply["accountId"] = None
                if reply["toEmail"] is None:
                    reply["toEmail"] = account["email"]

    # -- templates ----------------------------------------------------------------------------------
    def create_template(self, template_id: str, fields: Record, now: str) -> Template:
        record: Record = {"id": template_id, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(fields[k]) for k in TEMPLATE_SETTINGS if k in fields})
        template = cast(Template, fill(record, TEMPLATE_DEFAULTS))  # every field is set now
        self.templates.append(template)
        return template

    def update_template(self, template: Template, fields: Record, now: str) -> None:
        _update(template, fields, TEMPLATE_SETTINGS, now)

    def delete_template(self, template: Template) -> None:
        self.templates.remove(template)

    # -- inbox --------------------------------------------------------------------------------------
    def update_reply(self, reply: InboxReply, fields: Record) -> None:
        loose(reply).update({k: fields[k] for k in REPLY_SETTINGS if k in fields})

    def send_answer(self, reply: InboxReply, message_id: str, body: str, subject: str | None, now: str) -> None:
        """Record an answer to the lead, sent from the mailbox that received the reply (every reply names one:
        its account, or the address it was received at)."""
        account = find_optional(self.email_accounts, reply["accountId"])
        # `toEmail` is set whenever `accountId` is not (check_references, delete_email_account).
        sender = account["email"] if account else cast(str, reply["toEmail"])
        answer: Message = {
            "id": message_id,
            "direction": "sent",
            "fromEmail": sender,
            "toEmail": reply["fromEmail"],
            "subject": subject or (f"Re: {reply['subject']}" if reply["subject"] else None),
            "body": body,
            "category": None,
            "timestamp": now,
        }
        reply["messages"] = [*thread_messages(reply), answer]
        lead = find_optional(self.leads, reply["leadId"])
        if lead is not None:
            lead["lastContactedAt"] = now

    # -- webhooks -----------------------------------------------------------------------------------
    def create_webhook(self, webhook_id: str, secret: str, fields: Record, now: str) -> Webhook:
        record: Record = {"id": webhook_id, "secret": secret, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(fields[k]) for k in WEBHOOK_SETTINGS if k in fields})
        hook = cast(Webhook, fill(record, WEBHOOK_DEFAULTS))  # every field is set now
        self.webhooks.append(hook)
        return hook

    def update_webhook(self, hook: Webhook, fields: Record, now: str) -> None:
        _update(hook, fields, WEBHOOK_SETTINGS, now)

    def delete_webhook(self, hook: Webhook) -> None:
        self.webhooks.remove(hook)


# -- helpers ------------------------------------------------------------------------------------------
def _find(records: list[_Found], record_id: str, message: str) -> _Found:
    for record in records:
        if record["id"] == record_id:
            return record
    raise errors.not_found(message)


def _update(record: StoredRecord, fields: Record, allowed: tuple[str, ...], now: str) -> None:
    changes = {k: copy.deepcopy(fields[k]) for k in allowed if k in fields}
    if changes:
        raw = loose(record)
        raw.update(changes)
        raw["updatedAt"] = now


def sending_window(campaign: Mapping[str, Any]) -> tuple[int, int]:
    """The sending hours of a campaign or a campaign seed (documented defaults for the ones left out)."""
    hours = {**CAMPAIGN_DEFAULTS, **campaign}
    return hours["sendingStartHour"], hours["sendingEndHour"]


def _check_window(campaign: Mapping[str, Any]) -> None:
    start, end = sending_window(campaign)
    if start >= end:
        raise errors.sending_window(start, end)


def _check_sequence_edit(campaign: Campaign, fields: Record) -> None:
    if campaign["status"] == "active":
        raise errors.bad_request(errors.SEQUENCE_WHILE_ACTIVE)
    for key in ("subject", "body"):
        if isinstance(fields.get(key), str) and not valid_spin(fields[key]):
            raise errors.bad_request(errors.INVALID_SPIN)


def _link(campaign: Campaign, key: _Links, ids: list[str], now: str) -> LinkResult:
    linked: list[str] = campaign[key]
    added = 0
    for record_id in ids:
        if record_id not in linked:
            linked.append(record_id)
            added += 1
    if added:
        campaign["totalLeads"] = len(campaign["leadIds"])
        campaign["updatedAt"] = now
    return LinkResult(added, len(ids) - added)


def _unlink(campaign: Campaign, key: _Links, record_id: str, now: str) -> None:
    campaign[key].remove(record_id)
    campaign["totalLeads"] = len(campaign["leadIds"])
    campaign["updatedAt"] = now


def find_optional(records: list[_Found], record_id: str | None) -> _Found | None:
    return next((r for r in records if r["id"] == record_id), None) if record_id else None


def thread_messages(reply: InboxReply) -> list[Message]:
    """The seeded conversation, or (none seeded) the reply alone, as a received message."""
    if reply.get("messages") is not None:
        return copy.deepcopy(list(reply["messages"]))
    return [
        {
            "id": reply["id"],
            "direction": "received",
            "fromEmail": reply["fromEmail"],
            "toEmail": reply["toEmail"],
            "subject": reply["subject"],
            "body": reply["body"] or reply["bodyPlain"],
            "category": reply["category"],
            "timestamp": reply["receivedAt"],
        }
    ]
