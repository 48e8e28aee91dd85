"""The fake vendor's error body, `{"problem": {"code", "detail"}}`, and its wording of the engine's errors.

It rewords every engine error it "documents" (unknown route, wrong method, invalid request, rate limited, a body
too large, an injected status); the body-too-large wording names the operation the error belongs to.
"""

from __future__ import annotations

from typing import Any

from campaign_mock.engine.errors import (
    ApiError,
    InjectedFault,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    RequestInvalid,
    RouteNotFound,
)
from campaign_mock.engine.vendor import ErrorRenderer

INJECTED = {401: ("unauthorized", "the key was refused"), 503: ("unavailable", "come back later")}


class FakeErrors(ErrorRenderer):
    def render(self, error: ApiError) -> Any:
        return {"problem": {"code": error.code, "detail": error.message}}

    def request_invalid(self, error: RequestInvalid) -> ApiError:
        return ApiError(422, "bad_input", f"{error.part}: {error.issues[0]}")

    def route_not_found(self, error: RouteNotFound) -> ApiError:
        return ApiError(404, "no_route", f"nothing lives at {error.path}")

    def method_not_allowed(self, error: MethodNotAllowed) -> ApiError:
        # The engine sets `Allow` itself, whatever a vendor puts there.
        return ApiError(405, "wrong_method", f"{error.method} is not one of ours", headers={"Allow": "ANYTHING"})

    def rate_limited(self, error: RateLimited) -> ApiError:
        return ApiError(
            429, "slow_down", f"{error.decision.limit} requests a window; wait {error.decision.retry_after}s"
        )

    def payload_too_large(self, error: PayloadTooLarge) -> ApiError:
        where = error.operation.operation_id if error.operation is not None else "this path"
        return ApiError(413, "too_big", f"{where} takes at most {error.limit} bytes")

    def injected(self, error: InjectedFault) -> ApiError:
        code, detail = INJECTED.get(error.status, ("injected", error.message))
        return ApiError(error.status, code, detail)
