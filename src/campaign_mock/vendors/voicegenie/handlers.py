"""VoiceGenie's 34 documented operations, one async function per operationId.

Handlers stay thin: find the records, apply the rule from `state.py`, and answer in the page's own envelope (the
v1 `{success, data, message}`, the v2 camelCase/in_progress bodies, `{status: success}` or `{status: <code>}`).
Ids come from the session's id factory (UUIDs and 24-hex ObjectIds for campaigns) and times from its clock, so a
frozen clock makes every answer reproducible.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from ...engine.clock import format_instant
from ...engine.vendor import Call, Reply
from . import downloads, errors, views
from .auth import Principal, issue_token, token_claims
from .calls import LINES
from .records import (
    BRAND_NAME,
    DRAFT,
    LANGUAGES,
    NOT_YET_STARTED,
    OUTCOMES,
    QUEUED,
    RUNNING,
    SCHEDULED,
    Record,
    iso,
    user_instant,
    valid_call_phone,
    valid_phone,
)
from .sheets import SheetError, read_table
from .state import VoiceGenieState
from .variants import START_FROM_DRAFT

VGCall = Call[VoiceGenieState, Principal]

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
_CONTACT_COLUMNS = ("phone_number", "name", "email")
_REDIAL_INPUT = ("enabled", "maxAttempts", "retryIntervals")
_REDIAL_RECORD = (
    *_REDIAL_INPUT,
    "callBackHandlingOnly",
    "campaignWiseLimit",
    "dailyLimit",
    "callEntities",
    "terminalConditions",
)
_CREATE_REQUIRED = (
    "campaignName",
    "contactName",
    "campaignStartHour",
    "campaignStartMinute",
    "campaignEndHour",
    "campaignEndMinute",
    "agentId",
)
_CALL_PHONE_RULE = "Phone number must be 10 to 15 digits without a plus sign"


def _now(call: VGCall) -> str:
    return format_instant(call.now)


def _ts(call: VGCall) -> float:
    return call.now.timestamp()


def _ok(data: Any = None, message: str | None = None, **extra: Any) -> Reply:
    body: Record = {"success": True}
    if data is not None:
        body["data"] = data
    if message is not None:
        body["message"] = message
    body.update(extra)
    return Reply(200, body)


def _page(items: list[Any], query: Record, default_limit: int) -> tuple[list[Any], Record]:
    # JSON Schema's `integer` admits 1.0: a whole float is taken as the integer it is.
    limit, offset = int(query.get("limit", default_limit)), int(query.get("offset", 0))
    return items[offset : offset + limit], {"total": len(items), "limit": limit, "offset": offset}


def _campaign(call: VGCall, campaign_id: str) -> Record:
    campaign = call.state.campaign(campaign_id)
    if campaign is None:
        raise errors.not_found()
    return campaign


def _script(call: VGCall, script_id: str) -> Record:
    script = call.state.scripts.get(script_id)
    if script is None:
        raise errors.not_found(errors.SCRIPT_NOT_FOUND)
    return script


def _file(call: VGCall, name: str) -> bytes | None:
    """A multipart file part (or, sent as a plain field, its text)."""
    part = call.files.get(name)
    if part is not None:
        return part.data
    text = call.body.get(name) if isinstance(call.body, dict) else None
    return text.encode("utf-8") if isinstance(text, str) and text else None


def _redial_config(given: Record | None, keys: tuple[str, ...]) -> Record:
    config: Record = {"enabled": False}
    config.update({k: copy.deepcopy(v) for k, v in (given or {}).items() if k in keys})
    return config


# -- campaigns (v1) -------------------------------------------------------------------------------
async def fetch_campaign_data(call: VGCall) -> Reply:
    state = call.state
    with_counts = call.query.get("call_count", True)
    items, pagination = _page(state.live_campaigns(), call.query, 10)
    campaigns = [views.list_item(state, c, with_counts) for c in items]
    return _ok({"campaigns": campaigns, "pagination": pagination})


async def get_campaign(call: VGCall) -> Reply:
    return _ok(views.detail(call.state, _campaign(call, call.path_params["id"])))


async def upload_campaign_data(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    contacts = _uploaded_contacts(call) if call.files or "contacts" not in body else body["contacts"]
    script_id = body.get("script_id")
    if script_id is not None and script_id not in state.scripts:
        raise errors.not_found(errors.SCRIPT_NOT_FOUND)
    start_time = user_instant(body["schedule_time"]) if body.get("schedule_time") else None
    if body.get("campaign_id"):
        campaign = _campaign(call, body["campaign_id"])
        changes: Record = {}
        if script_id is not None:
            changes["script_id"] = script_id
        if start_time is not None:
            changes["campaign_start_time"] = start_time
            if campaign["campaign_status"] == DRAFT:
                changes["campaign_status"] = SCHEDULED
        if changes:
            state.configure(campaign, changes, now)
    else:
        name = body.get("campaign_name")
        if not name:
            raise errors.bad_request("campaign_name", "is required when campaign_id is not given")
        status = SCHEDULED if start_time else DRAFT
        campaign = state.new_campaign(call.ids, now, name, status, script_id=script_id, campaign_start_time=start_time)
    result = state.upload(campaign, contacts, now, call.ids)
    state.refresh(campaign, now, call.chance)
    data = {
        "campaign_id": campaign["id"],
        "uploaded_count": len(result.added),
        "failed_count": len(result.errors),
        "skipped_count": result.skipped,
        "errors": result.errors,
    }
    return _ok(data, "Campaign data uploaded successfully")


def _uploaded_contacts(call: VGCall) -> list[Record]:
    """The contacts of a multipart upload's CSV/Excel file: phone_number, name, email, the rest custom fields."""
    data = _file(call, "file") or b""
    try:
        header, rows = read_table(data)
    except SheetError as exc:
        raise errors.bad_request("file", str(exc)) from None
    if "phone_number" not in header:
        raise errors.bad_request("file", "the file has no phone_number column")
    contacts = []
    for row in rows:
        contact: Record = {"phone_number": row.get("phone_number", "")}
        for key in ("name", "email"):
            if row.get(key):
                contact[key] = row[key]
        contact["custom_fields"] = {k: v for k, v in row.items() if k not in _CONTACT_COLUMNS and v}
        contacts.append(contact)
    return contacts


