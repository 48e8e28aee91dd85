"""Schemathesis, driven by the specs alone, against the app in-process.

Every check runs for the vendor specs: no 5xx, only documented statuses, responses inside their schema, and a
schema-valid request is never refused with a validation error. The admin API is checked the same way except
that last rule: a schema-valid scenario name or YAML text can still name nothing, and the admin answers 400.
Each API gets its own app, so the admin run (which loads scenarios and moves clocks) disturbs nobody.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from campaign_mock.app import create_app

EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))

leadterra = schemathesis.openapi.from_asgi("/leadterra/openapi.json", create_app())
admin = schemathesis.openapi.from_asgi("/__admin/openapi.json", create_app())


@leadterra.parametrize()
@EXAMPLES
def test_leadterra_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": "Bearer sk_test_leadterra", "X-Mock-Session": "contract"})


@admin.parametrize()
@EXAMPLES
def test_admin_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
