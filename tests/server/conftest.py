"""Fixtures for the engine's HTTP behaviour: the shared server, a second session, and private servers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer


@pytest.fixture
def shared(campaign_mock: MockServer, http: httpx.Client) -> Mock:
    """The plugin's server, shared by the run: use it only inside `mock_session` / `other_session`."""
    return Mock(campaign_mock.url, http)


@pytest.fixture
def other_session(mock_session: MockSession, shared: Mock) -> Iterator[str]:
    """The name of a second session on the shared server, next to `mock_session`, reset afterwards."""
    name = f"{mock_session.name}-other"
    yield name
    shared.admin("POST", "reset", session=name)


@pytest.fixture
def private(http: httpx.Client) -> Iterator[Mock]:
    """A server of the test's own, for what acts server-wide: the default session, the server clock, reset all."""
    with MockServer() as server:
        yield Mock(server.url, http)
