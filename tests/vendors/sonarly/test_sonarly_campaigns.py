"""Campaigns: create from the four starter templates, duplicate, content slots, start, delete, and the workflow
instances running on the mock clock until the campaign is completed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sonarly_support import (
    ACTIVE,
    ACTIVE_SLOT,
    AUDIENCE_EMPTY,
    AUDIENCE_FILLING,
    AUDIENCE_REVOPS,
    AUDIENCE_VP,
    B001,
    B002,
    B003,
    COMPLETED,
    DRAFT,
    DRAFT_SLOT,
    FIRST_CAMPAIGN,
    GROUP,
    MISSING,
    NOW_MS,
    SECOND_CAMPAIGN,
    failure,
    frozen_scenario,
    ok,
)

from campaign_mock.engine.chance import Chance
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.sonarly.workflows import step_outcome

CAMPAIGN_KEYS = {
    "id",
    "name",
    "description",
    "status",
    "selectedLeadCount",
    "includeConversationHistory",
    "autoCancelOnMessageReceived",
    "outreachLanguage",
    "createdAt",
    "updatedAt",
    "startedAt",
    "rateLimitedUntil",
}
SLOTS = {
    "engage-inmail": [("inmail", "InMail", 1, 1, "665f000000000000000d0003")],
    "engage-connect-dm": [
        ("connection_request", "Connection note", 1, 1, "665f000000000000000d0001"),
        ("direct_message", "Follow-up message", 2, 1, "665f000000000000000d0002"),
    ],
    "connect-engage-dm": [
        ("connection_request", "Connection note", 1, 1, "665f000000000000000d0001"),
        ("direct_message", "Follow-up message", 2, 1, "665f000000000000000d0002"),
    ],
    "connect": [("connection_request", "Connection note", 1, 1, "665f000000000000000d0001")],
}
DAY = 86400
TEMPLATE_ID = "665f0000000000000000e101"


def create(group: httpx.Client, template: str = "connect", **fields: Any) -> httpx.Response:
    body = {"starterTemplateId": template, "name": "Spring outreach", "audienceId": AUDIENCE_VP, **fields}
    return group.post("/campaigns", json=body)


def slots(group: httpx.Client, campaign_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(group.get(f"/campaigns/{campaign_id}/content-slots"))["items"]
    return items


def exported(mock_session: MockSession) -> dict[str, Any]:
    campaigns = mock_session.admin("GET", "state").json()["vendors"]["sonarly"]["accountGroups"][0]["campaigns"]
    return {c["id"]: c for c in campaigns}


def rate_limited_draft(until: str) -> str:
    return frozen_scenario(
        f"""vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        audiences: [{{id: {AUDIENCE_VP}, name: VP}}]
        prospects: [{{id: {B001}, audienceIds: [{AUDIENCE_VP}]}}]
        campaigns:
          - {{id: {DRAFT}, name: Held back, audienceId: {AUDIENCE_VP}, rateLimitedUntil: "{until}"}}
