"""Scenario files: loading, checking, `extends`, and merging.

A scenario is data: initial vendor state, variant choices, rate-limit overrides, faults, a clock setting and
self-checks (`expect:`). Every file is checked in full before anything from it is used, and every problem is
reported as `file:line: message` — unknown keys, wrong types, records that break the vendor's schema, dangling
references between records, faults aimed at paths no vendor documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .clock import parse_instant
from .errors import ConfigError, Problem
from .validation import SchemaValidator
from .yamlsource import JsonPath, LineMap, format_path, load_yaml

if TYPE_CHECKING:
    from .catalog import Catalog

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
BASE_SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")
_IDENTITY_KEYS = ("id", "key")
_FRAMING_HEADERS = {"content-length", "transfer-encoding", "connection"}


@dataclass
class Scenario:
    """A loaded (and, with `extends`, merged) scenario."""

    name: str
    description: str = ""
    file: str = "<built in>"
    clock: dict[str, Any] | None = None
    variants: dict[str, str] = field(default_factory=dict)
    rate_limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)
    vendors: dict[str, dict[str, Any]] = field(default_factory=dict)
    expect: list[dict[str, Any]] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The scenario-file form of this (merged) scenario, with no `extends` left to resolve."""
        doc: dict[str, Any] = {"name": self.name, "description": self.description}
        for key in ("clock", "variants", "rate_limits", "faults", "vendors", "expect"):
            value = getattr(self, key)
            if value:
                doc[key] = value
        return doc


def is_shipped_name(ref: str) -> bool:
    try:
        locate_shipped(ref)
    except ConfigError:
        return False
    return True


def admin_payload(ref: str, catalog: Catalog, loaded: Scenario | None = None) -> dict[str, Any]:
    """The body of `POST /__admin/scenarios` that loads `ref` on any server: a shipped name as itself; anything
    else merged here (its `extends` resolved next to its file), since a server loads files by shipped name only.
    `loaded` spares reading the file again when the caller has it already."""
    if is_shipped_name(ref):
        return {"name": ref}
    scenario = loaded or load_scenario(ref, catalog)
    return {"yaml": yaml.safe_dump(scenario.document())}


def shipped_scenarios() -> list[tuple[str, str]]:
    """`(name, description)` of every scenario shipped in the package, sorted by name."""
    out = []
    for path in sorted(SCENARIO_DIR.rglob("*.yaml")):
        name = path.relative_to(SCENARIO_DIR).with_suffix("").as_posix()
        try:
            data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
        except ConfigError:
            data = None
        description = data.get("description", "") if isinstance(data, dict) else ""
        out.append((str(data.get("name", name)) if isinstance(data, dict) else name, description))
    return out


def locate(ref: str, relative_to: Path | None = None, file: str | None = None, line: int | None = None) -> Path:
    """A shipped scenario name (`leadterra/paused`) or a file path (relative to the file that names it), as a
    path. Raises ConfigError naming the file and line that asked for it."""
    base = relative_to.parent if relative_to is not None else Path.cwd()
    candidates = [base / ref] if ref.endswith((".yaml", ".yml")) else [SCENARIO_DIR / f"{ref}.yaml", base / ref]
    for candidate in candidates:
        if _is_file(candidate):
            return candidate.resolve()
    message = f"no scenario named {ref!r} (shipped names: campaign-mock scenarios)"
    raise ConfigError.single(file or ref, line, message)


def locate_shipped(name: str) -> Path:
    """A shipped scenario by name only: what the admin API may load by name (never an arbitrary file)."""
    candidate = SCENARIO_DIR / f"{name}.yaml"
    if _is_file(candidate) and _shipped(candidate.resolve()):
        return candidate.resolve()
    raise ConfigError.single(
        name[:100], None, f"no shipped scenario named {name[:100]!r} (send its text as `yaml` instead)"
    )


def _shipped_parent(ref: str, display: str) -> Path:
    try:
        return locate_shipped(ref)
    except ConfigError as exc:
        raise ConfigError.single(display, None, exc.problems[0].message) from None


