"""Leadterra's campaign states over HTTP: draft -> running <-> paused, and the documented no-ops."""

from __future__ import annotations

from leadterra_client import Leadterra

T0 = "2025-02-01T09:00:00Z"
T1 = "2025-02-01T10:00:00Z"


def test_start_campaign_on_running_is_a_noop_returning_current_state(leadterra: Leadterra) -> None:
    before = leadterra.campaign("camp_running")

    response = leadterra.post("/v1/campaigns/camp_running/start")

    assert (response.status_code, response.json()) == (
        200,
        {"id": "camp_running", "status": "running", "startedAt": "2025-01-11T09:00:00Z"},
    )
    assert leadterra.campaign("camp_running") == before


def test_start_campaign_twice_keeps_the_first_start_and_queue(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")
    leadterra.admin("POST", "clock/advance", json={"seconds": 3600})

    again = leadterra.post("/v1/campaigns/camp_123/start")

    assert (again.status_code, again.json()) == (200, {"id": "camp_123", "status": "running", "startedAt": T0})
    assert leadterra.stats("camp_123")["queued"] == 2


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


def test_pause_campaign_on_running_holds_queued_messages(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")
    leadterra.admin("POST", "clock/advance", json={"seconds": 3600})

    paused = leadterra.post("/v1/campaigns/camp_123/pause")

    assert (paused.status_code, paused.json()) == (200, {"id": "camp_123", "status": "paused", "pausedAt": T1})
    assert leadterra.stats("camp_123")["queued"] == 2


def test_start_campaign_on_paused_resumes_with_held_queue(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(T0)
    leadterra.post("/v1/campaigns/camp_123/start")
    leadterra.post("/v1/campaigns/camp_123/pause")
    leadterra.admin("POST", "clock/advance", json={"seconds": 3600})

    resumed = leadterra.post("/v1/campaigns/camp_123/start")

    # Resuming carries on where it stopped: startedAt is the first start, and nothing is queued twice.
    assert (resumed.status_code, resumed.json()) == (200, {"id": "camp_123", "status": "running", "startedAt": T0})
    assert leadterra.stats("camp_123")["queued"] == 2
    assert leadterra.campaign("camp_123")["status"] == "running"


def test_start_campaign_on_paused_scenario_campaign_resumes(leadterra: Leadterra) -> None:
    pool = leadterra.pool("pool_01HZ9KQMX7T3VB2N")["remainingVolume"]

    resumed = leadterra.post("/v1/campaigns/camp_paused/start")

    assert (resumed.status_code, resumed.json()) == (
        200,
        {"id": "camp_paused", "status": "running", "startedAt": "2025-01-06T09:00:00Z"},
    )
    # Its one lead was already queued before the pause: resuming queues nothing more.
    assert leadterra.stats("camp_paused")["queued"] == 1
    assert leadterra.pool("pool_01HZ9KQMX7T3VB2N")["remainingVolume"] == pool


def test_bulk_enroll_leads_while_running_queues_immediately(leadterra: Leadterra) -> None:
    pool = leadterra.pool("pool_01HZ9KQMX7T3VB2N")["remainingVolume"]
    before = leadterra.stats("camp_running")

    result = leadterra.enrol("camp_running", "new1@x.example", "new2@x.example")

    assert result == {"enrolled": 2, "updated": 0, "skipped": 0, "total": 2}
    assert leadterra.stats("camp_running") == {**before, "totalEnrolled": 5, "queued": 2}
    assert leadterra.pool("pool_01HZ9KQMX7T3VB2N")["remainingVolume"] == pool - 2


def test_bulk_enroll_leads_while_draft_queues_nothing_until_start(leadterra: Leadterra) -> None:
    leadterra.enrol("camp_123", "new@x.example")

    assert leadterra.stats("camp_123")["queued"] == 0
    leadterra.post("/v1/campaigns/camp_123/start")
    assert leadterra.stats("camp_123")["queued"] == 3


def test_bulk_enroll_leads_while_paused_holds_until_resume(leadterra: Leadterra) -> None:
    leadterra.enrol("camp_paused", "late@x.example")

    assert leadterra.stats("camp_paused")["queued"] == 1
    leadterra.post("/v1/campaigns/camp_paused/start")
    assert leadterra.stats("camp_paused")["queued"] == 2


def test_start_campaign_after_failed_start_succeeds_once_leads_arrive(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()
    assert leadterra.post(f"/v1/campaigns/{cid}/start").status_code == 400

    leadterra.enrol(cid, "a@x.example")
    started = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (started.status_code, started.json()["status"]) == (200, "running")
    assert leadterra.stats(cid)["queued"] == 1
