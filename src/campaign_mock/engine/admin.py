"""The admin API under `/__admin`: health, reset, scenarios, state, journal, violations, faults, clock, webhook
deliveries and snapshots.

Each method of `Admin` serves the operation of the same name in `openapi/admin.yaml`; the pipeline has
already validated the request against that spec and validates the reply too. Routes that act on state take a
session from `?session=`, the `X-Mock-Session` header, or (for loading a scenario) the body's `session`.
Nothing is changed unless the whole request is good.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
from collections.abc import Awaitable, Callable
from typing import Any

from .catalog import ADMIN, Catalog
from .clock import Clock
from .errors import ApiError, ConfigError, RequestInvalid, RouteNotFound
from .faults import Fault
from .journal import Journal
from .parsing import Parsed
from .scenarios import Scenario, load_scenario, load_scenario_text, scenario_from_data
from .sessions import DEFAULT_SESSION, Session, SessionStore
from .snapshots import Snapshot, Snapshots
from .specs import Operation
from .vendor import ErrorRenderer, Reply
from .webhooks import Delivery, listing
from .yamlsource import loading_mode


class AdminErrors(ErrorRenderer):
    """The admin API's own error shape: `{"error": {"code", "message", "problems"?}}`."""

    def render(self, error: ApiError) -> Any:
        body: dict[str, Any] = {"code": error.code, "message": error.message}
        body.update(error.details)
        return {"error": body}

    def request_invalid(self, error: RequestInvalid) -> ApiError:
        return ApiError(400, error.code, error.message, details={"problems": [str(i) for i in error.issues]})

    def route_not_found(self, error: RouteNotFound) -> ApiError:
        return ApiError(404, "not_found", f"no admin route {error.path}")


def _invalid(code: str, error: ConfigError) -> ApiError:
    problems = [str(p) for p in error.problems]
    return ApiError(400, code, problems[0] if problems else "invalid", details={"problems": problems})


AdminHandler = Callable[[Parsed, str | None], Awaitable[Reply]]


