"""`create_app(settings)`: the one place the mock is assembled.

The app is a plain ASGI callable rather than a Starlette router: every path belongs to the engine's own
spec-generated router, and Starlette's catch-all route would refuse paths it cannot match (a `%0A` in a path
answers a text/plain 404) and cost a route scan per request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from starlette.types import Message, Receive, Scope, Send

from .engine.admin import Admin, AdminErrors
from .engine.catalog import Catalog, load_catalog
from .engine.clock import Clock
from .engine.dispatch import Dispatcher
from .engine.journal import Journal
from .engine.scenarios import Scenario, load_scenario, merge_all
from .engine.sessions import SessionStore
from .engine.validation import Backend

DEFAULT_SCENARIO = "default"


@dataclass(frozen=True)
class Settings:
    scenarios: tuple[str, ...] = ()  # shipped names or paths; later ones override earlier ones
    validator: Backend = "fast"
    on_response_violation: Literal["error", "warn"] = "error"
    journal: bool = True
    journal_size: int = 10_000


class MockApp:
    """The ASGI app, with the engine's parts reachable for in-process use and tests."""

    def __init__(self, dispatcher: Dispatcher, catalog: Catalog, store: SessionStore, journal: Journal) -> None:
        self.dispatcher = dispatcher
        self.catalog = catalog
        self.store = store
        self.journal = journal
        self.clock = store.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.dispatcher(scope, receive, tracking_send)
        except Exception:  # the last line of defence: a JSON 500, never a stack trace
            logging.getLogger("campaign_mock").exception("unhandled error for %s", scope.get("path"))
            if scope["type"] == "http" and not started:
                body = b'{"error":"mock_internal_error","message":"the mock failed; see the server log"}'
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})


def load_scenarios(refs: tuple[str, ...], catalog: Catalog) -> Scenario:
    """The scenarios named, merged in order (the built-in default when none is named). Raises ConfigError."""
    loaded = [load_scenario(ref, catalog) for ref in refs or (DEFAULT_SCENARIO,)]
    return merge_all(loaded)


def create_app(settings: Settings | None = None) -> MockApp:
    """Build the mock. Raises ConfigError (with `file:line: message` problems) if a spec or scenario is bad."""
    settings = settings or Settings()
    catalog = load_catalog(settings.validator)
    clock = Clock()
    store = SessionStore(catalog, load_scenarios(settings.scenarios, catalog), clock)
    store.load(store.scenario)
    journal = Journal(settings.journal_size)
    admin = Admin(catalog, store, journal)
    dispatcher = Dispatcher(
        catalog,
        store,
        journal,
        admin.invoke,
        AdminErrors(),
        on_violation=settings.on_response_violation,
        record_journal=settings.journal,
    )
    return MockApp(dispatcher, catalog, store, journal)
