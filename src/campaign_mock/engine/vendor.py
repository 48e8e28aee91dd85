"""The vendor contract: what a vendor gives the engine, and what its handlers receive and return.

A vendor is data plus handlers: its spec file, its state type, how it authenticates, how it words its errors,
its variants, its rate limit and where its scenarios live. The engine does everything else. Handlers are
`async def <operationId>(call: Call[State, Principal]) -> Reply`, collected from the vendor's handler module by
name, and raise `ApiError` for documented errors.
"""

from __future__ import annotations

import inspect
import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Generic, Self, TypeVar

from .chance import Chance
from .clock import Clock, instant
from .errors import (
    ApiError,
    InjectedFault,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    RequestInvalid,
    RouteNotFound,
)
from .events import EventSink, WebhookPolicy, discard
from .ids import IdFactory
from .parsing import UploadedFile
from .rate_limit import RateLimitPolicy
from .specs import Operation
from .variants import Variant, Variants


@dataclass(slots=True)  # one is made per request
class Reply:
    """An answer: a JSON body (any JSON value), or bytes in `media_type` (a file download, say)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str | None = None  # for a bytes body; the spec must list it for the status


class ClockReading:
    """`now` for what carries a reading of the clock as `stamp` (epoch seconds): the datetime is made on first use
    (most requests never read it, and making one costs more than the rest of what carries it)."""

    __slots__ = ("_now", "stamp")
    stamp: float
    _now: datetime | None

    @property
    def now(self) -> datetime:
        now = self._now
        if now is None:
            now = self._now = instant(self.stamp)
        return now


class StateContext(ClockReading):
    """What building a state, or moving it on in time, may use: the clock's reading (`now`, and `stamp` in epoch
    seconds), the session's id factory, its seeded outcomes, and where outbound webhook events go (see
    engine/events.py)."""

    __slots__ = ("chance", "emit", "ids")
    ids: IdFactory
    chance: Chance
    emit: EventSink

    def __init__(self, now: datetime, ids: IdFactory, chance: Chance, emit: EventSink = discard) -> None:
        self.stamp, self._now = now.timestamp(), now
        self.ids, self.chance, self.emit = ids, chance, emit

    @classmethod
    def at(cls, stamp: float, ids: IdFactory, chance: Chance, emit: EventSink = discard) -> StateContext:
        """The context of a clock reading, whose datetime is made only if something reads `now`."""
        ctx = cls.__new__(cls)
        ctx.stamp, ctx._now = stamp, None
        ctx.ids, ctx.chance, ctx.emit = ids, chance, emit
        return ctx


class VendorState(ABC):
    """A vendor's records for one session. `to_dict` is the scenario-file form, so export/import round-trips."""

    @classmethod
    @abstractmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self: ...

    @abstractmethod
    def to_dict(self) -> dict[str, Any]: ...

    def advance_to(self, ctx: StateContext) -> None:  # noqa: B027 - most states have nothing that runs by itself
        """Do, in time order, whatever became due up to `ctx.now`. Called before a handler runs and before an
        export, however far the clock moved since the last call (and even if it moved back), once the clock has
        reached `due_at()`."""

    def due_at(self) -> float:
        """The clock reading (epoch seconds) from which `advance_to` may have something to do: before it, the
        engine does not call it, and builds no context for it. A state that cannot tell cheaply keeps this
        default, minus infinity (it is called every time)."""
        return -math.inf


StateT = TypeVar("StateT", bound=VendorState)
PrincipalT = TypeVar("PrincipalT")


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a setattr call per field, per request
class Call(ClockReading, Generic[StateT, PrincipalT]):
    """One request as a handler sees it: authenticated, rate-limited, validated, and its state caught up."""

    operation: Operation
    path_params: dict[str, str]
    query: dict[str, Any]
    body: Any
    headers: Mapping[str, str]
    principal: PrincipalT
    state: StateT
    stamp: float  # the clock's reading the request is handled at, in epoch seconds (`now` as a datetime)
    ids: IdFactory
    chance: Chance
    variants: Variants
    files: Mapping[str, UploadedFile] = field(default_factory=dict)  # a multipart body's file parts
    emit: EventSink = discard  # outbound webhook events (see engine/events.py)
    _now: datetime | None = field(default=None, init=False, repr=False)  # `now`, once read

    def context(self) -> StateContext:
        """The state context of this call, for state methods that move records on in time."""
        return StateContext.at(self.stamp, self.ids, self.chance, self.emit)

    def variant(self, variant: Variant) -> str:
        """The session's choice for one of the vendor's declared variants."""
        return self.variants[variant.name]


