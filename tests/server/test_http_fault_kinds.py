"""Fault kinds over a live server: a reset connection, a malformed (cut) answer, a chance of firing, sequences of
steps, and an injected 429 that reads as a used-up rate limit (also to the official FoxReach SDK)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from engine_client import Mock
from foxreach import FoxReach

from campaign_mock.pytest_plugin import MockSession

FOX_KEY = "otr_test_foxreach"
FROZEN = "2025-01-15T10:00:00Z"
FROZEN_EPOCH = 1_736_935_200


def _add(mock: Mock, session: str | None, **fault: Any) -> httpx.Response:
    return mock.admin("POST", "faults", session=session, json=fault)


def _fox(mock: Mock, session: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"X-API-Key": FOX_KEY, "X-Mock-Session": session}
    return mock.http.request(method, f"{mock.url}/foxreach/api/v1{path}", headers=headers, **kwargs)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """What the server logs as an error while the test runs: the mock's own records, and uvicorn's complaints (an
    app that returned without answering, say)."""
    errors = _Errors()
    loggers = [logging.getLogger(name) for name in ("campaign_mock", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(errors)
    yield errors.messages
    for logger in loggers:
        logger.removeHandler(errors)


# -- reset ---------------------------------------------------------------------------------------------
def test_reset_closes_the_connection_without_an_answer_and_journals_status_0(
    shared: Mock, mock_session: MockSession, server_errors: list[str]
) -> None:
    name = mock_session.name
    assert _add(shared, name, vendor="leadterra", path="/v1/sender-pools", reset=True, times=1).status_code == 201

    with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected without sending a response"):
        shared.leadterra("GET", "/v1/sender-pools", session=name)
    after = shared.leadterra("GET", "/v1/sender-pools", session=name)

    assert after.status_code == 200
    [reset, answered] = shared.requests(name)
    assert (reset["response"], reset["injected"], reset["violations"]) == (
        {"status": 0, "headers": {}, "body": None},
        True,
        [],
    )
    assert (answered["response"]["status"], answered["injected"]) == (200, False)
    assert server_errors == []  # the server added no 500 of its own, and complained of nothing


def test_reset_after_a_delay_keeps_the_client_waiting_first(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, vendor="leadterra", reset=True, delay_ms=200)

    started = time.perf_counter()
    with pytest.raises(httpx.RemoteProtocolError):
        shared.leadterra("GET", "/v1/replies", session=mock_session.name)

    assert time.perf_counter() - started >= 0.2


# -- malformed ------------------------------------------------------------------------------------------
def test_malformed_cuts_the_normal_answer_after_the_handler_ran(
    shared: Mock, mock_session: MockSession, server_errors: list[str]
) -> None:
    name = mock_session.name
    _add(shared, name, vendor="leadterra", method="POST", path="/v1/campaigns/{id}/start", malformed=True, times=1)
    url = f"{shared.url}/__session/{name}/leadterra/v1/campaigns/camp_123/start"

    with shared.http.stream("POST", url, headers={"Authorization": "Bearer sk_test_leadterra"}) as response:
        declared = int(response.headers["Content-Length"])
        with pytest.raises(httpx.RemoteProtocolError, match=f"expected {declared}"):
            response.read()

    assert response.status_code == 200
    assert shared.leadterra("POST", "/v1/campaigns/camp_123/pause", session=name).json()["status"] == "paused"
    [cut, _] = shared.requests(name)
    assert (cut["response"]["status"], cut["injected"]) == (200, True)
    assert len(cut["response"]["body"]) == declared // 2  # what was sent: half of it, which is not JSON
    assert server_errors == []


def test_malformed_with_a_status_cuts_the_vendor_error_body(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, vendor="leadterra", path="/v1/replies", status=503, malformed=True)
    url = f"{shared.url}/__session/{mock_session.name}/leadterra/v1/replies"

    with shared.http.stream("GET", url, headers={"Authorization": "Bearer sk_test_leadterra"}) as response:
        assert (response.status_code, response.headers["Content-Type"]) == (503, "application/json")
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()

    full = b'{"error":{"code":"internal_error","message":"The server answered 503."}}'
    assert shared.requests(mock_session.name)[0]["response"]["body"] == full[: len(full) // 2].decode()


# -- probability ----------------------------------------------------------------------------------------
def test_probability_fires_the_same_requests_in_sessions_with_the_same_seed(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    def statuses(session: str) -> list[int]:
        _add(shared, session, vendor="leadterra", path="/v1/replies", status=503, probability=0.5)
        return [shared.leadterra("GET", "/v1/replies", session=session).status_code for _ in range(24)]

    first = statuses(mock_session.name)

    assert first == statuses(other_session)
    assert set(first) == {200, 503}


def test_probability_counts_times_only_when_the_fault_fires(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, vendor="leadterra", path="/v1/replies", status=500, probability=0.4, times=2)

    statuses = [shared.leadterra("GET", "/v1/replies", session=mock_session.name).status_code for _ in range(30)]

    assert statuses.count(500) == 2
    assert shared.admin("GET", "faults", session=mock_session.name).json() == {"faults": []}


# -- sequences and the injected 429 -----------------------------------------------------------------------
def test_sequence_answers_429_twice_with_consistent_rate_limit_headers_then_the_real_answer(
    shared: Mock, mock_session: MockSession
) -> None:
    name = mock_session.name
    mock_session.set_clock(now=FROZEN, frozen=True)
    added = _add(
        shared,
        name,
        vendor="foxreach",
        method="POST",
        path="/api/v1/campaigns/{campaign_id}/start",
        sequence=[{"status": 429, "times": 2, "retry_after": 1}, {"passthrough": True}],
    )
    assert added.json()["faults"][0]["sequence"] == [
        {"times": 2, "status": 429, "retry_after": 1},
        {"passthrough": True},
    ]

    answers = [_fox(shared, name, "POST", "/campaigns/cmp_abc123/start") for _ in range(3)]

    assert [r.status_code for r in answers] == [429, 429, 200]
    limited = answers[0]
    assert {k: limited.headers[k] for k in ("Retry-After", "X-RateLimit-Remaining", "X-RateLimit-Reset")} == {
        "Retry-After": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(FROZEN_EPOCH + 1),
    }
    assert limited.json() == {
        "error": "Rate limit exceeded",
        "code": "rate_limit_exceeded",
        "details": {"limit": 100, "reset": FROZEN_EPOCH + 1},
    }
    assert answers[2].json()["data"]["status"] == "active"
    assert answers[2].headers["X-RateLimit-Remaining"] == "99"  # the injected answers counted against nothing
    assert shared.violations(name) == []


def test_injected_429_without_retry_after_points_at_the_end_of_the_real_window(
    shared: Mock, mock_session: MockSession
) -> None:
    mock_session.set_clock(now="2025-01-15T10:00:45Z", frozen=True)
    _add(shared, mock_session.name, vendor="foxreach", path="/api/v1/campaigns", status=429, times=1)

    response = _fox(shared, mock_session.name, "GET", "/campaigns")

    assert (response.headers["Retry-After"], response.headers["X-RateLimit-Remaining"]) == ("15", "0")
    assert response.headers["X-RateLimit-Reset"] == str(FROZEN_EPOCH + 60)


def test_retry_after_on_a_vendor_that_documents_no_rate_limit_headers_sets_retry_after_alone(
    shared: Mock, mock_session: MockSession
) -> None:
    _add(shared, mock_session.name, vendor="leadterra", path="/v1/replies", status=429, retry_after=7)

    response = shared.leadterra("GET", "/v1/replies", session=mock_session.name)

    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    assert not [h for h in response.headers if h.lower().startswith("x-ratelimit")]


def test_sequence_of_every_kind_from_a_scenario_file(shared: Mock, mock_session: MockSession) -> None:
    mock_session.load_scenario(
        yaml="""
