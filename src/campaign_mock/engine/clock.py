"""The mock's clock: system time, or a frozen instant that only moves when told to.

Every timestamp the mock writes, and every rate-limit window, is read from a `Clock`, so a test can freeze time
and advance it instead of sleeping. A running clock keeps an offset from system time, so setting it to a
past date and letting it run works as users expect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a value without a zone is taken as UTC. Raises ValueError."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    """`2025-01-15T11:00:00Z`: UTC, seconds precision, the form the vendors document."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    def __init__(self, *, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._frozen_at: float | None = None
        self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def timestamp(self) -> float:
        return self._frozen_at if self._frozen_at is not None else self._source() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def set(self, now: datetime | None = None, frozen: bool | None = None) -> None:
        """Move to `now` (keeping the frozen state) and/or freeze or release the clock at its current reading."""
        target = now.timestamp() if now is not None else self.timestamp()
        freeze = self.frozen if frozen is None else frozen
        if freeze:
            self._frozen_at, self._offset = target, 0.0
        else:
            self._frozen_at, self._offset = None, target - self._source()

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def release(self) -> None:
        """Back to plain system time: not frozen, no offset."""
        self._frozen_at, self._offset = None, 0.0

    def copy(self) -> Clock:
        twin = Clock(source=self._source)
        twin._frozen_at, twin._offset = self._frozen_at, self._offset
        return twin

    def to_dict(self) -> dict[str, Any]:
        # Full precision, so an exported frozen clock imports to the same instant.
        return {"now": self.now().isoformat().replace("+00:00", "Z"), "frozen": self.frozen}
