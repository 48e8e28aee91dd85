"""Sonarly's settings for the Schemathesis run in tests/contract: the full demo key, and the schema-valid requests
Sonarly refuses by rules JSON Schema cannot state.

The spec's accountGroupId example is the demo group, so part of the run reaches real records. There, a cursor the
mock did not issue is 400, and these are 422 VALIDATION_ERROR as documented: a draft for an audience the group
does not have (or for leads outside it), a content slot re-linked to a templateId that is not a 24-hex id, and a
start of a draft with no selected leads (which depends on the draft, not on the request).
"""

from __future__ import annotations

import re

import schemathesis

from campaign_mock.engine.errors import ApiError
from campaign_mock.vendors.sonarly.views import decode_cursor

HEADERS = {"Authorization": "Bearer sk_test_sonarly"}
# The ready audiences of the default scenario's demo group (scenarios/sonarly/default.yaml).
READY_AUDIENCES = {"665f0000000000000000a001", "665f0000000000000000a002", "665f0000000000000000a004"}
OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def _unreadable(cursor: object) -> bool:
    if not isinstance(cursor, str):
        return False
    try:
        decode_cursor(cursor)
    except ApiError:
        return True
    return False


def refused_though_valid(case: schemathesis.Case) -> bool:
    query = case.query or {}
    if _unreadable(query.get("cursor")):
        return True
    body = case.body if isinstance(case.body, dict) else {}
    operation = case.operation.definition.raw.get("operationId")
    if operation == "create_campaign":
        audience = body.get("audienceId")
        return not (isinstance(audience, str) and audience in READY_AUDIENCES) or "leadIds" in body
    if operation == "duplicate_campaign":
        return "leadIds" in body
    if operation == "update_campaign_content_slot":
        return not (isinstance(body.get("templateId"), str) and OBJECT_ID.fullmatch(body["templateId"]))
    return operation == "start_campaign"
