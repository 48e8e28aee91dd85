"""Checks on a scenario before anything from it is used, each problem located as `file:line: message`.

The scenario schema (completed with each vendor's state schema and variants), clock settings the mock's clock can
hold, faults aimed at documented operations with bodies the spec allows, expectations naming served vendors, and
references between records (checked on the merged scenario, and reported in the file that defined the record).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from .clock import parse_instant
from .errors import Problem
from .faults import fault_form_problems, fault_steps
from .validation import Issue
from .yamlsource import JsonPath, LineMap, format_path

if TYPE_CHECKING:
    from .catalog import Catalog
    from .scenarios import Scenario

_FRAMING_HEADERS = {"content-length", "transfer-encoding", "connection"}


def schema_problems(issues: list[Issue], lines: LineMap, file: str) -> list[Problem]:
    return [Problem(file, lines.line_for(i.path), f"{i.where}: {_plain(i.message)}") for i in issues]


def _plain(message: str) -> str:
    # jsonschema quotes whole instances in some messages; keep lines readable.
    return message if len(message) <= 300 else message[:297] + "..."


def clock_problems(s: Scenario, lines: LineMap, file: str) -> list[Problem]:
    """`clock.now` must be an instant the mock's clock can hold (the schema's date-time format is wider)."""
    now = (s.clock or {}).get("now")
    if now is None:
        return []
    try:
        parse_instant(now)
    except ValueError as exc:
        return [Problem(file, lines.line_for(("clock", "now")), f"clock.now: {exc}")]
    return []


def fault_problems(
    s: Scenario, lines: LineMap, file: str, catalog: Catalog, skip: Collection[int] = ()
) -> list[Problem]:
    """Problems of each fault but those at `skip` (refused by the schema already, and not well-formed)."""
    problems = []
    for index, fault in enumerate(s.faults):
        if index in skip:
            continue
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
        for at, message in fault_form_problems(fault):
            problems.append(Problem(file, lines.line_for((*where, *at)), f"{format_path((*where, *at))}: {message}"))
        for at, step in fault_steps(fault):
            here: JsonPath = (*where, *at)
            for header in step.get("headers") or {}:
                if header.lower() in _FRAMING_HEADERS:
                    message = f"{header} is set by the server for each answer; a fault cannot set it"
                    problems.append(Problem(file, lines.line_for((*here, "headers", header)), message))
            status = step.get("status")
            if status is not None and status < 400 and status not in (204, 304) and step.get("body") is None:
                message = f"a fault answering {status} needs a body (the default body is the vendor's error body)"
                problems.append(Problem(file, lines.line_for((*here, "status")), message))
            if step.get("body") is not None:
                aimed = {**step, "vendor": vendor, "method": fault.get("method", "")}
                problems += _fault_body_problems(aimed, template, catalog, lines.shifted(here), file)
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


def expect_problems(
    s: Scenario, lines: LineMap, file: str, catalog: Catalog, skip: Collection[int] = ()
) -> list[Problem]:
    problems = []
    for index, item in enumerate(s.expect):
        if index in skip:
            continue
        vendor = item["request"]["vendor"]
        if vendor not in catalog.vendors:
            line = lines.line_for(("expect", index, "request", "vendor"))
            problems.append(Problem(file, line, f"unknown vendor {vendor!r}"))
    return problems


class Provenance:
    """Which file (and where in it) each record of a merged scenario came from, by object identity. Each entry
    holds its record, so no id it is keyed by can be reused by another object while it is kept."""

    def __init__(self) -> None:
        self._origin: dict[int, tuple[object, str, LineMap | None, JsonPath]] = {}

    def note(self, scenario: Scenario, file: str, lines: LineMap | None) -> None:
        for vendor, section in scenario.vendors.items():
            for key, value in section.items():
                if isinstance(value, list):
                    for i, item in enumerate(value):
                        self._origin.setdefault(id(item), (item, file, lines, ("vendors", vendor, key, i)))

    def absorb(self, other: Provenance) -> None:
        """Take the origins `other` knows (a parent's: its own file, lines and places) for records not placed yet."""
        for key, origin in other._origin.items():
            self._origin.setdefault(key, origin)

    def locate(self, merged: Scenario, vendor: str, rel: JsonPath, message: str, file: str, lines: LineMap) -> Problem:
        text = f"vendors.{vendor}.{format_path(rel)}: {message}"
        if len(rel) >= 2 and isinstance(rel[0], str) and isinstance(rel[1], int):
            record = merged.vendors[vendor][rel[0]][rel[1]]
            origin = self._origin.get(id(record))
            if origin is not None:
                _, origin_file, origin_lines, origin_path = origin
                where = (*origin_path, *rel[2:])
                line = origin_lines.line_for(where) if origin_lines else None
                return Problem(origin_file, line, f"{format_path(where)}: {message}")
        return Problem(file, lines.line_for(("vendors", vendor, *rel)), text)
