"""FoxReach's 44 documented operations, one async function per operationId.

Handlers stay thin: look the records up, apply the rule from `state.py`, and wrap the answer the way FoxReach
does (`{"data": ...}`, plus `meta` for paginated lists). Ids come from the session's id factory and times from
its clock, so a frozen clock makes every answer reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ...engine.pagination import paginate
from ...engine.vendor import Call, Reply
from . import errors, events, views
from .records import (
    WEBHOOK_EVENTS,
    Campaign,
    Record,
    account_view,
    campaign_view,
    lead_view,
    message_id_header,
    naive,
    reply_view,
    sequence_view,
    template_view,
    webhook_view,
)
from .state import FoxReachState

FoxReachCall = Call[FoxReachState, str]  # the principal is the API key
_Listed = TypeVar("_Listed")  # a stored record of a paginated list

# The spec's `pageSize` default (components.parameters.PageSize); handlers cannot read parameter defaults from
# the spec, so this is the one copy, and test_foxreach_vendor holds the two together.
DEFAULT_PAGE_SIZE = 20


def _now(call: FoxReachCall) -> str:
    return naive(call.now)


def _data(value: Any, status: int = 200) -> Reply:
    return Reply(status, {"data": value})


def _page(call: FoxReachCall, records: Sequence[_Listed], view: Callable[[_Listed], Record]) -> Reply:
    page = paginate(records, call.query.get("page", 1), call.query.get("pageSize", DEFAULT_PAGE_SIZE))
    return Reply(
        200,
        {
            "data": [view(r) for r in page.items],
            "meta": {
                "page": page.page,
                "pageSize": page.page_size,
                "total": page.total,
                "totalPages": page.total_pages,
            },
        },
    )


def _deleted(record_id: str) -> Reply:
    return _data({"id": record_id, "deleted": True})


def _campaign(call: FoxReachCall) -> Campaign:
    return call.state.campaign(call.path_params["campaign_id"])


# -- campaigns --------------------------------------------------------------------------------------
async def list_campaigns(call: FoxReachCall) -> Reply:
    status = call.query.get("status")
    found = [c for c in call.state.campaigns if status is None or c["status"] == status]
    return _page(call, found, campaign_view)


async def create_campaign(call: FoxReachCall) -> Reply:
    campaign = call.state.create_campaign(call.ids.new("cmp_"), call.body, _now(call))
    return _data(campaign_view(campaign), 201)


async def get_campaign(call: FoxReachCall) -> Reply:
    return _data(campaign_view(_campaign(call)))


async def update_campaign(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    call.state.update_campaign(campaign, call.body, _now(call))
    return _data(campaign_view(campaign))


async def delete_campaign(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    call.state.delete_campaign(campaign)
    return _deleted(campaign["id"])


def _started(call: FoxReachCall, campaign: Campaign) -> Reply:
    """The campaign turned active (start or resume): `campaign.started`, and the answer."""
    events.emit(call.emit, call.state.webhooks, "campaign.started", call.now, events.campaign_data(campaign))
    return _data(campaign_view(campaign))


async def start_campaign(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    call.state.start(campaign, _now(call))
    return _started(call, campaign)


async def pause_campaign(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    call.state.pause(campaign, _now(call))
    return _data(campaign_view(campaign))


async def resume_campaign(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    call.state.resume(campaign, _now(call))
    return _started(call, campaign)


async def add_campaign_leads(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    result = call.state.add_leads(campaign, call.body["leadIds"], _now(call))
    return _data({"campaignId": campaign["id"], "added": result.added, "skipped": result.skipped})


async def remove_campaign_lead(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    lead_id = call.path_params["lead_id"]
    call.state.remove_lead(campaign, lead_id, _now(call))
    return _data({"id": lead_id, "campaignId": campaign["id"], "removed": True})


async def add_campaign_accounts(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    result = call.state.add_accounts(campaign, call.body["accountIds"], _now(call))
    return _data({"campaignId": campaign["id"], "added": result.added, "skipped": result.skipped})


async def remove_campaign_account(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    account_id = call.path_params["account_id"]
    call.state.remove_account(campaign, account_id, _now(call))
    return _data({"id": account_id, "campaignId": campaign["id"], "removed": True})


# -- sequences --------------------------------------------------------------------------------------
async def list_sequences(call: FoxReachCall) -> Reply:
    return _data([sequence_view(s) for s in _campaign(call)["sequences"]])


async def create_sequence(call: FoxReachCall) -> Reply:
    campaign = _campaign(call)
    step = call.state.create_sequence(campaign, call.ids.new("seq_"), call.body, _now(call))
    return _data(sequence_view(step), 201)


async def update_sequence(call: FoxReachCall) -> Reply:
    state, campaign = call.state, _campaign(call)
    step = state.sequence(campaign, call.path_params["sequence_id"])
    state.update_sequence(campaign, step, call.body, _now(call))
    return _data(sequence_view(step))


async def delete_sequence(call: FoxReachCall) -> Reply:
    state, campaign = call.state, _campaign(call)
    step = state.sequence(campaign, call.path_params["sequence_id"])
    state.delete_sequence(campaign, step, _now(call))
    return _deleted(step["id"])


# -- leads ------------------------------------------------------------------------------------------
async def list_leads(call: FoxReachCall) -> Reply:
    q = call.query
    return _page(call, views.find_leads(call.state, q.get("search"), q.get("status"), q.get("tags")), lead_view)


async def create_lead(call: FoxReachCall) -> Reply:
    lead = call.state.create_lead(call.ids.new("cld_"), call.body, _now(call))
    view = lead_view(lead)
    events.emit(call.emit, call.state.webhooks, "lead.created", call.now, view)
    return _data(view, 201)


async def get_lead(call: FoxReachCall) -> Reply:
    return _data(lead_view(call.state.lead(call.path_params["lead_id"])))


async def update_lead(call: FoxReachCall) -> Reply:
    state = call.state
    lead = state.lead(call.path_params["lead_id"])
    state.update_lead(lead, call.body, _now(call))
    return _data(lead_view(lead))


async def delete_lead(call: FoxReachCall) -> Reply:
    state = call.state
    lead = state.lead(call.path_params["lead_id"])
    state.delete_lead(lead, _now(call))
    return _deleted(lead["id"])


async def get_lead_activity(call: FoxReachCall) -> Reply:
    state = call.state
    return _data(views.lead_activity(state, state.lead(call.path_params["lead_id"])))


# -- email accounts ---------------------------------------------------------------------------------
async def list_email_accounts(call: FoxReachCall) -> Reply:
    return _page(call, call.state.email_accounts, account_view)


async def get_email_account(call: FoxReachCall) -> Reply:
    return _data(account_view(call.state.email_account(call.path_params["account_id"])))


async def delete_email_account(call: FoxReachCall) -> Reply:
    state = call.state
    account = state.email_account(call.path_params["account_id"])
    state.delete_email_account(account, _now(call))
    return _deleted(account["id"])


# -- templates --------------------------------------------------------------------------------------
async def list_templates(call: FoxReachCall) -> Reply:
    return _page(call, call.state.templates, template_view)


async def create_template(call: FoxReachCall) -> Reply:
    template = call.state.create_template(call.ids.new("tpl_"), call.body, _now(call))
    return _data(template_view(template), 201)


async def get_template(call: FoxReachCall) -> Reply:
    return _data(template_view(call.state.template(call.path_params["template_id"])))


async def update_template(call: FoxReachCall) -> Reply:
    state = call.state
    template = state.template(call.path_params["template_id"])
    state.update_template(template, call.body, _now(call))
    return _data(template_view(template))


async def delete_template(call: FoxReachCall) -> Reply:
    state = call.state
    template = state.template(call.path_params["template_id"])
    state.delete_template(template)
    return _deleted(template["id"])


# -- inbox ------------------------------------------------------------------------------------------
async def list_inbox_threads(call: FoxReachCall) -> Reply:
    return _page(call, views.find_replies(call.state, call.query), reply_view)


async def get_inbox_stats(call: FoxReachCall) -> Reply:
    return _data(
        views.inbox_stats(
            call.state,
        )
    )


async def get_inbox_reply(call: FoxReachCall) -> Reply:
    return _data(reply_view(call.state.reply(call.path_params["reply_id"])))


async def update_inbox_reply(call: FoxReachCall) -> Reply:
    state = call.state
    reply = state.reply(call.path_params["reply_id"])
    previous = reply["category"]
    state.update_reply(reply, call.body)
    if reply["category"] != previous:
        data = {"replyId": events.webhook_reply_id(reply["id"]), "category": reply["category"]}
        events.emit(call.emit, state.webhooks, "reply.categorized", call.now, {**data, "previousCategory": previous})
    return _data(reply_view(reply))


async def update_inbox_thread(call: FoxReachCall) -> Reply:
    return await update_inbox_reply(call)


async def get_inbox_conversation(call: FoxReachCall) -> Reply:
    state = call.state
    return _data(views.conversation(state, state.reply(call.path_params["reply_id"])))


async def reply_to_inbox_thread(call: FoxReachCall) -> Reply:
    state = call.state
    reply = state.reply(call.path_params["reply_id"])
    body = call.body.get("body") if isinstance(call.body, dict) else None
    if not body or not body.strip():
        raise errors.bad_request(errors.REPLY_BODY_REQUIRED)
    message_id = call.ids.new("cel_")
    state.send_answer(reply, message_id, body, call.body.get("subject"), _now(call))
    return _data({"success": True, "messageId": message_id_header(message_id)})


# -- analytics --------------------------------------------------------------------------------------
async def get_analytics_overview(call: FoxReachCall) -> Reply:
    return _data(
        views.overview(
            call.state,
        )
    )


async def get_campaign_analytics(call: FoxReachCall) -> Reply:
    return _data(views.campaign_analytics(call.state, _campaign(call)))


# -- webhooks ---------------------------------------------------------------------------------------
async def list_webhook_events(call: FoxReachCall) -> Reply:
    return _data(list(WEBHOOK_EVENTS))


async def list_webhooks(call: FoxReachCall) -> Reply:
    return _page(call, call.state.webhooks, webhook_view)


async def create_webhook(call: FoxReachCall) -> Reply:
    hook = call.state.create_webhook(call.ids.new("cwh_"), call.ids.new("whsec_", "token", 32), call.body, _now(call))
    return _data(webhook_view(hook, with_secret=True), 201)


async def update_webhook(call: FoxReachCall) -> Reply:
    state = call.state
    hook = state.webhook(call.path_params["webhook_id"])
    state.update_webhook(hook, call.body, _now(call))
    return _data(webhook_view(hook))


async def delete_webhook(call: FoxReachCall) -> Reply:
    state = call.state
    hook = state.webhook(call.path_params["webhook_id"])
    state.delete_webhook(hook)
    return _deleted(hook["id"])
