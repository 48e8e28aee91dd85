"""Rate limits: 100 requests a minute per key, the X-RateLimit-* headers on every answer, and the 429 body.

The session clock is frozen and moved by hand, so windows turn exactly when a test says so.
"""

from __future__ import annotations

import httpx
import pytest
from foxreach_support import KEY, NOW, NOW_EPOCH

from campaign_mock.pytest_plugin import MockSession


def limited(limit: int, *, sliding: bool = False, extra_key: bool = False) -> str:
    """A scenario on top of default with a small FoxReach limit."""
    text = f"extends: default\nrate_limits:\n  foxreach: {{limit: {limit}, window_seconds: 60}}\n"
    if sliding:
        text += "variants:\n  foxreach.rate_limit_window: sliding\n"
    if extra_key:
        text += "vendors:\n  foxreach:\n    api_keys: [otr_second_key]\n"
    return text


def rate(response: httpx.Response) -> tuple[int, int, int]:
    """(limit, remaining, reset) from the headers; every answer must carry all three."""
    h = response.headers
    return int(h["X-RateLimit-Limit"]), int(h["X-RateLimit-Remaining"]), int(h["X-RateLimit-Reset"])


def at(mock_session: MockSession, seconds_into_minute: int) -> None:
    """Freeze the session clock `seconds_into_minute` after NOW (which starts a minute)."""
    mock_session.set_clock(now=f"2025-01-15T10:00:{seconds_into_minute:02d}Z", frozen=True)


def test_every_response_carries_rate_limit_headers(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(6))
    mock_session.set_clock(now=NOW, frozen=True)
    reset = NOW_EPOCH + 60
    answers = [
        api.get("/campaigns"),  # 200
        api.post("/leads", json={"email": "new@lead.example"}),  # 201
        api.post("/campaigns/cmp_active001/start"),  # 400
        api.get("/campaigns/cmp_ghost"),  # 404
        api.get("/campaigns", params={"pageSize": 0}),  # 422
        api.get("/no/such/route"),  # 404, unknown route
        api.get("/campaigns"),  # 429
    ]
    assert [r.status_code for r in answers] == [200, 201, 400, 404, 422, 404, 429]
    assert [rate(r) for r in answers] == [(6, n, reset) for n in (5, 4, 3, 2, 1, 0, 0)]
    assert answers[-1].headers["Retry-After"] == "60"
    assert all("Retry-After" not in r.headers for r in answers[:-1])


def test_auth_failure_carries_headers_of_the_presented_key_uncounted(
    mock_session: MockSession, api: httpx.Client
) -> None:
    mock_session.load_scenario(yaml=limited(3))
    mock_session.set_clock(now=NOW, frozen=True)
    for _ in range(2):
        response = api.get("/campaigns", headers={"X-API-Key": "otr_wrong"})
        assert response.status_code == 403
        assert rate(response) == (3, 3, NOW_EPOCH + 60)
    assert rate(api.get("/campaigns")) == (3, 2, NOW_EPOCH + 60)


def test_rate_limit_429_body_is_the_documented_one(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(1))
    at(mock_session, 45)
    api.get("/campaigns")
    response = api.get("/campaigns")
    assert response.status_code == 429
    assert response.json() == {
        "error": "Rate limit exceeded",
        "code": "rate_limit_exceeded",
        "details": {"limit": 1, "reset": NOW_EPOCH + 60},
    }
    assert response.headers["Retry-After"] == "15"


def test_rate_limit_fixed_window_resets_at_the_boundary(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(3))
    at(mock_session, 30)
    assert [api.get("/campaigns").status_code for _ in range(4)] == [200, 200, 200, 429]
    mock_session.advance_clock(29)
    blocked = api.get("/campaigns")
    assert (blocked.status_code, blocked.headers["Retry-After"]) == (429, "1")
    mock_session.advance_clock(1)
    fresh = api.get("/campaigns")
    assert fresh.status_code == 200
    assert rate(fresh) == (3, 2, NOW_EPOCH + 120)


