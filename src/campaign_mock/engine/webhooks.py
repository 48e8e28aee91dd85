"""Webhook deliveries: each session's outbox, and what a delivery's attempts decide.

A vendor emits a `WebhookEvent` (engine/events.py); the session's `Outbox` turns it, right there and without any
I/O, into a `Delivery`: the body serialised once (compact JSON; those bytes are what is signed and what is sent),
signed as the vendor's `WebhookPolicy` says, with the headers it goes out with and an id from the session's id
factory. The dispatcher (engine/delivery.py) sends what is due on the session's mock clock and hands each attempt
back here: a 2xx delivers, anything else schedules the next retry on the mock clock until the retries run out.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from .clock import format_instant
from .events import WebhookEvent, WebhookPolicy
from .ids import IdFactory

if TYPE_CHECKING:
    from .vendor import Vendor

DeliveryStatus = Literal["pending", "delivered", "failed"]
USER_AGENT = "campaign-mock"
# Where a vendor documents no schedule: 5 attempts with exponential backoff (INTERFACE, section 7), unsigned.
UNDOCUMENTED = WebhookPolicy(signature_header="", retry_delays=(60, 120, 240, 480), timeout_seconds=10.0)
# An event's instant is a datetime (microseconds, rounded) and the clock's reading a float: readings this close are
# the same instant, so an event stamped "now" is due now.
_SAME_INSTANT = 0.001


def sign(payload: bytes, secret: str, policy: WebhookPolicy) -> str:
    """The signature header's value: HMAC-SHA256 of the raw body keyed with the webhook's secret, in hex."""
    return policy.signature_prefix + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def _instant(stamp: float) -> str:
    return format_instant(datetime.fromtimestamp(stamp, UTC))


@dataclass(slots=True)
class Attempt:
    at: float  # the session's mock time when it was sent
    status: int | None  # None: no answer (refused connection, timeout)
    error: str | None
    duration_ms: float  # real time

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": _instant(self.at),
            "status": self.status,
            "error": self.error,
            "durationMs": round(self.duration_ms, 1),
        }


@dataclass(slots=True, eq=False)
class Delivery:
    """One event on its way to one webhook: what is sent, and every attempt so far."""

    id: str
    session: str
    vendor: str
    webhook_id: str
    event: str
    url: str
    secret: str | None
    payload: bytes
    headers: dict[str, str]
    created_at: float
    policy: WebhookPolicy
    next_attempt_at: float | None  # None once delivered or failed
    status: DeliveryStatus = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    scheduled_attempts: int = 0  # attempts of the retry schedule (replays are not counted)

    def record(self, attempt: Attempt, replay: bool) -> None:
        """What an attempt decides. A replay is one extra attempt outside the schedule: it delivers a delivery on a
        2xx, leaves a pending one's schedule as it was on a failure, and marks a finished one failed."""
        self.attempts.append(attempt)
        if attempt.succeeded:
            self.status, self.next_attempt_at = "delivered", None
        elif replay:
            if self.status != "pending":
                self.status = "failed"
        else:
            self.scheduled_attempts += 1
            delays = self.policy.retry_delays
            if self.scheduled_attempts <= len(delays):
                self.next_attempt_at = attempt.at + delays[self.scheduled_attempts - 1]
            else:
                self.status, self.next_attempt_at = "failed", None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session,
            "vendor": self.vendor,
            "webhookId": self.webhook_id,
            "event": self.event,
            "url": self.url,
            "status": self.status,
            "createdAt": _instant(self.created_at),
            "nextAttemptAt": None if self.next_attempt_at is None else _instant(self.next_attempt_at),
            "attempts": [a.to_dict() for a in self.attempts],
            "headers": dict(self.headers),
            "body": self.payload.decode(),
            "secret": self.secret,
        }


def _nothing() -> None:
    """The outbox's wake-up before a server adopts its session: nobody to wake."""


# Finished deliveries a session keeps for the listing (the newest; every pending one is kept too), as the journal
# keeps its newest entries: a long-running server's history must not grow without end.
KEPT_DELIVERIES = 10_000