def _is_file(path: Path) -> bool:
    """False for anything that is not a readable file name (too long, a NUL byte, ...), not an exception."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def load_scenario(ref: str, catalog: Catalog, *, shipped_only: bool = False) -> Scenario:
    """Load a shipped name or a path, following `extends`."""
    path = locate_shipped(ref) if shipped_only else locate(ref)
    return _load_file(path, catalog, ())


def load_scenario_text(text: str, catalog: Catalog, display: str = "<posted yaml>") -> Scenario:
    """Load a scenario given as YAML text (admin API); `extends` names shipped scenarios or absolute paths."""
    return _load(text, display, None, catalog, ())


def merge_all(scenarios: list[Scenario]) -> Scenario:
    """Several scenarios applied in order: later ones override earlier ones."""
    result = scenarios[0]
    for top in scenarios[1:]:
        result = _merge(result, top)
    return result


def _load_file(path: Path, catalog: Catalog, stack: tuple[Path, ...]) -> Scenario:
    display = _display(path)
    if path in stack:
        raise ConfigError.single(display, None, "extends forms a cycle: " + " -> ".join(map(_display, stack)))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError.single(display, None, f"cannot read: {exc.strerror}") from None
    return _load(text, display, path, catalog, (*stack, path))


def _display(path: Path) -> str:
    try:
        return "scenarios/" + path.relative_to(SCENARIO_DIR).as_posix()
    except ValueError:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)


def scenario_from_data(data: Any, catalog: Catalog, display: str) -> Scenario:
    """A scenario given as already-parsed data (admin API: faults, posted JSON); no line numbers."""
    return _from_data(data, LineMap(), display, None, catalog, ())


def _load(text: str, display: str, path: Path | None, catalog: Catalog, stack: tuple[Path, ...]) -> Scenario:
    data, lines = load_yaml(text, display)
    return _from_data(data, lines, display, path, catalog, stack)


def _from_data(
    data: Any, lines: LineMap, display: str, path: Path | None, catalog: Catalog, stack: tuple[Path, ...]
) -> Scenario:
    if data is None:
        data = {}
    problems = _schema_problems(data, lines, display, catalog.scenario_validator)
    if problems:
        raise ConfigError(problems)
    default_name = path.relative_to(SCENARIO_DIR).with_suffix("").as_posix() if path and _shipped(path) else ""
    own = Scenario(
        name=data.get("name") or default_name or (path.stem if path else "posted"),
        description=data.get("description", ""),
        file=display,
        clock=data.get("clock"),
        variants=dict(data.get("variants") or {}),
        rate_limits=dict(data.get("rate_limits") or {}),
        faults=list(data.get("faults") or []),
        vendors={v: dict(section or {}) for v, section in (data.get("vendors") or {}).items()},
        expect=list(data.get("expect") or []),
    )
    problems = _clock_problems(own, lines, display)
    problems += _fault_problems(own, lines, display, catalog)
    problems += _expect_problems(own, lines, display, catalog)
    parents = data.get("extends")
    parent_refs = [parents] if isinstance(parents, str) else list(parents or [])
    provenance = _Provenance()
    provenance.note(own, display, lines)
    merged = own
    if parent_refs:
        bases = []
        for index, ref in enumerate(parent_refs):
            where = ("extends", index) if isinstance(parents, list) else ("extends",)
            try:
                # Posted text (no file of its own) may extend shipped scenarios only, never a file on the server.
                found = locate(ref, path, display, lines.line_for(where)) if path else _shipped_parent(ref, display)
                bases.append(_load_file(found, catalog, stack))
            except ConfigError as exc:
                problems += exc.problems
        if not bases:
            raise ConfigError(problems)
        base = bases[0]
        for extra in bases[1:]:
            base = _merge(base, extra)
        provenance.note(base, base.file, None)
        merged = _merge(base, own)
    for vendor, section in merged.vendors.items():
        check = catalog.vendors[vendor].check_references
        for rel_path, message in check(section) if check else []:
            problems.append(provenance.locate(merged, vendor, rel_path, message, display, lines))
    if problems:
        raise ConfigError(problems)
    return merged


def _shipped(path: Path) -> bool:
    try:
        path.relative_to(SCENARIO_DIR)
        return True
    except ValueError:
        return False


def _schema_problems(data: Any, lines: LineMap, file: str, validator: SchemaValidator) -> list[Problem]:
    return [Problem(file, lines.line_for(i.path), f"{i.where}: {_plain(i.message)}") for i in validator.issues(data)]


def _plain(message: str) -> str:
    # jsonschema quotes whole instances in some messages; keep lines readable.
    return message if len(message) <= 300 else message[:297] + "..."


def _clock_problems(s: Scenario, lines: LineMap, file: str) -> list[Problem]:
    """`clock.now` must be an instant the mock's clock can hold (the schema's date-time format is wider)."""
    now = (s.clock or {}).get("now")
    if now is None:
        return []
    try:
        parse_instant(now)
    except ValueError as exc:
        return [Problem(file, lines.line_for(("clock", "now")), f"clock.now: {exc}")]
    return []


def _fault_problems(s: Scenario, lines: LineMap, file: str, catalog: Catalog) -> list[Problem]:
    problems = []
    for index, fault in enumerate(s.faults):
        where: JsonPath = ("faults", index)
        vendor = fault["vendor"]
        if vendor not in catalog.vendors:
            problems.append(Problem(file, lines.line_for((*where, "vendor")), f"unknown vendor {vendor!r}"))
            continue
        router = catalog.routers[vendor]
        path = fault.get("path")
        template = router.template_for(path) if path else None
        if path and template is None:
            problems.append(Problem(file, lines.line_for((*where, "path")), f"{vendor} documents no path {path!r}"))
            continue
        for header in fault.get("headers") or {}:
            if header.lower() in _FRAMING_HEADERS:
                message = f"{header} is set by the server for each answer; a fault cannot set it"
                problems.append(Problem(file, lines.line_for((*where, "headers", header)), message))
        status = fault.get("status")
        if status is not None and status < 400 and status not in (204, 304) and fault.get("body") is None:
            message = f"a fault answering {status} needs a body (the default body is the vendor's error body)"
            problems.append(Problem(file, lines.line_for((*where, "status")), message))
        if fault.get("body") is not None:
            problems += _fault_body_problems(fault, template, catalog, lines.shifted(where), file)
    return problems


def _fault_body_problems(
    fault: dict[str, Any], template: str | None, catalog: Catalog, lines: LineMap, file: str
) -> list[Problem]:
    """A given body must be one the spec allows: for every operation the fault is aimed at, or, with no path,
    for at least one operation of the vendor that documents the status. `lines` is the fault's own line map."""

    def line(*path: str | int) -> int | None:
        return lines.line_for(path)

    status = fault.get("status")
    if status is None:
        return [Problem(file, line("body"), "a fault with a body needs a status")]
    method = fault.get("method", "").upper()
    aimed = [
        op
        for op in catalog.specs[fault["vendor"]].operations
        if (template is None or op.path == template) and (not method or op.method == method)
    ]
    failures: list[Problem] = []
    fitting = 0
    for op in aimed:
        response = op.response_for(status)
        if response is None:
            if template is not None:
                failures.append(Problem(file, line("status"), f"{op.operation_id} documents no {status} response"))
            continue
        issues = response.validator.issues(fault["body"]) if response.validator is not None else []
        for issue in issues:
            message = f"body breaks {op.operation_id} {status} schema: {issue}"
            failures.append(Problem(file, line("body", *issue.path), message))
        fitting += not issues
    if template is not None:
        return failures
    if fitting:
        return []
    return failures[:1] or [Problem(file, line("status"), f"no {fault['vendor']} operation documents {status}")]


