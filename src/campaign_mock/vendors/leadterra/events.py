"""Leadterra's webhook events: the documented envelope `{event, timestamp, data}`, what each event's `data` carries,
and who receives it (every active webhook of the workspace subscribed to the event, in registration order)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...engine.events import EventSink, WebhookEvent
from .records import Campaign, LeadReply, SentMessage, Webhook

VENDOR = "leadterra"
CAMPAIGN_STARTED = "campaign.started"
MESSAGE_SENT = "message.sent"
MESSAGE_BOUNCED = "message.bounced"
REPLY_RECEIVED = "reply.received"


class Notifier:
    """Hands events to the session's sink, one per subscribed webhook, at the mock time they happen."""

    def __init__(self, webhooks: list[Webhook], emit: EventSink) -> None:
        self._emit = emit
        self._subscribers: dict[str, list[Webhook]] = {}
        for hook in webhooks:
            if hook["status"] == "active":
                for event in hook["events"]:
                    self._subscribers.setdefault(event, []).append(hook)

    def wants(self, event: str) -> bool:
        """Whether anyone listens: a payload nobody receives is not built."""
        return event in self._subscribers

    def send(self, event: str, at: float, data: dict[str, Any]) -> None:
        moment = datetime.fromtimestamp(at, UTC)
        body = {"event": event, "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}
        for hook in self._subscribers.get(event, ()):
            self._emit(WebhookEvent(VENDOR, hook["id"], hook["url"], hook["secret"], event, moment, body))


def campaign_started(campaign: Campaign) -> dict[str, Any]:
    return {
        "campaignId": campaign["id"],
        "name": campaign["name"],
        "status": campaign["status"],
        "startedAt": campaign["startedAt"],
        "leadsEnrolled": len(campaign["leads"]),
    }


def message_sent(campaign: Campaign, email: str, message: SentMessage) -> dict[str, Any]:
    return {
        "campaignId": campaign["id"],
        "messageId": message["id"],
        "email": email,
        "sequenceStep": message["step"],
        "sentAt": message["sentAt"],
    }


def message_bounced(campaign: Campaign, email: str, message: SentMessage, hard: bool, reason: str) -> dict[str, Any]:
    return {
        "campaignId": campaign["id"],
        "messageId": message["id"],
        "email": email,
        "sequenceStep": message["step"],
        "bounceType": "hard" if hard else "soft",
        "bounceReason": reason,
        "bouncedAt": message["bouncedAt"],
    }


def reply_received(campaign: Campaign, message: SentMessage, reply: LeadReply) -> dict[str, Any]:
    return {
        "campaignId": campaign["id"],
        "messageId": message["id"],
        "email": reply["email"],
        "sequenceStep": message["step"],
        "reply": dict(reply),
    }
