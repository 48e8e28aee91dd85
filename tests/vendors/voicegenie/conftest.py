"""Fixtures for VoiceGenie's HTTP behaviour: a client on the test's own session.

Every test here runs against the live mock through `mock_session`, whose teardown fails a test whose session
answered a response outside the spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from voicegenie_support import KEY, frozen_scenario

from campaign_mock.pytest_plugin import MockSession


@pytest.fixture
def api(mock_session: MockSession) -> Iterator[httpx.Client]:
    """An httpx client on `/voicegenie` of the test's session, with the demo key (plain http: no CA bundle)."""
    with httpx.Client(base_url=mock_session.url("voicegenie"), headers={"x-api-key": KEY}, verify=False) as client:
        yield client


@pytest.fixture
def frozen(mock_session: MockSession) -> MockSession:
    """The test's session rebuilt from the default scenario on a frozen clock at NOW."""
    mock_session.load_scenario(yaml=frozen_scenario())
    return mock_session
