"""VoiceGenie's documented errors, in the envelope of the page that documents them (contradictions V3, V4, V6).

Each page of the Dialer API words its errors its own way, so an error is built together with its body:

- v1 pages: `{"success": false, "message", "error": "CODE", "details"?}`;
- startCampaignv2: `{"success": false, "message", "error": {"code", ...}}` (an object in `error`);
- login, createContactAndCampaign, fetchNewGenerativeBotScript: `{"status": "failed", "data", "message"}`;
- the createCampaign family: `{"status": <HTTP code>, "message", "error", "details"?}`;
- the third-party call pages: the v1 envelope with a sentence in `error`.

Authentication (401, 403), rate limiting (429) and the body limit (413) happen before any endpoint runs and have
one v1 shape everywhere. The renderer turns the engine's own errors into the envelope of the operation they were
raised for (`error.operation`), and the documented messages are constants here, word for word.
"""

from __future__ import annotations

import re
from typing import Any

from ...engine.errors import (
    ApiError,
    InjectedFault,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    RequestInvalid,
    RouteNotFound,
)
from ...engine.specs import Operation
from ...engine.validation import Issue
from ...engine.vendor import ErrorRenderer

# Envelope families, by operationId (every other operation speaks the v1 envelope).
V2_OBJECT = frozenset({"start_campaign_v2"})
STATUS_TEXT = frozenset({"login", "create_contact_and_campaign", "fetch_new_generative_bot_script"})
STATUS_CODE = frozenset(
    {"create_campaign", "update_campaign", "check_campaign_name_existence", "exclude_contacts_from_campaign"}
)
CALLS = frozenset({"initiate_call", "initiate_batch_call", "initiate_batch_call_using_sheet"})

# v1 codes and messages.
BAD_REQUEST = "BAD_REQUEST"
UNAUTHORIZED = "UNAUTHORIZED"
NOT_FOUND = "NOT_FOUND"
RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
CAMPAIGN_ALREADY_RUNNING = "CAMPAIGN_ALREADY_RUNNING"
CAMPAIGN_NOT_RUNNING = "CAMPAIGN_NOT_RUNNING"
CAMPAIGN_RUNNING = "CAMPAIGN_RUNNING"
INVALID_CAMPAIGN_STATE = "INVALID_CAMPAIGN_STATE"
INVALID_PHONE_NUMBER = "INVALID_PHONE_NUMBER"
VALIDATION_ERROR = "VALIDATION_ERROR"

INVALID_REQUEST_DATA = "Invalid request data"
MISSING_API_KEY = "Invalid or missing API key"
INVALID_TOKEN = "Invalid or expired token"
MISSING_TOKEN = "Invalid or missing token"
FORBIDDEN = "API key does not have permission to access this resource"
TOO_MANY_REQUESTS = "Too many requests. Please try again later."
CAMPAIGN_NOT_FOUND = "Campaign not found"
CONTACT_NOT_FOUND = "Contact not found"
SCRIPT_NOT_FOUND = "Script not found"
ALREADY_RUNNING = "Campaign is already running"
ALREADY_IN_PROGRESS = "Campaign is already in progress"
NOT_RUNNING = "Campaign is not running"
DELETE_RUNNING = "Cannot delete a running campaign. Please pause it first."
MISSING_CONFIGURATION = "Campaign cannot be started. Missing required configuration."
WRONG_STATE = "Campaign cannot be started from its current status."  # the mock's words (inferred case)
INVALID_PHONE = "Invalid phone number format"
SCRIPT_VALIDATION_FAILED = "Script validation failed"
UNSUPPORTED_LANGUAGE = "Unsupported language code"
UNSUPPORTED_ACCENT = "Accent not available for the selected language"
EMPTY_INITIAL_PROMPT = "Initial prompt cannot be empty"

