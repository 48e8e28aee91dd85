"""JSON Schema validation behind one small interface.

Two backends stand behind `SchemaValidator`: `jsonschema` (the reference implementation, with its format
checker, so `date-time` really is checked) and `jsonschema-rs` (compiled, much faster). In the default `fast`
mode the compiled validator answers the question "is this valid?", which is all the hot path asks; only when
it says no does the reference implementation run, to produce the messages and schema paths users read. The two
must agree exactly on validity — `tests/engine/test_validation.py` holds them to it — and the `reference` mode
uses `jsonschema` alone, for anyone who wants to rule the fast one out.

In `fast` mode `jsonschema` is imported only when something is invalid (it takes longer to import than the rest of
the engine), and a schema is checked against the meta-schema by the compiled validator too, `jsonschema` only
giving the messages of one that fails: checking every schema of four specs that way is what start-up spent most
of its time on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import jsonschema_rs

from .yamlsource import format_path

if TYPE_CHECKING:
    import jsonschema

Backend = Literal["fast", "reference"]
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _jsonschema() -> Any:
    """The `jsonschema` module, imported on first use."""
    import jsonschema

    return jsonschema


@cache
def _fast_meta() -> jsonschema_rs.Validator:
    """The 2020-12 meta-schema, compiled: the one `check_schema` holds every schema to, whatever its `$schema`."""
    return jsonschema_rs.Draft202012Validator({"$ref": DIALECT})


@dataclass(frozen=True)
class Issue:
    """One way an instance breaks its schema."""

    path: tuple[str | int, ...]
    schema_path: str
    message: str
    value: Any = None  # the offending value, for vendors that echo it back

    @property
    def where(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class SchemaValidator:
    """A schema compiled once; `issues(instance)` is empty when the instance is valid.

    `SchemaValidator(schema)` compiles at once, so a schema the compiled backend refuses raises there.
    `SchemaValidator.on_first_use(build)` builds the schema and compiles it when it is first needed: for schemas
    already known to compile (a bundled spec checked in full on an earlier start), so that start-up does not compile
    hundreds of validators most runs never use. Compiling twice at once (the event loop and a worker thread) only
    does the work twice: either result is the same validator. A validator that knows how to `build` its schema is
    pickled as that alone, to be compiled on first use once unpickled."""

    def __init__(
        self, schema: dict[str, Any], backend: Backend = "fast", *, build: Callable[[], dict[str, Any]] | None = None
    ) -> None:
        self._set_up(schema, build, backend)
        if self._pending:
            self._compiled()

    @classmethod
    def on_first_use(cls, build: Callable[[], dict[str, Any]], backend: Backend = "fast") -> SchemaValidator:
        validator = cls.__new__(cls)
        validator._set_up(None, build, backend)
        return validator

    def _set_up(
        self, schema: dict[str, Any] | None, build: Callable[[], dict[str, Any]] | None, backend: Backend
    ) -> None:
        self._schema = schema
        self._build = build  # kept once used: another thread may be reading it, and a pickle is made of it
        self._backend: Backend = backend
        self._reference: jsonschema.Draft202012Validator | None = None
        self._fast: jsonschema_rs.Validator | None = None
        self._pending = backend == "fast"  # the compiled validator is still to be made

    def __reduce__(self) -> tuple[Any, ...]:
        if self._build is None:
            return (SchemaValidator, (self.schema, self._backend))
        return (SchemaValidator.on_first_use, (self._build, self._backend))

    @property
    def schema(self) -> dict[str, Any]:
        schema = self._schema
        if schema is None:
            build = self._build
            assert build is not None  # a validator is given its schema or how to build it
            schema = self._schema = build()
        return schema

    def _compiled(self) -> jsonschema_rs.Validator:
        fast = jsonschema_rs.Draft202012Validator(self.schema, validate_formats=True)
        self._fast, self._pending = fast, False
        return fast

    @property
    def reference(self) -> jsonschema.Draft202012Validator:
        if self._reference is None:
            cls = _jsonschema().Draft202012Validator
            self._reference = cls(self.schema, format_checker=cls.FORMAT_CHECKER)
        return self._reference

    def is_valid(self, instance: Any) -> bool:
        fast = self._compiled() if self._pending else self._fast
        if fast is not None:
            return bool(fast.is_valid(instance))
        return bool(self.reference.is_valid(instance))

    def issues(self, instance: Any) -> list[Issue]:
        # Called on every request (each parameter, body and reply): the valid case first.
        fast = self._compiled() if self._pending else self._fast
        if fast.is_valid(instance) if fast is not None else self.reference.is_valid(instance):
            return []
        found = [issue for err in _leaf_errors(self.reference.iter_errors(instance)) for issue in _issues_of(err)]
        if not found:
            # The backends disagree. Say so plainly instead of guessing which one is right.
            found = [Issue((), "", "rejected by the compiled validator but accepted by jsonschema")]
        return sorted(found, key=lambda i: (len(i.path), i.where, i.message))


def _leaf_errors(errors: Any) -> list[jsonschema.ValidationError]:
    """Unwrap `oneOf`/`anyOf` failures to the most relevant sub-error, as users expect to read them."""
    out: list[jsonschema.ValidationError] = []
    for err in errors:
        best = _jsonschema().exceptions.best_match([err])
        out.append(best if best is not None else err)
    return out


def _issues_of(err: jsonschema.ValidationError) -> list[Issue]:
    """One issue per unknown key (located at the key itself, so a file line can point at it)."""
    path = tuple(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict) and isinstance(err.schema, dict):
        known = set(err.schema.get("properties", {}))
        patterns = list(err.schema.get("patternProperties", {}))
        extra = [k for k in err.instance if k not in known and not any(re.search(p, k) for p in patterns)]
        if extra:
            return [Issue((*path, key), _schema_path(err), f"unknown key {key!r}") for key in extra]
    return [Issue(path, _schema_path(err), _message(err), err.instance)]


def _message(err: jsonschema.ValidationError) -> str:
    """jsonschema's message, unless it quotes a large instance: then the rule that failed, and a short quote."""
    if len(err.message) <= 200:
        return str(err.message)
    quoted = repr(err.instance)
    return f"{quoted[:60]}... fails {err.validator}: {err.validator_value!r}"[:300]


