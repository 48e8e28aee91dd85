"""`campaign-mock serve --watch`: reload the served scenarios when a file they are made of changes.

The files watched are every file the scenarios were loaded from, each one's `extends` followed (shipped parents
and the built-in default's vendor parts included), recomputed after each reload, so that a parent added by an edit
is watched from then on. The folders holding them are watched (not the files themselves), so that an editor that
saves by writing a new file and renaming it over the old one is seen too. A file that no longer loads is reported
with `file:line: message` and the served state is left as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path

import watchfiles

from .app import MockApp
from .console import time_of_day
from .engine.errors import ConfigError
from .engine.scenario_files import DEFAULT_SCENARIO
from .engine.scenarios import Scenario, load_scenario, merge_all


class Watcher:
    """Loads `refs` (the shipped `default` when empty) into `app` whenever one of their files changes."""

    def __init__(self, app: MockApp, refs: tuple[str, ...], before_output: Callable[[], None] = lambda: None) -> None:
        self.app = app
        self.refs = refs or (DEFAULT_SCENARIO,)
        self.before_output = before_output  # the request log flushes its lines first, to keep the order
        self.files: set[Path] = set()

    def load(self) -> Scenario:
        """The scenarios, loaded afresh; the files they are made of are watched from now on (when they fail to
        load, those files as well as the ones watched before, so that fixing either is seen)."""
        read: set[Path] = set()
        try:
            scenario = merge_all([load_scenario(ref, self.app.catalog, read=read) for ref in self.refs])
        except ConfigError:
            self.files |= read
            raise
        self.files = read
        return scenario

    async def run(self, stop: asyncio.Event) -> None:
        # What the served scenario is made of (it loaded once already, so this loads it again). A file that
        # changed since the server read it may fail now: the change event that follows reloads it.
        with contextlib.suppress(ConfigError):
            self.load()
        while not stop.is_set():
            folders = sorted({path.parent for path in self.files})
            if not folders:
                return  # no file could be found (a scenario file removed since the server read it)
            # Watching starts over whenever the set of folders changes (an edit may extend a file elsewhere).
            async for changes in watchfiles.awatch(*folders, recursive=False, stop_event=stop, debounce=800):
                changed = sorted({Path(name) for _, name in changes} & self.files)
                if changed and self.reload(changed) != folders:
                    break

    def reload(self, changed: list[Path]) -> list[Path]:
        """Reload after `changed`; returns the folders to watch from now on."""
        names = ", ".join(self.app.catalog.library.display(path) for path in changed)
        try:
            scenario = self.load()
        except ConfigError as exc:
            self._say(f"scenario not reloaded ({names} changed); still serving the previous one:", error=True)
            for problem in exc.problems:
                self._say(f"  {problem}", error=True)
        else:
            self.app.store.load(scenario)
            self._say(f"scenario reloaded: {scenario.name} ({names} changed)")
        return sorted({path.parent for path in self.files})

    def _say(self, message: str, error: bool = False) -> None:
        self.before_output()
        if error:
            print(f"{time_of_day()} {message}", file=sys.stderr, flush=True)
        else:
            print(f"{time_of_day()} {message}", flush=True)
