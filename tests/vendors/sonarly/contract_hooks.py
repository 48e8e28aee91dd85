"""Sonarly's settings for the Schemathesis run in tests/contract: the full demo key, and the schema-valid requests
Sonarly refuses by rules JSON Schema cannot state.

The spec's accountGroupId example is the demo group, so part of the run reaches real records. There, a cursor the
mock did not issue is 400, and these are 422 VALIDATION_ERROR as documented: a draft for an audience the group
does not have (or for leads outside it), a content slot re-linked to a templateId that is not a 24-hex id, and a
start of a draft with no selected leads (which depends on the draft, not on the request).
"""

from __future__ import annotations

import re
from typing import Any

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


# The stateful run (tests/contract/test_stateful.py): 60 scenarios, since fewer leave some chained operations
# unreached for some sets of served vendors. Reached only through links: the account group from list_accounts,
# the audience from list_audiences or create_audience, the draft from those.
STATEFUL_EXAMPLES = 60
STATEFUL_CHAINED = {"list_audiences", "list_audience_prospects", "create_audience", "create_campaign"}


def stateful_before_call(case: schemathesis.Case, memory: dict[str, Any]) -> None:
    """Keep only the leadIds of prospects this scenario has listed: generated ids never belong to an audience, so
    every draft naming one would be refused (422) and nothing after it would run. An emptied list is dropped
    (leadIds is optional)."""
    body = case.body
    if case.operation.definition.raw.get("operationId") not in ("create_campaign", "duplicate_campaign"):
        return
    if not isinstance(body, dict) or "leadIds" not in body:
        return
    leads = body["leadIds"]
    known = [lead for lead in leads if lead in memory.get("prospects", ())] if isinstance(leads, list) else leads
    if known:
        body["leadIds"] = known
    else:
        del body["leadIds"]


def stateful_after_call(case: schemathesis.Case, response: Any, memory: dict[str, Any]) -> None:
    """Remember the prospects a listing returned, for stateful_before_call."""
    if case.operation.definition.raw.get("operationId") == "list_audience_prospects" and response.status_code == 200:
        memory.setdefault("prospects", set()).update(item["id"] for item in response.json()["data"]["items"])
