"""Schemathesis, driven by the specs alone, against the app in-process.

Every check runs for the vendor specs: no 5xx, only documented statuses, responses inside their schema, and a
schema-valid request is never refused with a validation error. Checks are left out where the API itself
says otherwise: FoxReach ignores unknown query parameters (so they are not "refused") and refuses a campaign
whose sending window closes before it opens (a rule across two fields that JSON Schema cannot state), and a
schema-valid scenario name or YAML text sent to the admin API can still name nothing (it answers 400). Each API
gets its own app, so the admin run (which loads scenarios and moves clocks) disturbs nobody; the FoxReach run's
session lifts the rate limit, so it is not a series of 429s.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from campaign_mock.app import create_app
from campaign_mock.engine.scenarios import load_scenario_text
from campaign_mock.vendors.foxreach.records import CAMPAIGN_DEFAULTS

EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

leadterra = schemathesis.openapi.from_asgi("/leadterra/openapi.json", create_app())
admin = schemathesis.openapi.from_asgi("/__admin/openapi.json", create_app())

_foxreach_app = create_app()
_UNLIMITED = "extends: default\nrate_limits:\n  foxreach: {limit: 1000000, window_seconds: 60}\n"
_foxreach_app.store.load(load_scenario_text(_UNLIMITED, _foxreach_app.catalog), "contract")
foxreach = schemathesis.openapi.from_asgi("/foxreach/openapi.json", _foxreach_app)


@leadterra.parametrize()
@EXAMPLES
def test_leadterra_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": "Bearer sk_test_leadterra", "X-Mock-Session": "contract"})


def _backwards_window(case: schemathesis.Case) -> bool:
    """A FoxReach create whose sendingStartHour is not before its sendingEndHour (defaults filled in)."""
    body = case.body
    if (case.method.upper(), case.path) != ("POST", "/api/v1/campaigns") or not isinstance(body, dict):
        return False
    hours = {**CAMPAIGN_DEFAULTS, **body}
    start, end = hours["sendingStartHour"], hours["sendingEndHour"]
    numbers = all(isinstance(h, int | float) and not isinstance(h, bool) for h in (start, end))
    return numbers and start >= end  # negative cases may send other types


@foxreach.parametrize()
@EXAMPLES
def test_foxreach_conforms(case: schemathesis.Case) -> None:
    excluded = [negative_data_rejection, *([positive_data_acceptance] if _backwards_window(case) else [])]
    case.call_and_validate(
        headers={"X-API-Key": "otr_test_foxreach", "X-Mock-Session": "contract"},
        excluded_checks=excluded,
    )


@admin.parametrize()
@EXAMPLES
def test_admin_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
