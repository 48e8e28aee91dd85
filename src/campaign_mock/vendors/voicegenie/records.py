"""VoiceGenie's records in their scenario form, the defaults that fill them, and the small value rules they share.

Records are kept as the JSON objects a scenario writes (`vendors.voicegenie` in a scenario file; the spec's
`x-scenario-state`), so an export imports again without translation. Timestamps are stored as canonical RFC 3339
text (`2025-01-15T10:00:00Z`); the call simulation works on epoch seconds and converts at the edge.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ...engine.clock import format_instant, parse_instant
from ...engine.plaincopy import owned

Record = dict[str, Any]  # one record in its wire (scenario) form

EARLIEST = datetime(1000, 1, 1, tzinfo=UTC).timestamp()
LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()

# Statuses. The record keeps one state; v1 routes show it as is, v2 routes show running as in_progress (V2).
DRAFT, NOT_YET_STARTED, SCHEDULED, RUNNING, PAUSED, COMPLETED = (
    "draft",
    "not-yet-started",
    "scheduled",
    "running",
    "paused",
    "completed",
)
QUEUED, INITIATED, IN_PROGRESS = "queued", "initiated", "in_progress"
ANSWERED, BUSY, NO_ANSWER, FAILED, VOICEMAIL = "answered", "busy", "no_answer", "failed", "voicemail"
OUTCOMES = (ANSWERED, BUSY, NO_ANSWER, FAILED, VOICEMAIL)
ACTIVE = (INITIATED, IN_PROGRESS)
REACHED = (ANSWERED, VOICEMAIL)  # a contact counted completed
UNREACHED = (BUSY, NO_ANSWER, FAILED)  # a contact counted failed; what redials retry

BRAND_NAME = "VoiceGenie"
RECORDING_BASE = "https://recordings.voicegenie.example"
DEFAULT_PROMPT = "Hi {name}"
LANGUAGES = {
    "en-US": ("american", "british", "australian", "indian", "neutral"),
    "en-GB": ("american", "british", "australian", "indian", "neutral"),
    "en-IN": ("american", "british", "australian", "indian", "neutral"),
    "es-ES": ("spain", "mexican", "argentinian"),
    "fr-FR": ("france", "canadian"),
    "de-DE": ("standard", "austrian"),
    "hi-IN": ("standard", "delhi", "mumbai"),
}

_PHONE = re.compile(r"\+?[1-9]\d{6,14}")  # E.164, the + optional (contradiction V9)
_CALL_PHONE = re.compile(r"\d{10,15}")  # the third-party call pages: country code and digits, no plus
_INSTANT = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?([Zz]|[+-]\d\d:\d\d)?")


# -- time ------------------------------------------------------------------------------------------------
def iso(stamp: float) -> str:
    """Epoch seconds as the canonical instant, kept inside the years the clock can show."""
    return format_instant(datetime.fromtimestamp(min(max(stamp, EARLIEST), LATEST), UTC))


@lru_cache(maxsize=4096)  # every session built from a scenario reads the same instants from it
def epoch(text: str) -> float:
    """A stored (canonical) instant as epoch seconds."""
    return parse_instant(text).timestamp()


def user_epoch(text: str) -> float:
    """An instant a client sent (already a valid date-time), as epoch seconds, clamped to the clock's years.

    The request schema accepts any RFC 3339 date-time, including years before 1000 and more fractional digits
    than Python reads; those never fail here."""
    try:
        return parse_instant(text).timestamp()
    except ValueError:
        pass
    found = _INSTANT.fullmatch(text)
    if not found:
        return EARLIEST
    year = int(found.group(1))
    if year < 1000:
        return EARLIEST
    try:
        month, day, hour, minute, second = (int(found.group(i)) for i in range(2, 7))
        base = datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()
    except ValueError:
        return EARLIEST
    zone = found.group(7) or "Z"
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        base -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return min(max(base, EARLIEST), LATEST)


@lru_cache(maxsize=4096)  # every session built from a scenario puts the same instants of it in canonical form
def user_instant(text: str) -> str:
    """An instant a client (or a scenario) gave, in canonical form."""
    return iso(user_epoch(text))


def whole(stamp: float) -> float:
    """Simulation times are whole seconds (what the canonical form shows)."""
    return float(math.floor(stamp))


# -- phone numbers ---------------------------------------------------------------------------------------
def valid_phone(number: str) -> bool:
    """E.164 with or without its + (7 to 15 digits, the first not 0)."""
    return _PHONE.fullmatch(number) is not None


def valid_call_phone(number: str) -> bool:
    """The third-party call pages' form: 10 to 15 digits, no plus."""
    return _CALL_PHONE.fullmatch(number) is not None


