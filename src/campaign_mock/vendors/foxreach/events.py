"""FoxReach's outbound webhook events: the documented envelope, and who receives it.

Every event goes to each webhook that is active (`isActive`) and subscribed to it, as
`{"event": name, "timestamp": "2025-01-15T10:30:00Z", "data": {...}}` (the one FoxReach timestamp with a `Z`).
The engine signs (`X-FoxReach-Signature`, HMAC-SHA256 of the raw body with the secret returned on create),
delivers and retries; a webhook's `lastDeliveredAt` and `consecutiveFailures` are not fed back from those
deliveries and keep the values they were seeded with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ...engine.clock import format_instant
from ...engine.events import EventSink, WebhookEvent
from .records import Record, Webhook
from .records import WebhookEvent as EventName

VENDOR_NAME = "foxreach"


def emit(sink: EventSink, hooks: Iterable[Webhook], event: EventName, at: datetime, data: Record) -> None:
    """Hand `event` to the engine once for every active webhook subscribed to it (`data` is freshly built by the
    caller and only read afterwards: each body gets its own top level)."""
    for hook in hooks:
        if hook["isActive"] and event in hook["events"]:
            body = {"event": event, "timestamp": format_instant(at), "data": copy.copy(data)}
            sink(WebhookEvent(VENDOR_NAME, hook["id"], hook["url"], hook["secret"], event, at, body))


def email_data(activity: Mapping[str, Any], lead_id: str, to_email: str) -> Record:
    """`email.sent`, `email.opened` and `email.bounced` (which adds `bounceType`) describe the email this way."""
    return {
        "emailLogId": activity["id"],
        "campaignId": activity["campaignId"],
        "leadId": lead_id,
        "toEmail": to_email,
        "fromEmail": activity.get("fromEmail"),
        "subject": activity["subject"],
        "sequenceStep": activity["sequenceStep"],
    }


def reply_data(reply: Mapping[str, Any]) -> Record:
    """`reply.received`: the webhook names the reply `crp_…` (the inbox calls it `rpl_…`); both share one tail,
    so `crp_X` is the inbox reply `rpl_X`."""
    return {
        "replyId": webhook_reply_id(reply["id"]),
        "campaignId": reply["campaignId"],
        "leadId": reply["leadId"],
        "fromEmail": reply["fromEmail"],
        "subject": reply["subject"],
        "bodyPreview": reply["bodyPreview"],
    }


def webhook_reply_id(reply_id: str) -> str:
    return "crp_" + reply_id.removeprefix("rpl_")


def campaign_data(campaign: Mapping[str, Any]) -> Record:
    """`campaign.started` and `campaign.completed` (payload not documented: the mock's choice)."""
    return {
        "campaignId": campaign["id"],
        "name": campaign["name"],
        "status": campaign["status"],
        "startedAt": campaign["startedAt"],
        "completedAt": campaign["completedAt"],
    }