def _expect_problems(s: Scenario, lines: LineMap, file: str, catalog: Catalog) -> list[Problem]:
    problems = []
    for index, item in enumerate(s.expect):
        vendor = item["request"]["vendor"]
        if vendor not in catalog.vendors:
            line = lines.line_for(("expect", index, "request", "vendor"))
            problems.append(Problem(file, line, f"unknown vendor {vendor!r}"))
    return problems


def _merge(base: Scenario, top: Scenario) -> Scenario:
    vendors = {name: dict(section) for name, section in base.vendors.items()}
    for name, section in top.vendors.items():
        target = vendors.setdefault(name, {})
        for key, value in section.items():
            old = target.get(key)
            target[key] = _merge_list(old, value) if isinstance(old, list) and isinstance(value, list) else value
    return Scenario(
        name=top.name,
        description=top.description or base.description,
        file=top.file,
        clock=top.clock if top.clock is not None else base.clock,
        variants={**base.variants, **top.variants},
        rate_limits={**base.rate_limits, **top.rate_limits},
        faults=[*base.faults, *top.faults],
        vendors=vendors,
        expect=top.expect,
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


class _Provenance:
    """Which file (and where in it) each record of a merged scenario came from, by object identity."""

    def __init__(self) -> None:
        self._origin: dict[int, tuple[str, LineMap | None, JsonPath]] = {}

    def note(self, scenario: Scenario, file: str, lines: LineMap | None) -> None:
        for vendor, section in scenario.vendors.items():
            for key, value in section.items():
                if isinstance(value, list):
                    for i, item in enumerate(value):
                        self._origin.setdefault(id(item), (file, lines, ("vendors", vendor, key, i)))

    def locate(self, merged: Scenario, vendor: str, rel: JsonPath, message: str, file: str, lines: LineMap) -> Problem:
        text = f"vendors.{vendor}.{format_path(rel)}: {message}"
        if len(rel) >= 2 and isinstance(rel[0], str) and isinstance(rel[1], int):
            record = merged.vendors[vendor][rel[0]][rel[1]]
            origin = self._origin.get(id(record))
            if origin is not None:
                origin_file, origin_lines, origin_path = origin
                where = (*origin_path, *rel[2:])
                line = origin_lines.line_for(where) if origin_lines else None
                return Problem(origin_file, line, f"{format_path(where)}: {message}")
        return Problem(file, lines.line_for(("vendors", vendor, *rel)), text)
