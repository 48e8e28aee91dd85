"""Leadterra's records as the mock keeps them: the wire form (camelCase), which is also the scenario form, plus the
mock's own bookkeeping of each enrolled lead's way through its campaign's sequence (`progress`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict


class SenderPool(TypedDict):
    id: str
    name: str
    dailyCapacity: int
    remainingVolume: int
    senderAccountIds: list[str]
    windowStartedAt: str  # when the current rolling 24-hour window began (canonical RFC 3339, comparable as text)


class SenderAccount(TypedDict):
    id: str
    email: str
    name: str
    status: str


class Lead(TypedDict):
    email: str
    firstName: NotRequired[str]
    lastName: NotRequired[str]
    company: NotRequired[str]
    jobTitle: NotRequired[str]


# A lead as a campaign holds it. Never changed in place (an upsert replaces the record), so a session shares its
# scenario's leads instead of copying them: a scenario of 100,000 leads holds them once, whatever the sessions.
StoredLead = Mapping[str, Any]


class Stats(TypedDict):
    sent: int
    delivered: int
    bounced: int
    replied: int
    opened: int
    queued: int


class SentMessage(TypedDict):
    """One step sent to one lead, and what has happened to it so far on the mock clock."""

    id: str
    step: int
    sentAt: str
    openedAt: NotRequired[str]
    repliedAt: NotRequired[str]
    bouncedAt: NotRequired[str]


ProgressStatus = Literal["scheduled", "queued", "completed", "replied", "bounced", "suppressed"]


class LeadProgress(TypedDict):
    """Where one enrolled lead is in the sequence; `progress[i]` of a campaign belongs to `leads[i]`."""

    email: str
    status: ProgressStatus
    nextStep: int  # index into sequenceSteps of the next step to send
    dueAt: str | None  # when nextStep is (or was) due; None once the lead is done
    messages: list[SentMessage]


class Campaign(TypedDict):
    id: str
    name: str
    status: str  # draft | running | paused
    sequenceSteps: list[dict[str, Any]]
    createdAt: str
    startedAt: str | None
    pausedAt: str | None
    leads: list[StoredLead]
    stats: Stats
    progress: list[LeadProgress]
    senderPoolId: NotRequired[str]


class LeadReply(TypedDict):
    id: str
    email: str
    campaignId: str
    classification: str
    receivedAt: str
    threadSnippet: str


class Webhook(TypedDict):
    id: str
    url: str
    events: list[str]
    status: str
    createdAt: str
    secret: str  # what deliveries are signed with; never part of an API answer
