"""campaign-mock: a stateful mock and contract server for outbound-campaign vendor APIs."""

from __future__ import annotations

from .app import Settings, create_app
from .engine.errors import ApiError, ConfigError
from .engine.scenarios import load_scenario
from .server import MockServer

__all__ = ["ApiError", "ConfigError", "MockServer", "Settings", "create_app", "load_scenario"]
