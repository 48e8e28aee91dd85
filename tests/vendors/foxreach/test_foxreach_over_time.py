"""FoxReach campaigns over time, through HTTP on a frozen clock moved with `POST /__admin/clock/advance`:
sending days and hours, the mailbox's daily limit, steps and their delays, seeded outcomes, the counters, the
analytics and the inbox that follow them, completion, pause, and the same results however the clock moves."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from foxreach_support import KEY, data

from campaign_mock.pytest_plugin import MockSession

WEEKEND = "foxreach/weekend"
CAMPAIGN = "cmp_weekend01"
MAILBOX = "acc_solo01"
MAILBOX_LIMIT = 4
HOUR = 3600


def parse(naive: str) -> datetime:
    return datetime.fromisoformat(naive).replace(tzinfo=UTC)


def now_of(mock_session: MockSession) -> datetime:
    return parse(mock_session.admin("GET", "clock").json()["now"].rstrip("Z").split(".")[0])


def sent_emails(api: httpx.Client, campaign_id: str) -> list[dict[str, Any]]:
    """Every campaign email in the leads' activity, with its lead."""
    emails = []
    for lead in data(api.get("/leads", params={"pageSize": 100})):
        for entry in data(api.get(f"/leads/{lead['id']}/activity"))["activities"]:
            if entry["type"] == "email_sent" and entry["sequenceStep"] is not None:
                emails.append({**entry, "lead": lead})
    assert all(e["campaignName"] == "Weekday outreach" for e in emails if campaign_id == CAMPAIGN)
    return sorted(emails, key=lambda e: e["timestamp"])


def export(mock_session: MockSession) -> dict[str, Any]:
    state: dict[str, Any] = mock_session.admin("GET", "state").json()
    return {"vendors": state["vendors"]["foxreach"], "ids": state["ids"]}


def start(api: httpx.Client, campaign_id: str = CAMPAIGN) -> dict[str, Any]:
    campaign: dict[str, Any] = data(api.post(f"/campaigns/{campaign_id}/start"))
    return campaign


@pytest.mark.campaign_mock_scenario(WEEKEND)
def test_a_weekday_campaign_started_on_friday_sends_nothing_at_the_weekend(
    mock_session: MockSession, api: httpx.Client
) -> None:
    started = now_of(mock_session)
    assert started.isoweekday() == 5  # Friday
    assert start(api)["status"] == "active"
    mailbox_days: dict[str, int] = {}
    for _ in range(12 * 12):  # twelve days, two hours at a time
        mock_session.advance_clock(2 * HOUR)
        now = now_of(mock_session)
        mailbox = data(api.get(f"/email-accounts/{MAILBOX}"))
        assert mailbox["sentToday"] <= MAILBOX_LIMIT
        mailbox_days[now.date().isoformat()] = mailbox["sentToday"]
        if now.isoweekday() in (6, 7):
            assert mailbox["sentToday"] == 0, now

    emails = sent_emails(api, CAMPAIGN)
    per_day = Counter(parse(e["timestamp"]).date().isoformat() for e in emails)
    # Never at the weekend, never more than the mailbox allows, always inside 09:00-17:00 (UTC).
    assert all(datetime.fromisoformat(day).isoweekday() <= 5 for day in per_day), per_day
    assert max(per_day.values()) == MAILBOX_LIMIT
    assert all(9 <= parse(e["timestamp"]).hour < 17 for e in emails)
    assert per_day[started.date().isoformat()] == MAILBOX_LIMIT
    assert all(mailbox_days[day] == count for day, count in per_day.items() if day in mailbox_days)
    # Step 2 follows step 1 of the same lead after at least its delay (1 day).
    first = {e["lead"]["id"]: parse(e["timestamp"]) for e in emails if e["sequenceStep"] == 1}
    for email in (e for e in emails if e["sequenceStep"] == 2):
        assert parse(email["timestamp"]) - first[email["lead"]["id"]] >= timedelta(days=1)
        assert email["subject"] == f"Re: Quick question, {email['lead']['firstName']}"

    campaign = data(api.get(f"/campaigns/{CAMPAIGN}"))
    analytics = data(api.get(f"/analytics/campaigns/{CAMPAIGN}"))
    threads = api.get("/inbox/threads", params={"campaignId": CAMPAIGN, "pageSize": 100}).json()
    bounced = [e for e in emails if e["status"] == "bounced"]
    opened = [e for e in emails if e["openedAt"] is not None]
    assert campaign["status"] == "completed"
    assert campaign["completedAt"] >= emails[-1]["timestamp"]
    assert (campaign["totalSent"], analytics["sent"]) == (len(emails), len(emails))
    assert campaign["totalBounced"] == analytics["bounced"] == len(bounced) > 0
    assert campaign["totalDelivered"] == analytics["delivered"] == len(emails) - len(bounced)
    assert campaign["totalOpened"] == analytics["opened"] == len(opened) > 0
    assert campaign["totalReplied"] == analytics["replied"] == threads["meta"]["total"] > 0
    daily = {d["date"]: d for d in analytics["dailyStats"]}
    assert {day: d["sent"] for day, d in daily.items() if d["sent"]} == dict(per_day)
    assert sum(d["replied"] for d in daily.values()) == campaign["totalReplied"]
    # The inbox holds each reply as a thread: the campaign email, then the lead's answer.
    for thread in threads["data"]:
        assert thread["leadId"] and thread["accountId"] == MAILBOX
        conversation = data(api.get(f"/inbox/threads/{thread['id']}/conversation"))
        assert [m["direction"] for m in conversation["messages"]] == ["sent", "received"]
        assert data(api.get(f"/leads/{thread['leadId']}"))["status"] in ("replied", "bounced")
    # A lead who replied got no further step (sendOnlyIfNoReply), a bounced one nothing after the bounce.
    for lead_id in {e["lead"]["id"] for e in bounced}:
        assert data(api.get(f"/leads/{lead_id}"))["status"] == "bounced"
        assert max(e["sequenceStep"] for e in emails if e["lead"]["id"] == lead_id) == min(
            e["sequenceStep"] for e in bounced if e["lead"]["id"] == lead_id
        )
    overview = data(api.get("/analytics/overview"))
    assert (overview["totalSent"], overview["totalReplies"]) == (campaign["totalSent"], campaign["totalReplied"])