async def upload_campaign_data_and_run(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    _script(call, body["agentId"])
    scheduled = bool(body.get("isScheduledCall", False))
    given = body["contacts"]
    if scheduled:
        for i, contact in enumerate(given):
            if not contact.get("scheduledCallDateTime"):
                raise errors.bad_request(
                    f"contacts[{i}].scheduledCallDateTime", "is required when isScheduledCall is true"
                )
    redial = _redial_config(body.get("redialConfig"), _REDIAL_INPUT)
    campaign = state.new_campaign(
        call.ids,
        now,
        body["campaignName"],
        RUNNING,
        script_id=body["agentId"],
        isScheduledCall=scheduled,
        isContextBasedCall=bool(body.get("isContextBasedCall", False)),
        redialConfig=redial,
    )
    contacts = [
        {
            "phone_number": c["phone_number"],
            **{k: c[k] for k in ("name", "email") if k in c},
            "custom_fields": c.get("custom_data") or {},
        }
        for c in given
    ]
    result = state.upload(campaign, contacts, now, call.ids)
    if scheduled:
        for index, contact in result.added:
            at = user_instant(given[index]["scheduledCallDateTime"])
            state.add_call(call.ids, campaign, contact=contact, status=QUEUED, scheduled_at=at)
    state.refresh(campaign, now, call.chance)
    data = views.run_summary(state, campaign, _ts(call), redial)
    return _ok(message="Campaign created and started successfully", data=data)


async def create_contact_and_campaign(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    identifier = body["identifierName"]
    people = body["userData"]
    if not all(valid_phone(p["phone_number"]) for p in people):
        raise errors.contact_creation_failed(400)
    contacts = [
        {
            "phone_number": p["phone_number"],
            "name": p.get("name") or f"{BRAND_NAME}_contact_{identifier}",
            "custom_fields": {k: v for k, v in p.items() if k not in ("phone_number", "name")},
        }
        for p in people
    ]
    campaign = state.new_campaign(call.ids, now, f"{BRAND_NAME}_campaign_{identifier}", DRAFT)
    state.upload(campaign, contacts, now, call.ids)
    state.refresh(campaign, now, call.chance)
    return Reply(200, {"status": "success", "data": {"message": "Done"}, "message": "Contact and campaign created."})


async def start_campaign(call: VGCall) -> Reply:
    state = call.state
    campaign = _campaign(call, call.path_params["campaignId"])
    if campaign["campaign_status"] == RUNNING:
        raise errors.v1(400, errors.CAMPAIGN_ALREADY_RUNNING, errors.ALREADY_RUNNING)
    check = state.start_check(campaign, call.variant(START_FROM_DRAFT) == "start")
    if not check.ok:
        details: Record = {"missing": check.missing}
        message = errors.MISSING_CONFIGURATION
        if check.forbidden_status is not None:
            details["current_status"] = check.forbidden_status
            message = errors.WRONG_STATE
        raise errors.v1(422, errors.INVALID_CAMPAIGN_STATE, message, details)
    state.start(campaign, _now(call), call.chance)
    data = {"campaign_id": campaign["id"], "status": RUNNING, "started_at": campaign["started_at"]}
    return _ok(data, "Campaign started successfully")


async def start_campaign_v2(call: VGCall) -> Reply:
    state = call.state
    campaign = state.campaign_by_object_id(call.path_params["campaignId"])
    if campaign is None:
        raise errors.v2(404, errors.NOT_FOUND, errors.CAMPAIGN_NOT_FOUND)
    if campaign["campaign_status"] == RUNNING:
        started = campaign["started_at"] or campaign["updated_at"]
        raise errors.v2(
            400,
            errors.CAMPAIGN_ALREADY_RUNNING,
            errors.ALREADY_IN_PROGRESS,
            current_status="in_progress",
            started_at=started,
        )
    check = state.start_check(campaign, call.variant(START_FROM_DRAFT) == "start")
    if not check.ok:
        message = errors.WRONG_STATE if check.forbidden_status else errors.MISSING_CONFIGURATION
        raise errors.v2(
            422, errors.INVALID_CAMPAIGN_STATE, message, current_status=views.v2_status(campaign), missing=check.missing
        )
    state.start(campaign, _now(call), call.chance)
    return _ok(views.start_v2(state, campaign, _ts(call)), "Campaign started successfully")


async def pause_the_campaign(call: VGCall) -> Reply:
    campaign = _campaign(call, call.path_params["campaignId"])
    if campaign["campaign_status"] != RUNNING:
        raise errors.v1(400, errors.CAMPAIGN_NOT_RUNNING, errors.NOT_RUNNING)
    active = call.state.pause(campaign, _now(call), call.chance)
    data = {
        "campaign_id": campaign["id"],
        "status": "paused",
        "paused_at": campaign["paused_at"],
        "active_calls": active,
    }
    return _ok(data, "Campaign paused successfully. Active calls will complete normally.")


async def delete_campaign(call: VGCall) -> Reply:
    campaign = _campaign(call, call.path_params["campaignId"])
    if campaign["campaign_status"] == RUNNING:
        raise errors.v1(400, errors.CAMPAIGN_RUNNING, errors.DELETE_RUNNING)
    call.state.delete(campaign, call.chance, _now(call))
    return _ok(message="Campaign deleted successfully")


async def get_campaign_stats(call: VGCall) -> Reply:
    return _ok(views.stats(call.state, _campaign(call, call.path_params["campaignId"])))


async def get_history(call: VGCall) -> Reply:
    campaign = _campaign(call, call.body["campaign_id"])
    entries, pagination = _page(views.history(call.state, campaign, call.body), call.body, 50)
    return _ok({"history": entries, "pagination": pagination})


async def download_campaign_stats(call: VGCall) -> Reply:
    campaign = _campaign(call, call.query["campaign_id"])
    kind = call.query.get("format", "xlsx")
    header, rows = downloads.report_rows(call.state, campaign)
    if kind == "csv":
        data, media = downloads.to_csv(header, rows), downloads.CSV
    else:
        data, media = downloads.to_xlsx(header, rows, call.now), downloads.XLSX
    disposition = f'attachment; filename="campaign_{campaign["id"]}.{kind}"'
    return Reply(200, data, {"Content-Disposition": disposition}, media_type=media)


# -- campaigns (v2) -------------------------------------------------------------------------------
async def get_campaign_statuses(call: VGCall) -> Reply:
    state = call.state
    campaigns = state.live_campaigns()
    wanted = call.query.get("campaign_id")
    if wanted is not None:
        campaigns = [c for c in campaigns if c["_id"].lower() == wanted.lower()]
    status = call.query.get("status")
    if status is not None:
        campaigns = [c for c in campaigns if views.v2_status(c) == status]
    entries = [views.status_entry(state, c, _ts(call)) for c in campaigns]
    data = {"campaigns": entries, "summary": views.statuses_summary(state, campaigns, call.now)}
    return _ok(message="Campaign statuses retrieved successfully", data=data)


async def redial_campaign_calls(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    campaign = state.campaign_by_object_id(body["campaign_id"])
    if campaign is None:
        raise errors.not_found()
    criteria = body.get("redial_criteria") or {}
    statuses = {s.replace("-", "_") for s in criteria.get("statuses", ["no-answer", "busy", "failed"])}
    most = criteria.get("max_previous_attempts", 3)
    skip_dnc = criteria.get("exclude_dnc", True)
    named = set(body.get("call_uuids") or [])
    latest = state.latest_calls(campaign)
    selected = [
        c
        for c in latest.values()
        if c["status"] in OUTCOMES and (c["id"] in named if named else c["status"] in statuses)
    ]
    interval = views.redial_interval(campaign)
    due = _ts(call) + interval
    batch_id = call.ids.new("redial-batch-", "token", 12)
    dnc = attempts = scheduled = 0
    for last in selected:
        contact = state.contacts.get(last["contact_id"] or "")
        if skip_dnc and contact is not None and contact["custom_fields"].get("dnc") is True:
            dnc += 1
        elif last["attempt"] >= most:
            attempts += 1
        else:
            state.add_call(call.ids, campaign, like=last, status=QUEUED, scheduled_at=iso(due), batch_id=batch_id)
            scheduled += 1
    if scheduled and campaign["campaign_status"] == "completed":
        state.configure(campaign, {"campaign_status": RUNNING, "completed_at": None}, now)
    state.refresh(campaign, now, call.chance)
    data = {
        "campaign_id": campaign["_id"],
        "redial_batch_id": batch_id,
        "total_calls_to_redial": len(selected),
        "calls_scheduled": scheduled,
        "calls_excluded": dnc + attempts,
        "excluded_reasons": {"dnc_list": dnc, "max_attempts_reached": attempts},
        "estimated_start_time": iso(due),
        "redial_config": {"retry_interval": interval, "max_attempts": most},
    }
    return _ok(message="Redial initiated successfully", data=data)


# -- contacts -------------------------------------------------------------------------------------
async def create_contact(call: VGCall) -> Reply:
    body = call.body
    if not valid_phone(body["phone_number"]):
        raise errors.v1(400, errors.INVALID_PHONE_NUMBER, errors.INVALID_PHONE)
    contact = call.state.add_contact(call.ids, _now(call), body)
    data = {
        "contact_id": contact["id"],
        "phone_number": contact["phone_number"],
        "name": contact["name"],
        "created_at": contact["created_at"],
    }
    return _ok(data, "Contact created successfully")


async def fetch_contacts(call: VGCall) -> Reply:
    items, pagination = _page(list(call.state.contacts.values()), call.query, 50)
    return _ok({"contacts": [views.contact_summary(c) for c in items], "pagination": pagination})


async def fetch_contact(call: VGCall) -> Reply:
    contact = call.state.contacts.get(call.query["contact_id"])
    if contact is None:
        raise errors.not_found(errors.CONTACT_NOT_FOUND)
    return _ok(views.contact_detail(contact))


async def delete_contact(call: VGCall) -> Reply:
    contact_id = call.path_params["contactId"]
    if contact_id not in call.state.contacts:
        raise errors.not_found(errors.CONTACT_NOT_FOUND)
    call.state.delete_contact(contact_id, _now(call), call.chance)
    return _ok(message="Contact deleted successfully")


# -- scripts --------------------------------------------------------------------------------------
async def create_script(call: VGCall) -> Reply:
    body, now = call.body, _now(call)
    content = body["script_content"]
    if not content["initial_prompt"].strip():
        raise errors.bad_request("script_content.initial_prompt", errors.EMPTY_INITIAL_PROMPT)
    language = body.get("language", "en-US")
    accents = LANGUAGES.get(language)
    if accents is None:
        raise errors.v1(
            422, errors.VALIDATION_ERROR, errors.SCRIPT_VALIDATION_FAILED, {"language": errors.UNSUPPORTED_LANGUAGE}
        )
    # Left out, the accent is `neutral` where the language has it, else the language's first accent (inferred).
    accent = body.get("accent", "neutral" if "neutral" in accents else accents[0])
    if accent not in accents:
        raise errors.v1(
            422, errors.VALIDATION_ERROR, errors.SCRIPT_VALIDATION_FAILED, {"accent": errors.UNSUPPORTED_ACCENT}
        )
    script: Record = {"script_id": call.ids.new("script_", "token", 12), "script_name": body["script_name"]}
    for key in ("script_description", "script_content", "voice_settings", "ai_settings", "call_settings"):
        if key in body:
            script[key] = copy.deepcopy(body[key])
    script.update(language=language, accent=accent, version="1.0.0", created_at=now, updated_at=now)
    script["user_specific_data"] = {}
    call.state.scripts[script["script_id"]] = script
    data = {
        "script_id": script["script_id"],
        "script_name": script["script_name"],
        "created_at": now,
        "version": "1.0.0",
    }
    return _ok(data, "Script created successfully")


async def fetch_script(call: VGCall) -> Reply:
    body = call.body
    script = _script(call, body["script_id"])
    detail = views.script_detail(
        call.state, script, bool(body.get("include_analytics", False)), bool(body.get("include_history", False))
    )
    return _ok(detail)


async def update_user_specific_script_data(call: VGCall) -> Reply:
    body, now = call.body, _now(call)
    script = _script(call, body["script_id"])
    custom = copy.deepcopy(body["user_specific_data"])
    script["user_specific_data"][body["user_id"]] = custom
    data = {
        "script_id": script["script_id"],
        "user_id": body["user_id"],
        "user_specific_data": custom,
        "updated_at": now,
    }
    return _ok(message="User-specific script data updated successfully", data=data)


_VOICES = {
    "en-US": ("English (US)", (("en-US-Neural-F", "Aria", "female"), ("en-US-Neural-M", "Guy", "male"))),
    "en-IN": ("English (India)", (("en-IN-Neural-F", "Neerja", "female"), ("en-IN-Neural-M", "Prabhat", "male"))),
    "hi-IN": ("Hindi (India)", (("hi-IN-Neural-F", "Swara", "female"), ("hi-IN-Neural-M", "Madhur", "male"))),
}
_ACCENTS = {"american": ["en-US"], "indian": ["en-IN", "hi-IN"], "british": ["en-US", "en-IN"]}


async def fetch_accents_and_language(call: VGCall) -> Reply:
    languages = [
        {
            "code": code,
            "name": name,
            "voices": [
                {"voice_id": v, "name": n, "gender": g, "sample_url": f"https://samples.voicegenie.example/{v}.mp3"}
                for v, n, g in voices
            ],
        }
        for code, (name, voices) in _VOICES.items()
    ]
    accents = [{"accent": a, "supported_languages": list(langs)} for a, langs in _ACCENTS.items()]
    return _ok(
        message="Accents and languages retrieved successfully", data={"languages": languages, "accents": accents}
    )


async def fetch_new_generative_bot_script(call: VGCall) -> Reply:
    user_id = call.body.get("userId")
    user = call.state.user(user_id) if isinstance(user_id, str) and _OBJECT_ID.fullmatch(user_id) else None
    if user is None:
        raise errors.failed(422, errors.SOMETHING_WENT_WRONG, "")
    keys = (
        "_id",
        "name",
        "email",
        "generativeBotScript",
        "allowedRoutes",
        "editScriptAppData",
        "viewHistoryTranscriptions",
        "viewVoiceComponentConfigs",
        "showQuotaStatusBox",
        "agentLoginDetails",
        "createdAt",
        "updatedAt",
    )
    return Reply(200, {"status": "success", "data": {k: copy.deepcopy(user[k]) for k in keys}, "message": "Fetched"})


# -- auth -----------------------------------------------------------------------------------------
async def login(call: VGCall) -> Reply:
    body = call.body
    fields = [body.get(k) for k in ("email", "password", "recaptchaVal")]
    if not all(isinstance(f, str) and f for f in fields):
        raise errors.failed(422, errors.AUTH_FAILED, "")
    email, password = fields[0], fields[1]
    user = next((u for u in call.state.users if u["email"] == email and u["password"] == password), None)
    if user is None:
        raise errors.failed(401, {}, errors.INVALID_CREDENTIALS)
    token, _ = issue_token(user, call.ids.new("jti_", "token", 16), _ts(call))
    details = user["agentLoginDetails"]
    details["loginCount"] = details.get("loginCount", 0) + 1
    details["lastLogin"] = _now(call)
    keys = (
        "showQuotaStatusBox",
        "_id",
        "name",
        "email",
        "generativeBotScript",
        "allowedRoutes",
        "editScriptAppData",
        "viewHistoryTranscriptions",
        "viewVoiceComponentConfigs",
        "scriptData",
        "brandSpecificData",
        "agentLoginDetails",
    )
    data = {k: copy.deepcopy(user[k]) for k in keys}
    # No `Secure` flag: the mock is plain HTTP, where a client's cookie jar would never send a Secure cookie back.
    cookie = f"token={token}; Path=/; HttpOnly; Max-Age=86400; SameSite=Lax"
    return Reply(200, {"status": "success", "data": data, "message": "user Login Successful."}, {"Set-Cookie": cookie})


async def verify_login(call: VGCall) -> Reply:
    user, claims = call.principal.user, token_claims(call.principal.token or "")
    assert user is not None and claims is not None  # authentication checked both
    who = {"id": user["_id"], "email": user["email"], "name": user["name"], "role": user["role"]}
    return _ok({"valid": True, "user": who, "expires_at": iso(claims["exp"])})


async def logout(call: VGCall) -> Reply:
    claims = token_claims(call.principal.token or "")
    assert claims is not None  # authentication checked it
    call.state.revoked_tokens.append(str(claims["jti"]))
    return _ok(message="Logout successful")


# -- third-party calls ----------------------------------------------------------------------------
async def initiate_call(call: VGCall) -> Reply:
    body = call.body
    number = body["userPhoneNumber"]
    if not valid_call_phone(number):
        raise errors.call_error(400, errors.INVALID_PHONE_SHORT, errors.PHONE_MUST_BE_VALID)
    campaign = _campaign(call, body["campaignId"])
    extra = {"metaData": copy.deepcopy(body["metaData"]), "notificationWebhookUrl": body.get("notificationWebhookUrl")}
    placed = call.state.add_call(
        call.ids, campaign, phone_number=number, name=body["userName"], status=QUEUED, extra=extra
    )
    call.state.dialer.place_direct(campaign, [placed], _ts(call), call.chance)
    data = {
        "call_uuid": placed["id"],
        "status": "initiated",
        "userPhoneNumber": number,
        "campaignId": campaign["id"],
        "initiated_at": placed["started_at"],
    }
    return _ok(message="Call initiated successfully", data=data)


async def initiate_batch_call(call: VGCall) -> Reply:
    body = call.body
    users = body["users"]
    if not users:
        raise errors.call_error(400, errors.INVALID_USERS, errors.USERS_EMPTY)
    if len(users) > 1000:
        raise errors.call_error(413, errors.TOO_MANY_USERS, errors.TOO_MANY_USERS_DETAIL)
    for index, user in enumerate(users):
        for field in ("userName", "userPhoneNumber"):
            if not user.get(field):
                raise errors.call_error(
                    422, errors.VALIDATION_FAILED, f"Missing required field: {field} for user at index {index}"
                )
    campaign = _campaign(call, body["campaignId"])
    if not any(valid_call_phone(u["userPhoneNumber"]) for u in users):
        raise errors.call_error(400, errors.INVALID_PHONE, errors.NO_VALID_NUMBER)
    batch_id = call.ids.new("batch_", "token", 12)
    results, placed = _batch(call, campaign, users, batch_id, body.get("notificationWebhookUrl"))
    call.state.dialer.place_direct(campaign, placed, _ts(call), call.chance)
    data = {
        "total_users": len(users),
        "calls_initiated": len(placed),
        "calls_failed": len(users) - len(placed),
        "batch_id": batch_id,
        "calls": results,
    }
    return _ok(message="Batch call initiated successfully", data=data)


def _batch(
    call: VGCall, campaign: Record, users: list[Record], batch_id: str, webhook: str | None
) -> tuple[list[Record], list[Record]]:
    results, placed = [], []
    for user in users:
        name, number = user["userName"], user["userPhoneNumber"]
        if not valid_call_phone(number):
            results.append(
                {
                    "call_uuid": None,
                    "userName": name,
                    "userPhoneNumber": number,
                    "status": "failed",
                    "error": _CALL_PHONE_RULE,
                }
            )
            continue
        extra = {"metaData": copy.deepcopy(user.get("metaData") or {}), "notificationWebhookUrl": webhook}
        record = call.state.add_call(
            call.ids, campaign, phone_number=number, name=name, status=QUEUED, batch_id=batch_id, extra=extra
        )
        placed.append(record)
        results.append({"call_uuid": record["id"], "userName": name, "userPhoneNumber": number, "status": "initiated"})
    return results, placed


async def initiate_batch_call_using_sheet(call: VGCall) -> Reply:
    campaign = _campaign(call, call.body["campaignId"])
    try:
        _, rows = read_table(_file(call, "file") or b"")
    except SheetError as exc:
        raise errors.call_error(400, errors.INVALID_FILE, f"The file could not be read: {exc}") from None
    users = []
    for row in rows:
        name, number = row.get("userName", ""), row.get("userPhoneNumber", "")
        meta = _meta(row.get("metaData", ""))
        if name and valid_call_phone(number) and meta is not None:
            users.append({"userName": name, "userPhoneNumber": number, "metaData": meta})
    batch_id = call.ids.new("batch_", "token", 12)
    _, placed = _batch(call, campaign, users, batch_id, call.body.get("notificationWebhookUrl"))
    call.state.dialer.place_direct(campaign, placed, _ts(call), call.chance)
    minutes = max(1, -(-len(placed) // (LINES * 2)))
    data = {
        "total_users": len(rows),
        "valid_users": len(placed),
        "invalid_users": len(rows) - len(placed),
        "batch_id": batch_id,
        "status": "processing",
        "estimated_time": f"{minutes}-{2 * minutes} minutes",
    }
    return _ok(message="Batch call initiated from file", data=data)


def _meta(text: str) -> Record | None:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# -- settings -------------------------------------------------------------------------------------
async def fetch_quota(call: VGCall) -> Reply:
    return _ok(message="Quota fetched successfully", data=views.quota(call.state))


# -- the createCampaign family ({status: <HTTP code>, data, message}) --------------------------------
async def create_campaign(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    required = list(_CREATE_REQUIRED)
    if body.get("isScheduledCall"):
        required.append("scheduledCallDateTime")
    if body.get("isContextBasedCall"):
        required.append("recentCallContextCount")
    missing = [k for k in required if body.get(k) is None or body.get(k) == ""]
    if missing:
        raise errors.invalid_parameters(missing=missing)
    if state.name_taken(body["campaignName"]):
        raise errors.status_code(422, errors.DUPLICATE_CAMPAIGN_NAME, errors.NAME_TAKEN)
    if body["contactName"] not in state.contacts:
        raise errors.status_code(404, errors.CONTACT_NOT_FOUND_CODE, errors.CONTACT_NOT_FOUND)
    if body["agentId"] not in state.scripts:
        raise errors.status_code(404, errors.AGENT_NOT_FOUND, errors.AGENT_MISSING)
    fields: Record = {
        "script_id": body["agentId"],
        "contact_ids": [body["contactName"]],
        "campaignType": body.get("campaignType", "continuous"),
        "campaignStartTime": {
            "timeZone": body.get("campaignStartTimezone", "Asia/Calcutta"),
            "hour": body["campaignStartHour"],
            "minute": body["campaignStartMinute"],
        },
        "campaignEndTime": {
            "timeZone": body.get("campaignEndTimezone", "Asia/Calcutta"),
            "hour": body["campaignEndHour"],
            "minute": body["campaignEndMinute"],
        },
        "redialConfig": _redial_config(body.get("redialConfig"), _REDIAL_RECORD),
        "isScheduledCall": bool(body.get("isScheduledCall", False)),
        "isContextBasedCall": bool(body.get("isContextBasedCall", False)),
    }
    for key in ("campaignStartDate", "campaignEndDate", "scheduledCallDateTime"):
        if body.get(key):
            fields[key] = user_instant(body[key])
    if body.get("recentCallContextCount") is not None:
        fields["recentCallContextCount"] = body["recentCallContextCount"]
    if body.get("PhoneNumber") is not None:
        fields["phoneNumbers"] = list(body["PhoneNumber"])
    campaign = state.new_campaign(call.ids, now, body["campaignName"], NOT_YET_STARTED, **fields)
    state.refresh(campaign, now, call.chance)
    document = views.campaign_document(state, campaign)
    return Reply(200, {"status": 200, "data": document, "message": "Campaign created successfully"})


async def update_campaign(call: VGCall) -> Reply:
    state, body, now = call.state, call.body, _now(call)
    campaign = state.campaign(call.path_params["campaignId"])
    if campaign is None:
        raise errors.status_code(404, errors.CAMPAIGN_NOT_FOUND_CODE, errors.CAMPAIGN_NOT_FOUND)
    changes: Record = {}
    if "campaignName" in body:
        name = body["campaignName"]
        if not name:
            raise errors.invalid_parameters(invalid=["campaignName"])
        if name != campaign["name"] and state.name_taken(name, other_than=campaign):
            raise errors.status_code(422, errors.DUPLICATE_CAMPAIGN_NAME, errors.NAME_TAKEN)
        changes["name"] = name
    if "campaignType" in body:
        changes["campaignType"] = body["campaignType"]
    for key in ("campaignStartDate", "campaignEndDate"):
        if key in body:
            changes[key] = user_instant(body[key])
    for side in ("Start", "End"):
        moment = copy.deepcopy(campaign.get(f"campaign{side}Time") or views.midnight())
        touched = False
        for part, key in (("hour", f"campaign{side}Hour"), ("minute", f"campaign{side}Minute")):
            if key in body:
                moment[part], touched = body[key], True
        if f"campaign{side}Timezone" in body:
            moment["timeZone"], touched = body[f"campaign{side}Timezone"], True
        if touched:
            changes[f"campaign{side}Time"] = moment
    numbers = body.get("phoneNumber", body.get("PhoneNumber"))
    if numbers is not None:
        changes["phoneNumbers"] = list(numbers)
    state.configure(campaign, changes, now)
    state.refresh(campaign, now, call.chance)
    data = {"_id": campaign["_id"], "campaignName": campaign["name"], "campaignId": campaign["id"], "updatedAt": now}
    return Reply(200, {"status": 200, "data": data, "message": "Campaign details updated successfully."})


async def check_campaign_name_existence(call: VGCall) -> Reply:
    name = call.body.get("campaignName")
    if not name:
        raise errors.status_code(400, errors.MISSING_PARAMETER, errors.NAME_REQUIRED)
    if call.state.name_taken(name):
        raise errors.status_only(409, errors.NAME_TAKEN)
    return Reply(200, {"status": 200, "message": errors.NAME_AVAILABLE})


async def exclude_contacts_from_campaign(call: VGCall) -> Reply:
    state, now = call.state, _now(call)
    campaign = state.campaign(call.path_params["campaignId"])
    if campaign is None:
        raise errors.status_code(404, errors.CAMPAIGN_NOT_FOUND_CODE, errors.CAMPAIGN_NOT_FOUND)
    data = _file(call, "file")
    key = call.body.get("searchKey") if isinstance(call.body, dict) else None
    if not data or not key:
        raise errors.status_code(400, errors.MISSING_PARAMETERS, errors.FILE_OR_KEY_MISSING)
    try:
        header, rows = read_table(data)
    except SheetError:
        raise errors.status_code(400, errors.MISSING_PARAMETERS, errors.FILE_UNREADABLE) from None
    if key not in header:
        raise errors.status_code(422, errors.INVALID_COLUMN, f"Column '{key}' doesn't exist in file")
    values = {row.get(key, "") for row in rows} - {""}
    matched = [c["id"] for c in state.members(campaign) if _matches(c, key, values)]
    state.exclude(campaign, matched, now)
    state.refresh(campaign, now, call.chance)
    return Reply(
        200, {"status": 200, "data": {}, "message": "Exclusion started. Processing will continue in background."}
    )


def _matches(contact: Record, key: str, values: set[str]) -> bool:
    if key == "phone_number":
        return contact["phone_number"].lstrip("+") in {v.lstrip("+") for v in values}
    if key == "email":
        email = contact.get("email")
        return isinstance(email, str) and email.lower() in {v.lower() for v in values}
    if key == "name":
        return contact.get("name") in values
    value = contact["custom_fields"].get(key)
    return value is not None and (value if isinstance(value, str) else json.dumps(value)) in values
