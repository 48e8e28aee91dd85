"""`create_app(settings)`: the one place the mock is assembled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from starlette.applications import Starlette
from starlette.routing import Mount

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
    extra: dict[str, str] = field(default_factory=dict)


class MockApp(Starlette):
    """The Starlette app, with the engine's parts reachable for in-process use and tests."""

    catalog: Catalog
    store: SessionStore
    journal: Journal
    clock: Clock


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
    app = MockApp(routes=[Mount("/", app=dispatcher)])
    app.catalog, app.store, app.journal, app.clock = catalog, store, journal, clock
    return app
