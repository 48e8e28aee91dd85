"""Campaigns: settings, the draft -> active <-> paused lifecycle, and lead/account membership."""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import data, detail

SEEDED = ["cmp_abc123", "cmp_active001", "cmp_paused001", "cmp_completed001"]
CAMPAIGN_KEYS = {
    "id",
    "name",
    "status",
    "timezone",
    "sendingDays",
    "sendingStartHour",
    "sendingEndHour",
    "dailyLimit",
    "sentToday",
    "context",
    "totalLeads",
    "totalSent",
    "totalDelivered",
    "totalBounced",
    "totalReplied",
    "totalOpened",
    "createdAt",
    "updatedAt",
    "startedAt",
    "completedAt",
}


# -- list ---------------------------------------------------------------------------------------------
def test_list_campaigns_returns_every_campaign_with_meta(api: httpx.Client) -> None:
    body = api.get("/campaigns").json()
    assert [c["id"] for c in body["data"]] == SEEDED
    assert set(body["data"][0]) == CAMPAIGN_KEYS
    assert body["meta"] == {"page": 1, "pageSize": 20, "total": 4, "totalPages": 1}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", ["cmp_abc123"]),
        ("active", ["cmp_active001"]),
        ("paused", ["cmp_paused001"]),
        ("completed", ["cmp_completed001"]),
    ],
)
def test_list_campaigns_filters_by_status(api: httpx.Client, status: str, expected: list[str]) -> None:
    body = api.get("/campaigns", params={"status": status}).json()
    assert [c["id"] for c in body["data"]] == expected
    assert body["meta"]["total"] == 1


def test_list_campaigns_pages_through_results(api: httpx.Client) -> None:
    first = api.get("/campaigns", params={"page": 1, "pageSize": 3}).json()
    second = api.get("/campaigns", params={"page": 2, "pageSize": 3}).json()
    assert [c["id"] for c in first["data"]] == SEEDED[:3]
    assert [c["id"] for c in second["data"]] == SEEDED[3:]
    assert second["meta"] == {"page": 2, "pageSize": 3, "total": 4, "totalPages": 2}


def test_list_campaigns_page_past_the_end_is_empty(api: httpx.Client) -> None:
    body = api.get("/campaigns", params={"page": 9}).json()
    assert body == {"data": [], "meta": {"page": 9, "pageSize": 20, "total": 4, "totalPages": 1}}


def test_list_campaigns_page_size_over_100_is_422(api: httpx.Client) -> None:
    response = api.get("/campaigns", params={"pageSize": 101})
    assert detail(response, 422) == "Validation error: pageSize must be between 1 and 100"


def test_list_campaigns_page_zero_is_422(api: httpx.Client) -> None:
    assert detail(api.get("/campaigns", params={"page": 0}), 422) == "Validation error: page must be 1 or greater"


def test_list_campaigns_unknown_status_is_422(api: httpx.Client) -> None:
    message = detail(api.get("/campaigns", params={"status": "running"}), 422)
    assert message == "Validation error: status: 'running' is not one of ['draft', 'active', 'paused', 'completed']"


# -- create / get / update / delete -------------------------------------------------------------------
def test_create_campaign_fills_documented_defaults(api: httpx.Client, frozen: str) -> None:
    campaign = data(api.post("/campaigns", json={"name": "Spring push"}), 201)
    assert campaign["id"].startswith("cmp_")
    assert campaign == {
        "id": campaign["id"],
        "name": "Spring push",
        "status": "draft",
        "timezone": "UTC",
        "sendingDays": [1, 2, 3, 4, 5],
        "sendingStartHour": 9,
        "sendingEndHour": 17,
        "dailyLimit": 50,
        "sentToday": 0,
        "context": None,
        "totalLeads": 0,
        "totalSent": 0,
        "totalDelivered": 0,
        "totalBounced": 0,
        "totalReplied": 0,
        "totalOpened": 0,
        "createdAt": frozen,
        "updatedAt": frozen,
        "startedAt": None,
        "completedAt": None,
    }
    assert data(api.get(f"/campaigns/{campaign['id']}")) == campaign


