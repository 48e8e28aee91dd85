"""Edges of the engine: session names, fault bodies without a path, and a server-wide reset of the clock."""

from __future__ import annotations

import httpx
from engine_client import LEADTERRA_AUTH, Mock

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer


def test_empty_session_prefix_is_refused_with_a_clear_error(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/__session//leadterra/v1/sender-pools", headers=LEADTERRA_AUTH)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_session",
            "message": "session names are 1-100 letters, digits, '_', '.' or '-'; got ''",
        }
    }


def test_session_header_with_a_space_is_refused(shared: Mock) -> None:
    headers = {**LEADTERRA_AUTH, "X-Mock-Session": "two words"}
    response = shared.http.get(f"{shared.url}/leadterra/v1/sender-pools", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_session"


def test_add_faults_with_a_body_no_operation_documents_is_refused(mock_session: MockSession) -> None:
    fault = {"vendor": "leadterra", "status": 400, "body": {"nope": 1}}
    response = mock_session.admin("POST", "faults", json=fault)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_fault"
    assert body["message"] == (
        "faults: body breaks list_sender_pools 400 schema: (top level): 'error' is a required property"
    )
    assert mock_session.admin("GET", "faults").json() == {"faults": []}


def test_add_faults_with_a_documented_body_and_no_path_applies_to_every_operation(mock_session: MockSession) -> None:
    body = {"error": {"code": "invalid_request", "message": "Injected."}}
    assert (
        mock_session.admin("POST", "faults", json={"vendor": "leadterra", "status": 400, "body": body}).status_code
        == 201
    )
    response = httpx.get(mock_session.url("leadterra") + "/v1/sender-accounts", headers=LEADTERRA_AUTH)
    assert (response.status_code, response.json()) == (400, body)


def test_server_wide_reset_returns_the_clock_to_system_time() -> None:
    with MockServer() as server, httpx.Client(base_url=server.url) as http:
        http.post("/__admin/clock", json={"now": "2025-01-15T11:00:00Z", "frozen": True})
        assert http.get("/__admin/clock").json()["frozen"] is True
        http.post("/__admin/reset")
        reading = http.get("/__admin/clock").json()
        assert reading["frozen"] is False
        assert not reading["now"].startswith("2025-01-15")


def test_head_answers_like_get_without_a_body(shared: Mock, mock_session: MockSession) -> None:
    url = f"{mock_session.url('leadterra')}/v1/campaigns/camp_123/stats"
    head = shared.http.head(url, headers=LEADTERRA_AUTH)
    get = shared.http.get(url, headers=LEADTERRA_AUTH)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(get.content))


def test_an_encoded_slash_stays_inside_a_path_parameter(shared: Mock, mock_session: MockSession) -> None:
    response = shared.http.get(f"{mock_session.url('leadterra')}/v1/campaigns/a%2Fb/stats", headers=LEADTERRA_AUTH)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "campaign_not_found")


def test_root_lists_what_is_served(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "campaign-mock"
    assert body["vendors"]["leadterra"] == {"prefix": "/leadterra", "openapi": "/leadterra/openapi.json"}
    assert body["admin"] == {"prefix": "/__admin", "openapi": "/__admin/openapi.json"}
