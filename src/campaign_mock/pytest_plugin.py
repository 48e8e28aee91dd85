"""pytest fixtures: one mock server per test run, and a fresh isolated session per test.

    def test_start(mock_session):
        r = httpx.post(mock_session.url("leadterra") + "/v1/campaigns/camp_123/start", headers=...)

    @pytest.mark.campaign_mock_scenario("leadterra/paused")
    def test_resume(mock_session): ...

Every test gets its own session (`/__session/<name>/...`), so tests share one server without sharing state. A
test whose session answered a response that broke the vendor's spec fails at teardown, naming it (the mock
answered it 500 `mock_contract_violation`); `@pytest.mark.campaign_mock_allow_violations` opts out.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .engine.errors import ConfigError
from .engine.verify import admin_payload
from .server import MockServer
from .vendors.registry import registered_catalog

_counter = itertools.count(1)


class ScenarioRefused(Exception):
    """A scenario that could not be loaded into a session; the message names every problem (`file:line: ...`)."""


class MockSession:
    """One isolated session on a running mock, with helpers for the admin API."""

    def __init__(self, server: MockServer, name: str, client: httpx.Client) -> None:
        """`client` makes the admin calls; the caller owns (and closes) it."""
        self.server = server
        self.name = name
        self.base_url = f"{server.url}/__session/{name}"
        self._client = client

    def url(self, vendor: str) -> str:
        """The vendor prefix inside this session: point an SDK's base URL here."""
        return f"{self.base_url}/{vendor}"

    def admin(self, method: str, route: str, **kwargs: Any) -> httpx.Response:
        """Call `/__admin/<route>` for this session."""
        params = {"session": self.name, **kwargs.pop("params", {})}
        return self._client.request(method, f"{self.server.url}/__admin/{route}", params=params, **kwargs)

    def load_scenario(self, name: str | None = None, *, yaml: str | None = None) -> None:
        """Load a shipped scenario by name, a scenario file by path, or YAML text, into this session only."""
        if yaml is None and name is None:
            raise TypeError("load_scenario() needs a name (or path) or yaml text")
        try:
            body = {"yaml": yaml} if yaml is not None else admin_payload(str(name), registered_catalog())
        except ConfigError as exc:
            raise ScenarioRefused(str(exc)) from None
        response = self.admin("POST", "scenarios", json=body)
        if response.status_code != 200:
            problems = response.json().get("error", {}).get("problems") or [response.text]
            raise ScenarioRefused("\n".join(problems))

    def set_clock(self, now: str | None = None, frozen: bool | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("now", now), ("frozen", frozen)) if v is not None}
        result: dict[str, Any] = self.admin("POST", "clock", json=body).json()
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        result: dict[str, Any] = self.admin("POST", "clock/advance", json={"seconds": seconds}).json()
        return result

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.admin("GET", "requests", params=filters).json()["requests"]
        return entries

    def violations(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Contract violations of this session: `request` (the client broke the spec), `response` (the mock did)."""
        params = {"kind": kind} if kind else {}
        found: list[dict[str, Any]] = self.admin("GET", "violations", params=params).json()["violations"]
        return found


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "campaign_mock_scenario(name): load a shipped scenario (or a path) into the test's session"
    )
    config.addinivalue_line(
        "markers", "campaign_mock_allow_violations: do not fail the test when its session broke the spec"
    )


@pytest.fixture(scope="session")
def campaign_mock() -> Iterator[MockServer]:
    """The mock, serving the default scenario on a free loopback port for the whole test run."""
    with MockServer() as server:
        yield server


@pytest.fixture(scope="session")
def _campaign_mock_admin_client() -> Iterator[httpx.Client]:
    # The mock is plain HTTP on loopback: no TLS context (building one loads the CA bundle, ~20 ms).
    with httpx.Client(verify=False, trust_env=False) as client:
        yield client


@pytest.fixture
def mock_session(
    campaign_mock: MockServer, _campaign_mock_admin_client: httpx.Client, request: pytest.FixtureRequest
) -> Iterator[MockSession]:
    """A fresh session of its own for this test; loads the scenario named by the marker, if any."""
    session = MockSession(campaign_mock, f"t{next(_counter)}", _campaign_mock_admin_client)
    marker = request.node.get_closest_marker("campaign_mock_scenario")
    if marker is not None:
        try:
            session.load_scenario(marker.args[0])
        except ScenarioRefused as exc:
            pytest.fail(f"campaign_mock_scenario({marker.args[0]!r}): {exc}", pytrace=False)
    yield session
    broken = [] if request.node.get_closest_marker("campaign_mock_allow_violations") else session.violations("response")
    session.admin("DELETE", "sessions")  # forget it: a long run leaves no sessions behind
    if broken:
        pytest.fail(f"responses in session {session.name} broke the spec: {broken}", pytrace=False)
