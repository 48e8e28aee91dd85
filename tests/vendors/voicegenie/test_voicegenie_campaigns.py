"""The campaign lifecycle through HTTP: start (v1 and v2), pause, delete, their documented errors, and the v1/v2
views of one campaign (running vs in_progress, UUID vs ObjectId)."""

from __future__ import annotations

import re

import httpx
from voicegenie_support import (
    COMPLETED,
    DRAFT,
    NOT_STARTED,
    NOW,
    RUNNING,
    SCHEDULED,
    SEED_CAMPAIGN,
    UNKNOWN,
    UNTITLED,
    contacts,
    data,
    failure,
    frozen_scenario,
)

from campaign_mock.pytest_plugin import MockSession

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}")
ANY_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
MISSING = "Campaign cannot be started. Missing required configuration."
WRONG_STATE = "Campaign cannot be started from its current status."


def status_of(api: httpx.Client, campaign_id: str) -> str:
    status: str = data(api.get(f"/campaign/{campaign_id}"))["campaign_status"]
    return status


# -- start (v1) -------------------------------------------------------------------------------------
def test_start_campaign_paused_becomes_running(frozen: MockSession, api: httpx.Client) -> None:
    response = api.get(f"/startCampaign/{SEED_CAMPAIGN}")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {"campaign_id": SEED_CAMPAIGN, "status": "running", "started_at": NOW},
        "message": "Campaign started successfully",
    }
    assert status_of(api, SEED_CAMPAIGN) == "running"


def test_start_campaign_running_answers_400_already_running(frozen: MockSession, api: httpx.Client) -> None:
    api.get(f"/startCampaign/{SEED_CAMPAIGN}")

    body = failure(api.get(f"/startCampaign/{SEED_CAMPAIGN}"), 400)

    assert body == {"success": False, "message": "Campaign is already running", "error": "CAMPAIGN_ALREADY_RUNNING"}


def test_start_campaign_unknown_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get(f"/startCampaign/{UNKNOWN}"), 404)

    assert body == {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"}


def test_start_campaign_without_script_and_contacts_lists_both(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get(f"/startCampaign/{UNTITLED}"), 422)

    assert body == {
        "success": False,
        "message": MISSING,
        "error": "INVALID_CAMPAIGN_STATE",
        "details": {"missing": ["script_id", "contacts"]},
    }
    assert status_of(api, UNTITLED) == "draft"


def test_start_campaign_whose_contacts_are_all_excluded_lists_contacts(
    mock_session: MockSession, api: httpx.Client
) -> None:
    extra = (
        "vendors:\n  voicegenie:\n    campaigns:\n"
        f"      - {{id: {DRAFT}, name: Webinar invites, script_id: script_renewal01,"
        " contact_ids: [contact_kai01, contact_lena01], excluded_contact_ids: [contact_kai01, contact_lena01]}\n"
    )
    mock_session.load_scenario(yaml=frozen_scenario(extra))

    body = failure(api.get(f"/startCampaign/{DRAFT}"), 422)

    assert body["details"] == {"missing": ["contacts"]}


def test_start_campaign_completed_answers_422_with_its_status(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get(f"/startCampaign/{COMPLETED}"), 422)

    assert body == {
        "success": False,
        "message": WRONG_STATE,
        "error": "INVALID_CAMPAIGN_STATE",
        "details": {"missing": [], "current_status": "completed"},
    }


def test_start_campaign_draft_starts_by_default(frozen: MockSession, api: httpx.Client) -> None:
    assert data(api.get(f"/startCampaign/{DRAFT}"))["status"] == "running"


def test_start_campaign_draft_under_invalid_state_variant_answers_422(
    mock_session: MockSession, api: httpx.Client
) -> None:
    mock_session.load_scenario(yaml=frozen_scenario("variants:\n  voicegenie.start_from_draft: invalid_state\n"))

    body = failure(api.get(f"/startCampaign/{DRAFT}"), 422)

    assert body == {
        "success": False,
        "message": WRONG_STATE,
        "error": "INVALID_CAMPAIGN_STATE",
        "details": {"missing": [], "current_status": "draft"},
    }
    assert data(api.get(f"/startCampaign/{SEED_CAMPAIGN}"))["status"] == "running"  # paused still starts


def test_start_campaign_scheduled_and_not_yet_started_start_now(frozen: MockSession, api: httpx.Client) -> None:
    assert data(api.get(f"/startCampaign/{SCHEDULED}"))["started_at"] == NOW
    assert data(api.get(f"/startCampaign/{NOT_STARTED}"))["status"] == "running"


def test_start_campaign_id_not_a_uuid_answers_400_bad_request(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get("/startCampaign/507f1f77bcf86cd799439011"), 400)

    assert body == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "campaignId", "issue": "does not have the expected format"},
    }


