"""What happens to an email once it is sent: bounce, open, reply and the reply's category, all seeded.

The rates come from the scenario (`vendors.foxreach.simulation`), the draws from the session's `Chance`, keyed
by the email's identity (campaign, lead, step), so an email's fate does not depend on how the clock got to it
and can be worked out again from the records at any time (one `Chance` draw per email seeds the rest):

- it bounces with probability `bounce_rate` (a hard bounce, 30 s to 5 min after it was sent);
- otherwise it is delivered, and opened with probability `open_rate` (10 min to 2 days after sending);
- a delivered email gets a reply with probability `reply_rate` (1 h to 3 days after sending); a reply implies
  an open (before the reply), whether or not the open draw said so;
- a reply's category is drawn from `reply_categories` (relative weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...engine.chance import Chance
from .records import InboxCategory, Record

REPLY_CATEGORIES: tuple[InboxCategory, ...] = ("interested", "not_interested", "out_of_office", "uncategorized")
SIMULATION_DEFAULTS: Record = {
    "open_rate": 0.45,
    "reply_rate": 0.08,
    "bounce_rate": 0.03,
    "reply_categories": {"interested": 35, "not_interested": 35, "out_of_office": 15, "uncategorized": 15},
}
BOUNCE_TYPE = "hard"

# Reply texts by category (the mock's own words).
REPLY_TEXT: dict[str, str] = {
    "interested": "Thanks for reaching out. This sounds relevant; could we talk next week?",
    "not_interested": "Thanks, but we are not interested at the moment.",
    "out_of_office": "I am out of the office and will reply when I am back.",
    "uncategorized": "Got your email, thanks.",
    "unknown": "Please see my note below.",
}

_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def fill_simulation(section: Record) -> Record:
    """The scenario's `simulation` settings with the defaults for whatever it leaves out."""
    given: dict[str, Any] = section.get("simulation") or {}
    filled = {**SIMULATION_DEFAULTS, **given}
    filled["reply_categories"] = dict(given.get("reply_categories") or SIMULATION_DEFAULTS["reply_categories"])
    return filled


@dataclass(frozen=True)
class Rates:
    open_rate: float
    reply_rate: float
    bounce_rate: float
    categories: tuple[InboxCategory, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, simulation: Record) -> Rates:
        weighted = [(c, float(w)) for c, w in simulation["reply_categories"].items() if w > 0]
        return cls(
            float(simulation["open_rate"]),
            float(simulation["reply_rate"]),
            float(simulation["bounce_rate"]),
            tuple(c for c, _ in weighted) or ("uncategorized",),
            tuple(w for _, w in weighted) or (1.0,),
        )


@dataclass(frozen=True, slots=True)
class Fate:
    """When each thing happens to one email (epoch seconds; None: it does not happen)."""

    bounce_at: int | None
    open_at: int | None
    reply_at: int | None
    category: InboxCategory


class _Draws:
    """Numbers that follow from one seeded draw (splitmix64), so an email's whole fate costs one `Chance` call."""

    _MASK = (1 << 64) - 1

    def __init__(self, first: float) -> None:
        self.state = int(first * (1 << 53))

    def random(self) -> float:
        self.state = (self.state + 0x9E3779B97F4A7C15) & self._MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self._MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self._MASK
        return ((z ^ (z >> 31)) >> 11) / float(1 << 53)

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def pick(self, options: tuple[InboxCategory, ...], weights: tuple[float, ...]) -> InboxCategory:
        point = self.random() * sum(weights)
        for option, weight in zip(options, weights, strict=True):
            point -= weight
            if point < 0:
                return option
        return options[-1]


def fate(chance: Chance, rates: Rates, campaign_id: str, lead_id: str, step: int, sent_at: int) -> Fate:
    draws = _Draws(chance.random("foxreach", "email", campaign_id, lead_id, step))
    bounces, replies, opens = draws.random(), draws.random(), draws.random()
    if bounces < rates.bounce_rate:
        return Fate(sent_at + draws.between(30, 5 * _MINUTE), None, None, "uncategorized")
    reply_at = sent_at + draws.between(_HOUR, 3 * _DAY) if replies < rates.reply_rate else None
    open_at = None
    if reply_at is not None:
        open_at = sent_at + draws.between(10 * _MINUTE, reply_at - sent_at - 1)
    elif opens < rates.open_rate:
        open_at = sent_at + draws.between(10 * _MINUTE, 2 * _DAY)
    category = draws.pick(rates.categories, rates.weights) if reply_at is not None else "uncategorized"
    return Fate(None, open_at, reply_at, category)