"""
    )


# -- reading ------------------------------------------------------------------------------------------------
def test_list_campaigns_newest_first_without_workflow_fields(group: httpx.Client) -> None:
    items = ok(group.get("/campaigns"))["items"]

    assert [(c["id"], c["status"], c["selectedLeadCount"]) for c in items] == [
        (ACTIVE, "active", 2),
        (DRAFT, "draft", 3),
        (COMPLETED, "completed", 1),
    ]
    assert all(set(c) == CAMPAIGN_KEYS for c in items)


def test_get_campaign_draft_has_the_documented_defaults(group: httpx.Client) -> None:
    assert ok(group.get(f"/campaigns/{DRAFT}")) == {
        "id": DRAFT,
        "name": "Engage VP Sales",
        "description": None,
        "status": "draft",
        "selectedLeadCount": 3,
        "includeConversationHistory": False,
        "autoCancelOnMessageReceived": True,
        "outreachLanguage": "en",
        "createdAt": "2026-04-15T09:00:00.000Z",
        "updatedAt": "2026-04-15T09:00:00.000Z",
        "startedAt": None,
        "rateLimitedUntil": None,
    }


def test_get_campaign_unknown_is_404(group: httpx.Client) -> None:
    assert failure(group.get(f"/campaigns/{MISSING}"), 404) == (
        "NOT_FOUND",
        "Resource not found",
        f"campaignId {MISSING}",
    )


# -- create -------------------------------------------------------------------------------------------------
def test_create_campaign_answers_a_draft(frozen: str, group: httpx.Client) -> None:
    assert ok(create(group, "engage-connect-dm", name="VP Sales - spring"), 201) == {
        "id": FIRST_CAMPAIGN,
        "name": "VP Sales - spring",
        "description": None,
        "status": "draft",
        "selectedLeadCount": 3,
        "includeConversationHistory": False,
        "autoCancelOnMessageReceived": True,
        "outreachLanguage": "en",
        "createdAt": NOW_MS,
        "updatedAt": NOW_MS,
        "startedAt": None,
        "rateLimitedUntil": None,
    }
    assert ok(group.get("/campaigns"))["items"][0]["id"] == FIRST_CAMPAIGN


@pytest.mark.parametrize("template", sorted(SLOTS))
def test_create_campaign_gets_the_content_slots_of_its_starter_template(group: httpx.Client, template: str) -> None:
    campaign = ok(create(group, template), 201)
    found = [
        (s["channel"], s["label"], s["position"], s["channelPosition"], s["templateId"])
        for s in slots(group, campaign["id"])
    ]

    assert found == SLOTS[template]


def test_create_campaign_lead_ids_count_once(group: httpx.Client) -> None:
    campaign = ok(create(group, leadIds=[B001, B002, B001]), 201)
    assert campaign["selectedLeadCount"] == 2


def test_create_campaign_lead_outside_the_audience_is_422(group: httpx.Client) -> None:
    response = create(group, audienceId=AUDIENCE_REVOPS, leadIds=[B003, B001])
    assert failure(response, 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        f"body.leadIds[1]: {B001} is not a prospect of audience {AUDIENCE_REVOPS}",
    )
    assert len(ok(group.get("/campaigns"))["items"]) == 3


def test_create_campaign_unknown_audience_is_422(group: httpx.Client) -> None:
    assert failure(create(group, audienceId=MISSING), 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        f"body.audienceId: no audience {MISSING} in this account group",
    )


def test_create_campaign_filling_audience_is_409(group: httpx.Client) -> None:
    assert failure(create(group, audienceId=AUDIENCE_FILLING), 409) == (
        "AUDIENCE_NOT_READY",
        "The audience is still being populated by an active prospecting job",
        AUDIENCE_FILLING,
    )


def test_create_campaign_twice_makes_two_drafts(group: httpx.Client) -> None:
    ids = [ok(create(group), 201)["id"], ok(create(group), 201)["id"]]
    assert ids == [FIRST_CAMPAIGN, SECOND_CAMPAIGN]


# -- duplicate ----------------------------------------------------------------------------------------------
def test_duplicate_campaign_copies_template_slots_and_settings(frozen: str, group: httpx.Client) -> None:
    source_slots = slots(group, DRAFT)
    copy = ok(group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": AUDIENCE_VP, "leadIds": [B001]}), 201)

    assert (copy["id"], copy["name"], copy["status"], copy["selectedLeadCount"]) == (
        FIRST_CAMPAIGN,
        "Engage VP Sales (copy)",
        "draft",
        1,
    )
    copied = slots(group, FIRST_CAMPAIGN)
    assert [(s["channel"], s["templateId"]) for s in copied] == [(s["channel"], s["templateId"]) for s in source_slots]
    assert {s["id"] for s in copied}.isdisjoint({s["id"] for s in source_slots})


def test_duplicate_campaign_of_a_completed_campaign_with_a_new_name(group: httpx.Client) -> None:
    body = {"audienceId": AUDIENCE_EMPTY, "name": "Q2 connect"}
    copy = ok(group.post(f"/campaigns/{COMPLETED}/duplicate", json=body), 201)
    assert (copy["name"], copy["status"], copy["selectedLeadCount"]) == ("Q2 connect", "draft", 0)


def test_duplicate_campaign_unknown_source_is_404(group: httpx.Client) -> None:
    response = group.post(f"/campaigns/{MISSING}/duplicate", json={"audienceId": AUDIENCE_VP})
    assert failure(response, 404) == ("NOT_FOUND", "Resource not found", f"campaignId {MISSING}")


def test_duplicate_campaign_unknown_audience_is_404(group: httpx.Client) -> None:
    response = group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": MISSING})
    assert failure(response, 404) == ("NOT_FOUND", "Resource not found", f"audienceId {MISSING}")


def test_duplicate_campaign_filling_audience_is_409(group: httpx.Client) -> None:
    response = group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": AUDIENCE_FILLING})
    assert failure(response, 409)[0] == "AUDIENCE_NOT_READY"


def test_duplicate_campaign_lead_outside_the_audience_is_422(group: httpx.Client) -> None:
    response = group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": AUDIENCE_EMPTY, "leadIds": [B001]})
    assert failure(response, 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        f"body.leadIds[0]: {B001} is not a prospect of audience {AUDIENCE_EMPTY}",
    )


def test_duplicate_campaign_lead_in_a_running_workflow_is_409(group: httpx.Client) -> None:
    response = group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": AUDIENCE_VP})
    assert failure(response, 409) == (
        "WORKFLOW_CONFLICT",
        "A selected lead is already in an active campaign's workflow",
        B003,
    )


def test_duplicate_campaign_leads_free_once_their_workflows_finish(
    mock_session: MockSession, frozen: str, group: httpx.Client
) -> None:
    mock_session.advance_clock(2 * DAY)  # engage-inmail: two one-day steps
    assert ok(group.get(f"/campaigns/{ACTIVE}"))["status"] == "completed"
    ok(group.post(f"/campaigns/{DRAFT}/duplicate", json={"audienceId": AUDIENCE_VP}), 201)


# -- content slots ------------------------------------------------------------------------------------------
def test_update_content_slot_relinks_the_template(mock_session: MockSession, frozen: str, group: httpx.Client) -> None:
    mock_session.advance_clock(60)
    slot = ok(group.patch(f"/campaigns/{DRAFT}/content-slots/{DRAFT_SLOT}", json={"templateId": TEMPLATE_ID}))

    assert slot == {
        "id": DRAFT_SLOT,
        "channel": "connection_request",
        "label": "Connection note",
        "position": 1,
        "channelPosition": 1,
        "templateId": TEMPLATE_ID,
    }
    assert slots(group, DRAFT)[0] == slot
    assert ok(group.get(f"/campaigns/{DRAFT}"))["updatedAt"] == "2026-05-04T09:01:00.000Z"


def test_update_content_slot_unknown_slot_is_404(group: httpx.Client) -> None:
    response = group.patch(f"/campaigns/{DRAFT}/content-slots/{MISSING}", json={"templateId": TEMPLATE_ID})
    assert failure(response, 404) == ("NOT_FOUND", "Resource not found", f"slotId {MISSING}")


def test_update_content_slot_unknown_campaign_is_404(group: httpx.Client) -> None:
    response = group.patch(f"/campaigns/{MISSING}/content-slots/{DRAFT_SLOT}", json={"templateId": TEMPLATE_ID})
    assert failure(response, 404) == ("NOT_FOUND", "Resource not found", f"campaignId {MISSING}")


def test_update_content_slot_of_an_active_campaign_is_409(group: httpx.Client) -> None:
    response = group.patch(f"/campaigns/{ACTIVE}/content-slots/{ACTIVE_SLOT}", json={"templateId": TEMPLATE_ID})
    assert failure(response, 409) == (
        "CAMPAIGN_NOT_EDITABLE",
        "Content slots can only be changed while the campaign is a draft",
        "status active",
    )


def test_update_content_slot_template_outside_the_group_templates_is_422(
    mock_session: MockSession, group: httpx.Client
) -> None:
    mock_session.load_scenario(
        yaml=f"""extends: default
vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        templateIds: [{TEMPLATE_ID}]
        campaigns: [{{id: {DRAFT}, name: Draft}}]
"""
    )
    path = f"/campaigns/{DRAFT}/content-slots/{DRAFT_SLOT}"
    assert failure(group.patch(path, json={"templateId": MISSING}), 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        f"body.templateId: {MISSING} is not a message template of this account group",
    )
    assert ok(group.patch(path, json={"templateId": TEMPLATE_ID}))["templateId"] == TEMPLATE_ID
    assert ok(group.patch(path, json={"templateId": "665f000000000000000d0001"}))["templateId"].endswith("d0001")


def test_update_content_slot_missing_template_id_is_400(group: httpx.Client) -> None:
    response = group.patch(f"/campaigns/{DRAFT}/content-slots/{DRAFT_SLOT}", json={})
    assert failure(response, 400)[2] == "body: 'templateId' is a required property"


# -- start --------------------------------------------------------------------------------------------------
def test_start_campaign_triggers_one_instance_per_selected_lead(frozen: str, group: httpx.Client) -> None:
    data = ok(group.post(f"/campaigns/{DRAFT}/start"))

    assert (data["triggered"], data["instancesCreated"]) == (True, 3)
    campaign = data["campaign"]
    assert (campaign["status"], campaign["startedAt"], campaign["updatedAt"], campaign["selectedLeadCount"]) == (
        "active",
        NOW_MS,
        NOW_MS,
        3,
    )
    assert ok(group.get(f"/campaigns/{DRAFT}")) == campaign


def test_start_campaign_with_lead_ids_creates_instances_for_them(
    mock_session: MockSession, frozen: str, group: httpx.Client
) -> None:
    ok(create(group, leadIds=[B002, B001]), 201)
    assert ok(group.post(f"/campaigns/{FIRST_CAMPAIGN}/start"))["instancesCreated"] == 2

    instances = exported(mock_session)[FIRST_CAMPAIGN]["instances"]
    assert instances == [
        {"leadId": B002, "status": "running", "step": 1, "dueAt": "2026-05-07T09:00:00.000Z", "outcome": None},
        {"leadId": B001, "status": "running", "step": 1, "dueAt": "2026-05-07T09:00:00.000Z", "outcome": None},
    ]


def test_start_campaign_twice_is_409(group: httpx.Client) -> None:
    ok(group.post(f"/campaigns/{DRAFT}/start"))
    assert failure(group.post(f"/campaigns/{DRAFT}/start"), 409) == (
        "CAMPAIGN_ALREADY_STARTED",
        "The campaign has already been started",
        "status active",
    )


def test_start_campaign_completed_is_409(group: httpx.Client) -> None:
    assert failure(group.post(f"/campaigns/{COMPLETED}/start"), 409)[2] == "status completed"


def test_start_campaign_without_selected_leads_is_422(group: httpx.Client) -> None:
    ok(create(group, audienceId=AUDIENCE_EMPTY), 201)
    assert failure(group.post(f"/campaigns/{FIRST_CAMPAIGN}/start"), 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        "the campaign has no selected leads to start workflows for",
    )
    assert ok(group.get(f"/campaigns/{FIRST_CAMPAIGN}"))["status"] == "draft"


def test_start_campaign_rate_limited_until_the_clock_passes(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(yaml=rate_limited_draft("2026-05-04T09:00:01Z"))
    assert failure(group.post(f"/campaigns/{DRAFT}/start"), 429) == (
        "RATE_LIMITED",
        "Rate limit exceeded",
        "2026-05-04T09:00:01.000Z",
    )
    mock_session.advance_clock(1)
    assert ok(group.post(f"/campaigns/{DRAFT}/start"))["campaign"]["rateLimitedUntil"] == "2026-05-04T09:00:01.000Z"


def test_start_campaign_rate_limited_in_the_past_starts(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(yaml=rate_limited_draft("2026-05-04T08:59:59Z"))
    assert ok(group.post(f"/campaigns/{DRAFT}/start"))["instancesCreated"] == 1


def test_start_campaign_audience_still_filling_is_409(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml=f"""extends: default
vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Northwind Growth
        audiences: [{{id: {AUDIENCE_FILLING}, name: Followers, filling: true}}]
        campaigns: [{{id: {DRAFT}, name: Draft, audienceId: {AUDIENCE_FILLING}}}]