def test_rate_limit_rejected_requests_do_not_count(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(2))
    at(mock_session, 0)
    for _ in range(2):
        api.get("/campaigns")
    assert {api.get("/campaigns").status_code for _ in range(5)} == {429}
    mock_session.advance_clock(60)
    assert [api.get("/campaigns").status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limit_counts_each_key_separately(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(2, extra_key=True))
    at(mock_session, 10)
    assert [api.get("/campaigns").status_code for _ in range(3)] == [200, 200, 429]
    other = api.get("/campaigns", headers={"X-API-Key": "otr_second_key"})
    assert (other.status_code, rate(other)[1]) == (200, 1)


def test_rate_limit_default_is_100_requests_a_minute(mock_session: MockSession, api: httpx.Client) -> None:
    at(mock_session, 0)
    statuses = [api.get("/webhooks/events").status_code for _ in range(101)]
    assert statuses == [200] * 100 + [429]
    assert rate(api.get("/webhooks/events"))[:2] == (100, 0)


def test_rate_limit_sliding_window_does_not_reset_at_the_minute(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(2, sliding=True))
    at(mock_session, 50)
    first, second = api.get("/campaigns"), api.get("/campaigns")
    assert [rate(first)[1], rate(second)[1]] == [1, 0]
    assert rate(second)[2] == NOW_EPOCH + 110  # the oldest request leaves the window a minute after it came
    refused = api.get("/campaigns")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "60")
    mock_session.advance_clock(20)  # the minute turns: a fixed window would start afresh here
    still = api.get("/campaigns")
    assert (still.status_code, still.headers["Retry-After"]) == (429, "40")
    mock_session.advance_clock(40)
    again = api.get("/campaigns")
    assert (again.status_code, rate(again)) == (200, (2, 1, NOW_EPOCH + 170))


def test_rate_limit_sliding_window_frees_slots_one_by_one(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(2, sliding=True))
    at(mock_session, 0)
    api.get("/campaigns")
    mock_session.advance_clock(30)
    api.get("/campaigns")
    assert api.get("/campaigns").status_code == 429
    mock_session.advance_clock(30)  # only the first request has left the window
    assert [api.get("/campaigns").status_code for _ in range(2)] == [200, 429]


def test_rate_limit_window_is_fixed_by_default(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(2))
    at(mock_session, 50)
    assert [api.get("/campaigns").status_code for _ in range(3)] == [200, 200, 429]
    mock_session.advance_clock(10)
    assert api.get("/campaigns").status_code == 200


@pytest.mark.parametrize("status", [429, 500, 403])
def test_injected_fault_answers_the_documented_body(mock_session: MockSession, api: httpx.Client, status: int) -> None:
    at(mock_session, 20)
    fault = {
        "vendor": "foxreach",
        "method": "POST",
        "path": "/api/v1/campaigns/{campaign_id}/start",
        "status": status,
        "times": 1,
    }
    assert mock_session.admin("POST", "faults", json=fault).status_code == 201
    response = api.post("/campaigns/cmp_abc123/start")
    expected = {
        429: {
            "error": "Rate limit exceeded",
            "code": "rate_limit_exceeded",
            "details": {"limit": 100, "reset": NOW_EPOCH + 60},
        },
        500: {"detail": "Internal server error"},
        403: {"detail": "Invalid API key"},
    }[status]
    assert (response.status_code, response.json()) == (status, expected)
    # An injected 429 says the window is used up, as a real one would; other faults carry the real reading.
    assert rate(response) == (100, 0 if status == 429 else 100, NOW_EPOCH + 60)
    if status == 429:
        assert response.headers["Retry-After"] == "40"
    assert api.post("/campaigns/cmp_abc123/start").status_code == 200  # the fault is used up


def test_rate_limit_key_is_the_presented_key(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml=limited(1))
    at(mock_session, 0)
    assert api.get("/campaigns").status_code == 200
    assert api.get("/campaigns", headers={"X-API-Key": KEY}).status_code == 429
