"""YAML loading that remembers where every value came from, so problems can be reported as `file:line`.

Loading is linear in the text: aliases may repeat parts of a document but not multiply it (a few nested aliases
would otherwise expand 500 characters into a billion values), and nesting is bounded.
"""

from __future__ import annotations

import gc
import math
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import yaml

from .errors import ConfigError, Problem

JsonPath = tuple[str | int, ...]

# Collections inside collections. No spec, scenario or request body comes near it; a deeper document only costs
# (every reader of it recurses), and Python's own recursion limit (1000) is never reached below it.
MAX_NESTING = 128
# Values a document may hold beyond its length in characters once aliases are expanded: room for `<<: *defaults`
# merge keys and repeated lists, never a multiplication.
ALIAS_ALLOWANCE = 10_000

# libyaml's parser is several times faster and reports the same marks; the pure-Python one is the fallback.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type, misc]
    """YAML that means JSON: an unquoted `2025-01-15T10:00:00Z` stays a string (as the specs expect), instead
    of becoming a datetime no JSON Schema validator can judge."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class _Pieces:
    """Text handed to the parser a piece at a time, by Python code: between pieces another thread (the event loop)
    may take the GIL, which libyaml otherwise holds while it scans a scalar megabytes long in one call."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._at = 0

    def read(self, size: int = -1) -> str:
        end = len(self._text) if size < 0 else self._at + size
        piece = self._text[self._at : end]
        self._at += len(piece)
        return piece


# How often threads take turns with the GIL while a document loads (Python's default is 5 ms). The loader holds
# the GIL in slices of this length, and the event loop needs it a few times per request it answers: at 5 ms a
# request waits up to 100 ms behind a big load, at 1 ms about 30 ms, and the load itself takes no longer.
LOADING_SWITCH_INTERVAL = 0.001


class _LoadingMode:
    """While any document loads (in any thread): the cyclic garbage collector off, and threads switching every
    LOADING_SWITCH_INTERVAL; both as they were after the last load ends.

    Composing allocates several objects a value, which sets off full collections that each scan the whole heap in
    one go, holding the GIL (hundreds of milliseconds on a big file, while the event loop waits) and making loading
    several times slower; a loaded document has no cycles to collect. The short switch interval keeps the event loop
    answering while a load runs in a worker thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loading = 0
        self._was_enabled = False
        self._switch_interval = sys.getswitchinterval()

    @contextmanager
    def on(self) -> Iterator[None]:
        with self._lock:
            if self._loading == 0:
                self._was_enabled = gc.isenabled()
                self._switch_interval = sys.getswitchinterval()
                gc.disable()
                sys.setswitchinterval(min(self._switch_interval, LOADING_SWITCH_INTERVAL))
            self._loading += 1
        try:
            yield
        finally:
            with self._lock:
                self._loading -= 1
                if self._loading == 0:
                    sys.setswitchinterval(self._switch_interval)
                    if self._was_enabled:
                        gc.enable()


_LOADING = _LoadingMode()


def loading_mode() -> AbstractContextManager[None]:
    """The loading mode (see `_LoadingMode`) for a block, for work off the event loop that builds much from loaded
    documents."""
    return _LOADING.on()


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
    """Parse one YAML document; raise ConfigError with the file and line on a syntax error, an alias that expands
    the document past its budget (or into itself), or nesting deeper than MAX_NESTING.

    Safe to run off the event loop while it serves: the text reaches the parser in pieces, and the cyclic garbage
    collector waits, so neither holds the GIL for long (see `_Pieces` and `_LoadingMode`)."""
    with _LOADING.on():
        return _load(text, filename)


def _load(text: str, filename: str) -> tuple[Any, LineMap]:
    try:
        loader = _Loader(_Pieces(text))
    except yaml.YAMLError as exc:  # the reader may refuse control characters before parsing starts
        raise ConfigError.single(filename, None, f"YAML syntax: {exc}") from None
    try:
        # An alias is written `*name`: a text without the character has none, and is spared a second parse.
        alias_problem = _alias_problem(text, filename) if "*" in text else None
        if alias_problem is not None:
            raise ConfigError([alias_problem])
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        # Before construction: building a mapping folds `<<:` merge keys into it, which would look like duplicates;
        # and building recurses, so nesting is checked first.
        duplicates, too_deep = _duplicate_keys_and_depth(node, filename)
        if too_deep is not None:
            raise ConfigError([too_deep])
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


def _alias_problem(text: str, filename: str) -> Problem | None:
    """The first alias that refers to the collection it is in, or that expands the document past
    `len(text) + ALIAS_ALLOWANCE` values. Read off the parser's events, whose number is linear in the text: the
    composed document holds an aliased node once, but every walk of it (and of the data built from it) visits
    the node once per alias, so nested aliases multiply."""
    budget = len(text) + ALIAS_ALLOWANCE
    sizes: dict[str, int] = {}  # anchor -> values in its node, aliases expanded (OPEN while it is being read)
    started: list[tuple[str | None, int]] = []  # collections being read: their anchor, the count before them
    count = 0
    for event in yaml.parse(_Pieces(text), Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)  # an undefined alias is the composer's to report
            if size == _OPEN:
                message = f"alias *{event.anchor} refers to the collection it is in (JSON has no cycles)"
                return Problem(filename, _line(event.start_mark), message)
            count += size
        elif isinstance(event, yaml.CollectionStartEvent):
            started.append((event.anchor, count))
            if event.anchor is not None:
                sizes[event.anchor] = _OPEN
            count += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = started.pop()
            if anchor is not None:
                sizes[anchor] = count - before
            continue
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                sizes[event.anchor] = 1
            count += 1
        if count > budget:
            where = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else "this value"
            message = (
                f"{where} expands the document past {budget} values, the most a text of {len(text)} characters"
                " may hold: aliases may repeat parts of it, not multiply them"
            )
            return Problem(filename, _line(event.start_mark), message)
    return None


_OPEN = -1


def _line(mark: Any) -> int | None:
    """The 1-based line of a mark (the pure-Python parser's or libyaml's)."""
    return mark.line + 1 if mark is not None else None


def _duplicate_keys_and_depth(root: yaml.Node, filename: str) -> tuple[list[Problem], Problem | None]:
    """Keys written twice in one mapping (the last would silently win), located at the second one; and the first
    collection nested deeper than MAX_NESTING, if any."""
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, JsonPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_NESTING and isinstance(node, yaml.CollectionNode):
            message = f"{format_path(path[:3])}: nests collections more than {MAX_NESTING} levels deep"
            return problems, Problem(filename, node.start_mark.line + 1, message)
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
    return problems, None


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