def _schema_path(err: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in err.absolute_schema_path)


def check_schema(schema: dict[str, Any]) -> list[str]:
    """Problems with a schema itself (not an instance), as messages: meta-schema errors and unknown keywords."""
    found = unknown_keywords(schema)
    if _fast_meta().is_valid(schema):
        return found
    cls = _jsonschema().Draft202012Validator
    return found + [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(schema)'}: {e.message}"
        for e in cls(cls.META_SCHEMA).iter_errors(schema)
    ]


_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SUBSCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_KEYWORDS = {
    *_SUBSCHEMA_MAPS,
    *_SUBSCHEMA_ONE,
    *_SUBSCHEMA_LISTS,
    "$schema",
    "$id",
    "$ref",
    "$anchor",
    "$comment",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "type",
    "enum",
    "const",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minContains",
    "maxContains",
    "minProperties",
    "maxProperties",
    "required",
    "dependentRequired",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "discriminator",
    "externalDocs",
    "xml",  # OpenAPI's own schema keywords
}


def unknown_keywords(schema: Any, where: str = "") -> list[str]:
    """Keywords no validator understands (a typo such as `additionalproperties` would silently allow anything).

    Extensions starting with `x-` are allowed, as OpenAPI allows them.
    """
    if not isinstance(schema, dict):
        return []
    found = [
        f"{where or '(schema)'}: unknown keyword {key!r}"
        for key in schema
        if key not in _KEYWORDS and not key.startswith("x-")
    ]
    for key in _SUBSCHEMA_MAPS:
        for name, sub in (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ():
            found += unknown_keywords(sub, f"{where}/{key}/{name}")
    for key in _SUBSCHEMA_ONE:
        if key in schema:
            found += unknown_keywords(schema[key], f"{where}/{key}")
    for key in _SUBSCHEMA_LISTS:
        for index, sub in enumerate(schema.get(key) or []):
            found += unknown_keywords(sub, f"{where}/{key}/{index}")
    return found
