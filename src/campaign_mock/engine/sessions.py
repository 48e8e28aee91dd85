"""Sessions: isolated copies of the scenario state on one server.

A session is created on first use from the scenario loaded for it (or the server-wide one). Everything it
holds that can change is its own: vendor records, id counters, rate-limit counters, faults, variant choices, its
seeded outcomes, and a clock once one is set for it (otherwise it follows the server clock). Records that are never
changed in place may be shared with the scenario (each vendor's state copies the rest of its section itself).
Vendor states catch up to the session's clock before a handler reads them and before an export. Export and import
use the scenario-file form, so a state export is itself a valid scenario body and round-trips exactly.
"""

from __future__ import annotations

import copy
import itertools
import math
from datetime import datetime
from typing import Any

from .catalog import Catalog
from .chance import Chance
from .clock import Clock
from .delivery import Dispatcher
from .errors import ConfigError, Problem
from .faults import Fault
from .ids import IdFactory
from .rate_limit import RateLimiter, RateLimitPolicy, effective_policy
from .scenarios import Scenario, scenario_from_data
from .specs import Operation
from .variants import Variants
from .vendor import StateContext, VendorState
from .webhooks import Outbox

DEFAULT_SESSION = "default"
_SCENARIO_KEYS = ("clock", "seed", "variants", "rate_limits", "faults", "vendors")


