"""The failures the mock knows: documented API errors, the engine's own HTTP errors, and broken input files.

`ApiError` is a documented error, raised by domain code and rendered in the vendor's own body. The engine's HTTP
rules (no such route, method not allowed, a request outside the spec, rate limited, payload too large, an
injected fault) are `EngineError`s: they carry the engine's own wording, and each vendor's renderer turns the
ones it documents differently into its documented error. `ConfigError` carries `file:line: message` problems for
specs, scenarios and admin payloads.
"""

from __future__ import annotations

import http
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .rate_limit import Decision
    from .specs import Operation
    from .validation import Issue


class ApiError(Exception):
    """A documented error: the status, the vendor's code and message, and any extra documented fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}
        # The operation the request was routed to (None: no route), set by the engine before rendering, for
        # vendors whose error body differs from one operation to another.
        self.operation: Operation | None = None


class EngineError(ApiError):
    """An HTTP rule the engine enforces for every vendor, in the engine's words until a vendor rewords it."""


class RouteNotFound(EngineError):
    def __init__(self, path: str) -> None:
        super().__init__(404, "not_found", f"no documented operation at {path}")
        self.path = path


class MethodNotAllowed(EngineError):
    """The path exists with other methods; the engine sets `Allow` on whatever body the vendor renders."""

    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        super().__init__(405, "method_not_allowed", f"{method} is not allowed here; use {', '.join(allowed)}")
        self.method = method
        self.allowed = allowed


RequestPart = Literal["path", "query", "body", "json"]


class RequestInvalid(EngineError):
    """The request broke the spec. `part` is `path`, `query`, `body` (JSON that breaks the body schema) or `json`
    (a body that is not JSON at all); `issues` are kept for the violation log."""

    def __init__(self, issues: list[Issue], part: RequestPart) -> None:
        shown = "body" if part == "json" else part
        super().__init__(400, "invalid_request", f"the request {shown} is invalid: {issues[0]}")
        self.issues = issues
        self.part = part


class RateLimited(EngineError):
    def __init__(self, decision: Decision) -> None:
        super().__init__(429, "rate_limited", "too many requests")
        self.decision = decision


class PayloadTooLarge(EngineError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"the request body is larger than {limit} bytes")
        self.limit = limit


class InjectedFault(EngineError):
    """A fault that gives a status and no body: the vendor's documented error for that status is answered."""

    def __init__(self, status: int, decision: Decision | None) -> None:
        super().__init__(status, "injected_fault", _phrase(status))
        self.decision = decision


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass
class ConfigError(Exception):
    """A spec, scenario or admin payload that cannot be used; nothing it described was applied."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def single(cls, file: str, line: int | None, message: str) -> ConfigError:
        return cls([Problem(file, line, message)])

    @classmethod
    def merge(cls, errors: Iterable[ConfigError]) -> ConfigError:
        return cls([p for e in errors for p in e.problems])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
