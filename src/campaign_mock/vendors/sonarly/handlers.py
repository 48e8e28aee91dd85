"""Sonarly's 14 documented operations, one async function per operationId.

Every operation goes through `_operation`, which does what every Sonarly route shares: it checks the key's
permission (the operation's `x-permission`) and its access to the account group in the path, both 403, and wraps
the answer in the envelope `{success, data, error, traceId}` with the session's next traceId (an error raised on
the way carries that traceId too). The handlers themselves look records up, apply the rule from `state.py` and
return the `data` part.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ...engine.errors import ApiError
from ...engine.vendor import Call, Reply
from . import errors, views
from .state import Record, SonarlyState, stamp
from .variants import ACCOUNTS_LIST_SHAPE, DELETE_STARTED


@dataclass(frozen=True)
class Principal:
    """The calling key: what it may do, and the account groups it may reach (in its record's order)."""

    key: str
    permissions: frozenset[str]
    account_groups: tuple[str, ...]


SonarlyCall = Call[SonarlyState, Principal]
Handler = Callable[[SonarlyCall], Awaitable[Reply]]


def _operation(handler: Handler) -> Handler:
    """The permission and account-group checks, then the envelope (see the module docstring)."""

    @functools.wraps(handler)
    async def serve(call: SonarlyCall) -> Reply:
        trace = errors.trace_id(call.ids)
        try:
            _check_access(call)
            reply = await handler(call)
        except ApiError as error:
            error.details["traceId"] = trace
            raise
        reply.body = {"success": True, "data": reply.body, "error": None, "traceId": trace}
        return reply

    return serve


def _check_access(call: SonarlyCall) -> None:
    permission = call.operation.extensions.get("x-permission")
    principal = call.principal
    if isinstance(permission, str) and permission not in principal.permissions:
        raise errors.missing_permission(permission)
    group_id = call.path_params.get("accountGroupId")
    if group_id is not None and (group_id not in principal.account_groups or call.state.group(group_id) is None):
        raise errors.forbidden(group_id)


def _group(call: SonarlyCall) -> Record:
    group = call.state.group(call.path_params["accountGroupId"])
    assert group is not None  # _check_access refused a group that does not exist
    return group


def _campaign(call: SonarlyCall) -> tuple[Record, Record]:
    group = _group(call)
    return group, call.state.campaign(group, call.path_params["campaignId"])


def _now(call: SonarlyCall) -> str:
    return stamp(call.now)


# -- accounts ---------------------------------------------------------------------------------------------
@_operation
async def list_accounts(call: SonarlyCall) -> Reply:
    groups = [g for g in map(call.state.group, call.principal.account_groups) if g is not None]
    data: Record = {"items": [views.account_view(g) for g in groups]}
    if call.variant(ACCOUNTS_LIST_SHAPE) == "paginated":
        data.update(nextCursor=None, hasMore=False)
    return Reply(200, data)


# -- audiences --------------------------------------------------------------------------------------------
@_operation
async def list_audiences(call: SonarlyCall) -> Reply:
    group = _group(call)
    counts = views.prospect_counts(group)
    ready = call.state.ready_audiences(group)
    limit = call.query.get("limit", views.DEFAULT_LIMIT)
    return Reply(200, views.page(ready, call.query.get("cursor"), limit, lambda a: views.audience_view(a, counts)))


@_operation
async def create_audience(call: SonarlyCall) -> Reply:
    group = _group(call)
    audience = call.state.create_audience(group, errors.object_id(call.ids, "audience"), call.body, _now(call))
    return Reply(201, views.audience_view(audience, views.prospect_counts(group)))


@_operation
async def get_audience_navigation(call: SonarlyCall) -> Reply:
    group = _group(call)
    return Reply(200, views.navigation(group, call.state.ready_audiences(group)))


@_operation
async def list_audience_prospects(call: SonarlyCall) -> Reply:
    group = _group(call)
    cursor = call.query.get("cursor")
    if cursor is not None:
        views.decode_cursor(cursor)  # an unreadable cursor is a malformed request: 400 before the 404
    state = call.state
    audience = state.audience(group, call.path_params["audienceId"])
    if audience["filling"]:
        raise errors.audience_not_ready(audience["id"])
    prospects = state.prospects_of(group, audience["id"])
    limit = call.query.get("limit", views.DEFAULT_LIMIT)
    return Reply(200, views.page(prospects, cursor, limit, views.prospect_view))


@_operation
async def get_prospect_signals(call: SonarlyCall) -> Reply:
    prospect = call.state.prospect(_group(call), call.path_params["prospectId"])
    return Reply(200, views.signals_view(prospect, call.query.get("minScore")))


# -- campaigns --------------------------------------------------------------------------------------------
@_operation
async def list_campaigns(call: SonarlyCall) -> Reply:
    campaigns = views.newest_first(_group(call)["campaigns"])
    return Reply(200, {"items": [views.campaign_view(c) for c in campaigns]})


@_operation
async def create_campaign(call: SonarlyCall) -> Reply:
    group = _group(call)
    campaign = call.state.create_campaign(group, errors.object_id(call.ids, "campaign"), call.body, _now(call))
    return Reply(201, views.campaign_view(campaign))


@_operation
async def duplicate_campaign(call: SonarlyCall) -> Reply:
    group, source = _campaign(call)
    new_id = errors.object_id(call.ids, "campaign")
    campaign = call.state.duplicate_campaign(group, source, new_id, call.body, _now(call))
    return Reply(201, views.campaign_view(campaign))


@_operation
async def get_campaign(call: SonarlyCall) -> Reply:
    _, campaign = _campaign(call)
    return Reply(200, views.campaign_view(campaign))


@_operation
async def delete_campaign(call: SonarlyCall) -> Reply:
    group, campaign = _campaign(call)
    call.state.delete_campaign(group, campaign, call.variant(DELETE_STARTED) == "deleted")
    return Reply(200, {"deleted": True})


@_operation
async def list_campaign_content_slots(call: SonarlyCall) -> Reply:
    _, campaign = _campaign(call)
    slots = sorted(campaign["contentSlots"], key=lambda s: (s["position"], s["id"]))
    return Reply(200, {"items": [views.slot_view(s) for s in slots]})


@_operation
async def update_campaign_content_slot(call: SonarlyCall) -> Reply:
    group, campaign = _campaign(call)
    slot = call.state.update_slot(group, campaign, call.path_params["slotId"], call.body["templateId"], _now(call))
    return Reply(200, views.slot_view(slot))


@_operation
async def start_campaign(call: SonarlyCall) -> Reply:
    group, campaign = _campaign(call)
    created = call.state.start(group, campaign, call.now)
    return Reply(200, {"campaign": views.campaign_view(campaign), "triggered": True, "instancesCreated": created})
