"""Fixtures for FoxReach's HTTP behaviour: a client on the test's own session.

Every test here runs against the live mock through `mock_session`, whose teardown fails a test whose session
answered a response outside the spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from foxreach_support import KEY, NOW, NOW_NAIVE

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer


@pytest.fixture(scope="session")
def admin_http(campaign_mock: MockServer) -> Iterator[httpx.Client]:
    """One client for admin reads, shared by all tests (building an httpx client loads the CA bundle: slow)."""
    with httpx.Client(base_url=campaign_mock.url, verify=False) as client:
        yield client


@pytest.fixture
def api(mock_session: MockSession) -> Iterator[httpx.Client]:
    """An httpx client on `/foxreach/api/v1` of the test's session, with the demo key (plain http: no CA bundle)."""
    base_url = mock_session.url("foxreach") + "/api/v1"
    with httpx.Client(base_url=base_url, headers={"X-API-Key": KEY}, verify=False) as client:
        yield client


@pytest.fixture
def frozen(mock_session: MockSession) -> str:
    """Freeze the session clock at NOW; returns the naive timestamp new records will carry."""
    mock_session.set_clock(now=NOW, frozen=True)
    return NOW_NAIVE
