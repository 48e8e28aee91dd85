"""campaign-mock: a stateful mock and contract server for outbound-campaign vendor APIs.

The names below are imported when first used (`campaign_mock.MockServer`, `from campaign_mock import create_app`), so
that `campaign-mock` itself, whose modules live inside this package, imports only what its command needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import Settings, create_app
    from .engine.errors import ApiError, ConfigError
    from .engine.scenarios import load_scenario
    from .server import MockServer

__all__ = ["ApiError", "ConfigError", "MockServer", "Settings", "create_app", "load_scenario"]

_HOMES = {
    "ApiError": ".engine.errors",
    "ConfigError": ".engine.errors",
    "MockServer": ".server",
    "Settings": ".app",
    "create_app": ".app",
    "load_scenario": ".engine.scenarios",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
