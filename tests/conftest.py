"""Shared by every test folder: pytest's own pytester (for the plugin's tests) and one HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One keep-alive client for the whole run (a client per request costs a TLS set-up even for plain HTTP)."""
    with httpx.Client(timeout=10) as client:
        yield client
