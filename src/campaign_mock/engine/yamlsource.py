"""YAML loading that remembers where every value came from, so problems can be reported as `file:line`.

Loading is linear in the text: aliases may repeat parts of a document but not multiply it (a few nested aliases
would otherwise expand 500 characters into a billion values), and nesting is bounded.

A document is loaded one of two ways, to the same values and the same problems. The direct way builds the values
straight from the parser's events, without PyYAML's node tree (which holds two marks for every value, and is most
of what a big file costs in time and memory), and records the lines of the top levels only. It takes what JSON
can hold, written plainly; at anything else (tags, anchors and aliases, merge keys, a duplicate or non-string key,
nesting past the bound, a value JSON cannot hold) it stands aside for the careful way: PyYAML's own composing and
construction, with every check and every line, whose messages are the ones users see. The lines of a document
loaded the direct way are found the careful way, from its text, the first time a deeper line is asked for: when
a problem is reported.
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
    """Maps a path inside a loaded document (`("vendors", "leadterra", "campaigns", 0)`) to its line.

    A map may know only the shorter paths at first (every path up to `_known_depth` parts), and find the others
    when one is first asked for (`_rest`: see the module's docstring)."""

    def __init__(self, lines: dict[JsonPath, int] | None = None) -> None:
        self._lines = lines or {}
        self._known_depth = sys.maxsize
        self._rest: Callable[[], dict[JsonPath, int]] | None = None

    @classmethod
    def _partial(cls, lines: dict[JsonPath, int], known_depth: int, rest: Callable[[], dict[JsonPath, int]]) -> LineMap:
        """A map that holds every path of up to `known_depth` parts, and gets all of them from `rest` when needed."""
        partial = cls(lines)
        partial._known_depth = known_depth
        partial._rest = rest
        return partial

    def line_for(self, path: JsonPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        lines = self._lines if len(path) <= self._known_depth else self._all()
        while True:
            if path in lines:
                return lines[path]
            if not path:
                return None
            path = path[:-1]

    def shifted(self, prefix: JsonPath) -> LineMap:
        """The sub-map for the value at `prefix`, with paths made relative to it."""
        prefix = tuple(prefix)
        rest = self._rest  # before the lines: once `_all` has run, these are all of them
        known = _under(self._lines, prefix)
        if rest is None:
            return LineMap(known)
        return LineMap._partial(known, self._known_depth - len(prefix), _LinesUnder(self, prefix))

    def _all(self) -> dict[JsonPath, int]:
        rest = self._rest
        if rest is not None:
            # Another thread may be doing the same: both find the same lines.
            self._lines = rest()
            self._known_depth = sys.maxsize
            self._rest = None
        return self._lines


def _under(lines: dict[JsonPath, int], prefix: JsonPath) -> dict[JsonPath, int]:
    n = len(prefix)
    return {p[n:]: line for p, line in lines.items() if p[:n] == prefix}


class _LinesOfText:
    """Every line of a document loaded the direct way, found the careful way (the lines of the same values).
    An object rather than a closure, so a map can be pickled (a bundled spec's parse is kept: see `specs`)."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename

    def __call__(self) -> dict[JsonPath, int]:
        with _LOADING.on():
            return _load_carefully(self.text, self.filename)[1]._all()


class _LinesUnder:
    """The lines of the value at `prefix` in a map, made relative to it, once that map has them all."""

    def __init__(self, whole: LineMap, prefix: JsonPath) -> None:
        self.whole = whole
        self.prefix = prefix

    def __call__(self) -> dict[JsonPath, int]:
        return _under(self.whole._all(), self.prefix)


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
    loaded = _load_directly(text, filename)
    return loaded if loaded is not None else _load_carefully(text, filename)


def _load_carefully(text: str, filename: str) -> tuple[Any, LineMap]:
    """PyYAML's composing and construction, then every check, recording the line of every value."""
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
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, filename) from None
    finally:
        loader.dispose()
    lines: dict[JsonPath, int] = {}
    problems: list[Problem] = list(duplicates)
    _walk(node, data, (), lines, lambda line, message: problems.append(Problem(filename, line, message)))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.line or 0))
    return data, LineMap(lines)


