"""The fake vendor's records: keys and things, and every instant the state was moved on to."""

from __future__ import annotations

import copy
import math
from typing import Any, Self

from campaign_mock.engine.clock import format_instant, parse_instant
from campaign_mock.engine.vendor import StateContext, VendorState


class FakeState(VendorState):
    def __init__(
        self, api_keys: list[str], things: list[dict[str, Any]], advanced: list[str], quiet_until: str | None = None
    ) -> None:
        self.api_keys = api_keys
        self.things = things
        self.advanced = advanced
        self.quiet_until = quiet_until

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self:
        return cls(
            list(data.get("api_keys", [])),
            copy.deepcopy(data.get("things", [])),
            list(data.get("advanced", [])),
            data.get("quiet_until"),
        )

    def to_dict(self) -> dict[str, Any]:
        data = {"api_keys": list(self.api_keys), "things": copy.deepcopy(self.things), "advanced": list(self.advanced)}
        return data if self.quiet_until is None else {**data, "quiet_until": self.quiet_until}

    def advance_to(self, ctx: StateContext) -> None:
        self.advanced.append(format_instant(ctx.now))

    def due_at(self) -> float:
        return -math.inf if self.quiet_until is None else parse_instant(self.quiet_until).timestamp()

    def find(self, thing_id: str) -> dict[str, Any] | None:
        return next((t for t in self.things if t["id"] == thing_id), None)


def check_references(section: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """A thing's `parentId` names a thing of kind `folder`."""
    kinds = {t["id"]: t["kind"] for t in section.get("things", [])}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, thing in enumerate(section.get("things", [])):
        parent = thing.get("parentId")
        if parent is not None and kinds.get(parent) != "folder":
            problems.append((("things", index, "parentId"), f"{parent!r} is not a folder"))
    return problems
