"""Errors in the envelope of the page that documents them (contradictions V3, V4, V6): requests outside the spec,
unknown routes, wrong methods and injected faults, per envelope family."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from voicegenie_support import SEED_CAMPAIGN, UNKNOWN, failure

from campaign_mock.pytest_plugin import MockSession


def inject(mock_session: MockSession, method: str, path: str, status: int) -> None:
    fault = {"vendor": "voicegenie", "method": method, "path": path, "status": status, "times": 1}
    assert mock_session.admin("POST", "faults", json=fault).status_code in (200, 201)


# -- requests outside the spec ----------------------------------------------------------------------
def test_v1_query_outside_the_schema_answers_bad_request(frozen: MockSession, api: httpx.Client) -> None:
    assert failure(api.get("/fetchCampaignData", params={"limit": 0}), 400) == {
        "success": False,
        "message": "Invalid request data",
        "error": "BAD_REQUEST",
        "details": {"field": "limit", "issue": "0 is less than the minimum of 1"},
    }
    assert failure(api.get("/fetchCampaignData", params={"sort": "name"}), 400)["details"] == {
        "field": "sort",
        "issue": "unexpected query parameter 'sort'",
    }
    assert failure(api.get("/fetchContact"), 400)["details"] == {
        "field": "contact_id",
        "issue": "is required",
    }


def test_status_code_family_answers_invalid_parameters(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/createCampaign", json={"campaignName": 5, "campaignStartHour": 25}), 400)
    path = failure(api.put("/updateCampaign/not-a-uuid", json={}), 400)

    assert body == {
        "status": 400,
        "message": "Invalid campaign configuration",
        "error": "INVALID_PARAMETERS",
        "details": {"invalid": ["campaignName", "campaignStartHour"]},
    }
    assert path["details"] == {"invalid": ["campaignId"]}


def test_status_text_family_answers_status_failed(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.post("/auth/login", json={"email": 1}), 400)
    bad_json = failure(
        api.post("/createContactAndCampaign", content=b"nope", headers={"content-type": "application/json"}), 400
    )

    assert body == {"status": "failed", "data": {}, "message": "Invalid request: email 1 is not of type 'string'"}
    assert bad_json == {
        "status": "failed",
        "data": {},
        "message": "Invalid request: body The request body is not valid JSON",
    }


def test_unknown_route_and_wrong_method_answer_v1(frozen: MockSession, api: httpx.Client) -> None:
    missing = failure(api.get("/stopCampaign/x"), 404)
    method = api.post(f"/startCampaign/{SEED_CAMPAIGN}")

    assert missing == {"success": False, "message": "Route not found: /stopCampaign/x", "error": "NOT_FOUND"}
    assert failure(method, 405) == {
        "success": False,
        "message": "POST is not supported here; use GET",
        "error": "METHOD_NOT_ALLOWED",
    }
    assert method.headers["Allow"] == "GET"


def test_update_campaign_without_an_id_answers_422_invalid_campaign_id(frozen: MockSession, api: httpx.Client) -> None:
    body = failure(api.put("/updateCampaign/", json={"campaignName": "X"}), 422)

    assert body == {"status": 422, "message": "Campaign ID not provided", "error": "INVALID_CAMPAIGN_ID"}


# -- injected faults --------------------------------------------------------------------------------
FAULTS: list[tuple[str, str, dict[str, Any], int, dict[str, Any]]] = [
    (
        "GET",
        "/fetchCampaignData",
        {},
        500,
        {"success": False, "message": "An error occurred while fetching campaigns", "error": "INTERNAL_SERVER_ERROR"},
    ),
    (
        "GET",
        f"/deleteCampaign/{UNKNOWN}",
        {},
        500,
        {"success": False, "message": "Failed to delete campaign", "error": "INTERNAL_SERVER_ERROR"},
    ),
    (
        "GET",
        f"/startCampaignv2/{'a' * 24}",
        {},
        500,
        {"success": False, "message": "Failed to start campaign", "error": {"code": "INTERNAL_SERVER_ERROR"}},
    ),
    ("POST", "/auth/login", {"email": "a"}, 500, {"status": "failed", "data": {}, "message": "user Login Failed."}),
    (
        "POST",
        "/createContactAndCampaign",
        {"identifierName": "x", "userData": [{"phone_number": "919876543210"}]},
        500,
        {"status": "failed", "data": {"message": "create contact failed"}, "message": "contact creation failed!"},
    ),
    (
        "POST",
        "/fetchNewGenerativeBotScript",
        {},
        500,
        {"status": "failed", "data": {}, "message": "fetchNewGenerativeBotScript Failed."},
    ),
    (
        "POST",
        "/createCampaign",
        {},
        500,
        {"status": 500, "message": "Failed to create campaign", "error": "INTERNAL_ERROR"},
    ),
    (
        "PUT",
        f"/updateCampaign/{UNKNOWN}",
        {},
        500,
        {"status": 500, "message": "Failed to update campaign", "error": "UPDATE_FAILED"},
    ),
    (
        "GET",
        "/fetchQuota",
        {},
        429,
        {"success": False, "message": "Too many requests. Please try again later.", "error": "RATE_LIMIT_EXCEEDED"},
    ),
    (
        "GET",
        "/fetchQuota",
        {},
        401,
        {"success": False, "message": "Invalid or missing API key", "error": "UNAUTHORIZED"},
    ),
    (
        "GET",
        f"/campaign/{SEED_CAMPAIGN}",
        {},
        404,
        {"success": False, "message": "Campaign not found", "error": "NOT_FOUND"},
    ),
    (
        "POST",
        "/checkCampaignNameExistence",
        {"campaignName": "X"},
        409,
        {"status": 409, "message": "Campaign name already exists"},
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "expected"), FAULTS, ids=[f"{f[1]}-{f[3]}" for f in FAULTS]
)
def test_injected_fault_answers_the_documented_body(
    frozen: MockSession,
    api: httpx.Client,
    method: str,
    path: str,
    body: dict[str, Any],
    status: int,
    expected: dict[str, Any],
) -> None:
    inject(frozen, method, path, status)

    response = api.request(method, path, json=body) if method != "GET" else api.get(path)

    assert failure(response, status) == expected
    assert api.request(method, path, json=body).status_code != status or status == 404  # the fault applied once
