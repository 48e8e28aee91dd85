"""The request path over HTTP with the shipped vendors: served specs, unknown prefixes and wrong methods.

(The mock's own failures — a handler answering outside its spec, one that raises, one missing — are provoked
on a fake vendor in tests/engine.)"""

from __future__ import annotations

import yaml
from engine_client import LEADTERRA_AUTH, Mock

from campaign_mock.engine.catalog import ADMIN
from campaign_mock.engine.specs import SPEC_DIR
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog


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
    vendors = sorted(registered_catalog().vendors)
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
