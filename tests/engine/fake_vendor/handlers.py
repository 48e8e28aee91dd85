"""The fake vendor's handlers: one per operationId (`get_pending` is missing), some wrong on purpose: `get_broken`
answers outside the spec, `explode` raises, and `export_thing` answers `format=xml` in a media type the spec does
not list."""

from __future__ import annotations

from typing import Any

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
    return Reply(200, _thing(call))


def _thing(call: FakeCall) -> dict[str, Any]:
    thing_id = call.path_params["thing_id"]
    thing = call.state.find(thing_id)
    if thing is None:
        raise ApiError(404, "missing", f"no thing {thing_id!r}")
    return thing


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


EXPORTS = {
    "csv": "text/csv",
    "utf8": "text/csv; charset=utf-8",  # the spec's text/csv, with a parameter
    "raw": "application/octet-stream",
    "xml": "application/xml",  # not in the spec
    "json": "application/json",  # JSON belongs in a JSON body, never in bytes
}


async def export_thing(call: FakeCall) -> Reply:
    thing = _thing(call)
    fmt = call.query.get("format", "csv")
    content = f"id,name,kind\r\n{thing['id']},{thing['name']},{thing['kind']}\r\n".encode()
    disposition = f'attachment; filename="{thing["id"]}.{fmt}"'
    return Reply(200, content, {"Content-Disposition": disposition}, media_type=EXPORTS[fmt])


async def upload(call: FakeCall) -> Reply:
    files = {
        name: {"filename": f.filename, "contentType": f.content_type, "hex": f.data.hex()}
        for name, f in call.files.items()
    }
    return Reply(201, {"body": call.body, "files": files})


async def get_quota(call: FakeCall) -> Reply:
    return Reply(200, {"done": True})


async def ping_thing(call: FakeCall) -> Reply:
    return Reply(200, {"done": True})


async def search(call: FakeCall) -> Reply:
    return Reply(200, {"done": True})
