"""Schemathesis, stateful: for every registered vendor's spec and for the admin spec, sequences of calls chained by
the spec's OpenAPI links (create -> get, start, pause, delete...), every response checked by every Schemathesis
check, and the mock's own record of response violations (`GET /__admin/violations?kind=response`) empty.

Each vendor scenario runs in a fresh session of its own (the vendor's contract SCENARIO, or the default one) with
the vendor's demo key; each admin scenario starts from the server as it was built, and the server is put back
after it. Examples are derandomized and bounded, so every run sends the same requests. Besides the settings the
conformance run uses (HEADERS, SCENARIO, EXCLUDED_CHECKS, refused_though_valid), a vendor's
`tests/vendors/<vendor>/contract_hooks.py` may define, all optional:

- `STATEFUL_CHAINED`: operations that must answer 2xx at least once to a call made by following a declared link,
  the proof that the links carry real ids from one call to the next;
- `STATEFUL_FOUND`: operations without a request body whose linked call must find its record at least once: any
  answer but 401, 403 and 404 (a start that the campaign's state refuses still proves the id was real);
- `STATEFUL_EXAMPLES`: how many scenarios to run (each of up to STEPS calls);
- `stateful_before_call(case, memory)` / `stateful_after_call(case, response, memory)`: adjust a call from what
  the scenario has seen so far; `memory` is a dict of the scenario's own.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful.state_machine import APIStateMachine
from vendor_hooks import hooks_namespace

from campaign_mock.app import MockApp, Settings, create_app
from campaign_mock.engine.scenarios import load_scenario_text
from campaign_mock.vendors.registry import registered_vendors

ADMIN = "__admin"
STEPS = 8
DEFAULT_EXAMPLES = 30
# Only the spec's own links: the links Schemathesis would infer from names and shapes are left out, so the bounded
# number of scenarios goes to the chains the spec documents (and the run takes seconds, not minutes).
DECLARED_LINKS_ONLY = SchemathesisConfig.from_dict({"phases": {"stateful": {"inference": {"algorithms": []}}}})


def _nothing(*args: Any) -> None:
    return None


@dataclass(frozen=True)
class StatefulHooks:
    headers: dict[str, str] = field(default_factory=dict)
    scenario: str | None = None
    excluded_checks: tuple[Callable[..., Any], ...] = ()
    refused_though_valid: Callable[[schemathesis.Case], bool] = lambda case: False
    chained: frozenset[str] = frozenset()
    found: frozenset[str] = frozenset()
    examples: int = DEFAULT_EXAMPLES
    before_call: Callable[[schemathesis.Case, dict[str, Any]], None] = _nothing
    after_call: Callable[[schemathesis.Case, Any, dict[str, Any]], None] = _nothing


def vendor_hooks(vendor: str) -> StatefulHooks:
    found = hooks_namespace(vendor)
    defaults = StatefulHooks()
    return StatefulHooks(
        headers=dict(found.get("HEADERS", {})),
        scenario=found.get("SCENARIO"),
        excluded_checks=tuple(found.get("EXCLUDED_CHECKS", ())),
        refused_though_valid=found.get("refused_though_valid", defaults.refused_though_valid),
        chained=frozenset(found.get("STATEFUL_CHAINED", ())),
        found=frozenset(found.get("STATEFUL_FOUND", ())),
        examples=found.get("STATEFUL_EXAMPLES", DEFAULT_EXAMPLES),
        before_call=found.get("stateful_before_call", _nothing),
        after_call=found.get("stateful_after_call", _nothing),
    )


# The admin run leaves out positive_data_acceptance, as the conformance run does: a schema-valid scenario name or
# YAML text can still name nothing (400). Its chained operations are reached only through links that carry a
# session (or a whole exported state) from one call to the next.
ADMIN_TOKEN = "stateful-admin-token"
ADMIN_HOOKS = StatefulHooks(
    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    excluded_checks=(positive_data_acceptance,),
    chained=frozenset({"export_state"}),
    found=frozenset({"import_state"}),
    examples=25,
)
SERVICES = {**{v.name: vendor_hooks(v.name) for v in registered_vendors()}, ADMIN: ADMIN_HOOKS}


def load_schema(app: MockApp, service: str) -> Any:
    """The service's served document (the admin one needs the admin token), with declared links only."""
    return schemathesis.openapi.from_asgi(
        f"/{service}/openapi.json", app, config=DECLARED_LINKS_ONLY, headers=ADMIN_HOOKS.headers
    )


def operation_id(case: schemathesis.Case) -> str:
    return str(case.operation.definition.raw.get("operationId"))


