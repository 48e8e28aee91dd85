"""Documented contradictions as named switches.

Where a vendor's own pages disagree, the vendor declares a `Variant`: its choices, the default (the API
reference's behaviour), and the pages each choice comes from. Scenarios and sessions pick choices by name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    choices: dict[str, tuple[str, ...]]  # choice -> the pages it comes from
    default: str

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ValueError(f"variant {self.name}: default {self.default!r} is not a choice")


class Variants:
    """The choices in force for one session: the defaults, overridden by the scenario."""

    def __init__(self, declared: dict[str, Variant], chosen: dict[str, str] | None = None) -> None:
        self._declared = declared
        self._chosen = dict(chosen or {})

    def __getitem__(self, name: str) -> str:
        if name in self._chosen:
            return self._chosen[name]
        return self._declared[name].default

    def chosen(self) -> dict[str, str]:
        return dict(self._chosen)
