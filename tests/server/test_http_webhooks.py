"""Webhooks with the shipped vendors over HTTP: which URLs Leadterra and FoxReach take, the secret Leadterra's
records carry, and the admin listing of a session."""

from __future__ import annotations

import httpx
import pytest
from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

FOXREACH_AUTH = {"X-API-Key": "otr_test_foxreach"}
LOOPBACK = ["http://127.0.0.1:9000/hooks", "http://localhost/hooks", "http://127.8.9.10", "http://[::1]:8000/x?y=1"]
REMOTE = ["http://example.com/hooks", "http://127.0.0.1.example.com/hooks", "http://localhost.example.com", "ftp://x"]


def _register_with_both(shared: Mock, mock_session: MockSession, url: str) -> tuple[httpx.Response, httpx.Response]:
    """Register `url` as a Leadterra and as a FoxReach webhook; both answers."""
    leadterra = shared.leadterra(
        "POST", "/v1/webhooks", session=mock_session.name, json={"url": url, "events": ["campaign.started"]}
    )
    foxreach = shared.http.post(
        mock_session.url("foxreach") + "/api/v1/webhooks",
        headers=FOXREACH_AUTH,
        json={"url": url, "events": ["email.sent"]},
    )
    return leadterra, foxreach


@pytest.mark.parametrize("url", [*LOOPBACK, "https://hooks.example.com/in"])
def test_leadterra_and_foxreach_take_https_and_loopback_http_urls(
    shared: Mock, mock_session: MockSession, url: str
) -> None:
    leadterra, foxreach = _register_with_both(shared, mock_session, url)

    assert (leadterra.status_code, leadterra.json()["url"]) == (201, url)
    assert (foxreach.status_code, foxreach.json()["data"]["url"]) == (201, url)


@pytest.mark.parametrize("url", REMOTE)
def test_leadterra_and_foxreach_refuse_plain_http_elsewhere(shared: Mock, mock_session: MockSession, url: str) -> None:
    leadterra, foxreach = _register_with_both(shared, mock_session, url)

    assert (leadterra.status_code, leadterra.json()["error"]["code"]) == (400, "invalid_request")
    assert foxreach.status_code == 422
    assert foxreach.json() == {"detail": "Validation error: url must be an https:// URL"}


def test_the_served_specs_mark_the_loopback_rule_as_a_mock_extension(shared: Mock, http: httpx.Client) -> None:
    leadterra = http.get(f"{shared.url}/leadterra/openapi.json").json()["components"]["schemas"]
    foxreach = http.get(f"{shared.url}/foxreach/openapi.json").json()["components"]["schemas"]

    for schema in (leadterra["CreateWebhookRequest"], foxreach["WebhookCreate"], foxreach["WebhookUpdate"]):
        assert "loopback" in schema["properties"]["url"]["x-mock-extension"]


def test_a_leadterra_webhook_gets_a_secret_that_the_export_shows(shared: Mock, mock_session: MockSession) -> None:
    created = shared.leadterra(
        "POST", "/v1/webhooks", session=mock_session.name, json={"url": LOOPBACK[0], "events": ["message.sent"]}
    )

    [hook] = [h for h in shared.state(mock_session.name)["vendors"]["leadterra"]["webhooks"] if h["url"] == LOOPBACK[0]]
    assert "secret" not in created.json()  # Leadterra's answer never shows it
    assert hook["id"] == created.json()["id"] and hook["secret"].startswith("whsec_")


def test_a_scenario_sets_a_leadterra_webhook_secret(shared: Mock, mock_session: MockSession) -> None:
    mock_session.load_scenario(
        yaml="""
extends: default
vendors:
  leadterra:
    webhooks:
      - {id: wh_mine, url: "http://127.0.0.1:9000/in", events: [message.sent], secret: whsec_chosen}
"""
    )

    hooks = shared.state(mock_session.name)["vendors"]["leadterra"]["webhooks"]

    assert [(h["id"], h["secret"]) for h in hooks if h["id"] == "wh_mine"] == [("wh_mine", "whsec_chosen")]


def test_a_session_without_events_lists_no_deliveries(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("GET", "webhooks", session=mock_session.name)

    assert (response.status_code, response.json()) == (200, {"deliveries": []})


def test_unknown_filters_and_deliveries_answer_in_the_admin_error_shape(
    shared: Mock, mock_session: MockSession
) -> None:
    bad_status = shared.admin("GET", "webhooks", session=mock_session.name, params={"status": "sent"})
    unknown = shared.admin("POST", "webhooks/whd_missing/replay", session=mock_session.name)

    assert bad_status.status_code == 400 and bad_status.json()["error"]["code"] == "invalid_request"
    assert unknown.status_code == 404
    assert unknown.json() == {
        "error": {"code": "not_found", "message": f"no webhook delivery whd_missing in session {mock_session.name}"}
    }
