"""The admin API over HTTP: health, reset, scenarios, and state export/import."""

from __future__ import annotations

import copy
from typing import Any

from engine_client import DEFAULT_SCENARIO_CAMPAIGNS, Mock

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

OWN_WORKSPACE = """\
name: own-workspace
description: One key, one campaign.
vendors:
  leadterra:
    api_keys: [sk_test_own]
    campaigns:
      - {id: camp_own, name: Own, sequenceSteps: [{subject: Hi, bodyHtml: "<p>Hi</p>"}]}
"""

# Three problems, each on a known line: an unknown top-level key (line 2), a variant value that does not
# exist (line 4), and a campaign status outside the vendor's schema (line 9).
BROKEN = """\
name: broken
clocks: {frozen: true}
variants:
  leadterra.start_response: nested
vendors:
  leadterra:
    campaigns:
      - id: camp_x
        status: archived
        name: X
"""


# -- health ------------------------------------------------------------------------------------------
def test_get_health_answers_ok(shared: Mock) -> None:
    response = shared.admin("GET", "health")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "version", "scenario", "vendors", "sessions", "validator"}
    assert (body["status"], body["vendors"], body["validator"]) == ("ok", sorted(registered_catalog().vendors), "fast")


def test_get_health_names_the_loaded_scenario_and_sessions(private: Mock) -> None:
    private.create_campaign(session="s1")

    body = private.admin("GET", "health").json()

    assert (body["scenario"], body["sessions"]) == ("default", ["s1"])


# -- reset -------------------------------------------------------------------------------------------
def test_reset_with_session_rebuilds_only_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    mine = shared.create_campaign(session=mock_session.name)["id"]
    theirs = shared.create_campaign(session=other_session)["id"]

    response = shared.admin("POST", "reset", session=mock_session.name)

    assert (response.status_code, response.json()) == (200, {"status": "ok", "sessions": [mock_session.name]})
    assert shared.campaign_ids(mock_session.name) == DEFAULT_SCENARIO_CAMPAIGNS
    assert shared.campaign_ids(other_session) == [*DEFAULT_SCENARIO_CAMPAIGNS, theirs]
    assert mine not in shared.campaign_ids(mock_session.name)


def test_reset_with_session_clears_its_journal_faults_and_clock(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    name = mock_session.name
    shared.admin("POST", "faults", session=name, json={"vendor": "leadterra", "path": "/v1/replies", "status": 500})
    shared.admin("POST", "clock", session=name, json={"now": "2025-01-01T00:00:00Z", "frozen": True})
    shared.leadterra("GET", "/v1/sender-pools", session=name)
    shared.leadterra("GET", "/v1/sender-pools", session=other_session)

    shared.admin("POST", "reset", session=name)

    assert shared.admin("GET", "faults", session=name).json() == {"faults": []}
    assert shared.requests(name) == []
    assert len(shared.requests(other_session)) == 1
    assert shared.admin("GET", "clock", session=name).json()["ownClock"] is False


def test_reset_without_session_rebuilds_every_session(private: Mock) -> None:
    for session in ("a", "b", None):
        private.create_campaign(session=session)
    private.admin("POST", "faults", json={"vendor": "leadterra", "status": 503})

    response = private.admin("POST", "reset")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "sessions": ["a", "b", "default"]})
    assert private.admin("GET", "sessions").json() == {"sessions": []}
    assert private.requests() == []
    for session in ("a", "b", None):
        assert private.campaign_ids(session) == DEFAULT_SCENARIO_CAMPAIGNS
    assert private.admin("GET", "faults").json() == {"faults": []}
    assert private.leadterra("GET", "/v1/sender-pools", session="c").status_code == 200


# -- scenarios ---------------------------------------------------------------------------------------
def test_list_scenarios_includes_default(shared: Mock) -> None:
    response = shared.admin("GET", "scenarios")

    assert response.status_code == 200
    scenarios = {s["name"]: s["description"] for s in response.json()["scenarios"]}
    assert scenarios["default"]  # every shipped scenario says what it is for


def test_load_scenario_by_name_rebuilds_the_session(shared: Mock, mock_session: MockSession) -> None:
    shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": OWN_WORKSPACE})

    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"name": "default"})

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "scenario": "default", "session": mock_session.name},
    )
    assert shared.campaign_ids(mock_session.name) == DEFAULT_SCENARIO_CAMPAIGNS


