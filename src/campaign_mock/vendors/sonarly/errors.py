"""Sonarly's error codes and the one envelope every error comes in.

Every answer is `{success, data, error, traceId}`; an error has `success: false`, `data: null` and
`error: {code, message, details}` with `details` a string. The pages name two codes (VALIDATION_ERROR for 400
and 422, AUDIENCE_NOT_READY for 409) and describe each status in one line; those lines are the messages here.
Every other code is the mock's choice, marked inferred in the spec.

traceId: errors raised by an operation's own rules carry one from the session's id factory (`handlers.py` adds
it, as it does to successes); errors the engine answers before any operation runs (401, 400 from request
validation, unknown path, 405, 413, injected faults) reach the renderer without a session, so theirs is derived
from the error itself: the same error always carries the same traceId.
"""

from __future__ import annotations

import hashlib
import json
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
from ...engine.ids import IdFactory
from ...engine.vendor import ErrorRenderer

# Documented codes.
VALIDATION_ERROR = "VALIDATION_ERROR"
AUDIENCE_NOT_READY = "AUDIENCE_NOT_READY"
# Inferred codes.
UNAUTHORIZED = "UNAUTHORIZED"
INSUFFICIENT_PERMISSIONS = "INSUFFICIENT_PERMISSIONS"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
CAMPAIGN_ALREADY_STARTED = "CAMPAIGN_ALREADY_STARTED"
CAMPAIGN_NOT_DELETABLE = "CAMPAIGN_NOT_DELETABLE"
CAMPAIGN_NOT_EDITABLE = "CAMPAIGN_NOT_EDITABLE"
WORKFLOW_CONFLICT = "WORKFLOW_CONFLICT"
CONFLICT = "CONFLICT"
LINKEDIN_ACCOUNT_REQUIRED = "LINKEDIN_ACCOUNT_REQUIRED"
RATE_LIMITED = "RATE_LIMITED"
INTERNAL_ERROR = "INTERNAL_ERROR"
UPSTREAM_ERROR = "UPSTREAM_ERROR"

# The pages' one-line descriptions of each status, used as the messages.
REQUEST_VALIDATION_FAILED = "Request validation failed"
INVALID_API_KEY = "Invalid or missing API key"
MISSING_PERMISSION = "Missing required permission"
RESOURCE_NOT_FOUND = "Resource not found"
STATE_CONFLICT = "Conflict — resource is in a state that prevents this operation"
RATE_LIMIT_EXCEEDED = "Rate limit exceeded"
INTERNAL = "Internal server error"
UPSTREAM = "Upstream service error"
# The mock's own words where one status has several documented causes.
NO_ACCOUNT_GROUP_ACCESS = "This API key has no access to the account group"
AUDIENCE_FILLING = "The audience is still being populated by an active prospecting job"
ALREADY_STARTED = "The campaign has already been started"
NOT_DELETABLE = "The campaign is not in a deletable state"
NOT_EDITABLE = "Content slots can only be changed while the campaign is a draft"
IN_ACTIVE_WORKFLOW = "A selected lead is already in an active campaign's workflow"
NO_LINKEDIN_ACCOUNT = "Audience cannot be created with the requested configuration"
METHOD_NOT_SUPPORTED = "Method not allowed"
BODY_TOO_LARGE = "Request body too large"

_DETAILS_LIMIT = 300


def error(status: int, code: str, message: str, details: str = "") -> ApiError:
    """A documented error; `details` is the wire `details` string."""
    return ApiError(status, code, message, details={"details": details})


def validation(status: int, details: str) -> ApiError:
    """400 (malformed) or 422 (well formed, but not possible as asked): both VALIDATION_ERROR."""
    return error(status, VALIDATION_ERROR, REQUEST_VALIDATION_FAILED, details)


def missing_permission(permission: str) -> ApiError:
    return error(403, INSUFFICIENT_PERMISSIONS, f"{MISSING_PERMISSION}: {permission}", permission)


def forbidden(account_group_id: str) -> ApiError:
    return error(403, FORBIDDEN, NO_ACCOUNT_GROUP_ACCESS, account_group_id)


def not_found(what: str, record_id: str) -> ApiError:
    """`what` names the path parameter (`campaignId`, ...), so details say which id was not found."""
    return error(404, NOT_FOUND, RESOURCE_NOT_FOUND, f"{what} {record_id}")