extends: default
faults:
  - vendor: leadterra
    path: /v1/replies
    sequence:
      - {status: 503, times: 1}
      - {reset: true, times: 1}
      - {passthrough: true, headers: {X-Injected: "yes"}, times: 1}
      - {status: 500, times: 1}
"""
    )
    outcomes: list[int | str] = []
    for _ in range(5):
        try:
            response = shared.leadterra("GET", "/v1/replies", session=mock_session.name)
            outcomes.append(response.status_code)
        except httpx.RemoteProtocolError:
            outcomes.append("reset")

    assert outcomes == [503, "reset", 200, 500, 200]
    assert [e["response"]["headers"].get("X-Injected") for e in shared.requests(mock_session.name)] == [
        None,
        None,
        "yes",
        None,
        None,
    ]


def test_state_export_holds_what_is_left_of_a_sequence_and_imports_back(
    shared: Mock, mock_session: MockSession
) -> None:
    name = mock_session.name
    sequence = [{"status": 503, "times": 2}, {"malformed": True, "times": 1}]
    _add(shared, name, vendor="leadterra", path="/v1/replies", sequence=sequence)
    shared.leadterra("GET", "/v1/replies", session=name)

    exported = shared.state(name)
    assert exported["faults"] == [
        {"vendor": "leadterra", "path": "/v1/replies", "sequence": [{"times": 1, "status": 503}, sequence[1]]}
    ]
    assert shared.admin("PUT", "state", session=name, json=exported).status_code == 200
    assert shared.state(name)["faults"] == exported["faults"]


# -- refused faults ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (
            {"reset": True, "status": 503},
            "faults: faults[0].status: reset closes the connection without an answer: it cannot have status",
        ),
        (
            {"sequence": [{"status": 429}, {"passthrough": True}]},
            "faults: faults[0].sequence[0]: a step without times is never used up, so the steps after it would "
            "never be reached",
        ),
        ({"retry_after": 2}, "faults: faults[0].retry_after: retry_after needs a status (429 or 503, say)"),
        (
            {"sequence": [{"status": 200, "times": 1}]},
            "faults: a fault answering 200 needs a body (the default body is the vendor's error body)",
        ),
    ],
)
def test_add_faults_refuses_kinds_that_make_no_sense_with_400(
    shared: Mock, mock_session: MockSession, fault: dict[str, Any], problem: str
) -> None:
    response = _add(shared, mock_session.name, vendor="leadterra", path="/v1/replies", **fault)

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_fault")
    assert response.json()["error"]["problems"] == [problem]
    assert shared.admin("GET", "faults", session=mock_session.name).json() == {"faults": []}


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ({"probability": 0}, "probability: 0 is less than or equal to the minimum of 0"),
        ({"probability": 1.5}, "probability: 1.5 is greater than the maximum of 1"),
        ({"reset": "yes"}, "reset: 'yes' is not of type 'boolean'"),
        ({"sequence": []}, "sequence: [] should be non-empty"),
        ({"sequence": [{"vendor": "x"}]}, "sequence[0].vendor: unknown key 'vendor'"),
    ],
)
def test_add_faults_refuses_values_outside_the_schema_with_400(
    shared: Mock, mock_session: MockSession, fault: dict[str, Any], problem: str
) -> None:
    response = _add(shared, mock_session.name, vendor="leadterra", **fault)

    assert (response.status_code, response.json()["error"]["problems"]) == (400, [problem])


# -- the official FoxReach SDK ------------------------------------------------------------------------------
def test_foxreach_sdk_honours_retry_after_of_an_injected_429_sequence(mock_session: MockSession) -> None:
    mock_session.admin(
        "POST",
        "faults",
        json={
            "vendor": "foxreach",
            "method": "POST",
            "path": "/api/v1/campaigns/{campaign_id}/start",
            "sequence": [{"status": 429, "times": 2, "retry_after": 1}, {"passthrough": True}],
        },
    ).raise_for_status()

    with FoxReach(api_key=FOX_KEY, base_url=mock_session.url("foxreach") + "/api/v1") as client:
        started = time.monotonic()
        campaign = client.campaigns.start("cmp_abc123")
        elapsed = time.monotonic() - started

    assert campaign.status == "active"
    assert 2 <= elapsed < 4  # two sleeps of Retry-After: 1 (with no Retry-After the SDK would back off 1 s + 2 s)
    statuses = [e["response"]["status"] for e in mock_session.requests(vendor="foxreach")]
    assert statuses == [429, 429, 200]
