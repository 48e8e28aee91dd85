"""Sequence steps: ordering, defaults, the active-campaign guard and spin syntax."""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import data, detail

STEP_KEYS = {
    "id",
    "campaignId",
    "stepNumber",
    "name",
    "subject",
    "body",
    "delayDays",
    "delayHours",
    "sendOnlyIfNoReply",
    "templateType",
    "createdAt",
    "updatedAt",
}


def steps(api: httpx.Client, campaign_id: str = "cmp_abc123") -> list[tuple[str, int]]:
    return [(s["id"], s["stepNumber"]) for s in data(api.get(f"/campaigns/{campaign_id}/sequences"))]


def test_list_sequences_returns_steps_in_order(api: httpx.Client) -> None:
    listed = data(api.get("/campaigns/cmp_abc123/sequences"))
    assert [(s["id"], s["stepNumber"]) for s in listed] == [("seq_q1step1", 1), ("seq_q1step2", 2)]
    assert set(listed[0]) == STEP_KEYS
    assert api.get("/campaigns/cmp_abc123/sequences").json().keys() == {"data"}  # not paginated


def test_create_sequence_appends_with_documented_defaults(api: httpx.Client, frozen: str) -> None:
    step = data(api.post("/campaigns/cmp_abc123/sequences", json={"body": "Last try"}), 201)
    assert step == {
        "id": step["id"],
        "campaignId": "cmp_abc123",
        "stepNumber": 3,
        "name": None,
        "subject": None,
        "body": "Last try",
        "delayDays": 0,
        "delayHours": 0,
        "sendOnlyIfNoReply": True,
        "templateType": "email",
        "createdAt": frozen,
        "updatedAt": frozen,
    }
    assert step["id"].startswith("seq_")


def test_create_sequence_accepts_docs_and_sdk_fields(api: httpx.Client) -> None:
    body = {
        "subject": "Hi",
        "body": "Hello",
        "name": "Opener",
        "delayDays": 1,
        "delayHours": 4,
        "sendOnlyIfNoReply": False,
        "templateType": "email",
    }
    step = data(api.post("/campaigns/cmp_abc123/sequences", json=body), 201)
    assert {k: step[k] for k in body} == body


def test_create_sequence_with_step_number_inserts_and_renumbers(api: httpx.Client) -> None:
    step = data(api.post("/campaigns/cmp_abc123/sequences", json={"body": "First!", "stepNumber": 1}), 201)
    assert steps(api) == [(step["id"], 1), ("seq_q1step1", 2), ("seq_q1step2", 3)]


def test_create_sequence_step_number_past_the_end_appends(api: httpx.Client) -> None:
    step = data(api.post("/campaigns/cmp_abc123/sequences", json={"body": "Later", "stepNumber": 9}), 201)
    assert step["stepNumber"] == 3


def test_create_sequence_while_active_is_400(api: httpx.Client) -> None:
    response = api.post("/campaigns/cmp_active001/sequences", json={"body": "More"})
    assert detail(response, 400) == "Campaign is active — pause it first"
    assert len(steps(api, "cmp_active001")) == 2


def test_create_sequence_paused_campaign_is_allowed(api: httpx.Client) -> None:
    assert data(api.post("/campaigns/cmp_paused001/sequences", json={"body": "Follow-up"}), 201)["stepNumber"] == 2


@pytest.mark.parametrize("text", ["{Hi|Hello", "Hi|Hello}", "{a|{b|c}}", "Hi {{firstName}"])
def test_create_sequence_invalid_spin_syntax_is_400(api: httpx.Client, text: str) -> None:
    response = api.post("/campaigns/cmp_abc123/sequences", json={"subject": "Hi", "body": text})
    assert detail(response, 400) == "Invalid spin syntax"
    assert len(steps(api)) == 2


def test_create_sequence_valid_spin_and_variables_are_accepted(api: httpx.Client) -> None:
    body = {"subject": "{Hi|Hello} {{firstName}}", "body": "{Quick|Short} note for {{company}}."}
    assert api.post("/campaigns/cmp_abc123/sequences", json=body).status_code == 201


