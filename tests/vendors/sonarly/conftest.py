"""Fixtures for Sonarly's HTTP behaviour: clients on the test's own session.

Every test here runs against the live mock through `mock_session`, whose teardown fails a test whose session
answered a response outside the spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sonarly_support import GROUP, KEY, NOW, READONLY_KEY, frozen_scenario

from campaign_mock.pytest_plugin import MockSession


def _client(mock_session: MockSession, key: str | None, base: str = "") -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=mock_session.url("sonarly") + base, headers=headers, verify=False)


@pytest.fixture
def api(mock_session: MockSession) -> Iterator[httpx.Client]:
    """The demo key (every permission) on `/sonarly` of the test's session."""
    with _client(mock_session, KEY) as client:
        yield client


@pytest.fixture
def group(mock_session: MockSession) -> Iterator[httpx.Client]:
    """The demo key on the demo account group: paths are relative to `/v1/accounts/{GROUP}`."""
    with _client(mock_session, KEY, f"/v1/accounts/{GROUP}") as client:
        yield client


@pytest.fixture
def readonly(mock_session: MockSession) -> Iterator[httpx.Client]:
    """The read-only demo key (campaigns:read) on `/sonarly`."""
    with _client(mock_session, READONLY_KEY) as client:
        yield client


@pytest.fixture
def anon(mock_session: MockSession) -> Iterator[httpx.Client]:
    """No Authorization header."""
    with _client(mock_session, None) as client:
        yield client


@pytest.fixture
def frozen(mock_session: MockSession) -> str:
    """The default scenario on a clock frozen at NOW, from the start: records it seeds without a time (the
    active campaign's startedAt) take NOW."""
    mock_session.load_scenario(yaml=frozen_scenario())
    return NOW
