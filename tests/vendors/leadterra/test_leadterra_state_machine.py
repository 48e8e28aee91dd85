"""Leadterra's campaign states over HTTP: draft -> running <-> paused, and the documented no-ops."""

from __future__ import annotations

from leadterra_client import Leadterra

T0 = "2025-02-01T09:00:00Z"
T1 = "2025-02-01T10:00:00Z"
DAY = 24 * 3600
PRIMARY_POOL = "pool_01HZ9KQMX7T3VB2N"
# Nobody replies and nothing bounces, so every lead gets every step and the counts below follow from the rules alone.
NO_REPLIES = """
extends: default
vendors:
  leadterra:
    simulation: {reply_rate: 0, bounce_rate: 0}
"""


def _sent_queued(leadterra: Leadterra, campaign_id: str) -> tuple[int, int]:
    stats = leadterra.stats(campaign_id)
    return stats["sent"], stats["queued"]


def test_start_campaign_on_running_is_a_noop_returning_current_state(leadterra: Leadterra) -> None:
    before = leadterra.campaign("camp_running")

    response = leadterra.post("/v1/campaigns/camp_running/start")

    assert (response.status_code, response.json()) == (
        200,
        {"id": "camp_running", "status": "running", "startedAt": "2025-01-11T09:00:00Z"},
    )
    assert leadterra.campaign("camp_running") == before


def test_start_campaign_twice_keeps_the_first_start_and_counters(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")
    leadterra.admin("POST", "clock/advance", json={"seconds": 3600})
    before = leadterra.stats("camp_123")

    again = leadterra.post("/v1/campaigns/camp_123/start")

    assert (again.status_code, again.json()) == (200, {"id": "camp_123", "status": "running", "startedAt": T0})
    assert leadterra.stats("camp_123") == before
    assert (before["sent"], before["queued"]) == (2, 0)  # step 1 went out to both leads at the first start


def test_pause_campaign_on_draft_is_a_noop_returning_draft(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns/camp_123/pause")

    assert (response.status_code, response.json()) == (200, {"id": "camp_123", "status": "draft", "pausedAt": None})
    assert leadterra.campaign("camp_123")["status"] == "draft"


def test_pause_campaign_on_paused_is_a_noop_keeping_pausedat(leadterra: Leadterra) -> None:
    response = leadterra.post("/v1/campaigns/camp_paused/pause")

    assert (response.status_code, response.json()) == (
        200,
        {"id": "camp_paused", "status": "paused", "pausedAt": "2025-01-08T09:00:00Z"},
    )


def test_pause_campaign_on_running_holds_steps_that_come_due(leadterra: Leadterra) -> None:
    leadterra.load(NO_REPLIES)
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")  # step 1 now, step 2 three days later
    leadterra.admin("POST", "clock/advance", json={"seconds": 3600})

    paused = leadterra.post("/v1/campaigns/camp_123/pause")
    leadterra.admin("POST", "clock/advance", json={"seconds": 4 * DAY})

    assert (paused.status_code, paused.json()) == (200, {"id": "camp_123", "status": "paused", "pausedAt": T1})
    assert _sent_queued(leadterra, "camp_123") == (2, 2)  # step 2 came due while paused: held, not sent


def test_start_campaign_on_paused_resumes_with_held_queue(leadterra: Leadterra) -> None:
    leadterra.load(NO_REPLIES)
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")
    leadterra.post("/v1/campaigns/camp_123/pause")
    leadterra.admin("POST", "clock/advance", json={"seconds": 4 * DAY})
    pool = leadterra.pool(PRIMARY_POOL)["remainingVolume"]

    resumed = leadterra.post("/v1/campaigns/camp_123/start")

    # Resuming carries on where it stopped: startedAt is the first start, and the held steps go out now.
    assert (resumed.status_code, resumed.json()) == (200, {"id": "camp_123", "status": "running", "startedAt": T0})
    assert _sent_queued(leadterra, "camp_123") == (4, 0)
    assert leadterra.pool(PRIMARY_POOL)["remainingVolume"] == pool - 2
    sent = [m["sentAt"] for p in leadterra.campaign("camp_123")["progress"] for m in p["messages"]]
    assert sent == [T0, "2025-02-05T09:00:00Z", T0, "2025-02-05T09:00:00Z"]


def test_start_campaign_on_paused_scenario_campaign_resumes(leadterra: Leadterra) -> None:
    pool = leadterra.pool(PRIMARY_POOL)["remainingVolume"]
    assert _sent_queued(leadterra, "camp_paused") == (0, 1)  # the scenario's one held message

    resumed = leadterra.post("/v1/campaigns/camp_paused/start")

    assert (resumed.status_code, resumed.json()) == (
        200,
        {"id": "camp_paused", "status": "running", "startedAt": "2025-01-06T09:00:00Z"},
    )
    assert _sent_queued(leadterra, "camp_paused") == (1, 0)
    assert leadterra.pool(PRIMARY_POOL)["remainingVolume"] == pool - 1


def test_bulk_enroll_leads_while_running_sends_step_one_at_once(leadterra: Leadterra) -> None:
    pool = leadterra.pool(PRIMARY_POOL)["remainingVolume"]
    before = leadterra.stats("camp_running")

    result = leadterra.enrol("camp_running", "new1@x.example", "new2@x.example")

    assert result == {"enrolled": 2, "updated": 0, "skipped": 0, "total": 2}
    after = leadterra.stats("camp_running")
    assert (after["totalEnrolled"], after["sent"], after["queued"]) == (5, before["sent"] + 2, 0)
    assert leadterra.pool(PRIMARY_POOL)["remainingVolume"] == pool - 2


def test_bulk_enroll_leads_while_draft_sends_nothing_until_start(leadterra: Leadterra) -> None:
    leadterra.enrol("camp_123", "new@x.example")

    assert _sent_queued(leadterra, "camp_123") == (0, 0)
    leadterra.post("/v1/campaigns/camp_123/start")
    assert _sent_queued(leadterra, "camp_123") == (3, 0)


def test_bulk_enroll_leads_while_paused_holds_until_resume(leadterra: Leadterra) -> None:
    leadterra.enrol("camp_paused", "late@x.example")

    assert _sent_queued(leadterra, "camp_paused") == (0, 2)
    leadterra.post("/v1/campaigns/camp_paused/start")
    assert _sent_queued(leadterra, "camp_paused") == (2, 0)


def test_start_campaign_after_failed_start_succeeds_once_leads_arrive(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()
    assert leadterra.post(f"/v1/campaigns/{cid}/start").status_code == 400

    leadterra.enrol(cid, "a@x.example")
    started = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (started.status_code, started.json()["status"]) == (200, "running")
    assert _sent_queued(leadterra, cid) == (1, 0)
