"""Injected faults: what the mock does instead of (or on top of) its normal answer to matching requests.

A fault matches on vendor, and optionally method and path (a documented template such as
`/api/v1/campaigns/{campaign_id}/start`, or a concrete path). Faults are tried in order; the first that matches
and fires applies. What it does is one step, or a `sequence` of steps used in turn (`429 twice, then the real
answer`). A step is one of:

- an answer: `status` (with the vendor's documented error body for it, or the `body` given);
- `reset`: the connection is closed with no answer at all;
- `malformed`: the headers of the answer (the step's own, or the normal one) declare its full length and only
  half of its body is sent before the connection is closed;
- none of these (`passthrough: true` says so): the normal answer, after the step's delay and with its headers.

A step with `times` is used up after firing that often (the next step, or the end of the fault, follows); one with
`probability` fires on that share of the requests it matches, drawn from the session's seeded chance, and a
request it does not fire on goes on to the next fault. An injected 429 reads as a used-up rate limit: remaining
0, and `Retry-After` (the step's `retry_after`, else the end of the current window) with the reset time matching.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from .chance import Chance
from .rate_limit import Decision

# What a step may say, in the order its scenario form is written back.
_STEP_KEYS = (
    "times",
    "probability",
    "status",
    "body",
    "retry_after",
    "reset",
    "malformed",
    "passthrough",
    "headers",
    "delay_ms",
)
_ANSWER_KEYS = tuple(k for k in _STEP_KEYS if k not in ("times", "probability"))  # what it does, not when


@dataclass
class Step:
    """What a fault does to one request it fires on."""

    times: int | None = None
    probability: float | None = None
    status: int | None = None
    body: Any = None
    retry_after: int | None = None
    reset: bool = False
    malformed: bool = False
    passthrough: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(
            times=data.get("times"),
            probability=data.get("probability"),
            status=data.get("status"),
            body=data.get("body"),
            retry_after=data.get("retry_after"),
            reset=bool(data.get("reset")),
            malformed=bool(data.get("malformed")),
            passthrough=bool(data.get("passthrough")),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
            delay_ms=int(data.get("delay_ms") or 0),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in _STEP_KEYS:
            value = getattr(self, key)
            if isinstance(value, dict):
                value = dict(value) or None
            if value is not None and value is not False and not (key == "delay_ms" and value == 0):
                out[key] = value
        return out

    @property
    def retry_seconds(self) -> int | None:
        """The Retry-After this step sets: `retry_after`, or a whole number of seconds in its headers."""
        if self.retry_after is not None:
            return self.retry_after
        given = next((v for k, v in self.headers.items() if k.lower() == "retry-after"), "")
        return int(given) if given.isdigit() else None

    def reply_headers(self) -> dict[str, str]:
        """The headers this step adds to the answer."""
        if self.retry_after is None:
            return dict(self.headers)
        return {"Retry-After": str(self.retry_after), **self.headers}

    def exhausted(self, reading: Decision | None, now: float) -> Decision | None:
        """The rate-limit reading an injected 429 answers with: nothing left, and the window ending when the client
        is told to retry (the real window's end unless the step says when)."""
        if reading is None:
            return None
        seconds = self.retry_seconds
        if seconds is None:
            return replace(reading, allowed=False, remaining=0)
        return replace(reading, allowed=False, remaining=0, retry_after=seconds, reset_epoch=math.ceil(now + seconds))


@dataclass(eq=False)
class Fault:
    vendor: str
    method: str | None = None
    path: str | None = None
    steps: list[Step] = field(default_factory=list)
    sequenced: bool = False  # written as `sequence:` (else the one step's keys sit on the fault itself)
    seen: int = 0  # matching requests so far: what each chance draw is keyed by

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build from the scenario/admin form (already checked: see `fault_form_problems`)."""
        method = data.get("method")
        sequence = data.get("sequence")
        return cls(
            vendor=data["vendor"],
            method=method.upper() if isinstance(method, str) else None,
            path=data.get("path"),
            steps=[Step.from_dict(s) for s in sequence] if sequence is not None else [Step.from_dict(data)],
            sequenced=sequence is not None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The scenario form of what is left of the fault (steps used up are gone, `times` counts what remains)."""
        out: dict[str, Any] = {"vendor": self.vendor}
        for key in ("method", "path"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.sequenced:
            out["sequence"] = [s.to_dict() for s in self.steps]
        elif self.steps:
            out.update(self.steps[0].to_dict())
        return out

    @property
    def times(self) -> int | None:
        """How many more times the fault fires: None while a step fires without limit, 0 once used up."""
        counts = [s.times for s in self.steps]
        return None if None in counts else sum(c for c in counts if c is not None)

    def matches(self, vendor: str, method: str, path: str, template: str | None) -> bool:
        if self.vendor != vendor:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path == path or self.path == template

    def fire(self, chance: Chance) -> Step | None:
        """The step for a request the fault matches, counting one use of it; None when its chance says no."""
        step = self.steps[0]
        self.seen += 1
        if step.probability is not None:
            key = ("fault", self.vendor, self.method, self.path, len(self.steps), self.seen)
            if not chance.happens(step.probability, *key):
                return None
        if step.times is not None:
            step.times -= 1
            if step.times <= 0:
                self.steps.pop(0)
        return step


def take_fault(
    faults: list[Fault], vendor: str, method: str, path: str, template: str | None, chance: Chance
) -> Step | None:
    """The step of the first matching fault that fires, counting one use of it; a fault used up leaves the list.

    A fault added server-wide is one object in every session's list, so its uses are counted across sessions:
    one used up through another session is dropped here too."""
    faults[:] = [f for f in faults if f.steps]
    for fault in faults:
        if fault.matches(vendor, method, path, template):
            step = fault.fire(chance)
            if step is None:
                continue
            if not fault.steps:
                faults.remove(fault)
            return step
    return None


def fault_form_problems(fault: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """What the schema cannot say about a fault in scenario form: `(where in the fault, message)` for each
    combination that makes no sense."""
    sequence = fault.get("sequence")
    problems: list[tuple[tuple[str | int, ...], str]] = []
    if sequence is None:
        problems += _step_problems(fault)
        return problems
    problems += [((key,), f"{key} belongs in a step of the sequence") for key in _STEP_KEYS if key in fault]
    for index, step in enumerate(sequence):
        problems += [(("sequence", index, *where), message) for where, message in _step_problems(step)]
        if not any(step.get(key) not in (None, False, {}, 0) for key in _ANSWER_KEYS):
            message = "a step needs status, reset, malformed, headers, delay_ms or passthrough: true"
            problems.append((("sequence", index), message))
        if step.get("times") is None and index < len(sequence) - 1:
            message = "a step without times is never used up, so the steps after it would never be reached"
            problems.append((("sequence", index), message))
    return problems


def _step_problems(step: dict[str, Any]) -> list[tuple[tuple[str], str]]:
    problems: list[tuple[tuple[str], str]] = []
    given = [key for key in ("status", "body", "retry_after", "headers", "malformed") if step.get(key)]
    if step.get("reset"):
        what = "reset closes the connection without an answer"
        problems += [((key,), f"{what}: it cannot have {key}") for key in given]
    if step.get("passthrough"):
        what = "passthrough gives the normal answer"
        problems += [((key,), f"{what}: it cannot have {key}") for key in given if key not in ("headers", "malformed")]
        if step.get("malformed"):
            problems.append((("malformed",), f"{what}; malformed alone already cuts the normal answer"))
    status = step.get("status")
    if step.get("retry_after") is not None and status is None:
        problems.append((("retry_after",), "retry_after needs a status (429 or 503, say)"))
    if step.get("retry_after") is not None and any(k.lower() == "retry-after" for k in step.get("headers") or {}):
        problems.append((("retry_after",), "give Retry-After once: retry_after or headers, not both"))
    if step.get("malformed") and status in (204, 304):
        problems.append((("malformed",), f"a {status} answer has no body to cut"))
    return problems


def fault_steps(fault: dict[str, Any]) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """`(where in the fault, step)` for each step of a fault in scenario form: its sequence's, or itself."""
    sequence = fault.get("sequence")
    if sequence is None:
        return [((), fault)]
    return [(("sequence", index), step) for index, step in enumerate(sequence)]
