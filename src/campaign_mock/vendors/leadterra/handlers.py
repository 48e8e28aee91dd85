"""Leadterra's ten documented operations, one async function per operationId."""

from __future__ import annotations

from typing import Any

from ...engine.clock import format_instant
from ...engine.service import Call, Reply
from .state import LeadterraState


def _state(call: Call) -> LeadterraState:
    state: LeadterraState = call.state
    return state


async def list_sender_pools(call: Call) -> Reply:
    _state(call).refresh_pools(call.now())
    pools = _state(call).sender_pools
    shape = call.variant("leadterra.sender_pools_shape")
    if shape == "pools":
        return Reply(
            200,
            {
                "pools": [
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "senderCount": len(p["senderAccountIds"]),
                        "dailyCapacity": p["dailyCapacity"],
                        "remainingVolume": p["remainingVolume"],
                    }
                    for p in pools
                ]
            },
        )
    if shape == "senderPools":
        return Reply(
            200,
            {
                "senderPools": [
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "dailyCapacity": p["dailyCapacity"],
                        "remainingToday": p["remainingVolume"],
                        "senderCount": len(p["senderAccountIds"]),
                    }
                    for p in pools
                ]
            },
        )
    return Reply(
        200,
        [
            {
                "id": p["id"],
                "name": p["name"],
                "dailyCapacity": p["dailyCapacity"],
                "remainingVolume": p["remainingVolume"],
                "senderAccountIds": list(p["senderAccountIds"]),
            }
            for p in pools
        ],
    )


async def list_sender_accounts(call: Call) -> Reply:
    return Reply(
        200,
        [
            {"id": a["id"], "email": a["email"], "name": a["name"], "status": a["status"]}
            for a in _state(call).sender_accounts
        ],
    )


async def create_campaign(call: Call) -> Reply:
    body = call.body
    campaign = _state(call).create_campaign(
        call.ids.new("camp_", "ulid_lower"), body["name"], body.get("sequenceSteps", []), format_instant(call.now())
    )
    if call.variant("leadterra.create_campaign_response") == "wrapped":
        return Reply(
            201,
            {
                "campaign": {
                    "id": campaign["id"],
                    "name": campaign["name"],
                    "status": campaign["status"],
                    "stepCount": len(campaign["sequenceSteps"]),
                    "createdAt": campaign["createdAt"],
                }
            },
        )
    return Reply(
        201,
        {
            "id": campaign["id"],
            "name": campaign["name"],
            "status": campaign["status"],
            "sequenceSteps": campaign["sequenceSteps"],
            "createdAt": campaign["createdAt"],
        },
    )


async def bulk_enroll_leads(call: Call) -> Reply:
    state = _state(call)
    campaign = state.campaign(call.path_params["id"])
    state.refresh_pools(call.now())
    # Malformed addresses never get here: the spec's EmailAddress pattern answers them with 422.
    leads: list[dict[str, Any]] = call.body["leads"]
    result = state.enrol(campaign, leads)
    return Reply(
        200,
        {
            "enrolled": result.enrolled,
            "updated": result.updated,
            "skipped": result.skipped,
            "total": result.enrolled + result.updated,
        },
    )


async def start_campaign(call: Call) -> Reply:
    state = _state(call)
    campaign = state.campaign(call.path_params["id"])
    allow_empty = call.variant("leadterra.start_without_leads") == "queue_nothing"
    state.refresh_pools(call.now())
    state.start(campaign, format_instant(call.now()), allow_empty)
    if call.variant("leadterra.start_response") == "wrapped":
        return Reply(
            200,
            {
                "campaign": {
                    "id": campaign["id"],
                    "status": campaign["status"],
                    "startedAt": campaign["startedAt"],
                    "leadsEnrolled": len(campaign["leads"]),
                    "queuedMessages": campaign["stats"]["queued"],
                }
            },
        )
    return Reply(200, {"id": campaign["id"], "status": campaign["status"], "startedAt": campaign["startedAt"]})


async def pause_campaign(call: Call) -> Reply:
    state = _state(call)
    campaign = state.campaign(call.path_params["id"])
    state.pause(campaign, format_instant(call.now()))
    return Reply(200, {"id": campaign["id"], "status": campaign["status"], "pausedAt": campaign["pausedAt"]})


async def get_campaign_stats(call: Call) -> Reply:
    state = _state(call)
    return Reply(200, state.stats(state.campaign(call.path_params["id"])))


async def list_replies(call: Call) -> Reply:
    replies = _state(call).replies_for(call.query.get("campaignId"))
    return Reply(
        200,
        [
            {k: r[k] for k in ("id", "email", "campaignId", "classification", "receivedAt", "threadSnippet")}
            for r in replies
        ],
    )


async def add_to_suppression_list(call: Call) -> Reply:
    state = _state(call)
    emails: list[str] = call.body["emails"]
    return Reply(200, {"suppressed": state.suppress(emails)})


async def create_webhook(call: Call) -> Reply:
    hook = {
        "id": call.ids.new("wh_", "ulid"),
        "url": call.body["url"],
        "events": list(call.body["events"]),
        "status": "active",
        "createdAt": format_instant(call.now()),
    }
    _state(call).webhooks.append(hook)
    return Reply(201, dict(hook))


HANDLERS = {
    fn.__name__: fn
    for fn in (
        list_sender_pools,
        list_sender_accounts,
        create_campaign,
        bulk_enroll_leads,
        start_campaign,
        pause_campaign,
        get_campaign_stats,
        list_replies,
        add_to_suppression_list,
        create_webhook,
    )
}
