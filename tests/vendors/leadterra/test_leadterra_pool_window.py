"""Sender-pool capacity is a rolling 24-hour window on the mock clock, and repeats in one bulk request count once."""

from __future__ import annotations

from leadterra_client import Leadterra

NEARLY_EMPTY = """
extends: default
clock: {now: "2025-03-01T08:00:00Z", frozen: true}
vendors:
  leadterra:
    senderPools:
      - {id: pool_01HZ9KQMX7T3VB2N, name: Primary Outbound, dailyCapacity: 3, remainingVolume: 1,
         senderAccountIds: [sa_01HXYZ001], windowStartedAt: "2025-03-01T00:00:00Z"}
"""


def _primary(leadterra: Leadterra) -> dict[str, object]:
    pools = leadterra.get("/v1/sender-pools").json()
    return next(p for p in pools if p["id"] == "pool_01HZ9KQMX7T3VB2N")


def test_list_sender_pools_refills_once_the_window_has_passed(leadterra: Leadterra) -> None:
    leadterra.load(NEARLY_EMPTY)
    assert _primary(leadterra)["remainingVolume"] == 1

    leadterra.session.advance_clock(15 * 3600)  # 23:00, one hour before the window ends
    assert _primary(leadterra)["remainingVolume"] == 1

    leadterra.session.advance_clock(3600)  # 2025-03-02T00:00:00Z
    assert _primary(leadterra)["remainingVolume"] == 3
    pool = leadterra.state()["senderPools"][0]
    assert pool["windowStartedAt"] == "2025-03-02T00:00:00Z"


def test_start_campaign_sends_against_the_refilled_capacity(leadterra: Leadterra) -> None:
    leadterra.load(NEARLY_EMPTY)
    start = leadterra.post("/v1/campaigns/camp_123/start")  # two leads, one send left today
    assert start.json()["status"] == "running"
    stats = leadterra.get("/v1/campaigns/camp_123/stats").json()
    assert (stats["sent"], stats["queued"]) == (1, 1)

    leadterra.session.advance_clock(16 * 3600)  # 2025-03-02T00:00:00Z: the pool's next window
    enrol = leadterra.post("/v1/campaigns/camp_123/leads/bulk", json={"leads": [{"email": "late@acme.example"}]})
    assert enrol.json() == {"enrolled": 1, "updated": 0, "skipped": 0, "total": 1}
    # The new window's capacity (3) took the waiting lead at its start, then the new one.
    stats = leadterra.get("/v1/campaigns/camp_123/stats").json()
    assert (stats["sent"], stats["queued"]) == (3, 0)
    assert _primary(leadterra)["remainingVolume"] == 1


def test_bulk_enroll_leads_counts_a_repeated_address_once(leadterra: Leadterra) -> None:
    leads = [{"email": "dup@acme.example"}, {"email": "DUP@acme.example", "firstName": "Dee"}]
    response = leadterra.post("/v1/campaigns/camp_123/leads/bulk", json={"leads": leads})
    assert response.json() == {"enrolled": 1, "updated": 0, "skipped": 0, "total": 1}
    campaign = next(c for c in leadterra.state()["campaigns"] if c["id"] == "camp_123")
    assert [lead for lead in campaign["leads"] if lead["email"].lower() == "dup@acme.example"] == [
        {"email": "dup@acme.example", "firstName": "Dee"}
    ]
