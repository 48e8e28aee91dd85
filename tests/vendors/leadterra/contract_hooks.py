"""Leadterra's settings for the Schemathesis runs in tests/contract: the demo key, and every check.

A start is refused (400 no_leads_enrolled, no_sequence_steps) by the campaign's state, not by the request, so a
start is left out of positive_data_acceptance only. The stateful run reaches enrolment, start, pause and stats of a
campaign only through the links from its create (a generated id names no campaign).
"""

from __future__ import annotations

import schemathesis

HEADERS = {"Authorization": "Bearer sk_test_leadterra"}
STATEFUL_CHAINED = {"bulk_enroll_leads", "pause_campaign", "get_campaign_stats"}
STATEFUL_FOUND = {"start_campaign"}


def refused_though_valid(case: schemathesis.Case) -> bool:
    return case.operation.definition.raw.get("operationId") == "start_campaign"