def test_create_campaign_keeps_given_settings_and_ignores_unknown_keys(api: httpx.Client) -> None:
    body = {
        "name": "EU",
        "timezone": "Europe/Berlin",
        "sendingDays": [1, 3],
        "sendingStartHour": 8,
        "sendingEndHour": 16,
        "dailyLimit": 20,
        "context": "We sell widgets.",
        "colour": "blue",
    }
    campaign = data(api.post("/campaigns", json=body), 201)
    assert {k: campaign[k] for k in body if k != "colour"} == {k: v for k, v in body.items() if k != "colour"}
    assert "colour" not in campaign


def test_create_campaign_without_name_is_422(api: httpx.Client) -> None:
    assert detail(api.post("/campaigns", json={"timezone": "UTC"}), 422) == (
        "Validation error: 'name' is a required property"
    )


def test_create_campaign_out_of_range_hour_is_422(api: httpx.Client) -> None:
    message = detail(api.post("/campaigns", json={"name": "X", "sendingStartHour": 24}), 422)
    assert message == "Validation error: sendingStartHour: 24 is greater than the maximum of 23"


@pytest.mark.parametrize(
    ("window", "start", "end"),
    [
        ({"sendingStartHour": 17, "sendingEndHour": 17}, 17, 17),
        ({"sendingStartHour": 20, "sendingEndHour": 8}, 20, 8),
        ({"sendingStartHour": 18}, 18, 17),  # against the default end
        ({"sendingEndHour": 9}, 9, 9),  # against the default start
    ],
)
def test_create_campaign_window_closing_before_it_opens_is_422(
    api: httpx.Client, window: dict[str, int], start: int, end: int
) -> None:
    response = api.post("/campaigns", json={"name": "Backwards", **window})
    assert detail(response, 422) == (
        f"Validation error: sendingStartHour ({start}) must be before sendingEndHour ({end})"
    )
    assert [c["id"] for c in data(api.get("/campaigns"))] == SEEDED


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([], "Validation error: sendingDays: [] should be non-empty"),
        ([1, 3, 1], "Validation error: sendingDays: [1, 3, 1] has non-unique elements"),
    ],
)
def test_create_campaign_bad_sending_days_is_422(api: httpx.Client, days: list[int], message: str) -> None:
    assert detail(api.post("/campaigns", json={"name": "Days", "sendingDays": days}), 422) == message
    assert [c["id"] for c in data(api.get("/campaigns"))] == SEEDED


def test_create_campaign_invalid_json_is_400(api: httpx.Client) -> None:
    response = api.post("/campaigns", content=b"{name: ", headers={"Content-Type": "application/json"})
    assert detail(response, 400) == "Invalid JSON body"


def test_create_campaign_array_body_is_400(api: httpx.Client) -> None:
    assert detail(api.post("/campaigns", json=[{"name": "X"}]), 400) == "Invalid JSON body"


def test_get_campaign_unknown_is_404(api: httpx.Client) -> None:
    assert detail(api.get("/campaigns/cmp_nope"), 404) == "Campaign not found"


def test_update_campaign_changes_only_given_settings(api: httpx.Client, frozen: str) -> None:
    before = data(api.get("/campaigns/cmp_abc123"))
    after = data(api.patch("/campaigns/cmp_abc123", json={"name": "Q1 Outreach v2", "dailyLimit": 30}))
    assert after == {**before, "name": "Q1 Outreach v2", "dailyLimit": 30, "updatedAt": frozen}


def test_update_campaign_empty_body_changes_nothing(api: httpx.Client, frozen: str) -> None:
    before = data(api.get("/campaigns/cmp_abc123"))
    assert data(api.patch("/campaigns/cmp_abc123", json={})) == before


def test_update_campaign_active_is_400_and_changes_nothing(api: httpx.Client) -> None:
    before = data(api.get("/campaigns/cmp_active001"))
    response = api.patch("/campaigns/cmp_active001", json={"name": "Renamed"})
    assert detail(response, 400) == "Cannot edit active campaign. Pause it first."
    assert data(api.get("/campaigns/cmp_active001")) == before


