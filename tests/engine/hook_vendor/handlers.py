"""The hook vendor's handlers: register a webhook, emit an event now, set a timer, answer a ping."""

from __future__ import annotations

from datetime import timedelta

from campaign_mock.engine.clock import format_instant
from campaign_mock.engine.vendor import Call, Reply

from .state import HookState

HookCall = Call[HookState, str]


async def create_webhook(call: HookCall) -> Reply:
    hook = {"id": call.ids.new("hook_"), "url": call.body["url"], "secret": call.body.get("secret")}
    call.state.webhooks.append(hook)
    return Reply(201, dict(hook))


async def emit_event(call: HookCall) -> Reply:
    emitted = call.state.emit(call.emit, call.body["event"], call.now, call.body.get("data", {}))
    return Reply(202, {"emitted": emitted})


async def set_timer(call: HookCall) -> Reply:
    due = format_instant(call.now + timedelta(seconds=call.body["in_seconds"]))
    timer = {"event": call.body["event"], "due": due, "data": call.body.get("data", {})}
    call.state.timers.append(timer)
    return Reply(201, {"due": due})


async def ping(call: HookCall) -> Reply:
    return Reply(200, {"pong": True})
