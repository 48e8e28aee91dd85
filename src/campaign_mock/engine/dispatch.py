"""The request path, as one straight line:

session lookup -> route -> fault -> authentication -> rate limit -> request validation -> handler ->
response validation -> journal -> send.

`Dispatcher` is a plain ASGI app. Every step's failure becomes the vendor's documented error, rendered by
the vendor; anything unexpected becomes a JSON 500 that names the operation and is recorded as a violation,
never a stack trace.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from starlette.types import Message, Receive, Scope, Send

from .asgi import lifespan, read_body, send_json
from .catalog import ADMIN, Catalog
from .clock import format_instant
from .errors import ApiError
from .faults import Fault, take_fault
from .journal import Entry, Journal, Violation
from .parsing import Parsed, RequestInvalid, parse_request
from .rate_limit import Decision
from .routing import Match, NoMatch
from .service import Call, ErrorStyle, Reply, Vendor
from .sessions import DEFAULT_SESSION, Session, SessionStore
from .specs import Operation

log = logging.getLogger("campaign_mock")

ViolationPolicy = Literal["error", "warn"]

SESSION_PREFIX = "/__session/"
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")  # as admin.yaml's SessionName


Invoke = Callable[[Parsed], Awaitable[Reply]]


@dataclass(frozen=True)
class _Request:
    """What the dispatcher read off one HTTP request (path without the session and service prefixes)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    raw_headers: list[tuple[bytes, bytes]]
    body: bytes
    session: str
    root: str  # "/__session/NAME" when the session came from the path prefix
    started: float


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
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        if scope["method"] == "HEAD":  # answered as GET (the router maps it), without the body
            send = _without_body(send)
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
        raw_path = scope.get("raw_path")
        path: str = _decoded_except_slashes(raw_path) if raw_path else scope["path"]
        session_name = headers.get("x-mock-session") or DEFAULT_SESSION
        root = ""
        if path.startswith(SESSION_PREFIX):
            session_name, _, tail = path[len(SESSION_PREFIX) :].partition("/")
            root = SESSION_PREFIX + session_name
            path = "/" + tail
        if not SESSION_NAME.fullmatch(session_name):
            message = f"session names are 1-100 letters, digits, '_', '.' or '-'; got {session_name!r}"
            await send_json(send, 400, {"error": {"code": "invalid_session", "message": message}}, {})
            return
        service, _, rest = path[1:].partition("/")
        rest = "/" + rest
        body = await read_body(receive)
        method: str = scope["method"]
        query_string = scope.get("query_string", b"").decode("latin-1")

        request = _Request(method, rest, query_string, headers, raw_headers, body, session_name, root, started)
        if service in self.catalog.vendors:
            await self._serve_vendor(self.catalog.vendors[service], request, scope, send)
        elif service == ADMIN:
            await self._serve_admin(request, path, scope, send)
        else:
            await send_json(send, *self._index(service))

    async def _serve_vendor(self, vendor: Vendor, request: _Request, scope: Scope, send: Send) -> None:
        if request.path == "/openapi.json" and request.method in ("GET", "HEAD"):
            reply = self._spec_reply(vendor.name, scope, request.headers, request.root)
            await send_json(send, reply.status, reply.body, reply.headers)
            return
        session = self.store.get(request.session)
        reply, op, violations = await self._vendor(
            vendor, session, request.method, request.path, request.query, request.headers, request.body
        )
        payload = await send_json(send, reply.status, reply.body, reply.headers)
        if not self.record_journal:
            self.journal.add_violations(violations)
            return
        self.journal.add(
            Entry(
                id=self.journal.next_id(),
                time=session.clock.timestamp(),
                session=request.session,
                service=vendor.name,
                operation_id=op.operation_id if op else None,
                method=request.method,
                path=request.path,
                query=request.query,
                request_headers=request.raw_headers,
                request_body=request.body,
                status=reply.status,
                response_headers=reply.headers,
                response_body=payload,
                duration_ms=(time.perf_counter() - request.started) * 1000,
                violations=violations,
            )
        )

    async def _serve_admin(self, request: _Request, full_path: str, scope: Scope, send: Send) -> None:
        if request.path == "/openapi.json" and request.method in ("GET", "HEAD"):
            reply = self._spec_reply(ADMIN, scope, request.headers, "")
        else:
            headers = request.headers
            if request.root:
                # `/__session/NAME/__admin/...` acts on that session, as vendor paths under the prefix do;
                # without this a reset sent through a test's session URL would reset every session.
                headers = {**headers, "x-mock-session": request.session}
            # The admin spec documents its paths in full (`/__admin/health`).
            reply, _, violations = await self._admin(request.method, full_path, request.query, headers, request.body)
            self.journal.add_violations(violations)
        await send_json(send, reply.status, reply.body, reply.headers)

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

        fault = take_fault(session.faults, vendor.name, method, path, op.path if op else None)
        if fault is not None:
            fault_reply = await self._fault_reply(vendor, session, fault, key)
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
                raise _no_match_error(errors, method, path, match)
            assert op is not None
            parsed = parse_request(op, match.path_params, query_string, body, errors, vendor.strict_query)

            async def invoke(parsed: Parsed) -> Reply:
                handler = vendor.handlers.get(op.operation_id)
                if handler is None:
                    return _not_implemented(op)
                call = Call(op, parsed.path_params, parsed.query, parsed.body, headers, principal, state, session)
                return await handler(call)

            reply, violations = await self._run(op, parsed, invoke, errors, session.name)
        except ApiError as error:
            reply, violations = self._error_reply(error, errors), []
            if isinstance(error, RequestInvalid):
                violations = [self._request_violation(session.name, vendor.name, op, method, path, error)]
            if decision is None and error.status != 429:
                decision = _peek(session, vendor.name, key)
            if op is not None:
                violations += self._check_response(op, reply, session.name)
        if decision is not None:
            reply.headers.update(decision.headers())
        if fault is not None:
            reply.headers.update(fault.headers)
        return reply, op, violations

    async def _fault_reply(self, vendor: Vendor, session: Session, fault: Fault, key: str) -> Reply | None:
        """The fault's own answer, after its delay; None when it only delays or adds headers."""
        if fault.delay_ms:
            await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is None:
            return None
        decision = _peek(session, vendor.name, key)
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
            return self._error_reply(_no_match_error(errors, method, path, match), errors), None, []
        op = match.operation
        try:
            parsed = parse_request(op, match.path_params, query_string, body, errors, strict_query=True)
        except ApiError as error:
            return self._error_reply(error, errors), op, []

        async def invoke(parsed: Parsed) -> Reply:
            return await self.admin_invoke(op, parsed, headers)

        reply, violations = await self._run(op, parsed, invoke, errors, ADMIN)
        return reply, op, violations

    # -- shared steps -------------------------------------------------------------------------------
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
        return reply, self._check_response(op, reply, session)

    def _check_response(self, op: Operation, reply: Reply, session: str) -> list[Violation]:
        """Check the reply against the spec; a reply that breaks it becomes a 500 naming the operation (or, with
        `on_violation="warn"`, is passed on), and the violation is returned for the record."""
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
        if self.on_violation == "error":
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

    def _request_violation(
        self,
        session: str,
        service: str,
        op: Operation | None,
        method: str,
        path: str,
        error: RequestInvalid,
    ) -> Violation:
        issues = tuple({"where": i.where, "schemaPath": i.schema_path, "message": i.message} for i in error.issues)
        when = self._now_text(session)
        return Violation(
            "request", session, service, op.operation_id if op else None, method, path, error.status, issues, when
        )

    def _now_text(self, session: str) -> str:
        """A violation's time, read from the mock clock of its session (the server clock for admin calls), so
        a frozen clock makes violations as deterministic as the journal entries that carry them."""
        clock = self.store.clock if session == ADMIN else self.store.get(session).clock
        return format_instant(clock.now())

    def _error_reply(self, error: ApiError, errors: ErrorStyle) -> Reply:
        inner = error.inner if isinstance(error, RequestInvalid) else error
        return Reply(inner.status, errors.render(inner), dict(inner.headers))

    def _spec_reply(self, service: str, scope: Scope, headers: dict[str, str], root: str) -> Reply:
        host = headers.get("host") or "127.0.0.1"
        scheme = scope.get("scheme", "http")
        prefix = "" if service == ADMIN else f"/{service}"
        return Reply(200, self.catalog.specs[service].served(f"{scheme}://{host}{root}{prefix}"))

    def _index(self, service: str) -> tuple[int, Any, dict[str, str]]:
        """`/` lists what is served; any other unknown prefix answers 404 with the same list."""
        vendors = sorted(self.catalog.vendors)
        listing: dict[str, Any] = {
            "vendors": {v: {"prefix": f"/{v}", "openapi": f"/{v}/openapi.json"} for v in vendors},
            "admin": {"prefix": f"/{ADMIN}", "openapi": f"/{ADMIN}/openapi.json"},
        }
        if not service:
            return 200, {"name": "campaign-mock", **listing}, {}
        known = ", ".join(f"/{v}" for v in [*vendors, ADMIN])
        message = f"no vendor is served under /{service}; known prefixes: {known}"
        return 404, {"error": {"code": "unknown_prefix", "message": message}, **listing}, {}


_ENCODED_SLASH = re.compile(r"%2[Ff]")


def _decoded_except_slashes(raw: bytes) -> str:
    """The request path percent-decoded, except that `%2F` stays encoded: a slash inside an id must not become
    a separator (the router turns it back into `/` in the parameters it captures)."""
    return "%2F".join(unquote(part) for part in _ENCODED_SLASH.split(raw.decode("latin-1")))


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


def _peek(session: Session, vendor: str, key: str) -> Decision | None:
    """The rate-limit reading for a request that does not count (an auth failure, a fault), for its headers."""
    policy = session.policy(vendor)
    if policy is None:
        return None
    return session.limiter.check(vendor, key, policy, session.clock.timestamp(), count=False)


def _no_match_error(errors: ErrorStyle, method: str, path: str, match: NoMatch) -> ApiError:
    return errors.method_not_allowed(method, match.allowed) if match.allowed else errors.route_not_found(path)


def _not_implemented(op: Operation) -> Reply:
    return Reply(
        501,
        {
            "error": "not_implemented",
            "operation": op.operation_id,
            "message": f"{op.method} {op.path} ({op.operation_id}) has no handler yet",
        },
    )