class Session:
    def __init__(
        self,
        name: str,
        scenario: Scenario,
        catalog: Catalog,
        server_clock: Clock,
        own_clock: dict[str, Any] | None = None,
        seed: int = 0,
    ) -> None:
        self.name = name
        self.scenario = scenario
        self.catalog = catalog
        self.server_clock = server_clock
        self.clock = server_clock  # the one it reads: its own once it has one (read on every request: no property)
        self._own_clock: Clock | None = None
        if own_clock:
            self.set_clock(own_clock)
        self.ids = IdFactory(counters=scenario.ids)
        self.outbox = Outbox(name, self.ids, catalog.vendors)
        self.emit = self.outbox.emit  # bound once: every context and call of the session hands on this one
        self.chance = Chance(scenario.seed if scenario.seed is not None else seed)
        self.limiter = RateLimiter()
        self.faults = [Fault.from_dict(f) for f in scenario.faults]
        self.variants = Variants(catalog.variants, scenario.variants)
        self.rate_limits = dict(scenario.rate_limits)
        self.states: dict[str, VendorState] = self._build_states(scenario.vendors)
        self._policies = {
            name: effective_policy(
                vendor.rate_limit.policy,
                self.rate_limits.get(name, {}),
                self.variants[vendor.rate_limit.window_variant.name] if vendor.rate_limit.window_variant else None,
            )
            for name, vendor in catalog.vendors.items()
            if vendor.rate_limit is not None and vendor.rate_limit.policy is not None
        }
        self._operation_policies: dict[tuple[str, str], RateLimitPolicy] = {}

    @property
    def own_clock(self) -> Clock | None:
        """The session's own clock, or None while it follows the server clock."""
        return self._own_clock

    @own_clock.setter
    def own_clock(self, clock: Clock | None) -> None:
        self._own_clock = clock
        self.clock = clock or self.server_clock

    def set_clock(self, setting: dict[str, Any]) -> None:
        """Give the session its own clock (from now on it no longer follows the server clock).

        Raises ValueError for a bad setting, leaving the session's clock as it was."""
        clock = (self.own_clock or self.server_clock).copy()
        clock.apply(setting)
        self.own_clock = clock

    def policy(self, vendor: str) -> RateLimitPolicy | None:
        return self._policies.get(vendor)

    def operation_policy(self, op: Operation) -> RateLimitPolicy | None:
        """The operation's own limit (`x-rate-limit`), with a scenario's `rate_limits.<vendor>.operations` override."""
        if op.rate_limit is None:
            return None
        key = (op.service, op.operation_id)
        policy = self._operation_policies.get(key)
        if policy is None:
            override = self.rate_limits.get(op.service, {}).get("operations", {}).get(op.operation_id, {})
            policy = self._operation_policies[key] = effective_policy(op.rate_limit.policy, override, None)
        return policy

    def context(self, now: datetime | None = None) -> StateContext:
        return StateContext(now or self.clock.now(), self.ids, self.chance, self.emit)

    def catch_up(self, vendor: str, stamp: float | None = None) -> VendorState:
        """The vendor's state, with whatever became due up to `stamp` (a reading of the session's clock; by
        default, its reading now) done."""
        state = self.states[vendor]
        if type(state).advance_to is not VendorState.advance_to:  # most states have nothing that runs by itself
            if stamp is None:
                stamp = self.clock.timestamp()
            if stamp >= state.due_at():  # on most requests, nothing is due
                state.advance_to(StateContext.at(stamp, self.ids, self.chance, self.emit))
        return state

    def _build_states(self, sections: dict[str, dict[str, Any]]) -> dict[str, VendorState]:
        # Each state copies what it keeps of its section (the scenario's own, shared by every session built from
        # it), in one pass with filling its defaults: a copy made here as well would be a second one.
        ctx = self.context()
        return {
            name: vendor.state_type.from_dict(sections.get(name, {}), ctx)
            for name, vendor in self.catalog.vendors.items()
        }

    # -- export / import -----------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        for name in self.states:
            self.catch_up(name)
        return {
            "session": self.name,
            "scenario": self.scenario.name,
            "clock": self.own_clock.to_dict() if self.own_clock else None,
            "seed": self.chance.seed,
            "variants": self.variants.chosen(),
            "rate_limits": copy.deepcopy(self.rate_limits),
            "faults": [f.to_dict() for f in self.faults],
            "ids": dict(self.ids.counters),
            "rate_limit_hits": self.limiter.to_dict(),
            "vendors": {name: state.to_dict() for name, state in self.states.items()},
        }

    @classmethod
    def from_export(
        cls, name: str, doc: Any, catalog: Catalog, server_clock: Clock, base: Scenario, seed: int = 0
    ) -> Session:
        """A session rebuilt from `export()` output; raises ConfigError and builds nothing if it is bad."""
        file = "state"
        if not isinstance(doc, dict):
            raise ConfigError.single(file, None, "the state must be a JSON object")
        unknown = sorted(set(doc) - {*_SCENARIO_KEYS, "session", "scenario", "ids", "rate_limit_hits"})
        problems = [Problem(file, None, f"{key}: unknown key") for key in unknown]
        ids, hits = doc.get("ids") or {}, doc.get("rate_limit_hits") or {}
        if not _is_map_of(ids, int):
            problems.append(Problem(file, None, "ids: an object of whole-number counters expected"))
        if not _valid_hits(hits, catalog):
            problems.append(
                Problem(file, None, "rate_limit_hits: {'<vendor>:<key>': [timestamps in ascending order]} expected")
            )
        try:
            # The rest is scenario-file form: the same checks as a scenario (schema, clock, faults, references).
            snapshot = scenario_from_data({k: doc[k] for k in _SCENARIO_KEYS if doc.get(k) is not None}, catalog, file)
        except ConfigError as exc:
            problems += exc.problems
        if problems:
            raise ConfigError(problems)
        session = cls(name, snapshot, catalog, server_clock, own_clock=snapshot.clock, seed=seed)
        session.ids.counters = dict(ids)
        session.limiter = RateLimiter.from_dict(hits)
        # A reset goes back to the scenario the session was built from, not to the imported snapshot.
        session.scenario = base
        return session


def _valid_hits(hits: Any, catalog: Catalog) -> bool:
    """Counters as `export()` writes them: known vendors, and finite request times in ascending order."""
    if not isinstance(hits, dict):
        return False
    for name, times in hits.items():
        counter, colon, _ = name.partition(":")
        vendor = counter.partition("/")[0]  # `<vendor>` or, for an operation's own limit, `<vendor>/<operationId>`
        if not colon or vendor not in catalog.vendors or not isinstance(times, list):
            return False
        if not all(isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t) for t in times):
            return False
        if any(a > b for a, b in itertools.pairwise(times)):
            return False
    return True


def _is_map_of(value: Any, kind: type) -> bool:
    return isinstance(value, dict) and all(isinstance(v, kind) and not isinstance(v, bool) for v in value.values())


