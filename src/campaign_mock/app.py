"""`create_app(settings, vendors)`: the one place the mock is assembled.

The app is a Starlette application, so Starlette middleware (CORS, say) and `TestClient` work on it. It has no
routes of its own: every HTTP request goes to the engine's pipeline, whose router is generated from the specs (a
Starlette catch-all route would refuse paths it cannot match, such as one with `%0A`, and cost a route scan), and
the lifespan goes to Starlette's router, so startup and shutdown handlers run as usual. Starlette's exception
middleware is left out of the stack (no route of ours raises `HTTPException`, and the engine answers every error
in the vendor's format itself), and the outermost layer answers a JSON 500 where Starlette would answer text.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .engine.admin import Admin
from .engine.admin_auth import AdminGuard
from .engine.catalog import Catalog, load_catalog
from .engine.clock import Clock
from .engine.journal import Journal
from .engine.pipeline import DEFAULT_MAX_BODY_BYTES, Pipeline
from .engine.scenario_files import DEFAULT_SCENARIO
from .engine.scenarios import Scenario, load_scenario, merge_all
from .engine.sessions import SessionStore
from .engine.validation import Backend
from .engine.vendor import Vendor
from .vendors.registry import registered_vendors

if TYPE_CHECKING:
    from .engine.persistence import Persistence


@dataclass(frozen=True)
class Settings:
    scenarios: tuple[str, ...] = ()  # shipped names or paths; later ones override earlier ones
    validator: Backend = "fast"
    on_response_violation: Literal["error", "warn"] = "error"
    journal: bool = True
    journal_size: int = 10_000
    seed: int = 0  # for the outcomes vendors simulate, in sessions whose scenario sets no `seed`
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies answer 413 in the vendor's format
    cors_origins: tuple[str, ...] = ()
    admin_token: str | None = None  # required on every admin call but the health probe (engine/admin_auth.py)
    state_file: Path | None = None  # every session kept in this SQLite file, restored at start (engine/persistence.py)
    save_interval: float = 1.0  # seconds between saves of the sessions that changed


class MockApp(Starlette):
    """The Starlette application, with the engine's parts reachable for in-process use and tests."""

    def __init__(
        self, pipeline: Pipeline, middleware: Sequence[Middleware], persistence: Persistence | None = None
    ) -> None:
        self.pipeline = pipeline
        self.persistence = persistence  # saves while the app's lifespan runs (MockServer turns lifespan on for it)
        super().__init__(middleware=middleware, lifespan=persistence.running if persistence is not None else None)
        self.catalog: Catalog = pipeline.catalog
        self.store: SessionStore = pipeline.store
        self.journal: Journal = pipeline.journal
        self.clock: Clock = pipeline.store.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.user_middleware:
            await super().__call__(scope, receive, send)
            return
        # HTTP with no middleware of the user's goes straight to the pipeline, with the last resort's JSON 500 around
        # it: two layers less on every request than through Starlette's call (which only notes the app in the scope).
        try:
            await self.pipeline(scope, receive, send)
        except Exception:
            await _answer_crash(scope, send)

    def build_middleware_stack(self) -> ASGIApp:
        if not self.user_middleware:  # only the lifespan comes this way (`__call__` takes HTTP to the pipeline)
            return self.router
        app: ASGIApp = self._engine
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return _LastResort(app)

    async def _engine(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.pipeline(scope, receive, send)
        else:
            await self.router(scope, receive, send)


class _LastResort:
    """The user's middleware around the engine, with a JSON 500 for anything they did not expect: never a stack
    trace, never text/plain. It stands where Starlette puts its ServerErrorMiddleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except Exception:
            await _answer_crash(scope, send)


async def _answer_crash(scope: Scope, send: Send) -> None:
    """The last resort's answer to an error nothing else caught: logged, and a JSON 500."""
    logging.getLogger("campaign_mock").exception("unhandled error for %s", scope.get("path"))
    body = b'{"error":"mock_internal_error","message":"the mock failed; see the server log"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # Whether an answer had begun is not tracked (wrapping `send` for it would cost every request): the server
    # refuses a second start, and then the connection is closed as for any broken answer.
    with contextlib.suppress(Exception):
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def load_scenarios(refs: tuple[str, ...], catalog: Catalog) -> Scenario:
    """The scenarios named, merged in order (the built-in default when none is named). Raises ConfigError."""
    loaded = [load_scenario(ref, catalog) for ref in refs or (DEFAULT_SCENARIO,)]
    return merge_all(loaded)


def create_app(settings: Settings | None = None, vendors: Sequence[Vendor[Any]] | None = None) -> MockApp:
    """Build the mock for `vendors` (default: every registered vendor). Raises ConfigError (with
    `file:line: message` problems) if a spec or scenario is bad."""
    settings = settings or Settings()
    catalog = load_catalog(registered_vendors() if vendors is None else vendors, settings.validator)
    store = SessionStore(catalog, load_scenarios(settings.scenarios, catalog), Clock(), settings.seed)
    store.load(store.scenario)
    journal = Journal(settings.journal_size)
    pipeline = Pipeline(
        catalog,
        store,
        journal,
        Admin(catalog, store, journal),
        on_violation=settings.on_response_violation,
        record_journal=settings.journal,
        max_body_bytes=settings.max_body_bytes,
        admin_guard=AdminGuard(settings.admin_token),
    )
    middleware = []
    if settings.cors_origins:
        origins = list(settings.cors_origins)
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"]))
    persistence = None
    if settings.state_file is not None:
        from .engine.persistence import Persistence  # only a state file needs it (and sqlite3): a quicker start

        persistence = Persistence(store, settings.state_file, settings.save_interval)
        persistence.restore(store.scenario.name)
    return MockApp(pipeline, middleware, persistence)
