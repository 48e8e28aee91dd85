"""OpenAPI 3.1 documents: loading, reference handling, and the `Operation` table the engine runs on.

A spec is read once at startup, and every schema in it checked (against the meta-schema, for unknown keywords,
by compiling it), so that a broken spec stops the start naming file and line, never a request. Component
references to parameters, responses, headers and request bodies are inlined; schema references are kept and
bundled under `$defs`, so each validator is a standalone JSON Schema.

A bundled spec's parse is kept in the user's cache directory (`$XDG_CACHE_HOME/campaign-mock`, else
`~/.cache/campaign-mock`), one file per spec, valid while the spec's text and the code that parses and checks it stay
the same; a cache that cannot be read or written is passed by. When that very text passed every check, its operation
table is kept too: a later start takes it as it is, unchecked, and compiles each validator when it is first used
(checking and compiling the schemas of the bundled specs was most of what start-up spent once the modules were
imported). Any edit of the text makes a new key, so an edited spec is checked in full again, at start.
`campaign-mock check` checks every spec in full whatever the cache holds (`check_all`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema_rs
import yaml

from .errors import ConfigError, Problem
from .rate_limit import OperationLimit, RateLimitPolicy
from .validation import DIALECT, Backend, SchemaValidator, check_schema
from .yamlsource import JsonPath, LineMap, load_yaml

SPEC_DIR = Path(__file__).resolve().parent.parent / "openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_SCHEMA_REF = "#/components/schemas/"
_PRIVATE_KEYS = ("x-scenario-state",)


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter: its name, whether it must be present, and how to read it."""

    name: str
    location: str
    required: bool
    types: tuple[str, ...]
    item_types: tuple[str, ...]
    validator: SchemaValidator

    @cached_property
    def takes_any_text(self) -> bool:
        """Whether the schema only says "a string": no text can break it, and a parameter's value is text (a path
        segment, or query text that no other type is asked of), so reading a request need not ask the validator."""
        rules = {k: v for k, v in self.validator.schema.items() if k not in _ANNOTATIONS and not k.startswith("x-")}
        return rules == {"type": "string"}


# Schema keywords that say something about a value without constraining it.
_ANNOTATIONS = frozenset(
    ("$schema", "$comment", "title", "description", "default", "examples", "example", "deprecated")
)

JSON = "application/json"
FORM = "multipart/form-data"