Handler = Callable[[Call[Any, Any]], Awaitable[Reply]]


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a setattr call per field, per request
class AuthRequest(Generic[StateT]):
    """What a vendor's `authenticate` sees: the routed operation (None when no route matched: credentials are
    checked before an unknown path is refused), the request headers (lower-case names), the session's state (not
    yet caught up), its variant choices, and its clock (`now`, for tokens that expire)."""

    operation: Operation | None
    headers: Mapping[str, str]
    state: StateT
    variants: Variants
    clock: Clock

    @property
    def now(self) -> datetime:
        return self.clock.now()


Authenticator = Callable[[AuthRequest[StateT]], Any]  # returns the principal, or raises the documented ApiError
ReferenceCheck = Callable[[dict[str, Any]], list[tuple[tuple[str | int, ...], str]]]


def handlers_of(module: ModuleType) -> dict[str, Handler]:
    """Every public `async def` defined in `module`, by name: the name is the operationId it serves."""
    return {
        name: fn
        for name, fn in vars(module).items()
        if not name.startswith("_") and inspect.iscoroutinefunction(fn) and fn.__module__ == module.__name__
    }


def presented_key(headers: Mapping[str, str], header: str, scheme: str | None = None) -> str:
    """The key a request presents in `header` (lower-case name), after `scheme` (e.g. `Bearer`) when one is
    expected; empty when it is missing or malformed. Vendors authenticate and rate-limit by it."""
    value = headers.get(header, "").strip()
    if scheme is None:
        return value
    given, _, key = value.partition(" ")
    return key.strip() if given.lower() == scheme.lower() else ""


class ErrorRenderer(ABC):
    """How one vendor shapes its errors. `render` gives the body for any error; the hooks below turn the engine's
    own errors into the vendor's documented ones, and a vendor overrides only those it documents differently."""

    @abstractmethod
    def render(self, error: ApiError) -> Any:
        """The response body for an error (status, code, message and details are on `error`)."""

    def documented(self, error: ApiError) -> ApiError:
        if isinstance(error, RequestInvalid):
            return self.request_invalid(error)
        if isinstance(error, RouteNotFound):
            return self.route_not_found(error)
        if isinstance(error, MethodNotAllowed):
            return self.method_not_allowed(error)
        if isinstance(error, RateLimited):
            return self.rate_limited(error)
        if isinstance(error, PayloadTooLarge):
            return self.payload_too_large(error)
        if isinstance(error, InjectedFault):
            return self.injected(error)
        return error

    def request_invalid(self, error: RequestInvalid) -> ApiError:
        return error

    def route_not_found(self, error: RouteNotFound) -> ApiError:
        return error

    def method_not_allowed(self, error: MethodNotAllowed) -> ApiError:
        return error

    def rate_limited(self, error: RateLimited) -> ApiError:
        return error

    def payload_too_large(self, error: PayloadTooLarge) -> ApiError:
        return error

    def injected(self, error: InjectedFault) -> ApiError:
        """The documented error for a status a fault injects without a body."""
        return error


@dataclass(frozen=True)
class RateLimit:
    """How a vendor's requests are counted: by `key` (the presented API key, say), against its vendor-wide
    `policy` if it documents one, and against the limits its spec gives single operations (`x-rate-limit`). The
    variant (if any) whose choice (`fixed` / `sliding`) sets the vendor-wide window kind."""

    key: Callable[[Mapping[str, str]], str]
    policy: RateLimitPolicy | None = None
    window_variant: Variant | None = None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a catalog is cached per set of vendors
class Vendor(Generic[StateT]):
    name: str
    spec_file: Path
    state_type: type[StateT]
    handlers: Mapping[str, Handler]
    authenticate: Authenticator[StateT]
    errors: ErrorRenderer
    scenario_dir: Path | None = None  # `<dir>/<name>.yaml` are shipped as `<vendor>/<name>`
    rate_limit: RateLimit | None = None
    variants: tuple[Variant, ...] = ()
    strict_query: bool = False  # answer unexpected query parameters with the validation error
    check_references: ReferenceCheck | None = None
    webhooks: WebhookPolicy | None = None  # how its webhook events are signed and retried (None: it sends none)

    def __post_init__(self) -> None:
        for variant in self.variants:
            if not variant.name.startswith(f"{self.name}."):
                raise ValueError(f"vendor {self.name}: variant {variant.name!r} must be named {self.name}.<switch>")
        window = self.rate_limit.window_variant if self.rate_limit else None
        if window is not None and window not in self.variants:
            raise ValueError(f"vendor {self.name}: rate-limit variant {window.name!r} is not one of its variants")
