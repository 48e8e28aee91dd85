"""Contacts and uploads: createContact's phone rule (E.164, with or without +), the contact pages, uploads as JSON
or as a multipart CSV/XLSX file (bad numbers listed, duplicates skipped and counted), createContactAndCampaign,
uploadCampaignDataAndRun, exclusions from a file, and the documented 413."""

from __future__ import annotations

import io

import httpx
import pytest
import xlsxwriter
from voicegenie_support import DRAFT, NOW, SCRIPT, SEED_CAMPAIGN, UNKNOWN, contacts, data, failure

from campaign_mock.pytest_plugin import MockSession

INVALID_PHONE = {"success": False, "message": "Invalid phone number format", "error": "INVALID_PHONE_NUMBER"}


# -- createContact and the contact pages ------------------------------------------------------------
@pytest.mark.parametrize("number", ["+919876543210", "919876543210", "+15550100"])
def test_create_contact_accepts_e164_with_or_without_plus(frozen: MockSession, api: httpx.Client, number: str) -> None:
    created = data(api.post("/createContact", json={"phone_number": number, "name": "Ana", "email": "a@x.example"}))

    assert created == {"contact_id": created["contact_id"], "phone_number": number, "name": "Ana", "created_at": NOW}
    assert created["contact_id"].startswith("contact_")
    assert data(api.get("/fetchContact", params={"contact_id": created["contact_id"]})) == {
        "id": created["contact_id"],
        "name": "Ana",
        "phone_number": number,
        "email": "a@x.example",
        "custom_fields": {},
        "created_at": NOW,
    }


@pytest.mark.parametrize("number", ["555-0100", "+0987654321", "+1234", "++15550100", "+1555010012345678", "phone"])
def test_create_contact_malformed_number_answers_400(frozen: MockSession, api: httpx.Client, number: str) -> None:
    assert failure(api.post("/createContact", json={"phone_number": number, "name": "Ana"}), 400) == INVALID_PHONE


def test_create_contact_without_name_answers_400_bad_request(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/createContact", json={"phone_number": "+15550100"}), 400)

    assert body == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "name", "issue": "is required"},
    }


def test_fetch_contacts_pages_oldest_first(frozen: MockSession, api: httpx.Client) -> None:
    page = data(api.get("/fetchContacts", params={"limit": 2, "offset": 1}))

    assert page == {
        "contacts": [
            {
                "id": "contact_ben01",
                "name": "Ben Okafor",
                "phone_number": "+14155550102",
                "email": "ben@globex.example",
            },
            {"id": "contact_cleo01", "name": "Cleo Park", "phone_number": "+14155550103", "email": None},
        ],
        "pagination": {"total": 14, "limit": 2, "offset": 1},
    }
    assert data(api.get("/fetchContacts"))["pagination"] == {"total": 14, "limit": 50, "offset": 0}


def test_fetch_contact_unknown_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.get("/fetchContact", params={"contact_id": "contact_nobody"}), 404)

    assert body == {"success": False, "message": "Contact not found", "error": "NOT_FOUND"}


def test_delete_contact_removes_it_from_its_campaigns(frozen: MockSession, api: httpx.Client) -> None:
    response = api.get("/deleteContact/contact_cleo01")

    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "message": "Contact deleted successfully"},
    )
    assert "contact_cleo01" not in data(api.get(f"/campaign/{SEED_CAMPAIGN}"))["contact_ids"]
    assert failure(api.get("/deleteContact/contact_cleo01"), 404) == {
        "success": False,
        "message": "Contact not found",
        "error": "NOT_FOUND",
    }


def test_deleting_a_called_contact_keeps_its_call_history(frozen: MockSession, api: httpx.Client) -> None:
    api.get("/deleteContact/contact_ana01")

    calls = data(api.post("/getHistory", json={"campaign_id": SEED_CAMPAIGN}))["history"]

    assert [c["contact_name"] for c in calls] == ["Ben Okafor", "Ana Silva"]
    assert data(api.get(f"/getCampaignStats/{SEED_CAMPAIGN}"))["total_contacts"] == 3