def test_create_sequence_without_body_is_422(api: httpx.Client) -> None:
    response = api.post("/campaigns/cmp_abc123/sequences", json={"subject": "Hi"})
    assert detail(response, 422) == "Validation error: 'body' is a required property"


def test_update_sequence_changes_given_fields(api: httpx.Client, frozen: str) -> None:
    step = data(api.patch("/campaigns/cmp_abc123/sequences/seq_q1step2", json={"subject": "Bump", "delayDays": 5}))
    assert (step["subject"], step["delayDays"], step["updatedAt"], step["stepNumber"]) == ("Bump", 5, frozen, 2)
    assert step["body"] == "Just bumping this up, {{firstName}}."


def test_update_sequence_step_number_moves_the_step(api: httpx.Client) -> None:
    step = data(api.patch("/campaigns/cmp_abc123/sequences/seq_q1step2", json={"stepNumber": 1}))
    assert step["stepNumber"] == 1
    assert steps(api) == [("seq_q1step2", 1), ("seq_q1step1", 2)]


def test_update_sequence_step_number_alone_stamps_the_step_and_campaign(api: httpx.Client, frozen: str) -> None:
    step = data(api.patch("/campaigns/cmp_abc123/sequences/seq_q1step1", json={"stepNumber": 2}))
    assert (step["stepNumber"], step["updatedAt"]) == (2, frozen)
    assert steps(api) == [("seq_q1step2", 1), ("seq_q1step1", 2)]
    assert data(api.get("/campaigns/cmp_abc123"))["updatedAt"] == frozen


@pytest.mark.parametrize("field", ["subject", "name"])
def test_update_sequence_null_clears_a_nullable_field(api: httpx.Client, field: str) -> None:
    path = "/campaigns/cmp_abc123/sequences/seq_q1step1"
    assert data(api.patch(path, json={"name": "Opener"}))["name"] == "Opener"
    step = data(api.patch(path, json={field: None}))
    assert step[field] is None
    assert data(api.get("/campaigns/cmp_abc123/sequences"))[0][field] is None


def test_update_sequence_unknown_step_is_404(api: httpx.Client) -> None:
    response = api.patch("/campaigns/cmp_abc123/sequences/seq_ghost", json={"body": "x"})
    assert detail(response, 404) == "Sequence not found"


def test_update_sequence_of_another_campaign_is_404(api: httpx.Client) -> None:
    response = api.patch("/campaigns/cmp_abc123/sequences/seq_webinar1", json={"body": "x"})
    assert detail(response, 404) == "Sequence not found"


def test_update_sequence_while_active_is_400(api: httpx.Client) -> None:
    response = api.patch("/campaigns/cmp_active001/sequences/seq_webinar1", json={"body": "x"})
    assert detail(response, 400) == "Campaign is active — pause it first"


def test_update_sequence_invalid_spin_is_400_and_changes_nothing(api: httpx.Client) -> None:
    response = api.patch("/campaigns/cmp_abc123/sequences/seq_q1step1", json={"stepNumber": 2, "body": "{a|b"})
    assert detail(response, 400) == "Invalid spin syntax"
    assert steps(api) == [("seq_q1step1", 1), ("seq_q1step2", 2)]


def test_delete_sequence_renumbers_the_rest(api: httpx.Client) -> None:
    assert data(api.delete("/campaigns/cmp_abc123/sequences/seq_q1step1")) == {"id": "seq_q1step1", "deleted": True}
    assert steps(api) == [("seq_q1step2", 1)]
    assert detail(api.delete("/campaigns/cmp_abc123/sequences/seq_q1step1"), 404) == "Sequence not found"


def test_delete_sequence_while_active_is_400(api: httpx.Client) -> None:
    response = api.delete("/campaigns/cmp_active001/sequences/seq_webinar1")
    assert detail(response, 400) == "Campaign is active — pause it first"


def test_delete_sequence_last_step_blocks_the_next_start(api: httpx.Client) -> None:
    api.delete("/campaigns/cmp_paused001/sequences/seq_partner1")
    response = api.post("/campaigns/cmp_paused001/start")
    assert detail(response, 400) == "Campaign must have at least one sequence step"
