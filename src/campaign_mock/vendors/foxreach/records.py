"""The shape of FoxReach's records: wire fields, documented defaults, and the views the API returns.

Records are plain dicts in FoxReach's wire form (camelCase), the same form scenario files use, typed by the
TypedDicts below once every default is filled in. A stored record may carry more than the API shows (a campaign
keeps its `sequences`, `leadIds`, `accountIds` and `dailyStats`; a lead its `activities`, each sent email its
`fromEmail`; a webhook its `secret`; a reply its `messages`); the `*_view` functions cut it down to exactly the
documented fields. The rules that change records live in `state.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, NotRequired, TypedDict, cast, get_args

from ...engine.plaincopy import owned

Record = dict[str, Any]  # free-form JSON: request bodies, partial updates, seeds before their defaults, views

CampaignStatus = Literal["draft", "active", "paused", "completed"]
LeadStatus = Literal["active", "bounced", "unsubscribed", "replied"]
InboxCategory = Literal["interested", "not_interested", "out_of_office", "uncategorized", "unknown", "bounce"]
WebhookEvent = Literal[
    "email.sent",
    "email.failed",
    "email.bounced",
    "email.opened",
    "reply.received",
    "reply.categorized",
    "campaign.started",
    "campaign.completed",
    "lead.created",
]


# Stored records (timestamps are naive UTC, `2025-01-15T10:00:00`). Every key is present once `from_dict` or a
# create rule has filled the defaults below, except a reply's `messages` (only a seeded or answered thread has
# them).
class DailyStat(TypedDict):
    date: str  # YYYY-MM-DD
    sent: int
    delivered: int
    bounced: int
    replied: int
    opened: int


class SequenceStep(TypedDict):
    id: str
    campaignId: str
    stepNumber: int
    name: str | None
    subject: str | None
    body: str
    delayDays: int
    delayHours: int
    sendOnlyIfNoReply: bool
    templateType: str
    createdAt: str
    updatedAt: str


class Campaign(TypedDict):
    id: str
    name: str
    status: CampaignStatus
    timezone: str
    sendingDays: list[int]
    sendingStartHour: int
    sendingEndHour: int
    dailyLimit: int
    sentToday: int
    context: str | None
    totalLeads: int  # always len(leadIds)
    totalSent: int
    totalDelivered: int
    totalBounced: int
    totalReplied: int
    totalOpened: int
    createdAt: str
    updatedAt: str
    startedAt: str | None
    completedAt: str | None
    sequences: list[SequenceStep]
    leadIds: list[str]
    accountIds: list[str]
    dailyStats: list[DailyStat]


class Activity(TypedDict):
    id: str
    type: str
    subject: str
    bodyPreview: str | None
    status: str | None
    campaignId: str | None
    campaignName: str | None  # only for an entry without a campaignId (see ACTIVITY_DEFAULTS)
    sequenceStep: int | None
    emailType: str | None
    openedAt: str | None
    clickedAt: str | None
    category: InboxCategory | None
    timestamp: str
    fromEmail: NotRequired[str | None]  # the mailbox a campaign email went out from (kept, not shown)


class Lead(TypedDict):
    id: str
    email: str
    firstName: str | None
    lastName: str | None
    company: str | None
    title: str | None
    phone: str | None
    linkedinUrl: str | None
    website: str | None
    customFields: dict[str, Any]
    tags: list[str]
    notes: str | None
    source: str
    status: LeadStatus
    lastContactedAt: str | None
    createdAt: str
    updatedAt: str
    activities: list[Activity]


class EmailAccount(TypedDict):
    id: str
    email: str
    displayName: str | None
    provider: str | None
    dailyLimit: int
    sentToday: int
    isActive: bool
    warmupEnabled: bool
    healthScore: float | None
    bounceRate: float | None
    replyRate: float | None
    connectionStatus: str | None
    createdAt: str
    updatedAt: str


class Template(TypedDict):
    id: str
    name: str
    subject: str | None
    body: str
    templateType: str
    sendAsHtml: bool
    createdAt: str
    updatedAt: str


class Webhook(TypedDict):
    id: str
    url: str
    isActive: bool
    events: list[WebhookEvent]
    secret: str
    lastDeliveredAt: str | None
    consecutiveFailures: int
    createdAt: str
    updatedAt: str


class Message(TypedDict):
    id: str
    direction: Literal["sent", "received"]
    fromEmail: str
    toEmail: str | None
    subject: str | None
    body: str | None
    category: InboxCategory | None
    timestamp: str


class InboxReply(TypedDict):
    id: str
    fromEmail: str
    toEmail: str | None
    subject: str | None
    bodyPreview: str | None
    body: str | None
    bodyPlain: str | None
    category: InboxCategory
    isRead: bool
    isStarred: bool
    receivedAt: str
    leadId: str | None
    campaignId: str | None
    accountId: str | None
    messages: NotRequired[list[Message]]  # absent: the conversation is the reply alone


StoredRecord = (
    Campaign | SequenceStep | Lead | Activity | EmailAccount | Template | Webhook | InboxReply | Message | DailyStat
)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Fields as the API returns them, in the documented order.
CAMPAIGN_FIELDS = _names("""
    id name status timezone sendingDays sendingStartHour sendingEndHour dailyLimit sentToday context totalLeads
    totalSent totalDelivered totalBounced totalReplied totalOpened createdAt updatedAt startedAt completedAt
