"""FoxReach's scenarios: the shipped ones prove their point, bad ones are refused, state round-trips."""

from __future__ import annotations

import httpx
from foxreach_support import data

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

SHIPPED = sorted(name for name, _ in registered_catalog().library.describe() if name.startswith("foxreach/"))
REQUIRED = {
    "foxreach/already-active",
    "foxreach/completed",
    "foxreach/no-sequence-steps",
    "foxreach/paused",
    "foxreach/rate-limited",
    "foxreach/bad-key",
}


def test_shipped_scenarios_include_the_documented_set() -> None:
    assert set(SHIPPED) >= REQUIRED


def test_default_scenario_demo_key_and_campaign_states(api: httpx.Client) -> None:
    states = {c["id"]: c["status"] for c in data(api.get("/campaigns"))}
    assert states == {
        "cmp_abc123": "draft",
        "cmp_active001": "active",
        "cmp_paused001": "paused",
        "cmp_completed001": "completed",
    }


def test_load_scenario_dangling_lead_is_refused_with_its_line(mock_session: MockSession) -> None:
    text = "vendors:\n  foxreach:\n    campaigns:\n      - id: cmp_x\n        name: X\n        leadIds: [cld_ghost]\n"
    response = mock_session.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        "<posted yaml>:6: vendors.foxreach.campaigns[0].leadIds[0]: no lead 'cld_ghost'"
    ]


def test_load_scenario_unknown_record_field_is_refused(mock_session: MockSession) -> None:
    text = "vendors:\n  foxreach:\n    leads:\n      - {id: cld_1, email: a@x.example, favouriteColour: blue}\n"
    response = mock_session.admin("POST", "scenarios", json={"yaml": text})
    assert response.status_code == 400
    assert any("favouriteColour" in p for p in response.json()["error"]["problems"])


def test_load_scenario_key_without_otr_prefix_is_refused(mock_session: MockSession) -> None:
    response = mock_session.admin("POST", "scenarios", json={"yaml": "vendors:\n  foxreach:\n    api_keys: [sk_x]\n"})
    assert response.status_code == 400


def test_export_state_round_trips_after_changes(
    mock_session: MockSession, api: httpx.Client, admin_http: httpx.Client
) -> None:
    campaign_id = data(api.post("/campaigns", json={"name": "Exported"}), 201)["id"]
    api.post(f"/campaigns/{campaign_id}/sequences", json={"body": "Hi"})
    api.post("/campaigns/cmp_paused001/resume")
    api.delete("/leads/cld_eve01")
    api.post("/inbox/threads/rpl_dmitri01/reply", json={"body": "Thanks"})
    exported = mock_session.admin("GET", "state").json()
    twin = MockSession(mock_session.server, mock_session.name + "-twin", admin_http)
    try:
        assert twin.admin("PUT", "state", json=exported).status_code == 200
        again = twin.admin("GET", "state").json()
        assert {k: v for k, v in again.items() if k != "session"} == {
            k: v for k, v in exported.items() if k != "session"
        }
        with httpx.Client(
            base_url=twin.url("foxreach") + "/api/v1", headers={"X-API-Key": "otr_test_foxreach"}, verify=False
        ) as client:
            assert data(client.get(f"/campaigns/{campaign_id}"))["name"] == "Exported"
            next_id = data(client.post("/campaigns", json={"name": "Next"}), 201)["id"]
        assert next_id != campaign_id  # the id counters came along
    finally:
        twin.admin("POST", "reset")
