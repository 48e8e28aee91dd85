"""FoxReach's documented errors and the two bodies they come in.

Every error is `{"detail": "<message>"}` (the API is FastAPI-style), except 429, which has its own documented
body: `{"error": "Rate limit exceeded", "code": "rate_limit_exceeded", "details": {"limit", "reset"}}`. The
documented messages are kept here as constants, word for word.
"""

from __future__ import annotations

import http
from typing import Any

from ...engine.errors import ApiError, InjectedFault, MethodNotAllowed, RateLimited, RequestInvalid, RouteNotFound
from ...engine.rate_limit import RateLimitPolicy
from ...engine.validation import Issue
from ...engine.vendor import ErrorRenderer

# The documented limit: 100 requests a minute per API key (fixed window unless the variant says sliding).
RATE_LIMIT = RateLimitPolicy(100, 60, "fixed")

# Documented messages (docs.foxreach.io endpoint pages and the errors page).
MISSING_API_KEY = "Missing API key"
INVALID_API_KEY = "Invalid API key"
INVALID_JSON = "Invalid JSON body"
CAMPAIGN_NOT_FOUND = "Campaign not found"
LEAD_NOT_FOUND = "Lead not found"
SEQUENCE_NOT_FOUND = "Sequence not found"
EMAIL_ACCOUNT_NOT_FOUND = "Email account not found"
TEMPLATE_NOT_FOUND = "Template not found"
THREAD_NOT_FOUND = "Thread not found"
WEBHOOK_NOT_FOUND = "Webhook not found"
ALREADY_ACTIVE = "Campaign is already active"
START_COMPLETED = "Cannot start a completed campaign"
NO_SEQUENCE_STEPS = "Campaign must have at least one sequence step"
ONLY_ACTIVE_PAUSABLE = "Only active campaigns can be paused"
NOT_PAUSED = "Campaign is not paused"
EDIT_ACTIVE = "Cannot edit active campaign. Pause it first."
SEQUENCE_WHILE_ACTIVE = "Campaign is active — pause it first"
INVALID_SPIN = "Invalid spin syntax"
ONLY_DRAFT_DELETABLE = "Only draft campaigns can be deleted"
DUPLICATE_LEAD = "Lead with this email already exists"
REPLY_BODY_REQUIRED = "Reply body is required"
# Never answered by a rule (every reply names a mailbox to send from); scenario foxreach/reply-failed injects it.
REPLY_FAILED = "Failed to send reply (SMTP error)"
RATE_LIMITED = "Rate limit exceeded"
RATE_LIMITED_CODE = "rate_limit_exceeded"
INTERNAL = "Internal server error"

# The mock's own words where the docs give none (a 422 in FoxReach's `Validation error: ...` form).
SENDING_WINDOW = "Validation error: sendingStartHour ({start}) must be before sendingEndHour ({end})"
_PATTERN_MEANINGS = {("email",): "email is not a valid email address", ("url",): "url must be an https:// URL"}
_PAGE_LIMITS = {"pageSize": "pageSize must be between 1 and 100", "page": "page must be 1 or greater"}


def error(status: int, message: str) -> ApiError:
    """A documented `{"detail": message}` error; the code is only used in logs and the journal."""
    return ApiError(status, http.HTTPStatus(status).phrase.lower().replace(" ", "_"), message)


def bad_request(message: str) -> ApiError:
    return error(400, message)


def not_found(message: str) -> ApiError:
    return error(404, message)


def rate_limited(limit: int, reset: int, retry_after: int) -> ApiError:
    return ApiError(
        429,
        RATE_LIMITED_CODE,
        RATE_LIMITED,
        details={"limit": limit, "reset": reset},
        headers={"Retry-After": str(retry_after)},
    )


def sending_window(start: int, end: int) -> ApiError:
    """A sending window that closes before it opens (checked on the settings as they would be stored)."""
    return error(422, SENDING_WINDOW.format(start=start, end=end))


def _is_shape_problem(issue: Issue) -> bool:
    """The body as a whole is JSON that is not an object (answered 400, like a body that is not JSON)."""
    if issue.path:
        return False
    return issue.schema_path.rsplit("/", 1)[-1] == "type"


def _describe(issue: Issue) -> str:
    field = issue.path[0] if issue.path else None
    keyword = issue.schema_path.rsplit("/", 1)[-1]
    if field in _PAGE_LIMITS and len(issue.path) == 1 and keyword in ("minimum", "maximum"):
        return _PAGE_LIMITS[str(field)]
    if keyword == "pattern" and issue.path in _PATTERN_MEANINGS:
        return _PATTERN_MEANINGS[issue.path]
    if not issue.path:
        return issue.message
    return f"{issue.where}: {issue.message}"


class FoxReachErrors(ErrorRenderer):
    def render(self, err: ApiError) -> Any:
        if err.status == 429 and err.code == RATE_LIMITED_CODE:
            return {
                "error": RATE_LIMITED,
                "code": RATE_LIMITED_CODE,
                "details": {"limit": err.details["limit"], "reset": err.details["reset"]},
            }
        return {"detail": err.message}

    def request_invalid(self, err: RequestInvalid) -> ApiError:
        if err.part == "json" or (err.part == "body" and any(_is_shape_problem(i) for i in err.issues)):
            return bad_request(INVALID_JSON)
        return error(422, f"Validation error: {_describe(err.issues[0])}")

    def route_not_found(self, err: RouteNotFound) -> ApiError:
        return error(404, "Not Found")

    def method_not_allowed(self, err: MethodNotAllowed) -> ApiError:
        return error(405, "Method Not Allowed")

    def rate_limited(self, err: RateLimited) -> ApiError:
        rate = err.decision
        return rate_limited(rate.limit, rate.reset_epoch, rate.retry_after)

    def injected(self, err: InjectedFault) -> ApiError:
        status = err.status
        if status == 429:
            rate = err.decision
            if rate is None:
                # FoxReach always has a limiter, so the engine always passes a reading; without one the body
                # names the documented policy, and no window end (no clock reading to take it from).
                return rate_limited(RATE_LIMIT.limit, 0, RATE_LIMIT.window_seconds)
            return rate_limited(rate.limit, rate.reset_epoch, rate.retry_after)
        messages = {
            400: INVALID_JSON,
            401: INVALID_API_KEY,
            403: INVALID_API_KEY,
            404: "Not Found",
            409: "Conflict",
            422: "Validation error",
            500: INTERNAL,
        }
        message = messages.get(status, INTERNAL if status >= 500 else err.message)
        return ApiError(status, "fault", message)
