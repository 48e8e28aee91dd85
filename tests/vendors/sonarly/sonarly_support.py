"""Helpers shared by the Sonarly HTTP tests (a plain module, so tests can import it by name)."""

from __future__ import annotations

import re
from typing import Any

import httpx

KEY = "sk_test_sonarly"
READONLY_KEY = "sk_test_sonarly_readonly"
GROUP = "665f00000000000000000001"
NOW = "2026-05-04T09:00:00Z"
NOW_MS = "2026-05-04T09:00:00.000Z"

# Records of the default scenario's part (scenarios/sonarly/default.yaml).
AUDIENCE_VP = "665f0000000000000000a001"  # three prospects: B001, B002, B003
AUDIENCE_REVOPS = "665f0000000000000000a002"  # B003, B004 (running in the active campaign)
AUDIENCE_FILLING = "665f0000000000000000a003"
AUDIENCE_EMPTY = "665f0000000000000000a004"
B001, B002, B003, B004, B005 = (f"665f0000000000000000b00{n}" for n in range(1, 6))
DRAFT = "665f0000000000000000c001"
ACTIVE = "665f0000000000000000c002"
COMPLETED = "665f0000000000000000c003"
DRAFT_SLOT = "1912d8ddf4a7ce410a2c3ac3"  # the draft's connection note (workflows.slot_id(DRAFT, 1))
ACTIVE_SLOT = "be4ecf464da97ef8d1a74244"
MISSING = "665f0000000000000000ffff"
OTHER_GROUP = "665f00000000000000000002"
# What the session's id factory mints first (errors.object_id): the same in every session.
FIRST_CAMPAIGN = "e7d5f140a7d926d923438c54"
SECOND_CAMPAIGN = "4c577d8d1b9f2786b1695dc6"
FIRST_AUDIENCE = "6448b4da81f768df4201f272"

TRACE_ID = re.compile(r"[0-9a-f]{24}")


def frozen_scenario(extra: str = "") -> str:
    """Scenario YAML: the default scenario on a clock frozen at NOW, plus `extra` (more top-level YAML)."""
    return f'extends: default\nclock: {{now: "{NOW}", frozen: true}}\n{extra}'


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a successful answer, after checking its status and the whole envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "data", "error", "traceId"}, body
    assert body["success"] is True and body["error"] is None, body
    assert TRACE_ID.fullmatch(body["traceId"]), body
    return body["data"]


def failure(response: httpx.Response, status: int) -> tuple[str, str, str]:
    """`(code, message, details)` of an error answer, after checking its status and the whole envelope."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "data", "error", "traceId"}, body
    assert body["success"] is False and body["data"] is None, body
    assert TRACE_ID.fullmatch(body["traceId"]), body
    assert set(body["error"]) == {"code", "message", "details"}, body
    error = body["error"]
    return error["code"], error["message"], error["details"]