# -- uploadCampaignData -----------------------------------------------------------------------------
def test_upload_campaign_data_creates_a_draft_campaign(frozen: MockSession, api: httpx.Client) -> None:
    response = api.post("/uploadCampaignData", json={"campaign_name": "New list", "contacts": contacts(3)})
    body = response.json()
    campaign = data(api.get(f"/campaign/{body['data']['campaign_id']}"))

    assert body == {
        "success": True,
        "data": {
            "campaign_id": body["data"]["campaign_id"],
            "uploaded_count": 3,
            "failed_count": 0,
            "skipped_count": 0,
            "errors": [],
        },
        "message": "Campaign data uploaded successfully",
    }
    assert (campaign["campaign_status"], campaign["script_id"], campaign["total_count"]) == ("draft", None, 3)
    assert len(data(api.get("/fetchContacts", params={"limit": 100}))["contacts"]) == 14 + 3


def test_upload_campaign_data_rejects_bad_numbers_and_skips_duplicates(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "campaign_id": SEED_CAMPAIGN,
        "contacts": [
            {"phone_number": "+14155550101", "name": "Ana again"},  # already in the campaign
            {"phone_number": "14155550102", "name": "Ben, no plus"},  # the same number as Ben's, written without +
            {"phone_number": "+4915112345678", "name": "New"},
            {"phone_number": "4915112345678", "name": "New again"},  # a duplicate within this upload
            {"phone_number": "0049 151", "name": "Bad"},
            {"phone_number": "+1 (415) 555-0199", "name": "Bad too"},
        ],
    }

    result = data(api.post("/uploadCampaignData", json=body))

    assert result == {
        "campaign_id": SEED_CAMPAIGN,
        "uploaded_count": 1,
        "failed_count": 2,
        "skipped_count": 3,
        "errors": [
            {"index": 4, "phone_number": "0049 151", "issue": "Phone number format invalid"},
            {"index": 5, "phone_number": "+1 (415) 555-0199", "issue": "Phone number format invalid"},
        ],
    }
    assert data(api.get(f"/campaign/{SEED_CAMPAIGN}"))["total_count"] == 5


def test_upload_campaign_data_without_name_or_id_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/uploadCampaignData", json={"contacts": contacts(1)}), 400)

    assert body == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "campaign_name", "issue": "is required when campaign_id is not given"},
    }


def test_upload_campaign_data_unknown_campaign_or_script_answers_404(frozen: MockSession, api: httpx.Client) -> None:
    campaign = failure(api.post("/uploadCampaignData", json={"campaign_id": UNKNOWN, "contacts": []}), 404)
    script = failure(
        api.post("/uploadCampaignData", json={"campaign_name": "X", "script_id": "nope", "contacts": []}), 404
    )

    assert campaign == {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"}
    assert script == {"success": False, "message": "Script not found", "error": "NOT_FOUND"}


def test_upload_campaign_data_outside_the_schema_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    missing = failure(api.post("/uploadCampaignData", json={"campaign_name": "X"}), 400)
    wrong = failure(
        api.post("/uploadCampaignData", json={"campaign_name": "X", "contacts": [{"name": "No number"}]}), 400
    )
    not_json = failure(
        api.post("/uploadCampaignData", content=b"{oops", headers={"content-type": "application/json"}), 400
    )

    assert missing["details"] == {"field": "contacts", "issue": "is required"}
    assert wrong["details"] == {"field": "contacts[0].phone_number", "issue": "is required"}
    assert not_json == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "body", "issue": "The request body is not valid JSON"},
    }


def test_upload_campaign_data_multipart_csv_file(frozen: MockSession, api: httpx.Client) -> None:
    text = "phone_number,name,email,plan\n+14155550301,Ola,ola@x.example,Pro\n14155550302,Pia,,\nnot-a-number,Bad,,\n"
    form = {"campaign_name": "From CSV", "script_id": SCRIPT, "schedule_time": "2025-03-03T10:00:00Z"}

    response = api.post("/uploadCampaignData", data=form, files={"file": ("contacts.csv", text, "text/csv")})
    result = data(response)
    campaign = data(api.get(f"/campaign/{result['campaign_id']}"))
    ola = data(api.get("/fetchContact", params={"contact_id": campaign["contact_ids"][0]}))

    assert (result["uploaded_count"], result["failed_count"], result["skipped_count"]) == (2, 1, 0)
    assert result["errors"] == [{"index": 2, "phone_number": "not-a-number", "issue": "Phone number format invalid"}]
    assert (campaign["campaign_status"], campaign["script_id"]) == ("scheduled", SCRIPT)
    assert ola == {
        "id": campaign["contact_ids"][0],
        "name": "Ola",
        "phone_number": "+14155550301",
        "email": "ola@x.example",
        "custom_fields": {"plan": "Pro"},
        "created_at": NOW,
    }


