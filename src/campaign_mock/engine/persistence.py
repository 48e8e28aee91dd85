"""The state file (`serve --state-file PATH`): every session kept in SQLite, restored at start.

Layout: table `sessions (name, data)`, one row per session, JSON text: its `Session.export()` (the form
`PUT /__admin/state` takes), the scenario loaded for it if any, where the server-wide faults sit in its list, and
when it was saved; table `meta (key, data)`: `scenario` (the server-wide scenario, as a scenario document) and
`server` (the server clock and the faults added server-wide). The file is marked with its own application id.

Saving: the sessions changed since the last save (`SessionStore.changed`) and the server-wide part are exported
and serialised on the event loop, where all state lives, one session at a time with requests served in between
(a session of the default scenario takes a few milliseconds), then written in a worker thread in one transaction,
every `interval` seconds and once more at shutdown. With WAL and one transaction per save, a crash leaves the last
committed save whole: a SIGKILL loses at most the changes of the last interval. The file is opened in exclusive
locking mode, so a second server cannot use it at the same time.

A running clock kept going while the server was down: it is restored to its saved reading plus the time since.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .clock import Clock
from .errors import ConfigError, Problem
from .faults import Fault
from .scenarios import Scenario, scenario_from_data
from .sessions import Session, SessionStore

log = logging.getLogger("campaign_mock")
T = TypeVar("T")

APPLICATION_ID = 0x434D4F43  # "CMOC": marks a campaign-mock state file
FORMAT_VERSION = 1
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (name TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, data TEXT NOT NULL)",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {FORMAT_VERSION}",
)


@dataclass
class Batch:
    """One save: rows to write (name -> JSON) and session rows to delete."""

    sessions: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)


class StateFile:
    """The SQLite file itself. Not thread-safe: one thread at a time uses it (the saver awaits each write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = str(path)
        try:
            self._db = sqlite3.connect(path, timeout=0.5, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self.error(f"cannot open: {exc}") from None
        try:
            self._prepare()
        except sqlite3.Error as exc:
            self._db.close()
            if "locked" in str(exc):
                raise self.error("another process (a second campaign-mock?) is using this state file") from None
            raise self.error(f"not a usable SQLite file: {exc}") from None

    def _prepare(self) -> None:
        db = self._db
        # Held until close: a second server on the same file fails at once instead of interleaving its saves.
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")  # each save is on disk when its transaction commits
        db.execute("BEGIN IMMEDIATE")
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if (app_id == 0 and tables) or app_id not in (0, APPLICATION_ID):
                raise ConfigError.single(self.display, None, "is a SQLite file of something else, not a state file")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if app_id and version > FORMAT_VERSION:
                message = f"was written by a newer campaign-mock (format {version}; this one reads {FORMAT_VERSION})"
                raise ConfigError.single(self.display, None, message)
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            db.close()
            raise

    def error(self, message: str) -> ConfigError:
        return ConfigError.single(self.display, None, message)

    def read(self) -> tuple[dict[str, str], dict[str, str]]:
        sessions = dict(self._db.execute("SELECT name, data FROM sessions ORDER BY name").fetchall())
        meta = dict(self._db.execute("SELECT key, data FROM meta").fetchall())
        return sessions, meta

    def write(self, batch: Batch) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM sessions WHERE name = ?", [(name,) for name in batch.removed])
            db.executemany("INSERT OR REPLACE INTO sessions (name, data) VALUES (?, ?)", batch.sessions.items())
            db.executemany("INSERT OR REPLACE INTO meta (key, data) VALUES (?, ?)", batch.meta.items())
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()  # checkpoints the WAL into the file


class Persistence:
    """Keeps a `SessionStore` in a `StateFile`: `restore()` once at start, then `running()` as the app's lifespan."""

    def __init__(self, store: SessionStore, path: Path, interval: float = 1.0) -> None:
        if not 0 < interval < float("inf"):
            raise ValueError(f"the save interval must be a positive number of seconds, not {interval}")
        self.store = store
        self.interval = interval
        self.file = StateFile(path)
        self.saved: set[str] = set()  # the sessions that have a row in the file
        self.report: list[str] = []  # what restoring found, for the console

    # -- restoring ----------------------------------------------------------------------------------------
    def restore(self, given_scenario: str) -> None:
        """Bring back what the file holds; a new file gets everything on the first save. Raises ConfigError
        (naming the file and the part), restores nothing and closes the file if any part cannot be used."""
        try:
            self._restore(given_scenario)
        except ConfigError:
            self.file.close()
            raise

    def _restore(self, given_scenario: str) -> None:
        try:
            sessions, meta = self.file.read()
        except sqlite3.Error as exc:
            raise self.file.error(f"cannot be read: {exc}") from None
        store = self.store
        if not sessions and not meta:
            store.mark_changed()
            self.report.append(f"state file {self.file.display}: new; saving every {self.interval:g} s")
            return
        now = time.time()
        scenario = self._part("scenario", self._scenario, meta["scenario"]) if "scenario" in meta else store.scenario
        server = self._part("server", _json_object, meta.get("server", "{}"))
        server_clock = self._part("server clock", _clock_from, server.get("clock"), server, now)
        server_faults = self._part("server faults", self._server_faults, server.get("faults", []))
        restored = [
            self._part(f"session {name!r}", self._session, name, text, scenario, now) for name, text in sessions.items()
        ]
        # Everything was read and checked: only now is the store changed.
        store.load(scenario)
        if server_clock is not None:
            store.clock.apply(server_clock)
        store.server_faults[:] = server_faults
        for session, own_scenario, shared in restored:
            if own_scenario is not None:
                store.load(own_scenario, session.name)
            for position, index in sorted(shared):
                if 0 <= index < len(server_faults):
                    session.faults.insert(min(position, len(session.faults)), server_faults[index])
            store.replace(session)
        store.changed.clear()
        store.server_changed = False
        self.saved = set(sessions)
        self.report.append(
            f"state file {self.file.display}: restored {len(restored)} session(s); saving every {self.interval:g} s"
        )
        if scenario.name != given_scenario:
            self.report.append(
                f"state file {self.file.display}: keeps its server-wide scenario {scenario.name!r} "
                f"(not {given_scenario!r}); remove the file to start from {given_scenario!r}"
            )

    def _session(
        self, name: str, text: str, scenario: Scenario, now: float
    ) -> tuple[Session, Scenario | None, list[tuple[int, int]]]:
        row = _json_object(text)
        own = scenario_from_data(row["scenario"], self.store.catalog, "scenario") if row.get("scenario") else None
        state = row.get("state")
        if isinstance(state, dict) and state.get("clock") is not None:
            state = {**state, "clock": _clock_from(state["clock"], row, now)}
        store = self.store
        session = Session.from_export(name, state, store.catalog, store.clock, own or scenario, store.seed)
        shared = [(int(position), int(index)) for position, index in row.get("sharedFaults", [])]
        return session, own, shared

    def _scenario(self, text: str) -> Scenario:
        return scenario_from_data(json.loads(text), self.store.catalog, "scenario")

    def _server_faults(self, items: list[Any]) -> list[Fault]:
        # A fault used up in every session stays listed with times 0, which the scenario schema refuses.
        checked = [{k: v for k, v in item.items() if k != "times" or v} for item in items]
        scenario_from_data({"faults": checked}, self.store.catalog, "server faults")
        return [Fault.from_dict(item) for item in items]

    def _part(self, part: str, read: Callable[..., T], *args: Any) -> T:
        """`read(*args)`, with anything wrong in the file reported as a problem of `part`."""
        try:
            return read(*args)
        except ConfigError as exc:
            raise ConfigError(
                [Problem(self.file.display, None, f"{part}: {p.message}") for p in exc.problems]
            ) from None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise self.file.error(f"{part}: unexpected content ({exc})") from None

    # -- saving -------------------------------------------------------------------------------------------
    async def collect(self) -> Batch:
        """What changed since the last save, serialised on the event loop (where all state lives), one session at a
        time: requests are served between sessions, so a save stalls the loop for one session's export at most."""
        store = self.store
        batch = Batch()
        changed, store.changed = store.changed, set()
        server_changed, store.server_changed = store.server_changed, False
        sessions = {session.name: session for session in store.all_sessions()}
        for name in sorted(changed & sessions.keys()):
            batch.sessions[name] = self._row(sessions[name], time.time())
            await asyncio.sleep(0)
        # From here on, no await: the sessions and the server-wide part as they are now.
        live = set(store.names())
        batch.sessions = {name: row for name, row in batch.sessions.items() if name in live}
        batch.removed = self.saved - live
        if batch.sessions or batch.removed or server_changed:
            # Small, and changed by any request that uses up a server-wide fault: written with every save.
            server = {
                "clock": store.clock.to_dict(),
                "savedAt": time.time(),
                "faults": [fault.to_dict() for fault in store.server_faults],
            }
            batch.meta["server"] = json.dumps(server)
        if server_changed:
            batch.meta["scenario"] = json.dumps(store.scenario.document())
        return batch

    def _row(self, session: Session, now: float) -> str:
        state = session.export()
        server = {id(fault): index for index, fault in enumerate(self.store.server_faults)}
        # Faults added server-wide are shared objects: stored once (in `meta`), referred to here by position.
        shared = [(pos, server[id(fault)]) for pos, fault in enumerate(session.faults) if id(fault) in server]
        skip = {pos for pos, _ in shared}
        state["faults"] = [item for pos, item in enumerate(state["faults"]) if pos not in skip]
        own = self.store.scenario_for(session.name)
        row = {
            "savedAt": now,
            "scenario": own.document() if own is not self.store.scenario else None,
            "sharedFaults": shared,
            "state": state,
        }
        return json.dumps(row, separators=(",", ":"))

    async def save(self) -> None:
        """Write what changed; a failure is logged and the same sessions are tried again at the next save."""
        batch = await self.collect()
        if not (batch.sessions or batch.meta or batch.removed):
            return
        try:
            await asyncio.to_thread(self.file.write, batch)
        except Exception as exc:  # a full disk, say: the server keeps serving, and the next save tries again
            log.error("state file %s: save failed (%s); trying again at the next save", self.file.display, exc)
            self.store.changed.update(batch.sessions)
            self.store.server_changed = self.store.server_changed or "scenario" in batch.meta
            return
        self.saved = (self.saved | batch.sessions.keys()) - batch.removed

    @contextlib.asynccontextmanager
    async def running(self, app: object = None) -> AsyncIterator[None]:
        """Save every `interval` seconds while the server runs, and once more when it stops (after uvicorn has
        finished the requests in flight)."""
        stopping = asyncio.Event()

        async def save_periodically() -> None:
            due = time.monotonic()
            while not stopping.is_set():
                due = max(due + self.interval, time.monotonic())  # a save that ran late is not followed by a burst
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), max(0.0, due - time.monotonic()))
                await self.save()

        saver = asyncio.create_task(save_periodically())
        try:
            yield
        finally:
            stopping.set()
            await saver  # its last round is the final save
            await asyncio.to_thread(self.file.close)


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise TypeError("a JSON object expected")
    return value


def _clock_from(setting: Any, row: dict[str, Any], now: float) -> dict[str, Any] | None:
    """A saved clock reading as a setting for now: a running clock moved on by the time since it was saved."""
    if setting is None:
        return None
    clock = Clock()
    clock.apply(setting)  # ValueError for a bad reading
    elapsed = now - float(row.get("savedAt", now))
    if not clock.frozen and elapsed > 0:
        clock.advance(elapsed)
    return clock.to_dict()