""")
SEQUENCE_FIELDS = _names("""
    id campaignId stepNumber name subject body delayDays delayHours sendOnlyIfNoReply templateType createdAt updatedAt
""")
LEAD_FIELDS = _names("""
    id email firstName lastName company title phone linkedinUrl website customFields tags notes source status
    lastContactedAt createdAt updatedAt
""")
ACCOUNT_FIELDS = _names("""
    id email displayName provider dailyLimit sentToday isActive warmupEnabled healthScore bounceRate replyRate
    connectionStatus createdAt updatedAt
""")
TEMPLATE_FIELDS = _names("id name subject body templateType sendAsHtml createdAt updatedAt")
REPLY_FIELDS = _names("""
    id fromEmail toEmail subject bodyPreview body bodyPlain category isRead isStarred receivedAt leadId campaignId
    accountId
""")
WEBHOOK_FIELDS = _names("id url isActive events lastDeliveredAt consecutiveFailures createdAt updatedAt")
ACTIVITY_FIELDS = _names("""
    id type subject bodyPreview status campaignName sequenceStep emailType openedAt clickedAt category timestamp
""")

# Fields a request body may set (anything else in the body is ignored, as the API does).
CAMPAIGN_SETTINGS = _names("name timezone sendingDays sendingStartHour sendingEndHour dailyLimit context")
SEQUENCE_SETTINGS = _names("name subject body delayDays delayHours sendOnlyIfNoReply templateType")
LEAD_SETTINGS = _names("firstName lastName company title phone linkedinUrl website customFields tags notes status")
TEMPLATE_SETTINGS = _names("name subject body templateType sendAsHtml")
REPLY_SETTINGS = _names("isRead isStarred category")
WEBHOOK_SETTINGS = _names("url events isActive")

WEBHOOK_EVENTS: tuple[WebhookEvent, ...] = get_args(WebhookEvent)

# Documented defaults (timestamps are filled from the clock separately).
CAMPAIGN_COUNTERS = _names("sentToday totalSent totalDelivered totalBounced totalReplied totalOpened")
CAMPAIGN_DEFAULTS: Record = {
    "status": "draft",
    "timezone": "UTC",
    "sendingDays": [1, 2, 3, 4, 5],
    "sendingStartHour": 9,
    "sendingEndHour": 17,
    "dailyLimit": 50,
    "context": None,
    **dict.fromkeys(CAMPAIGN_COUNTERS, 0),
    "sequences": [],
    "leadIds": [],
    "accountIds": [],
    "dailyStats": [],
}
STEP_DEFAULTS: Record = {
    "name": None,
    "subject": None,
    "delayDays": 0,
    "delayHours": 0,
    "sendOnlyIfNoReply": True,
    "templateType": "email",
}
LEAD_DEFAULTS: Record = {
    **dict.fromkeys(_names("firstName lastName company title phone linkedinUrl website notes lastContactedAt")),
    "customFields": {},
    "tags": [],
    "source": "api",
    "status": "active",
    "activities": [],
}
ACCOUNT_DEFAULTS: Record = {
    **dict.fromkeys(_names("displayName provider healthScore bounceRate replyRate connectionStatus")),
    "dailyLimit": 50,
    "sentToday": 0,
    "isActive": True,
    "warmupEnabled": False,
}
TEMPLATE_DEFAULTS: Record = {"subject": None, "body": "", "templateType": "email", "sendAsHtml": False}
WEBHOOK_DEFAULTS: Record = {"isActive": True, "lastDeliveredAt": None, "consecutiveFailures": 0}
REPLY_DEFAULTS: Record = {
    **dict.fromkeys(_names("toEmail subject bodyPreview body bodyPlain leadId campaignId accountId")),
    "category": "uncategorized",
    "isRead": False,
    "isStarred": False,
}
MESSAGE_DEFAULTS: Record = dict.fromkeys(_names("toEmail subject body category"))
# An activity names its campaign by `campaignId`; the answer shows that campaign's current name. A stored
# `campaignName` is only shown for an entry without a campaignId (a campaign the workspace does not hold).
ACTIVITY_DEFAULTS: Record = {
    **dict.fromkeys(
        _names("bodyPreview status campaignId campaignName sequenceStep emailType openedAt clickedAt category")
    ),
    "subject": "",
}
# Answers sent from the inbox carry an RFC 5322 Message-ID built from the stored message's own id.
MESSAGE_ID_DOMAIN = "mail.foxreach.mock"


def naive(moment: datetime) -> str:
    """`2025-01-15T10:00:00`: UTC without a zone, the form FoxReach's resources use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def fill(record: Record, defaults: Record) -> Record:
    """Give `record` every default it lacks (lists and maps copied, so records never share one)."""
    for key, value in defaults.items():
        if key not in record:
            record[key] = owned(value)
    return record


