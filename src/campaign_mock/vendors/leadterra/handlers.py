"""Leadterra's ten documented operations, one async function per operationId (the engine collects every public
`async def` here by name)."""

from __future__ import annotations

from ...engine.clock import format_instant
from ...engine.vendor import Call, Reply
from .records import Lead, Webhook
from .state import LeadterraState
from .variants import CREATE_CAMPAIGN_RESPONSE, SENDER_POOLS_SHAPE, START_RESPONSE, START_WITHOUT_LEADS

LeadterraCall = Call[LeadterraState, str]  # the principal is the API key


async def list_sender_pools(call: LeadterraCall) -> Reply:
    pools = call.state.sender_pools
    shape = call.variant(SENDER_POOLS_SHAPE)
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


async def list_sender_accounts(call: LeadterraCall) -> Reply:
    return Reply(
        200,
        [
            {"id": a["id"], "email": a["email"], "name": a["name"], "status": a["status"]}
            for a in call.state.sender_accounts
        ],
    )


async def create_campaign(call: LeadterraCall) -> Reply:
    body = call.body
    campaign = call.state.create_campaign(
        call.ids.new("camp_", "ulid_lower"), body["name"], body.get("sequenceSteps", []), format_instant(call.now)
    )
    if call.variant(CREATE_CAMPAIGN_RESPONSE) == "wrapped":
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


async def bulk_enroll_leads(call: LeadterraCall) -> Reply:
    state = call.state
    campaign = state.campaign(call.path_params["id"])
    # Malformed addresses never get here: the spec's EmailAddress pattern answers them with 422.
    leads: list[Lead] = call.body["leads"]
    result = state.enrol(campaign, leads, call.context())
    return Reply(
        200,
        {
            "enrolled": result.enrolled,
            "updated": result.updated,
            "skipped": result.skipped,
            "total": result.enrolled + result.updated,
        },
    )


async def start_campaign(call: LeadterraCall) -> Reply:
    state = call.state
    campaign = state.campaign(call.path_params["id"])
    allow_empty = call.variant(START_WITHOUT_LEADS) == "queue_nothing"
    queued = state.start(campaign, call.context(), allow_empty)
    if call.variant(START_RESPONSE) == "wrapped":
        return Reply(
            200,
            {
                "campaign": {
                    "id": campaign["id"],
                    "status": campaign["status"],
                    "startedAt": campaign["startedAt"],
                    "leadsEnrolled": len(campaign["leads"]),
                    "queuedMessages": queued,
                }
            },
        )
    return Reply(200, {"id": campaign["id"], "status": campaign["status"], "startedAt": campaign["startedAt"]})


async def pause_campaign(call: LeadterraCall) -> Reply:
    state = call.state
    campaign = state.campaign(call.path_params["id"])
    state.pause(campaign, format_instant(call.now))
    return Reply(200, {"id": campaign["id"], "status": campaign["status"], "pausedAt": campaign["pausedAt"]})


async def get_campaign_stats(call: LeadterraCall) -> Reply:
    state = call.state
    return Reply(200, state.stats(state.campaign(call.path_params["id"])))


async def list_replies(call: LeadterraCall) -> Reply:
    replies = call.state.replies_for(call.query.get("campaignId"))
    return Reply(
        200,
        [
            {k: r[k] for k in ("id", "email", "campaignId", "classification", "receivedAt", "threadSnippet")}
            for r in replies
        ],
    )


async def add_to_suppression_list(call: LeadterraCall) -> Reply:
    state = call.state
    emails: list[str] = call.body["emails"]
    return Reply(200, {"suppressed": state.suppress(emails)})


async def create_webhook(call: LeadterraCall) -> Reply:
    hook: Webhook = {
        "id": call.ids.new("wh_", "ulid"),
        "url": call.body["url"],
        "events": list(call.body["events"]),
        "status": "active",
        "createdAt": format_instant(call.now),
        "secret": call.ids.new("whsec_", "token", 32),
    }
    call.state.webhooks.append(hook)
    shown = {k: v for k, v in hook.items() if k != "secret"}  # Leadterra never shows a signing secret
    return Reply(201, shown)
