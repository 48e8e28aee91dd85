"""Everything loaded once per process: the vendors, their compiled specs and routers, the admin spec, and
the scenario schema completed with each vendor's state schema and variants.

Specs never change while the mock runs, so one `Catalog` per validator backend is built and shared by every
app (tests create many apps; they all share the compiled validators).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import ConfigError
from .routing import Router
from .scenarios import BASE_SCHEMA_FILE
from .service import Vendor
from .specs import Spec, load_spec
from .validation import Backend, SchemaValidator
from .variants import Variant

ADMIN = "__admin"


@dataclass(frozen=True)
class Catalog:
    vendors: dict[str, Vendor]
    specs: dict[str, Spec]
    routers: dict[str, Router]
    variants: dict[str, Variant]
    scenario_schema: dict[str, Any]
    scenario_validator: SchemaValidator
    backend: Backend


def load_catalog(backend: Backend = "fast") -> Catalog:
    """Load every spec (once per backend); raise ConfigError listing every problem in every file."""
    return _load_catalog(backend)


@cache
def _load_catalog(backend: Backend) -> Catalog:
    from ..vendors import VENDORS

    specs: dict[str, Spec] = {}
    errors: list[ConfigError] = []
    for name in [*VENDORS, "admin"]:
        try:
            specs[name] = load_spec(name, backend=backend)
        except ConfigError as exc:
            errors.append(exc)
    if errors:
        raise ConfigError.merge(errors)
    specs[ADMIN] = specs.pop("admin")
    variants = {v.name: v for vendor in VENDORS.values() for v in vendor.variants}
    schema = _scenario_schema(VENDORS, specs, variants)
    return Catalog(
        vendors=dict(VENDORS),
        specs=specs,
        routers={name: Router(spec.operations) for name, spec in specs.items()},
        variants=variants,
        scenario_schema=schema,
        scenario_validator=SchemaValidator(schema, backend),
        backend=backend,
    )


def _scenario_schema(
    vendors: dict[str, Vendor], specs: dict[str, Spec], variants: dict[str, Variant]
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
    props["rate_limits"]["propertyNames"] = {"enum": [n for n, v in vendors.items() if v.rate_limit]}
    return schema


def _embedded(state_schema: dict[str, Any], vendor: str, defs: dict[str, Any]) -> dict[str, Any]:
    """A vendor's bundled state schema, with its `$defs` moved into the scenario schema under a prefix."""
    inner = copy.deepcopy(state_schema)
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
