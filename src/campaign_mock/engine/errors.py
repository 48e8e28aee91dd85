"""The two kinds of failure the engine knows: a documented API error, and a broken input file.

`ApiError` is raised by domain code and rendered by the vendor's own error renderer, so handlers never build
error bodies. `ConfigError` carries `file:line: message` problems for specs, scenarios and admin payloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


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