class SessionStore:
    """All sessions of one server, and the scenarios they are built from."""

    def __init__(self, catalog: Catalog, scenario: Scenario, clock: Clock, seed: int = 0) -> None:
        self.catalog = catalog
        self.seed = seed  # `serve --seed`: for sessions whose scenario sets none
        self.scenario = scenario
        self.clock = clock
        self._session_scenarios: dict[str, Scenario] = {}
        self._sessions: dict[str, Session] = {}
        # Added server-wide: the same objects in every session's list (sessions created later get them too), so a
        # fault's `times` counts its uses across the server.
        self.server_faults: list[Fault] = []
        self.dispatcher = Dispatcher(self)  # sends every session's webhook deliveries
        # For the state file (engine/persistence.py): the sessions changed since it last saved them, and whether
        # server-wide state (scenario, server clock, faults added server-wide) changed.
        self.changed: set[str] = set()
        self.server_changed = False

    def mark_changed(self, name: str | None = None) -> None:
        """Note a change to one session, or (None) a server-wide one, which may touch every session."""
        if name is None:
            self.server_changed = True
            self.changed.update(self._sessions)
        else:
            self.changed.add(name)

    def get(self, name: str) -> Session:
        """The session, created from its scenario on first use (with the server-wide faults in force)."""
        session = self._sessions.get(name)
        if session is None:
            session = self._sessions[name] = self._build(name)
            session.faults.extend(f for f in self.server_faults if f.times is None or f.times > 0)
            session.outbox.attach(self.dispatcher.wake)
        return session

    def _build(self, name: str) -> Session:
        own = self._session_scenarios.get(name)
        if own is not None:
            return self.build(own, name)
        return Session(name, self.scenario, self.catalog, self.clock, None, self.seed)

    def build(self, scenario: Scenario, name: str) -> Session:
        """The session `load(scenario, name)` makes, built without touching the store: a big one can be built off
        the event loop and handed to `load` as `built`."""
        return Session(name, scenario, self.catalog, self.clock, scenario.clock, self.seed)

    def names(self) -> list[str]:
        return sorted(self._sessions)

    def reset(self, name: str | None = None) -> list[str]:
        """Rebuild one session, or all, from its scenario, without any added faults; returns the sessions rebuilt."""
        if name is not None:
            self.replace(self._build(name))  # its outbox handed to the dispatcher, as for a session made on first use
            return [name]
        self.mark_changed(name)
        names = self.names()
        self._sessions.clear()
        self.server_faults.clear()
        self._apply_server_clock(self.scenario)
        return names

    def load(self, scenario: Scenario, session: str | None = None, built: Session | None = None) -> None:
        """Make `scenario` the one a session (or the whole server) is built from, and rebuild (or, for a session,
        take `built`, made by `build(scenario, session)`)."""
        self.mark_changed(session)
        if session is None:
            self.scenario = scenario
            self._session_scenarios.clear()
            self._sessions.clear()
            self.server_faults.clear()
            self._apply_server_clock(scenario)
        else:
            self._session_scenarios[session] = scenario
            if built is None:
                self.reset(session)
            else:
                self.replace(built)

    def replace(self, session: Session) -> None:
        self.mark_changed(session.name)
        self._sessions[session.name] = session
        session.outbox.attach(self.dispatcher.wake)

    def existing(self, name: str) -> Session | None:
        """The session if it exists (without creating it)."""
        return self._sessions.get(name)

    def remove(self, name: str) -> bool:
        """Forget a session (and the scenario loaded for it); the next request with its name starts afresh."""
        self.mark_changed(name)
        self._session_scenarios.pop(name, None)
        return self._sessions.pop(name, None) is not None

    def scenario_for(self, name: str) -> Scenario:
        return self._session_scenarios.get(name, self.scenario)

    def all_sessions(self) -> list[Session]:
        return list(self._sessions.values())

    def _apply_server_clock(self, scenario: Scenario) -> None:
        """The server clock as the scenario sets it (checked when the scenario loaded); system time otherwise."""
        self.clock.release()
        if scenario.clock:
            self.clock.apply(scenario.clock)
