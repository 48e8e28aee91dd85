"""Sonarly's four starter templates: the content slots a new draft gets, and the workflow each lead runs.

The pages name the templates (`engage-inmail`, `engage-connect-dm`, `connect-engage-dm`, `connect`) but not
what is inside them; everything here is read from the names and marked inferred in the spec (StarterTemplateId,
"Workflow instances"). A workflow instance runs its template's steps in order, each taking a fixed time on the
mock clock; how a step ends is drawn from the session's seeded `Chance`, keyed by campaign, lead and step, so the
same scenario gives the same outcomes however the clock is moved.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Literal

from ...engine.chance import Chance

StarterTemplate = Literal["engage-inmail", "engage-connect-dm", "connect-engage-dm", "connect"]
Step = Literal["engage", "connect", "dm", "inmail"]
Outcome = Literal["completed", "replied", "not_connected"]

STARTER_TEMPLATES: tuple[StarterTemplate, ...] = ("engage-inmail", "engage-connect-dm", "connect-engage-dm", "connect")

# The editable messages of each template, as (channel, label), in position order.
SLOTS: dict[str, tuple[tuple[str, str], ...]] = {
    "engage-inmail": (("inmail", "InMail"),),
    "engage-connect-dm": (("connection_request", "Connection note"), ("direct_message", "Follow-up message")),
    "connect-engage-dm": (("connection_request", "Connection note"), ("direct_message", "Follow-up message")),
    "connect": (("connection_request", "Connection note"),),
}

# Sonarly's default message template per channel: what a new slot is linked to (always accepted by a re-link).
DEFAULT_TEMPLATES = {
    "connection_request": "665f000000000000000d0001",
    "direct_message": "665f000000000000000d0002",
    "inmail": "665f000000000000000d0003",
}

STEPS: dict[str, tuple[Step, ...]] = {
    "engage-inmail": ("engage", "inmail"),
    "engage-connect-dm": ("engage", "connect", "dm"),
    "connect-engage-dm": ("connect", "engage", "dm"),
    "connect": ("connect",),
}

STEP_DURATION: dict[Step, timedelta] = {
    "engage": timedelta(days=1),  # visit the profile, react to a recent post
    "connect": timedelta(days=3),  # send the connection request and wait for it to be accepted
    "dm": timedelta(days=1),
    "inmail": timedelta(days=1),
}
ACCEPT_PROBABILITY = 0.6  # a connection request is accepted
REPLY_PROBABILITY = 0.2  # a lead answers a direct message or an InMail


def steps_of(template: str) -> tuple[Step, ...]:
    return STEPS[template]


def time_to_reach(template: str, step: int) -> timedelta:
    """From the start of the workflow to the end of step `step` (counted from 1)."""
    return sum((STEP_DURATION[s] for s in STEPS[template][:step]), timedelta())


def step_outcome(chance: Chance, template: str, campaign_id: str, lead: str, step: int) -> Outcome | None:
    """How step `step` of a lead's instance ended: the outcome the instance finishes with, or None to go on to the
    next step. `lead` is the lead id (or `#<n>` for a lead the scenario does not name)."""
    name = STEPS[template][step - 1]
    draw = chance.random("instance", campaign_id, lead, step)
    if name == "connect" and draw >= ACCEPT_PROBABILITY:
        return "not_connected"
    if name in ("dm", "inmail") and draw < REPLY_PROBABILITY:
        return "replied"
    return "completed" if step == len(STEPS[template]) else None


def slot_id(campaign_id: str, position: int) -> str:
    """The id of a campaign's default slot: derived from the campaign's id, so a draft's slots are known as soon as
    the draft is, and a duplicate's are new."""
    return hashlib.sha256(f"sonarly-slot:{campaign_id}:{position}".encode()).hexdigest()[:24]


def default_slots(template: str, campaign_id: str) -> list[dict[str, object]]:
    """The content slots a new draft of `template` gets, each linked to the channel's default message template."""
    slots: list[dict[str, object]] = []
    per_channel: dict[str, int] = {}
    for position, (channel, label) in enumerate(SLOTS[template], start=1):
        per_channel[channel] = per_channel.get(channel, 0) + 1
        slots.append(
            {
                "id": slot_id(campaign_id, position),
                "channel": channel,
                "label": label,
                "position": position,
                "channelPosition": per_channel[channel],
                "templateId": DEFAULT_TEMPLATES[channel],
            }
        )
    return slots
