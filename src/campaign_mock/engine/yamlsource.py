"""YAML loading that remembers where every value came from, so problems can be reported as `file:line`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import yaml

from .errors import ConfigError, Problem

JsonPath = tuple[str | int, ...]

# libyaml's parser is several times faster and reports the same marks; the pure-Python one is the fallback.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type, misc]
    """YAML that means JSON: an unquoted `2025-01-15T10:00:00Z` stays a string (as the specs expect), instead
    of becoming a datetime no JSON Schema validator can judge."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class LineMap:
    """Maps a path inside a loaded document (`("vendors", "leadterra", "campaigns", 0)`) to its line."""

    def __init__(self, lines: dict[JsonPath, int] | None = None) -> None:
        self._lines = lines or {}

    def line_for(self, path: JsonPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self._lines:
                return self._lines[path]
            if not path:
                return None
            path = path[:-1]

    def shifted(self, prefix: JsonPath) -> LineMap:
        """The sub-map for the value at `prefix`, with paths made relative to it."""
        n = len(prefix)
        return LineMap({p[n:]: line for p, line in self._lines.items() if p[:n] == prefix})


def format_path(path: JsonPath) -> str:
    """`("leads", 0, "email")` -> `leads[0].email`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def load_yaml(text: str, filename: str) -> tuple[Any, LineMap]:
    """Parse one YAML document; raise ConfigError with the file and line on a syntax error."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters before parsing starts
        raise ConfigError.single(filename, None, f"YAML syntax: {exc}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        # Before construction: building a mapping folds `<<:` merge keys into it, which would look like duplicates.
        duplicates = _duplicate_keys(node, filename)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError.single(filename, line, f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError.single(filename, None, f"YAML syntax: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[JsonPath, int] = {}
    problems: list[Problem] = list(duplicates)
    _walk(node, data, (), lines, lambda line, message: problems.append(Problem(filename, line, message)))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    return data, LineMap(lines)


def _duplicate_keys(root: yaml.Node, filename: str) -> list[Problem]:
    """Keys written twice in one mapping (the last would silently win), located at the second one."""
    problems = []
    stack: list[tuple[yaml.Node, JsonPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.value in seen:
                    where = format_path((*path, key_node.value))
                    problems.append(Problem(filename, key_node.start_mark.line + 1, f"{where}: duplicate key"))
                seen.add(key_node.value)
                stack.append((value_node, (*path, key_node.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))
    return problems


def _walk(
    node: yaml.Node, value: Any, path: JsonPath, lines: dict[JsonPath, int], problem: Callable[[int, str], None]
) -> None:
    """Record every value's line, and refuse what JSON cannot hold: duplicate or non-string keys, sets, binary,
    infinities and NaN."""
    line = node.start_mark.line + 1
    lines[path] = line
    where = format_path(path)
    if isinstance(value, dict) and isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = key_node.value
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"):
                problem(key_line, f"{where}: keys must be strings, not {key!r}")
                continue
            if key in seen:
                continue  # a key a merge (`<<:`) brought in and the mapping overrides: the override won
            seen.add(key)
            _walk(value_node, value[key], (*path, key), lines, problem)
            lines[(*path, key)] = key_line
    elif isinstance(value, list) and isinstance(node, yaml.SequenceNode):
        for index, (item_node, item) in enumerate(zip(node.value, value, strict=False)):
            _walk(item_node, item, (*path, index), lines, problem)
    elif isinstance(value, float) and not math.isfinite(value):
        problem(line, f"{where}: {node.value!r} is not a JSON number")
    elif not isinstance(value, str | int | float | bool | type(None)):
        problem(line, f"{where}: {node.tag.rsplit(':', 1)[-1]} values are not JSON (quote it, or use a list or map)")