def test_update_campaign_window_closing_before_it_opens_is_422(api: httpx.Client) -> None:
    before = data(api.get("/campaigns/cmp_abc123"))  # 9 to 17
    response = api.patch("/campaigns/cmp_abc123", json={"sendingEndHour": 8, "name": "Not stored"})
    assert detail(response, 422) == "Validation error: sendingStartHour (9) must be before sendingEndHour (8)"
    assert data(api.get("/campaigns/cmp_abc123")) == before


def test_update_campaign_window_is_checked_after_merging(api: httpx.Client) -> None:
    campaign = data(api.patch("/campaigns/cmp_abc123", json={"sendingStartHour": 18, "sendingEndHour": 22}))
    assert (campaign["sendingStartHour"], campaign["sendingEndHour"]) == (18, 22)
    response = api.patch("/campaigns/cmp_abc123", json={"sendingStartHour": 22})
    assert detail(response, 422) == "Validation error: sendingStartHour (22) must be before sendingEndHour (22)"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([], "Validation error: sendingDays: [] should be non-empty"),
        ([2, 2], "Validation error: sendingDays: [2, 2] has non-unique elements"),
    ],
)
def test_update_campaign_bad_sending_days_is_422(api: httpx.Client, days: list[int], message: str) -> None:
    assert detail(api.patch("/campaigns/cmp_abc123", json={"sendingDays": days}), 422) == message
    assert data(api.get("/campaigns/cmp_abc123"))["sendingDays"] == [1, 2, 3, 4, 5]


def test_update_campaign_context_null_clears_it(api: httpx.Client) -> None:
    assert data(api.patch("/campaigns/cmp_abc123", json={"context": "We sell widgets."}))["context"] == (
        "We sell widgets."
    )
    assert data(api.patch("/campaigns/cmp_abc123", json={"context": None}))["context"] is None
    assert data(api.get("/campaigns/cmp_abc123"))["context"] is None


def test_update_campaign_paused_is_allowed(api: httpx.Client) -> None:
    assert data(api.patch("/campaigns/cmp_paused001", json={"timezone": "Asia/Tokyo"}))["timezone"] == "Asia/Tokyo"


def test_delete_campaign_draft_answers_ack_then_404(api: httpx.Client) -> None:
    assert data(api.delete("/campaigns/cmp_abc123")) == {"id": "cmp_abc123", "deleted": True}
    assert detail(api.get("/campaigns/cmp_abc123"), 404) == "Campaign not found"
    assert detail(api.delete("/campaigns/cmp_abc123"), 404) == "Campaign not found"


@pytest.mark.parametrize("campaign_id", ["cmp_active001", "cmp_paused001", "cmp_completed001"])
def test_delete_campaign_not_draft_is_400(api: httpx.Client, campaign_id: str) -> None:
    assert detail(api.delete(f"/campaigns/{campaign_id}"), 400) == "Only draft campaigns can be deleted"
    assert api.get(f"/campaigns/{campaign_id}").status_code == 200


# -- lifecycle ----------------------------------------------------------------------------------------
def test_start_campaign_draft_becomes_active(api: httpx.Client, frozen: str) -> None:
    campaign = data(api.post("/campaigns/cmp_abc123/start"))
    assert (campaign["status"], campaign["startedAt"], campaign["updatedAt"]) == ("active", frozen, frozen)
    assert data(api.get("/campaigns/cmp_abc123"))["status"] == "active"


def test_start_campaign_already_active_is_400(api: httpx.Client) -> None:
    assert detail(api.post("/campaigns/cmp_active001/start"), 400) == "Campaign is already active"


def test_start_campaign_twice_is_400_the_second_time(api: httpx.Client) -> None:
    assert api.post("/campaigns/cmp_abc123/start").status_code == 200
    assert detail(api.post("/campaigns/cmp_abc123/start"), 400) == "Campaign is already active"


