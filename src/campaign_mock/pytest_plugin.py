"""pytest fixtures: one mock server per test run, and a fresh isolated session per test.

    def test_start(mock_session):
        r = httpx.post(mock_session.url("leadterra") + "/v1/campaigns/camp_123/start", headers=...)

    @pytest.mark.campaign_mock_scenario("leadterra/paused")
    def test_resume(mock_session): ...

    def test_retries(mock_session):
        mock_session.add_fault("leadterra", path="/v1/campaigns/{id}/start", status=429, times=2, retry_after=1)
        ...
        mock_session.assert_called("leadterra", "POST", "/v1/campaigns/{id}/start", times=3)

Every test gets its own session (`/__session/<name>/...`), so tests share one server without sharing state; under
pytest-xdist each worker runs a server of its own, and session names carry the worker's id. A
test whose session answered a response that broke the vendor's spec fails at teardown, naming it (the mock
answered it 500 `mock_contract_violation`); `@pytest.mark.campaign_mock_allow_violations` opts out.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .engine.errors import ConfigError
from .engine.verify import admin_payload
from .receiver import WebhookReceiver
from .server import MockServer
from .vendors.registry import registered_catalog

_counter = itertools.count(1)
# Under pytest-xdist each worker is a process of its own: its id keeps the session names of workers apart.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_SHOWN_CALLS = 20  # calls listed in a failed `assert_called`, at most


def _session_name() -> str:
    number = next(_counter)
    return f"{_WORKER}-t{number}" if _WORKER else f"t{number}"


class ScenarioRefused(Exception):
    """A scenario that could not be loaded into a session; the message names every problem (`file:line: ...`)."""


class FaultRefused(Exception):
    """A fault the mock refused; the message names every problem."""


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

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> dict[str, Any]:
        """Move this session's clock forward; what falls due meanwhile happens (webhook events included)."""
        return self.advance_clock(((days * 24 + hours) * 60 + minutes) * 60 + seconds)

    def webhooks(self, event: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """This session's webhook deliveries, in event order (`GET /__admin/webhooks`)."""
        filters = {k: v for k, v in (("event", event), ("status", status)) if v is not None}
        found: list[dict[str, Any]] = self.admin("GET", "webhooks", params=filters).json()["deliveries"]
        return found

    def expect_webhook(self, event: str, within: float = 5.0, **match: Any) -> dict[str, Any]:
        """The first delivery of `event` that has been sent (delivered, or at least attempted) and whose payload's
        `data` (the whole payload when it has none) holds every `match` item, waiting up to `within` real seconds
        for it. Fails the test listing the deliveries that did come."""
        __tracebackhide__ = True
        deadline = time.monotonic() + within
        while True:
            deliveries = self.webhooks()
            for delivery in deliveries:
                if delivery["event"] == event and delivery["attempts"] and _holds(_payload_data(delivery), match):
                    return delivery
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        wanted = f"{event} webhook" + (f" with {match}" if match else "")
        lines = [f"no {wanted} was sent within {within:g} s in session {self.name}"]
        lines += [
            f"  {d['event']} {d['status']} ({len(d['attempts'])} attempt(s)) to {d['url']}: {_payload_data(d)}"
            for d in deliveries
        ] or ["  no deliveries at all"]
        raise AssertionError("\n".join(lines))

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.admin("GET", "requests", params=filters).json()["requests"]
        return entries

    def add_fault(self, vendor: str, **fault: Any) -> None:
        """Inject a fault into this session (keys as in scenario files: `status`, `times`, `reset`, `sequence`...)."""
        response = self.admin("POST", "faults", json={"vendor": vendor, **fault})
        if response.status_code != 201:
            raise FaultRefused("\n".join(response.json().get("error", {}).get("problems") or [response.text]))

    def assert_called(self, vendor: str, method: str, path: str, times: int | None = None) -> list[dict[str, Any]]:
        """Assert that this session sent `method path` to `vendor`: `times` times exactly, or (None) at least once.
        `path` is the vendor's own path, concrete (`/v1/campaigns/camp_1/start`) or a documented template
        (`/v1/campaigns/{id}/start`). Returns the journal entries of those calls; on failure the message lists them
        and the session's near misses (the same path with another method, or the same method on a path one segment
        off), else its other calls to the vendor."""
        __tracebackhide__ = True
        method = method.upper()
        calls = self.requests(vendor=vendor)
        shape = _path_shape(path)
        same_path = [e for e in calls if shape.fullmatch(e["request"]["path"])]
        matching = [e for e in same_path if e["request"]["method"] == method]
        if (times is None and matching) or len(matching) == times:
            return matching
        wanted = "at least once" if times is None else f"{times} time(s)"
        lines = [f"expected {method} {path} on {vendor} {wanted} in session {self.name}; called {len(matching)}"]
        others = [e for e in calls if e not in matching]
        near = [e for e in others if e in same_path or (e["request"]["method"] == method and _one_off(path, e))]
        lines += _listing("matching calls", matching)
        lines += _listing("near misses", near) or _listing(f"other {vendor} calls", others)
        lines += [] if others else [f"no other {vendor} calls"]
        raise AssertionError("\n".join(lines))

    def violations(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Contract violations of this session: `request` (the client broke the spec), `response` (the mock did)."""
        params = {"kind": kind} if kind else {}
        found: list[dict[str, Any]] = self.admin("GET", "violations", params=params).json()["violations"]
        return found


def _payload_data(delivery: dict[str, Any]) -> Any:
    """What a delivery's payload says: its `data` (the envelope of Leadterra and FoxReach), else all of it."""
    payload = json.loads(delivery["body"])
    return payload.get("data", payload) if isinstance(payload, dict) else payload


def _holds(value: Any, expected: dict[str, Any]) -> bool:
    """Every expected key is in `value` with an equal value (objects compared the same way, recursively)."""
    if not isinstance(value, dict):
        return False
    return all(
        key in value and (_holds(value[key], want) if isinstance(want, dict) else value[key] == want)
        for key, want in expected.items()
    )


def _path_shape(path: str) -> re.Pattern[str]:
    """A path, or a template whose `{name}` parts each stand for one path segment."""
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"\{[^/{}]*\}", path)))