@dataclass(frozen=True)
class ResponseSpec:
    """What the spec allows for one status: a JSON body validator (None: no JSON body), the documented headers, and
    the media types a body may have (empty: no body)."""

    validator: SchemaValidator | None
    headers: tuple[str, ...]
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One documented operation, with everything needed to serve and check it."""

    service: str
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: SchemaValidator | None  # the JSON request body
    body_required: bool
    responses: dict[int, ResponseSpec]
    default_response: ResponseSpec | None
    inferred: bool
    sources: tuple[str, ...]
    extensions: dict[str, Any] = field(default_factory=dict)  # the operation's `x-*` keys (x-permission, ...)
    form: SchemaValidator | None = None  # a multipart/form-data request body (its fields; files as their names)
    rate_limit: OperationLimit | None = None  # the operation's own documented limit (`x-rate-limit`)

    def response_for(self, status: int) -> ResponseSpec | None:
        return self.responses.get(status, self.default_response)

    # What reading a request goes through, sorted once (it is done on every request).
    @cached_property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @cached_property
    def query_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    @cached_property
    def query_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.query_parameters)


@dataclass
class Spec:
    """One loaded OpenAPI document."""

    service: str
    file: Path
    document: dict[str, Any]
    operations: list[Operation]
    scenario_state_schema: dict[str, Any] | None
    lines: LineMap = field(default_factory=LineMap)

    def served(self, base_url: str) -> dict[str, Any]:
        """The document as served to users: `servers` points at the mock, private keys removed."""
        doc = {k: v for k, v in self.document.items() if k not in _PRIVATE_KEYS}
        doc["servers"] = [{"url": base_url, "description": "campaign-mock"}]
        return doc

    def served_json(self, base_url: str) -> bytes:
        """`served` as JSON text in ASCII (non-ASCII characters as `\\u` escapes): YAML-based loaders such as
        openapi-spec-validator refuse some raw characters (U+0080 to U+009F) that JSON allows."""
        return json.dumps(self.served(base_url), ensure_ascii=True, separators=(",", ":")).encode("ascii")

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


def load_spec(service: str, file: Path | None = None, backend: Backend = "fast", *, check_all: bool = False) -> Spec:
    """Load and compile `openapi/<service>.yaml`; raise ConfigError naming file and line on any problem.

    A bundled spec whose very text passed every check before is not checked again (see the module's docstring):
    its operation table comes from the cache, each validator compiled on first use. `check_all` checks every schema
    and compiles every validator whatever the cache says."""
    path = file or SPEC_DIR / f"{service}.yaml"
    name = _display_name(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError.single(name, None, f"cannot read spec: {exc.strerror}") from None
    cached = _cache_file(path)
    key = hashlib.sha256(_code_digest() + f"{service}\n".encode() + raw).hexdigest() if cached is not None else ""
    kept = _kept(cached, key) if cached is not None else None
    kept_table = kept.table if kept is not None and not check_all else None  # the text passed every check before
    if kept is not None and kept_table is not None and backend == "fast":
        operations, state_schema = kept_table
        return Spec(service, path, kept.document, operations, state_schema, kept.lines)
    document, lines = (kept.document, kept.lines) if kept is not None else load_yaml(_text(raw), name)
    builder = _Builder(service, name, document, lines, backend, trusted=kept_table is not None)
    operations = builder.operations()
    state_schema = builder.scenario_state_schema()
    # Only the compiled backend compiles every schema: only its table can say that every check passed.
    table = (operations, state_schema) if backend == "fast" and not builder.problems else None
    if cached is not None and (kept is None or (kept.table is None and table is not None)):
        _keep(cached, _Kept(key, document, lines, table))
    if builder.problems:
        raise ConfigError(builder.problems)
    return Spec(service, path, document, operations, state_schema, lines)


class _Kept(NamedTuple):
    """What the cache keeps of a bundled spec: its parse, and its operation table if the text passed every check
    (the validators in the table are compiled on first use once unpickled)."""

    key: str
    document: Any
    lines: LineMap
    table: tuple[list[Operation], dict[str, Any] | None] | None


def _kept(cached: Path, key: str) -> _Kept | None:
    """What is kept for `key`, or None."""
    try:
        with cached.open("rb") as f:
            stored_key, document, lines, table = pickle.load(f)
    except Exception:  # missing, unreadable, or written by another version: parse it again
        return None
    return _Kept(key, document, _KeptLineMap(lines), table) if stored_key == key else None


def _keep(cached: Path, kept: _Kept) -> None:
    # The lines apart, unpickled only if one is asked for; the rest in one pickle, so that the table's schemas,
    # parts of the document, are kept once.
    key, document, lines, table = kept
    try:
        lines_kept = lines.kept if isinstance(lines, _KeptLineMap) else pickle.dumps(lines, pickle.HIGHEST_PROTOCOL)
        data = pickle.dumps((key, document, lines_kept, table), pickle.HIGHEST_PROTOCOL)
        cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        unfinished = cached.with_suffix(f".{os.getpid()}.tmp")
        unfinished.write_bytes(data)
        unfinished.replace(cached)  # whole or not at all, for another server starting at the same time
    except Exception:  # an unwritable folder, say: the next start parses and checks the spec again
        pass


class _KeptLineMap(LineMap):
    """A kept spec's lines, unpickled when a line is first asked for: a spec that loads without a problem never
    asks, and unpickling every line of every spec took as long as unpickling the documents."""

    def __init__(self, kept: bytes) -> None:
        super().__init__()
        self.kept = kept
        self._map: LineMap | None = None

    def _loaded(self) -> LineMap:
        if self._map is None:
            self._map = pickle.loads(self.kept)
        return self._map

    def line_for(self, path: JsonPath) -> int | None:
        return self._loaded().line_for(path)

    def shifted(self, prefix: JsonPath) -> LineMap:
        return self._loaded().shifted(prefix)


def _cache_file(path: Path) -> Path | None:
    """Where a bundled spec's parse is kept; None for any other spec (a test's, say), or without a home."""
    if path.parent != SPEC_DIR:
        return None
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory to speak of
        return None
    return base / "campaign-mock" / f"spec-{path.stem}.pickle"


@cache
def _code_digest() -> bytes:
    """What the parse, the checks and the kept table depend on besides the text: the code of the YAML loader, of this
    module, of the schema checks and of the rate limits in the table, PyYAML's version and the compiled validator's
    build."""
    here = Path(__file__).parent
    modules = ("yamlsource.py", "specs.py", "validation.py", "rate_limit.py")
    sources = b"".join((here / module).read_bytes() for module in modules)
    extension = sys.modules[f"{jsonschema_rs.__name__}.jsonschema_rs"]  # its compiled part (not in its stubs)
    built = os.stat(str(extension.__file__))
    versions = f"{yaml.__version__} {built.st_size} {built.st_mtime_ns}".encode()
    return hashlib.sha256(sources + versions).digest()


def _text(raw: bytes) -> str:
    """The text as `Path.read_text` reads it: UTF-8, with every line ending as `\\n`."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _display_name(path: Path) -> str:
    try:
        return str(path.relative_to(SPEC_DIR.parent.parent.parent))
    except ValueError:
        return str(path)


