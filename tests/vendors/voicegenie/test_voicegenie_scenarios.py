"""VoiceGenie's scenarios: the shipped ones prove their point, bad records are refused with their place, and a
session's state exports and imports again exactly."""

from __future__ import annotations

import httpx
import pytest
from voicegenie_support import SEED_CAMPAIGN, data, frozen_scenario

from campaign_mock.engine.errors import ConfigError
from campaign_mock.engine.scenarios import load_scenario_text
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

SHIPPED = sorted(name for name, _ in registered_catalog().library.describe() if name.startswith("voicegenie/"))
REQUIRED = {
    "voicegenie/already-running",
    "voicegenie/missing-script",
    "voicegenie/missing-contacts",
    "voicegenie/paused",
    "voicegenie/completed",
    "voicegenie/rate-limited",
    "voicegenie/cookie-auth",
    "voicegenie/quickstart",
}


def test_shipped_scenarios_include_the_documented_set() -> None:
    assert set(SHIPPED) >= REQUIRED


def problems(yaml_text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_scenario_text(yaml_text, registered_catalog())
    return [p.message for p in raised.value.problems]


def test_scenario_with_dangling_references_is_refused() -> None:
    found = problems(
        """\
vendors:
  voicegenie:
    contacts: [{id: c1, phone_number: "+15550100"}, {id: c1, phone_number: "12"}]
    campaigns:
      - {id: 6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e, name: A, script_id: s_missing, contact_ids: [c1, c2],
         excluded_contact_ids: [c3]}
    calls:
      - {id: k1, campaign_id: 00000000-0000-4000-8000-000000000000, phone_number: "+15550100", status: answered}
      - {id: k2, campaign_id: 6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e, contact_id: c9, phone_number: "+15550100",
         status: queued}
"""
    )

    assert any("duplicate id 'c1'" in p for p in found)
    assert any("'12' is not an E.164 number" in p for p in found)
    assert any("no script 's_missing'" in p for p in found)
    assert any("no contact 'c2'" in p for p in found)
    assert any("'c3' is not in contact_ids" in p for p in found)
    assert any("no campaign '00000000-0000-4000-8000-000000000000'" in p for p in found)
    assert any("a answered call needs started_at" in p for p in found)
    assert any("no contact 'c9'" in p for p in found)
    assert any("a queued call needs scheduled_at" in p for p in found)


def test_scenario_with_an_unknown_field_is_refused() -> None:
    found = problems("vendors:\n  voicegenie:\n    campaigns: [{id: x, name: A, status: running}]\n")

    assert found  # `status` is not a campaign field (campaign_status is), and x is not a UUID


def test_state_export_imports_again_exactly_after_calls(frozen: MockSession, api: httpx.Client) -> None:
    api.get(f"/startCampaign/{SEED_CAMPAIGN}")
    api.post("/auth/login", json={"email": "demo@voicegenie.example", "password": "demo-password", "recaptchaVal": "x"})
    api.cookies.clear()
    frozen.advance_clock(30)
    exported = frozen.admin("GET", "state").json()

    imported = frozen.admin("PUT", "state", json=exported)

    assert imported.status_code == 200, imported.text
    assert frozen.admin("GET", "state").json() == exported
    frozen.advance_clock(3600)
    assert data(api.get(f"/campaign/{SEED_CAMPAIGN}"))["campaign_status"] == "completed"


def test_default_scenario_is_quiet_on_the_real_clock(mock_session: MockSession) -> None:
    """Nothing in the default part is due for years, so two exports of a fresh session agree."""
    first = mock_session.admin("GET", "state").json()["vendors"]["voicegenie"]
    mock_session.load_scenario(yaml=frozen_scenario())

    assert mock_session.admin("GET", "state").json()["ids"] == {}
    assert first["calls"] == mock_session.admin("GET", "state").json()["vendors"]["voicegenie"]["calls"]
