"""The fake vendor's handlers: one per operationId, two of them wrong on purpose (and `get_pending` missing)."""

from __future__ import annotations

from campaign_mock.engine.clock import format_instant
from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.vendor import Call, Reply

from .state import FakeState
from .variants import GREETING

FakeCall = Call[FakeState, str]


async def list_things(call: FakeCall) -> Reply:
    return Reply(200, {"things": call.state.things[: call.query.get("limit", 50)]})


async def create_thing(call: FakeCall) -> Reply:
    thing = {"id": call.ids.new("thing_"), "name": call.body["name"], "kind": call.body.get("kind", "item")}
    call.state.things.append(thing)
    return Reply(201, thing)


async def get_thing(call: FakeCall) -> Reply:
    thing_id = call.path_params["thing_id"]
    thing = call.state.find(thing_id)
    if thing is None:
        raise ApiError(404, "missing", f"no thing {thing_id!r}")
    return Reply(200, thing)


async def get_broken(call: FakeCall) -> Reply:
    return Reply(200, {"count": "many"})  # the spec says an integer


async def explode(call: FakeCall) -> Reply:
    raise RuntimeError("the handler broke")


async def get_now(call: FakeCall) -> Reply:
    return Reply(200, {"now": format_instant(call.now), "advancedTo": call.state.advanced[-1]})


async def draw(call: FakeCall) -> Reply:
    key = call.query["key"]
    side = call.chance.pick(["heads", "tails"], [1, 1], "side", key)
    return Reply(200, {"roll": call.chance.random("roll", key), "side": side})


async def greet(call: FakeCall) -> Reply:
    return Reply(200, {"greeting": "Good day" if call.variant(GREETING) == "formal" else "Hi"})
