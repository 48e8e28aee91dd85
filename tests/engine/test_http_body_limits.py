"""Request bodies the mock does not take: one over `Settings.max_body_bytes` (413 in the vendor's words, or the
admin API's), and one the client gave up on before it arrived in full (nothing answered, nothing done).

The ASGI tests drive the app's callable directly, to control what `receive()` yields and see what is sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_http import FROZEN, PREFIX, TestClient, client_for, fake_app, problem
from fake_vendor import FAKE_KEY, KEY_HEADER
from starlette.types import Message

from campaign_mock.app import MockApp, Settings

RESET = "1736935260"  # the end of the minute that starts at FROZEN_AT
FROZEN_DEFAULT = f"extends: default\n{FROZEN}\n"
LIMIT = 100
CUP = b'{"name":"Cup"}'  # padded with spaces (JSON allows them) to the size a test needs


def _padded(size: int) -> bytes:
    return CUP + b" " * (size - len(CUP))


def _state(client: TestClient) -> dict[str, Any]:
    """The exported state, without the instants it was moved on to (each export moves it on, to the same now)."""
    state: dict[str, Any] = client.get("/__admin/state").json()
    del state["vendors"]["fakevendor"]["advanced"]
    return state


def _journal(client: TestClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/__admin/requests").json()["requests"]
    return entries


@pytest.fixture
def app(write_scenario: Callable[[str], Path]) -> MockApp:
    """An app of the fake vendor with a body limit of LIMIT bytes, on a frozen clock."""
    return fake_app(Settings(max_body_bytes=LIMIT, scenarios=(str(write_scenario(FROZEN_DEFAULT)),)))


@pytest.fixture
def client(app: MockApp) -> Iterator[TestClient]:
    with client_for(app) as client:
        yield client


def _drive(
    app: MockApp,
    method: str,
    path: str,
    headers: dict[str, str],
    messages: list[Message],
    http_version: str = "1.1",
) -> list[Message]:
    """Run one request through the app's ASGI callable; `receive()` yields `messages` in turn and fails the test
    if it is called once more. Returns what the app sent."""
    pending = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        if not pending:
            pytest.fail("the app read past the messages the client sent")
        return pending.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": http_version,
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent


# -- over the limit --------------------------------------------------------------------------------------
def test_body_over_the_limit_answers_413_in_the_vendors_words_and_changes_nothing(client: TestClient) -> None:
    before = _state(client)

    response = client.post(
        f"{PREFIX}/v1/things", content=_padded(LIMIT + 1), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json() == problem("too_big", "create_thing takes at most 100 bytes")
    assert dict(response.headers) == {
        "content-type": "application/json",
        "content-length": str(len(response.content)),
        "x-ratelimit-limit": "50",
        "x-ratelimit-remaining": "50",  # not counted
        "x-ratelimit-reset": RESET,
    }
    assert _state(client) == before
    # The spec documents no 413 for create_thing: the mock's own limit is not a contract violation.
    assert client.get("/__admin/violations").json() == {"violations": []}
    assert [(e["operationId"], e["response"]["status"]) for e in _journal(client)] == [("create_thing", 413)]


def test_body_over_the_limit_on_a_path_no_operation_serves_is_refused_before_routing_answers(
    client: TestClient,
) -> None:
    response = client.post(f"{PREFIX}/v1/nowhere", content=_padded(LIMIT + 1))

    assert response.status_code == 413
    assert response.json() == problem("too_big", "this path takes at most 100 bytes")


def test_form_over_the_limit_answers_413_without_being_parsed(client: TestClient) -> None:
    response = client.post(f"{PREFIX}/v1/uploads", data={"title": "Q1"}, files={"file": ("a.csv", b"x" * LIMIT)})

    assert response.status_code == 413
    assert response.json() == problem("too_big", "upload takes at most 100 bytes")


def test_body_at_exactly_the_limit_is_accepted(client: TestClient) -> None:
    response = client.post(f"{PREFIX}/v1/things", content=_padded(LIMIT), headers={"content-type": "application/json"})

    assert response.status_code == 201
    assert response.json()["name"] == "Cup"
    assert [t["name"] for t in _state(client)["vendors"]["fakevendor"]["things"]] == ["Box", "Pen", "Cup"]


def test_declared_length_over_the_limit_is_refused_without_reading_the_body(app: MockApp) -> None:
    headers = {KEY_HEADER: FAKE_KEY, "content-type": "application/json", "content-length": str(LIMIT + 1)}

    sent = _drive(app, "POST", f"{PREFIX}/v1/things", headers, messages=[])

    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == problem("too_big", "create_thing takes at most 100 bytes")


def test_admin_api_answers_413_in_its_own_format(client: TestClient) -> None:
    before = _state(client)

    response = client.post("/__admin/scenarios", json={"yaml": f"{FROZEN_DEFAULT}description: {'x' * LIMIT}\n"})

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "message": "the request body is larger than 100 bytes"}
    }
    assert _state(client) == before


# -- the client leaves -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"{PREFIX}/v1/things", CUP),
        ("/__admin/scenarios", json.dumps({"yaml": "extends: default\nseed: 7\n"}).encode()),
    ],
    ids=["vendor", "admin"],
)
def test_client_that_disconnects_mid_body_gets_no_answer_and_nothing_is_done(
    app: MockApp, client: TestClient, path: str, body: bytes
) -> None:
    before = _state(client)
    headers = {KEY_HEADER: FAKE_KEY, "content-type": "application/json", "content-length": str(len(body))}
    messages: list[Message] = [
        {"type": "http.request", "body": body[:5], "more_body": True},
        {"type": "http.disconnect"},
    ]

    sent = _drive(app, "POST", path, headers, messages)

    assert sent == []
    assert _state(client) == before
    assert _journal(client) == []


def test_body_sent_in_parts_is_read_in_full(app: MockApp, client: TestClient) -> None:
    headers = {KEY_HEADER: FAKE_KEY, "content-type": "application/json", "transfer-encoding": "chunked"}
    messages: list[Message] = [
        {"type": "http.request", "body": CUP[:5], "more_body": True},
        {"type": "http.request", "body": CUP[5:], "more_body": False},
    ]

    sent = _drive(app, "POST", f"{PREFIX}/v1/things", headers, messages)

    assert sent[0]["status"] == 201
    assert json.loads(sent[1]["body"])["name"] == "Cup"
    assert [e["response"]["status"] for e in _journal(client)] == [201]


def test_http1_request_declaring_no_body_is_answered_without_reading_one(app: MockApp, client: TestClient) -> None:
    for headers in ({KEY_HEADER: FAKE_KEY}, {KEY_HEADER: FAKE_KEY, "content-length": "0"}):
        sent = _drive(app, "GET", f"{PREFIX}/v1/things/thing_2", headers, [])  # receive() would fail the test

        assert sent[0]["status"] == 200


def test_http2_body_without_a_declared_length_is_read(app: MockApp, client: TestClient) -> None:
    # HTTP/2 frames a body by itself: a request may carry one with no Content-Length.
    headers = {KEY_HEADER: FAKE_KEY, "content-type": "application/json"}
    messages: list[Message] = [{"type": "http.request", "body": CUP, "more_body": False}]

    sent = _drive(app, "POST", f"{PREFIX}/v1/things", headers, messages, http_version="2")

    assert sent[0]["status"] == 201
    assert json.loads(sent[1]["body"])["name"] == "Cup"


def test_body_sent_in_parts_that_grows_past_the_limit_is_refused(app: MockApp, client: TestClient) -> None:
    headers = {KEY_HEADER: FAKE_KEY, "content-type": "application/json", "transfer-encoding": "chunked"}  # no length
    body = _padded(LIMIT + 1)
    messages: list[Message] = [
        {"type": "http.request", "body": body[:LIMIT], "more_body": True},
        {"type": "http.request", "body": body[LIMIT:], "more_body": True},  # the rest is never asked for
    ]

    sent = _drive(app, "POST", f"{PREFIX}/v1/things", headers, messages)

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == problem("too_big", "create_thing takes at most 100 bytes")
    assert len(_state(client)["vendors"]["fakevendor"]["things"]) == 2