def test_scheduled_campaign_starts_by_itself_at_its_time(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=frozen_scenario())
    created = data(
        api.post(
            "/uploadCampaignData",
            json={
                "campaign_name": "Later",
                "script_id": "script_renewal01",
                "schedule_time": "2025-03-03T10:00:00Z",
                "contacts": contacts(2),
            },
        )
    )
    campaign_id = created["campaign_id"]
    assert status_of(api, campaign_id) == "scheduled"

    mock_session.advance_clock(3599)
    assert status_of(api, campaign_id) == "scheduled"
    mock_session.advance_clock(1)
    stats = data(api.get(f"/getCampaignStats/{campaign_id}"))

    assert (stats["started_at"], stats["calls_in_progress"]) == ("2025-03-03T10:00:00Z", 2)


# -- start (v2) -------------------------------------------------------------------------------------
def test_start_campaign_v2_answers_in_progress_with_its_plan(frozen: MockSession, api: httpx.Client) -> None:
    body = api.get("/startCampaignv2/507f1f77bcf86cd799439013").json()

    assert body == {
        "success": True,
        "message": "Campaign started successfully",
        "data": {
            "campaign_id": "507f1f77bcf86cd799439013",
            "campaign_name": "Collections follow-up",
            "status": "in_progress",
            "started_at": NOW,
            "total_contacts": 1,
            "scheduled_calls": 0,
            "immediate_calls": 1,
            "estimated_completion": "2025-03-03T09:01:00Z",
            "configuration": {
                "is_scheduled_call": False,
                "is_context_based_call": False,
                "redial_config": {"enabled": False, "max_attempts": 0, "retry_intervals": []},
            },
        },
    }


def test_start_campaign_v2_running_answers_400_with_an_error_object(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get("/startCampaignv2/507f1f77bcf86cd799439012"), 400)

    assert body == {
        "success": False,
        "message": "Campaign is already in progress",
        "error": {
            "code": "CAMPAIGN_ALREADY_RUNNING",
            "current_status": "in_progress",
            "started_at": "2025-01-15T08:00:00Z",
        },
    }


def test_start_campaign_v2_unknown_answers_404_object(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get("/startCampaignv2/0123456789abcdef01234567"), 404)

    assert body == {"success": False, "message": "Campaign not found", "error": {"code": "NOT_FOUND"}}


def test_start_campaign_v2_unstartable_answers_422_object(frozen: MockSession, api: httpx.Client) -> None:
    untitled = failure(api.get("/startCampaignv2/507f1f77bcf86cd799439017"), 422)
    completed = failure(api.get("/startCampaignv2/507f1f77bcf86cd799439016"), 422)

    assert untitled == {
        "success": False,
        "message": MISSING,
        "error": {"code": "INVALID_CAMPAIGN_STATE", "current_status": "draft", "missing": ["script_id", "contacts"]},
    }
    assert completed["error"] == {"code": "INVALID_CAMPAIGN_STATE", "current_status": "completed", "missing": []}
    assert completed["message"] == WRONG_STATE


def test_start_campaign_v2_id_not_an_object_id_answers_400_object(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get(f"/startCampaignv2/{SEED_CAMPAIGN}"), 400)

    assert body == {
        "success": False,
        "message": "Invalid request data",
        "error": {"code": "BAD_REQUEST", "field": "campaignId", "issue": "does not have the expected format"},
    }


# -- pause ------------------------------------------------------------------------------------------
def test_pause_the_campaign_running_becomes_paused_with_active_calls(frozen: MockSession, api: httpx.Client) -> None:
    api.get(f"/startCampaign/{SEED_CAMPAIGN}")  # two contacts left to call

    response = api.get(f"/pauseTheCampaign/{SEED_CAMPAIGN}")

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {"campaign_id": SEED_CAMPAIGN, "status": "paused", "paused_at": NOW, "active_calls": 2},
        "message": "Campaign paused successfully. Active calls will complete normally.",
    }


def test_pause_the_campaign_not_running_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    for campaign_id in (SEED_CAMPAIGN, DRAFT, COMPLETED, SCHEDULED, NOT_STARTED):
        body = failure(api.get(f"/pauseTheCampaign/{campaign_id}"), 400)
        assert body == {"success": False, "message": "Campaign is not running", "error": "CAMPAIGN_NOT_RUNNING"}


def test_pause_the_campaign_unknown_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    assert failure(api.get(f"/pauseTheCampaign/{UNKNOWN}"), 404)["error"] == "NOT_FOUND"


# -- delete -----------------------------------------------------------------------------------------
def test_delete_campaign_running_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get(f"/deleteCampaign/{RUNNING}"), 400)

    assert body == {
        "success": False,
        "message": "Cannot delete a running campaign. Please pause it first.",
        "error": "CAMPAIGN_RUNNING",
    }
    assert status_of(api, RUNNING) == "running"


