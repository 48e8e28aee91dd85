"""The pytest plugin, tested with pytest's own pytester: fixtures, the scenario marker, isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

INNER_TESTS = """
import httpx
import pytest

AUTH = {"Authorization": "Bearer sk_test_leadterra"}


def test_session_sees_default_scenario(mock_session):
    r = httpx.get(mock_session.url("leadterra") + "/v1/campaigns/camp_123/stats", headers=AUTH)
    assert r.status_code == 200
    assert r.json()["totalEnrolled"] == 2


def test_changes_stay_in_the_session(mock_session):
    r = httpx.post(mock_session.url("leadterra") + "/v1/campaigns/camp_123/start", headers=AUTH)
    assert r.json()["status"] == "running"
    other = httpx.post(mock_session.server.url + "/leadterra/v1/campaigns/camp_123/pause", headers=AUTH)
    assert other.json()["status"] == "draft"  # the default session never saw the start


@pytest.mark.campaign_mock_scenario("leadterra/paused")
def test_marker_loads_a_scenario(mock_session):
    r = httpx.post(mock_session.url("leadterra") + "/v1/campaigns/camp_held/start", headers=AUTH)
    assert r.json() == {"id": "camp_held", "status": "running", "startedAt": "2025-02-20T08:00:00Z"}
    assert [e["operationId"] for e in mock_session.requests()] == ["start_campaign"]


@pytest.mark.campaign_mock_scenario("my_scenario.yaml")
def test_marker_loads_a_scenario_file(mock_session):
    r = httpx.get(mock_session.url("leadterra") + "/v1/sender-accounts", headers={"Authorization": "Bearer sk_mine"})
    assert r.status_code == 200


def test_clock_helpers(mock_session):
    assert mock_session.set_clock(now="2025-01-15T11:00:00Z", frozen=True)["now"] == "2025-01-15T11:00:00Z"
    assert mock_session.advance_clock(90)["now"] == "2025-01-15T11:01:30Z"
    r = httpx.post(mock_session.url("leadterra") + "/v1/campaigns", headers=AUTH, json={"name": "Timed"})
    assert r.json()["createdAt"] == "2025-01-15T11:01:30Z"
"""


def test_fixtures_marker_and_isolation_work_in_a_user_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_suite=INNER_TESTS)
    pytester.makefile(".yaml", my_scenario="extends: default\nvendors:\n  leadterra:\n    api_keys: [sk_mine]\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


BROKEN_VENDOR_CONFTEST = """
import sys

import pytest

sys.path.insert(0, {engine_tests!r})
from fake_vendor import FAKE

from campaign_mock.server import MockServer


@pytest.fixture(scope="session")
def campaign_mock():
    with MockServer(vendors=[FAKE]) as server:
        yield server
"""

BROKEN_VENDOR_TESTS = """
import httpx
import pytest


def _broken(mock_session):
    return httpx.get(mock_session.url("fakevendor") + "/v1/broken", headers={"X-Fake-Key": "fk_test"})


def test_answer_outside_the_spec(mock_session):
    assert _broken(mock_session).status_code == 500


@pytest.mark.campaign_mock_allow_violations
def test_answer_outside_the_spec_allowed(mock_session):
    assert _broken(mock_session).status_code == 500
    assert [v["operationId"] for v in mock_session.violations("response")] == ["get_broken"]
"""


def test_a_session_that_broke_the_spec_fails_its_test_at_teardown(pytester: pytest.Pytester) -> None:
    engine_tests = str(Path(__file__).parent / "engine")
    pytester.makeconftest(BROKEN_VENDOR_CONFTEST.format(engine_tests=engine_tests))
    pytester.makepyfile(test_broken=BROKEN_VENDOR_TESTS)

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_answer_outside_the_spec*"])
    result.stdout.fnmatch_lines(["*responses in session t* broke the spec: *get_broken*"])


def test_marker_naming_a_missing_scenario_fails_the_test_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_missing="""
import pytest


@pytest.mark.campaign_mock_scenario("leadterra/no-such-scenario")
def test_uses_it(mock_session):
    pass
"""
    )

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*campaign_mock_scenario('leadterra/no-such-scenario'): leadterra/no-such-scenario: no scenario named*"]
    )
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*pytest_plugin.py*")