def digits(number: str) -> str:
    """A number without its leading +, to compare numbers written either way."""
    return number[1:] if number.startswith("+") else number


# -- defaults --------------------------------------------------------------------------------------------
def fill_campaign(campaign: Record, now: str, object_id: str) -> Record:
    campaign.setdefault("_id", object_id)
    status = campaign.setdefault("campaign_status", DRAFT)
    campaign.setdefault("script_id", None)
    campaign.setdefault("contact_ids", [])
    campaign.setdefault("excluded_contact_ids", [])
    campaign.setdefault("created_at", now)
    campaign.setdefault("updated_at", campaign["created_at"])
    campaign.setdefault("campaign_start_time", None)
    campaign.setdefault("campaign_end_time", None)
    campaign.setdefault("started_at", now if status in (RUNNING, PAUSED, COMPLETED) else None)
    campaign.setdefault("paused_at", now if status == PAUSED else None)
    campaign.setdefault("completed_at", now if status == COMPLETED else None)
    campaign.setdefault("isDeleted", False)
    campaign.setdefault("isScheduledCall", False)
    campaign.setdefault("isContextBasedCall", False)
    campaign.setdefault("isHidden", False)
    campaign.setdefault("redialConfig", {"enabled": False})
    campaign["redialConfig"].setdefault("enabled", False)
    for key in ("created_at", "updated_at", "campaign_start_time", "campaign_end_time", "started_at", "paused_at"):
        _canonical(campaign, key)
    for key in ("completed_at", "campaignStartDate", "campaignEndDate", "scheduledCallDateTime"):
        _canonical(campaign, key)
    return campaign


def fill_contact(contact: Record, now: str) -> Record:
    contact.setdefault("custom_fields", {})
    contact.setdefault("created_at", now)
    _canonical(contact, "created_at")
    return contact


def fill_script(script: Record, now: str) -> Record:
    script.setdefault("script_content", {"initial_prompt": DEFAULT_PROMPT})
    script.setdefault("language", "en-US")
    script.setdefault("accent", "neutral")
    script.setdefault("version", "1.0.0")
    script.setdefault("created_at", now)
    script.setdefault("updated_at", script["created_at"])
    script.setdefault("user_specific_data", {})
    for key in ("created_at", "updated_at"):
        _canonical(script, key)
    return script


def fill_call(call: Record) -> Record:
    call.setdefault("contact_id", None)
    call.setdefault("contact_name", None)
    for key in ("scheduled_at", "started_at", "ended_at"):
        call.setdefault(key, None)
        _canonical(call, key)
    if "duration" not in call:
        ended = call["status"] in OUTCOMES and call["started_at"] and call["ended_at"]
        call["duration"] = max(0, round(epoch(call["ended_at"]) - epoch(call["started_at"]))) if ended else 0
    call.setdefault("recording_url", None)
    call.setdefault("attempt", 1)
    call.setdefault("batch_id", None)
    call.setdefault("notificationWebhookUrl", None)
    return call


USER_DEFAULTS: Record = {
    "role": "manager",
    "generativeBotScript": True,
    "allowedRoutes": ["/dashboard", "/campaigns", "/analytics"],
    "editScriptAppData": False,
    "viewHistoryTranscriptions": False,
    "viewVoiceComponentConfigs": False,
    "showQuotaStatusBox": True,
    "scriptData": {"botName": BRAND_NAME, "prompt": ""},
    "brandSpecificData": {"brandName": BRAND_NAME, "campaignDialConfig": {"maxConcurrentCalls": 5}},
    "agentLoginDetails": {"lastLogin": None, "loginCount": 0},
}


def fill_user(user: Record, now: str, object_id: str) -> Record:
    user.setdefault("_id", object_id)
    user.setdefault("name", user["email"].split("@")[0])
    for key, value in USER_DEFAULTS.items():
        if key not in user:
            user[key] = owned(value)
    user.setdefault("createdAt", now)
    user.setdefault("updatedAt", user["createdAt"])
    return user


def fill_quota(quota: Record, now: datetime) -> Record:
    quota.setdefault("plan", "Pro")
    quota.setdefault("billingCycle", "monthly")
    if "resetDate" not in quota:
        year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        quota["resetDate"] = format_instant(datetime(min(year, 9999), month, 1, tzinfo=UTC))
    for name, limit in (("calls", 10000), ("minutes", 50000), ("sms", 5000)):
        counter = quota.setdefault(name, {})
        counter.setdefault("used", 0)
        counter.setdefault("limit", limit)
    return quota


def _canonical(record: Record, key: str) -> None:
    """Stored instants in canonical form, so they compare as text and read back exactly."""
    value = record.get(key)
    if isinstance(value, str):
        record[key] = user_instant(value)
