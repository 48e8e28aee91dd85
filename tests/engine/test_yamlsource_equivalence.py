"""A YAML document loads the direct way (values built from the parser's events) to exactly what the careful way
(PyYAML's node tree, then every check) gives: the same values, the same problems, the same line for every path.
Every YAML file of the project is loaded both ways, and so is a collection of texts written to reach each corner:
every kind of scalar, tags, anchors, merge keys, duplicate and non-string keys, nesting, syntax errors.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from campaign_mock.engine import yamlsource
from campaign_mock.engine.errors import ConfigError
from campaign_mock.engine.yamlsource import KNOWN_DEPTH, MAX_NESTING, JsonPath, LineMap, load_yaml

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("src/campaign_mock/scenarios", "examples", "src/campaign_mock/openapi", "tests")
PROJECT_FILES = sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.y*ml"))

NESTED_BLOCKS = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_NESTING + 2)) + "  " * 130 + "end: 1\n"

TEXTS = {
    "ints": "a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: 0b101\nh: 1:30\ni: +12\nj: 123456789012345678901\n",
    "floats": "a: 1.5\nb: -.5\nc: 6.02e+23\nd: 1_0.5\ne: 1:30.5\nf: 1.\ng: .5\nh: 1e3\ni: -0.0\n",
    "bools": "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\ng: y\nh: n\ni: TRUE\nj: Off\n",
    "nulls": "a: ~\nb: null\nc: Null\nd:\ne: NULL\nf: nil\n",
    "timestamps stay strings": "a: 2025-01-15T10:00:00Z\nb: 2025-01-15\nc: 2025-01-15 10:00:00.5 +01:00\n",
    "quoted": "a: '123'\nb: \"true\"\nc: 'null'\nd: \"2025-01-15\"\n\"1\": x\n'true': y\ne: ''\nf: \"\\t\\u00e9\"\n",
    "block scalars": "a: |\n  line one\n  line two\nb: >\n  folded\n  text\nc: |-\n  x\nd: >+\n  kept\n\ne: 1\n",
    "multi-line plain": "a: one\n  two\n  three\nb: [x,\n  y]\nc: {d: e,\n  f: g}\n",
    "first characters": "a: -foo\nb: .foo\nc: +x\nd: 0foo\ne: tru\nf: nope\ng: offer\nh: <x\ni: '!'\nj: ~x\nk: Yes!\n",
    "keys that look like values": "'1': a\n\"true\": b\n'~': c\nyesterday: d\nnull_value: e\n'<<': f\n0x: g\n",
    "unicode": 'naïve: ünïcödé ✓\n"é": "\\U0001F600"\nlong: ' + "é" * 40_000 + "\n",
    "long scalar": "a: " + "x" * 100_000 + "\nb: [" + ", ".join(str(n) for n in range(3_000)) + "]\n",
    "empty text": "",
    "only a comment": "# nothing here\n",
    "empty document": "---\n",
    "ended document": "--- \n...\n",
    "null document": "~\n",
    "string document": "just a string\n",
    "number document": "42\n",
    "list document": "- a\n- - b\n  - c\n-\n  - d: 1\n    e: [f, {g: h}]\n",
    "empty collections": "a: []\nb: {}\nc: [[], {}]\n",
    "empty flow document": "{}\n",
    "directives": "%YAML 1.1\n---\na: 1\n...\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n",
    "flow": "a: {b: [1, {c: d}], e: [], 'f g': \"h\"}\n",
    "explicit keys": "? a\n: b\n? c\n? d\n:\n  - e\n",
    "nested lists": "- - - a\n    - b\n  - c\n- d\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y: z\r\n",
    "byte order mark": "\ufeffa: 1\n",
    "comments": "a: 1 # one\n# between\nb: # empty\n  - 2 # two\n",
    "at the shallow depths": "a:\n  b:\n    c:\n      - d\nx: [[[1]]]\ny:\n- - 2\n",
    "value tag": "a: =\n",
    "merge tag as a value": "a: <<\n",
    "infinity": "a: .inf\n",
    "minus infinity": "a: [1, -.Inf]\n",
    "not a number": "a: {b: .NaN}\n",
    "int key": "1: a\n",
    "bool key": "true: a\n",
    "yaml 1.1 bool key": "on: a\n",
    "null key": "~: a\n",
    "empty key": ": a\n",
    "float key": "a: {1.5: x}\n",
    "list key": "? [a]\n: b\n",
    "map key": "? {a: b}\n: c\n",
    "flow list key": "[a]: b\n",
    "duplicate key": "a: 1\na: 2\n",
    "duplicate nested key": "a: {b: 1, b: 2}\n",
    "duplicate quoted key": "a: 1\n'a': 2\n",
    "duplicate deep key": "x:\n  - {k: 1}\n  - {k: 1, k: 1}\n",
    "key and number key": "1: a\n'1': b\n",
    "plain key after the same key quoted": "'true': a\nx: {true: b}\n",
    "several problems": "a: 1\nb: .inf\na: 2\n3: c\nd: !!set {x}\n",
    "merge": "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n",
    "merge of a list": "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
    "merge without alias": "a: {<<: {x: 1}, y: 2}\n",
    "merge records": (
        "x-defaults: &defaults {status: draft, tags: [a, b]}\n"
        "x-records:\n  - <<: *defaults\n    id: one\n  - <<: *defaults\n    status: running\n"
    ),
    "anchor and alias": "a: &x 1\nb: *x\nc: &l [1, 2]\nd: *l\n",
    "unused anchor": "a: &x 1\n",
    "anchor on a key": "&k a: 1\n",
    "undefined alias": "a: *nope\n",
    "alias at the top": "*x\n",
    "alias to its own collection": "x-loop: &loop\n  - 1\n  - *loop\n",
    "alias bomb": "a0: &a0 [x]\n" + "".join(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 9)),
    "set": "a: !!set {x, y}\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "ordered map": "a: !!omap [{x: 1}]\n",
    "pairs": "a: !!pairs [{x: 1}]\n",
    "str tag": "a: !!str 12\n",
    "int tag": "a: !!int '12'\n",
    "float tag": "a: !!float 1\n",
    "null tag": "a: !!null ''\n",
    "timestamp tag": "a: !!timestamp 2025-01-15\n",
    "map tag": "!!map {a: 1}\n",
    "seq tag": "a: !!seq [1]\n",
    "local tag": "a: !custom x\n",
    "non-specific tag": "a: ! 12\n",
    "python tag": "a: !!python/object:os.system x\n",
    "deepest nesting allowed": "a: " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n",
    "nesting too deep": "a: " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n",
    "block nesting too deep": NESTED_BLOCKS,
    "unclosed list": "a: [1, 2\n",
    "mapping in a plain value": "a: b: c\n",
    "bad indentation": "a:\n  - b\n c: d\n",
    "tab indentation": "a:\n\tb: 1\n",
    "unterminated quote": "a: 'unterminated\n",
    "list then mapping": "- a\nb: c\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "broken second document": "a: 1\n--- [\n",
    "control character": "a: 1\nb: \x07\n",
    "control character late": "".join(f"k{n}: {n}\n" for n in range(5_000)) + "b: \x00\n",
    "extra bracket": "{a: 1}}\n",
    "anchor with nothing": "a: &x\n",
    "reserved character": "@a: 1\n",
    "backquote": "a: `b`\n",
    "duplicate before a syntax error": "a: 1\na: 2\nb: [\n",
    "anchor before a syntax error": "a: &x 1\nb: [\n",
    "infinity before a syntax error": "a: .inf\nb: [\n",
    "syntax error after many records": "leads:\n" + "  - {email: a@b.example, n: 1}\n" * 2_000 + "  - {email: [\n",
}


CAREFUL = yamlsource._load_carefully
# What the direct way leaves to the careful one (it refuses syntax errors itself, as the careful way would).
CAREFUL_ONLY = {name for name in TEXTS if "tag" in name or "alias" in name or "anchor" in name or "merge" in name}
CAREFUL_ONLY |= {"set", "binary", "ordered map", "pairs", "infinity", "minus infinity", "not a number"}
CAREFUL_ONLY |= {
    f"{kind} key" for kind in ("int", "bool", "yaml 1.1 bool", "null", "float", "list", "map", "flow list")
}
CAREFUL_ONLY |= {name for name in TEXTS if name.startswith("duplicate")} | {"key and number key", "several problems"}
CAREFUL_ONLY |= {"plain key after the same key quoted"}
CAREFUL_ONLY |= {"nesting too deep", "block nesting too deep", "two documents", "broken second document"}
CAREFUL_ONLY |= {"infinity before a syntax error"}


class Rereads:
    """How many times a document was loaded the careful way since the count started."""

    count = 0


@pytest.fixture
def rereads(monkeypatch: pytest.MonkeyPatch) -> Rereads:
    counter = Rereads()

    def counted(text: str, filename: str) -> tuple[Any, LineMap]:
        counter.count += 1
        return CAREFUL(text, filename)

    monkeypatch.setattr(yamlsource, "_load_carefully", counted)
    return counter


def outcome(load: Callable[[str, str], tuple[Any, LineMap] | None], text: str) -> tuple[str, Any]:
    """`("ok", repr of the values)`, `("problems", the problems as printed)`, or `("careful", None)` when the
    direct way stands aside: repr tells 1 from 1.0 and True, and shows the order of keys."""
    try:
        loaded = load(text, "doc.yaml")
    except ConfigError as exc:
        return "problems", [str(p) for p in exc.problems]
    return ("careful", None) if loaded is None else ("ok", repr(loaded[0]))


def paths(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Every path in a loaded document, and one below each that does not exist."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))
    yield (*path, "missing", 0)


def collection_at(data: Any, path: JsonPath) -> bool:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(data, dict | list)


def assert_same_lines(text: str, rereads: Rereads) -> None:
    """Every path's line (and, relative to a collection, every path's below it) is the careful way's; the top
    levels' are known without reading the text again, the others after reading it once."""
    data, careful = CAREFUL(text, "doc.yaml")
    direct = load_yaml(text, "doc.yaml")[1]
    kept = pickle.loads(pickle.dumps(direct))  # as a bundled spec's parse is kept, before any line is asked for
    every = list(paths(data))
    shallow = [path for path in every if len(path) <= KNOWN_DEPTH]
    collections = [path for path in every if collection_at(data, path)]
    deeper = [path for path in collections if len(path) > KNOWN_DEPTH]
    # Every collection at the top levels, and some two dozen deeper ones (a fault's steps are deeper).
    prefixes = [path for path in collections if len(path) <= KNOWN_DEPTH] + deeper[:: max(1, len(deeper) // 24)]
    under: dict[JsonPath, list[JsonPath]] = {prefix: [] for prefix in prefixes}  # prefix -> paths relative to it
    for path in every:
        for cut in range(len(path) + 1):
            if path[:cut] in under:
                under[path[:cut]].append(path[cut:])
    shifted = {prefix: (direct.shifted(prefix), careful.shifted(prefix)) for prefix in prefixes}
    before = rereads.count
    assert [direct.line_for(path) for path in shallow] == [careful.line_for(path) for path in shallow]
    for prefix, (sub, careful_sub) in shifted.items():
        known = [rel for rel in under[prefix] if len(prefix) + len(rel) <= KNOWN_DEPTH]
        assert [sub.line_for(rel) for rel in known] == [careful_sub.line_for(rel) for rel in known]
    assert rereads.count == before
    expected = [careful.line_for(path) for path in every]
    assert [direct.line_for(path) for path in every] == expected
    for prefix, (sub, careful_sub) in shifted.items():
        assert [sub.line_for(rel) for rel in under[prefix]] == [careful_sub.line_for(rel) for rel in under[prefix]]
    assert rereads.count <= before + 1
    # A map kept finds the deeper lines just the same.
    assert [kept.line_for(path) for path in every] == expected


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_of_the_project_loads_to_the_same_values_and_lines(path: Path, rereads: Rereads) -> None:
    text = path.read_text(encoding="utf-8")
    expected = outcome(CAREFUL, text)
    assert outcome(load_yaml, text) == expected
    if not path.is_relative_to(ROOT / "tests"):  # what ships (specs, scenarios, examples) loads the direct way
        assert outcome(yamlsource._load_directly, text) == expected
    if expected[0] == "ok":
        assert_same_lines(text, rereads)


@pytest.mark.parametrize("name", TEXTS)
def test_every_corner_of_yaml_loads_to_the_same_values_problems_and_lines(name: str, rereads: Rereads) -> None:
    text = TEXTS[name]
    expected = outcome(CAREFUL, text)
    direct = outcome(yamlsource._load_directly, text)
    assert direct == (("careful", None) if name in CAREFUL_ONLY else expected)
    assert outcome(load_yaml, text) == expected
    if expected[0] == "ok":
        assert_same_lines(text, rereads)
