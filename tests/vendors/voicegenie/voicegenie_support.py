"""Helpers shared by the VoiceGenie HTTP tests (a plain module, so tests can import it by name)."""

from __future__ import annotations

from typing import Any

import httpx

KEY = "vg_test_voicegenie"
NOW = "2025-03-03T09:00:00Z"
NOW_EPOCH = 1740992400
SEED_CAMPAIGN = "550e8400-e29b-41d4-a716-446655440000"  # paused, the seed page's example id
RUNNING = "7c9e6679-7425-40de-944b-e07fc1f90ae7"  # "Customer survey", _id 507f1f77bcf86cd799439012
DRAFT = "9b2f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"  # "Webinar invites", script and contacts
SCHEDULED = "1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9"
COMPLETED = "0f8fad5b-d9cb-469f-a165-70867728950e"  # _id 507f1f77bcf86cd799439016
NOT_STARTED = "3d6f0a9e-2b1c-4e8f-9a7d-5c4b3a291807"  # _id 507f1f77bcf86cd799439013
UNTITLED = "5e1d2c3b-4a59-4687-9786-a5b4c3d2e1f0"  # a draft with no script and no contacts
UNKNOWN = "00000000-0000-4000-8000-000000000000"
SCRIPT = "script_renewal01"
USER_ID = "665f1c2e8b3a4d0012a4b001"


def frozen_scenario(extra: str = "") -> str:
    """The default scenario on a frozen clock at NOW, plus `extra` YAML (top-level keys)."""
    return f'extends: default\nclock: {{now: "{NOW}", frozen: true}}\n{extra}'


def data(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a successful v1 answer, after checking its status and envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True, body
    return body["data"]


def failure(response: httpx.Response, status: int) -> dict[str, Any]:
    """The whole body of an error answer, after checking its status."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def contacts(count: int, start: int = 0) -> list[dict[str, Any]]:
    """`count` well-formed contacts with distinct numbers."""
    return [{"phone_number": f"+1415555{i:04d}", "name": f"Person {i}"} for i in range(start, start + count)]
