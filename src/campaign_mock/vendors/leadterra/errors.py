"""Leadterra's documented error codes, and the error body the mock uses for them.

Leadterra lists a status and a snake_case code per failure but never shows the body; the mock answers
`{"error": {"code", "message"}}` (plus `errors` on 422), marked inferred in the spec.
"""

from __future__ import annotations

from typing import Any

from ...engine.errors import ApiError, InjectedFault, MethodNotAllowed, RequestInvalid, RouteNotFound
from ...engine.validation import Issue
from ...engine.vendor import ErrorRenderer

INVALID_REQUEST = "invalid_request"
AUTHENTICATION_FAILED = "authentication_failed"
WORKSPACE_NOT_FOUND = "workspace_not_found"
CAMPAIGN_NOT_FOUND = "campaign_not_found"
NO_LEADS_ENROLLED = "no_leads_enrolled"
NO_SEQUENCE_STEPS = "no_sequence_steps"
VALIDATION_FAILED = "validation_failed"

MESSAGES = {
    AUTHENTICATION_FAILED: "The Authorization header is missing, malformed, or the API key is invalid.",
    WORKSPACE_NOT_FOUND: "No workspace exists for this API key.",
    CAMPAIGN_NOT_FOUND: "No campaign with this id exists in your workspace.",
    NO_LEADS_ENROLLED: "The campaign has no enrolled leads and cannot be started.",
    NO_SEQUENCE_STEPS: "The campaign has no sequence steps defined.",
    VALIDATION_FAILED: "One or more entries failed validation.",
}


def error(status: int, code: str, message: str | None = None, **details: Any) -> ApiError:
    return ApiError(status, code, message or MESSAGES[code], details=details)


def campaign_not_found() -> ApiError:
    return error(404, CAMPAIGN_NOT_FOUND)


def validation_failed(items: list[dict[str, Any]]) -> ApiError:
    return error(422, VALIDATION_FAILED, errors=items)


def _bad_addresses(issues: list[Issue]) -> list[dict[str, Any]] | None:
    """The 422 `errors` entries when every problem is a malformed address in `leads[i].email` or `emails[i]`.

    Leadterra documents those as 422 with an errors array rather than 400 invalid_request.
    """
    items = []
    for issue in issues:
        path = issue.path
        in_leads = len(path) == 3 and path[0] == "leads" and path[2] == "email"
        in_emails = len(path) == 2 and path[0] == "emails"
        if not (issue.schema_path.endswith("pattern") and (in_leads or in_emails) and isinstance(path[1], int)):
            return None
        items.append({"index": path[1], "email": issue.value, "message": "not a valid email address"})
    return items


class LeadterraErrors(ErrorRenderer):
    def render(self, err: ApiError) -> Any:
        body: dict[str, Any] = {"code": err.code, "message": err.message}
        if "errors" in err.details:
            body["errors"] = err.details["errors"]
        return {"error": body}

    def request_invalid(self, err: RequestInvalid) -> ApiError:
        bad = _bad_addresses(err.issues)
        if bad:
            return validation_failed(bad)
        part = "body" if err.part == "json" else err.part
        return error(400, INVALID_REQUEST, f"Invalid request {part}: {err.issues[0]}")

    def route_not_found(self, err: RouteNotFound) -> ApiError:
        return error(404, INVALID_REQUEST, f"No endpoint matches {err.path}.")

    def method_not_allowed(self, err: MethodNotAllowed) -> ApiError:
        return error(405, INVALID_REQUEST, f"{err.method} is not supported here; use {', '.join(err.allowed)}.")

    def injected(self, err: InjectedFault) -> ApiError:
        known = {
            400: (INVALID_REQUEST, "The request could not be processed."),
            401: (AUTHENTICATION_FAILED, MESSAGES[AUTHENTICATION_FAILED]),
            404: (CAMPAIGN_NOT_FOUND, MESSAGES[CAMPAIGN_NOT_FOUND]),
            422: (VALIDATION_FAILED, MESSAGES[VALIDATION_FAILED]),
            429: ("rate_limited", "Too many requests."),
        }
        status = err.status
        code, message = known.get(
            status, ("internal_error" if status >= 500 else INVALID_REQUEST, f"The server answered {status}.")
        )
        details: dict[str, Any] = {"errors": []} if status == 422 else {}
        return ApiError(status, code, message, details=details)
