"""Schemathesis, driven by the specs alone, against the app in-process: every registered vendor, and the admin API.

Every check runs: no 5xx, only documented statuses, responses inside their schema, and a schema-valid request is
never refused with a validation error. Each vendor gets its own app and runs in the session `contract`. What a
vendor needs for its run comes from an optional module `tests/vendors/<vendor>/contract_hooks.py`, whose names
are all optional:

- `HEADERS`: sent with every request (the vendor's demo key); without them most requests answer the vendor's
  authentication error, which is checked like any other answer.
- `SCENARIO`: scenario YAML loaded into the run's session first (say, to lift a rate limit).
- `EXCLUDED_CHECKS`: checks the vendor's documented behaviour contradicts, left out for every case.
- `refused_though_valid(case) -> bool`: cases the vendor refuses by a rule JSON Schema cannot state; they are
  left out of positive_data_acceptance only.

The admin run leaves out positive_data_acceptance: a schema-valid scenario name or YAML text can still name
nothing (it answers 400). Its app is its own, so loading scenarios and moving clocks disturbs nobody. Examples
are derandomized, so every run sends the same requests.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from campaign_mock.app import create_app
from campaign_mock.engine.scenarios import load_scenario_text
from campaign_mock.vendors.registry import registered_vendors

EXAMPLES = settings(
    max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
SESSION = "contract"
VENDOR_TESTS = Path(__file__).parents[1] / "vendors"


@dataclass(frozen=True)
class ContractHooks:
    headers: dict[str, str]
    scenario: str | None
    excluded_checks: tuple[Callable[..., Any], ...]
    refused_though_valid: Callable[[schemathesis.Case], bool]


def contract_hooks(vendor: str) -> ContractHooks:
    """The vendor's `contract_hooks.py`, imported from its file; defaults for what it leaves out (or for all)."""
    path = VENDOR_TESTS / vendor / "contract_hooks.py"
    found: dict[str, Any] = {}
    if path.is_file():
        spec = importlib.util.spec_from_file_location(f"{vendor}_contract_hooks", path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = vars(module)
    return ContractHooks(
        headers=dict(found.get("HEADERS", {})),
        scenario=found.get("SCENARIO"),
        excluded_checks=tuple(found.get("EXCLUDED_CHECKS", ())),
        refused_though_valid=found.get("refused_though_valid", lambda case: False),
    )


def conformance_test(vendor: str) -> Callable[..., None]:
    """The run for one vendor: its own app, its hooks, one test per operation."""
    hooks = contract_hooks(vendor)
    app = create_app()
    if hooks.scenario is not None:
        app.store.load(load_scenario_text(hooks.scenario, app.catalog), SESSION)
    schema = schemathesis.openapi.from_asgi(f"/{vendor}/openapi.json", app)

    @schema.parametrize()
    @EXAMPLES
    def test(case: schemathesis.Case) -> None:
        refused = [positive_data_acceptance] if hooks.refused_though_valid(case) else []
        case.call_and_validate(
            headers={**hooks.headers, "X-Mock-Session": SESSION}, excluded_checks=[*hooks.excluded_checks, *refused]
        )

    test.__name__ = test.__qualname__ = f"test_{vendor}_conforms"
    return test


# One test function per registered vendor, named test_<vendor>_conforms (pytest collects them from the module).
for _vendor in registered_vendors():
    globals()[f"test_{_vendor.name}_conforms"] = conformance_test(_vendor.name)

admin = schemathesis.openapi.from_asgi("/__admin/openapi.json", create_app())


@admin.parametrize()
@EXAMPLES
def test_admin_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