def test_load_scenario_by_yaml_replaces_the_session_state(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": OWN_WORKSPACE})

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "scenario": "own-workspace", "session": mock_session.name},
    )
    assert shared.campaign_ids(mock_session.name) == ["camp_own"]
    own = shared.leadterra(
        "GET",
        "/v1/campaigns/camp_own/stats",
        session=mock_session.name,
        headers={"Authorization": "Bearer sk_test_own"},
    )
    assert own.status_code == 200
    assert shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name).status_code == 401


def test_load_scenario_with_session_in_body_loads_for_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    response = shared.admin("POST", "scenarios", json={"yaml": OWN_WORKSPACE, "session": mock_session.name})

    assert response.json()["session"] == mock_session.name
    assert shared.campaign_ids(mock_session.name) == ["camp_own"]
    assert shared.campaign_ids(other_session) == DEFAULT_SCENARIO_CAMPAIGNS


def test_load_scenario_with_bad_yaml_answers_400_naming_line_and_field(shared: Mock, mock_session: MockSession) -> None:
    shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": OWN_WORKSPACE})
    before = shared.state(mock_session.name)

    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": BROKEN})

    problems = [
        "<posted yaml>:2: clocks: unknown key 'clocks'",
        "<posted yaml>:4: variants.leadterra.start_response: 'nested' is not one of ['flat', 'wrapped']",
        "<posted yaml>:9: vendors.leadterra.campaigns[0].status: 'archived' is not one of "
        "['draft', 'running', 'paused']",
    ]
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], sorted(error["problems"])) == ("invalid_scenario", problems)
    assert error["message"] == error["problems"][0]
    assert shared.state(mock_session.name) == before  # the previous scenario is still in force


def test_load_scenario_with_yaml_syntax_error_answers_400_naming_line(shared: Mock, mock_session: MockSession) -> None:
    before = shared.state(mock_session.name)

    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": "name: x\nvendors: [\n"})

    # The words after "YAML syntax:" are the YAML parser's own (libyaml's when installed, PyYAML's otherwise).
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["problems"]) == ("invalid_scenario", [error["message"]])
    assert error["message"].startswith("<posted yaml>:3: YAML syntax: ")
    assert shared.state(mock_session.name) == before


def test_load_scenario_with_unknown_name_answers_400(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"name": "no/such-scenario"})

    message = "no/such-scenario: no shipped scenario named 'no/such-scenario' (send its text as `yaml` instead)"
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_scenario",
                "message": message,
                "problems": [message],
            }
        },
    )


def test_load_scenario_with_name_and_yaml_answers_400(shared: Mock, mock_session: MockSession) -> None:
    body = {"name": "default", "yaml": "name: x"}

    response = shared.admin("POST", "scenarios", session=mock_session.name, json=body)

    problem = f"(top level): {body!r} is not valid under any of the given schemas"
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": f"the request body is invalid: {problem}",
                "problems": [problem],
            }
        },
    )


def test_load_scenario_without_session_loads_server_wide(private: Mock) -> None:
    private.create_campaign(session="early")

    response = private.admin("POST", "scenarios", json={"yaml": OWN_WORKSPACE})

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "scenario": "own-workspace", "session": None},
    )
    assert private.admin("GET", "health").json()["scenario"] == "own-workspace"
    assert private.admin("GET", "scenarios").json()["loaded"] == "own-workspace"
    assert private.campaign_ids() == ["camp_own"]
    assert private.campaign_ids("early") == ["camp_own"]  # rebuilt from the new scenario
    assert private.campaign_ids("late") == ["camp_own"]
    assert private.requests() == []


# -- state export / import ---------------------------------------------------------------------------
def _busy_session(mock: Mock, session: str) -> None:
    """A session whose state has a bit of everything: variants, an own clock, faults, new records, ids."""
    yaml = "extends: default\nvariants: {leadterra.start_response: wrapped}\n"
    assert mock.admin("POST", "scenarios", session=session, json={"yaml": yaml}).status_code == 200
    mock.admin("POST", "clock", session=session, json={"now": "2025-01-15T11:00:00Z", "frozen": True})
    fault = {"vendor": "leadterra", "method": "GET", "path": "/v1/replies", "status": 500, "times": 3}
    mock.admin("POST", "faults", session=session, json=fault)
    cid = mock.create_campaign(session=session)["id"]
    mock.leadterra(
        "POST",
        f"/v1/campaigns/{cid}/leads/bulk",
        session=session,
        json={"leads": [{"email": "a@x.example", "firstName": "A", "score": 7}]},
    )
    mock.leadterra("POST", f"/v1/campaigns/{cid}/start", session=session)
    mock.leadterra(
        "POST", "/v1/webhooks", session=session, json={"url": "https://h.example/x", "events": ["message.sent"]}
    )
    mock.leadterra("GET", "/v1/replies", session=session)  # uses one of the fault's three times


