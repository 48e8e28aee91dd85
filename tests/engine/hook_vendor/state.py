"""The hook vendor's records (keys, webhooks, timers), and what its timers do on the mock clock."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Self

from campaign_mock.engine.clock import format_instant, parse_instant
from campaign_mock.engine.errors import ApiError, RequestInvalid
from campaign_mock.engine.events import EventSink, WebhookEvent
from campaign_mock.engine.vendor import ErrorRenderer, StateContext, VendorState


class HookState(VendorState):
    def __init__(self, data: dict[str, Any]) -> None:
        self.api_keys: list[str] = data.get("api_keys", [])
        self.webhooks: list[dict[str, Any]] = data.get("webhooks", [])
        self.timers: list[dict[str, Any]] = data.get("timers", [])

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self:
        return cls(copy.deepcopy(data))

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy({"api_keys": self.api_keys, "webhooks": self.webhooks, "timers": self.timers})

    def advance_to(self, ctx: StateContext) -> None:
        """Fire the timers that are due, earliest first, each at its own instant."""
        due = sorted((t for t in self.timers if parse_instant(t["due"]) <= ctx.now), key=lambda t: t["due"])
        for timer in due:
            self.timers.remove(timer)
            self.emit(ctx.emit, timer["event"], parse_instant(timer["due"]), timer.get("data", {}))

    def emit(self, sink: EventSink, event: str, at: datetime, data: dict[str, Any]) -> int:
        """The event to every webhook, in the envelope `{event, timestamp, data}`."""
        body = {"event": event, "timestamp": format_instant(at), "data": data}
        for hook in self.webhooks:
            sink(WebhookEvent("hookvendor", hook["id"], hook["url"], hook["secret"], event, at, body))
        return len(self.webhooks)


class ProblemErrors(ErrorRenderer):
    def render(self, error: ApiError) -> Any:
        return {"problem": {"code": error.code, "detail": error.message}}

    def request_invalid(self, error: RequestInvalid) -> ApiError:
        return ApiError(422, "bad_input", f"{error.part}: {error.issues[0]}")
