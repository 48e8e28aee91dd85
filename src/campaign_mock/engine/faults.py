"""Injected faults: answer a matching request with a chosen status, body, headers or delay.

A fault matches on vendor, and optionally method and path (a documented template such as
`/api/v1/campaigns/{campaign_id}/start`, or a concrete path). Faults are tried in order; the first that
matches applies, and one with `times` is used up after that many requests. A fault with no `status` only adds
its delay and headers to the normal answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    vendor: str
    method: str | None = None
    path: str | None = None
    times: int | None = None
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_ms: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build from the scenario/admin form (already checked against the scenario schema)."""
        method = data.get("method")
        return cls(
            vendor=data["vendor"],
            method=method.upper() if isinstance(method, str) else None,
            path=data.get("path"),
            times=data.get("times"),
            status=data.get("status"),
            body=data.get("body"),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
            delay_ms=int(data.get("delay_ms") or 0),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vendor": self.vendor}
        for key in ("method", "path", "times", "status", "body"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.delay_ms:
            out["delay_ms"] = self.delay_ms
        return out

    def matches(self, vendor: str, method: str, path: str, template: str | None) -> bool:
        if self.vendor != vendor:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path == path or self.path == template


def take_fault(faults: list[Fault], vendor: str, method: str, path: str, template: str | None) -> Fault | None:
    """The first fault matching the request, counting one use of it; a fault used up leaves the list.

    A fault added server-wide is one object in every session's list, so its uses are counted across sessions:
    one used up through another session is dropped here too."""
    faults[:] = [f for f in faults if f.times is None or f.times > 0]
    for index, fault in enumerate(faults):
        if fault.matches(vendor, method, path, template):
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del faults[index]
            return fault
    return None
