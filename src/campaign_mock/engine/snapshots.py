"""Snapshots: a session's whole state saved under a name, to restore (into that session or another: a branch) or
to export as a scenario file.

A snapshot is the session's state export (records, clock, seed, variants, rate-limit settings and counters, faults,
id counters), taken after catching the session up to its clock. The deliveries in its outbox are history, not
state, and are not saved: a restored session starts with an empty outbox. Snapshots belong to the server, not to
a session, and live as long as it does (a reset keeps them); saving under a name in use replaces that snapshot.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from .clock import format_instant

# The state export's keys that a scenario file has too; `ids` (the id counters) included, so that records created
# after loading the file never reuse an id the snapshot's records have. Rate-limit counters are not scenario data.
SCENARIO_KEYS = ("clock", "seed", "variants", "rate_limits", "faults", "ids", "vendors")


@dataclass(frozen=True)
class Snapshot:
    name: str
    session: str  # the session it was taken from
    now: str  # that session's mock time then
    created: str  # real time
    state: dict[str, Any]  # Session.export()

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "session": self.session, "now": self.now, "created": self.created}

    def scenario(self) -> dict[str, Any]:
        """The snapshot in scenario-file form: loaded as a scenario, it rebuilds the same state."""
        doc: dict[str, Any] = {
            "name": self.name,
            "description": f"Snapshot {self.name} of session {self.session} at {self.now}",
        }
        for key in SCENARIO_KEYS:
            value = self.state.get(key)
            if value or (key == "seed" and value is not None):
                doc[key] = copy.deepcopy(value)
        return doc

    def scenario_yaml(self) -> str:
        return yaml.safe_dump(self.scenario(), sort_keys=False, allow_unicode=True, width=120)


class Snapshots:
    """The server's snapshots, by name."""

    def __init__(self) -> None:
        self._saved: dict[str, Snapshot] = {}

    def save(self, name: str, session: str, now: datetime, state: dict[str, Any]) -> tuple[Snapshot, bool]:
        """Keep `state` under `name`; returns the snapshot and whether it replaced one of that name."""
        created = format_instant(datetime.now(UTC))
        snapshot = Snapshot(name, session, format_instant(now), created, copy.deepcopy(state))
        replaced = name in self._saved
        self._saved[name] = snapshot
        return snapshot, replaced

    def get(self, name: str) -> Snapshot | None:
        return self._saved.get(name)

    def all(self) -> list[Snapshot]:
        return list(self._saved.values())

    def delete(self, name: str) -> bool:
        return self._saved.pop(name, None) is not None