def test_delete_campaign_removes_it_with_its_calls_and_history(frozen: MockSession, api: httpx.Client) -> None:
    state = frozen.admin("GET", "state").json()["vendors"]["voicegenie"]
    calls_before = [c for c in state["calls"] if c["campaign_id"] == COMPLETED]
    assert len(calls_before) == 2

    response = api.get(f"/deleteCampaign/{COMPLETED}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Campaign deleted successfully"}
    for path in (f"/campaign/{COMPLETED}", f"/getCampaignStats/{COMPLETED}", f"/deleteCampaign/{COMPLETED}"):
        assert failure(api.get(path), 404) == {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"}
    assert failure(api.post("/getHistory", json={"campaign_id": COMPLETED}), 404)["error"] == "NOT_FOUND"
    assert data(api.get("/getCampaignStatuses", params={"campaign_id": "507f1f77bcf86cd799439016"}))["campaigns"] == []
    after = frozen.admin("GET", "state").json()["vendors"]["voicegenie"]
    assert [c for c in after["calls"] if c["campaign_id"] == COMPLETED] == []
    # Its contacts belonged to no other campaign: they are gone too.
    assert (
        failure(api.get("/fetchContact", params={"contact_id": "contact_mia01"}), 404)["message"] == "Contact not found"
    )


def test_delete_campaign_keeps_contacts_other_campaigns_have(frozen: MockSession, api: httpx.Client) -> None:
    response = api.get(f"/deleteCampaign/{DRAFT}")

    assert response.status_code == 200
    for contact_id in ("contact_kai01", "contact_lena01"):  # also in the scheduled and not-yet-started campaigns
        assert data(api.get("/fetchContact", params={"contact_id": contact_id}))["id"] == contact_id


def test_delete_campaign_keeps_its_name_taken(frozen: MockSession, api: httpx.Client) -> None:
    api.get(f"/deleteCampaign/{COMPLETED}")

    response = api.post("/checkCampaignNameExistence", json={"campaignName": "Holiday greetings 2024"})

    assert (response.status_code, response.json()) == (409, {"status": 409, "message": "Campaign name already exists"})


def test_delete_campaign_unknown_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    assert failure(api.get(f"/deleteCampaign/{UNKNOWN}"), 404)["message"] == "Campaign not found"


# -- reading ----------------------------------------------------------------------------------------
def test_one_campaign_is_running_on_v1_and_in_progress_on_v2(frozen: MockSession, api: httpx.Client) -> None:
    listed = {c["id"]: c for c in data(api.get("/fetchCampaignData", params={"limit": 100}))["campaigns"]}
    statuses = {c["campaign_id"]: c for c in data(api.get("/getCampaignStatuses"))["campaigns"]}

    assert listed[RUNNING]["campaign_status"] == "running"
    assert statuses["507f1f77bcf86cd799439012"]["status"] == "in_progress"
    assert all(ANY_UUID.fullmatch(i) for i in listed)
    assert all(OBJECT_ID.fullmatch(i) for i in statuses)
    assert data(api.get("/getCampaignStatuses", params={"status": "in_progress"}))["summary"]["total_campaigns"] == 1


def test_new_campaigns_get_a_uuid_and_an_object_id(frozen: MockSession, api: httpx.Client) -> None:
    created = data(api.post("/uploadCampaignData", json={"campaign_name": "Fresh", "contacts": contacts(1)}))
    campaign_id = created["campaign_id"]
    statuses = data(api.get("/getCampaignStatuses"))["campaigns"]
    fresh = next(c for c in statuses if c["campaign_name"] == "Fresh")

    assert UUID.fullmatch(campaign_id)
    assert OBJECT_ID.fullmatch(fresh["campaign_id"])
    assert fresh["status"] == "draft"


def test_fetch_campaign_data_pages_and_leaves_counts_out_on_request(frozen: MockSession, api: httpx.Client) -> None:
    first = data(api.get("/fetchCampaignData", params={"limit": 2}))
    rest = data(api.get("/fetchCampaignData", params={"limit": 10, "offset": 2, "call_count": "false"}))

    assert first["pagination"] == {"total": 7, "limit": 2, "offset": 0}
    assert [c["id"] for c in first["campaigns"]] == [SEED_CAMPAIGN, RUNNING]
    assert first["campaigns"][0] | {} == {
        "id": SEED_CAMPAIGN,
        "name": "Renewals Q1",
        "campaign_status": "paused",
        "created_at": "2025-01-10T09:00:00Z",
        "updated_at": "2025-01-14T09:10:00Z",
        "campaign_start_time": None,
        "campaign_end_time": None,
        "total_count": 4,
        "registered_count": 2,
        "completed_count": 2,
    }
    assert rest["pagination"] == {"total": 7, "limit": 10, "offset": 2}
    assert len(rest["campaigns"]) == 5
    assert all("total_count" not in c for c in rest["campaigns"])


def test_get_campaign_answers_its_script_contacts_and_counts(frozen: MockSession, api: httpx.Client) -> None:
    assert data(api.get(f"/campaign/{SEED_CAMPAIGN}")) == {
        "id": SEED_CAMPAIGN,
        "name": "Renewals Q1",
        "campaign_status": "paused",
        "script_id": "script_renewal01",
        "contact_ids": ["contact_ana01", "contact_ben01", "contact_cleo01", "contact_dev01"],
        "total_count": 4,
        "completed_count": 1,
        "failed_count": 1,
        "created_at": "2025-01-10T09:00:00Z",
        "updated_at": "2025-01-14T09:10:00Z",
    }