def test_start_campaign_completed_is_400(api: httpx.Client) -> None:
    assert detail(api.post("/campaigns/cmp_completed001/start"), 400) == "Cannot start a completed campaign"


def test_start_campaign_without_sequence_steps_is_400(api: httpx.Client) -> None:
    campaign = data(api.post("/campaigns", json={"name": "Empty"}), 201)
    response = api.post(f"/campaigns/{campaign['id']}/start")
    assert detail(response, 400) == "Campaign must have at least one sequence step"
    assert data(api.get(f"/campaigns/{campaign['id']}"))["status"] == "draft"


def test_start_campaign_paused_resumes_and_keeps_first_start_time(api: httpx.Client) -> None:
    campaign = data(api.post("/campaigns/cmp_paused001/start"))
    assert (campaign["status"], campaign["startedAt"]) == ("active", "2025-01-06T09:00:00")


def test_pause_campaign_active_becomes_paused(api: httpx.Client, frozen: str) -> None:
    campaign = data(api.post("/campaigns/cmp_active001/pause"))
    assert (campaign["status"], campaign["updatedAt"]) == ("paused", frozen)


@pytest.mark.parametrize("campaign_id", ["cmp_abc123", "cmp_paused001", "cmp_completed001"])
def test_pause_campaign_not_active_is_400(api: httpx.Client, campaign_id: str) -> None:
    assert detail(api.post(f"/campaigns/{campaign_id}/pause"), 400) == "Only active campaigns can be paused"


def test_resume_campaign_paused_becomes_active(api: httpx.Client) -> None:
    assert data(api.post("/campaigns/cmp_paused001/resume"))["status"] == "active"


def test_resume_campaign_without_sequence_steps_is_400(api: httpx.Client) -> None:
    data(api.delete("/campaigns/cmp_paused001/sequences/seq_partner1"))
    response = api.post("/campaigns/cmp_paused001/resume")
    assert detail(response, 400) == "Campaign must have at least one sequence step"
    assert data(api.get("/campaigns/cmp_paused001"))["status"] == "paused"


@pytest.mark.parametrize("campaign_id", ["cmp_abc123", "cmp_active001", "cmp_completed001"])
def test_resume_campaign_not_paused_is_400(api: httpx.Client, campaign_id: str) -> None:
    assert detail(api.post(f"/campaigns/{campaign_id}/resume"), 400) == "Campaign is not paused"


def test_start_campaign_full_lifecycle_from_scratch(api: httpx.Client) -> None:
    campaign_id = data(api.post("/campaigns", json={"name": "Lifecycle"}), 201)["id"]
    data(api.post(f"/campaigns/{campaign_id}/sequences", json={"subject": "Hi", "body": "Hello"}), 201)
    lead_id = data(api.post("/leads", json={"email": "new@lead.example"}), 201)["id"]
    assert data(api.post(f"/campaigns/{campaign_id}/leads", json={"leadIds": [lead_id]}))["added"] == 1
    assert data(api.post(f"/campaigns/{campaign_id}/accounts", json={"accountIds": ["acc_jordan01"]}))["added"] == 1
    assert data(api.post(f"/campaigns/{campaign_id}/start"))["status"] == "active"
    assert data(api.post(f"/campaigns/{campaign_id}/pause"))["status"] == "paused"
    assert data(api.post(f"/campaigns/{campaign_id}/resume"))["status"] == "active"
    assert data(api.get(f"/campaigns/{campaign_id}"))["totalLeads"] == 1


# -- membership ---------------------------------------------------------------------------------------
def test_add_campaign_leads_counts_added_and_skipped(api: httpx.Client, frozen: str) -> None:
    result = data(api.post("/campaigns/cmp_abc123/leads", json={"leadIds": ["cld_ana01", "cld_cleo01", "cld_cleo01"]}))
    assert result == {"campaignId": "cmp_abc123", "added": 1, "skipped": 2}
    campaign = data(api.get("/campaigns/cmp_abc123"))
    assert (campaign["totalLeads"], campaign["updatedAt"]) == (3, frozen)


