"""Outbound events: what a vendor's state or handler hands the engine to deliver to a registered webhook.

A vendor decides which of its webhooks an event goes to and what the payload says (its documented envelope); it
calls `emit` (on `StateContext` while catching up in time, on `Call` in a handler) once per target webhook. The
engine does the rest the same way for every vendor: it serialises the body once, signs it as the vendor's
`WebhookPolicy` says, keeps the delivery in the session's outbox and sends it outside the request path, retrying on
the vendor's schedule by the session's mock clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event for one webhook, at the mock time it happened."""

    vendor: str
    webhook_id: str
    url: str
    secret: str | None  # what the signature is keyed with (None: the vendor signs nothing)
    event: str  # the vendor's event name, e.g. "message.sent"
    at: datetime
    body: dict[str, Any]  # the payload exactly as the vendor documents it, envelope included


EventSink = Callable[[WebhookEvent], None]


def discard(event: WebhookEvent) -> None:
    """The sink of a state built outside a session (a unit test, a scenario check): events go nowhere."""


@dataclass(frozen=True)
class WebhookPolicy:
    """How a vendor delivers: the signature header (HMAC-SHA256 of the raw body, hex, after `signature_prefix`),
    the delays between attempts (seconds on the mock clock after each failed one; their number is the number of
    retries) and how long one attempt may take in real time."""

    signature_header: str
    retry_delays: tuple[int, ...]
    timeout_seconds: float
    signature_prefix: str = ""
