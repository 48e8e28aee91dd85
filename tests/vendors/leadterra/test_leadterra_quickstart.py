"""The Leadterra quickstart over HTTP: sender pools -> create campaign -> bulk enrol -> start -> stats."""

from __future__ import annotations

import re

from leadterra_client import STEP, Leadterra

PRIMARY_POOL = "pool_01HZ9KQMX7T3VB2N"  # the default scenario's first pool: new campaigns send through it
NOW = "2025-01-15T11:00:00Z"

CAPPED_POOL = """
name: pool-capped
vendors:
  leadterra:
    api_keys: [sk_test_leadterra]
    senderPools:
      - {id: pool_small, name: Small, dailyCapacity: 10, remainingVolume: 2}
    campaigns:
      - id: camp_five
        name: Five leads
        sequenceSteps: [{subject: Hi, bodyHtml: "<p>Hi</p>"}]
        leads: [{email: a@x.example}, {email: b@x.example}, {email: c@x.example},
                {email: d@x.example}, {email: e@x.example}]
      - id: camp_two
        name: Two leads
        sequenceSteps: [{subject: Hi, bodyHtml: "<p>Hi</p>"}]
        leads: [{email: f@x.example}, {email: g@x.example}]
"""


def test_quickstart_flow_sends_step_one_to_every_enrolled_lead_at_start(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(NOW)

    pools = leadterra.get("/v1/sender-pools")
    assert pools.status_code == 200
    primary = next(p for p in pools.json() if p["id"] == PRIMARY_POOL)
    before = primary["remainingVolume"]

    steps = [STEP, {"subject": "Re: Hi", "bodyHtml": "<p>Bumping this.</p>", "delayDays": 3}]
    created = leadterra.post("/v1/campaigns", json={"name": "Q3 outreach", "sequenceSteps": steps})
    assert created.status_code == 201
    campaign = created.json()
    assert re.fullmatch(r"camp_[0-9a-z]{26}", campaign["id"])
    assert campaign == {
        "id": campaign["id"],
        "name": "Q3 outreach",
        "status": "draft",
        "sequenceSteps": steps,
        "createdAt": NOW,
    }
    cid = campaign["id"]

    baseline = leadterra.stats(cid)
    assert baseline == {
        "campaignId": cid,
        "totalEnrolled": 0,
        "sent": 0,
        "delivered": 0,
        "bounced": 0,
        "replied": 0,
        "queued": 0,
        "openRate": 0.0,
        "replyRate": 0.0,
    }

    leads = [
        {"email": "zoe@initech.example", "firstName": "Zoe", "company": "Initech", "jobTitle": "VP Sales"},
        {"email": "yan@hooli.example", "firstName": "Yan"},
        {"email": "ana@acme.example", "jobTitle": "CRO"},  # already a lead of camp_123: upserted
        {"email": "optout@acme.example"},  # on the default scenario's suppression list: skipped
    ]
    enrolled = leadterra.post(f"/v1/campaigns/{cid}/leads/bulk", json={"leads": leads})
    assert (enrolled.status_code, enrolled.json()) == (200, {"enrolled": 2, "updated": 1, "skipped": 1, "total": 3})

    started = leadterra.post(f"/v1/campaigns/{cid}/start")
    assert (started.status_code, started.json()) == (200, {"id": cid, "status": "running", "startedAt": NOW})

    # Step 1 goes out at start (the pool has room): nothing is left queued, and the pool gave one send per lead.
    stats = leadterra.stats(cid)
    assert (stats["totalEnrolled"], stats["sent"], stats["queued"]) == (3, 3, 0)
    assert leadterra.pool(PRIMARY_POOL)["remainingVolume"] == before - 3


def test_start_campaign_sends_no_more_than_the_pool_remaining_volume(leadterra: Leadterra) -> None:
    leadterra.load(CAPPED_POOL)

    started = leadterra.post("/v1/campaigns/camp_five/start")

    assert started.status_code == 200
    stats = leadterra.stats("camp_five")
    assert (stats["totalEnrolled"], stats["sent"], stats["queued"]) == (5, 2, 3)
    assert leadterra.pool("pool_small")["remainingVolume"] == 0


def test_start_campaign_queues_everything_once_the_pool_is_used_up(leadterra: Leadterra) -> None:
    leadterra.load(CAPPED_POOL)
    leadterra.post("/v1/campaigns/camp_five/start")

    started = leadterra.post("/v1/campaigns/camp_two/start")

    assert (started.status_code, started.json()["status"]) == (200, "running")
    stats = leadterra.stats("camp_two")
    assert (stats["sent"], stats["queued"]) == (0, 2)
    assert leadterra.pool("pool_small")["remainingVolume"] == 0


def test_bulk_enroll_leads_skips_suppressed_addresses_in_any_case(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()

    result = leadterra.enrol(cid, "OptOut@Acme.example", "new@x.example")

    assert result == {"enrolled": 1, "updated": 0, "skipped": 1, "total": 1}
    assert leadterra.stats(cid)["totalEnrolled"] == 1
    campaign = next(c for c in leadterra.state()["campaigns"] if c["id"] == cid)
    assert [lead["email"] for lead in campaign["leads"]] == ["new@x.example"]


def test_bulk_enroll_leads_skips_addresses_suppressed_through_the_api(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()
    suppressed = leadterra.post("/v1/suppression-list", json={"emails": ["gone@x.example"]})
    assert (suppressed.status_code, suppressed.json()) == (200, {"suppressed": 1})

    assert leadterra.enrol(cid, "gone@x.example") == {"enrolled": 0, "updated": 0, "skipped": 1, "total": 0}


def test_bulk_enroll_leads_upserts_across_the_workspace(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()

    result = leadterra.post(
        f"/v1/campaigns/{cid}/leads/bulk", json={"leads": [{"email": "ANA@acme.example", "jobTitle": "CRO"}]}
    )

    assert (result.status_code, result.json()) == (200, {"enrolled": 0, "updated": 1, "skipped": 0, "total": 1})
    campaigns = {c["id"]: c for c in leadterra.state()["campaigns"]}
    ana = next(lead for lead in campaigns["camp_123"]["leads"] if lead["email"] == "ana@acme.example")
    # Only the fields sent are overwritten; the lead is now enrolled in both campaigns.
    assert ana == {"email": "ana@acme.example", "firstName": "Ana", "company": "Acme", "jobTitle": "CRO"}
    assert [lead["email"] for lead in campaigns[cid]["leads"]] == ["ana@acme.example"]
    assert leadterra.stats(cid)["totalEnrolled"] == 1
    assert leadterra.stats("camp_123")["totalEnrolled"] == 2


def test_bulk_enroll_leads_counts_a_lead_already_in_the_campaign_as_updated(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()
    leadterra.enrol(cid, "kim@x.example")

    body = {"leads": [{"email": "kim@x.example", "city": "Oslo"}]}
    again = leadterra.post(f"/v1/campaigns/{cid}/leads/bulk", json=body)

    assert (again.status_code, again.json()) == (200, {"enrolled": 0, "updated": 1, "skipped": 0, "total": 1})
    assert leadterra.stats(cid)["totalEnrolled"] == 1
    campaign = next(c for c in leadterra.state()["campaigns"] if c["id"] == cid)
    assert campaign["leads"] == [{"email": "kim@x.example", "city": "Oslo"}]  # extra keys are custom variables


def test_get_campaign_stats_reports_the_default_scenario_counters(leadterra: Leadterra) -> None:
    assert leadterra.stats("camp_running") == {
        "campaignId": "camp_running",
        "totalEnrolled": 3,
        "sent": 3,
        "delivered": 3,
        "bounced": 0,
        "replied": 1,
        "queued": 0,
        "openRate": 2 / 3,
        "replyRate": 1 / 3,
    }


def test_list_sender_accounts_returns_a_bare_array(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/sender-accounts")

    assert response.status_code == 200
    assert response.json()[0] == {
        "id": "sa_01HXYZ001",
        "email": "jamie@outbound.example.com",
        "name": "Jamie Rivera",
        "status": "active",
    }
    assert {a["status"] for a in response.json()} == {"active", "paused"}


def test_list_replies_filters_by_campaign(leadterra: Leadterra) -> None:
    reply = {
        "id": "rpl_01HZREPLY0001",
        "email": "cara@initech.example",
        "campaignId": "camp_running",
        "classification": "interested",
        "receivedAt": "2025-01-12T15:30:00Z",
        "threadSnippet": "Sounds good, can we talk Thursday?",
    }
    every = leadterra.get("/v1/replies")
    running = leadterra.get("/v1/replies", params={"campaignId": "camp_running"})
    draft = leadterra.get("/v1/replies", params={"campaignId": "camp_123"})

    assert (every.status_code, every.json()) == (200, [reply])
    assert (running.status_code, running.json()) == (200, [reply])
    assert (draft.status_code, draft.json()) == (200, [])


def test_add_to_suppression_list_counts_only_new_addresses(leadterra: Leadterra) -> None:
    emails = ["optout@acme.example", "new@x.example", "NEW@x.example", "other@x.example"]

    response = leadterra.post("/v1/suppression-list", json={"emails": emails})

    assert (response.status_code, response.json()) == (200, {"suppressed": 2})
    assert leadterra.state()["suppressionList"] == ["optout@acme.example", "new@x.example", "other@x.example"]


def test_create_webhook_returns_an_active_webhook(leadterra: Leadterra) -> None:
    leadterra.freeze_clock(NOW)
    body = {"url": "https://hooks.example.com/leadterra", "events": ["campaign.started", "reply.received"]}

    response = leadterra.post("/v1/webhooks", json=body)

    assert response.status_code == 201
    hook = response.json()
    assert re.fullmatch(r"wh_[0-9A-Z]{26}", hook["id"])
    assert hook == {**body, "id": hook["id"], "status": "active", "createdAt": NOW}
    # The signing secret is never in an answer (Leadterra does not say how it is obtained); the export shows it.
    [stored] = leadterra.state()["webhooks"]
    assert re.fullmatch(r"whsec_[0-9a-z]{32}", stored.pop("secret"))
    assert stored == hook
