"""Fixtures for the engine tests: apps built on the fake vendor alone, driven in process by Starlette's client."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_http import MakeClient, TestClient, client_for, fake_app

from campaign_mock.app import Settings


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str], Path]:
    """Write scenario text (dedented) to a file of its own and return its path."""
    written: list[Path] = []

    def write(text: str) -> Path:
        path = tmp_path / f"scenario_{len(written)}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        written.append(path)
        return path

    return write


@pytest.fixture
def make_client(write_scenario: Callable[[str], Path]) -> Iterator[MakeClient]:
    """`make_client(scenario_text=None, **settings)`: a client on a fresh app of the fake vendor. The text, when
    given, is written to a file and loaded instead of the built-in default (extend `default` to keep the demo key
    and records)."""
    opened: list[TestClient] = []

    def make(scenario: str | None = None, **settings: Any) -> TestClient:
        if scenario is not None:
            settings["scenarios"] = (str(write_scenario(scenario)),)
        client = client_for(fake_app(Settings(**settings)))
        opened.append(client.__enter__())
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    """A client on an app of the fake vendor with the built-in default scenario."""
    return make_client()
