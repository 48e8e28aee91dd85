"""FoxReach webhooks end to end: a receiver on loopback gets the events a running campaign emits on the mock
clock, signed in `X-FoxReach-Signature` with the secret the webhook's creation returned, as
`GET /__admin/webhooks` lists them."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from foxreach_support import data

from campaign_mock.pytest_plugin import MockSession


class Receiver(HTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/foxreach-events"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def settled_deliveries(mock_session: MockSession, expected: int) -> list[dict[str, Any]]:
    """The session's FoxReach deliveries once `expected` of them are no longer pending."""
    deadline = time.monotonic() + 20
    while True:
        listed: list[dict[str, Any]] = mock_session.admin("GET", "webhooks", params={"vendor": "foxreach"}).json()[
            "deliveries"
        ]
        if len(listed) >= expected and all(d["status"] != "pending" for d in listed):
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.05)


@pytest.mark.campaign_mock_scenario("foxreach/weekend")
def test_a_local_receiver_gets_the_campaign_events_signed_with_the_webhook_secret(
    mock_session: MockSession, api: httpx.Client, receiver: Receiver
) -> None:
    events = ["campaign.started", "email.sent", "email.opened"]
    hook = data(api.post("/webhooks", json={"url": receiver.url, "events": events}), 201)
    data(api.post("/campaigns/cmp_weekend01/start"))
    mock_session.advance_clock(20 * 60)  # two emails go out, 9 min 36 s apart; nobody opens them that fast

    deliveries = settled_deliveries(mock_session, 3)
    assert [(d["event"], d["status"], d["webhookId"]) for d in deliveries] == [
        ("campaign.started", "delivered", hook["id"]),
        ("email.sent", "delivered", hook["id"]),
        ("email.sent", "delivered", hook["id"]),
    ]
    by_id = {headers["x-mock-delivery"]: (headers, body) for headers, body in receiver.received}
    assert set(by_id) == {d["id"] for d in deliveries}
    for delivery in deliveries:
        headers, body = by_id[delivery["id"]]
        expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-foxreach-signature"], expected)
        assert body.decode() == delivery["body"] and delivery["secret"] == hook["secret"]
    started, *sent = (json.loads(by_id[d["id"]][1]) for d in deliveries)
    assert started == {
        "event": "campaign.started",
        "timestamp": "2025-01-17T10:00:00Z",
        "data": {
            "campaignId": "cmp_weekend01",
            "name": "Weekday outreach",
            "status": "active",
            "startedAt": "2025-01-17T10:00:00",
            "completedAt": None,
        },
    }
    assert [(s["timestamp"], s["data"]["leadId"], s["data"]["sequenceStep"]) for s in sent] == [
        ("2025-01-17T10:09:36Z", "cld_w01", 1),
        ("2025-01-17T10:19:12Z", "cld_w02", 1),
    ]
    activity = data(api.get("/leads/cld_w01/activity"))["activities"][0]
    assert sent[0]["data"] == {
        "emailLogId": activity["id"],
        "campaignId": "cmp_weekend01",
        "leadId": "cld_w01",
        "toEmail": "ada@acme.example",
        "fromEmail": "sam@mail.brightpath.example",
        "subject": "Quick question, Ada",
        "sequenceStep": 1,
    }


@pytest.mark.campaign_mock_scenario("foxreach/weekend")
def test_an_inactive_webhook_receives_nothing(mock_session: MockSession, api: httpx.Client, receiver: Receiver) -> None:
    hook = data(api.post("/webhooks", json={"url": receiver.url, "events": ["email.sent"]}), 201)
    data(api.patch(f"/webhooks/{hook['id']}", json={"isActive": False}))
    data(api.post("/campaigns/cmp_weekend01/start"))
    mock_session.advance_clock(3600)
    assert data(api.get("/campaigns/cmp_weekend01"))["totalSent"] == 4
    assert mock_session.admin("GET", "webhooks", params={"vendor": "foxreach"}).json()["deliveries"] == []
    assert receiver.received == []


def test_lead_creation_and_a_new_reply_category_are_sent_as_they_happen(
    mock_session: MockSession, api: httpx.Client, receiver: Receiver
) -> None:
    events = ["lead.created", "reply.categorized"]
    data(api.post("/webhooks", json={"url": receiver.url, "events": events}), 201)
    lead = data(api.post("/leads", json={"email": "kim@new.example", "firstName": "Kim"}), 201)
    data(api.patch("/inbox/rpl_cleo01", json={"isRead": True}))  # no new category: no event
    data(api.patch("/inbox/rpl_cleo01", json={"category": "not_interested"}))

    deliveries = settled_deliveries(mock_session, 2)
    bodies = [json.loads(d["body"]) for d in deliveries]
    assert [(b["event"], d["status"]) for b, d in zip(bodies, deliveries, strict=True)] == [
        ("lead.created", "delivered"),
        ("reply.categorized", "delivered"),
    ]
    assert bodies[0]["data"] == lead
    assert bodies[1]["data"] == {
        "replyId": "crp_cleo01",
        "category": "not_interested",
        "previousCategory": "interested",
    }
    assert len(receiver.received) == 2
