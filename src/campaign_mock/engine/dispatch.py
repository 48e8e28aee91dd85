"""The request path, as one straight line:

session lookup -> route -> fault -> authentication -> rate limit -> request validation -> handler ->
response validation -> journal -> send.

`Dispatcher` is a plain ASGI app. Every step's failure becomes the vendor's documented error, rendered by
the vendor; anything unexpected becomes a JSON 500 that names the operation and is recorded as a violation,
never a stack trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from .catalog import ADMIN, Catalog
from .clock import format_instant
from .errors import ApiError
from .journal import Entry, Journal, Violation
from .rate_limit import Decision
from .routing import Match, NoMatch
from .service import Call, ErrorStyle, Reply, Vendor
from .sessions import DEFAULT_SESSION, Session, SessionStore
from .specs import Operation
from .validation import Issue

log = logging.getLogger("campaign_mock")

ViolationPolicy = Literal["error", "warn"]

SESSION_PREFIX = "/__session/"
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")  # as admin.yaml's SessionName
_JSON = [(b"content-type", b"application/json")]


@dataclass(frozen=True)
class Parsed:
    """A validated request: path parameters, typed query parameters and the JSON body."""

    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any


Invoke = Callable[[Parsed], Awaitable[Reply]]


class Dispatcher:
    def __init__(
        self,
        catalog: Catalog,
        store: SessionStore,
        journal: Journal,
        admin_invoke: Callable[[Operation, Parsed, dict[str, str]], Awaitable[Reply]],
        admin_errors: ErrorStyle,
        on_violation: ViolationPolicy = "error",
        record_journal: bool = True,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.journal = journal
        self.admin_invoke = admin_invoke
        self.admin_errors = admin_errors
        self.on_violation = on_violation
        self.record_journal = record_journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
        path: str = scope["path"]
        session_name = headers.get("x-mock-session") or DEFAULT_SESSION
        root = ""
        if path.startswith(SESSION_PREFIX):
            session_name, _, tail = path[len(SESSION_PREFIX) :].partition("/")
            root = SESSION_PREFIX + session_name
            path = "/" + tail
        if not SESSION_NAME.fullmatch(session_name):
            message = f"session names are 1-100 letters, digits, '_', '.' or '-'; got {session_name!r}"
            await _send(send, 400, {"error": {"code": "invalid_session", "message": message}}, {})
            return
        service, _, rest = path[1:].partition("/")
        rest = "/" + rest
        body = await _read_body(receive)
        method: str = scope["method"]
        query_string = scope.get("query_string", b"").decode("latin-1")

        if service in self.catalog.vendors:
            vendor = self.catalog.vendors[service]
            if rest == "/openapi.json" and method == "GET":
                reply = self._spec_reply(service, scope, headers, root)
                await _send(send, reply.status, reply.body, reply.headers)
                return
            session = self.store.get(session_name)
            reply, op, violations = await self._vendor(vendor, session, method, rest, query_string, headers, body)
            payload = await _send(send, reply.status, reply.body, reply.headers)
            if self.record_journal:
                self.journal.add(
                    Entry(
                        id=self.journal.next_id(),
                        time=session.clock.timestamp(),
                        session=session_name,
                        service=service,
                        operation_id=op.operation_id if op else None,
                        method=method,
                        path=rest,
                        query=query_string,
                        request_headers=raw_headers,
                        request_body=body,
                        status=reply.status,
                        response_headers=reply.headers,
                        response_body=payload,
                        duration_ms=(time.perf_counter() - started) * 1000,
                        violations=violations,
                    )
                )
            elif violations:
                self.journal.add_violations(violations)
        elif service == ADMIN:
            if rest == "/openapi.json" and method == "GET":
                reply = self._spec_reply(ADMIN, scope, headers, "")
            else:
                if root:
                    # `/__session/NAME/__admin/...` acts on that session, as vendor paths under the prefix do;
                    # without this a reset sent through a test's session URL would reset every session.
                    headers["x-mock-session"] = session_name
                # The admin spec documents its paths in full (`/__admin/health`).
                reply, _, violations = await self._admin(method, path, query_string, headers, body)
                if violations:
                    self.journal.add_violations(violations)
            await _send(send, reply.status, reply.body, reply.headers)
        else:
            await _send(send, *self._index(service))

    # -- vendors ------------------------------------------------------------------------------------
    async def _vendor(
        self,
        vendor: Vendor,
        session: Session,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply, Operation | None, list[Violation]]:
        router = self.catalog.routers[vendor.name]
        match = router.match(method, path)
        op = match.operation if isinstance(match, Match) else None
        errors = vendor.errors
        policy = session.policy(vendor.name)
        key = vendor.rate_limit_key(headers) if vendor.rate_limit_key else ""
        decision: Decision | None = None

        if session.faults:
            fault_reply = await self._fault(vendor, session, method, path, op, key)
            if fault_reply is not None:
                return fault_reply, op, []
        try:
            state = session.states[vendor.name]
            principal = vendor.authenticate(headers, state, session.variants)
            if policy is not None:
                decision = session.limiter.check(vendor.name, key, policy, session.clock.timestamp())
                if not decision.allowed:
                    raise errors.for_status(429, decision)
            if isinstance(match, NoMatch):
                if match.allowed:
                    raise errors.method_not_allowed(method, match.allowed)
                raise errors.route_not_found(path)
            assert op is not None
            parsed = self._parse(op, match.path_params, query_string, body, errors, vendor.strict_query)

            async def invoke(parsed: Parsed) -> Reply:
                handler = vendor.handlers.get(op.operation_id)
                if handler is None:
                    return _not_implemented(op)
                call = Call(op, parsed.path_params, parsed.query, parsed.body, headers, principal, state, session)
                return await handler(call)

            reply, violations = await self._run(op, parsed, invoke, errors, session.name)
        except ApiError as error:
            reply, violations = self._error_reply(error, errors), []
            if isinstance(error, _RequestInvalid):
                violations = [self._violation("request", session.name, vendor.name, op, method, path, error)]
            if decision is None and policy is not None and error.status != 429:
                decision = session.limiter.check(vendor.name, key, policy, session.clock.timestamp(), count=False)
            if op is not None and error.status != 501:
                violations += self._check_response(op, reply, session.name)
        if decision is not None:
            reply.headers.update(decision.headers())
        return reply, op, violations

    async def _fault(
        self, vendor: Vendor, session: Session, method: str, path: str, op: Operation | None, key: str
    ) -> Reply | None:
        from .faults import take_fault

        fault = take_fault(session.faults, vendor.name, method, path, op.path if op else None)
        if fault is None:
            return None
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is None:
            return None
        policy = session.policy(vendor.name)
        decision = (
            session.limiter.check(vendor.name, key, policy, session.clock.timestamp(), count=False) if policy else None
        )
        if fault.body is not None:
            reply = Reply(fault.status, fault.body)
        else:
            reply = self._error_reply(vendor.errors.for_status(fault.status, decision), vendor.errors)
        if decision is not None:
            reply.headers.update(decision.headers())
        reply.headers.update(fault.headers)
        return reply

    # -- admin --------------------------------------------------------------------------------------
    async def _admin(
        self, method: str, path: str, query_string: str, headers: dict[str, str], body: bytes
    ) -> tuple[Reply, Operation | None, list[Violation]]:
        errors = self.admin_errors
        match = self.catalog.routers[ADMIN].match(method, path)
        if isinstance(match, NoMatch):
            error = errors.method_not_allowed(method, match.allowed) if match.allowed else errors.route_not_found(path)
            return self._error_reply(error, errors), None, []
        op = match.operation
        try:
            parsed = self._parse(op, match.path_params, query_string, body, errors, strict_query=True)
        except ApiError as error:
            return self._error_reply(error, errors), op, []

        async def invoke(parsed: Parsed) -> Reply:
            return await self.admin_invoke(op, parsed, headers)

        reply, violations = await self._run(op, parsed, invoke, errors, ADMIN)
        return reply, op, violations

    # -- shared steps -------------------------------------------------------------------------------
    def _parse(
        self,
        op: Operation,
        path_params: dict[str, str],
        query_string: str,
        body: bytes,
        errors: ErrorStyle,
        strict_query: bool,
    ) -> Parsed:
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
            raise _RequestInvalid(errors.invalid_request(issues, "query"), issues)
        parsed_body: Any = None
        if op.body is not None:
            if not body.strip():
                if op.body_required:
                    issue = Issue((), "required", "a JSON request body is required")
                    raise _RequestInvalid(errors.invalid_request([issue], "body"), [issue])
            else:
                try:
                    parsed_body = json.loads(body)
                except json.JSONDecodeError as exc:
                    issue = Issue((), "", f"the body is not valid JSON ({exc.msg} at position {exc.pos})")
                    raise _RequestInvalid(errors.invalid_request([issue], "body"), [issue]) from None
                except UnicodeDecodeError:
                    issue = Issue((), "", "the body is not UTF-8 text")
                    raise _RequestInvalid(errors.invalid_request([issue], "body"), [issue]) from None
                issues = op.body.issues(parsed_body)
                if issues:
                    raise _RequestInvalid(errors.invalid_request(issues, "body"), issues)
        return Parsed(path_params, query, parsed_body)

    async def _run(
        self, op: Operation, parsed: Parsed, invoke: Invoke, errors: ErrorStyle, session: str
    ) -> tuple[Reply, list[Violation]]:
        try:
            reply = await invoke(parsed)
        except ApiError as error:
            reply = self._error_reply(error, errors)
        except Exception:  # a bug of ours: answer in JSON, name the operation, and keep serving
            log.exception("handler for %s failed", op.operation_id)
            reply = Reply(
                500,
                {
                    "error": "mock_internal_error",
                    "operation": op.operation_id,
                    "message": "the mock's handler failed; see the server log",
                },
            )
            issue = {"schemaPath": "", "message": "handler raised an exception", "where": ""}
            when = self._now_text(session)
            return reply, [
                Violation("response", session, op.service, op.operation_id, op.method, op.path, 500, (issue,), when)
            ]
        if reply.status == 501:
            return reply, []
        return reply, self._check_response(op, reply, session, replace=True)

    def _check_response(self, op: Operation, reply: Reply, session: str, replace: bool = True) -> list[Violation]:
        spec = op.response_for(reply.status)
        issues: list[dict[str, str]] = []
        if spec is None:
            issues.append(
                {
                    "where": "",
                    "schemaPath": "responses",
                    "message": f"status {reply.status} is not documented for {op.operation_id}",
                }
            )
        elif spec.validator is None:
            if reply.body is not None:
                issues.append(
                    {
                        "where": "",
                        "schemaPath": f"responses/{reply.status}",
                        "message": "the spec documents no body for this status",
                    }
                )
        else:
            for issue in spec.validator.issues(reply.body):
                issues.append(
                    {
                        "where": issue.where,
                        "schemaPath": f"responses/{reply.status}/{issue.schema_path}",
                        "message": issue.message,
                    }
                )
        if not issues:
            return []
        violation = Violation(
            "response",
            session,
            op.service,
            op.operation_id,
            op.method,
            op.path,
            reply.status,
            tuple(issues),
            self._now_text(session),
        )
        log.error("response broke the contract of %s: %s", op.operation_id, issues)
        if replace and self.on_violation == "error":
            first = issues[0]
            body = {
                "error": "mock_contract_violation",
                "operation": op.operation_id,
                "status": reply.status,
                "schemaPath": first["schemaPath"],
                "where": first["where"],
                "message": first["message"],
            }
            reply.status, reply.body, reply.headers = 500, body, {}
        return [violation]

    def _violation(
        self,
        kind: str,
        session: str,
        service: str,
        op: Operation | None,
        method: str,
        path: str,
        error: _RequestInvalid,
    ) -> Violation:
        issues = tuple({"where": i.where, "schemaPath": i.schema_path, "message": i.message} for i in error.issues)
        when = self._now_text(session)
        return Violation(
            kind, session, service, op.operation_id if op else None, method, path, error.status, issues, when
        )

    def _now_text(self, session: str) -> str:
        """A violation's time, read from the mock clock of its session (the server clock for admin calls), so
        a frozen clock makes violations as deterministic as the journal entries that carry them."""
        clock = self.store.clock if session == ADMIN else self.store.get(session).clock
        return format_instant(clock.now())

    def _error_reply(self, error: ApiError, errors: ErrorStyle) -> Reply:
        inner = error.inner if isinstance(error, _RequestInvalid) else error
        return Reply(inner.status, errors.render(inner), dict(inner.headers))

    def _spec_reply(self, service: str, scope: Scope, headers: dict[str, str], root: str) -> Reply:
        host = headers.get("host") or "127.0.0.1"
        scheme = scope.get("scheme", "http")
        prefix = "" if service == ADMIN else f"/{service}"
        return Reply(200, self.catalog.specs[service].served(f"{scheme}://{host}{root}{prefix}"))

    def _index(self, service: str) -> tuple[int, Any, dict[str, str]]:
        vendors = sorted(self.catalog.vendors)
        body = {
            "error": {
                "code": "unknown_prefix",
                "message": f"no vendor is served under /{service}; known prefixes: "
                + ", ".join(f"/{v}" for v in [*vendors, ADMIN]),
            },
            "vendors": {v: {"prefix": f"/{v}", "openapi": f"/{v}/openapi.json"} for v in vendors},
        }
        return 404, body, {}


class _RequestInvalid(ApiError):
    """A vendor error raised because the request broke the spec; carries the issues for the violation log."""

    def __init__(self, inner: ApiError, issues: list[Issue]) -> None:
        super().__init__(inner.status, inner.code, inner.message, details=inner.details, headers=inner.headers)
        self.inner = inner
        self.issues = issues


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


def _not_implemented(op: Operation) -> Reply:
    return Reply(
        501,
        {
            "error": "not_implemented",
            "operation": op.operation_id,
            "message": f"{op.method} {op.path} ({op.operation_id}) has no handler yet",
        },
    )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, status: int, body: Any, headers: dict[str, str]) -> bytes:
    if body is None and (status == 204 or status < 200):
        payload = b""
        raw_headers = []
    else:
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        raw_headers = list(_JSON)
    raw_headers.append((b"content-length", str(len(payload)).encode()))
    raw_headers.extend((k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items())
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
    return payload


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