def test_upload_campaign_data_multipart_xlsx_file(frozen: MockSession, api: httpx.Client) -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, values in enumerate([["phone_number", "name"], ["+14155550401", "Quinn"], [14155550402, "Rosa"]]):
        for column, value in enumerate(values):
            sheet.write(row, column, value)
    book.close()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    response = api.post(
        "/uploadCampaignData",
        data={"campaign_id": DRAFT},
        files={"file": ("contacts.xlsx", out.getvalue(), xlsx)},
    )

    assert data(response)["uploaded_count"] == 2
    names = [
        data(api.get("/fetchContact", params={"contact_id": c}))["name"]
        for c in data(api.get(f"/campaign/{DRAFT}"))["contact_ids"]
    ]
    assert names == ["Kai Moreno", "Lena Fischer", "Quinn", "Rosa"]


def test_upload_campaign_data_file_without_phone_column_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    files = {"file": ("c.csv", "name\nAna\n", "text/csv")}

    body = failure(api.post("/uploadCampaignData", data={"campaign_name": "X"}, files=files), 400)

    assert body["details"] == {"field": "file", "issue": "the file has no phone_number column"}


def test_upload_campaign_data_multipart_without_file_answers_400(frozen: MockSession, api: httpx.Client) -> None:
    response = api.post("/uploadCampaignData", files={"campaign_name": (None, "X")})

    assert failure(response, 400)["details"] == {"field": "file", "issue": "is required"}


def test_upload_campaign_data_over_the_body_limit_answers_413(frozen: MockSession, api: httpx.Client) -> None:
    body = b'{"contacts": [' + b" " * (5 * 1024 * 1024) + b"]}"

    response = api.post("/uploadCampaignData", content=body, headers={"content-type": "application/json"})

    assert failure(response, 413) == {
        "success": False,
        "message": f"Request payload exceeds {5 * 1024 * 1024} bytes",
        "error": "PAYLOAD_TOO_LARGE",
    }


# -- createContactAndCampaign, uploadCampaignDataAndRun ---------------------------------------------------
def test_create_contact_and_campaign_makes_both(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "identifierName": "quick_outreach_001",
        "userData": [
            {"phone_number": "919876543210", "name": "Asha", "age": 31},
            {"phone_number": "919876543211", "company": "Acme"},
        ],
    }

    response = api.post("/createContactAndCampaign", json=body)
    listed = data(api.get("/fetchCampaignData", params={"limit": 100}))["campaigns"]
    campaign = next(c for c in listed if c["name"] == "VoiceGenie_campaign_quick_outreach_001")
    detail = data(api.get(f"/campaign/{campaign['id']}"))
    second = data(api.get("/fetchContact", params={"contact_id": detail["contact_ids"][1]}))

    assert response.json() == {
        "status": "success",
        "data": {"message": "Done"},
        "message": "Contact and campaign created.",
    }
    assert (detail["campaign_status"], detail["script_id"], detail["total_count"]) == ("draft", None, 2)
    assert (second["name"], second["custom_fields"]) == ("VoiceGenie_contact_quick_outreach_001", {"company": "Acme"})


def test_create_contact_and_campaign_bad_number_creates_nothing(frozen: MockSession, api: httpx.Client) -> None:
    body = {"identifierName": "x", "userData": [{"phone_number": "919876543210"}, {"phone_number": "12"}]}

    response = api.post("/createContactAndCampaign", json=body)

    assert failure(response, 400) == {
        "status": "failed",
        "data": {"message": "create contact failed"},
        "message": "Invalid phone number format",
    }
    assert data(api.get("/fetchContacts"))["pagination"]["total"] == 14