class Outbox:
    """A session's deliveries, in event order, and the queue of what is still to send."""

    def __init__(
        self, session: str, ids: IdFactory, vendors: Mapping[str, Vendor[Any]], keep: int = KEPT_DELIVERIES
    ) -> None:
        self.session = session
        self._ids = ids
        self._vendors = vendors
        self.keep = keep
        self.deliveries: list[Delivery] = []
        self._pending: list[Delivery] = []  # scheduled attempts to come, in event order
        self._replays: deque[Delivery] = deque()
        self.wake: Callable[[], None] = _nothing  # tells the dispatcher there is something new to send

    def attach(self, wake: Callable[[], None]) -> None:
        """Hand the outbox to a dispatcher (what the session emitted while it was being built included)."""
        self.wake = wake
        if self.busy:
            wake()

    def emit(self, event: WebhookEvent) -> None:
        """Called in the request path: serialise, sign and queue; no I/O, nothing awaited."""
        vendor = self._vendors.get(event.vendor)
        policy = (vendor.webhooks if vendor is not None else None) or UNDOCUMENTED
        payload = json.dumps(event.body, separators=(",", ":"), ensure_ascii=False).encode()
        delivery_id = self._ids.new("whd_")
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if event.secret is not None and policy.signature_header:
            headers[policy.signature_header] = sign(payload, event.secret, policy)
        headers.update({"X-Mock-Session": self.session, "X-Mock-Delivery": delivery_id, "X-Mock-Event": event.event})
        at = event.at.timestamp()
        delivery = Delivery(
            delivery_id,
            self.session,
            event.vendor,
            event.webhook_id,
            event.event,
            event.url,
            event.secret,
            payload,
            headers,
            at,
            policy,
            next_attempt_at=at,
        )
        bisect.insort(self.deliveries, delivery, key=_created)  # after any of the same instant: emission order
        bisect.insort(self._pending, delivery, key=_created)
        if len(self.deliveries) > self.keep + self.keep // 10:  # trimmed now and then, not on every event
            self._forget_oldest()
        self.wake()

    def _forget_oldest(self) -> None:
        """Down to `keep` deliveries, forgetting the oldest finished ones (one still to be sent, or to be replayed,
        stays whatever its age)."""
        surplus = len(self.deliveries) - self.keep
        replaying = {id(d) for d in self._replays}
        kept: list[Delivery] = []
        for delivery in self.deliveries:
            if surplus > 0 and delivery.status != "pending" and id(delivery) not in replaying:
                surplus -= 1
            else:
                kept.append(delivery)
        self.deliveries = kept

    @property
    def busy(self) -> bool:
        """Something is still to be sent (now or later)."""
        return bool(self._pending or self._replays)

    def next_due(self, now: float) -> tuple[Delivery, bool] | None:
        """The next thing to send at mock time `now`: a replay asked for, else the first due delivery in event
        order (a delivery waiting for its retry does not hold back the ones after it). `(delivery, is_replay)`."""
        if self._replays:
            return self._replays[0], True
        for delivery in self._pending:
            if delivery.next_attempt_at is not None and delivery.next_attempt_at <= now + _SAME_INSTANT:
                return delivery, False
        return None

    def record(self, delivery: Delivery, attempt: Attempt, replay: bool) -> None:
        if replay:
            self._replays.remove(delivery)
        delivery.record(attempt, replay)
        if delivery.status != "pending" and delivery in self._pending:
            self._pending.remove(delivery)

    def replay(self, delivery: Delivery) -> None:
        """Send the delivery once more, now (whatever its status and the clock say)."""
        self._replays.append(delivery)
        self.wake()

    def find(self, delivery_id: str) -> Delivery | None:
        return next((d for d in self.deliveries if d.id == delivery_id), None)


def _created(delivery: Delivery) -> float:
    return delivery.created_at


def listing(
    outboxes: Iterable[Outbox], vendor: str | None = None, event: str | None = None, status: str | None = None
) -> list[Delivery]:
    """The deliveries of these outboxes that match every filter given, in event order across sessions."""
    found = [
        d
        for outbox in outboxes
        for d in outbox.deliveries
        if (vendor is None or d.vendor == vendor)
        and (event is None or d.event == event)
        and (status is None or d.status == status)
    ]
    return sorted(found, key=_created)  # stable: emission order within an instant and a session
