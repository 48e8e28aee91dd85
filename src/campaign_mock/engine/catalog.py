"""Everything loaded once for a set of vendors: their compiled specs and routers, the admin spec, the shipped
scenario library, and the scenario schema completed with each vendor's state schema and variants.

Specs never change while the mock runs, so one `Catalog` per set of vendors and validator backend is built and
shared by every app built from them (tests create many apps; they all share the compiled validators). The vendors
are given by the caller: the engine knows none of them by name.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ConfigError, Problem
from .routing import Router
from .scenario_files import SCENARIO_DIR, ScenarioLibrary
from .specs import SPEC_DIR, Spec, load_spec
from .validation import Backend, SchemaValidator
from .variants import Variant
from .vendor import Vendor

ADMIN = "__admin"
BASE_SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")


@dataclass(frozen=True)
class Catalog:
    vendors: dict[str, Vendor[Any]]
    specs: dict[str, Spec]
    routers: dict[str, Router]
    variants: dict[str, Variant]
    scenario_schema: dict[str, Any]
    scenario_validator: SchemaValidator
    backend: Backend
    library: ScenarioLibrary


def load_catalog(vendors: Sequence[Vendor[Any]], backend: Backend = "fast", *, check_all: bool = False) -> Catalog:
    """Load the vendors' specs and the admin spec (once per set of vendors and backend); raise ConfigError
    listing every problem in every file. `check_all`: every schema of every spec checked and compiled now, even
    those of a bundled spec that passed before (see `load_spec`)."""
    return _load_catalog(tuple(vendors), backend, check_all)


@cache
def _load_catalog(given: tuple[Vendor[Any], ...], backend: Backend, check_all: bool) -> Catalog:
    vendors = {vendor.name: vendor for vendor in given}
    problems: list[str] = []
    if len(vendors) != len(given):
        problems.append("two vendors share a name")
    problems += [f"{name}: a vendor name is lowercase letters and digits" for name in vendors if not _plain(name)]
    variants: dict[str, Variant] = {}
    for vendor in given:
        for variant in vendor.variants:
            if variant.name in variants:
                problems.append(f"variant {variant.name} is declared twice")
            variants[variant.name] = variant
    if problems:
        raise ConfigError.merge(ConfigError.single("vendors", None, p) for p in problems)
    specs: dict[str, Spec] = {}
    errors: list[ConfigError] = []
    files = {**{name: v.spec_file for name, v in vendors.items()}, ADMIN: SPEC_DIR / "admin.yaml"}
    for name, file in files.items():
        try:
            specs[name] = load_spec(name, file, backend=backend, check_all=check_all)
        except ConfigError as exc:
            errors.append(exc)
    errors += [_handler_problems(vendors[name], specs[name]) for name in vendors if name in specs]
    errors = [e for e in errors if e.problems]
    if errors:
        raise ConfigError.merge(errors)
    schema = _scenario_schema(vendors, specs, variants)
    dirs = {name: v.scenario_dir for name, v in vendors.items() if v.scenario_dir is not None}
    return Catalog(
        vendors=vendors,
        specs=specs,
        routers={name: Router(spec.operations) for name, spec in specs.items()},
        variants=variants,
        scenario_schema=schema,
        scenario_validator=SchemaValidator(schema, backend),
        backend=backend,
        library=ScenarioLibrary(SCENARIO_DIR, dirs),
    )


def _plain(name: str) -> bool:
    return name.isascii() and name.isalnum() and name.islower() and not name[0].isdigit()


def _handler_problems(vendor: Vendor[Any], spec: Spec) -> ConfigError:
    """A handler that names no operation is a typo that would leave the operation unserved: refuse it at startup.
    (An operation without a handler is allowed; it answers 501 naming itself.)"""
    documented = {op.operation_id for op in spec.operations}
    return ConfigError(
        [
            Problem(str(vendor.spec_file), None, f"handler {name!r} of {vendor.name} serves no operation of its spec")
            for name in sorted(set(vendor.handlers) - documented)
        ]
    )


def _scenario_schema(
    vendors: dict[str, Vendor[Any]], specs: dict[str, Spec], variants: dict[str, Variant]
) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(BASE_SCHEMA_FILE.read_text(encoding="utf-8"))
    props = schema["properties"]
    props["vendors"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: _embedded(specs[name].scenario_state_schema or {"type": "object"}, name, schema["$defs"])
            for name in vendors
        },
    }
    props["variants"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"enum": list(v.choices)} for name, v in variants.items()},
    }
    limited = [n for n, v in vendors.items() if v.rate_limit or any(op.rate_limit for op in specs[n].operations)]
    props["rate_limits"]["propertyNames"] = {"enum": limited}
    # Per-operation overrides name only operations that have a limit of their own.
    override = props["rate_limits"]["additionalProperties"]
    props["rate_limits"]["properties"] = {
        name: {
            **override,
            "properties": {
                **override["properties"],
                "operations": {
                    **override["properties"]["operations"],
                    "propertyNames": {"enum": [op.operation_id for op in specs[name].operations if op.rate_limit]},
                },
            },
        }
        for name in limited
    }
    return schema


def _embedded(state_schema: dict[str, Any], vendor: str, defs: dict[str, Any]) -> dict[str, Any]:
    """A vendor's bundled state schema, with its `$defs` moved into the scenario schema under a prefix."""
    inner = dict(state_schema)  # `rewrite` copies the rest: nothing of the spec's own schema is changed
    inner.pop("$schema", None)
    own = inner.pop("$defs", {})
    prefix = f"{vendor}."

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: ("#/$defs/" + prefix + v[len("#/$defs/") :])
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                else rewrite(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    for name, sub in own.items():
        defs[prefix + name] = rewrite(sub)
    result: dict[str, Any] = rewrite(inner)
    return result
