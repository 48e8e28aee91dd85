"""Requests outside the contract: bad JSON, bad bodies and parameters, unknown routes and methods."""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import detail

from campaign_mock.engine.errors import InjectedFault
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.foxreach.errors import FoxReachErrors

JSON = {"Content-Type": "application/json"}
BODY_OPERATIONS = [
    ("POST", "/campaigns"),
    ("PATCH", "/campaigns/cmp_abc123"),
    ("POST", "/campaigns/cmp_abc123/leads"),
    ("POST", "/campaigns/cmp_abc123/accounts"),
    ("POST", "/campaigns/cmp_abc123/sequences"),
    ("PATCH", "/campaigns/cmp_abc123/sequences/seq_q1step1"),
    ("POST", "/leads"),
    ("PATCH", "/leads/cld_ana01"),
    ("POST", "/templates"),
    ("PATCH", "/templates/tpl_intro01"),
    ("PATCH", "/inbox/rpl_cleo01"),
    ("PATCH", "/inbox/threads/rpl_cleo01"),
    ("POST", "/inbox/threads/rpl_cleo01/reply"),
    ("POST", "/webhooks"),
    ("PATCH", "/webhooks/cwh_demo01"),
]


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_body_operations_invalid_json_is_400(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path, content=b'{"name": "unterminated', headers=JSON)
    assert detail(response, 400) == "Invalid JSON body"


@pytest.mark.parametrize("payload", [b"[]", b'"text"', b"42", b"null"])
def test_create_lead_body_not_an_object_is_400(api: httpx.Client, payload: bytes) -> None:
    assert detail(api.post("/leads", content=payload, headers=JSON), 400) == "Invalid JSON body"


def test_create_campaign_wrong_field_type_is_422(api: httpx.Client) -> None:
    response = api.post("/campaigns", json={"name": "X", "dailyLimit": "lots"})
    assert detail(response, 422) == "Validation error: dailyLimit: 'lots' is not of type 'integer'"


def test_update_lead_nested_field_type_is_422(api: httpx.Client) -> None:
    response = api.patch("/leads/cld_ana01", json={"tags": ["ok", 7]})
    assert detail(response, 422) == "Validation error: tags[1]: 7 is not of type 'string'"


def test_list_leads_page_size_not_a_number_is_422(api: httpx.Client) -> None:
    response = api.get("/leads", params={"pageSize": "many"})
    assert detail(response, 422) == "Validation error: pageSize: 'many' is not of type 'integer'"


def test_list_leads_unknown_query_parameter_is_ignored(api: httpx.Client) -> None:
    assert api.get("/leads", params={"sort": "email"}).status_code == 200


def test_invalid_request_is_logged_as_a_request_violation(mock_session: MockSession, api: httpx.Client) -> None:
    api.post("/leads", json={"email": "nope"})
    found = mock_session.admin("GET", "violations", params={"kind": "request"}).json()["violations"]
    assert [(v["operationId"], v["status"]) for v in found] == [("create_lead", 422)]


def test_unknown_route_is_404_not_found(api: httpx.Client) -> None:
    assert detail(api.get("/campaignz"), 404) == "Not Found"


def test_wrong_method_is_405_with_allow(api: httpx.Client) -> None:
    response = api.put("/campaigns/cmp_abc123", json={"name": "x"})
    assert detail(response, 405) == "Method Not Allowed"
    assert response.headers["Allow"] == "DELETE, GET, PATCH"


def test_openapi_document_is_served_with_the_mock_as_server(mock_session: MockSession) -> None:
    with httpx.Client(verify=False) as client:
        document = client.get(mock_session.url("foxreach") + "/openapi.json").json()
    assert document["servers"][0]["url"] == mock_session.url("foxreach")
    assert "x-scenario-state" not in document
    assert len([op for item in document["paths"].values() for op in item]) == 44


def test_create_lead_injected_409_says_conflict(mock_session: MockSession, api: httpx.Client) -> None:
    fault = {"vendor": "foxreach", "method": "POST", "path": "/api/v1/leads", "status": 409, "times": 1}
    assert mock_session.admin("POST", "faults", json=fault).status_code == 201
    assert detail(api.post("/leads", json={"email": "new@x.example"}), 409) == "Conflict"
    assert api.post("/leads", json={"email": "new@x.example"}).status_code == 201  # no lead was behind it


def test_for_status_429_without_a_reading_names_the_documented_policy() -> None:
    err = FoxReachErrors().injected(InjectedFault(429, None))
    assert (err.status, err.headers["Retry-After"]) == (429, "60")
    assert FoxReachErrors().render(err) == {
        "error": "Rate limit exceeded",
        "code": "rate_limit_exceeded",
        "details": {"limit": 100, "reset": 0},
    }
