"""FoxReach's settings for the Schemathesis run in tests/contract.

FoxReach ignores unknown query parameters (so they are not "refused": no negative_data_rejection), and refuses a
campaign whose sending window closes before it opens, a rule across two fields that JSON Schema cannot state.
The run's session lifts the documented rate limit, so the run is not a series of 429s.

Some answers follow the campaign's state, not the request (start an active campaign, pause a draft, edit an
active one or its steps: 400), or a rule on a text (spin syntax, a blank reply body: 400): those operations are
left out of positive_data_acceptance only. The stateful run reaches a new campaign's steps, and a new lead, only
through the links from their creates.
"""

from __future__ import annotations

import schemathesis
from schemathesis.checks import negative_data_rejection

from campaign_mock.vendors.foxreach.records import CAMPAIGN_DEFAULTS

HEADERS = {"X-API-Key": "otr_test_foxreach"}
SCENARIO = "extends: default\nrate_limits:\n  foxreach: {limit: 1000000, window_seconds: 60}\n"
EXCLUDED_CHECKS = (negative_data_rejection,)
STATEFUL_CHAINED = {"get_lead", "list_sequences"}
_STATE_RULES = {
    "start_campaign",
    "pause_campaign",
    "resume_campaign",
    "update_campaign",
    "delete_campaign",
    "create_sequence",
    "update_sequence",
    "delete_sequence",
    "reply_to_inbox_thread",
}


def refused_though_valid(case: schemathesis.Case) -> bool:
    """A state rule, or a campaign create whose sendingStartHour is not before its sendingEndHour (defaults
    filled in)."""
    if case.operation.definition.raw.get("operationId") in _STATE_RULES:
        return True
    body = case.body
    if (case.method.upper(), case.path) != ("POST", "/api/v1/campaigns") or not isinstance(body, dict):
        return False
    hours = {**CAMPAIGN_DEFAULTS, **body}
    start, end = hours["sendingStartHour"], hours["sendingEndHour"]
    numbers = all(isinstance(h, int | float) and not isinstance(h, bool) for h in (start, end))
    return numbers and start >= end  # negative cases may send other types
