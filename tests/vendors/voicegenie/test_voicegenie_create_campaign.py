"""The createCampaign family ({status: <HTTP code>, data, message}; errors {status, message, error, details}):
create, update, check a name."""

from __future__ import annotations

from typing import Any

import httpx
from voicegenie_support import NOW, SCRIPT, SEED_CAMPAIGN, UNKNOWN, data, failure

from campaign_mock.pytest_plugin import MockSession

VALID: dict[str, Any] = {
    "campaignName": "Collections April",
    "contactName": "contact_kai01",
    "campaignStartHour": 9,
    "campaignStartMinute": 30,
    "campaignEndHour": 18,
    "campaignEndMinute": 0,
    "agentId": SCRIPT,
}


def test_create_campaign_answers_the_not_yet_started_document(frozen: MockSession, api: httpx.Client) -> None:
    body = {**VALID, "campaignEndTimezone": "Europe/Berlin", "PhoneNumber": ["+1234567890"], "extra": "ignored"}

    response = api.post("/createCampaign", json=body).json()

    document = response["data"]
    assert (response["status"], response["message"]) == (200, "Campaign created successfully")
    assert document == {
        "_id": document["_id"],
        "campaignName": "Collections April",
        "campaignId": document["campaignId"],
        "campaignType": "continuous",
        "status": "not-yet-started",
        "agentId": SCRIPT,
        "contactId": "contact_kai01",
        "campaignStartDate": None,
        "campaignEndDate": None,
        "campaignStartTime": {"timeZone": "Asia/Calcutta", "hour": 9, "minute": 30},
        "campaignEndTime": {"timeZone": "Europe/Berlin", "hour": 18, "minute": 0},
        "redialConfig": {"enabled": False},
        "isScheduledCall": False,
        "isDeleted": False,
        "isHidden": False,
        "currDialingCallCount": 0,
        "currProcessingCallCount": 0,
        "createdAt": NOW,
        "updatedAt": NOW,
    }
    assert data(api.get(f"/campaign/{document['campaignId']}"))["campaign_status"] == "not-yet-started"


def test_create_campaign_lists_every_missing_field(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(
        api.post("/createCampaign", json={"campaignName": "", "isScheduledCall": True, "isContextBasedCall": True}), 400
    )

    assert body == {
        "status": 400,
        "message": "Invalid campaign configuration",
        "error": "INVALID_PARAMETERS",
        "details": {
            "missing": [
                "campaignName",
                "contactName",
                "campaignStartHour",
                "campaignStartMinute",
                "campaignEndHour",
                "campaignEndMinute",
                "agentId",
                "scheduledCallDateTime",
                "recentCallContextCount",
            ]
        },
    }


def test_create_campaign_taken_name_answers_422_deleted_ones_included(frozen: MockSession, api: httpx.Client) -> None:
    api.get("/deleteCampaign/0f8fad5b-d9cb-469f-a165-70867728950e")

    taken = failure(api.post("/createCampaign", json={**VALID, "campaignName": "Holiday greetings 2024"}), 422)
    other_case = api.post("/createCampaign", json={**VALID, "campaignName": "holiday greetings 2024"})

    assert taken == {"status": 422, "message": "Campaign name already exists", "error": "DUPLICATE_CAMPAIGN_NAME"}
    assert other_case.status_code == 200


def test_create_campaign_unknown_contact_or_agent_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    contact = failure(api.post("/createCampaign", json={**VALID, "contactName": "contact_nope"}), 404)
    agent = failure(api.post("/createCampaign", json={**VALID, "agentId": "script_nope"}), 404)

    assert contact == {"status": 404, "message": "Contact not found", "error": "CONTACT_NOT_FOUND"}
    assert agent == {"status": 404, "message": "Agent not found", "error": "AGENT_NOT_FOUND"}


def test_create_campaign_daily_window_holds_calls_until_it_opens(frozen: MockSession, api: httpx.Client) -> None:
    # 09:00 UTC is 14:30 in Asia/Calcutta: a 16:00-18:00 window opens at 10:30 UTC.
    body = {**VALID, "campaignStartHour": 16, "campaignStartMinute": 0}
    document = api.post("/createCampaign", json=body).json()["data"]
    api.get(f"/startCampaign/{document['campaignId']}")
    frozen.advance_clock(5399)
    assert data(api.get(f"/getCampaignStats/{document['campaignId']}"))["calls_in_progress"] == 0

    frozen.advance_clock(1)
    stats = data(api.get(f"/getCampaignStats/{document['campaignId']}"))

    assert stats["calls_in_progress"] == 1


def test_update_campaign_changes_the_fields_it_is_given(frozen: MockSession, api: httpx.Client) -> None:
    frozen.advance_clock(60)
    response = api.put(
        f"/updateCampaign/{SEED_CAMPAIGN}", json={"campaignName": "Renewals Q1 (v2)", "campaignEndHour": 17}
    )

    assert response.json() == {
        "status": 200,
        "data": {
            "_id": "507f1f77bcf86cd799439011",
            "campaignName": "Renewals Q1 (v2)",
            "campaignId": SEED_CAMPAIGN,
            "updatedAt": "2025-03-03T09:01:00Z",
        },
        "message": "Campaign details updated successfully.",
    }
    assert data(api.get(f"/campaign/{SEED_CAMPAIGN}"))["name"] == "Renewals Q1 (v2)"


def test_update_campaign_errors(frozen: MockSession, api: httpx.Client) -> None:
    unknown = failure(api.put(f"/updateCampaign/{UNKNOWN}", json={}), 404)
    taken = failure(api.put(f"/updateCampaign/{SEED_CAMPAIGN}", json={"campaignName": "Webinar invites"}), 422)
    empty = failure(api.put(f"/updateCampaign/{SEED_CAMPAIGN}", json={"campaignName": ""}), 400)

    assert unknown == {"status": 404, "message": "Campaign not found", "error": "CAMPAIGN_NOT_FOUND"}
    assert taken == {"status": 422, "message": "Campaign name already exists", "error": "DUPLICATE_CAMPAIGN_NAME"}
    assert empty["details"] == {"invalid": ["campaignName"]}
    assert api.put(f"/updateCampaign/{SEED_CAMPAIGN}", json={"campaignName": "Renewals Q1"}).status_code == 200


def test_check_campaign_name_existence(frozen: MockSession, api: httpx.Client) -> None:
    free = api.post("/checkCampaignNameExistence", json={"campaignName": "Brand new"})
    taken = api.post("/checkCampaignNameExistence", json={"campaignName": "Renewals Q1"})
    missing = api.post("/checkCampaignNameExistence", json={})

    assert (free.status_code, free.json()) == (200, {"status": 200, "message": "Campaign name is available"})
    assert (taken.status_code, taken.json()) == (409, {"status": 409, "message": "Campaign name already exists"})
    assert failure(missing, 400) == {
        "status": 400,
        "message": "Campaign name is required",
        "error": "MISSING_PARAMETER",
    }
