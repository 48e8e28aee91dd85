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


class Variants(dict[str, str]):
    """The choices in force for one session, by variant name: the defaults, overridden by the scenario. A plain
    map, so that a handler's lookup (one or two a request) is a dict's; nothing changes it once it is built."""

    def __init__(self, declared: dict[str, Variant], chosen: dict[str, str] | None = None) -> None:
        super().__init__({name: variant.default for name, variant in declared.items()})
        self._chosen = dict(chosen or {})
        self.update(self._chosen)

    def chosen(self) -> dict[str, str]:
        """What the scenario chose (the defaults left out)."""
        return dict(self._chosen)
