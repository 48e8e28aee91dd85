"""Leadterra's webhook events: the documented payloads, emitted at the mock time they happen to every subscribed
webhook, and delivered signed with X-Leadterra-Signature (HMAC-SHA256 of the raw body with the webhook's secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from leadterra_client import Leadterra

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.events import WebhookEvent
from campaign_mock.engine.ids import IdFactory
from campaign_mock.engine.vendor import StateContext
from campaign_mock.receiver import WebhookReceiver
from campaign_mock.vendors.leadterra.state import LeadterraState

T0 = datetime(2025, 1, 15, 9, tzinfo=UTC)
ALL_EVENTS = ["campaign.started", "message.sent", "message.bounced", "reply.received"]
STEPS = [
    {"subject": "Hi", "bodyHtml": "<p>Hi</p>", "delayDays": 0},
    {"subject": "Re", "bodyHtml": "<p>Re</p>", "delayDays": 2},
]
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _workspace(events: list[WebhookEvent]) -> tuple[LeadterraState, StateContext]:
    ctx = StateContext(T0, IdFactory(), Chance(4), emit=events.append)
    section = {
        "campaigns": [
            {
                "id": "camp_ev",
                "name": "Events",
                "sequenceSteps": STEPS,
                "leads": [{"email": f"l{i}@x.example"} for i in range(40)],
            }
        ],
        "webhooks": [
            {"id": "wh_all", "url": "https://hooks.example.com/all", "events": ALL_EVENTS, "secret": "whsec_all"},
            {"id": "wh_replies", "url": "https://hooks.example.com/replies", "events": ["reply.received"]},
        ],
        "simulation": {"open_rate": 0.5, "reply_rate": 0.3, "bounce_rate": 0.2, "hard_bounce_share": 0.5},
    }
    return LeadterraState.from_dict(section, ctx), ctx


def test_emitted_events_carry_the_documented_payloads() -> None:
    events: list[WebhookEvent] = []
    state, ctx = _workspace(events)
    campaign = state.campaign("camp_ev")
    state.start(campaign, ctx, allow_empty=False)
    state.advance_to(StateContext(T0 + timedelta(days=5), ctx.ids, ctx.chance, emit=events.append))

    assert events, "nothing was emitted"
    secrets = {h["id"]: h["secret"] for h in state.webhooks}
    messages = {m["id"]: (p["email"], m) for p in campaign["progress"] for m in p["messages"]}
    replies = {r["id"]: r for r in state.replies}
    for event in events:
        assert (event.vendor, event.event) == ("leadterra", event.body["event"])
        assert event.secret == secrets[event.webhook_id]
        assert event.url == next(h["url"] for h in state.webhooks if h["id"] == event.webhook_id)
        assert set(event.body) == {"event", "timestamp", "data"}
        assert ISO_Z.fullmatch(event.body["timestamp"])
        assert event.body["timestamp"] == event.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        data: dict[str, Any] = event.body["data"]
        assert data["campaignId"] == "camp_ev"
        if event.event == "campaign.started":
            assert data == {"campaignId": "camp_ev", "name": "Events", "status": "running",
                            "startedAt": "2025-01-15T09:00:00Z", "leadsEnrolled": 40}  # fmt: skip
            continue
        email, message = messages[data["messageId"]]
        assert (data["email"], data["sequenceStep"]) == (email, message["step"])
        if event.event == "message.sent":
            assert data == {**data, "sentAt": message["sentAt"]} and event.body["timestamp"] == message["sentAt"]
        elif event.event == "message.bounced":
            assert data["bounceType"] in ("hard", "soft") and data["bounceReason"]
            assert data["bouncedAt"] == message["bouncedAt"] == event.body["timestamp"]
        else:
            assert data["reply"] == replies[data["reply"]["id"]]
            assert message["repliedAt"] == data["reply"]["receivedAt"] == event.body["timestamp"]

    by_hook: dict[str, list[str]] = {}
    for event in events:
        by_hook.setdefault(event.webhook_id, []).append(event.event)
    assert set(by_hook["wh_all"]) == set(ALL_EVENTS)
    assert set(by_hook["wh_replies"]) == {"reply.received"}  # only what it subscribed to
    assert by_hook["wh_replies"] == [e for e in by_hook["wh_all"] if e == "reply.received"]
    assert [e.at for e in events] == sorted(e.at for e in events)  # in time order
    assert re.fullmatch(r"whsec_[0-9a-z]{32}", secrets["wh_replies"])  # made up when the scenario gives none


def test_no_events_go_to_a_workspace_without_webhooks() -> None:
    events: list[WebhookEvent] = []
    state, ctx = _workspace(events)
    state.webhooks.clear()
    state.start(state.campaign("camp_ev"), ctx, allow_empty=False)
    state.advance_to(StateContext(T0 + timedelta(days=5), ctx.ids, ctx.chance, emit=events.append))

    assert events == []
    assert state.stats(state.campaign("camp_ev"))["sent"] > 40


def test_deliveries_reach_a_local_receiver_signed_with_the_webhook_secret(
    leadterra: Leadterra, webhook_receiver: WebhookReceiver
) -> None:
    leadterra.freeze_clock("2025-01-15T09:00:00Z")
    registered = leadterra.post(
        "/v1/webhooks", json={"url": webhook_receiver.url, "events": ["campaign.started", "message.sent"]}
    )
    assert registered.status_code == 201, registered.text
    secret = next(h["secret"] for h in leadterra.state()["webhooks"] if h["id"] == registered.json()["id"])

    leadterra.post("/v1/campaigns/camp_123/start")  # two leads: campaign.started, then step 1 to each

    received = webhook_receiver.wait_for(3)
    assert [r.json["event"] for r in received] == ["campaign.started", "message.sent", "message.sent"]
    for request in received:
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.header("X-Leadterra-Signature") == expected
        assert json.loads(request.body)["timestamp"] == "2025-01-15T09:00:00Z"
    assert {r.json["data"]["email"] for r in received[1:]} == {"ana@acme.example", "ben@globex.example"}
    listed = leadterra.session.webhooks()
    assert [d["body"].encode() for d in listed] == [r.body for r in received]
