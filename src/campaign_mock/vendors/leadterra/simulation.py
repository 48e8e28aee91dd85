"""How a sent message fares: whether it bounces (hard or soft, and why), is opened, gets a reply and how that reply is
classified, and after how long each happens.

Every outcome is a draw from the session's seeded generator keyed by the message (campaign, address, step), so it
does not depend on when the clock is moved or on what else happened first. The rates are a scenario's
`vendors.leadterra.simulation` section over the defaults below (documented in docs/vendors/leadterra.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...engine.chance import Chance

MINUTE = 60
HOUR = 60 * MINUTE

DEFAULT_RATES: dict[str, float] = {
    "open_rate": 0.45,
    "reply_rate": 0.08,
    "bounce_rate": 0.03,
    "hard_bounce_share": 0.7,
}
DEFAULT_CLASSIFICATIONS: dict[str, float] = {
    "interested": 0.3,
    "not_interested": 0.3,
    "out_of_office": 0.2,
    "referral": 0.05,
    "unsubscribe": 0.15,
    "bounce": 0.0,
}

# How long after the send each outcome arrives (seconds, both ends included).
BOUNCE_AFTER = (30, 15 * MINUTE)
OPEN_AFTER = (5 * MINUTE, 48 * HOUR)
REPLY_AFTER = (20 * MINUTE, 48 * HOUR)

HARD_BOUNCE_REASONS = (
    "550 5.1.1 The email account that you tried to reach does not exist.",
    "550 5.1.2 The domain of the recipient address does not exist.",
    "550 5.7.1 Message rejected by the recipient's mail server policy.",
)
SOFT_BOUNCE_REASONS = (
    "452 4.2.2 The recipient's mailbox is full.",
    "421 4.7.0 Temporary deferral by the recipient's server; retries exceeded.",
)
THREAD_SNIPPETS = {
    "interested": "Thanks for reaching out - this looks relevant. Could we find 20 minutes this week?",
    "not_interested": "Thanks, but we are not looking at this right now. Please take me off your list.",
    "out_of_office": "I am out of the office with limited access to email and will reply when I am back.",
    "referral": "I am not the right person for this; my colleague who runs the team is a better contact.",
    "unsubscribe": "Please unsubscribe me from these emails.",
    "bounce": "Delivery has failed to these recipients or groups.",
}


@dataclass(frozen=True)
class Rates:
    """A workspace's simulation settings, as a scenario sets them (defaults filled in)."""

    open_rate: float
    reply_rate: float
    bounce_rate: float
    hard_bounce_share: float
    classifications: dict[str, float]

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> Rates:
        rates = {**DEFAULT_RATES, **{k: float(v) for k, v in section.items() if k in DEFAULT_RATES}}
        weights = section.get("reply_classifications")
        classifications = {k: float(weights.get(k, 0)) for k in DEFAULT_CLASSIFICATIONS} if weights else None
        return cls(classifications=classifications or dict(DEFAULT_CLASSIFICATIONS), **rates)

    def to_dict(self) -> dict[str, Any]:
        return {
            "open_rate": self.open_rate,
            "reply_rate": self.reply_rate,
            "bounce_rate": self.bounce_rate,
            "hard_bounce_share": self.hard_bounce_share,
            "reply_classifications": dict(self.classifications),
        }


def classification_problem(section: dict[str, Any]) -> str | None:
    """Why the section's reply classification weights cannot be drawn from (all zero), or None."""
    weights = section.get("reply_classifications")
    if weights and not any(w > 0 for w in weights.values()):
        return "at least one reply classification needs a weight above 0"
    return None


@dataclass(frozen=True, slots=True)
class Bounce:
    after: int  # seconds after the send
    hard: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Fate:
    """What happens to one delivered-or-bounced message: a bounce excludes an open and a reply."""

    bounce: Bounce | None
    opened_after: int | None
    replied_after: int | None


class Outcomes:
    """The draws for the messages of one workspace."""

    def __init__(self, chance: Chance, rates: Rates) -> None:
        self.chance = chance
        self.rates = rates
        self._labels = tuple(rates.classifications)
        self._weights = tuple(rates.classifications.values())

    def fate(self, campaign_id: str, email: str, step: int) -> Fate:
        chance, rates = self.chance, self.rates
        key = ("leadterra", campaign_id, email.lower(), step)
        bounce, opened, replied = _split(chance.random(*key))
        if bounce < rates.bounce_rate:
            hard, which, when = _split(chance.random(*key, "bounce"))
            is_hard = hard < rates.hard_bounce_share
            reasons = HARD_BOUNCE_REASONS if is_hard else SOFT_BOUNCE_REASONS
            return Fate(Bounce(_within(BOUNCE_AFTER, when), is_hard, reasons[int(which * len(reasons))]), None, None)
        return Fate(
            None,
            _within(OPEN_AFTER, opened / rates.open_rate) if opened < rates.open_rate else None,
            _within(REPLY_AFTER, replied / rates.reply_rate) if replied < rates.reply_rate else None,
        )

    def classification(self, campaign_id: str, email: str, step: int) -> str:
        return self.chance.pick(self._labels, self._weights, "leadterra", campaign_id, email.lower(), step, "class")


_FIELD_BITS = 17
_FIELD = 1 << _FIELD_BITS


def _split(draw: float) -> tuple[float, float, float]:
    """Three independent numbers in [0, 1) from one draw's 53 bits (17 bits each): one hash per sent message
    instead of three keeps a month of a 10,000-lead campaign's catch-up fast."""
    bits = int(draw * (1 << 53))
    mask = _FIELD - 1
    return (bits & mask) / _FIELD, (bits >> _FIELD_BITS & mask) / _FIELD, (bits >> 2 * _FIELD_BITS & mask) / _FIELD


def _within(span: tuple[int, int], share: float) -> int:
    """The point `share` (in [0, 1)) of the way through `span`, both ends included."""
    low, high = span
    return low + int(share * (high - low + 1))