def run_week(mock_session: MockSession, api: httpx.Client, moves: list[int]) -> dict[str, Any]:
    mock_session.load_scenario(WEEKEND)
    start(api)
    for seconds in moves:
        mock_session.advance_clock(seconds)
    return export(mock_session)


def test_same_seed_and_moves_give_identical_records_however_the_clock_jumps(
    mock_session: MockSession, campaign_mock: Any
) -> None:
    """Twice in small steps, once in a single jump: the same records, ids and outcomes, byte for byte."""
    small = [3 * HOUR] * 8 * 10  # ten days in three-hour steps
    results = []
    for moves in (small, small, [sum(small)]):
        other = MockSession(campaign_mock, f"{mock_session.name}-{len(results)}", mock_session._client)
        with httpx.Client(base_url=other.url("foxreach") + "/api/v1", headers={"X-API-Key": KEY}) as client:
            results.append(run_week(other, client, moves))
        other.admin("DELETE", "sessions")
    assert results[0] == results[1] == results[2]
    assert results[0]["vendors"]["campaigns"][0]["status"] == "completed"


@pytest.mark.campaign_mock_scenario(WEEKEND)
def test_a_state_imported_mid_campaign_carries_on_like_the_one_it_was_exported_from(
    mock_session: MockSession, api: httpx.Client, campaign_mock: Any
) -> None:
    start(api)
    mock_session.advance_clock(4 * 24 * HOUR + 5 * HOUR)  # Tuesday 15:00, with mail in flight
    twin = MockSession(campaign_mock, f"{mock_session.name}-twin", mock_session._client)
    assert twin.admin("PUT", "state", json=mock_session.admin("GET", "state").json()).status_code == 200
    for session in (mock_session, twin):
        session.advance_clock(7 * 24 * HOUR)
    assert export(twin) == export(mock_session)
    assert export(twin)["vendors"]["campaigns"][0]["status"] == "completed"
    twin.admin("DELETE", "sessions")


@pytest.mark.campaign_mock_scenario(WEEKEND)
def test_a_paused_campaign_holds_its_sends_until_resumed(mock_session: MockSession, api: httpx.Client) -> None:
    start(api)
    mock_session.advance_clock(20 * 60)  # two sends, 9 min 36 s apart
    sent = data(api.get(f"/campaigns/{CAMPAIGN}"))["totalSent"]
    assert 0 < sent < MAILBOX_LIMIT
    data(api.post(f"/campaigns/{CAMPAIGN}/pause"))
    mock_session.advance_clock(4 * 24 * HOUR)  # to Tuesday
    paused = data(api.get(f"/campaigns/{CAMPAIGN}"))
    assert (paused["status"], paused["totalSent"]) == ("paused", sent)
    assert len(sent_emails(api, CAMPAIGN)) == sent
    data(api.post(f"/campaigns/{CAMPAIGN}/resume"))
    mock_session.advance_clock(8 * HOUR)
    assert data(api.get(f"/campaigns/{CAMPAIGN}"))["totalSent"] == sent + MAILBOX_LIMIT


@pytest.mark.campaign_mock_scenario(WEEKEND)
def test_a_campaign_just_started_sends_its_first_email_one_pacing_interval_later(
    mock_session: MockSession, api: httpx.Client
) -> None:
    start(api)
    assert data(api.get(f"/campaigns/{CAMPAIGN}"))["totalSent"] == 0  # same instant: nothing yet
    gap = 8 * HOUR // 50  # the sending window spread over the daily limit
    mock_session.advance_clock(gap - 1)
    assert data(api.get(f"/campaigns/{CAMPAIGN}"))["totalSent"] == 0
    mock_session.advance_clock(1)
    assert data(api.get(f"/campaigns/{CAMPAIGN}"))["totalSent"] == 1
    assert data(api.get("/leads/cld_w01"))["lastContactedAt"] == "2025-01-17T10:09:36"


@pytest.mark.parametrize(
    ("simulation", "problem"),
    [
        ("{open_rate: 1.5}", "vendors.foxreach.simulation.open_rate"),
        ("{bounce_rate: -0.1}", "vendors.foxreach.simulation.bounce_rate"),
        ("{reply_rate: often}", "vendors.foxreach.simulation.reply_rate"),
        ("{click_rate: 0.1}", "click_rate"),
        ("{reply_categories: {interested: 0}}", "give at least one category a weight above 0"),
    ],
)
def test_bad_simulation_settings_are_refused_with_file_and_line(
    mock_session: MockSession, simulation: str, problem: str
) -> None:
    text = f"vendors:\n  foxreach:\n    api_keys: [otr_x]\n    simulation: {simulation}\n"
    response = mock_session.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400
    problems = response.json()["error"]["problems"]
    assert len(problems) == 1 and problems[0].startswith("<posted yaml>:4: ") and problem in problems[0], problems
