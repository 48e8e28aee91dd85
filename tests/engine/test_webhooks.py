"""Webhook delivery over HTTP: a live mock serving the hook vendor, and a local receiver that records what arrives.

The hook vendor (tests/engine/hook_vendor) emits an event now (`POST /v1/events`) or when a timer comes due on the
mock clock (`POST /v1/timers`); everything else here is the engine: the outbox, the signature, the dispatcher,
retries on the mock clock, and the admin API that lists and replays deliveries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hook_vendor import HOOK_KEY, HOOKS, POLICY

from campaign_mock.receiver import WebhookReceiver
from campaign_mock.server import MockServer, free_port

T0 = "2025-03-01T12:00:00Z"
SECRET = "whsec_test"
_sessions = itertools.count(1)


class Hooks:
    """The hook vendor and the admin API of one live mock, in one session of it."""

    def __init__(self, server: MockServer, http: httpx.Client, session: str) -> None:
        self.url, self.http, self.session = server.url, http, session
        self.used = {session}  # every session the test touched, forgotten after it

    def call(self, method: str, path: str, *, session: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-Hook-Key": HOOK_KEY, "X-Mock-Session": session or self.session}
        self.used.add(headers["X-Mock-Session"])
        return self.http.request(method, f"{self.url}/hookvendor{path}", headers=headers, **kwargs)

    def admin(self, method: str, route: str, *, session: str | None = None, **kwargs: Any) -> httpx.Response:
        params = {"session": session or self.session, **kwargs.pop("params", {})}
        return self.http.request(method, f"{self.url}/__admin/{route}", params=params, **kwargs)

    def register(self, url: str, secret: str | None = SECRET, session: str | None = None) -> dict[str, Any]:
        response = self.call("POST", "/v1/webhooks", session=session, json={"url": url, "secret": secret})
        assert response.status_code == 201, response.text
        hook: dict[str, Any] = response.json()
        return hook

    def emit(self, event: str, session: str | None = None, **data: Any) -> None:
        response = self.call("POST", "/v1/events", session=session, json={"event": event, "data": data})
        assert response.status_code == 202, response.text

    def freeze(self, now: str = T0, session: str | None = None) -> None:
        assert self.admin("POST", "clock", session=session, json={"now": now, "frozen": True}).status_code == 200

    def advance(self, seconds: float, session: str | None = None) -> None:
        response = self.admin("POST", "clock/advance", session=session, json={"seconds": seconds})
        assert response.status_code == 200, response.text

    def deliveries(self, session: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        response = self.admin("GET", "webhooks", session=session, params=filters)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["deliveries"]
        return found

    def settled(self, count: int, timeout: float = 5.0, **filters: Any) -> list[dict[str, Any]]:
        """The session's deliveries once at least `count` attempts have been made (in all)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries(**filters)
            if sum(len(d["attempts"]) for d in found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(vendors=[HOOKS]) as mock:
        yield mock


@pytest.fixture
def hooks(server: MockServer, http: httpx.Client) -> Iterator[Hooks]:
    hooks = Hooks(server, http, f"w{next(_sessions)}")
    yield hooks
    for name in hooks.used:
        http.delete(f"{server.url}/__admin/sessions", params={"session": name})


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as running:
        yield running


def test_an_event_is_delivered_signed_with_the_exact_bytes_listed(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hook = hooks.register(receiver.url)
    hooks.emit("order.shipped", orderId="o_1", note="déjà vu")

    [request] = receiver.wait_for(1)
    [delivery] = hooks.settled(1)

    expected_signature = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.method == "POST" and request.path == "/webhook"
    assert request.header("X-Hook-Signature") == expected_signature
    assert request.header("Content-Type") == "application/json"
    assert request.header("User-Agent") == "campaign-mock"
    assert request.header("X-Mock-Session") == hooks.session
    assert request.header("X-Mock-Event") == "order.shipped"
    assert request.header("X-Mock-Delivery") == delivery["id"]
    assert request.json["data"] == {"orderId": "o_1", "note": "déjà vu"}
    assert request.body == delivery["body"].encode()  # the bytes signed are the bytes listed
    assert request.body == json.dumps(request.json, separators=(",", ":"), ensure_ascii=False).encode()  # compact
    assert delivery["id"].startswith("whd_")
    assert delivery["status"] == "delivered" and delivery["nextAttemptAt"] is None
    assert {k: delivery[k] for k in ("session", "vendor", "webhookId", "event", "url", "secret")} == {
        "session": hooks.session,
        "vendor": "hookvendor",
        "webhookId": hook["id"],
        "event": "order.shipped",
        "url": receiver.url,
        "secret": SECRET,
    }
    assert [(a["status"], a["error"]) for a in delivery["attempts"]] == [(200, None)]
    assert delivery["headers"]["X-Hook-Signature"] == expected_signature


def test_events_at_a_frozen_instant_between_microseconds_go_out_at_once(
    hooks: Hooks, receiver: WebhookReceiver
) -> None:
    hooks.register(receiver.url)
    for n in range(4):  # a clock frozen where it happened to be reads between two microseconds, most likely
        hooks.admin("POST", "clock", json={"frozen": False})
        hooks.admin("POST", "clock", json={"frozen": True})
        hooks.emit(f"e{n}")

    assert len(receiver.wait_for(4)) == 4


def test_a_webhook_without_a_secret_is_sent_unsigned(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url, secret=None)
    hooks.emit("order.shipped")

    [request] = receiver.wait_for(1)

    assert request.header("X-Hook-Signature") is None
    assert hooks.settled(1)[0]["secret"] is None


def test_delivery_ids_are_deterministic_per_session(hooks: Hooks, receiver: WebhookReceiver) -> None:
    for session in (hooks.session, f"{hooks.session}-twin"):
        hooks.register(receiver.url, session=session)
        hooks.emit("a", session=session)
        hooks.emit("b", session=session)
    first = [d["id"] for d in hooks.deliveries()]
    twin = [d["id"] for d in hooks.deliveries(session=f"{hooks.session}-twin")]

    assert first == twin and len(set(first)) == 2


def test_a_failed_attempt_is_retried_on_the_frozen_clock_only_when_it_moves(
    hooks: Hooks, receiver: WebhookReceiver
) -> None:
    receiver.respond_with(503)
    hooks.freeze()
    hooks.register(receiver.url)
    hooks.emit("order.shipped")
    receiver.wait_for(1)
    [delivery] = hooks.settled(1)
    assert delivery["status"] == "pending"
    assert delivery["attempts"][0]["status"] == 503 and delivery["attempts"][0]["at"] == T0
    assert delivery["nextAttemptAt"] == "2025-03-01T12:01:00Z"  # the first of the vendor's delays, 60 s

    time.sleep(0.3)
    hooks.advance(59)
    time.sleep(0.3)
    assert len(receiver.requests) == 1  # not due yet: nothing is sent

    receiver.respond_with(204)
    hooks.advance(1)
    receiver.wait_for(2)
    [delivery] = hooks.settled(2)

    assert delivery["status"] == "delivered"
    assert [(a["at"], a["status"]) for a in delivery["attempts"]] == [(T0, 503), ("2025-03-01T12:01:00Z", 204)]
    assert receiver.requests[0].body == receiver.requests[1].body


def test_a_delivery_fails_when_its_last_retry_fails(hooks: Hooks, receiver: WebhookReceiver) -> None:
    receiver.respond_with(500)
    hooks.freeze()
    hooks.register(receiver.url)
    hooks.emit("order.shipped")
    receiver.wait_for(1)
    hooks.settled(1)
    hooks.advance(60)
    receiver.wait_for(2)
    hooks.settled(2)
    hooks.advance(300)
    receiver.wait_for(3)
    [delivery] = hooks.settled(3)

    assert len(POLICY.retry_delays) == 2  # so three attempts in all
    assert delivery["status"] == "failed" and delivery["nextAttemptAt"] is None
    assert [a["at"] for a in delivery["attempts"]] == [T0, "2025-03-01T12:01:00Z", "2025-03-01T12:06:00Z"]
    hooks.advance(86400)
    time.sleep(0.3)
    assert len(receiver.requests) == 3
    assert hooks.deliveries(status="failed") == [hooks.deliveries()[0]]


def test_no_answer_is_an_attempt_with_an_error(hooks: Hooks) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/webhook"
    hooks.freeze()
    hooks.register(nobody)
    hooks.emit("order.shipped")

    [delivery] = hooks.settled(1)
    [attempt] = delivery["attempts"]

    assert attempt["status"] is None and attempt["error"]
    assert delivery["status"] == "pending" and delivery["nextAttemptAt"] == "2025-03-01T12:01:00Z"


def test_a_receiver_slower_than_the_timeout_is_an_attempt_that_timed_out(
    http: httpx.Client, receiver: WebhookReceiver
) -> None:
    impatient = dataclasses.replace(HOOKS, webhooks=dataclasses.replace(POLICY, timeout_seconds=0.3))
    receiver.delay(2)
    with MockServer(vendors=[impatient]) as server:
        hooks = Hooks(server, http, "impatient")
        hooks.register(receiver.url)
        hooks.emit("order.shipped")
        [delivery] = hooks.settled(1)

    [attempt] = delivery["attempts"]
    assert (attempt["status"], attempt["error"]) == (None, "no answer within 0.3 s")
    assert 250 <= attempt["durationMs"] < 1500


def test_a_running_clock_retries_by_itself_when_the_delay_has_passed(
    http: httpx.Client, receiver: WebhookReceiver
) -> None:
    quick = dataclasses.replace(HOOKS, webhooks=dataclasses.replace(POLICY, retry_delays=(1,)))
    receiver.respond_with(500)
    with MockServer(vendors=[quick]) as server:
        hooks = Hooks(server, http, "running")
        hooks.register(receiver.url)
        hooks.emit("order.shipped")
        receiver.wait_for(1)
        receiver.respond_with(200)
        receiver.wait_for(2, timeout=5)  # no clock move: the dispatcher saw the retry come due
        [delivery] = hooks.settled(2)

    assert [a["status"] for a in delivery["attempts"]] == [500, 200]
    assert delivery["status"] == "delivered"


def test_deliveries_of_a_session_go_out_one_at_a_time_in_event_order(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    receiver.delay(0.2)
    for n in range(4):
        hooks.emit(f"e{n}")

    got = receiver.wait_for(4)
    [*_, last] = hooks.settled(4)

    assert [r.json["event"] for r in got] == ["e0", "e1", "e2", "e3"]
    assert [d["event"] for d in hooks.deliveries()] == ["e0", "e1", "e2", "e3"]
    assert last["status"] == "delivered"


def test_sessions_deliver_in_parallel(hooks: Hooks, receiver: WebhookReceiver) -> None:
    other = f"{hooks.session}-b"
    receiver.delay(2)
    for session in (hooks.session, other):
        hooks.register(receiver.url, session=session)
        hooks.emit("slow", session=session)

    got = receiver.wait_for(2, timeout=1.5)  # both arrive while the first answer is still 2 s away

    assert {r.header("X-Mock-Session") for r in got} == {hooks.session, other}


def test_a_slow_receiver_does_not_slow_requests_down(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    receiver.delay(2)
    hooks.emit("first")
    receiver.wait_for(1)  # the dispatcher is now waiting on the receiver

    latencies = []
    for n in range(20):
        started = time.perf_counter()
        hooks.emit(f"queued{n}")  # each queues a delivery behind the one in flight
        latencies.append(time.perf_counter() - started)

    assert sorted(latencies)[-2] < 0.1, latencies  # (one outlier allowed on a busy machine)
    assert len(receiver.requests) == 1


def test_timers_due_in_an_advanced_interval_are_delivered_in_time_order(
    hooks: Hooks, receiver: WebhookReceiver
) -> None:
    hooks.freeze()
    hooks.register(receiver.url)
    for event, seconds in (("late", 300), ("early", 120), ("beyond", 900)):
        assert hooks.call("POST", "/v1/timers", json={"event": event, "in_seconds": seconds}).status_code == 201

    hooks.advance(600)
    got = receiver.wait_for(2)
    listed = hooks.settled(2)

    assert [r.json["event"] for r in got] == ["early", "late"]
    assert [(d["event"], d["createdAt"]) for d in listed] == [
        ("early", "2025-03-01T12:02:00Z"),
        ("late", "2025-03-01T12:05:00Z"),
    ]
    assert [d["attempts"][0]["at"] for d in listed] == ["2025-03-01T12:10:00Z"] * 2  # sent when the clock got there


def test_a_server_wide_clock_move_catches_every_session_up(hooks: Hooks, receiver: WebhookReceiver) -> None:
    with MockServer(vendors=[HOOKS]) as server:
        private = Hooks(server, hooks.http, "a")
        private.http.post(f"{server.url}/__admin/clock", json={"now": T0, "frozen": True})  # server-wide
        for session in ("a", "b"):
            private.register(receiver.url, session=session)
            private.call("POST", "/v1/timers", session=session, json={"event": f"tick-{session}", "in_seconds": 60})

        private.http.post(f"{server.url}/__admin/clock/advance", json={"seconds": 60})
        got = receiver.wait_for(2)

    assert sorted(r.json["event"] for r in got) == ["tick-a", "tick-b"]


def test_the_listing_catches_up_and_filters(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    hooks.call("POST", "/v1/timers", json={"event": "soon", "in_seconds": 0})
    hooks.emit("now")

    # The timer came due at once, but nothing read the state since: the listing catches it up.
    assert sorted(d["event"] for d in hooks.deliveries()) == ["now", "soon"]
    assert [d["event"] for d in hooks.deliveries(event="now")] == ["now"]
    assert hooks.deliveries(vendor="othervendor") == []
    hooks.settled(2)
    assert len(hooks.deliveries(status="delivered")) == 2
    refused = hooks.admin("GET", "webhooks", params={"status": "lost"})
    assert refused.status_code == 400 and refused.json()["error"]["code"]


def test_replay_sends_a_delivery_again(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    hooks.emit("order.shipped", orderId="o_1")
    receiver.wait_for(1)
    [delivery] = hooks.settled(1)

    response = hooks.admin("POST", f"webhooks/{delivery['id']}/replay")
    again = receiver.wait_for(2)

    assert response.status_code == 202 and response.json()["id"] == delivery["id"]
    assert again[1].body == again[0].body
    assert again[1].header("X-Mock-Delivery") == delivery["id"]
    [replayed] = hooks.settled(2)
    assert [a["status"] for a in replayed["attempts"]] == [200, 200] and replayed["status"] == "delivered"


def test_a_failed_delivery_replayed_to_a_fixed_receiver_is_delivered(hooks: Hooks, receiver: WebhookReceiver) -> None:
    receiver.respond_with(500)
    hooks.freeze()
    hooks.register(receiver.url)
    hooks.emit("order.shipped")
    for count, seconds in ((1, 60), (2, 300), (3, 0)):
        receiver.wait_for(count)
        hooks.settled(count)
        hooks.advance(seconds)
    assert hooks.deliveries()[0]["status"] == "failed"

    receiver.respond_with(200)
    delivery_id = hooks.deliveries()[0]["id"]
    assert hooks.admin("POST", f"webhooks/{delivery_id}/replay").status_code == 202
    receiver.wait_for(4)

    [delivery] = hooks.settled(4)
    assert delivery["status"] == "delivered" and len(delivery["attempts"]) == 4


def test_replay_of_an_unknown_or_ambiguous_delivery_is_refused(hooks: Hooks, receiver: WebhookReceiver) -> None:
    unknown = hooks.admin("POST", "webhooks/whd_nothing/replay")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": {"code": "not_found", "message": f"no webhook delivery whd_nothing in session {hooks.session}"}
    }

    twin = f"{hooks.session}-twin"
    for session in (hooks.session, twin):
        hooks.register(receiver.url, session=session)
        hooks.emit("same", session=session)
    delivery_id = hooks.deliveries()[0]["id"]
    ambiguous = hooks.http.post(f"{hooks.url}/__admin/webhooks/{delivery_id}/replay")

    assert ambiguous.status_code == 400
    message = f"delivery {delivery_id} is in sessions {hooks.session}, {twin}: name the session"
    assert ambiguous.json() == {"error": {"code": "invalid_request", "message": message}}


def test_a_reset_clears_the_session_outbox(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    hooks.emit("order.shipped")
    assert len(hooks.deliveries()) == 1

    assert hooks.admin("POST", "reset").status_code == 200

    assert hooks.deliveries() == []


def test_a_session_reset_on_its_own_still_sends_what_it_emits(hooks: Hooks, receiver: WebhookReceiver) -> None:
    assert hooks.admin("POST", "reset").status_code == 200  # rebuilt through `?session=`, not on first use
    hooks.register(receiver.url)

    hooks.emit("after.reset")

    # Waiting on the receiver, not on the admin listing (which looks for due deliveries itself).
    assert [r.json["event"] for r in receiver.wait_for(1, timeout=2.0)] == ["after.reset"]


def test_a_session_keeps_its_newest_finished_deliveries_and_every_pending_one(
    server: MockServer, hooks: Hooks, receiver: WebhookReceiver
) -> None:
    hooks.freeze()
    hooks.register(receiver.url)
    receiver.respond_with(500)
    hooks.emit("first")  # not delivered: its retry waits for the frozen clock to move
    assert [d["status"] for d in hooks.settled(1)] == ["pending"]
    receiver.respond_with(200)
    server.app.store.get(hooks.session).outbox.keep = 3

    for n in range(6):
        hooks.emit(f"later-{n}")
        assert [d["status"] for d in hooks.settled(1, event=f"later-{n}")] == ["delivered"]

    # The oldest finished ones went; the pending one stayed, whatever its age.
    listed = [(d["event"], d["status"]) for d in hooks.deliveries()]
    assert listed == [("first", "pending"), ("later-4", "delivered"), ("later-5", "delivered")]


def test_sessions_see_their_own_deliveries(hooks: Hooks, receiver: WebhookReceiver) -> None:
    other = f"{hooks.session}-other"
    hooks.register(receiver.url)
    hooks.emit("mine")

    assert [d["event"] for d in hooks.deliveries()] == ["mine"]
    assert hooks.deliveries(session=other) == []


STOP_SCRIPT = """
import sys, time, warnings
sys.path.insert(0, {engine_tests!r})
warnings.simplefilter("always")
import httpx
from hook_vendor import HOOKS
from campaign_mock.receiver import WebhookReceiver
from campaign_mock.server import MockServer

with WebhookReceiver() as receiver:
    receiver.delay(5)
    with MockServer(vendors=[HOOKS]) as server:
        h = {{"X-Hook-Key": "hk_test"}}
        httpx.post(server.url + "/hookvendor/v1/webhooks", headers=h, json={{"url": receiver.url}})
        httpx.post(server.url + "/hookvendor/v1/events", headers=h, json={{"event": "slow"}})
        receiver.wait_for(1)
        started = time.monotonic()
    print("stopped in", round(time.monotonic() - started, 2))
"""


def test_the_server_stops_promptly_and_quietly_with_a_delivery_in_flight(tmp_path: Path) -> None:
    script = tmp_path / "stop.py"
    script.write_text(STOP_SCRIPT.format(engine_tests=str(Path(__file__).parent)))

    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no "Task was destroyed but it is pending", no traceback
    assert float(done.stdout.split()[-1]) < 3


def test_the_listing_is_json_of_the_documented_shape(hooks: Hooks, receiver: WebhookReceiver) -> None:
    hooks.register(receiver.url)
    hooks.emit("order.shipped")
    [delivery] = hooks.settled(1)

    assert set(delivery) == {
        "id", "session", "vendor", "webhookId", "event", "url", "status", "createdAt", "nextAttemptAt",
        "attempts", "headers", "body", "secret",
    }  # fmt: skip
    assert set(delivery["attempts"][0]) == {"at", "status", "error", "durationMs"}
    assert json.loads(delivery["body"])["event"] == "order.shipped"
