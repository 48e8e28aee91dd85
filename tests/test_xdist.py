"""The plugin under pytest-xdist: each worker runs its own mock, and every test gets a session of its own, named
after its worker."""

from __future__ import annotations

import pytest

INNER_TESTS = """
import os
from pathlib import Path

import httpx
import pytest

AUTH = {"Authorization": "Bearer sk_test_leadterra"}
STEP = {"subject": "Hi", "bodyHtml": "<p>Hi</p>"}


@pytest.mark.parametrize("n", range(6))
def test_each_test_sees_only_its_own_session(mock_session, n):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    assert mock_session.name.startswith(f"{worker}-t")
    created = httpx.post(
        mock_session.url("leadterra") + "/v1/campaigns", headers=AUTH, json={"name": f"n{n}", "sequenceSteps": [STEP]}
    )
    assert created.status_code == 201

    campaigns = mock_session.admin("GET", "state").json()["vendors"]["leadterra"]["campaigns"]

    assert [c["name"] for c in campaigns if c["id"] not in ("camp_123", "camp_running", "camp_paused")] == [f"n{n}"]
    mock_session.assert_called("leadterra", "POST", "/v1/campaigns", times=1)
    (Path(os.environ["SESSION_NAMES"]) / mock_session.name).touch()
"""


def test_two_workers_each_use_their_own_sessions(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    names = pytester.mkdir("names")
    monkeypatch.setenv("SESSION_NAMES", str(names))
    pytester.makepyfile(test_parallel=INNER_TESTS)

    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-q")

    result.assert_outcomes(passed=6)
    used = sorted(p.name for p in names.iterdir())
    assert len(used) == 6  # six sessions, no name used twice
    assert {name.partition("-")[0] for name in used} == {"gw0", "gw1"}