"""
    )
    assert failure(group.post(f"/campaigns/{DRAFT}/start"), 409) == (
        "AUDIENCE_NOT_READY",
        "The audience is still being populated by an active prospecting job",
        AUDIENCE_FILLING,
    )


def test_start_campaign_seeded_with_only_a_lead_count(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml=f"""extends: default
vendors:
  sonarly:
    accountGroups:
      - id: {GROUP}
        name: Main
        campaigns: [{{id: 665f0000000000000000c0aa, name: Engage, status: draft, selectedLeadCount: 25}}]
"""
    )
    data = ok(group.post("/campaigns/665f0000000000000000c0aa/start"))
    assert (data["instancesCreated"], data["campaign"]["selectedLeadCount"]) == (25, 25)


# -- delete -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("campaign_id", [DRAFT, COMPLETED])
def test_delete_campaign_in_a_deletable_state(group: httpx.Client, campaign_id: str) -> None:
    assert ok(group.delete(f"/campaigns/{campaign_id}")) == {"deleted": True}
    assert failure(group.get(f"/campaigns/{campaign_id}"), 404)[2] == f"campaignId {campaign_id}"
    assert failure(group.delete(f"/campaigns/{campaign_id}"), 404)[0] == "NOT_FOUND"
    assert campaign_id not in [c["id"] for c in ok(group.get("/campaigns"))["items"]]


def test_delete_campaign_active_is_409(group: httpx.Client) -> None:
    assert failure(group.delete(f"/campaigns/{ACTIVE}"), 409) == (
        "CAMPAIGN_NOT_DELETABLE",
        "The campaign is not in a deletable state",
        "status active",
    )
    assert ok(group.get(f"/campaigns/{ACTIVE}"))["status"] == "active"


def test_delete_campaign_active_under_the_deleted_variant(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(yaml="extends: default\nvariants: {sonarly.delete_started: deleted}\n")
    assert ok(group.delete(f"/campaigns/{ACTIVE}")) == {"deleted": True}
    assert failure(group.get(f"/campaigns/{ACTIVE}"), 404)[0] == "NOT_FOUND"


# -- workflow instances on the mock clock -------------------------------------------------------------------
def test_started_campaign_completes_when_every_instance_finishes(
    mock_session: MockSession, frozen: str, group: httpx.Client
) -> None:
    ok(group.post(f"/campaigns/{DRAFT}/start"))  # engage-connect-dm: 1 + 3 + 1 days at most
    mock_session.advance_clock(4 * DAY - 1)
    instances = exported(mock_session)[DRAFT]["instances"]
    assert ok(group.get(f"/campaigns/{DRAFT}"))["status"] == "active"
    assert all(i["status"] == "running" for i in instances)

    mock_session.advance_clock(DAY + 1)
    campaign = ok(group.get(f"/campaigns/{DRAFT}"))
    instances = exported(mock_session)[DRAFT]["instances"]
    assert campaign["status"] == "completed"
    assert all(i["status"] == "finished" for i in instances)
    assert campaign["updatedAt"] == max(i["dueAt"] for i in instances)


def test_instance_outcomes_are_the_seeded_draws(mock_session: MockSession, group: httpx.Client) -> None:
    mock_session.load_scenario(yaml=frozen_scenario("seed: 7\n"))
    ok(group.post(f"/campaigns/{DRAFT}/start"))
    mock_session.advance_clock(30 * DAY)

    chance = Chance(7)
    expected = {}
    for lead in (B003, B002, B001):  # the audience's prospects, newest first
        step = 1
        while (outcome := step_outcome(chance, "engage-connect-dm", DRAFT, lead, step)) is None:
            step += 1
        expected[lead] = (step, outcome)
    found = {i["leadId"]: (i["step"], i["outcome"]) for i in exported(mock_session)[DRAFT]["instances"]}
    assert found == expected


def test_instance_outcomes_same_seed_same_results_however_the_clock_moves(mock_session: MockSession) -> None:
    """Two sessions of one scenario: one jumps a month at once, the other moves an hour at a time."""

    def run(name: str, steps: list[int]) -> dict[str, Any]:
        session = f"{mock_session.name}-{name}"
        admin = {"session": session}
        scenario = frozen_scenario("seed: 11\n")
        assert mock_session.admin("POST", "scenarios", json={"yaml": scenario}, params=admin).status_code == 200
        headers = {"Authorization": "Bearer sk_test_sonarly", "X-Mock-Session": session}
        with httpx.Client(base_url=f"{mock_session.server.url}/sonarly/v1/accounts/{GROUP}", headers=headers) as client:
            ok(client.post(f"/campaigns/{DRAFT}/start"))
            for seconds in steps:
                mock_session.admin("POST", "clock/advance", json={"seconds": seconds}, params=admin)
                client.get("/campaigns")
        state = mock_session.admin("GET", "state", params=admin).json()
        mock_session.admin("DELETE", "sessions", params=admin)
        groups: dict[str, Any] = state["vendors"]["sonarly"]
        return groups

    assert run("jump", [6 * DAY]) == run("hourly", [3600] * 6 * 24)


def test_default_active_campaign_runs_from_the_session_start(mock_session: MockSession, frozen: str) -> None:
    instances = exported(mock_session)[ACTIVE]["instances"]
    assert [(i["leadId"], i["dueAt"], i["status"]) for i in instances] == [
        (B003, "2026-05-05T09:00:00.000Z", "running"),
        ("665f0000000000000000b004", "2026-05-05T09:00:00.000Z", "running"),
    ]