@dataclass
class Run:
    """What one stateful run saw: each answer as (operationId, status, made by following a declared link), and
    the response violations the mock recorded."""

    answers: list[tuple[str, int, bool]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)

    def linked_successes(self) -> set[str]:
        return {op for op, status, linked in self.answers if linked and 200 <= status < 300}

    def linked_finds(self) -> set[str]:
        return {op for op, status, linked in self.answers if linked and status not in (401, 403, 404)}


def response_violations(app: MockApp) -> list[dict[str, Any]]:
    """`GET /__admin/violations?kind=response`, server-wide, through the app in-process."""

    async def get() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as client:
            response = await client.get("/__admin/violations", params={"kind": "response"}, headers=ADMIN_HOOKS.headers)
            assert response.status_code == 200, response.text
            found: list[dict[str, Any]] = response.json()["violations"]
            return found

    return asyncio.run(get())


def state_machine(app: MockApp, service: str, hooks: StatefulHooks) -> tuple[type[APIStateMachine], Run]:
    """The service's state machine on `app`, and the record it fills while it runs."""
    schema = load_schema(app, service)
    scenario = load_scenario_text(hooks.scenario, app.catalog) if hooks.scenario else None
    built_from = app.store.scenario
    sessions = itertools.count(1)
    run = Run()

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        session = ""
        memory: dict[str, Any]

        def setup(self) -> None:
            self.memory = {}
            if service != ADMIN:
                self.session = f"stateful-{service}-{next(sessions)}"
                if scenario is not None:
                    app.store.load(scenario, self.session)

        def teardown(self) -> None:
            run.violations.extend(response_violations(app))
            app.journal.clear()
            if service == ADMIN:
                # Server-wide loads, clocks and faults go: the next scenario starts from the server as built.
                app.store.load(built_from)
            else:
                app.store.remove(self.session)

        def before_call(self, case: schemathesis.Case) -> None:
            hooks.before_call(case, self.memory)

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            node = self.recorder.cases.get(case.id)
            transition = node.transition if node is not None else None
            linked = transition is not None and not transition.is_inferred and node.is_transition_applied
            run.answers.append((operation_id(case), response.status_code, linked))
            hooks.after_call(case, response, self.memory)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            if service == ADMIN:
                return {"headers": hooks.headers}
            return {"headers": {**hooks.headers, "X-Mock-Session": self.session}}

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            refused = [positive_data_acceptance] if hooks.refused_though_valid(case) else []
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=[*hooks.excluded_checks, *refused],
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.__name__ = Workflow.__qualname__ = f"{service.strip('_').title()}Workflow"
    return Workflow, run


@pytest.fixture(scope="module")
def app() -> MockApp:
    """One app for every run, with an admin token: vendor scenarios each have a session of their own, and admin
    scenarios put the server back as it was built."""
    return create_app(Settings(admin_token=ADMIN_TOKEN))


@pytest.mark.parametrize("service", list(SERVICES))
def test_links_chain_conforming_calls(app: MockApp, service: str) -> None:
    hooks = SERVICES[service]
    machine, run = state_machine(app, service, hooks)
    machine.run(
        settings=settings(
            max_examples=hooks.examples,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )

    assert all(status < 500 for _, status, _ in run.answers), sorted({a for a in run.answers if a[1] >= 500})
    assert run.violations == []
    linked, finds = run.linked_successes(), run.linked_finds()
    missing = sorted(hooks.chained - linked) + sorted(hooks.found - finds)
    assert not missing, f"missing {missing}; linked 2xx: {sorted(linked)}; linked finds: {sorted(finds)}"


def declared_links(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """Every link the document declares: (source operationId, status, link name, target operationId)."""

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    for item in doc["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for status, response in operation["responses"].items():
                for name, link in resolve(response).get("links", {}).items():
                    yield operation["operationId"], str(status), name, resolve(link)["operationId"]


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_declared_link_is_followed(app: MockApp, service: str) -> None:
    """Every link in the spec names a real operation and parameters it takes (Schemathesis refuses the state
    machine otherwise) and becomes a transition of the state machine: none is dropped."""
    schema = load_schema(app, service)
    machine = schema.as_state_machine()
    followed = {
        (
            link.source.definition.raw["operationId"],
            link.status_code,
            link.name,
            link.target.definition.raw["operationId"],
        )
        for transitions in machine._transitions.operations.values()  # the links Schemathesis built transitions from
        for link in transitions.outgoing
        if not link.is_inferred
    }
    declared = set(declared_links(schema.raw_schema))
    assert declared, f"{service} declares no links"
    assert followed == declared
