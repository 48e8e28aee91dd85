"""YAML loading that remembers where every value came from, so problems can be reported as `file:line`."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError

JsonPath = tuple[str | int, ...]

# libyaml's parser is several times faster and reports the same marks; the pure-Python one is the fallback.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    _record_lines(node, data, (), lines)
    return data, LineMap(lines)


def _record_lines(node: yaml.Node, value: Any, path: JsonPath, lines: dict[JsonPath, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        for key_node, value_node in node.value:
            key = key_node.value
            if key in value:
                _record_lines(value_node, value[key], (*path, key), lines)
                lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        for index, (item_node, item) in enumerate(zip(node.value, value, strict=False)):
            _record_lines(item_node, item, (*path, index), lines)
