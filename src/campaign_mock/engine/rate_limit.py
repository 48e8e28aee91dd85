"""Request-rate limits that behave like the real thing: per key, on the mock clock.

Two window kinds are offered because vendors document both: a `fixed` window (the count resets at each
window boundary, aligned to the epoch) and a `sliding` window (a request counts for exactly `window_seconds`
after it was made). A rejected request is not counted, so a client that honours `Retry-After` gets through.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

WindowKind = Literal["fixed", "sliding"]


@dataclass(frozen=True)
class RateLimitPolicy:
    limit: int
    window_seconds: int
    window: WindowKind = "fixed"


@dataclass(frozen=True)
class OperationLimit:
    """A limit the spec documents for one operation (`x-rate-limit`): counted per key, and, with `per`, per value
    of that path or query parameter (a campaign id, say)."""

    policy: RateLimitPolicy
    per: str | None = None
    location: Literal["path", "query"] = "path"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_epoch),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


def effective_policy(
    documented: RateLimitPolicy, override: dict[str, Any], chosen_window: str | None
) -> RateLimitPolicy:
    """The policy in force for a session: the documented one, with a scenario's `rate_limits` override (whose
    `window` wins) and the window kind a variant chose."""
    window = override.get("window") or chosen_window or documented.window
    return RateLimitPolicy(
        limit=override.get("limit", documented.limit),
        window_seconds=override.get("window_seconds", documented.window_seconds),
        window="sliding" if window == "sliding" else "fixed",
    )


class RateLimiter:
    """The counters of one session: `(vendor, key) -> times of the requests still inside the window`."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def check(self, vendor: str, key: str, policy: RateLimitPolicy, now: float, *, count: bool = True) -> Decision:
        # A reading that does not count must not create a counter (random bad keys would grow the table).
        hits = self._hits.setdefault((vendor, key), deque()) if count else self._hits.get((vendor, key), deque())
        while hits and hits[-1] > now:
            hits.pop()  # the clock was moved back: requests "from the future" no longer count
        if policy.window == "fixed":
            start = float(math.floor(now / policy.window_seconds) * policy.window_seconds)
            reset: float = start + policy.window_seconds
            while hits and hits[0] < start:
                hits.popleft()
        else:
            while hits and hits[0] <= now - policy.window_seconds:
                hits.popleft()
            reset = (hits[0] if hits else now) + policy.window_seconds
        allowed = len(hits) < policy.limit
        if allowed and count:
            hits.append(now)
            if policy.window == "sliding" and len(hits) == 1:
                reset = now + policy.window_seconds
        if not allowed and policy.window == "sliding":
            # The next slot opens when the oldest counted request leaves the window.
            reset = hits[0] + policy.window_seconds
        reset_epoch = math.ceil(reset)
        return Decision(
            allowed=allowed,
            limit=policy.limit,
            remaining=max(0, policy.limit - len(hits)),
            reset_epoch=reset_epoch,
            retry_after=max(1, math.ceil(reset - now)),
        )

    def __len__(self) -> int:
        """How many (vendor, key) counters are kept."""
        return len(self._hits)

    def to_dict(self) -> dict[str, Any]:
        return {f"{vendor}:{key}": list(hits) for (vendor, key), hits in self._hits.items() if hits}

    @classmethod
    def from_dict(cls, data: dict[str, list[float]]) -> RateLimiter:
        limiter = cls()
        for name, hits in data.items():
            vendor, _, key = name.partition(":")
            limiter._hits[(vendor, key)] = deque(float(h) for h in hits)
        return limiter