def test_export_state_then_import_round_trips_exactly(shared: Mock, mock_session: MockSession) -> None:
    _busy_session(shared, mock_session.name)
    exported = shared.state(mock_session.name)

    imported = shared.admin("PUT", "state", session=mock_session.name, json=exported)

    assert (imported.status_code, imported.json()) == (200, exported)
    assert shared.state(mock_session.name) == exported
    assert (exported["variants"], exported["faults"][0]["times"], exported["ids"]) == (
        {"leadterra.start_response": "wrapped"},
        2,
        {"camp_": 1, "msg_": 1, "wh_": 1, "whsec_": 1},  # the start sent step 1; the webhook got a signing secret
    )


def test_import_state_into_another_session_copies_it(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    _busy_session(shared, mock_session.name)
    exported = shared.state(mock_session.name)

    shared.admin("PUT", "state", session=other_session, json=exported)

    # Everything is copied but the scenario a reset goes back to, which stays the target session's own.
    assert shared.state(other_session) == {**exported, "session": other_session, "scenario": "default"}
    # The copy carries on from the same id counters, so both sessions mint the same next id.
    copied, original = (shared.create_campaign(session=s)["id"] for s in (other_session, mock_session.name))
    assert copied == original


def test_export_state_without_session_exports_default(private: Mock) -> None:
    cid = private.create_campaign()["id"]

    state = private.state()

    assert state["session"] == "default"
    assert cid in [c["id"] for c in state["vendors"]["leadterra"]["campaigns"]]


def _refused(mock: Mock, session: str, doc: Any) -> tuple[int, Any]:
    response = mock.admin("PUT", "state", session=session, json=doc)
    return response.status_code, response.json()


def _invalid_state(problem: str) -> tuple[int, dict[str, object]]:
    """The admin's refusal of a state import with one problem."""
    return 400, {"error": {"code": "invalid_state", "message": problem, "problems": [problem]}}


def test_import_state_with_bad_record_answers_400_and_changes_nothing(shared: Mock, mock_session: MockSession) -> None:
    _busy_session(shared, mock_session.name)
    exported = shared.state(mock_session.name)
    bad = copy.deepcopy(exported)
    bad["vendors"]["leadterra"]["campaigns"][0]["status"] = "archived"

    problem = "state: vendors.leadterra.campaigns[0].status: 'archived' is not one of ['draft', 'running', 'paused']"
    assert _refused(shared, mock_session.name, bad) == _invalid_state(problem)
    assert shared.state(mock_session.name) == exported


def test_import_state_with_unknown_key_answers_400_and_changes_nothing(shared: Mock, mock_session: MockSession) -> None:
    exported = shared.state(mock_session.name)

    assert _refused(shared, mock_session.name, {**exported, "extra": 1}) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": "the request body is invalid: extra: unknown key 'extra'",
                "problems": ["extra: unknown key 'extra'"],
            }
        },
    )
    assert shared.state(mock_session.name) == exported


def test_import_state_with_dangling_reference_answers_400_and_changes_nothing(
    shared: Mock, mock_session: MockSession
) -> None:
    exported = shared.state(mock_session.name)
    bad = copy.deepcopy(exported)
    bad["vendors"]["leadterra"]["replies"][0]["campaignId"] = "camp_gone"

    problem = "state: vendors.leadterra.replies[0].campaignId: no campaign 'camp_gone'"
    assert _refused(shared, mock_session.name, bad) == _invalid_state(problem)
    assert shared.state(mock_session.name) == exported


def test_import_state_that_is_not_an_object_answers_400(shared: Mock, mock_session: MockSession) -> None:
    problem = "(top level): [] is not of type 'object'"

    assert _refused(shared, mock_session.name, []) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": f"the request body is invalid: {problem}",
                "problems": [problem],
            }
        },
    )
