"""Shared bits of the FoxReach SDK and CLI tests."""

from __future__ import annotations

from typing import Any

from campaign_mock.pytest_plugin import MockSession

KEY = "otr_test_foxreach"
NOW = "2025-01-15T10:00:00Z"

AUTH_401 = 'extends: default\nvariants:\n  foxreach.auth_failure_status: "401"\n'


def base_url(mock_session: MockSession) -> str:
    """The SDK base URL for the test's session: the vendor prefix plus FoxReach's own `/api/v1`."""
    return mock_session.url("foxreach") + "/api/v1"


def limited(limit: int) -> str:
    """The default scenario with FoxReach allowing only `limit` requests a minute."""
    return f"extends: default\nrate_limits:\n  foxreach: {{limit: {limit}, window_seconds: 60}}\n"


def journal(mock_session: MockSession, **filters: Any) -> list[tuple[str, str, int]]:
    """(method, path with query, status) of the session's FoxReach requests, oldest first."""
    entries = mock_session.requests(vendor="foxreach", **filters)
    return [(e["request"]["method"], _target(e["request"]), e["response"]["status"]) for e in entries]


def _target(request: dict[str, Any]) -> str:
    query = request.get("query") or ""
    return request["path"] + (f"?{query}" if query else "")
