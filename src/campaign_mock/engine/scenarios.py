"""Scenarios: loading a file or text, following `extends`, and merging.

A scenario is data: initial vendor state, variant choices, rate-limit overrides, faults, a clock setting, a seed
and self-checks (`expect:`). Every file is checked in full (`scenario_checks`) before anything from it is used.
The built-in `default` scenario is composed: its own file, on top of every vendor's part (`<vendor>/default.yaml`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import scenario_checks as checks
from .errors import ConfigError, Problem
from .validation import Issue
from .yamlsource import LineMap, load_yaml

if TYPE_CHECKING:
    from .catalog import Catalog

_IDENTITY_KEYS = ("id", "key")


@dataclass
class Scenario:
    """A loaded (and, with `extends`, merged) scenario."""

    name: str
    description: str = ""
    file: str = "<built in>"
    clock: dict[str, Any] | None = None
    seed: int | None = None
    ids: dict[str, int] = field(default_factory=dict)  # id counters to continue from (a snapshot's)
    variants: dict[str, str] = field(default_factory=dict)
    rate_limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)
    vendors: dict[str, dict[str, Any]] = field(default_factory=dict)
    expect: list[dict[str, Any]] = field(default_factory=list)
    # Where each record was written (file, line), so a problem found only once files are merged names the file
    # that wrote the record, however many `extends` away.
    provenance: checks.Provenance = field(default_factory=checks.Provenance, repr=False, compare=False)

    def document(self) -> dict[str, Any]:
        """The scenario-file form of this (merged) scenario, with no `extends` left to resolve."""
        doc: dict[str, Any] = {"name": self.name, "description": self.description}
        for key in ("clock", "seed", "ids", "variants", "rate_limits", "faults", "vendors", "expect"):
            value = getattr(self, key)
            if value or (key == "seed" and value is not None):
                doc[key] = value
        return doc


def load_scenario(ref: str, catalog: Catalog, *, shipped_only: bool = False, read: set[Path] | None = None) -> Scenario:
    """Load a shipped name or a path, following `extends`. `read`, when given, collects every file the scenario
    is made of (itself and whatever it extends), also when loading fails: what `serve --watch` watches."""
    library = catalog.library
    path = library.locate_shipped(ref) if shipped_only else library.locate(ref)
    return _load_file(path, catalog, (), read)


def load_scenario_text(text: str, catalog: Catalog, display: str = "<posted yaml>") -> Scenario:
    """Load a scenario given as YAML text (admin API); `extends` names shipped scenarios only."""
    data, lines = load_yaml(text, display)
    return _from_data(data, lines, display, None, catalog, ())


def scenario_from_data(data: Any, catalog: Catalog, display: str) -> Scenario:
    """A scenario given as already-parsed data (admin API: faults, posted JSON); no line numbers."""
    return _from_data(data, LineMap(), display, None, catalog, ())


def merge_all(scenarios: list[Scenario]) -> Scenario:
    """Several scenarios applied in order: later ones override earlier ones."""
    result = scenarios[0]
    for top in scenarios[1:]:
        result = _merge(result, top)
    return result


def _load_file(path: Path, catalog: Catalog, stack: tuple[Path, ...], read: set[Path] | None = None) -> Scenario:
    if read is not None:
        read.add(path)
    display = catalog.library.display(path)
    if path in stack:
        chain = " -> ".join(map(catalog.library.display, stack))
        raise ConfigError.single(display, None, f"extends forms a cycle: {chain}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError.single(display, None, f"cannot read: {exc.strerror}") from None
    data, lines = load_yaml(text, display)
    return _from_data(data, lines, display, path, catalog, (*stack, path), read)


def _from_data(
    data: Any,
    lines: LineMap,
    display: str,
    path: Path | None,
    catalog: Catalog,
    stack: tuple[Path, ...],
    read: set[Path] | None = None,
) -> Scenario:
    if data is None:
        data = {}
    issues = catalog.scenario_validator.issues(data)
    problems = checks.schema_problems(issues, lines, display)
    if problems and not isinstance(data, dict):
        raise ConfigError(problems)
    # What the schema refused is left out of the checks that follow (they need well-formed values); the rest is
    # still checked, extends included, so that one run reports every problem of the file.
    refused = _Refused(issues)
    shipped_name = catalog.library.name_of(path) if path else None
    vendors = refused.mapping(data, "vendors")
    own = Scenario(
        name=data.get("name") or shipped_name or (path.stem if path else "posted"),
        description=data.get("description", ""),
        file=display,
        clock=refused.value(data, "clock"),
        seed=refused.value(data, "seed"),
        ids=refused.mapping(data, "ids"),
        variants=refused.mapping(data, "variants"),
        rate_limits=refused.mapping(data, "rate_limits"),
        faults=refused.sequence(data, "faults"),
        vendors={v: dict(s or {}) for v, s in vendors.items() if v in catalog.vendors and isinstance(s, dict | None)},
        expect=refused.sequence(data, "expect"),
    )
    problems += checks.clock_problems(own, lines, display)
    problems += checks.fault_problems(own, lines, display, catalog, skip=refused.items("faults"))
    problems += checks.expect_problems(own, lines, display, catalog, skip=refused.items("expect"))
    provenance = checks.Provenance()
    provenance.note(own, display, lines)
    bases: list[Scenario] = []
    kept_expect: list[dict[str, Any]] = []  # expectations of parents that stay (an ordinary parent's do not)
    if path is not None and catalog.library.is_default(path):
        # The built-in default is every vendor's part side by side, each part's expectations kept.
        parts = [_load_file(part, catalog, stack, read) for part in catalog.library.vendor_parts()]
        if parts:
            bases.append(merge_all(parts))
            kept_expect = [item for part in parts for item in part.expect]
    parents = refused.value(data, "extends")
    broken_parent = False
    for index, ref in enumerate([parents] if isinstance(parents, str) else list(parents or [])):
        where = ("extends", index) if isinstance(parents, list) else ("extends",)
        try:
            # Posted text (no file of its own) may extend shipped scenarios only, never a file on the server.
            if path is not None:
                found = catalog.library.locate(ref, path, display, lines.line_for(where))
            else:
                found = catalog.library.locate_shipped(ref, display)
            bases.append(_load_file(found, catalog, stack, read))
        except ConfigError as exc:
            problems += exc.problems
            broken_parent = True
    if broken_parent:
        raise ConfigError(problems)  # references may point into the parent that failed: checked once it loads
    merged = own
    if bases:
        base = merge_all(bases)
        provenance.absorb(base.provenance)
        provenance.note(base, base.file, None)
        merged = _merge(base, own)
        merged.expect = [*kept_expect, *merged.expect]
    merged.provenance = provenance
    problems += _reference_problems(merged, provenance, display, lines, catalog, refused.keys("vendors"))
    if problems:
        raise ConfigError(problems)
    return merged


def _reference_problems(
    merged: Scenario,
    provenance: checks.Provenance,
    display: str,
    lines: LineMap,
    catalog: Catalog,
    refused_vendors: Collection[str | int] = (),
) -> list[Problem]:
    problems = []
    for vendor, section in merged.vendors.items():
        check = catalog.vendors[vendor].check_references
        if check is None:
            continue
        try:
            found = check(section)
        except (KeyError, TypeError, AttributeError, ValueError):
            if vendor not in refused_vendors:
                raise
            continue  # a record the schema refused trips the check: its references are checked once it is fixed
        for rel_path, message in found:
            problems.append(provenance.locate(merged, vendor, rel_path, message, display, lines))
    return problems


class _Refused:
    """The paths of a file the schema refused, and the parts of the file that are well-formed despite them."""

    def __init__(self, issues: list[Issue]) -> None:
        self.paths = [issue.path for issue in issues]

    def under(self, *prefix: str | int) -> bool:
        n = len(prefix)
        return any(path[:n] == prefix for path in self.paths)

    def value(self, data: dict[str, Any], key: str) -> Any:
        """`data[key]`, or None when the schema refused it."""
        return None if self.under(key) else data.get(key)

    @staticmethod
    def mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
        """A copy of the mapping at `key` (empty when it is not one); refused entries are still merged."""
        value = data.get(key)
        return dict(value) if isinstance(value, dict) else {}

    @staticmethod
    def sequence(data: dict[str, Any], key: str) -> list[Any]:
        """A copy of the list at `key` (empty when it is not one); see `items` for the refused ones."""
        value = data.get(key)
        return list(value) if isinstance(value, list) else []

    def items(self, key: str) -> set[int]:
        """Indexes of the list at `key` with a refused item (each is left out of the checks that need it)."""
        return {path[1] for path in self.paths if len(path) > 1 and path[0] == key and isinstance(path[1], int)}

    def keys(self, key: str) -> set[str | int]:
        """Keys of the mapping at `key` with something refused inside."""
        return {path[1] for path in self.paths if len(path) > 1 and path[0] == key}


def _merge(base: Scenario, top: Scenario) -> Scenario:
    vendors = {name: dict(section) for name, section in base.vendors.items()}
    for name, section in top.vendors.items():
        target = vendors.setdefault(name, {})
        for key, value in section.items():
            old = target.get(key)
            target[key] = _merge_list(old, value) if isinstance(old, list) and isinstance(value, list) else value
    provenance = checks.Provenance()
    provenance.absorb(top.provenance)
    provenance.absorb(base.provenance)
    return Scenario(
        name=top.name,
        description=top.description or base.description,
        file=top.file,
        clock=top.clock if top.clock is not None else base.clock,
        seed=top.seed if top.seed is not None else base.seed,
        ids={**base.ids, **top.ids},
        variants={**base.variants, **top.variants},
        rate_limits={**base.rate_limits, **top.rate_limits},
        faults=[*base.faults, *top.faults],
        vendors=vendors,
        expect=top.expect,
        provenance=provenance,
    )


def _identity(item: Any) -> Any:
    if isinstance(item, dict):
        for key in _IDENTITY_KEYS:
            if key in item:
                return (key, json.dumps(item[key], sort_keys=True))
        return None
    return ("value", json.dumps(item, sort_keys=True))


def _merge_list(old: list[Any], new: list[Any]) -> list[Any]:
    """Records with the same id (or key, or the same plain value) are replaced in place; others appended."""
    out = list(old)
    index = {ident: i for i, item in enumerate(out) if (ident := _identity(item)) is not None}
    for item in new:
        ident = _identity(item)
        if ident is not None and ident in index:
            out[index[ident]] = item
        else:
            if ident is not None:
                index[ident] = len(out)
            out.append(item)
    return out
