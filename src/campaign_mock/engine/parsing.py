"""Reading a request against its operation: path parameters, typed query parameters, and the JSON body.

Query text is turned into the JSON type its schema asks for before it is validated. Anything outside the spec
raises `RequestInvalid`, carrying the issues for the violation log; the vendor's renderer words it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from .errors import RequestInvalid
from .specs import Operation
from .validation import Issue


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data body."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Form:
    """A multipart/form-data body: its text fields and its files, by part name."""

    fields: dict[str, str]
    files: dict[str, UploadedFile]


@dataclass(frozen=True)
class Parsed:
    """A validated request: path parameters, typed query parameters, the body (JSON, or a form's text fields with
    each file part as its file name), and a form's files."""

    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    files: dict[str, UploadedFile] = field(default_factory=dict)


def media_type(headers: dict[str, str]) -> str:
    """The request's media type, lower-case, without parameters."""
    return headers.get("content-type", "").partition(";")[0].strip().lower()


async def read_form(headers: dict[str, str], body: bytes, max_part_size: int) -> Form:
    """Parse a multipart/form-data body with Starlette's parser; raises RequestInvalid when it cannot."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(Headers(headers), stream(), max_part_size=max_part_size)
    try:
        data = await parser.parse()
    except MultiPartException as exc:
        raise RequestInvalid([Issue((), "", f"the multipart body cannot be read ({exc.message})")], "body") from None
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for name, value in data.multi_items():
        if isinstance(value, str):
            fields[name] = value
        else:
            content = await value.read()
            files[name] = UploadedFile(value.filename or "", value.content_type or "", content)
            await value.close()
    return Form(fields, files)


def load_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity (JSON has neither, and no schema can judge them). Every failure,
    including an integer past Python's digit limit, is a ValueError with a short reason."""
    try:
        return _DECODER.decode(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at position {exc.pos}") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except ValueError as exc:
        raise ValueError(str(exc).split(";")[0]) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)  # built once: json.loads(**kwargs) builds one a call


def parse_request(
    op: Operation,
    path_params: dict[str, str],
    query_string: str,
    body: bytes,
    strict_query: bool,
    form: Form | None = None,
) -> Parsed:
    """Path, query and body checked against the operation's spec; raises RequestInvalid. A multipart body comes
    already read into `form` (see `read_form`), and is checked against the spec's form schema."""
    issues: list[Issue] = []
    for param in op.parameters:
        if param.location == "path":
            issues += _prefixed(param.validator.issues(path_params.get(param.name, "")), param.name)
    raw_query: dict[str, list[str]] = {}
    if query_string:
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            raw_query.setdefault(name, []).append(value)
    query: dict[str, Any] = {}
    known = set()
    for param in op.parameters:
        if param.location != "query":
            continue
        known.add(param.name)
        values = raw_query.get(param.name)
        if values is None:
            if param.required:
                issues.append(Issue((param.name,), "required", f"query parameter {param.name!r} is required"))
            continue
        value = _coerce(values, param.types, param.item_types)
        found = param.validator.issues(value)
        issues += _prefixed(found, param.name)
        query[param.name] = value
    if strict_query:
        for name in raw_query:
            if name not in known:
                issues.append(Issue((name,), "", f"unexpected query parameter {name!r}"))
    if issues:
        raise RequestInvalid(issues, "query")
    parsed_body: Any = None
    if form is not None and op.form is not None:
        shown: dict[str, Any] = {**form.fields, **{name: f.filename for name, f in form.files.items()}}
        issues = op.form.issues(shown)
        if issues:
            raise RequestInvalid(issues, "body")
        return Parsed(path_params, query, shown, form.files)
    if op.body is None and op.form is not None and (body.strip() or op.body_required):
        issue = Issue((), "required", "a multipart/form-data body is required")
        raise RequestInvalid([issue], "body")
    if op.body is not None:
        if not body.strip():
            if op.body_required:
                issue = Issue((), "required", "a JSON request body is required")
                raise RequestInvalid([issue], "body")
        else:
            try:
                parsed_body = load_json(body)
            except ValueError as exc:
                issue = Issue((), "", f"the body is not valid JSON ({exc})")
                raise RequestInvalid([issue], "json") from None
            issues = op.body.issues(parsed_body)
            if issues:
                raise RequestInvalid(issues, "body")
    return Parsed(path_params, query, parsed_body)


def _prefixed(issues: list[Issue], name: str) -> list[Issue]:
    return [Issue((name, *i.path), i.schema_path, i.message) for i in issues]


def _coerce(values: list[str], types: tuple[str, ...], item_types: tuple[str, ...]) -> Any:
    """Query text to the JSON type the parameter schema asks for; left as text when it does not parse."""
    if "array" in types:
        items = [part for v in values for part in v.split(",")] if len(values) == 1 else values
        return [_scalar(v, item_types) for v in items]
    return _scalar(values[-1], types)


def _scalar(text: str, types: tuple[str, ...]) -> Any:
    if "integer" in types:
        try:
            return int(text)
        except ValueError:
            pass
    if "number" in types:
        try:
            return float(text)
        except ValueError:
            pass
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "null" in types and text in ("", "null"):
        return None
    return text