# The createCampaign family.
INVALID_PARAMETERS = "INVALID_PARAMETERS"
MISSING_PARAMETER = "MISSING_PARAMETER"
MISSING_PARAMETERS = "MISSING_PARAMETERS"
DUPLICATE_CAMPAIGN_NAME = "DUPLICATE_CAMPAIGN_NAME"
CONTACT_NOT_FOUND_CODE = "CONTACT_NOT_FOUND"
AGENT_NOT_FOUND = "AGENT_NOT_FOUND"
CAMPAIGN_NOT_FOUND_CODE = "CAMPAIGN_NOT_FOUND"
INVALID_CAMPAIGN_ID = "INVALID_CAMPAIGN_ID"
INVALID_COLUMN = "INVALID_COLUMN"
INVALID_CONFIGURATION = "Invalid campaign configuration"
NAME_TAKEN = "Campaign name already exists"
NAME_AVAILABLE = "Campaign name is available"
NAME_REQUIRED = "Campaign name is required"
AGENT_MISSING = "Agent not found"
CAMPAIGN_ID_NOT_PROVIDED = "Campaign ID not provided"
FILE_OR_KEY_MISSING = "File not provided or searchKey missing"
FILE_UNREADABLE = "File could not be read as CSV or XLSX"

# The {status: failed} pages.
INVALID_CREDENTIALS = "Invalid email or password"
AUTH_FAILED = "Auth Failed"
SOMETHING_WENT_WRONG = "something went wrong!"

# The third-party call pages.
INVALID_PHONE_SHORT = "Invalid phone number"
PHONE_MUST_BE_VALID = "Phone number must be valid"
INVALID_USERS = "Invalid users array"
USERS_EMPTY = "Users array cannot be empty"
TOO_MANY_USERS = "Too many users"
TOO_MANY_USERS_DETAIL = "Maximum 1000 users allowed per batch"
VALIDATION_FAILED = "Validation failed"
NO_VALID_NUMBER = "No user has a valid phone number (10 to 15 digits, no plus)"
INVALID_FILE = "Invalid file"

# Documented 500 messages, by operation (the rest answer a generic one).
_INTERNAL = {
    "fetch_campaign_data": "An error occurred while fetching campaigns",
    "upload_campaign_data": "Failed to process campaign data",
    "delete_campaign": "Failed to delete campaign",
    "get_campaign_stats": "Failed to retrieve campaign statistics",
    "start_campaign_v2": "Failed to start campaign",
}
_INTERNAL_DEFAULT = "Internal server error"


class VoiceGenieError(ApiError):
    """A documented error whose body is already in its page's envelope."""

    def __init__(self, status: int, code: str, message: str, body: dict[str, Any]) -> None:
        super().__init__(status, code, message)
        self.body = body