class Admin:
    """The admin service: one method per operation of `openapi/admin.yaml`, named by its operationId."""

    errors = AdminErrors()

    def __init__(self, catalog: Catalog, store: SessionStore, journal: Journal) -> None:
        self.catalog = catalog
        self.store = store
        self.journal = journal
        self.snapshots = Snapshots()
        self.handlers: dict[str, AdminHandler] = {
            op.operation_id: getattr(self, op.operation_id) for op in catalog.specs[ADMIN].operations
        }

    async def handle(self, op: Operation, parsed: Parsed, headers: dict[str, str]) -> Reply:
        session = parsed.query.get("session") or headers.get("x-mock-session")
        if isinstance(parsed.body, dict) and op.operation_id in _SESSION_IN_BODY:
            session = parsed.body.get("session") or session
        reply = await self.handlers[op.operation_id](parsed, session)
        if op.method != "GET":
            self.store.mark_changed(session)  # for the state file: the session it acted on, or (None) every one
        return reply

    # -- health, reset, scenarios -----------------------------------------------------------------
    async def get_health(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(
            200,
            {
                "status": "ok",
                "version": _version(),
                "scenario": self.store.scenario.name,
                "vendors": sorted(self.catalog.vendors),
                "sessions": self.store.names(),
                "validator": self.catalog.backend,
            },
        )

    async def reset(self, parsed: Parsed, session: str | None) -> Reply:
        rebuilt = self.store.reset(session)
        self.journal.clear(session)
        return Reply(200, {"status": "ok", "sessions": rebuilt})

    async def list_scenarios(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(
            200,
            {
                "scenarios": [{"name": n, "description": d} for n, d in self.catalog.library.describe()],
                "loaded": self.store.scenario.name,
            },
        )

    async def load_scenario(self, parsed: Parsed, session: str | None) -> Reply:
        try:
            # Off the event loop (a big scenario takes a while), so other requests go on meanwhile; the store then
            # takes it in one step.
            scenario, built = await asyncio.to_thread(self._prepare_load, parsed.body, session)
        except ConfigError as exc:
            raise _invalid("invalid_scenario", exc) from None
        self.store.load(scenario, session, built)
        if session is None:
            self.journal.clear()
        return Reply(200, {"status": "ok", "scenario": scenario.name, "session": session})

    def _prepare_load(self, body: dict[str, Any], session: str | None) -> tuple[Scenario, Session | None]:
        """The scenario a load names, read and checked, and the session built from it (for a session's load),
        in loading mode (no cyclic collection, short GIL turns: see `yamlsource.loading_mode`)."""
        with loading_mode():
            if "yaml" in body:
                scenario = load_scenario_text(body["yaml"], self.catalog)
            else:
                scenario = load_scenario(body["name"], self.catalog, shipped_only=True)
            return scenario, self.store.build(scenario, session) if session is not None else None

    # -- state ------------------------------------------------------------------------------------
    async def export_state(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(200, self.store.get(session or DEFAULT_SESSION).export())

    async def import_state(self, parsed: Parsed, session: str | None) -> Reply:
        name = session or DEFAULT_SESSION
        try:
            rebuilt = Session.from_export(
                name, parsed.body, self.catalog, self.store.clock, self.store.scenario_for(name), self.store.seed
            )
        except ConfigError as exc:
            raise _invalid("invalid_state", exc) from None
        self.store.replace(rebuilt)
        return Reply(200, rebuilt.export())

    # -- journal and violations ---------------------------------------------------------------------
    async def list_requests(self, parsed: Parsed, session: str | None) -> Reply:
        q = parsed.query
        entries = list(
            self.journal.entries(
                service=q.get("vendor"),
                method=q.get("method"),
                path=q.get("path"),
                status=q.get("status"),
                session=session,
            )
        )
        limit = q.get("limit")
        if limit is not None:
            entries = entries[-limit:]
        return Reply(200, {"requests": [e.to_dict() for e in entries]})

    async def clear_requests(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(200, {"cleared": self.journal.clear(session)})

    async def list_violations(self, parsed: Parsed, session: str | None) -> Reply:
        kind = parsed.query.get("kind")
        found = [v.to_dict() for v in self.journal.violations(session) if kind is None or v.kind == kind]
        return Reply(200, {"violations": found})

    # -- faults -------------------------------------------------------------------------------------
    async def list_faults(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(200, {"faults": [f.to_dict() for f in self._sessions(session)[0].faults]})

    async def add_faults(self, parsed: Parsed, session: str | None) -> Reply:
        body = parsed.body
        items = body.get("faults", [body])
        try:
            scenario_from_data({"faults": items}, self.catalog, "faults")
        except ConfigError as exc:
            raise _invalid("invalid_fault", exc) from None
        targets = self._sessions(session)
        added = [Fault.from_dict(item) for item in items]
        if session is None:
            self.store.server_faults.extend(added)  # shared: uses count across sessions
        for target in targets:
            target.faults.extend(added)
        return Reply(201, {"faults": [f.to_dict() for f in targets[0].faults]})

    async def clear_faults(self, parsed: Parsed, session: str | None) -> Reply:
        targets = self._sessions(session)
        cleared = len(targets[0].faults)
        if session is None:
            self.store.server_faults.clear()
        for target in targets:
            target.faults.clear()
        return Reply(200, {"cleared": cleared})

    # -- clock ----------------------------------------------------------------------------------------
    async def get_clock(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(200, self._clock_body(session))

    async def set_clock(self, parsed: Parsed, session: str | None) -> Reply:
        setting = dict(parsed.body or {})
        self._move_clocks(session, lambda clock: clock.apply(setting))
        self._caught_up(session)
        return Reply(200, self._clock_body(session))

    async def advance_clock(self, parsed: Parsed, session: str | None) -> Reply:
        seconds = parsed.body["seconds"]
        self._move_clocks(session, lambda clock: clock.advance(seconds))
        self._caught_up(session)
        return Reply(200, self._clock_body(session))

    def _move_clocks(self, session: str | None, change: Callable[[Clock], None]) -> None:
        """Apply `change` to one session's clock (which becomes its own), or server-wide to the server clock and
        every session clock. A change any clock refuses moves none: each is tried on a copy first (400)."""
        if session is not None:
            target = self.store.get(session)
            clocks = [(target.own_clock or target.server_clock).copy()]
        else:
            clocks = self._server_wide_clocks()
        try:
            for clock in clocks:
                change(clock.copy())
        except ValueError as exc:
            raise ApiError(400, "invalid_request", f"clock: {exc}") from None
        for clock in clocks:
            change(clock)
        if session is not None:
            target.own_clock = clocks[0]

    def _server_wide_clocks(self) -> list[Clock]:
        """The server clock and every session clock: server-wide clock changes move them all."""
        own = [s.own_clock for s in self.store.all_sessions() if s.own_clock is not None]
        return [self.store.clock, *own]

    # -- variants and sessions -------------------------------------------------------------------------
    async def list_variants(self, parsed: Parsed, session: str | None) -> Reply:
        current = self.store.get(session or DEFAULT_SESSION).variants
        return Reply(
            200,
            {
                "variants": [
                    {
                        "name": v.name,
                        "description": v.description,
                        "default": v.default,
                        "current": current[v.name],
                        "choices": [{"value": c, "sources": list(src)} for c, src in v.choices.items()],
                    }
                    for v in self.catalog.variants.values()
                ]
            },
        )

    async def list_sessions(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(
            200,
            {
                "sessions": [
                    {"name": s.name, "scenario": s.scenario.name, "ownClock": s.own_clock is not None}
                    for s in self.store.all_sessions()
                ]
            },
        )

    async def delete_session(self, parsed: Parsed, session: str | None) -> Reply:
        if session is None:
            raise ApiError(
                400, "invalid_request", "name the session: ?session=NAME, X-Mock-Session or /__session/NAME/"
            )
        removed = self.store.remove(session)
        self.journal.clear(session)
        return Reply(200, {"removed": removed})

    # -- webhook deliveries (engine/webhooks.py) ----------------------------------------------------------
    async def list_webhooks(self, parsed: Parsed, session: str | None) -> Reply:
        q = parsed.query
        outboxes = [s.outbox for s in self._caught_up(session)]
        found = listing(outboxes, vendor=q.get("vendor"), event=q.get("event"), status=q.get("status"))
        return Reply(200, {"deliveries": [d.to_dict() for d in found]})

    async def replay_webhook(self, parsed: Parsed, session: str | None) -> Reply:
        delivery_id = parsed.path_params["delivery_id"]
        targets = [self.store.get(session)] if session is not None else self.store.all_sessions()
        found: list[tuple[Session, Delivery]] = [
            (s, d) for s in targets if (d := s.outbox.find(delivery_id)) is not None
        ]
        if not found:
            where = f"session {session}" if session is not None else "any session"
            raise ApiError(404, "not_found", f"no webhook delivery {delivery_id} in {where}")
        if len(found) > 1:
            names = ", ".join(sorted(s.name for s, _ in found))
            raise ApiError(400, "invalid_request", f"delivery {delivery_id} is in sessions {names}: name the session")
        owner, delivery = found[0]
        reply = Reply(202, delivery.to_dict())  # as it is now; the new attempt follows
        owner.outbox.replay(delivery)
        return reply

    # -- snapshots (engine/snapshots.py) -------------------------------------------------------------------
    async def save_snapshot(self, parsed: Parsed, session: str | None) -> Reply:
        target = self.store.get(session or DEFAULT_SESSION)
        state = target.export()  # caught up first
        snapshot, replaced = self.snapshots.save(parsed.body["name"], target.name, target.clock.now(), state)
        return Reply(201, {"snapshot": snapshot.summary(), "replaced": replaced})

    async def list_snapshots(self, parsed: Parsed, session: str | None) -> Reply:
        return Reply(200, {"snapshots": [s.summary() for s in self.snapshots.all()]})

    async def get_snapshot(self, parsed: Parsed, session: str | None) -> Reply:
        snapshot = self._snapshot(parsed)
        if parsed.query.get("format") == "yaml":
            return Reply(200, snapshot.scenario_yaml().encode(), media_type="application/yaml")
        return Reply(200, snapshot.scenario())

    async def delete_snapshot(self, parsed: Parsed, session: str | None) -> Reply:
        self.snapshots.delete(self._snapshot(parsed).name)
        return Reply(200, {"removed": True})

    async def restore_snapshot(self, parsed: Parsed, session: str | None) -> Reply:
        snapshot = self._snapshot(parsed)
        name = session or snapshot.session
        try:
            restored = Session.from_export(
                name, snapshot.state, self.catalog, self.store.clock, self.store.scenario_for(name), self.store.seed
            )
        except ConfigError as exc:  # a snapshot taken before the scenario's vendors changed (`serve --watch`)
            raise _invalid("invalid_state", exc) from None
        self.store.replace(restored)
        return Reply(200, {"snapshot": snapshot.summary(), "session": name})

    def _snapshot(self, parsed: Parsed) -> Snapshot:
        name = parsed.path_params["name"]
        snapshot = self.snapshots.get(name)
        if snapshot is None:
            raise ApiError(404, "not_found", f"no snapshot named {name!r}")
        return snapshot

    # -- helpers ----------------------------------------------------------------------------------------
    def _caught_up(self, session: str | None) -> list[Session]:
        """The session named (or every session), each vendor state caught up to its clock, so what became due
        (webhook events included) has happened; then the dispatcher looks for deliveries now due."""
        targets = [self.store.get(session)] if session is not None else self.store.all_sessions()
        for target in targets:
            for vendor in target.states:
                target.catch_up(vendor)
        self.store.dispatcher.wake()
        return targets

    def _sessions(self, session: str | None) -> list[Session]:
        """The session named, or (server-wide) the default session and every other one that exists."""
        if session is not None:
            return [self.store.get(session)]
        default = self.store.get(DEFAULT_SESSION)
        return [default, *(s for s in self.store.all_sessions() if s is not default)]

    def _clock_body(self, session: str | None) -> dict[str, Any]:
        target = self.store.get(session) if session is not None else None
        clock = target.clock if target is not None else self.store.clock
        return {**clock.to_dict(), "session": session, "ownClock": bool(target and target.own_clock)}


_SESSION_IN_BODY = ("load_scenario", "save_snapshot", "restore_snapshot")  # take `"session"` in the body too


def _version() -> str:
    try:
        return importlib.metadata.version("campaign-mock")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"