def stamp(record: Record, now: str) -> None:
    """Timestamps left out come from the clock; `updatedAt` starts at `createdAt`."""
    record.setdefault("createdAt", now)
    record.setdefault("updatedAt", record["createdAt"])


def loose(record: StoredRecord) -> Record:
    """The record as a plain dict, for the rules that set fields named by a table (`*_SETTINGS`, `*_DEFAULTS`)
    rather than by literal keys, which is all a TypedDict can check."""
    return cast(Record, record)


def fill_campaign(campaign: Record, now: str) -> Campaign:
    """Documented defaults; a started campaign gets a start time, a completed one an end time, and
    `totalLeads` always follows `leadIds`."""
    fill(campaign, CAMPAIGN_DEFAULTS)
    stamp(campaign, now)
    campaign.setdefault("startedAt", None if campaign["status"] == "draft" else campaign["updatedAt"])
    campaign.setdefault("completedAt", campaign["updatedAt"] if campaign["status"] == "completed" else None)
    campaign["totalLeads"] = len(campaign["leadIds"])
    for position, step in enumerate(campaign["sequences"], start=1):
        fill_step(step, campaign["id"], position, now)
    return cast(Campaign, campaign)  # every field is set now


def fill_step(step: Record, campaign_id: str, position: int, now: str) -> SequenceStep:
    """Documented defaults; a step is numbered by its position and belongs to its campaign (a seed naming another
    campaign, or another position, is refused by `check_references` before it gets here)."""
    fill(step, STEP_DEFAULTS)
    step["campaignId"] = campaign_id
    step["stepNumber"] = position
    stamp(step, now)
    return cast(SequenceStep, step)  # every field is set now


def number_steps(campaign: Campaign) -> None:
    """Renumber the steps by their position, after one was inserted, moved or removed."""
    for position, step in enumerate(campaign["sequences"], start=1):
        step["stepNumber"] = position


def _pick(record: Mapping[str, Any], fields: Iterable[str]) -> Record:
    """A copy of these fields: an answer shares no list or map with the records. Most fields are text or numbers,
    which need no copying; copying whole records cost a page of 50 campaigns most of a millisecond."""
    return {k: owned(record[k]) for k in fields}


def campaign_view(campaign: Campaign) -> Record:
    return _pick(campaign, CAMPAIGN_FIELDS)


def sequence_view(step: SequenceStep) -> Record:
    return _pick(step, SEQUENCE_FIELDS)


def lead_view(lead: Lead) -> Record:
    return _pick(lead, LEAD_FIELDS)


def account_view(account: EmailAccount) -> Record:
    return _pick(account, ACCOUNT_FIELDS)


def template_view(template: Template) -> Record:
    return _pick(template, TEMPLATE_FIELDS)


def reply_view(reply: InboxReply) -> Record:
    return _pick(reply, REPLY_FIELDS)


def activity_view(activity: Activity) -> Record:
    """A timeline entry as listed; the campaign's name is filled in by the state, which knows the campaigns."""
    return _pick(activity, ACTIVITY_FIELDS)


def message_id_header(message_id: str) -> str:
    """`<cel_…@mail.foxreach.mock>`: the Message-ID header of a sent email."""
    return f"<{message_id}@{MESSAGE_ID_DOMAIN}>"


def webhook_view(hook: Webhook, *, with_secret: bool = False) -> Record:
    """The webhook without its signing secret, which only the answer to its creation shows."""
    view = _pick(hook, WEBHOOK_FIELDS)
    if with_secret:
        view["secret"] = hook["secret"]
    return view