# -- builders, one per envelope ----------------------------------------------------------------------
def v1(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> VoiceGenieError:
    body: dict[str, Any] = {"success": False, "message": message, "error": code}
    if details is not None:
        body["details"] = details
    return VoiceGenieError(status, code, message, body)


def v2(status: int, code: str, message: str, **fields: Any) -> VoiceGenieError:
    return VoiceGenieError(
        status, code, message, {"success": False, "message": message, "error": {"code": code, **fields}}
    )


def status_code(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> VoiceGenieError:
    body: dict[str, Any] = {"status": status, "message": message, "error": code}
    if details is not None:
        body["details"] = details
    return VoiceGenieError(status, code, message, body)


def status_only(status: int, message: str) -> VoiceGenieError:
    """`{status, message}`: the 409 of checkCampaignNameExistence."""
    return VoiceGenieError(status, f"http_{status}", message, {"status": status, "message": message})


def failed(status: int, data: Any, message: str) -> VoiceGenieError:
    return VoiceGenieError(status, f"http_{status}", message, {"status": "failed", "data": data, "message": message})


def call_error(status: int, message: str, sentence: str) -> VoiceGenieError:
    return VoiceGenieError(status, f"http_{status}", message, {"success": False, "message": message, "error": sentence})


def unauthorized(message: str = MISSING_API_KEY) -> VoiceGenieError:
    return v1(401, UNAUTHORIZED, message)


def forbidden() -> VoiceGenieError:
    return VoiceGenieError(403, "FORBIDDEN", FORBIDDEN, {"success": False, "message": FORBIDDEN})


def not_found(message: str = CAMPAIGN_NOT_FOUND) -> VoiceGenieError:
    return v1(404, NOT_FOUND, message)


def bad_request(field: str, issue: str) -> VoiceGenieError:
    return v1(400, BAD_REQUEST, INVALID_REQUEST_DATA, {"field": field, "issue": issue})


def rate_limited() -> VoiceGenieError:
    return v1(429, RATE_LIMIT_EXCEEDED, TOO_MANY_REQUESTS)


def payload_too_large(limit: int) -> VoiceGenieError:
    return v1(413, PAYLOAD_TOO_LARGE, f"Request payload exceeds {limit} bytes")


def internal(operation: Operation | None) -> VoiceGenieError:
    """The documented 500 of an operation, in its envelope."""
    op = operation.operation_id if operation else ""
    message = _INTERNAL.get(op, _INTERNAL_DEFAULT)
    if op in V2_OBJECT:
        return v2(500, INTERNAL_SERVER_ERROR, message)
    if op == "login":
        return failed(500, {}, "user Login Failed.")
    if op == "fetch_new_generative_bot_script":
        return failed(500, {}, "fetchNewGenerativeBotScript Failed.")
    if op == "create_contact_and_campaign":
        return contact_creation_failed()
    if op == "create_campaign" or op == "check_campaign_name_existence":
        return status_code(500, "INTERNAL_ERROR", "Failed to create campaign")
    if op == "update_campaign":
        return status_code(500, "UPDATE_FAILED", "Failed to update campaign")
    if op == "exclude_contacts_from_campaign":
        return status_code(500, "PROCESSING_ERROR", "Error processing exclusion file")
    return v1(500, INTERNAL_SERVER_ERROR, message)


def contact_creation_failed(status: int = 500) -> VoiceGenieError:
    """500 as documented; 400 (with the documented data) for a malformed phone number, which the page does not cover."""
    if status == 400:
        return failed(400, {"message": "create contact failed"}, INVALID_PHONE)
    return failed(500, {"message": "create contact failed"}, "contact creation failed!")


def invalid_parameters(*, missing: list[str] | None = None, invalid: list[str] | None = None) -> VoiceGenieError:
    details: dict[str, Any] = {}
    if missing:
        details["missing"] = missing
    if invalid:
        details["invalid"] = invalid
    return status_code(400, INVALID_PARAMETERS, INVALID_CONFIGURATION, details)


# -- request-validation wording ----------------------------------------------------------------------------
_REQUIRED = re.compile(r"'([^']*)' is a required property")
_PHRASES = {"pattern": "does not have the expected format", "required": "is required"}


def issue_field(issue: Issue) -> str:
    """The dotted name of the field an issue is about (for `required`, the missing field itself)."""
    path = [str(p) if isinstance(p, str) else f"[{p}]" for p in issue.path]
    keyword = issue.schema_path.rsplit("/", 1)[-1]
    if keyword == "required":
        found = _REQUIRED.search(issue.message)
        if found and (not issue.path or found.group(1) != issue.path[-1]):
            path.append(found.group(1))
    text = ".".join(path).replace(".[", "[")
    return text or "body"


def issue_text(issue: Issue) -> str:
    keyword = issue.schema_path.rsplit("/", 1)[-1]
    return _PHRASES.get(keyword, issue.message)


def _is_missing(issue: Issue) -> bool:
    return issue.schema_path.rsplit("/", 1)[-1] == "required"


class VoiceGenieErrors(ErrorRenderer):
    def render(self, err: ApiError) -> Any:
        if isinstance(err, VoiceGenieError):
            return err.body
        # Not expected (every error is built by a builder above or reworded by a hook), but never a bare body.
        return {"success": False, "message": err.message, "error": err.code.upper()}

    def request_invalid(self, err: RequestInvalid) -> ApiError:
        op = err.operation.operation_id if err.operation else ""
        first = err.issues[0]
        field, issue = issue_field(first), issue_text(first)
        if err.part == "json":
            field, issue = "body", "The request body is not valid JSON"
        if op in V2_OBJECT:
            return v2(400, BAD_REQUEST, INVALID_REQUEST_DATA, field=field, issue=issue)
        if op in STATUS_TEXT:
            return failed(400, {}, f"Invalid request: {field} {issue}")
        if op in STATUS_CODE:
            missing = sorted({issue_field(i) for i in err.issues if _is_missing(i)})
            invalid = sorted({issue_field(i) for i in err.issues if not _is_missing(i)})
            return invalid_parameters(missing=missing, invalid=invalid)
        return bad_request(field, issue)

    def route_not_found(self, err: RouteNotFound) -> ApiError:
        if err.path.rstrip("/") == "/updateCampaign":
            # PUT /updateCampaign/{campaignId} with an empty id: the page's 422.
            return status_code(422, INVALID_CAMPAIGN_ID, CAMPAIGN_ID_NOT_PROVIDED)
        return v1(404, NOT_FOUND, f"Route not found: {err.path}")

    def method_not_allowed(self, err: MethodNotAllowed) -> ApiError:
        return v1(405, "METHOD_NOT_ALLOWED", f"{err.method} is not supported here; use {', '.join(err.allowed)}")

    def rate_limited(self, err: RateLimited) -> ApiError:
        return rate_limited()

    def payload_too_large(self, err: PayloadTooLarge) -> ApiError:
        return payload_too_large(err.limit)

    def injected(self, err: InjectedFault) -> ApiError:
        """The documented error of the operation for the injected status."""
        op = err.operation.operation_id if err.operation else ""
        status = err.status
        if status == 401:
            if op == "login":
                return failed(401, {}, INVALID_CREDENTIALS)
            return unauthorized()
        if status == 403:
            return forbidden()
        if status == 413:
            return payload_too_large(0)
        if status == 429:
            return rate_limited()
        if status >= 500:
            error = internal(err.operation)
            if status != 500:
                error = VoiceGenieError(status, error.code, error.message, _restatus(error.body, status))
            return error
        return _injected_client_error(op, status)


def _restatus(body: dict[str, Any], status: int) -> dict[str, Any]:
    if isinstance(body.get("status"), int):
        return {**body, "status": status}
    return body


def _injected_client_error(op: str, status: int) -> VoiceGenieError:
    """A 4xx fault without a body: the operation's documented body for that status (a generic one otherwise)."""
    if op in V2_OBJECT:
        if status == 400:
            return v2(400, BAD_REQUEST, INVALID_REQUEST_DATA)
        if status == 404:
            return v2(404, NOT_FOUND, CAMPAIGN_NOT_FOUND)
        if status == 422:
            return v2(422, INVALID_CAMPAIGN_STATE, MISSING_CONFIGURATION, current_status="draft", missing=[])
    if op == "login":
        return failed(422, AUTH_FAILED, "") if status == 422 else failed(status, {}, "Login Failed")
    if op == "fetch_new_generative_bot_script":
        return failed(422, SOMETHING_WENT_WRONG, "") if status == 422 else failed(status, {}, "Request failed")
    if op in STATUS_TEXT:
        return failed(status, {}, "Request failed")
    if op in STATUS_CODE:
        if status == 400:
            return invalid_parameters(invalid=["body"])
        if status == 404:
            if op == "create_campaign":
                return status_code(404, CONTACT_NOT_FOUND_CODE, CONTACT_NOT_FOUND)
            return status_code(404, CAMPAIGN_NOT_FOUND_CODE, CAMPAIGN_NOT_FOUND)
        if status == 409:
            return status_only(409, NAME_TAKEN)
        if status == 422:
            if op == "exclude_contacts_from_campaign":
                return status_code(422, INVALID_COLUMN, "Column doesn't exist in file")
            return status_code(422, DUPLICATE_CAMPAIGN_NAME, NAME_TAKEN)
        return status_code(status, f"HTTP_{status}", "Request failed")
    if op in CALLS:
        if status == 400:
            return call_error(400, INVALID_PHONE_SHORT, PHONE_MUST_BE_VALID)
        if status == 422:
            return call_error(422, VALIDATION_FAILED, "Missing required field")
        if status == 404:
            return not_found()
        return call_error(status, "Request failed", f"The server answered {status}")
    if status == 400:
        return bad_request("body", "The request could not be processed")
    if status == 404:
        return not_found(
            SCRIPT_NOT_FOUND if "script" in op else CONTACT_NOT_FOUND if "contact" in op else CAMPAIGN_NOT_FOUND
        )
    if status == 422:
        if op == "create_script":
            return v1(422, VALIDATION_ERROR, SCRIPT_VALIDATION_FAILED, {"language": UNSUPPORTED_LANGUAGE})
        return v1(422, INVALID_CAMPAIGN_STATE, MISSING_CONFIGURATION, {"missing": []})
    return v1(status, f"HTTP_{status}", f"The server answered {status}")
