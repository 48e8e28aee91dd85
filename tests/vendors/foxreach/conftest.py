"""Fixtures for FoxReach's HTTP behaviour: a client on the test's own session, and a contract check.

Every test here runs against the live mock through `mock_session`; after each one, the session must not have
produced a single response that broke the spec (the mock would have answered it 500 mock_contract_violation).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from foxreach_support import KEY, NOW, NOW_NAIVE

from campaign_mock.pytest_plugin import MockSession


@pytest.fixture(autouse=True)
def _no_response_violations(mock_session: MockSession) -> Iterator[None]:
    yield
    found = mock_session.admin("GET", "violations", params={"kind": "response"}).json()["violations"]
    assert found == [], f"responses broke the FoxReach spec: {found}"


@pytest.fixture
def api(mock_session: MockSession) -> Iterator[httpx.Client]:
    """An httpx client on `/foxreach/api/v1` of the test's session, with the demo key."""
    with httpx.Client(base_url=mock_session.url("foxreach") + "/api/v1", headers={"X-API-Key": KEY}) as client:
        yield client


@pytest.fixture
def frozen(mock_session: MockSession) -> str:
    """Freeze the session clock at NOW; returns the naive timestamp new records will carry."""
    mock_session.set_clock(now=NOW, frozen=True)
    return NOW_NAIVE
