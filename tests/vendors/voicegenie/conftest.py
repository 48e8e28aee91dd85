"""Fixtures for VoiceGenie's HTTP behaviour: a client on the test's own session, and a contract check.

Every test here runs against the live mock through `mock_session`; after each one, the session must not have
produced a single response that broke the spec (the mock would have answered it 500 mock_contract_violation).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from voicegenie_support import KEY, frozen_scenario

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer


@pytest.fixture(scope="session")
def admin_http(campaign_mock: MockServer) -> Iterator[httpx.Client]:
    """One client for admin reads, shared by all tests (building an httpx client loads the CA bundle: slow)."""
    with httpx.Client(base_url=campaign_mock.url, verify=False) as client:
        yield client


@pytest.fixture(autouse=True)
def _no_response_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    if "mock_session" not in request.fixturenames:  # a test of the rules alone, without the server
        yield
        return
    mock_session: MockSession = request.getfixturevalue("mock_session")
    admin_http: httpx.Client = request.getfixturevalue("admin_http")
    yield
    params = {"session": mock_session.name, "kind": "response"}
    found = admin_http.get("/__admin/violations", params=params).json()["violations"]
    assert found == [], f"responses broke the VoiceGenie spec: {found}"


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
