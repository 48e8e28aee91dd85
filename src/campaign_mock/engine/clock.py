"""The mock's clock: system time, or a frozen instant that only moves when told to.

Every timestamp the mock writes, and every rate-limit window, is read from a `Clock`, so a test can freeze time
and advance it instead of sleeping. A running clock keeps an offset from system time, so setting it to a
past date and letting it run works as users expect. A clock never leaves the years 1000-9999, so every
reading formats as a four-digit-year RFC 3339 instant.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

_EARLIEST = datetime(1000, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()
_LEAP_SECOND = re.compile(r"(T\d\d:\d\d:)60")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)?")


def parse_instant(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 instant; without a zone it is UTC. Raises ValueError for anything else.

    RFC 3339 allows a leap second (`:60`) and a lowercase `z`; Python's parser takes neither, so a leap second
    is read as the last second of its minute.
    """
    if not _RFC3339.fullmatch(text):
        raise ValueError(f"{text!r} is not an ISO 8601 instant")
    cleaned = _LEAP_SECOND.sub(r"\g<1>59", text)
    if cleaned[-1:] in ("Z", "z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(cleaned)
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not an ISO 8601 instant") from None
    _check_range(value.timestamp(), text)
    return value


def instant(stamp: float) -> datetime:
    """A clock reading (epoch seconds) as an aware UTC datetime."""
    return datetime.fromtimestamp(stamp, UTC)


def format_instant(moment: datetime) -> str:
    """`2025-01-15T11:00:00Z`: UTC, seconds precision, the form the vendors document."""
    global _last_formatted
    second = moment.timestamp() // 1
    last = _last_formatted  # one tuple, read once: another thread may replace it meanwhile
    if second == last[0]:
        return last[1]
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _last_formatted = (second, text)
    return text


# The last second formatted and its text: a request formats the same second several times (a timestamp in the
# body, the journal, a violation), and strftime costs more than the rest of the formatting.
_last_formatted: tuple[float, str] = (float("nan"), "")


def _check_range(stamp: float, shown: object) -> None:
    if not (math.isfinite(stamp) and _EARLIEST <= stamp <= _LATEST):
        raise ValueError(f"{shown} is outside the years 1000-9999 the mock's clock can show")


class Clock:
    def __init__(self, *, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._frozen_at: float | None = None
        self._offset = 0.0

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def timestamp(self) -> float:
        if self._frozen_at is not None:
            return self._frozen_at
        # A running clock set near the end of the range stops there rather than run past what it can show.
        stamp = self._source() + self._offset
        return stamp if stamp < _LATEST else _LATEST

    def now(self) -> datetime:
        return instant(self.timestamp())

    def set(self, now: datetime | None = None, frozen: bool | None = None) -> None:
        """Move to `now` (keeping the frozen state) and/or freeze or release the clock at its current reading."""
        target = now.timestamp() if now is not None else self.timestamp()
        _check_range(target, now)
        freeze = self.frozen if frozen is None else frozen
        if freeze:
            self._frozen_at, self._offset = target, 0.0
        else:
            self._frozen_at, self._offset = None, target - self._source()

    def apply(self, setting: dict[str, Any]) -> None:
        """`{"now": ISO, "frozen": bool}`, either key optional (the scenario and admin form). Raises ValueError
        and changes nothing when the setting is bad."""
        now = setting.get("now")
        self.set(parse_instant(now) if now is not None else None, setting.get("frozen"))

    def advance(self, seconds: float) -> None:
        """Move forward; raises ValueError (and stays put) if that would leave the clock's range."""
        _check_range(self.timestamp() + seconds, f"advancing {seconds} seconds")
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
