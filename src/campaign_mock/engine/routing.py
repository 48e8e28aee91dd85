"""Matching a request path to a documented operation.

Routes come straight from the spec's `paths`. Static paths are one dictionary lookup; templated paths are
tried after them, most specific first (more literal segments win), the way stripe-mock orders them. The cost of
a match therefore does not grow with the number of static routes, unlike a scanned route list; and a concrete
path seen before (up to a bound) is one dictionary lookup too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .specs import Operation

_SEEN_PATHS = 4096  # concrete templated paths remembered by a router


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a setattr call per field, and one is made per request
class Match:
    operation: Operation
    path_params: dict[str, str]


@dataclass(slots=True)
class NoMatch:
    """No operation: `allowed` lists the methods the path does have (empty: unknown path)."""

    allowed: tuple[str, ...]


class Router:
    def __init__(self, operations: list[Operation]) -> None:
        self._static: dict[str, dict[str, Operation]] = {}
        templated: dict[str, dict[str, Operation]] = {}
        for op in operations:
            table = templated if "{" in op.path else self._static
            table.setdefault(op.path, {})[op.method] = op
        ordered = sorted(templated.items(), key=lambda kv: _specificity(kv[0]), reverse=True)
        self._templated = [(_compile(path), methods) for path, methods in ordered]
        # Templated routes bucketed by segment count: a path only tries the templates it could match.
        self._by_length: dict[int, list[tuple[re.Pattern[str], dict[str, Operation]]]] = {}
        for (pattern, methods), (path, _) in zip(self._templated, ordered, strict=True):
            self._by_length.setdefault(path.count("/"), []).append((pattern, methods))
        self._seen: dict[str, tuple[dict[str, Operation] | None, dict[str, str]]] = {}

    def match(self, method: str, path: str) -> Match | NoMatch:
        methods = self._static.get(path)
        params: dict[str, str] = {}
        if methods is None:
            seen = self._seen.get(path)
            if seen is None:
                seen = self._seen_templated(path)
            methods, params = seen[0], dict(seen[1])  # a copy: the caller may change its parameters
        if methods is None:
            return NoMatch(())
        op = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)  # HEAD is GET sans body
        if op is None:
            return NoMatch(tuple(sorted(methods)))
        return Match(op, params)

    def _seen_templated(self, path: str) -> tuple[dict[str, Operation] | None, dict[str, str]]:
        """The templated route a concrete path falls under, and its parameters, remembered: clients call the same
        few paths over and over, and a lookup costs less than trying the templates one regex at a time."""
        found: tuple[dict[str, Operation] | None, dict[str, str]] = (None, {})
        for pattern, candidates in self._by_length.get(path.count("/"), ()):
            matched = pattern.fullmatch(path)
            if matched:
                params = matched.groupdict()
                if "%2F" in path:  # an encoded slash inside an id is a slash in the parameter
                    params = {k: v.replace("%2F", "/") for k, v in params.items()}
                found = (candidates, params)
                break
        if len(self._seen) >= _SEEN_PATHS:  # bounded: a client walking through ids must not grow it for ever
            self._seen.clear()
        self._seen[path] = found
        return found

    def template_for(self, path: str) -> str | None:
        """The documented template a concrete path falls under, if any (used by fault matching)."""
        if path in self._static:
            return path
        for pattern, candidates in self._templated:
            if pattern.fullmatch(path):
                return next(iter(candidates.values())).path
        return None


def _specificity(path: str) -> tuple[int, int]:
    segments = path.strip("/").split("/")
    return (sum(1 for s in segments if "{" not in s), len(segments))


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for part in re.split(r"({[^}]+})", template):
        if part.startswith("{") and part.endswith("}"):
            pattern += f"(?P<{part[1:-1]}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(pattern)