def test_upload_campaign_data_and_run_answers_the_running_campaign(frozen: MockSession, api: httpx.Client) -> None:
    body = {
        "campaignName": "Run now",
        "agentId": SCRIPT,
        "contacts": [{"phone_number": "+14155550501", "name": "Sam", "custom_data": {"plan": "Pro"}}, *contacts(6)],
        "isContextBasedCall": True,
        "redialConfig": {"enabled": True, "maxAttempts": 3, "retryIntervals": [3600, 7200, 14400]},
    }

    result = api.post("/uploadCampaignDataAndRun", json=body).json()

    campaign = result["data"]["campaign"]
    assert result["success"] is True and result["message"] == "Campaign created and started successfully"
    assert campaign == {
        "_id": campaign["_id"],
        "campaignName": "Run now",
        "campaignId": campaign["campaignId"],
        "status": "in_progress",
        "agentId": SCRIPT,
        "totalContacts": 7,
        "isScheduledCall": False,
        "isContextBasedCall": True,
        "createdAt": NOW,
        "campaignStartTime": NOW,
    }
    assert result["data"]["execution_status"] == {
        "calls_queued": 7,
        "calls_initiated": 0,
        "estimated_completion": "2025-03-03T09:02:00Z",
    }
    assert result["data"]["redial_config"] == {"enabled": True, "maxAttempts": 3, "retryIntervals": [3600, 7200, 14400]}
    assert data(api.get(f"/campaign/{campaign['campaignId']}"))["campaign_status"] == "running"


def test_upload_campaign_data_and_run_errors(frozen: MockSession, api: httpx.Client) -> None:
    unknown = failure(
        api.post("/uploadCampaignDataAndRun", json={"campaignName": "X", "agentId": "nope", "contacts": []}), 404
    )
    scheduled = {"campaignName": "X", "agentId": SCRIPT, "isScheduledCall": True, "contacts": contacts(2)}
    too_many = {"campaignName": "X", "agentId": SCRIPT, "contacts": contacts(1001)}

    assert unknown == {"success": False, "message": "Script not found", "error": "NOT_FOUND"}
    assert failure(api.post("/uploadCampaignDataAndRun", json=scheduled), 400)["details"] == {
        "field": "contacts[0].scheduledCallDateTime",
        "issue": "is required when isScheduledCall is true",
    }
    assert failure(api.post("/uploadCampaignDataAndRun", json=too_many), 400)["details"]["field"] == "contacts"


# -- excludeContactsFromCampaign --------------------------------------------------------------------
def test_exclude_contacts_from_campaign_by_phone_number(frozen: MockSession, api: httpx.Client) -> None:
    files = {"file": ("exclude.csv", "phone_number\n14155550103\n+19999999999\n", "text/csv")}

    response = api.post(
        f"/excludeContactsFromCampaign/{SEED_CAMPAIGN}", data={"searchKey": "phone_number"}, files=files
    )

    assert response.json() == {
        "status": 200,
        "data": {},
        "message": "Exclusion started. Processing will continue in background.",
    }
    detail = data(api.get(f"/campaign/{SEED_CAMPAIGN}"))
    assert detail["contact_ids"] == ["contact_ana01", "contact_ben01", "contact_dev01"]
    api.get(f"/startCampaign/{SEED_CAMPAIGN}")
    frozen.advance_clock(3600)
    called = {c["contact_name"] for c in data(api.post("/getHistory", json={"campaign_id": SEED_CAMPAIGN}))["history"]}
    assert "Cleo Park" not in called and "Dev Patel" in called


def test_exclude_contacts_from_campaign_by_custom_field(frozen: MockSession, api: httpx.Client) -> None:
    files = {"file": ("exclude.csv", "plan\nBasic\n", "text/csv")}

    api.post(f"/excludeContactsFromCampaign/{SEED_CAMPAIGN}", data={"searchKey": "plan"}, files=files)

    assert data(api.get(f"/campaign/{SEED_CAMPAIGN}"))["contact_ids"] == ["contact_ana01", "contact_cleo01"]


def test_exclude_contacts_from_campaign_errors(frozen: MockSession, api: httpx.Client) -> None:
    csv_file = {"file": ("exclude.csv", "email\na@x.example\n", "text/csv")}
    path = f"/excludeContactsFromCampaign/{SEED_CAMPAIGN}"

    no_key = failure(api.post(path, files=csv_file), 400)
    no_file = failure(api.post(path, files={"searchKey": (None, "email")}), 400)
    no_column = failure(api.post(path, data={"searchKey": "phone_number"}, files=csv_file), 422)
    unknown = failure(
        api.post(f"/excludeContactsFromCampaign/{UNKNOWN}", data={"searchKey": "email"}, files=csv_file), 404
    )

    missing = {"status": 400, "message": "File not provided or searchKey missing", "error": "MISSING_PARAMETERS"}
    assert no_key == missing and no_file == missing
    assert no_column == {
        "status": 422,
        "message": "Column 'phone_number' doesn't exist in file",
        "error": "INVALID_COLUMN",
    }
    assert unknown == {"status": 404, "message": "Campaign not found", "error": "CAMPAIGN_NOT_FOUND"}
