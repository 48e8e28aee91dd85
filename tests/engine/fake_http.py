"""Apps of the fake vendor alone, and Starlette's in-process client for them."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from fake_vendor import FAKE, FAKE_KEY, KEY_HEADER
from starlette.exceptions import StarletteDeprecationWarning

from campaign_mock.app import MockApp, Settings, create_app

with warnings.catch_warnings():
    # Starlette 1.x asks for the `httpx2` package and warns, once, on import, when it finds `httpx` instead.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

FROZEN_AT = "2025-01-15T10:00:00Z"
FROZEN = f"clock: {{now: '{FROZEN_AT}', frozen: true}}"
PREFIX = "/fakevendor"

MakeClient = Callable[..., TestClient]  # the `make_client` fixture


def fake_app(settings: Settings | None = None) -> MockApp:
    return create_app(settings or Settings(), vendors=[FAKE])


def client_for(app: MockApp) -> TestClient:
    """A client whose requests carry the fake vendor's demo key unless they say otherwise."""
    return TestClient(app, headers={KEY_HEADER: FAKE_KEY})


def problem(code: str, detail: str) -> dict[str, Any]:
    """The fake vendor's error body."""
    return {"problem": {"code": code, "detail": detail}}


__all__ = ["FROZEN", "FROZEN_AT", "PREFIX", "MakeClient", "TestClient", "client_for", "fake_app", "problem"]