def test_add_campaign_leads_unknown_lead_is_404_and_adds_nothing(api: httpx.Client) -> None:
    response = api.post("/campaigns/cmp_abc123/leads", json={"leadIds": ["cld_cleo01", "cld_ghost"]})
    assert detail(response, 404) == "Lead not found"
    assert data(api.get("/campaigns/cmp_abc123"))["totalLeads"] == 2


def test_add_campaign_leads_empty_list_is_422(api: httpx.Client) -> None:
    message = detail(api.post("/campaigns/cmp_abc123/leads", json={"leadIds": []}), 422)
    assert message == "Validation error: leadIds: [] should be non-empty"


def test_remove_campaign_lead_detaches_it(api: httpx.Client) -> None:
    result = data(api.delete("/campaigns/cmp_abc123/leads/cld_ana01"))
    assert result == {"id": "cld_ana01", "campaignId": "cmp_abc123", "removed": True}
    assert data(api.get("/campaigns/cmp_abc123"))["totalLeads"] == 1
    assert api.get("/leads/cld_ana01").status_code == 200  # the lead itself is kept


def test_remove_campaign_lead_not_enrolled_is_404(api: httpx.Client) -> None:
    assert detail(api.delete("/campaigns/cmp_abc123/leads/cld_eve01"), 404) == "Lead not found"


def test_remove_campaign_lead_unknown_lead_is_404(api: httpx.Client) -> None:
    assert detail(api.delete("/campaigns/cmp_abc123/leads/cld_ghost"), 404) == "Lead not found"


def test_add_campaign_accounts_counts_added_and_skipped(api: httpx.Client) -> None:
    result = data(api.post("/campaigns/cmp_abc123/accounts", json={"accountIds": ["acc_jordan01", "acc_priya01"]}))
    assert result == {"campaignId": "cmp_abc123", "added": 1, "skipped": 1}


def test_add_campaign_accounts_unknown_account_is_404(api: httpx.Client) -> None:
    response = api.post("/campaigns/cmp_abc123/accounts", json={"accountIds": ["acc_ghost"]})
    assert detail(response, 404) == "Email account not found"


def test_remove_campaign_account_unassigns_it(api: httpx.Client) -> None:
    result = data(api.delete("/campaigns/cmp_abc123/accounts/acc_jordan01"))
    assert result == {"id": "acc_jordan01", "campaignId": "cmp_abc123", "removed": True}
    assert detail(api.delete("/campaigns/cmp_abc123/accounts/acc_jordan01"), 404) == "Email account not found"


# -- unknown campaign, everywhere ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/campaigns/cmp_ghost", None),
        ("PATCH", "/campaigns/cmp_ghost", {"name": "X"}),
        ("DELETE", "/campaigns/cmp_ghost", None),
        ("POST", "/campaigns/cmp_ghost/start", None),
        ("POST", "/campaigns/cmp_ghost/pause", None),
        ("POST", "/campaigns/cmp_ghost/resume", None),
        ("POST", "/campaigns/cmp_ghost/leads", {"leadIds": ["cld_ana01"]}),
        ("DELETE", "/campaigns/cmp_ghost/leads/cld_ana01", None),
        ("POST", "/campaigns/cmp_ghost/accounts", {"accountIds": ["acc_jordan01"]}),
        ("DELETE", "/campaigns/cmp_ghost/accounts/acc_jordan01", None),
        ("GET", "/campaigns/cmp_ghost/sequences", None),
        ("POST", "/campaigns/cmp_ghost/sequences", {"body": "Hi"}),
        ("PATCH", "/campaigns/cmp_ghost/sequences/seq_q1step1", {"body": "Hi"}),
        ("DELETE", "/campaigns/cmp_ghost/sequences/seq_q1step1", None),
        ("GET", "/analytics/campaigns/cmp_ghost", None),
    ],
)
def test_campaign_operations_unknown_campaign_is_404(api: httpx.Client, method: str, path: str, body: object) -> None:
    assert detail(api.request(method, path, json=body), 404) == "Campaign not found"
