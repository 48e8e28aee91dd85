"""Sessions built from one scenario share nothing that changes: what happens in one session (its records moved on in
time, its leads updated) shows neither in another session, nor in a session created afterwards, nor in the session
itself once reset.

The server's clock is frozen, so every session built from the scenario starts from the same records (timestamps a
scenario leaves out come from the clock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from engine_client import Mock

from campaign_mock.app import Settings
from campaign_mock.server import MockServer

FROZEN_DEFAULT = 'extends: default\nclock: {now: "2025-01-20T09:00:00Z", frozen: true}\n'
# Past everything the default scenario has waiting: VoiceGenie's queued calls of 2035 included.
LATER = "2035-07-01T00:00:00Z"


@pytest.fixture
def mock(tmp_path: Path, http: httpx.Client) -> Iterator[Mock]:
    scenario = tmp_path / "frozen.yaml"
    scenario.write_text(FROZEN_DEFAULT, encoding="utf-8")
    with MockServer(Settings(scenarios=(str(scenario),))) as server:
        yield Mock(server.url, http)


def records(mock: Mock, session: str) -> dict[str, Any]:
    """Every vendor's records in the session, as its state export shows them."""
    vendors: dict[str, Any] = mock.state(session)["vendors"]
    return vendors


def lead(vendors: dict[str, Any], campaign_id: str, email: str) -> dict[str, Any]:
    campaign = next(c for c in vendors["leadterra"]["campaigns"] if c["id"] == campaign_id)
    found: dict[str, Any] = next(lead for lead in campaign["leads"] if lead["email"] == email)
    return found


def test_changes_in_one_session_show_in_no_other_nor_in_a_new_or_reset_one(mock: Mock) -> None:
    scenario = records(mock, "other")
    # Leads of the scenario updated (an upsert), one of them enrolled in a second campaign too.
    updates = {"leads": [{"email": "ana@acme.example", "firstName": "Anna"}, {"email": "cara@initech.example"}]}
    enrolled = mock.leadterra("POST", "/v1/campaigns/camp_running/leads/bulk", session="changed", json=updates)
    assert enrolled.status_code == 200, enrolled.text
    updates = {"leads": [{"email": "cara@initech.example", "company": "Initech"}]}
    enrolled = mock.leadterra("POST", "/v1/campaigns/camp_running/leads/bulk", session="changed", json=updates)
    assert enrolled.status_code == 200, enrolled.text
    # Every vendor's records move on in place: the session's own clock jumps years ahead.
    moved = mock.admin("POST", "clock", session="changed", json={"now": LATER})
    assert moved.status_code == 200, moved.text

    changed = records(mock, "changed")
    assert lead(changed, "camp_123", "ana@acme.example")["firstName"] == "Anna"
    assert lead(changed, "camp_running", "ana@acme.example")["firstName"] == "Anna"
    assert lead(changed, "camp_running", "cara@initech.example")["company"] == "Initech"
    assert [vendor for vendor in scenario if changed[vendor] == scenario[vendor]] == []

    assert records(mock, "other") == scenario
    assert records(mock, "new") == scenario
    assert lead(records(mock, "new"), "camp_123", "ana@acme.example")["firstName"] == "Ana"
    assert mock.admin("POST", "reset", session="changed").status_code == 200
    assert records(mock, "changed") == scenario


def test_sessions_changed_side_by_side_keep_their_own_records(mock: Mock) -> None:
    scenario = records(mock, "new")
    for session, name in (("first", "First"), ("second", "Second")):
        updates = {"leads": [{"email": "ben@globex.example", "firstName": name}]}
        enrolled = mock.leadterra("POST", "/v1/campaigns/camp_123/leads/bulk", session=session, json=updates)
        assert enrolled.status_code == 200, enrolled.text

    assert lead(records(mock, "first"), "camp_123", "ben@globex.example")["firstName"] == "First"
    assert lead(records(mock, "second"), "camp_123", "ben@globex.example")["firstName"] == "Second"
    assert records(mock, "new") == scenario
