"""The journal of exchanges and the record of contract violations.

Entries keep the raw request and response bytes and decode them only when someone reads the journal, so
recording costs the hot path almost nothing: an exchange is kept as the plain tuple of its `Entry` fields, and
becomes an `Entry` when it is read. Both stores are bounded; the oldest entries go first.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from .clock import format_instant


@dataclass(frozen=True)
class Violation:
    """A request or response that broke the documented contract."""

    kind: str  # "request" | "response"
    session: str
    service: str
    operation_id: str | None
    method: str
    path: str
    status: int
    issues: tuple[dict[str, str], ...]
    time: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "session": self.session,
            "vendor": self.service,
            "operationId": self.operation_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "issues": list(self.issues),
            "time": self.time,
        }


@dataclass(slots=True)
class Entry:
    """One exchange as the journal gives it back (it keeps the same fields, in this order, as a tuple)."""

    id: int
    time: float
    session: str
    service: str
    operation_id: str | None
    method: str
    path: str
    query: str
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    duration_ms: float
    violations: Sequence[Violation] = ()
    injected: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": format_instant(datetime.fromtimestamp(self.time, UTC)),
            "session": self.session,
            "vendor": self.service,
            "operationId": self.operation_id,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in self.request_headers},
                "body": _decode(self.request_body),
            },
            "response": {
                "status": self.status,
                "headers": dict(self.response_headers),
                "body": _decode(self.response_body),
            },
            "durationMs": round(self.duration_ms, 3),
            "violations": [v.to_dict() for v in self.violations],
            "injected": self.injected,
        }


def _path_matches(pattern: str, entry: Entry) -> bool:
    """`pattern` against the vendor path or the full path; a trailing `*` makes it a prefix."""
    candidates = (entry.path, f"/{entry.service}{entry.path}")
    if pattern.endswith("*"):
        return any(c.startswith(pattern[:-1]) for c in candidates)
    return pattern in candidates


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


# Where an entry's session and violations are among its values (Entry's field order).
_SESSION, _VIOLATIONS = 2, 14


class Journal:
    def __init__(self, max_entries: int = 10_000, max_violations: int = 10_000) -> None:
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=max_entries)
        self._violations: deque[Violation] = deque(maxlen=max_violations)
        # The id of the next entry (a bound method of a counter: called once a request, as cheaply as can be).
        self.next_id: Callable[[], int] = itertools.count(1).__next__

    def record(self, *values: Any) -> None:
        """Keep an exchange: `Entry`'s fields, positionally (id from `next_id()`). A tuple costs a quarter of
        building the Entry, and one is kept per request; it becomes one when the journal is read."""
        self._entries.append(values)
        if values[_VIOLATIONS]:
            self._violations.extend(values[_VIOLATIONS])

    def add(self, entry: Entry) -> None:
        self.record(*(getattr(entry, f.name) for f in fields(Entry)))

    def add_violations(self, violations: Iterable[Violation]) -> None:
        self._violations.extend(violations)

    def entries(
        self,
        *,
        service: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        session: str | None = None,
    ) -> Iterable[Entry]:
        for values in self._entries:
            e = Entry(*values)
            if service is not None and e.service != service:
                continue
            if method is not None and e.method != method.upper():
                continue
            if path is not None and not _path_matches(path, e):
                continue
            if status is not None and e.status != status:
                continue
            if session is not None and e.session != session:
                continue
            yield e

    def violations(self, session: str | None = None) -> list[Violation]:
        return [v for v in self._violations if session is None or v.session == session]

    def clear(self, session: str | None = None) -> int:
        """Forget entries (and their violations), all or one session's; returns how many entries went."""
        before = len(self._entries)
        if session is None:
            self._entries.clear()
            self._violations.clear()
            return before
        kept = [e for e in self._entries if e[_SESSION] != session]
        self._entries = deque(kept, maxlen=self._entries.maxlen)
        self._violations = deque((v for v in self._violations if v.session != session), maxlen=self._violations.maxlen)
        return before - len(kept)
