"""Leadterra's documented contradictions are switches: each variant, both ways, over HTTP."""

from __future__ import annotations

import pytest
from leadterra_client import STEP, Leadterra, error

NOW = "2025-01-15T11:00:00Z"


def _variant(name: str, value: str) -> str:
    """A scenario that is the default one with one variant switched."""
    return f"extends: default\nclock: {{now: '{NOW}', frozen: true}}\nvariants:\n  leadterra.{name}: {value}\n"


# -- leadterra.start_without_leads ----------------------------------------------------------------------
def test_start_campaign_without_leads_by_default_answers_no_leads_enrolled(leadterra: Leadterra) -> None:
    cid = leadterra.create_campaign()

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (
        400,
        error("no_leads_enrolled", "The campaign has no enrolled leads and cannot be started."),
    )


def test_start_campaign_without_leads_under_error_answers_no_leads_enrolled(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_without_leads", "error"))
    cid = leadterra.create_campaign()

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (
        400,
        error("no_leads_enrolled", "The campaign has no enrolled leads and cannot be started."),
    )


def test_start_campaign_without_leads_under_queue_nothing_runs_and_queues_nothing(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_without_leads", "queue_nothing"))
    cid = leadterra.create_campaign()

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (200, {"id": cid, "status": "running", "startedAt": NOW})
    assert (leadterra.stats(cid)["queued"], leadterra.stats(cid)["sent"]) == (0, 0)
    # ... until leads arrive: the campaign is running, so their step 1 goes out at once.
    leadterra.enrol(cid, "a@x.example")
    assert (leadterra.stats(cid)["queued"], leadterra.stats(cid)["sent"]) == (0, 1)


def test_start_campaign_without_steps_under_queue_nothing_answers_no_sequence_steps(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_without_leads", "queue_nothing"))
    cid = leadterra.create_campaign(steps=[])

    response = leadterra.post(f"/v1/campaigns/{cid}/start")

    assert (response.status_code, response.json()) == (
        400,
        error("no_sequence_steps", "The campaign has no sequence steps defined."),
    )


# -- leadterra.start_response -------------------------------------------------------------------------
def test_start_campaign_under_flat_answers_the_flat_campaign(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_response", "flat"))

    response = leadterra.post("/v1/campaigns/camp_123/start")

    assert (response.status_code, response.json()) == (200, {"id": "camp_123", "status": "running", "startedAt": NOW})


def test_start_campaign_under_wrapped_answers_counts_in_a_campaign_key(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_response", "wrapped"))

    response = leadterra.post("/v1/campaigns/camp_123/start")

    assert (response.status_code, response.json()) == (
        200,
        {
            "campaign": {
                "id": "camp_123",
                "status": "running",
                "startedAt": NOW,
                "leadsEnrolled": 2,
                "queuedMessages": 2,
            }
        },
    )


def test_start_campaign_under_wrapped_on_running_returns_current_counts(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_response", "wrapped"))

    response = leadterra.post("/v1/campaigns/camp_running/start")

    assert (response.status_code, response.json()) == (
        200,
        {
            "campaign": {
                "id": "camp_running",
                "status": "running",
                "startedAt": "2025-01-11T09:00:00Z",
                "leadsEnrolled": 3,
                "queuedMessages": 0,
            }
        },
    )


# -- leadterra.sender_pools_shape ---------------------------------------------------------------------
POOL_SHAPES = {
    "array": [
        {
            "id": "pool_01HZ9KQMX7T3VB2N",
            "name": "Primary Outbound",
            "dailyCapacity": 1600,
            "remainingVolume": 1243,
            "senderAccountIds": ["sa_01HXYZ001", "sa_01HXYZ002"],
        },
        {
            "id": "pool_01HZ9KQMX8W4VC3P",
            "name": "Warm-Up Pool",
            "dailyCapacity": 300,
            "remainingVolume": 300,
            "senderAccountIds": ["sa_01HXYZ003"],
        },
    ],
    "pools": {
        "pools": [
            {
                "id": "pool_01HZ9KQMX7T3VB2N",
                "name": "Primary Outbound",
                "senderCount": 2,
                "dailyCapacity": 1600,
                "remainingVolume": 1243,
            },
            {
                "id": "pool_01HZ9KQMX8W4VC3P",
                "name": "Warm-Up Pool",
                "senderCount": 1,
                "dailyCapacity": 300,
                "remainingVolume": 300,
            },
        ]
    },
    "senderPools": {
        "senderPools": [
            {
                "id": "pool_01HZ9KQMX7T3VB2N",
                "name": "Primary Outbound",
                "dailyCapacity": 1600,
                "remainingToday": 1243,
                "senderCount": 2,
            },
            {
                "id": "pool_01HZ9KQMX8W4VC3P",
                "name": "Warm-Up Pool",
                "dailyCapacity": 300,
                "remainingToday": 300,
                "senderCount": 1,
            },
        ]
    },
}


def test_list_sender_pools_by_default_answers_a_bare_array(leadterra: Leadterra) -> None:
    response = leadterra.get("/v1/sender-pools")

    assert (response.status_code, response.json()) == (200, POOL_SHAPES["array"])


@pytest.mark.parametrize("shape", list(POOL_SHAPES))
def test_list_sender_pools_answers_the_shape_chosen(leadterra: Leadterra, shape: str) -> None:
    leadterra.load(_variant("sender_pools_shape", shape))

    response = leadterra.get("/v1/sender-pools")

    assert (response.status_code, response.json()) == (200, POOL_SHAPES[shape])


def test_list_sender_pools_under_senderpools_reports_remaining_today_after_a_start(leadterra: Leadterra) -> None:
    leadterra.load(_variant("sender_pools_shape", "senderPools"))
    leadterra.post("/v1/campaigns/camp_123/start")

    response = leadterra.get("/v1/sender-pools")

    assert response.json()["senderPools"][0]["remainingToday"] == 1241


# -- leadterra.create_campaign_response ---------------------------------------------------------------
def test_create_campaign_under_flat_answers_the_campaign_with_its_steps(leadterra: Leadterra) -> None:
    leadterra.load(_variant("create_campaign_response", "flat"))

    response = leadterra.post("/v1/campaigns", json={"name": "Q3", "sequenceSteps": [STEP, STEP]})

    assert response.status_code == 201
    body = response.json()
    assert body == {"id": body["id"], "name": "Q3", "status": "draft", "sequenceSteps": [STEP, STEP], "createdAt": NOW}


def test_create_campaign_under_wrapped_answers_a_step_count_in_a_campaign_key(leadterra: Leadterra) -> None:
    leadterra.load(_variant("create_campaign_response", "wrapped"))

    response = leadterra.post("/v1/campaigns", json={"name": "Q3", "sequenceSteps": [STEP, STEP]})

    assert response.status_code == 201
    campaign = response.json()["campaign"]
    assert response.json() == {
        "campaign": {
            "id": campaign["id"],
            "name": "Q3",
            "status": "draft",
            "stepCount": 2,
            "createdAt": NOW,
        }
    }
    # The wrapped answer is only a summary: the steps are stored all the same.
    assert leadterra.campaign(campaign["id"])["sequenceSteps"] == [STEP, STEP]


def test_create_campaign_under_wrapped_without_steps_counts_zero(leadterra: Leadterra) -> None:
    leadterra.load(_variant("create_campaign_response", "wrapped"))

    response = leadterra.post("/v1/campaigns", json={"name": "Later"})

    assert (response.status_code, response.json()["campaign"]["stepCount"]) == (201, 0)


# -- the switches are per session ---------------------------------------------------------------------
def test_list_variants_reports_the_session_choice(leadterra: Leadterra) -> None:
    leadterra.load(_variant("start_response", "wrapped"))

    variants = {v["name"]: v for v in leadterra.admin("GET", "variants").json()["variants"]}

    assert {name: v["current"] for name, v in variants.items() if name.startswith("leadterra.")} == {
        "leadterra.start_without_leads": "error",
        "leadterra.start_response": "wrapped",
        "leadterra.sender_pools_shape": "array",
        "leadterra.create_campaign_response": "flat",
    }
    choices = variants["leadterra.sender_pools_shape"]["choices"]
    assert [c["value"] for c in choices] == ["array", "pools", "senderPools"]


def test_load_scenario_with_unknown_variant_value_is_refused(leadterra: Leadterra) -> None:
    response = leadterra.admin("POST", "scenarios", json={"yaml": _variant("start_response", "nested")})

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_scenario")
    assert response.json()["error"]["problems"] == [
        "<posted yaml>:4: variants.leadterra.start_response: 'nested' is not one of ['flat', 'wrapped']"
    ]