def _syntax_error(exc: yaml.YAMLError, filename: str) -> ConfigError:
    """What the parser refused, where it did."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return ConfigError.single(filename, _line(mark), f"YAML syntax: {exc.problem or exc}")
    return ConfigError.single(filename, None, f"YAML syntax: {exc}")


# The lines a document loaded the direct way knows from the start: paths of up to this many parts. A scenario
# that loads without problems asks only for these (the line of an `extends` entry).
KNOWN_DEPTH = 2


class _Unusual(Exception):
    """Something the direct way leaves to the careful one."""


# Plain scalars are resolved (to an int, a bool, null, ...) by regular expressions picked by their first character:
# one whose first character has none is a string, and is spared the resolving.
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("int", "float", "bool", "null"))
# What would make the first-character shortcut wrong: resolvers for any first character, or for some paths.
_DIRECT = None not in _RESOLVED_FIRST and not _Loader.yaml_path_resolvers


def _load_directly(text: str, filename: str) -> tuple[Any, LineMap] | None:
    """The document's values built from the parser's events, or None when it needs the careful way. A syntax
    error met before then is raised here, as the careful way would raise it: the text up to it holds nothing the
    careful way refuses first (its checks of aliases, nesting and keys come after its parse, or on the way to
    the same error)."""
    if not _DIRECT:
        return None
    try:
        loader = _Loader(_Pieces(text))
    except yaml.YAMLError:
        return None
    try:
        data, lines = _build(loader)
    except _Unusual:
        return None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, filename) from None
    finally:
        loader.dispose()
    return data, LineMap._partial(lines, KNOWN_DEPTH, _LinesOfText(text, filename))


def _build(loader: Any) -> tuple[Any, dict[JsonPath, int]]:
    """The values of the loader's one document, and the lines of its paths of up to KNOWN_DEPTH parts (each
    mapping entry at its key, each list item and the document at their start); raises _Unusual at anything the
    careful way must judge."""
    get = loader.get_event
    scalar, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    resolved_first, max_nesting = _RESOLVED_FIRST, MAX_NESTING
    get()  # the stream's start
    event = get()
    if type(event) is yaml.StreamEndEvent:
        return None, {}
    if type(event) is not yaml.DocumentStartEvent:
        raise _Unusual
    lines: dict[JsonPath, int] = {}
    # Plain keys as written -> as loaded: each written key is resolved once, and a key repeated in every record of
    # a long list is one string in memory, not one per record.
    plain_keys: dict[str, str] = {}
    # The collections enclosing the one being read: (collection, whether a mapping, its pending key, path).
    stack: list[tuple[Any, bool, str | None, JsonPath | None]] = []
    current: Any = None  # the collection being read; None until the document's own value starts
    in_mapping = False
    key: str | None = None  # in a mapping: the key read, waiting for its value
    path: JsonPath | None = ()  # the current collection's path while its entries' lines are kept, else None
    while True:
        event = get()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or event.tag is not None:
                raise _Unusual
            value = event.value
            plain = event.implicit[0]
            if in_mapping and key is None:
                if plain:
                    key = plain_keys.get(value)
                    if key is None:
                        key = plain_keys[value] = _plain_key(loader, value)
                else:
                    key = value
                if key in current:
                    raise _Unusual  # a duplicate: the careful way says where
                if path is not None:
                    lines[(*path, key)] = event.start_mark.line + 1
                continue
            if plain and value[:1] in resolved_first:
                value = _plain_value(loader, value)
            if in_mapping:
                current[key] = value
                key = None
                continue
            if path is not None:
                lines[(*path, len(current)) if current is not None else ()] = event.start_mark.line + 1
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(stack) > max_nesting:
                raise _Unusual
            if in_mapping:
                if key is None:
                    raise _Unusual  # a collection as a key
                inner = (*path, key) if path is not None else None
            elif current is not None:
                inner = (*path, len(current)) if path is not None else None
                if inner is not None:
                    lines[inner] = event.start_mark.line + 1
            else:
                inner = ()
                lines[inner] = event.start_mark.line + 1
            stack.append((current, in_mapping, key, path))
            in_mapping = kind is mapping_start
            current = {} if in_mapping else []
            key = None
            path = inner if inner is not None and len(inner) < KNOWN_DEPTH else None
            continue
        elif kind is mapping_end or kind is sequence_end:
            value = current
            current, in_mapping, key, path = stack.pop()
        else:
            raise _Unusual  # an alias, or a second document
        if in_mapping:
            current[key] = value
            key = None
        elif current is not None:
            current.append(value)
        else:
            break
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise _Unusual
    return value, lines


def _plain_key(loader: Any, text: str) -> str:
    key = _plain_value(loader, text) if text[:1] in _RESOLVED_FIRST else text
    if type(key) is not str:
        raise _Unusual  # the careful way says it is not a string
    return key


def _plain_value(loader: Any, text: str) -> Any:
    """A plain scalar resolved and built the way PyYAML composes and constructs it."""
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text
    if tag not in _PLAIN_TAGS:
        raise _Unusual  # a merge key, `=`, ...
    try:
        value = loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, text))
    except Exception:
        raise _Unusual from None
    if type(value) is float and not math.isfinite(value):
        raise _Unusual
    return value


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
