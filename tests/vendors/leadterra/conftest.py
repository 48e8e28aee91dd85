"""Leadterra driven over HTTP, the way an SDK would, in each test's own mock session."""

from __future__ import annotations

import httpx
import pytest
from leadterra_client import Leadterra

from campaign_mock.pytest_plugin import MockSession


@pytest.fixture
def leadterra(mock_session: MockSession, http: httpx.Client) -> Leadterra:
    """Leadterra in a fresh session of the default scenario, authenticated with the demo key."""
    return Leadterra(mock_session, http)
