"""The request path over HTTP: served specs, unknown prefixes, wrong methods, and the mock's own failures.

A response that breaks the spec must never reach a user: it becomes a 500 naming the operation and the
schema path, and is recorded as a violation. To provoke one, a private server runs with a Leadterra handler
swapped for a broken one (the handler table is shared by every app in the process; monkeypatch restores it).
"""

from __future__ import annotations

import httpx
import pytest
import yaml
from engine_client import LEADTERRA_AUTH, Mock

from campaign_mock.app import Settings
from campaign_mock.engine.admin import Admin
from campaign_mock.engine.catalog import ADMIN, load_catalog
from campaign_mock.engine.service import Call, Reply
from campaign_mock.engine.specs import SPEC_DIR
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer
from campaign_mock.vendors.leadterra.handlers import HANDLERS


# -- served specs --------------------------------------------------------------------------------------
def test_get_openapi_json_points_servers_at_the_mock(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/leadterra/openapi.json")

    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": f"{shared.url}/leadterra", "description": "campaign-mock"}]


def test_get_openapi_json_through_session_prefix_keeps_the_prefix(shared: Mock, mock_session: MockSession) -> None:
    response = shared.http.get(f"{mock_session.url('leadterra')}/openapi.json")

    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": mock_session.url("leadterra"), "description": "campaign-mock"}]


def test_get_openapi_json_serves_the_spec_without_private_keys(shared: Mock) -> None:
    written = yaml.safe_load((SPEC_DIR / "leadterra.yaml").read_text(encoding="utf-8"))

    served = shared.http.get(f"{shared.url}/leadterra/openapi.json").json()

    assert "x-scenario-state" in written
    assert "x-scenario-state" not in served
    del written["x-scenario-state"]
    assert {**served, "servers": written["servers"]} == written


def test_get_admin_openapi_json_points_servers_at_the_mock(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/__admin/openapi.json")

    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": shared.url, "description": "campaign-mock"}]
    assert "/__admin/health" in response.json()["paths"]


# -- routing ---------------------------------------------------------------------------------------------
def _unknown_prefix(service: str) -> dict[str, object]:
    vendors = sorted(load_catalog().vendors)
    known = ", ".join(f"/{v}" for v in [*vendors, ADMIN])
    return {
        "error": {
            "code": "unknown_prefix",
            "message": f"no vendor is served under /{service}; known prefixes: {known}",
        },
        "vendors": {v: {"prefix": f"/{v}", "openapi": f"/{v}/openapi.json"} for v in vendors},
        "admin": {"prefix": f"/{ADMIN}", "openapi": f"/{ADMIN}/openapi.json"},
    }


def test_unknown_vendor_prefix_answers_404_json(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/acme/v1/campaigns", headers=LEADTERRA_AUTH)

    assert (response.status_code, response.headers["content-type"]) == (404, "application/json")
    assert response.json() == _unknown_prefix("acme")


def test_unknown_vendor_prefix_in_a_session_answers_404_json(shared: Mock, mock_session: MockSession) -> None:
    response = shared.http.post(f"{mock_session.base_url}/acme/v1/campaigns")

    assert (response.status_code, response.json()) == (404, _unknown_prefix("acme"))


def test_admin_route_with_wrong_method_answers_405_with_allow(shared: Mock) -> None:
    reset = shared.http.get(f"{shared.url}/__admin/reset")
    journal = shared.http.patch(f"{shared.url}/__admin/requests")

    assert (reset.status_code, reset.json()) == (
        405,
        {"error": {"code": "method_not_allowed", "message": "GET is not allowed here; use POST"}},
    )
    assert reset.headers["Allow"] == "POST"
    assert (journal.status_code, journal.headers["Allow"]) == (405, "DELETE, GET")


def test_vendor_route_with_wrong_method_answers_405_with_allow(shared: Mock, mock_session: MockSession) -> None:
    response = shared.leadterra("DELETE", "/v1/campaigns/camp_123/start", session=mock_session.name)

    assert (response.status_code, response.json()) == (
        405,
        {
            "error": {
                "code": "invalid_request",
                "message": "DELETE is not supported here; use POST.",
            }
        },
    )
    assert response.headers["Allow"] == "POST"


def test_unknown_admin_route_answers_404(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/__admin/nothing-here")

    assert (response.status_code, response.json()) == (
        404,
        {"error": {"code": "not_found", "message": "no admin route /__admin/nothing-here"}},
    )


def test_admin_route_with_unexpected_query_parameter_answers_400(shared: Mock) -> None:
    response = shared.http.get(f"{shared.url}/__admin/health", params={"verbose": "1"})

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": "the request query is invalid: verbose: unexpected query parameter 'verbose'",
                "problems": ["verbose: unexpected query parameter 'verbose'"],
            }
        },
    )


# -- the mock's own failures -----------------------------------------------------------------------------
def _leadterra_handlers() -> dict[str, object]:
    handlers = load_catalog().vendors["leadterra"].handlers
    assert handlers is HANDLERS, "the served Leadterra vendor no longer uses HANDLERS; patch where dispatch looks"
    return HANDLERS


async def _retired_account(call: Call) -> Reply:
    return Reply(200, [{"id": "sa_1", "email": "a@x.example", "name": "A", "status": "retired"}])


async def _crashing(call: Call) -> Reply:
    raise RuntimeError("deliberately broken handler")


def test_handler_answer_outside_the_spec_answers_500_naming_operation_and_schema_path(
    monkeypatch: pytest.MonkeyPatch, http: httpx.Client
) -> None:
    monkeypatch.setitem(_leadterra_handlers(), "list_sender_accounts", _retired_account)
    with MockServer() as server:
        mock = Mock(server.url, http)
        mock.admin("POST", "clock", json={"now": "2025-01-15T11:00:00Z", "frozen": True})

        response = mock.leadterra("GET", "/v1/sender-accounts")

        issue = {
            "where": "[0].status",
            "schemaPath": "responses/200/items/properties/status/enum",
            "message": "'retired' is not one of ['active', 'paused', 'warming']",
        }
        assert (response.status_code, response.json()) == (
            500,
            {
                "error": "mock_contract_violation",
                "operation": "list_sender_accounts",
                "status": 200,
                **issue,
            },
        )
        violation = {
            "kind": "response",
            "session": "default",
            "vendor": "leadterra",
            "operationId": "list_sender_accounts",
            "method": "GET",
            "path": "/v1/sender-accounts",
            "status": 200,
            "issues": [issue],
            "time": "2025-01-15T11:00:00Z",
        }
        assert mock.violations() == [violation]
        assert mock.violations(kind="request") == []
        [entry] = mock.requests()
        assert (entry["response"]["status"], entry["violations"]) == (500, [violation])


def test_handler_answer_outside_the_spec_under_warn_passes_through_and_is_recorded(
    monkeypatch: pytest.MonkeyPatch, http: httpx.Client
) -> None:
    monkeypatch.setitem(_leadterra_handlers(), "list_sender_accounts", _retired_account)
    with MockServer(Settings(on_response_violation="warn")) as server:
        mock = Mock(server.url, http)

        response = mock.leadterra("GET", "/v1/sender-accounts")

        assert (response.status_code, response.json()[0]["status"]) == (200, "retired")
        assert [(v["kind"], v["operationId"]) for v in mock.violations()] == [("response", "list_sender_accounts")]


def test_handler_that_raises_answers_500_naming_the_operation(
    monkeypatch: pytest.MonkeyPatch, http: httpx.Client
) -> None:
    monkeypatch.setitem(_leadterra_handlers(), "list_sender_pools", _crashing)
    with MockServer() as server:
        mock = Mock(server.url, http)

        response = mock.leadterra("GET", "/v1/sender-pools")
        after = mock.leadterra("GET", "/v1/sender-accounts")

        assert (response.status_code, response.json()) == (
            500,
            {
                "error": "mock_internal_error",
                "operation": "list_sender_pools",
                "message": "the mock's handler failed; see the server log",
            },
        )
        assert after.status_code == 200  # and it keeps serving
        [violation] = mock.violations(kind="response")
        assert (violation["operationId"], violation["status"], violation["issues"]) == (
            "list_sender_pools",
            500,
            [{"where": "", "schemaPath": "", "message": "handler raised an exception"}],
        )


def test_operation_without_handler_answers_501_naming_it(
    monkeypatch: pytest.MonkeyPatch, shared: Mock, mock_session: MockSession
) -> None:
    monkeypatch.delitem(_leadterra_handlers(), "list_replies")

    response = shared.leadterra("GET", "/v1/replies", session=mock_session.name)

    assert (response.status_code, response.json()) == (
        501,
        {
            "error": "not_implemented",
            "operation": "list_replies",
            "message": "GET /v1/replies (list_replies) has no handler yet",
        },
    )


def test_every_documented_operation_has_a_handler() -> None:
    catalog = load_catalog()
    missing = []
    for service, spec in catalog.specs.items():
        for op in spec.operations:
            if service == ADMIN:
                served = callable(getattr(Admin, op.operation_id, None))
            else:
                served = op.operation_id in catalog.vendors[service].handlers
            if not served:
                missing.append(f"{service}: {op.method} {op.path} ({op.operation_id})")

    assert missing == []
