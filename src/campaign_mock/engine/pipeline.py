"""The request path, one way through:

session -> route -> body (within the size limit) -> fault -> authentication -> rate limit -> request validation
-> handler (the vendor's state caught up to the clock first) -> finish -> send -> journal.

One `Exchange` carries a request through named steps. A step that fails raises an `ApiError` (the engine's own
HTTP errors included), which the vendor's renderer turns into its documented body; whatever the reply came from
(handler, error or injected fault), it leaves through `_finish`, which checks it against the spec and adds the
rate-limit and fault headers, and is then sent and journaled. A client that disconnects before its body arrived
gets nothing, and nothing is done. The admin API is a service on the same path, with its
own handler table and error shape, no vendor authentication or rate limit, and the admin token when one is set
(engine/admin_auth.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

from starlette.types import Message, Receive, Scope, Send

from .admin import Admin
from .admin_auth import AdminGuard, Unauthorized
from .asgi import ClientGone, close_connection, declares_no_body, read_body, send_cut, send_json
from .catalog import ADMIN, Catalog
from .clock import format_instant
from .errors import (
    ApiError,
    InjectedFault,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    RequestInvalid,
    RouteNotFound,
)
from .faults import Step, take_fault
from .journal import Journal, Violation
from .parsing import Form, Parsed, media_type, parse_request, read_form
from .rate_limit import Decision, RateLimitPolicy
from .routing import Match, NoMatch, Router
from .sessions import DEFAULT_SESSION, Session, SessionStore
from .specs import FORM, JSON, Operation
from .validation import Issue
from .vendor import AuthRequest, Call, ErrorRenderer, Reply, Vendor

log = logging.getLogger("campaign_mock")

ViolationPolicy = Literal["error", "warn"]

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
SESSION_PREFIX = "/__session/"
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")  # as admin.yaml's SessionName
_ENCODED_SLASH = re.compile(r"%2[Ff]")


@dataclass(slots=True, eq=False)
class Exchange:
    """One request on its way through, and what each step found out about it."""

    method: str
    path: str  # without the session prefix and the service prefix
    full_path: str  # without the session prefix (the admin spec documents its paths in full)
    query: str
    headers: dict[str, str]
    raw_headers: list[tuple[bytes, bytes]]
    session_name: str
    root: str  # "/__session/NAME" when the session came from the path prefix
    service: str
    started: float
    body: bytes = b""
    session: Session | None = None
    match: Match | NoMatch | None = None
    operation: Operation | None = None  # the operation routed to (None: no route)
    fault: Step | None = None  # what an injected fault does to the request
    principal: Any = None
    decision: Decision | None = None
    reply: Reply | None = None
    injected: bool = False  # the reply is an injected fault's
    exempt: bool = False  # the reply may have a status the operation does not document (a fault's, a mock limit's)
    checked: bool = True  # the reply is checked against the spec (not a 501 or a crash report)
    # Empty tuples until there is something to say (most requests): no list is made for nothing.
    violations: Sequence[Violation] = ()
    lapses: Sequence[Issue] = ()  # what the request got wrong without being refused for it

    def note(self, *found: Violation) -> None:
        if found:
            self.violations = [*self.violations, *found]


class Pipeline:
    """The engine's ASGI app: every request the Starlette router receives comes here."""

    def __init__(
        self,
        catalog: Catalog,
        store: SessionStore,
        journal: Journal,
        admin: Admin,
        on_violation: ViolationPolicy = "error",
        record_journal: bool = True,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        admin_guard: AdminGuard | None = None,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.journal = journal
        self.admin = admin
        self.on_violation = on_violation
        self.record_journal = record_journal
        self.max_body_bytes = max_body_bytes
        # Told of every answered exchange, after it is journaled (`serve`'s request log); None: nobody listens.
        self.request_log: Callable[[Exchange], None] | None = None
        # Who may use the admin API (`serve --admin-token`); by default, anyone.
        self.admin_guard = admin_guard or AdminGuard(None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "HEAD":  # answered as GET (the router maps it), without the body
            send = _without_body(send)
        ex = self._session_step(scope)
        try:
            if ex.reply is None:
                vendor = self.catalog.vendors.get(ex.service)
                if vendor is not None:
                    await self._vendor(ex, vendor, scope, receive)
                elif ex.service == ADMIN:
                    await self._admin(ex, scope, receive)
                else:
                    ex.reply = self._index(ex.service)
        except ClientGone:
            return  # the request never arrived in full: nothing was done, and there is nobody to answer
        assert ex.reply is not None
        reply, fault = ex.reply, ex.fault
        if fault is None or not (fault.reset or fault.malformed):
            payload = await send_json(send, reply.status, reply.body, reply.headers, reply.media_type)
        elif fault.reset:
            await close_connection(receive)
            ex.reply = Reply(0)  # journaled as status 0: no answer at all
            payload = b""
        else:
            payload = await send_cut(send, receive, reply.status, reply.body, reply.headers, reply.media_type)
        self._record(ex, payload)
        if ex.session is not None:
            self.store.mark_changed(ex.session.name)  # for the state file: a request that reached it may change it
        if self.request_log is not None:
            self.request_log(ex)

    # -- steps --------------------------------------------------------------------------------------
    def _session_step(self, scope: Scope) -> Exchange:
        """Read the session (header or path prefix) and the service prefix off the request."""
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        names = _HEADER_NAMES
        headers = {names.get(k) or _header_name(k): v.decode("latin-1") for k, v in raw_headers}
        raw_path = scope.get("raw_path")
        path: str = _decoded_except_slashes(raw_path) if raw_path else scope["path"]
        session_name = headers.get("x-mock-session") or DEFAULT_SESSION
        root = ""
        if path.startswith(SESSION_PREFIX):
            session_name, _, tail = path[len(SESSION_PREFIX) :].partition("/")
            root = SESSION_PREFIX + session_name
            path = "/" + tail
        slash = path.find("/", 1)  # the end of the service prefix
        service, within = (path[1:slash], path[slash:]) if slash > 0 else (path[1:], "/")
        query = scope.get("query_string", b"").decode("latin-1")
        # Positional, in field order: a keyword call costs nearly twice as much, and one is made per request.
        ex = Exchange(
            scope["method"],
            within,  # path
            path,  # full_path
            query,
            headers,
            raw_headers,
            session_name,
            root,
            service,
            time.perf_counter(),
        )
        if session_name != DEFAULT_SESSION and not SESSION_NAME.fullmatch(session_name):
            message = f"session names are 1-100 letters, digits, '_', '.' or '-'; got {session_name!r}"
            ex.reply = Reply(400, {"error": {"code": "invalid_session", "message": message}})
        return ex

    async def _vendor(self, ex: Exchange, vendor: Vendor[Any], scope: Scope, receive: Receive) -> None:
        if ex.path == "/openapi.json" and ex.method in ("GET", "HEAD"):
            ex.reply = self._spec_reply(vendor.name, scope, ex)
            return
        ex.session = self.store.get(ex.session_name)
        try:
            self._route(ex, self.catalog.routers[vendor.name], ex.path)  # first: a 413 names its operation too
            http_version = scope.get("http_version", "1.1")
            if not declares_no_body(ex.headers, http_version):  # else ex.body stays empty, with no coroutine made
                ex.body = await read_body(receive, ex.headers, self.max_body_bytes, http_version)
            if ex.session.faults:
                await self._fault(ex, vendor)
            if ex.reply is None:
                self._authenticate(ex, vendor)
                if vendor.rate_limit is not None:
                    self._rate_limit(ex, vendor)
                form = await self._form(ex) if ex.operation is not None and ex.operation.form is not None else None
                parsed = self._validate(ex, vendor.strict_query, ex.path, form, vendor.errors)
                ex.reply = await self._handle(ex, vendor, parsed)
        except ApiError as error:
            self._fail(ex, error, vendor.errors, vendor.name)
        self._finish(ex, vendor)

    def _route(self, ex: Exchange, router: Router, path: str) -> None:
        """Find the operation; a path that matches none is refused later, once the caller is known."""
        ex.match = match = router.match(ex.method, path)
        ex.operation = match.operation if isinstance(match, Match) else None

    async def _fault(self, ex: Exchange, vendor: Vendor[Any]) -> None:
        """Apply the first matching fault that fires: its delay, then its own answer (if it gives a status), or
        no answer (a reset; a malformed answer is cut when it is sent)."""
        session = ex.session
        assert session is not None
        op = ex.operation
        template = op.path if op else None
        step = take_fault(session.faults, vendor.name, ex.method, ex.path, template, session.chance)
        if step is None:
            return
        ex.fault, ex.injected = step, step.malformed
        if step.delay_ms:
            await asyncio.sleep(step.delay_ms / 1000)
        if step.reset:
            ex.reply, ex.injected, ex.checked = Reply(0), True, False
            return
        if step.status is None:
            return  # the normal answer, delayed, with headers added, or cut
        ex.decision = self._peek(ex, vendor)
        if step.status == 429:  # a rate limit used up, with the vendor's headers saying so
            ex.decision = step.exhausted(ex.decision, session.clock.timestamp())
        if step.body is None:
            raise InjectedFault(step.status, ex.decision)
        ex.reply, ex.injected, ex.exempt = Reply(step.status, step.body), True, True

    def _authenticate(self, ex: Exchange, vendor: Vendor[Any]) -> None:
        assert ex.session is not None
        session = ex.session
        request = AuthRequest(ex.operation, ex.headers, session.states[vendor.name], session.variants, session.clock)
        ex.principal = vendor.authenticate(request)

    def _rate_limit(self, ex: Exchange, vendor: Vendor[Any]) -> None:
        """Count the request against every limit that applies; one that is used up refuses it (counting none)."""
        limits = self._limits(ex, vendor)
        if not limits:
            return
        assert ex.session is not None
        limiter, now = ex.session.limiter, ex.session.clock.timestamp()
        if len(limits) > 1:
            peeked = [limiter.check(*limit, now, count=False) for limit in limits]
            refused = next((d for d in peeked if not d.allowed), None)
            if refused is not None:
                ex.decision = refused
                raise RateLimited(refused)
        readings = [limiter.check(*limit, now) for limit in limits]
        ex.decision = min(readings, key=lambda d: (d.allowed, d.remaining))
        if not ex.decision.allowed:
            raise RateLimited(ex.decision)

    def _limits(self, ex: Exchange, vendor: Vendor[Any]) -> list[tuple[str, str, RateLimitPolicy]]:
        """`(counter, key, policy)` for each limit on this request: the vendor-wide one, and the operation's own
        (counted per value of a path or query parameter when the spec says so)."""
        session = ex.session
        if vendor.rate_limit is None or session is None:
            return []
        key = vendor.rate_limit.key(ex.headers)
        out = []
        policy = session.policy(vendor.name)
        if policy is not None:
            out.append((vendor.name, key, policy))
        op = ex.operation
        op_policy = session.operation_policy(op) if op is not None else None
        if op is not None and op.rate_limit is not None and op_policy is not None:
            per = op.rate_limit.per
            if per is not None:
                if op.rate_limit.location == "path":
                    value = ex.match.path_params.get(per, "") if isinstance(ex.match, Match) else ""
                else:
                    value = next((v for k, v in parse_qsl(ex.query, keep_blank_values=True) if k == per), "")
                key = f"{key}|{value}"
            out.append((f"{vendor.name}/{op.operation_id}", key, op_policy))
        return out

    async def _form(self, ex: Exchange) -> Form | None:
        """A multipart body, read, when the request sends one (to an operation that takes one)."""
        if media_type(ex.headers) != FORM:
            return None
        return await read_form(ex.headers, ex.body, self.max_body_bytes)

    def _validate(
        self, ex: Exchange, strict_query: bool, path: str, form: Form | None, renderer: ErrorRenderer
    ) -> Parsed:
        match = ex.match
        if isinstance(match, NoMatch):
            if match.allowed:
                raise MethodNotAllowed(ex.method, match.allowed)
            raise RouteNotFound(path)
        assert match is not None
        op = match.operation

        def refuses(error: RequestInvalid) -> bool:
            """A refusal the vendor documents for this operation; else the request is answered as usual."""
            return op.response_for(renderer.documented(error).status) is not None

        content_type = media_type(ex.headers) if ex.body else JSON  # it is only read for a body
        parsed = parse_request(op, match.path_params, ex.query, ex.body, strict_query, form, content_type, refuses)
        ex.lapses = parsed.lapses
        return parsed

    async def _handle(self, ex: Exchange, vendor: Vendor[Any], parsed: Parsed) -> Reply:
        op = ex.operation
        session = ex.session
        assert op is not None and session is not None
        handler = vendor.handlers.get(op.operation_id)
        if handler is None:
            ex.checked = False
            return _not_implemented(op)
        stamp = session.clock.timestamp()
        state = session.catch_up(vendor.name, stamp)
        # Positional, in field order: a keyword call costs nearly twice as much, and one is made per request.
        call = Call(
            op,
            parsed.path_params,
            parsed.query,
            parsed.body,
            ex.headers,
            ex.principal,
            state,
            stamp,
            session.ids,
            session.chance,
            session.variants,
            parsed.files,
            session.emit,
        )
        try:
            return await handler(call)
        except ApiError:
            raise
        except Exception:  # a bug of ours: answer in JSON, name the operation, and keep serving
            return self._crash_report(ex, op)

    def _fail(self, ex: Exchange, error: ApiError, renderer: ErrorRenderer, service: str) -> None:
        """The reply for a failed step: the vendor's documented error for it."""
        error.operation = ex.operation
        documented = renderer.documented(error)
        documented.operation = ex.operation
        if isinstance(error, RequestInvalid) and ex.session is not None:
            ex.note(self._request_violation(ex, error.issues, documented.status, service))
        ex.reply = Reply(documented.status, renderer.render(documented), dict(documented.headers))
        if isinstance(error, MethodNotAllowed):
            ex.reply.headers["Allow"] = ", ".join(error.allowed)
        injected = isinstance(error, InjectedFault)
        ex.injected = ex.injected or injected  # an answer a fault will cut is injected too, whatever its status
        # A fault may answer any status, and so may the mock's own body limit: no operation documents it.
        ex.exempt = ex.exempt or injected or isinstance(error, PayloadTooLarge)

    def _finish(self, ex: Exchange, vendor: Vendor[Any] | None) -> None:
        """What every reply gets: the contract check, then rate-limit headers and the fault's headers (added after
        the check, so a reply the check replaces with a 500 keeps them too)."""
        reply = ex.reply
        assert reply is not None
        op = ex.operation
        # A fault may answer any status; a body it carries for a documented one is still checked.
        if op is not None and ex.checked and not (ex.exempt and op.response_for(reply.status) is None):
            ex.note(*self._check_response(op, reply, ex.session.name if ex.session else ADMIN))
        if ex.lapses and vendor is not None and ex.session is not None:
            ex.note(self._request_violation(ex, ex.lapses, reply.status, vendor.name))
        if vendor is not None and vendor.rate_limit is not None:
            decision = ex.decision or self._peek(ex, vendor)
            if decision is not None:
                reply.headers.update(decision.headers())
        if ex.fault is not None:
            reply.headers.update(ex.fault.reply_headers())

    # -- the admin service ----------------------------------------------------------------------------
    async def _admin(self, ex: Exchange, scope: Scope, receive: Receive) -> None:
        if not self.admin_guard.admits(ex.method, ex.full_path, ex.headers):
            self._fail(ex, Unauthorized(), self.admin.errors, ADMIN)
            return
        if ex.path == "/openapi.json" and ex.method in ("GET", "HEAD"):
            ex.reply = self._spec_reply(ADMIN, scope, ex, root="")
            return
        headers = ex.headers
        if ex.root:
            # `/__session/NAME/__admin/...` acts on that session, as vendor paths under the prefix do;
            # without this a reset sent through a test's session URL would reset every session.
            headers = {**headers, "x-mock-session": ex.session_name}
        try:
            self._route(ex, self.catalog.routers[ADMIN], ex.full_path)
            ex.body = await read_body(receive, ex.headers, self.max_body_bytes, scope.get("http_version", "1.1"))
            parsed = self._validate(ex, True, ex.full_path, None, self.admin.errors)
            op = ex.operation
            assert op is not None
            try:
                ex.reply = await self.admin.handle(op, parsed, headers)
            except ApiError:
                raise
            except Exception:
                ex.reply = self._crash_report(ex, op)
        except ApiError as error:
            self._fail(ex, error, self.admin.errors, ADMIN)
        self._finish(ex, None)

    # -- recording ------------------------------------------------------------------------------------
    def _record(self, ex: Exchange, payload: bytes) -> None:
        """Vendor exchanges go to the journal (with their violations); admin violations are kept on their own."""
        session = ex.session
        if session is None or not self.record_journal:
            self.journal.add_violations(ex.violations)
            return
        reply = ex.reply
        assert reply is not None
        op = ex.operation
        journal = self.journal
        # Positional, in Entry's field order: the journal keeps them as they are (see Journal.record).
        journal.record(
            journal.next_id(),
            session.clock.timestamp(),  # time
            ex.session_name,
            ex.service,
            op.operation_id if op else None,
            ex.method,
            ex.path,
            ex.query,
            ex.raw_headers,
            ex.body,
            reply.status,
            reply.headers,
            payload,
            (time.perf_counter() - ex.started) * 1000,
            ex.violations,
            ex.injected,
        )

    def _check_response(self, op: Operation, reply: Reply, session: str) -> list[Violation]:
        """Check the reply against the spec; a reply that breaks it becomes a 500 naming the operation (or, with
        `on_violation="warn"`, is passed on), and the violation is returned for the record."""
        spec = op.response_for(reply.status)
        issues: list[dict[str, str]] = []
        if spec is None:
            message = f"status {reply.status} is not documented for {op.operation_id}"
            issues.append({"where": "", "schemaPath": "responses", "message": message})
        elif isinstance(reply.body, bytes):
            # Compared without parameters (`text/csv; charset=utf-8` is `text/csv`); JSON belongs in a JSON body.
            media = (reply.media_type or "").partition(";")[0].strip().lower()
            if media == JSON or media not in spec.media_types:
                message = f"the spec documents no {reply.media_type} body for this status"
                issues.append({"where": "", "schemaPath": f"responses/{reply.status}", "message": message})
        elif spec.validator is None:
            if reply.body is not None:
                message = "the spec documents no JSON body for this status"
                issues.append({"where": "", "schemaPath": f"responses/{reply.status}", "message": message})
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
        violation = self._response_violation(session, op, reply.status, issues)
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

    def _crash_report(self, ex: Exchange, op: Operation) -> Reply:
        log.exception("handler for %s failed", op.operation_id)
        ex.checked = False
        session = ex.session.name if ex.session else ADMIN
        issue = {"schemaPath": "", "message": "handler raised an exception", "where": ""}
        ex.note(self._response_violation(session, op, 500, [issue]))
        message = "the mock's handler failed; see the server log"
        return Reply(500, {"error": "mock_internal_error", "operation": op.operation_id, "message": message})

    def _response_violation(self, session: str, op: Operation, status: int, issues: list[dict[str, str]]) -> Violation:
        return Violation(
            "response",
            session,
            op.service,
            op.operation_id,
            op.method,
            op.path,
            status,
            tuple(issues),
            self._now_text(session),
        )

    def _request_violation(self, ex: Exchange, found: Sequence[Issue], status: int, service: str) -> Violation:
        issues = tuple({"where": i.where, "schemaPath": i.schema_path, "message": i.message} for i in found)
        op = ex.operation
        session = ex.session_name
        return Violation(
            "request",
            session,
            service,
            op.operation_id if op else None,
            ex.method,
            ex.path,
            status,
            issues,
            self._now_text(session),
        )

    def _now_text(self, session: str) -> str:
        """A violation's time, read from the mock clock of its session (the server clock for admin calls), so
        a frozen clock makes violations as deterministic as the journal entries that carry them."""
        clock = self.store.clock if session == ADMIN else self.store.get(session).clock
        return format_instant(clock.now())

    # -- what is not an operation ---------------------------------------------------------------------
    def _peek(self, ex: Exchange, vendor: Vendor[Any]) -> Decision | None:
        """The rate-limit reading for a request that does not count (an auth failure, a fault), for its headers."""
        limits = self._limits(ex, vendor)
        if not limits:
            return None
        assert ex.session is not None
        now = ex.session.clock.timestamp()
        readings = [ex.session.limiter.check(*limit, now, count=False) for limit in limits]
        return min(readings, key=lambda d: (d.allowed, d.remaining))

    def _spec_reply(self, service: str, scope: Scope, ex: Exchange, root: str | None = None) -> Reply:
        host = ex.headers.get("host") or "127.0.0.1"
        scheme = scope.get("scheme", "http")
        prefix = "" if service == ADMIN else f"/{service}"
        base = ex.root if root is None else root
        served = self.catalog.specs[service].served_json(f"{scheme}://{host}{base}{prefix}")
        return Reply(200, served, media_type="application/json")

    def _index(self, service: str) -> Reply:
        """`/` lists what is served; any other unknown prefix answers 404 with the same list."""
        vendors = sorted(self.catalog.vendors)
        listing: dict[str, Any] = {
            "vendors": {v: {"prefix": f"/{v}", "openapi": f"/{v}/openapi.json"} for v in vendors},
            "admin": {"prefix": f"/{ADMIN}", "openapi": f"/{ADMIN}/openapi.json"},
        }
        if not service:
            return Reply(200, {"name": "campaign-mock", **listing})
        known = ", ".join(f"/{v}" for v in [*vendors, ADMIN])
        message = f"no vendor is served under /{service}; known prefixes: {known}"
        return Reply(404, {"error": {"code": "unknown_prefix", "message": message}, **listing})


def _decoded_except_slashes(raw: bytes) -> str:
    """The request path percent-decoded, except that `%2F` stays encoded: a slash inside an id must not become
    a separator (the router turns it back into `/` in the parameters it captures)."""
    text = raw.decode("latin-1")
    if "%" not in text:
        return text
    return "%2F".join(unquote(part) for part in _ENCODED_SLASH.split(text))


# Header names as read (lower-case text), by their bytes: clients send the same few names on every request, and a
# lookup costs less than decoding and lower-casing them again. Bounded, as a client may send any names.
_HEADER_NAMES: dict[bytes, str] = {}
_KNOWN_HEADER_NAMES = 256


def _header_name(raw: bytes) -> str:
    if len(_HEADER_NAMES) >= _KNOWN_HEADER_NAMES:
        _HEADER_NAMES.clear()
    name = _HEADER_NAMES[raw] = raw.decode("latin-1").lower()
    return name


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


def _not_implemented(op: Operation) -> Reply:
    message = f"{op.method} {op.path} ({op.operation_id}) has no handler yet"
    return Reply(501, {"error": "not_implemented", "operation": op.operation_id, "message": message})
