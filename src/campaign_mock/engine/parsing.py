"""Reading a request against its operation: path parameters, typed query parameters, and the JSON body.

Query text is turned into the JSON type its schema asks for before it is validated. Anything outside the spec
raises `RequestInvalid`, carrying the issues for the violation log; the vendor's renderer words it. What a request
gets wrong that the vendor documents no refusal for (a JSON body sent as `text/plain`; a body sent to an operation
that takes none, where the operation documents no error for it) is answered as usual and kept as a lapse, for the
violation log.

JSON bodies are bounded as well as strict: nesting deeper than MAX_NESTING, numbers no float can hold and text that
is not UTF-8 are refused before any of it is used.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from .errors import RequestInvalid
from .specs import JSON, Operation
from .validation import Issue
from .yamlsource import MAX_NESTING

# No documented operation takes more than a few dozen; the server already caps a request line at 64 KiB.
MAX_QUERY_FIELDS = 1000


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


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a setattr call per field, and one is made per request
class Parsed:
    """A validated request: path parameters, typed query parameters, the body (JSON, or a form's text fields with
    each file part as its file name), and a form's files."""

    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    files: dict[str, UploadedFile] = field(default_factory=dict)
    lapses: tuple[Issue, ...] = ()  # what the request got wrong without being refused for it


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
    """Strict JSON: UTF-8 text (no lone surrogate escapes either: they cannot be sent back), no NaN or Infinity
    and no number past the float range (JSON has neither, and no schema can judge them), nesting at most
    MAX_NESTING deep. Every failure, including an integer past Python's digit limit, is a ValueError with a short
    reason. Duplicate keys are taken as every JSON parser takes them: the last one wins."""
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at position {exc.pos}") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except RecursionError:  # the decoder recurses once a level: it gives up near Python's recursion limit
        raise ValueError(_TOO_DEEP) from None
    except ValueError as exc:
        raise ValueError(str(exc).split(";")[0]) from None
    if _nests_too_deep(value):
        raise ValueError(_TOO_DEEP)
    if _SURROGATE_ESCAPE.search(raw):
        try:
            _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a \\u escape names half a surrogate pair, which is not text") from None
    return value


_TOO_DEEP = f"arrays and objects nest more than {MAX_NESTING} levels deep"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _nests_too_deep(value: Any) -> bool:
    """Whether arrays and objects nest more than MAX_NESTING levels, read one level at a time (no recursion): it
    visits each array item and object value once, a fraction of what decoding them cost."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(MAX_NESTING):
        inner: list[Any] = []
        for container in level:
            items = container.values() if isinstance(container, dict) else container
            inner += [item for item in items if isinstance(item, dict | list)]
        if not inner:
            return False
        level = inner
    return True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]}{'...' if len(text) > 20 else ''} is past the range of a JSON number")
    return number


# Built once: json.loads(**kwargs) builds one a call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def parse_request(
    op: Operation,
    path_params: dict[str, str],
    query_string: str,
    body: bytes,
    strict_query: bool,
    form: Form | None = None,
    content_type: str = JSON,
    refuses: Callable[[RequestInvalid], bool] = lambda error: True,
) -> Parsed:
    """Path, query and body checked against the operation's spec; raises RequestInvalid. A multipart body comes
    already read into `form` (see `read_form`), and is checked against the spec's form schema. `content_type` is
    the request's media type (see `media_type`); `refuses` says whether the vendor documents a refusal of a body
    sent to an operation that takes none (if not, it is answered as usual, with the body as a lapse)."""
    issues: list[Issue] = []
    for param in op.path_parameters:
        if param.takes_any_text:
            continue
        found = param.validator.issues(path_params.get(param.name, ""))
        if found:  # most requests: none, and nothing more to do
            issues += _prefixed(found, param.name)
    raw_query: dict[str, list[str]] = {}
    if query_string:
        try:
            pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
        except ValueError:  # counted before any is decoded: a long query costs nothing more
            issue = Issue((), "", f"more than {MAX_QUERY_FIELDS} query parameters")
            raise RequestInvalid([issue], "query") from None
        for name, value in pairs:
            raw_query.setdefault(name, []).append(value)
    query: dict[str, Any] = {}
    for param in op.query_parameters:
        values = raw_query.get(param.name)
        if values is None:
            if param.required:
                issues.append(Issue((param.name,), "required", f"query parameter {param.name!r} is required"))
            continue
        value = _coerce(values, param.types, param.item_types)
        found = [] if param.takes_any_text else param.validator.issues(value)
        if found:
            issues += _prefixed(found, param.name)
        query[param.name] = value
    if strict_query:
        for name in raw_query:
            if name not in op.query_names:
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
    lapses: list[Issue] = []
    if op.body is None and op.form is None and _holds_data(body):
        stray = RequestInvalid([Issue((), "requestBody", f"{op.operation_id} takes no request body")], "body")
        stray.operation = op
        if refuses(stray):
            raise stray
        lapses += stray.issues
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
            if content_type != JSON and not content_type.endswith("+json"):
                sent = f"Content-Type {content_type}" if content_type else "no Content-Type"
                lapses.append(Issue((), "content", f"{sent} for a JSON body"))
    return Parsed(path_params, query, parsed_body, lapses=tuple(lapses))


def _holds_data(body: bytes) -> bool:
    """Whether a body carries anything: some clients send `{}` (or whitespace) where an operation takes no body."""
    if not body:  # most requests to such an operation
        return False
    text = body.strip()
    return bool(text) and not (text.startswith(b"{") and text.endswith(b"}") and not text[1:-1].strip())


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