def _one_off(path: str, entry: dict[str, Any]) -> bool:
    """The entry's path differs from `path` (a template's `{name}` parts match anything) in exactly one segment."""
    wanted, called = path.split("/"), str(entry["request"]["path"]).split("/")
    if len(wanted) != len(called):
        return False
    return sum(w != c and not w.startswith("{") for w, c in zip(wanted, called, strict=True)) == 1


def _listing(title: str, entries: list[dict[str, Any]]) -> list[str]:
    """`title:` and one line per call (the first few), or nothing for no calls."""
    if not entries:
        return []
    more = [f"  ... and {len(entries) - _SHOWN_CALLS} more"] if len(entries) > _SHOWN_CALLS else []
    return [f"{title}:", *(f"  {_described(e)}" for e in entries[:_SHOWN_CALLS]), *more]


def _described(entry: dict[str, Any]) -> str:
    request, status = entry["request"], entry["response"]["status"]
    query = f"?{request['query']}" if request.get("query") else ""
    answer = "no answer (connection reset)" if status == 0 else str(status)
    return f"{request['method']} {request['path']}{query} -> {answer}"


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
    session = MockSession(campaign_mock, _session_name(), _campaign_mock_admin_client)
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


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A local HTTP server on a free loopback port that records every request: register `.url` as a webhook,
    then `.wait_for(count)` or read `.requests`; `.respond_with(status)` and `.delay(seconds)` make it fail or
    slow."""
    with WebhookReceiver() as receiver:
        yield receiver
