"""What a vendor supplies to the engine, and what a handler receives and returns.

A vendor is data plus handlers: its spec name, its state type, how it authenticates, how it renders errors,
its variants and its rate limit. The engine does everything else. Handlers are `async def name(call) -> Reply`,
one per operationId, and raise `ApiError` for documented errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Self

from .errors import ApiError
from .ids import IdFactory
from .rate_limit import Decision, RateLimitPolicy
from .specs import Operation
from .validation import Issue
from .variants import Variant, Variants

if TYPE_CHECKING:
    from .sessions import Session


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StateContext:
    """What building a vendor's state from a scenario may use: the clock's reading and the id factory."""

    now: datetime
    ids: IdFactory


class VendorState(Protocol):
    """A vendor's records for one session. `to_dict` is the scenario-file form, so export/import round-trips."""

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass
class Call:
    """One request as a handler sees it: already authenticated, rate-limited and validated."""

    operation: Operation
    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    headers: Mapping[str, str]
    principal: Any
    state: Any
    session: Session

    def now(self) -> datetime:
        return self.session.clock.now()

    @property
    def ids(self) -> IdFactory:
        return self.session.ids

    def variant(self, name: str) -> str:
        return self.session.variants[name]


Handler = Callable[[Call], Awaitable[Reply]]


class ErrorStyle(Protocol):
    """How one vendor words and shapes its errors."""

    def render(self, error: ApiError) -> Any:
        """The response body for a documented error."""

    def invalid_request(self, issues: list[Issue], part: str) -> ApiError:
        """A request outside the spec: `part` is `query` (or path), `body` (JSON that breaks the body schema),
        or `json` (a body that is not JSON at all)."""

    def route_not_found(self, path: str) -> ApiError: ...

    def method_not_allowed(self, method: str, allowed: tuple[str, ...]) -> ApiError: ...

    def for_status(self, status: int, rate: Decision | None = None) -> ApiError:
        """The documented error for a status, used when a fault gives a status but no body."""


class Authenticator(Protocol):
    def __call__(self, headers: Mapping[str, str], state: Any, variants: Variants) -> Any:
        """Return the principal (whatever identifies the caller) or raise the documented ApiError."""


@dataclass(frozen=True)
class Vendor:
    name: str
    handlers: Mapping[str, Handler]
    state_type: type[VendorState]
    authenticate: Authenticator
    errors: ErrorStyle
    rate_limit_key: Callable[[Mapping[str, str]], str] | None = None
    rate_limit: RateLimitPolicy | None = None
    rate_limit_window_variant: str | None = None  # a variant whose choice ("fixed"/"sliding") sets the window
    variants: tuple[Variant, ...] = ()
    strict_query: bool = False  # answer unexpected query parameters with the validation error
    check_references: Callable[[dict[str, Any]], list[tuple[tuple[str | int, ...], str]]] | None = None
