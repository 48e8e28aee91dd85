"""FoxReach's 44 documented operations, one async function per operationId.

Handlers stay thin: look the records up, apply the rule from `state.py`, and wrap the answer the way FoxReach
does (`{"data": ...}`, plus `meta` for paginated lists). Ids come from the session's id factory and times from
its clock, so a frozen clock makes every answer reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...engine.pagination import paginate
from ...engine.service import Call, Handler, Reply
from . import errors
from .records import (
    WEBHOOK_EVENTS,
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

# The spec's `pageSize` default (components.parameters.PageSize); handlers cannot read parameter defaults from
# the spec, so this is the one copy, and test_foxreach_vendor holds the two together.
DEFAULT_PAGE_SIZE = 20


def _state(call: Call) -> FoxReachState:
    state: FoxReachState = call.state
    return state


def _now(call: Call) -> str:
    return naive(call.now())


def _data(value: Any, status: int = 200) -> Reply:
    return Reply(status, {"data": value})


def _page(call: Call, records: list[Record], view: Callable[[Record], Record]) -> Reply:
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


def _campaign(call: Call) -> Record:
    return _state(call).campaign(call.path_params["campaign_id"])


# -- campaigns --------------------------------------------------------------------------------------
async def list_campaigns(call: Call) -> Reply:
    status = call.query.get("status")
    found = [c for c in _state(call).campaigns if status is None or c["status"] == status]
    return _page(call, found, campaign_view)


async def create_campaign(call: Call) -> Reply:
    campaign = _state(call).create_campaign(call.ids.new("cmp_"), call.body, _now(call))
    return _data(campaign_view(campaign), 201)


async def get_campaign(call: Call) -> Reply:
    return _data(campaign_view(_campaign(call)))


async def update_campaign(call: Call) -> Reply:
    campaign = _campaign(call)
    _state(call).update_campaign(campaign, call.body, _now(call))
    return _data(campaign_view(campaign))


async def delete_campaign(call: Call) -> Reply:
    campaign = _campaign(call)
    _state(call).delete_campaign(campaign)
    return _deleted(campaign["id"])


async def start_campaign(call: Call) -> Reply:
    campaign = _campaign(call)
    _state(call).start(campaign, _now(call))
    return _data(campaign_view(campaign))


async def pause_campaign(call: Call) -> Reply:
    campaign = _campaign(call)
    _state(call).pause(campaign, _now(call))
    return _data(campaign_view(campaign))


async def resume_campaign(call: Call) -> Reply:
    campaign = _campaign(call)
    _state(call).resume(campaign, _now(call))
    return _data(campaign_view(campaign))


async def add_campaign_leads(call: Call) -> Reply:
    campaign = _campaign(call)
    result = _state(call).add_leads(campaign, call.body["leadIds"], _now(call))
    return _data({"campaignId": campaign["id"], "added": result.added, "skipped": result.skipped})


async def remove_campaign_lead(call: Call) -> Reply:
    campaign = _campaign(call)
    lead_id = call.path_params["lead_id"]
    _state(call).remove_lead(campaign, lead_id, _now(call))
    return _data({"id": lead_id, "campaignId": campaign["id"], "removed": True})


async def add_campaign_accounts(call: Call) -> Reply:
    campaign = _campaign(call)
    result = _state(call).add_accounts(campaign, call.body["accountIds"], _now(call))
    return _data({"campaignId": campaign["id"], "added": result.added, "skipped": result.skipped})


async def remove_campaign_account(call: Call) -> Reply:
    campaign = _campaign(call)
    account_id = call.path_params["account_id"]
    _state(call).remove_account(campaign, account_id, _now(call))
    return _data({"id": account_id, "campaignId": campaign["id"], "removed": True})


# -- sequences --------------------------------------------------------------------------------------
async def list_sequences(call: Call) -> Reply:
    return _data([sequence_view(s) for s in _campaign(call)["sequences"]])


async def create_sequence(call: Call) -> Reply:
    campaign = _campaign(call)
    step = _state(call).create_sequence(campaign, call.ids.new("seq_"), call.body, _now(call))
    return _data(sequence_view(step), 201)


async def update_sequence(call: Call) -> Reply:
    state, campaign = _state(call), _campaign(call)
    step = state.sequence(campaign, call.path_params["sequence_id"])
    state.update_sequence(campaign, step, call.body, _now(call))
    return _data(sequence_view(step))


async def delete_sequence(call: Call) -> Reply:
    state, campaign = _state(call), _campaign(call)
    step = state.sequence(campaign, call.path_params["sequence_id"])
    state.delete_sequence(campaign, step, _now(call))
    return _deleted(step["id"])


# -- leads ------------------------------------------------------------------------------------------
async def list_leads(call: Call) -> Reply:
    q = call.query
    return _page(call, _state(call).find_leads(q.get("search"), q.get("status"), q.get("tags")), lead_view)


async def create_lead(call: Call) -> Reply:
    lead = _state(call).create_lead(call.ids.new("cld_"), call.body, _now(call))
    return _data(lead_view(lead), 201)


async def get_lead(call: Call) -> Reply:
    return _data(lead_view(_state(call).lead(call.path_params["lead_id"])))


async def update_lead(call: Call) -> Reply:
    state = _state(call)
    lead = state.lead(call.path_params["lead_id"])
    state.update_lead(lead, call.body, _now(call))
    return _data(lead_view(lead))


async def delete_lead(call: Call) -> Reply:
    state = _state(call)
    lead = state.lead(call.path_params["lead_id"])
    state.delete_lead(lead, _now(call))
    return _deleted(lead["id"])


async def get_lead_activity(call: Call) -> Reply:
    state = _state(call)
    return _data(state.lead_activity(state.lead(call.path_params["lead_id"])))


# -- email accounts ---------------------------------------------------------------------------------
async def list_email_accounts(call: Call) -> Reply:
    return _page(call, _state(call).email_accounts, account_view)


async def get_email_account(call: Call) -> Reply:
    return _data(account_view(_state(call).email_account(call.path_params["account_id"])))


async def delete_email_account(call: Call) -> Reply:
    state = _state(call)
    account = state.email_account(call.path_params["account_id"])
    state.delete_email_account(account, _now(call))
    return _deleted(account["id"])


# -- templates --------------------------------------------------------------------------------------
async def list_templates(call: Call) -> Reply:
    return _page(call, _state(call).templates, template_view)


async def create_template(call: Call) -> Reply:
    template = _state(call).create_template(call.ids.new("tpl_"), call.body, _now(call))
    return _data(template_view(template), 201)


async def get_template(call: Call) -> Reply:
    return _data(template_view(_state(call).template(call.path_params["template_id"])))


async def update_template(call: Call) -> Reply:
    state = _state(call)
    template = state.template(call.path_params["template_id"])
    state.update_template(template, call.body, _now(call))
    return _data(template_view(template))


async def delete_template(call: Call) -> Reply:
    state = _state(call)
    template = state.template(call.path_params["template_id"])
    state.delete_template(template)
    return _deleted(template["id"])


# -- inbox ------------------------------------------------------------------------------------------
async def list_inbox_threads(call: Call) -> Reply:
    return _page(call, _state(call).find_replies(call.query), reply_view)


async def get_inbox_stats(call: Call) -> Reply:
    return _data(_state(call).inbox_stats())


async def get_inbox_reply(call: Call) -> Reply:
    return _data(reply_view(_state(call).reply(call.path_params["reply_id"])))


async def update_inbox_reply(call: Call) -> Reply:
    state = _state(call)
    reply = state.reply(call.path_params["reply_id"])
    state.update_reply(reply, call.body)
    return _data(reply_view(reply))


async def update_inbox_thread(call: Call) -> Reply:
    return await update_inbox_reply(call)


async def get_inbox_conversation(call: Call) -> Reply:
    state = _state(call)
    return _data(state.conversation(state.reply(call.path_params["reply_id"])))


async def reply_to_inbox_thread(call: Call) -> Reply:
    state = _state(call)
    reply = state.reply(call.path_params["reply_id"])
    body = call.body.get("body") if isinstance(call.body, dict) else None
    if not body or not body.strip():
        raise errors.bad_request(errors.REPLY_BODY_REQUIRED)
    message_id = call.ids.new("cel_")
    state.send_answer(reply, message_id, body, call.body.get("subject"), _now(call))
    return _data({"success": True, "messageId": message_id_header(message_id)})


# -- analytics --------------------------------------------------------------------------------------
async def get_analytics_overview(call: Call) -> Reply:
    return _data(_state(call).overview())


async def get_campaign_analytics(call: Call) -> Reply:
    return _data(_state(call).campaign_analytics(_campaign(call)))


# -- webhooks ---------------------------------------------------------------------------------------
async def list_webhook_events(call: Call) -> Reply:
    return _data(list(WEBHOOK_EVENTS))


async def list_webhooks(call: Call) -> Reply:
    return _page(call, _state(call).webhooks, webhook_view)


async def create_webhook(call: Call) -> Reply:
    hook = _state(call).create_webhook(call.ids.new("cwh_"), call.ids.new("whsec_", "token", 32), call.body, _now(call))
    return _data(webhook_view(hook, with_secret=True), 201)


async def update_webhook(call: Call) -> Reply:
    state = _state(call)
    hook = state.webhook(call.path_params["webhook_id"])
    state.update_webhook(hook, call.body, _now(call))
    return _data(webhook_view(hook))


async def delete_webhook(call: Call) -> Reply:
    state = _state(call)
    hook = state.webhook(call.path_params["webhook_id"])
    state.delete_webhook(hook)
    return _deleted(hook["id"])


HANDLERS: dict[str, Handler] = {
    fn.__name__: fn
    for fn in (
        list_campaigns,
        create_campaign,
        get_campaign,
        update_campaign,
        delete_campaign,
        start_campaign,
        pause_campaign,
        resume_campaign,
        add_campaign_leads,
        remove_campaign_lead,
        add_campaign_accounts,
        remove_campaign_account,
        list_sequences,
        create_sequence,
        update_sequence,
        delete_sequence,
        list_leads,
        create_lead,
        get_lead,
        update_lead,
        delete_lead,
        get_lead_activity,
        list_email_accounts,
        get_email_account,
        delete_email_account,
        list_templates,
        create_template,
        get_template,
        update_template,
        delete_template,
        list_inbox_threads,
        get_inbox_stats,
        get_inbox_reply,
        update_inbox_reply,
        update_inbox_thread,
        get_inbox_conversation,
        reply_to_inbox_thread,
        get_analytics_overview,
        get_campaign_analytics,
        list_webhook_events,
        list_webhooks,
        create_webhook,
        update_webhook,
        delete_webhook,
    )
}
