"""Fixtures for driving real, unmodified client libraries against the mock.

Each test runs in its own session of the shared server. After it, the session must not have produced a single
response that broke a vendor's spec.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.server import MockServer


@pytest.fixture(scope="session")
def admin_http(campaign_mock: MockServer) -> Iterator[httpx.Client]:
    """One client for admin reads, shared by all tests (building an httpx client loads the CA bundle: slow)."""
    with httpx.Client(base_url=campaign_mock.url, verify=False) as client:
        yield client


@pytest.fixture(autouse=True)
def _no_response_violations(mock_session: MockSession, admin_http: httpx.Client) -> Iterator[None]:
    yield
    params = {"session": mock_session.name, "kind": "response"}
    found = admin_http.get("/__admin/violations", params=params).json()["violations"]
    assert found == [], f"responses broke the spec: {found}"
