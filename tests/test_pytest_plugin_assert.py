"""`mock_session.assert_called` and `mock_session.add_fault`, tested in a user's suite run by pytester."""

from __future__ import annotations

import pytest

INNER_TESTS = """
import httpx
import pytest

from campaign_mock.pytest_plugin import FaultRefused

AUTH = {"Authorization": "Bearer sk_test_leadterra"}


def _call(mock_session, method, path):
    return httpx.request(method, mock_session.url("leadterra") + path, headers=AUTH)


def test_called_by_template_or_by_concrete_path(mock_session):
    _call(mock_session, "POST", "/v1/campaigns/camp_123/start")
    _call(mock_session, "POST", "/v1/campaigns/camp_paused/start")

    entries = mock_session.assert_called("leadterra", "post", "/v1/campaigns/{id}/start", times=2)

    assert [e["request"]["path"] for e in entries] == [
        "/v1/campaigns/camp_123/start",
        "/v1/campaigns/camp_paused/start",
    ]
    assert len(mock_session.assert_called("leadterra", "POST", "/v1/campaigns/camp_123/start")) == 1
    mock_session.assert_called("leadterra", "POST", "/v1/campaigns/{id}/pause", times=0)


def test_fails_on_the_wrong_count(mock_session):
    _call(mock_session, "POST", "/v1/campaigns/camp_123/start")
    _call(mock_session, "GET", "/v1/campaigns/camp_123/stats")
    _call(mock_session, "POST", "/v1/campaigns/camp_123/pause")
    _call(mock_session, "GET", "/v1/sender-pools")

    mock_session.assert_called("leadterra", "POST", "/v1/campaigns/{id}/start", times=2)


def test_fails_when_never_called(mock_session):
    _call(mock_session, "GET", "/v1/sender-pools")
    _call(mock_session, "POST", "/v1/campaigns/camp_123/pause")

    mock_session.assert_called("leadterra", "GET", "/v1/campaigns/{id}/stats")


def test_calls_of_another_session_do_not_count(mock_session):
    httpx.post(mock_session.server.url + "/leadterra/v1/campaigns/camp_123/start", headers=AUTH)

    mock_session.assert_called("leadterra", "POST", "/v1/campaigns/{id}/start")


def test_add_fault_injects_and_the_reset_call_is_listed(mock_session):
    steps = [{"reset": True, "times": 1}, {"passthrough": True}]
    mock_session.add_fault("leadterra", path="/v1/replies", sequence=steps)
    with pytest.raises(httpx.RemoteProtocolError):
        _call(mock_session, "GET", "/v1/replies")
    assert _call(mock_session, "GET", "/v1/replies").status_code == 200

    mock_session.assert_called("leadterra", "GET", "/v1/replies", times=3)


def test_add_fault_refused_names_the_problem(mock_session):
    with pytest.raises(FaultRefused, match="leadterra documents no path '/v1/nowhere'"):
        mock_session.add_fault("leadterra", path="/v1/nowhere", status=503)
"""


def test_assert_called_passes_and_fails_with_messages_naming_matching_calls_and_near_misses(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_user_suite=INNER_TESTS)

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2, failed=4)
    # the wrong count: the calls that matched, then the near misses (the same path with another method, or the
    # same method one segment off); the other calls are left out
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: expected POST /v1/campaigns/{id}/start on leadterra 2 time(s) in session t*; called 1",
            "E*matching calls:",
            "E*  POST /v1/campaigns/camp_123/start -> 200",
            "E*near misses:",
            "E*  POST /v1/campaigns/camp_123/pause -> 200",
            "",
        ]
    )
    result.stdout.no_fnmatch_line("E*  GET /v1/campaigns/camp_123/stats -> 200")
    # no near miss: the session's other calls to the vendor
    result.stdout.fnmatch_lines(
        [
            "E*expected GET /v1/campaigns/{id}/stats on leadterra at least once in session t*; called 0",
            "E*other leadterra calls:",
            "E*  GET /v1/sender-pools -> 200",
            "E*  POST /v1/campaigns/camp_123/pause -> 200",
        ]
    )
    # another session's calls do not count
    result.stdout.fnmatch_lines(
        [
            "E*expected POST /v1/campaigns/{id}/start on leadterra at least once in session t*; called 0",
            "E*no other leadterra calls",
        ]
    )
    # a reset call is listed as one without an answer
    result.stdout.fnmatch_lines(
        [
            "E*expected GET /v1/replies on leadterra 3 time(s) in session t*; called 2",
            "E*  GET /v1/replies -> no answer (connection reset)",
            "E*  GET /v1/replies -> 200",
        ]
    )
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")  # the helper's own frames are hidden