def audience_not_ready(audience_id: str) -> ApiError:
    return error(409, AUDIENCE_NOT_READY, AUDIENCE_FILLING, audience_id)


def rate_limited(until: str) -> ApiError:
    return error(429, RATE_LIMITED, RATE_LIMIT_EXCEEDED, until)


def trace_id(ids: IdFactory) -> str:
    """The next traceId of the session: a 24-hex id of its own series (record ids have theirs)."""
    return object_id(ids, "trace")


def object_id(ids: IdFactory, kind: str) -> str:
    """A 24-hex ObjectId from the session's id factory. Each kind counts on its own, so the first campaign a
    session creates always has the same id, however many requests came before."""
    prefix = f"{kind}:"
    return ids.new(prefix, "hex24")[len(prefix) :]


def derived_trace_id(err: ApiError) -> str:
    """The traceId of an error answered without a session: the first 24 hex digits of a SHA-256 of the error."""
    operation = err.operation.operation_id if err.operation is not None else None
    text = json.dumps([err.status, err.code, err.message, details_of(err), operation])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def details_of(err: ApiError) -> str:
    value = err.details.get("details", "")
    return value if isinstance(value, str) else json.dumps(value)


def _is_path_parameter(err: ApiError, name: str | int) -> bool:
    op = err.operation
    return op is not None and any(p.location == "path" and p.name == name for p in op.parameters)


def _clip(text: str) -> str:
    return text if len(text) <= _DETAILS_LIMIT else text[: _DETAILS_LIMIT - 3] + "..."


class SonarlyErrors(ErrorRenderer):
    def render(self, err: ApiError) -> Any:
        trace = err.details.get("traceId")
        return {
            "success": False,
            "data": None,
            "error": {"code": err.code, "message": err.message, "details": details_of(err)},
            "traceId": trace if isinstance(trace, str) else derived_trace_id(err),
        }

    def request_invalid(self, err: RequestInvalid) -> ApiError:
        """400 VALIDATION_ERROR; details name the part of the request and the first problem in it."""
        issue = err.issues[0]
        part = "body" if err.part == "json" else err.part
        if part == "query" and issue.path and _is_path_parameter(err, issue.path[0]):
            part = "path"  # the engine checks path and query parameters together
        where = f"{part}.{issue.where}" if issue.path else part
        return validation(400, _clip(f"{where}: {issue.message}"))

    def route_not_found(self, err: RouteNotFound) -> ApiError:
        return error(404, NOT_FOUND, RESOURCE_NOT_FOUND, f"no operation at {err.path}")

    def method_not_allowed(self, err: MethodNotAllowed) -> ApiError:
        return error(405, METHOD_NOT_ALLOWED, METHOD_NOT_SUPPORTED, f"{err.method}; use {', '.join(err.allowed)}")

    def rate_limited(self, err: RateLimited) -> ApiError:
        # Sonarly documents no request limit; this answers one a scenario might set all the same.
        return error(429, RATE_LIMITED, RATE_LIMIT_EXCEEDED, f"retry after {err.decision.retry_after} seconds")

    def payload_too_large(self, err: PayloadTooLarge) -> ApiError:
        return error(413, PAYLOAD_TOO_LARGE, BODY_TOO_LARGE, f"the limit is {err.limit} bytes")

    def injected(self, err: InjectedFault) -> ApiError:
        status = err.status
        known = {
            400: (VALIDATION_ERROR, REQUEST_VALIDATION_FAILED),
            401: (UNAUTHORIZED, INVALID_API_KEY),
            403: (FORBIDDEN, MISSING_PERMISSION),
            404: (NOT_FOUND, RESOURCE_NOT_FOUND),
            409: (CONFLICT, STATE_CONFLICT),
            422: (VALIDATION_ERROR, REQUEST_VALIDATION_FAILED),
            429: (RATE_LIMITED, RATE_LIMIT_EXCEEDED),
            500: (INTERNAL_ERROR, INTERNAL),
            502: (UPSTREAM_ERROR, UPSTREAM),
        }
        if status in known:
            code, message = known[status]
        else:
            phrase = err.message  # the engine's HTTP phrase for the status
            code = "_".join(phrase.upper().replace("-", " ").split()) or f"HTTP_{status}"
            message = phrase
        return error(status, code, message)