class _Builder:
    """Walks one document, collecting problems rather than stopping at the first."""

    def __init__(self, service: str, file: str, doc: Any, lines: LineMap, backend: Backend, trusted: bool) -> None:
        self.service = service
        self.file = file
        self.doc = doc if isinstance(doc, dict) else {}
        self.lines = lines
        self.backend = backend
        # The text passed every schema check before: schemas are bundled and compiled on first use, unchecked.
        self.trusted = trusted
        self.problems: list[Problem] = []
        self.schemas: dict[str, Any] = self.doc.get("components", {}).get("schemas", {}) or {}
        # Many operations share a schema (an error body, say): compile each distinct one once.
        self._compiled: dict[str, SchemaValidator | None] = {}
        if not isinstance(doc, dict) or not str(self.doc.get("openapi", "")).startswith("3.1"):
            self.problem((), "not an OpenAPI 3.1 document (`openapi: 3.1.x` expected)")
        for name, schema in () if trusted else self.schemas.items():
            for message in check_schema(schema):
                self.problem(("components", "schemas", name), f"invalid schema {name}: {message}")

    def problem(self, path: JsonPath, message: str) -> None:
        self.problems.append(Problem(self.file, self.lines.line_for(path), message))

    # -- references -------------------------------------------------------------------------------
    def resolve(self, node: Any, path: JsonPath) -> tuple[Any, JsonPath]:
        """Follow a non-schema `$ref` (parameter, response, header, request body) to its target."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/") or seen > 20:
                self.problem(path, f"unsupported reference {ref!r}")
                return {}, path
            target: Any = self.doc
            parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
            for part in parts:
                if not isinstance(target, dict) or part not in target:
                    self.problem(path, f"dangling reference {ref!r}")
                    return {}, path
                target = target[part]
            node, path, seen = target, tuple(parts), seen + 1
        return node, path

    def validator(self, schema: Any, path: JsonPath) -> SchemaValidator | None:
        if not isinstance(schema, dict):
            self.problem(path, "schema must be a mapping")
            return None
        # Most schemas are a lone reference to a component: its target names it, without writing it out as JSON.
        ref = schema.get("$ref") if len(schema) == 1 else None
        key = ref if isinstance(ref, str) else json.dumps(schema, sort_keys=True)
        if key in self._compiled:
            return self._compiled[key]
        # How the validator makes its standalone schema, again once unpickled from the cache.
        build = partial(_bundled, schema, self.schemas)
        if self.trusted:
            self._compiled[key] = SchemaValidator.on_first_use(build, self.backend)
            return self._compiled[key]
        # Component schemas were checked once up front; here only the inline part is new.
        problems = check_schema(schema)
        for message in problems:
            self.problem(path, f"invalid schema: {message}")
        compiled = None
        known = len(self.problems)
        bundled = self.bundle(schema, path)
        if not problems and len(self.problems) == known:  # a dangling reference was reported already
            try:
                compiled = SchemaValidator(bundled, self.backend, build=build)
            except Exception as exc:  # the compiled backend reports its own schema errors
                self.problem(path, f"invalid schema: {_compile_error(exc)}")
        self._compiled[key] = compiled
        return compiled

    def bundle(self, schema: dict[str, Any], path: JsonPath) -> dict[str, Any]:
        """`schema` standalone (see `_bundle`), each reference to no component reported."""
        bundled, dangling = _bundle(schema, self.schemas)
        for ref in dangling:
            self.problem(path, f"dangling reference {ref!r}")
        return bundled

    # -- operations -------------------------------------------------------------------------------
    def operations(self) -> list[Operation]:
        out: list[Operation] = []
        seen: dict[str, JsonPath] = {}
        paths = self.doc.get("paths") or {}
        for template, item in paths.items():
            if not isinstance(item, dict) or not str(template).startswith("/"):
                self.problem(("paths", template), "a path must start with / and hold operations")
                continue
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                where: JsonPath = ("paths", template, method)
                op = self.operation(template, method, item[method], shared, where)
                if op is None:
                    continue
                if op.operation_id in seen:
                    self.problem(where, f"duplicate operationId {op.operation_id!r}")
                seen[op.operation_id] = where
                out.append(op)
        return out

    def operation(self, template: str, method: str, raw: Any, shared: list[Any], where: JsonPath) -> Operation | None:
        if not isinstance(raw, dict):
            self.problem(where, "operation must be a mapping")
            return None
        op_id = raw.get("operationId")
        if not isinstance(op_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", op_id):
            self.problem(where, "every operation needs a snake_case operationId")
            return None
        if "x-source" not in raw:
            self.problem(where, f"{op_id}: x-source (the page it was written from) is missing")
        params = self.parameters([*shared, *raw.get("parameters", [])], where)
        declared = set(re.findall(r"{([^}]+)}", template))
        named = {p.name for p in params if p.location == "path"}
        if declared != named:
            self.problem(where, f"{op_id}: path parameters {sorted(declared)} are not all described")
        body, form, body_required = None, None, False
        if "requestBody" in raw:
            rb, rb_path = self.resolve(raw["requestBody"], (*where, "requestBody"))
            content = rb.get("content") or {}
            for name in content:
                if name not in (JSON, FORM):
                    self.problem((*rb_path, "content", name), f"{op_id}: request bodies are {JSON} or {FORM}")
            media = content.get(JSON)
            if isinstance(media, dict) and "schema" in media:
                body = self.validator(media["schema"], (*rb_path, "content", JSON, "schema"))
            media = content.get(FORM)
            if isinstance(media, dict) and "schema" in media:
                form = self.validator(media["schema"], (*rb_path, "content", FORM, "schema"))
            body_required = bool(rb.get("required", False))
        responses: dict[int, ResponseSpec] = {}
        default: ResponseSpec | None = None
        for status, response in (raw.get("responses") or {}).items():
            spec = self.response(response, (*where, "responses", status))
            if str(status) == "default":
                default = spec
            elif str(status).isdigit():
                responses[int(status)] = spec
            else:
                self.problem((*where, "responses", status), f"unsupported response key {status!r}")
        if not responses:
            self.problem(where, f"{op_id}: no responses documented")
        sources = raw.get("x-source", [])
        return Operation(
            service=self.service,
            operation_id=op_id,
            method=method.upper(),
            path=template,
            parameters=tuple(params),
            body=body,
            form=form,
            body_required=body_required,
            responses=responses,
            default_response=default,
            inferred=bool(raw.get("x-inferred", False)),
            extensions={k: v for k, v in raw.items() if isinstance(k, str) and k.startswith("x-")},
            rate_limit=self.rate_limit(raw.get("x-rate-limit"), params, (*where, "x-rate-limit")),
            sources=tuple([sources] if isinstance(sources, str) else sources),
        )

    def rate_limit(self, raw: Any, params: list[Parameter], where: JsonPath) -> OperationLimit | None:
        """`x-rate-limit: {limit, window_seconds, window?, per?, in?}`, checked; None when absent or wrong."""
        if raw is None:
            return None
        known = {"limit", "window_seconds", "window", "per", "in"}
        ok = isinstance(raw, dict) and not set(raw) - known
        ok = ok and all(isinstance(raw.get(k), int) and raw[k] >= 1 for k in ("limit", "window_seconds"))
        ok = ok and raw.get("window", "fixed") in ("fixed", "sliding") and raw.get("in", "path") in ("path", "query")
        if not ok:
            message = "x-rate-limit: {limit: N, window_seconds: S, window?: fixed|sliding, per?: NAME, in?: path|query}"
            self.problem(where, message)
            return None
        per, location = raw.get("per"), raw.get("in", "path")
        if per is not None and not any(p.name == per and p.location == location for p in params):
            self.problem(where, f"x-rate-limit: counted per {location} parameter {per!r}, which is not described")
            return None
        policy = RateLimitPolicy(raw["limit"], raw["window_seconds"], raw.get("window", "fixed"))
        return OperationLimit(policy, per, location)

    def parameters(self, raw: list[Any], where: JsonPath) -> list[Parameter]:
        out: dict[tuple[str, str], Parameter] = {}
        for index, item in enumerate(raw):
            param, path = self.resolve(item, (*where, "parameters", index))
            name, location = param.get("name"), param.get("in")
            if location not in ("path", "query", "header") or not isinstance(name, str):
                self.problem(path, "a parameter needs a name and `in: path|query|header`")
                continue
            schema = param.get("schema", {})
            validator = self.validator(schema, (*path, "schema"))
            if validator is None:
                continue
            types = self.types_of(schema)
            items = self.types_of(schema.get("items", {})) if "array" in types else ()
            required = bool(param.get("required", location == "path"))
            out[(location, name)] = Parameter(name, location, required, types, items, validator)
        return list(out.values())

    def types_of(self, schema: Any) -> tuple[str, ...]:
        """The JSON types a parameter schema allows (following a schema `$ref`), used to read query text."""
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = self.schemas.get(schema["$ref"][len(_SCHEMA_REF) :], {})
        if not isinstance(schema, dict):
            return ()
        kind = schema.get("type")
        if isinstance(kind, str):
            return (kind,)
        if isinstance(kind, list):
            return tuple(kind)
        if "enum" in schema:
            return tuple(sorted({_json_type(v) for v in schema["enum"]}))
        return ()

    def response(self, raw: Any, where: JsonPath) -> ResponseSpec:
        response, path = self.resolve(raw, where)
        content = response.get("content") or {}
        validator = None
        if JSON in content:
            media = content[JSON]
            if not isinstance(media, dict) or "schema" not in media:
                self.problem(path, f"a JSON response needs a schema: `content: {JSON}: schema:` expected")
            else:
                validator = self.validator(media["schema"], (*path, "content", JSON, "schema"))
        headers = tuple(h.lower() for h in (response.get("headers") or {}))
        return ResponseSpec(validator, headers, tuple(str(name) for name in content))

    def scenario_state_schema(self) -> dict[str, Any] | None:
        raw = self.doc.get("x-scenario-state")
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.problem(("x-scenario-state",), "x-scenario-state must be a schema")
            return None
        bundled = self.bundle(raw, ("x-scenario-state",))
        problems = [] if self.trusted else check_schema(bundled)
        for message in problems:
            self.problem(("x-scenario-state",), f"invalid schema: {message}")
        if not problems and not self.trusted and self.backend == "fast":
            try:  # the scenario validator is compiled from it at start: a pattern that is no regex, say, fails there
                SchemaValidator(bundled, self.backend)
            except Exception as exc:
                self.problem(("x-scenario-state",), f"invalid schema: {_compile_error(exc)}")
        return bundled


def _compile_error(exc: Exception) -> str:
    """The compiled validator's refusal of a schema, on one line (it explains itself over several)."""
    return " ".join(str(exc).split("\n\n", 1)[0].split()) or type(exc).__name__


def _bundle(schema: dict[str, Any], components: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A standalone copy of `schema` with the component schemas it reaches under `$defs`, and the references that
    reach no component."""
    needed: dict[str, Any] = {}
    dangling: list[str] = []
    pending = [schema]
    while pending:
        for ref in _schema_refs(pending.pop()):
            name = ref[len(_SCHEMA_REF) :]
            if name in needed:
                continue
            if name not in components:
                dangling.append(ref)
                continue
            needed[name] = components[name]
            pending.append(components[name])
    # `_rewrite_refs` makes new mappings and lists all the way down: the copy shares nothing it could change.
    out: dict[str, Any] = _rewrite_refs(schema)
    out.setdefault("$schema", DIALECT)
    if needed:
        out["$defs"] = {name: _rewrite_refs(s) for name, s in needed.items()}
    return out, dangling


def _bundled(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """`_bundle` of a schema of a spec that passed every check: it has no dangling reference."""
    return _bundle(schema, components)[0]


def _schema_refs(node: Any) -> list[str]:
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
                out.append(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: ("#/$defs/" + v[len(_SCHEMA_REF) :])
            if k == "$ref" and isinstance(v, str) and v.startswith(_SCHEMA_REF)
            else _rewrite_refs(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"
