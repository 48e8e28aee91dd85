"""Helpers shared by the FoxReach HTTP tests (a plain module, so tests can import it by name)."""

from __future__ import annotations

from typing import Any

import httpx

KEY = "otr_test_foxreach"
NOW = "2025-01-15T10:00:00Z"
NOW_NAIVE = "2025-01-15T10:00:00"
NOW_EPOCH = 1736935200


def data(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a successful answer, after checking its status."""
    assert response.status_code == status, response.text
    return response.json()["data"]


def detail(response: httpx.Response, status: int) -> str:
    """The `detail` message of an error answer, after checking its status and that it is the whole body."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"}, body
    message: str = body["detail"]
    return message
