"""What a long-running server holds stays bounded: a session that is reset or deleted is freed at once.

A vendor state that refers to its helpers while they refer back (a reference cycle) outlives its session until
the next full garbage collection, which under steady load comes minutes apart, so the server's memory climbs
by every dropped session's records in between. These tests hold the session and its vendor states weakly, turn
the garbage collector off, and drop the session through the admin API: everything must be gone by the time the
answer arrives.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
import weakref
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from campaign_mock.app import MockApp, create_app
from campaign_mock.server import MockServer

SESSION = "filled"
LEADTERRA = {"Authorization": "Bearer sk_test_leadterra", "X-Mock-Session": SESSION}
FOXREACH = {"X-API-Key": "otr_test_foxreach", "X-Mock-Session": SESSION}
VOICEGENIE = {"x-api-key": "vg_test_voicegenie", "X-Mock-Session": SESSION}
SONARLY = {"Authorization": "Bearer sk_test_sonarly", "X-Mock-Session": SESSION}
SONARLY_GROUP = "/sonarly/v1/accounts/665f00000000000000000001"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    # Every answer must be a success: a refused call would leave the session with less in it to free.
    hooks = {"response": [lambda response: response.raise_for_status()]}
    with httpx.Client(base_url=server.url, trust_env=False, event_hooks=hooks) as client:
        yield client


def fill(client: httpx.Client) -> None:
    """A running campaign with people in it, in every vendor, so each state has its records and its scheduler."""
    steps = [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hi</p>"}]
    made = client.post("/leadterra/v1/campaigns", headers=LEADTERRA, json={"name": "Kept", "sequenceSteps": steps})
    campaign = f"/leadterra/v1/campaigns/{made.json()['id']}"
    leads = [{"email": f"kept{i}@kept.example", "firstName": "Kept"} for i in range(3)]
    client.post(f"{campaign}/leads/bulk", headers=LEADTERRA, json={"leads": leads})
    client.post(f"{campaign}/start", headers=LEADTERRA)

    made = client.post("/foxreach/api/v1/campaigns", headers=FOXREACH, json={"name": "Kept"})
    campaign = f"/foxreach/api/v1/campaigns/{made.json()['data']['id']}"
    client.post(f"{campaign}/sequences", headers=FOXREACH, json={"subject": "Hi", "body": "Hello {{firstName}}"})
    client.post(f"{campaign}/start", headers=FOXREACH)

    contacts = [{"phone_number": f"+141555600{i}", "name": f"Kept {i}"} for i in range(3)]
    upload = {"campaign_name": "Kept", "script_id": "script_renewal01", "contacts": contacts}
    made = client.post("/voicegenie/uploadCampaignData", headers=VOICEGENIE, json=upload)
    client.get(f"/voicegenie/startCampaign/{made.json()['data']['campaign_id']}", headers=VOICEGENIE)

    draft = {"name": "Kept", "starterTemplateId": "connect", "audienceId": "665f0000000000000000a001"}
    made = client.post(f"{SONARLY_GROUP}/campaigns", headers=SONARLY, json=draft)
    client.post(f"{SONARLY_GROUP}/campaigns/{made.json()['data']['id']}/start", headers=SONARLY)


def held_weakly(app: MockApp) -> list[weakref.ref[Any]]:
    session = app.pipeline.store.existing(SESSION)
    assert session is not None
    return [weakref.ref(session), *(weakref.ref(state) for state in session.states.values())]


@pytest.mark.parametrize(("method", "route"), [("POST", "reset"), ("DELETE", "sessions")])
def test_a_dropped_session_is_freed_without_waiting_for_the_garbage_collector(
    server: MockServer, client: httpx.Client, method: str, route: str
) -> None:
    fill(client)
    held = held_weakly(server.app)
    gc.collect()  # whatever the requests left for the collector: not what is measured here
    gc.disable()
    try:
        dropped = client.request(method, f"/__admin/{route}", params={"session": SESSION})
        alive = [type(obj).__name__ for obj in (ref() for ref in held) if obj is not None]
    finally:
        gc.enable()

    assert dropped.status_code in (200, 204), dropped.text
    assert alive == [], f"still in memory after the session was dropped: {alive}"


def test_an_answer_kept_in_the_journal_costs_about_its_own_size() -> None:
    """The journal keeps its newest 10,000 exchanges: each must hold the answer's bytes, not an encoder's buffer
    several times their size."""
    app = create_app()
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": "/leadterra/v1/sender-pools",
        "raw_path": b"/leadterra/v1/sender-pools",
        "query_string": b"",
        "headers": [(b"authorization", b"Bearer sk_test_leadterra")],
    }
    sizes: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            sizes.append(len(message["body"]))

    async def requests(count: int) -> None:
        for _ in range(count):
            await app(dict(scope), receive, send)

    asyncio.run(requests(10))  # the session is built, the router has seen the path
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        asyncio.run(requests(1_000))
        per_exchange = (tracemalloc.get_traced_memory()[0] - before) / 1_000
    finally:
        tracemalloc.stop()

    assert len(list(app.journal.entries())) == 1_010
    assert per_exchange < sizes[-1] + 1_024, f"{per_exchange:.0f} bytes kept per exchange for a {sizes[-1]}-byte answer"
