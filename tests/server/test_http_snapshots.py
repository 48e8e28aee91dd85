"""Snapshots over HTTP: save a session's state, restore it (in place or as a branch), export it as a scenario."""

from __future__ import annotations

from typing import Any

import pytest
from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

T0 = "2025-03-01T12:00:00Z"


def _save(shared: Mock, session: str, name: str) -> dict[str, Any]:
    response = shared.admin("POST", "snapshots", json={"name": name, "session": session})
    assert response.status_code == 201, response.text
    saved: dict[str, Any] = response.json()
    return saved


def _restore(shared: Mock, name: str, session: str | None = None) -> dict[str, Any]:
    response = shared.admin("POST", f"snapshots/{name}/restore", json={"session": session} if session else None)
    assert response.status_code == 200, response.text
    restored: dict[str, Any] = response.json()
    return restored


@pytest.fixture
def prepared(shared: Mock, mock_session: MockSession) -> dict[str, Any]:
    """The test's session with a frozen clock and a campaign of its own; its state export."""
    shared.admin("POST", "clock", session=mock_session.name, json={"now": T0, "frozen": True})
    shared.create_campaign(mock_session.name, name="Before")
    return shared.state(mock_session.name)


def test_a_snapshot_restores_the_state_it_saved(
    shared: Mock, mock_session: MockSession, prepared: dict[str, Any]
) -> None:
    name = f"{mock_session.name}-base"
    saved = _save(shared, mock_session.name, name)
    shared.create_campaign(mock_session.name, name="After")
    shared.admin("POST", "clock/advance", session=mock_session.name, json={"seconds": 3600})

    restored = _restore(shared, name)

    assert saved["replaced"] is False
    assert saved["snapshot"]["session"] == mock_session.name and saved["snapshot"]["now"] == T0
    assert restored == {"snapshot": saved["snapshot"], "session": mock_session.name}
    assert shared.state(mock_session.name) == prepared
    listed = shared.admin("GET", "snapshots").json()["snapshots"]
    assert saved["snapshot"] in listed


def test_restoring_into_another_session_branches(
    shared: Mock, mock_session: MockSession, other_session: str, prepared: dict[str, Any]
) -> None:
    name = f"{mock_session.name}-branch"
    _save(shared, mock_session.name, name)

    assert _restore(shared, name, other_session)["session"] == other_session
    branch = shared.create_campaign(other_session, name="Only in the branch")
    original = shared.create_campaign(mock_session.name, name="Only in the original")

    assert branch["id"] == original["id"]  # the same id counters, going their own ways
    names = {
        s: [c["name"] for c in shared.state(s)["vendors"]["leadterra"]["campaigns"]]
        for s in (mock_session.name, other_session)
    }
    assert "Only in the branch" in names[other_session] and "Only in the branch" not in names[mock_session.name]
    assert "Only in the original" in names[mock_session.name] and "Only in the original" not in names[other_session]
    assert shared.admin("GET", "clock", session=other_session).json()["now"] == T0


def test_a_snapshot_exported_as_yaml_loads_back_to_the_same_state(
    shared: Mock, mock_session: MockSession, other_session: str, prepared: dict[str, Any]
) -> None:
    name = f"{mock_session.name}-yaml"
    _save(shared, mock_session.name, name)

    exported = shared.admin("GET", f"snapshots/{name}", params={"format": "yaml"})
    loaded = shared.admin("POST", "scenarios", json={"yaml": exported.text, "session": other_session})

    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/yaml")
    assert loaded.status_code == 200, loaded.text
    again = shared.state(other_session)
    # Everything but the names and the rate-limit windows (request counters are not scenario data).
    differs = ("session", "scenario", "rate_limit_hits")
    assert {k: v for k, v in again.items() if k not in differs} == {
        k: v for k, v in prepared.items() if k not in differs
    }
    assert again["scenario"] == name
    # The id counters came along: the next campaign does not take an id the snapshot's records have.
    taken = {c["id"] for c in again["vendors"]["leadterra"]["campaigns"]}
    assert shared.create_campaign(other_session)["id"] not in taken


def test_a_snapshot_reads_as_a_scenario_document(
    shared: Mock, mock_session: MockSession, prepared: dict[str, Any]
) -> None:
    name = f"{mock_session.name}-doc"
    _save(shared, mock_session.name, name)

    doc = shared.admin("GET", f"snapshots/{name}").json()

    assert doc["name"] == name and mock_session.name in doc["description"]
    assert doc["clock"] == {"now": T0, "frozen": True}
    assert doc["vendors"] == prepared["vendors"] and doc["ids"] == prepared["ids"]
    assert not {"session", "scenario", "rate_limit_hits"} & set(doc)


def test_saving_under_a_name_in_use_replaces_that_snapshot(
    shared: Mock, mock_session: MockSession, prepared: dict[str, Any]
) -> None:
    name = f"{mock_session.name}-again"
    _save(shared, mock_session.name, name)
    shared.create_campaign(mock_session.name, name="Later")
    later = shared.state(mock_session.name)

    assert _save(shared, mock_session.name, name)["replaced"] is True
    shared.admin("POST", "reset", session=mock_session.name)
    _restore(shared, name)

    assert shared.state(mock_session.name) == later
    assert [s["name"] for s in shared.admin("GET", "snapshots").json()["snapshots"]].count(name) == 1


def test_unknown_snapshots_answer_404_and_bad_names_400(shared: Mock, mock_session: MockSession) -> None:
    missing = f"{mock_session.name}-missing"
    for method, route in (("GET", missing), ("POST", f"{missing}/restore"), ("DELETE", missing)):
        response = shared.admin(method, f"snapshots/{route}")
        assert response.status_code == 404, (method, route)
        assert response.json() == {"error": {"code": "not_found", "message": f"no snapshot named {missing!r}"}}

    bad = shared.admin("POST", "snapshots", json={"name": "no spaces please", "session": mock_session.name})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_request"


def test_a_deleted_snapshot_is_gone(shared: Mock, mock_session: MockSession) -> None:
    name = f"{mock_session.name}-gone"
    _save(shared, mock_session.name, name)

    assert shared.admin("DELETE", f"snapshots/{name}").json() == {"removed": True}
    assert shared.admin("GET", f"snapshots/{name}").status_code == 404
