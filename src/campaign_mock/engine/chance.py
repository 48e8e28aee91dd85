"""Seeded outcomes: the only source of randomness vendors may use for what they simulate.

A draw is a pure function of the session's seed and a key that names what is decided (`"call", call_id,
"outcome"`), not of how many draws came before. So the same scenario gives the same results whether the clock
jumps a week in one call or an hour at a time, an export needs to carry only the seed, and two sessions built
from the same scenario agree call for call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_SCALE = float(1 << 53)


class Chance:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def random(self, *key: object) -> float:
        """A number in [0, 1), the same every time for the same seed and key."""
        text = ":".join(map(str, (self.seed, *key))).encode()
        return (int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") >> 11) / _SCALE

    def happens(self, probability: float, *key: object) -> bool:
        return self.random(*key) < probability

    def pick(self, options: Sequence[T], weights: Sequence[float], *key: object) -> T:
        """One of `options`, chosen with the given relative weights."""
        if len(options) != len(weights) or not options:
            raise ValueError("pick() needs one weight per option")
        total = sum(weights)
        point = self.random(*key) * total
        for option, weight in zip(options, weights, strict=True):
            point -= weight
            if point < 0:
                return option
        return options[-1]

    def between(self, low: int, high: int, *key: object) -> int:
        """A whole number from `low` to `high`, both included."""
        return low + int(self.random(*key) * (high - low + 1))
