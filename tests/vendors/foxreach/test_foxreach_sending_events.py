"""FoxReach's state moved on in time without HTTP: the webhook events it emits (documented payloads, only to
active subscribed webhooks), one jump against many small ones, time zones, and how long a big campaign takes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.events import WebhookEvent
from campaign_mock.engine.ids import IdFactory
from campaign_mock.engine.vendor import StateContext
from campaign_mock.vendors.foxreach.state import FoxReachState

FRIDAY = datetime(2025, 1, 17, 10, 0, tzinfo=UTC)
EMAIL_FIELDS = {"emailLogId", "campaignId", "leadId", "toEmail", "fromEmail", "subject", "sequenceStep"}
ALL_EVENTS = ["email.sent", "email.bounced", "email.opened", "reply.received", "campaign.completed"]


def section(leads: int, simulation: dict[str, Any], **campaign: Any) -> dict[str, Any]:
    lead_ids = [f"cld_{i:05d}" for i in range(leads)]
    return {
        "api_keys": ["otr_x"],
        "simulation": simulation,
        "leads": [{"id": i, "email": f"{i}@lead.example", "firstName": f"N{i[-3:]}"} for i in lead_ids],
        "emailAccounts": [{"id": "acc_1", "email": "sender@mail.example", "dailyLimit": 1000}],
        "campaigns": [
            {
                "id": "cmp_1",
                "name": "Live",
                "status": "active",
                "updatedAt": "2025-01-17T10:00:00",
                "dailyLimit": 1000,
                "sequences": [{"id": "seq_1", "subject": "Hi {{firstName}}", "body": "Hello"}],
                "leadIds": lead_ids,
                "accountIds": ["acc_1"],
                **campaign,
            }
        ],
        "webhooks": [
            {"id": "cwh_all", "url": "https://all.example", "events": ALL_EVENTS, "secret": "whsec_all"},
            {"id": "cwh_off", "url": "https://off.example", "events": ALL_EVENTS, "isActive": False},
            {"id": "cwh_replies", "url": "https://replies.example", "events": ["reply.received"]},
        ],
    }


def run(data: dict[str, Any], moves: list[timedelta], seed: int = 3) -> tuple[FoxReachState, list[WebhookEvent]]:
    ids, chance, events = IdFactory(), Chance(seed), []
    state = FoxReachState.from_dict(data, StateContext(FRIDAY, ids, chance, events.append))
    now = FRIDAY
    for move in moves:
        now += move
        state.advance_to(StateContext(now, ids, chance, events.append))
    return state, events


def bodies(events: list[WebhookEvent], name: str, hook: str = "cwh_all") -> list[dict[str, Any]]:
    return [e.body for e in events if e.event == name and e.webhook_id == hook]


def test_sent_opened_replied_and_completed_events_carry_the_documented_payloads() -> None:
    state, events = run(section(3, {"bounce_rate": 0, "reply_rate": 1, "open_rate": 0}), [timedelta(days=5)])
    assert {e.webhook_id for e in events} == {"cwh_all", "cwh_replies"}  # never the inactive webhook
    assert all(e.vendor == "foxreach" and e.url.startswith("https://") for e in events)
    assert all(e.secret == "whsec_all" for e in events if e.webhook_id == "cwh_all")
    for event in events:
        assert set(event.body) == {"event", "timestamp", "data"}
        assert event.body["event"] == event.event
        assert event.body["timestamp"] == event.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [e.at for e in events] == sorted(e.at for e in events)

    sent = bodies(events, "email.sent")
    leads = {lead["id"]: lead for lead in state.leads}
    assert len(sent) == 3
    for body in sent:
        data = body["data"]
        assert set(data) == EMAIL_FIELDS
        lead = leads[data["leadId"]]
        assert data["emailLogId"].startswith("cel_")
        assert data["emailLogId"] in {a["id"] for a in lead["activities"]}
        assert (data["campaignId"], data["toEmail"], data["fromEmail"]) == (
            "cmp_1",
            lead["email"],
            "sender@mail.example",
        )
        assert (data["subject"], data["sequenceStep"]) == (f"Hi {lead['firstName']}", 1)
    # A reply is always opened first; both follow their email.
    assert [b["data"] for b in bodies(events, "email.opened")] == [b["data"] for b in sent]
    replies = bodies(events, "reply.received")
    assert replies == bodies(events, "reply.received", "cwh_replies")
    inbox = {r["id"]: r for r in state.inbox}
    for body in replies:
        data = body["data"]
        assert set(data) == {"replyId", "campaignId", "leadId", "fromEmail", "subject", "bodyPreview"}
        assert data["replyId"].startswith("crp_")
        reply = inbox["rpl_" + data["replyId"].removeprefix("crp_")]
        assert (data["leadId"], data["fromEmail"], data["subject"]) == (
            reply["leadId"],
            leads[reply["leadId"]]["email"],
            reply["subject"],
        )
        assert data["bodyPreview"] == reply["bodyPreview"] and data["subject"].startswith("Re: Hi ")
    # The campaign completed when its last lead finished (its only step sent).
    completed = bodies(events, "campaign.completed")
    campaign = state.campaigns[0]
    assert [b["data"] for b in completed] == [
        {
            "campaignId": "cmp_1",
            "name": "Live",
            "status": "completed",
            "startedAt": campaign["startedAt"],
            "completedAt": campaign["completedAt"],
        }
    ]
    assert completed[0]["timestamp"] == campaign["completedAt"] + "Z" == sent[-1]["timestamp"]


def test_bounced_events_add_the_bounce_type_and_stop_the_lead() -> None:
    steps = [{"id": "seq_1", "subject": "Hi", "body": "a"}, {"id": "seq_2", "body": "b", "delayDays": 1}]
    state, events = run(section(2, {"bounce_rate": 1}, sequences=steps), [timedelta(days=7)])
    bounced = bodies(events, "email.bounced")
    assert [b["data"] for b in bounced] == [{**b["data"], "bounceType": "hard"} for b in bodies(events, "email.sent")]
    assert all(set(b["data"]) == EMAIL_FIELDS | {"bounceType"} for b in bounced)
    assert [lead["status"] for lead in state.leads] == ["bounced", "bounced"]
    campaign = state.campaigns[0]
    assert (campaign["totalSent"], campaign["totalBounced"], campaign["totalDelivered"]) == (2, 2, 0)
    assert campaign["status"] == "completed"  # nobody left to send to: step 2 never went out


def test_one_jump_gives_the_same_records_and_events_as_many_small_ones() -> None:
    steps = [
        {"id": "seq_1", "subject": "Hi {{firstName}}", "body": "{Hello|Hi} there"},
        {"id": "seq_2", "subject": None, "body": "Bump", "delayDays": 2, "delayHours": 3},
    ]
    data = section(300, {"reply_rate": 0.2, "bounce_rate": 0.05}, sequences=steps, dailyLimit=40)
    data["emailAccounts"][0]["dailyLimit"] = 30
    one_jump = run(data, [timedelta(days=40)])
    hourly = run(data, [timedelta(hours=1)] * 24 * 40)
    uneven = run(data, [timedelta(seconds=s) for s in (1, 59, 3600, 86399, 7 * 86400 + 13)] + [timedelta(days=31)])
    assert one_jump[0].to_dict() == hourly[0].to_dict() == uneven[0].to_dict()
    assert one_jump[1] == hourly[1] == uneven[1]
    campaign = one_jump[0].campaigns[0]
    assert campaign["status"] == "completed" and campaign["totalReplied"] > 0 and campaign["totalBounced"] > 0
    per_day = [d["sent"] for d in campaign["dailyStats"]]
    assert max(per_day) == 30  # the mailbox binds before the campaign's 40


def test_an_exported_state_goes_on_exactly_as_the_state_it_came_from() -> None:
    """What a snapshot restore relies on: mail in flight, pacing, mailbox turns and daily counts are all in the
    records, so a state rebuilt from its export mid-campaign (a Tuesday afternoon) carries on identically."""
    steps = [{"id": "seq_1", "subject": "Hi", "body": "a"}, {"id": "seq_2", "body": "b", "delayHours": 30}]
    data = section(120, {"reply_rate": 0.3, "bounce_rate": 0.05}, sequences=steps, dailyLimit=45)
    data["emailAccounts"] = [{"id": f"acc_{i}", "email": f"s{i}@mail.example", "dailyLimit": 12} for i in range(3)]
    data["campaigns"][0]["accountIds"] = ["acc_0", "acc_1", "acc_2"]
    ids, chance, events = IdFactory(), Chance(5), []
    split = FRIDAY + timedelta(days=4, hours=5, minutes=7)
    original = FoxReachState.from_dict(data, StateContext(FRIDAY, ids, chance, events.append))
    original.advance_to(StateContext(split, ids, chance, events.append))
    twin_ids, twin_events = IdFactory(counters=dict(ids.counters)), list(events)
    twin = FoxReachState.from_dict(original.to_dict(), StateContext(split, twin_ids, chance, twin_events.append))
    assert twin.to_dict() == original.to_dict()
    for state, state_ids, sink in ((original, ids, events), (twin, twin_ids, twin_events)):
        state.advance_to(StateContext(split + timedelta(days=20), state_ids, chance, sink.append))
    assert twin.to_dict() == original.to_dict()
    assert twin_events == events
    assert original.campaigns[0]["status"] == "completed"


def test_the_sending_window_is_read_in_the_campaign_time_zone() -> None:
    zone = ZoneInfo("America/New_York")
    state, _ = run(section(40, {}, timezone="America/New_York", sendingDays=[2, 4]), [timedelta(days=10)])
    sent = [a["timestamp"] for lead in state.leads for a in lead["activities"]]
    local = [datetime.fromisoformat(s).replace(tzinfo=UTC).astimezone(zone) for s in sent]
    assert len(local) == 40
    assert {t.isoweekday() for t in local} <= {2, 4}
    assert all(9 <= t.hour < 17 for t in local)
    assert {d["date"] for d in state.campaigns[0]["dailyStats"] if d["sent"]} == {t.date().isoformat() for t in local}


def test_a_seeded_active_campaign_whose_leads_have_all_finished_is_taken_as_it_is() -> None:
    data = section(1, {})
    data["inbox"] = [{"id": "rpl_1", "fromEmail": "x@lead.example", "leadId": "cld_00000", "campaignId": "cmp_1",
                      "accountId": "acc_1"}]  # fmt: skip
    state, events = run(data, [timedelta(days=3)])
    assert (state.campaigns[0]["status"], state.campaigns[0]["totalSent"], events) == ("active", 0, [])


def test_ten_thousand_leads_over_thirty_days_catch_up_in_one_jump_quickly() -> None:
    data = section(10_000, {})
    data["emailAccounts"] = [{"id": f"acc_{i}", "email": f"s{i}@mail.example", "dailyLimit": 100} for i in range(20)]
    data["campaigns"][0].update(accountIds=[f"acc_{i}" for i in range(20)], dailyLimit=5000)
    ids, chance = IdFactory(), Chance(1)
    state = FoxReachState.from_dict(data, StateContext(FRIDAY, ids, chance))
    started = time.process_time()
    state.advance_to(StateContext(FRIDAY + timedelta(days=30), ids, chance))
    spent = time.process_time() - started
    campaign = state.campaigns[0]
    assert (campaign["status"], campaign["totalSent"]) == ("completed", 10_000)
    assert spent < 10, f"{spent:.2f} s of CPU"  # about 0.5 s on an idle laptop; the bound only catches blow-ups
