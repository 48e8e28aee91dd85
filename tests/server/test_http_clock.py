"""The mock clock over HTTP: set, frozen, advanced, per session or server-wide, and what follows it."""

from __future__ import annotations

import time
from datetime import datetime

from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

T0 = "2025-03-01T12:00:00Z"
T0_PLUS_90 = "2025-03-01T12:01:30Z"


def test_set_clock_for_session_freezes_it(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "clock", session=mock_session.name, json={"now": T0, "frozen": True})

    assert (response.status_code, response.json()) == (
        200,
        {"now": T0, "frozen": True, "session": mock_session.name, "ownClock": True},
    )
    time.sleep(0.01)
    assert shared.admin("GET", "clock", session=mock_session.name).json()["now"] == T0


def test_advance_clock_moves_a_frozen_clock(shared: Mock, mock_session: MockSession) -> None:
    shared.admin("POST", "clock", session=mock_session.name, json={"now": T0, "frozen": True})

    response = shared.admin("POST", "clock/advance", session=mock_session.name, json={"seconds": 90})

    assert (response.status_code, response.json()) == (
        200,
        {"now": T0_PLUS_90, "frozen": True, "session": mock_session.name, "ownClock": True},
    )


def test_created_records_take_their_timestamps_from_the_session_clock(shared: Mock, mock_session: MockSession) -> None:
    name = mock_session.name
    shared.admin("POST", "clock", session=name, json={"now": T0, "frozen": True})
    campaign = shared.create_campaign(session=name)
    shared.leadterra(
        "POST", f"/v1/campaigns/{campaign['id']}/leads/bulk", session=name, json={"leads": [{"email": "a@x.example"}]}
    )
    shared.admin("POST", "clock/advance", session=name, json={"seconds": 90})

    started = shared.leadterra("POST", f"/v1/campaigns/{campaign['id']}/start", session=name).json()
    hook = shared.leadterra(
        "POST", "/v1/webhooks", session=name, json={"url": "https://h.example/x", "events": ["message.sent"]}
    ).json()
    shared.admin("POST", "clock/advance", session=name, json={"seconds": 3600})
    paused = shared.leadterra("POST", f"/v1/campaigns/{campaign['id']}/pause", session=name).json()

    assert campaign["createdAt"] == T0
    assert (started["startedAt"], hook["createdAt"], paused["pausedAt"]) == (
        T0_PLUS_90,
        T0_PLUS_90,
        "2025-03-01T13:01:30Z",
    )
    assert [e["time"] for e in shared.requests(name)] == [T0, T0, T0_PLUS_90, T0_PLUS_90, "2025-03-01T13:01:30Z"]


def test_scenario_clock_sets_the_session_clock(shared: Mock, mock_session: MockSession) -> None:
    yaml = f"extends: default\nclock: {{now: '{T0}', frozen: true}}\n"
    shared.admin("POST", "scenarios", session=mock_session.name, json={"yaml": yaml})

    assert shared.create_campaign(session=mock_session.name)["createdAt"] == T0
    assert shared.admin("GET", "clock", session=mock_session.name).json()["ownClock"] is True


def test_session_clock_is_separate_from_the_server_clock(private: Mock) -> None:
    private.admin("POST", "clock", session="frozen", json={"now": T0, "frozen": True})

    server = private.admin("GET", "clock").json()
    follower = private.create_campaign(session="follower")

    assert (server["frozen"], server["ownClock"], server["session"]) == (False, False, None)
    assert follower["createdAt"] != T0
    assert private.create_campaign(session="frozen")["createdAt"] == T0


def test_set_clock_server_wide_moves_sessions_without_their_own(private: Mock) -> None:
    private.admin("POST", "clock", session="own", json={"now": T0, "frozen": True})

    response = private.admin("POST", "clock", json={"now": "2030-06-01T00:00:00Z", "frozen": True})

    assert (response.status_code, response.json()) == (
        200,
        {"now": "2030-06-01T00:00:00Z", "frozen": True, "session": None, "ownClock": False},
    )
    assert private.create_campaign()["createdAt"] == "2030-06-01T00:00:00Z"
    assert private.create_campaign(session="new")["createdAt"] == "2030-06-01T00:00:00Z"
    # Server-wide means every session, those with a clock of their own included.
    assert private.create_campaign(session="own")["createdAt"] == "2030-06-01T00:00:00Z"


def test_advance_clock_server_wide_moves_every_clock(private: Mock) -> None:
    private.admin("POST", "clock", json={"now": T0, "frozen": True})
    private.admin("POST", "clock", session="own", json={"now": "2024-01-01T00:00:00Z", "frozen": True})

    private.admin("POST", "clock/advance", json={"seconds": 90})

    assert private.admin("GET", "clock").json()["now"] == T0_PLUS_90
    assert private.admin("GET", "clock", session="own").json()["now"] == "2024-01-01T00:01:30Z"


def test_set_clock_unfrozen_lets_time_run_again(private: Mock) -> None:
    private.admin("POST", "clock", json={"now": "2030-01-01T00:00:00Z", "frozen": True})

    released = private.admin("POST", "clock", json={"frozen": False}).json()
    time.sleep(0.02)
    later = private.admin("GET", "clock").json()

    assert released["frozen"] is False
    assert released["now"].startswith("2030-01-01T00:00:00")
    assert datetime.fromisoformat(later["now"]) > datetime.fromisoformat(released["now"])


def test_set_clock_with_bad_instant_answers_400(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "clock", session=mock_session.name, json={"now": "next tuesday"})

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": "the request body is invalid: now: 'next tuesday' is not a 'date-time'",
                "problems": ["now: 'next tuesday' is not a 'date-time'"],
            }
        },
    )
    assert shared.admin("GET", "clock", session=mock_session.name).json()["ownClock"] is False


def test_advance_clock_backwards_answers_400(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "clock/advance", session=mock_session.name, json={"seconds": -5})

    problem = "seconds: -5 is less than the minimum of 0"
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
