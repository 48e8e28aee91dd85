"""Sender-pool capacity: each pool sends at most `dailyCapacity` messages per rolling 24-hour window on the mock clock.

A pool's window starts at `windowStartedAt` (the clock's reading when the state was built, unless a scenario sets
it) and repeats every 24 hours from there; once the clock passes a window's end, `remainingVolume` is back to
`dailyCapacity`. Instants are whole seconds since the epoch here, and canonical RFC 3339 text in the records.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from functools import lru_cache

from ...engine.clock import parse_instant
from .records import SenderPool

WINDOW = 24 * 3600
_LATEST = 253402300799  # 9999-12-31T23:59:59Z: the clock never shows a later instant


@lru_cache(maxsize=4096)  # a campaign's sends share their instants (every lead's step 1 at start, say)
def stamp(at: int) -> str:
    """`2025-01-15T11:00:00Z` for whole seconds since the epoch (what engine.clock.format_instant writes)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(min(at, _LATEST)))


def seconds(text: str) -> int:
    return math.floor(parse_instant(text).timestamp())


def whole_seconds(moment: datetime) -> int:
    """The clock's reading cut to the second: the simulation's instants are whole seconds, as records show them."""
    return math.floor(moment.timestamp())


class PoolWindows:
    """The pools of one workspace, with their windows' starts kept as numbers (the hot path compares them)."""

    def __init__(self, pools: list[SenderPool]) -> None:
        self.pools = pools
        self.index = {pool["id"]: i for i, pool in enumerate(pools)}
        self._starts = [seconds(pool["windowStartedAt"]) for pool in pools]

    def refresh(self, i: int, at: int) -> SenderPool:
        """Pool `i` as of `at`: its capacity back in full if a window ended since it was last looked at."""
        pool = self.pools[i]
        start = self._starts[i]
        if at - start >= WINDOW:
            start = at - (at - start) % WINDOW
            self._starts[i] = start
            pool["remainingVolume"] = pool["dailyCapacity"]
            pool["windowStartedAt"] = stamp(start)
        return pool

    def refresh_all(self, at: int) -> None:
        for i in range(len(self.pools)):
            self.refresh(i, at)

    def window_end(self, i: int) -> int:
        return self._starts[i] + WINDOW

    def first_window_end(self) -> float:
        """When the earliest window ends: until then nothing refills (a cheap check per request)."""
        return min(map(self.window_end, range(len(self.pools))), default=math.inf)
