"""Rate limits and injected faults over HTTP on the fake vendor, on a frozen clock."""

from __future__ import annotations

from typing import Any

import httpx
from fake_http import FROZEN, PREFIX, MakeClient, TestClient, problem
from fake_vendor import KEY_HEADER

RESET = "1736935260"  # the end of the minute that starts at FROZEN_AT
LIMITED = f"""\
extends: default
{FROZEN}
rate_limits:
  fakevendor: {{limit: 2, window_seconds: 60}}
"""


def _with_faults(*faults: str) -> str:
    """The rate-limited scenario, with these faults (YAML flow mappings)."""
    return LIMITED + "faults:\n" + "".join(f"  - {fault}\n" for fault in faults)


def _rate(response: httpx.Response) -> tuple[str | None, ...]:
    return tuple(response.headers.get(h) for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"))


def _journal(client: TestClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/__admin/requests").json()["requests"]
    return entries


# -- rate limits -------------------------------------------------------------------------------------------
def test_rate_limit_refusal_answers_429_in_the_vendors_words(make_client: MakeClient) -> None:
    client = make_client(LIMITED)
    client.get(f"{PREFIX}/v1/things")
    client.get(f"{PREFIX}/v1/things")

    response = client.get(f"{PREFIX}/v1/things")

    assert response.status_code == 429
    assert response.json() == problem("slow_down", "2 requests a window; wait 60s")
    assert _rate(response) == ("2", "0", RESET)
    assert response.headers["retry-after"] == "60"


def test_rate_limit_headers_on_a_success_and_on_an_error(make_client: MakeClient) -> None:
    client = make_client(LIMITED)

    success = client.get(f"{PREFIX}/v1/things")
    error = client.get(f"{PREFIX}/v1/things/thing_9")

    assert (success.status_code, _rate(success)) == (200, ("2", "1", RESET))
    assert (error.status_code, _rate(error)) == (404, ("2", "0", RESET))
    assert "retry-after" not in success.headers


def test_rate_limit_headers_on_an_auth_failure_which_is_not_counted(make_client: MakeClient) -> None:
    client = make_client(LIMITED)
    client.get(f"{PREFIX}/v1/things")

    refused = client.get(f"{PREFIX}/v1/things", headers={KEY_HEADER: "fk_other"})
    same_key_twice = [client.get(f"{PREFIX}/v1/things", headers={KEY_HEADER: "fk_other"}) for _ in range(3)]

    assert (refused.status_code, _rate(refused)) == (401, ("2", "2", RESET))
    assert [(r.status_code, _rate(r)[1]) for r in same_key_twice] == [(401, "2")] * 3
    assert _rate(client.get(f"{PREFIX}/v1/things")) == ("2", "0", RESET)


def test_rate_limit_window_opens_again_on_the_mock_clock(make_client: MakeClient) -> None:
    client = make_client(LIMITED)
    statuses = [client.get(f"{PREFIX}/v1/things").status_code for _ in range(4)]

    client.post("/__admin/clock/advance", json={"seconds": 60})
    later = [client.get(f"{PREFIX}/v1/things").status_code for _ in range(3)]

    # The refused requests did not count: the next window holds two again.
    assert (statuses, later) == ([200, 200, 429, 429], [200, 200, 429])


def test_rate_limit_counts_per_session(make_client: MakeClient) -> None:
    client = make_client(LIMITED)
    client.get(f"{PREFIX}/v1/things")
    client.get(f"{PREFIX}/v1/things")

    other = client.get(f"{PREFIX}/v1/things", headers={"X-Mock-Session": "other"})

    assert (other.status_code, _rate(other)) == (200, ("2", "1", RESET))


# -- injected faults -------------------------------------------------------------------------------------
def test_fault_with_an_undocumented_status_is_answered_and_marked_injected_not_a_violation(
    make_client: MakeClient,
) -> None:
    client = make_client(_with_faults("{vendor: fakevendor, method: GET, path: /v1/things, status: 503, times: 1}"))

    injected = client.get(f"{PREFIX}/v1/things")
    after = client.get(f"{PREFIX}/v1/things")

    assert injected.status_code == 503
    assert injected.json() == problem("unavailable", "come back later")
    assert after.status_code == 200
    assert [(e["response"]["status"], e["injected"], e["violations"]) for e in _journal(client)] == [
        (503, True, []),
        (200, False, []),
    ]
    assert client.get("/__admin/violations").json() == {"violations": []}


def test_fault_reply_carries_rate_limit_headers_and_is_not_counted(make_client: MakeClient) -> None:
    client = make_client(_with_faults('{vendor: fakevendor, path: "/v1/things/{thing_id}", status: 503}'))
    client.get(f"{PREFIX}/v1/things")

    injected = [client.get(f"{PREFIX}/v1/things/thing_1") for _ in range(3)]

    assert [(r.status_code, _rate(r)) for r in injected] == [(503, ("2", "1", RESET))] * 3


def test_fault_with_a_documented_status_and_no_body_gets_the_vendors_injected_rendering(
    make_client: MakeClient,
) -> None:
    client = make_client(_with_faults('{vendor: fakevendor, path: "/v1/things/{thing_id}", status: 401}'))

    response = client.get(f"{PREFIX}/v1/things/thing_1")

    assert response.status_code == 401
    assert response.json() == problem("unauthorized", "the key was refused")
    assert [(e["injected"], e["violations"]) for e in _journal(client)] == [(True, [])]


def test_fault_with_a_status_the_vendor_does_not_word_keeps_the_engines_words(make_client: MakeClient) -> None:
    client = make_client(_with_faults("{vendor: fakevendor, method: POST, status: 502}"))

    response = client.post(f"{PREFIX}/v1/things", json={"name": "Cup"})

    assert response.status_code == 502
    assert response.json() == problem("injected", "Bad Gateway")
    assert len(client.get(f"{PREFIX}/v1/things").json()["things"]) == 2  # nothing was made


def test_fault_with_a_body_is_answered_as_given(make_client: MakeClient) -> None:
    client = make_client(
        _with_faults(
            "{vendor: fakevendor, path: /v1/things/thing_1, status: 404, body: {problem: {code: gone, detail: away}}}"
        )
    )

    response = client.get(f"{PREFIX}/v1/things/thing_1")

    assert response.status_code == 404
    assert response.json() == problem("gone", "away")
    assert _rate(response) == ("2", "2", RESET)
    assert [(e["injected"], e["violations"]) for e in _journal(client)] == [(True, [])]


def test_fault_without_a_status_adds_its_headers_to_the_normal_answer(make_client: MakeClient) -> None:
    client = make_client(_with_faults("{vendor: fakevendor, headers: {X-Fault: slow, X-RateLimit-Limit: 9}}"))

    response = client.get(f"{PREFIX}/v1/things")

    assert response.status_code == 200
    assert len(response.json()["things"]) == 2
    assert (response.headers["x-fault"], _rate(response)) == ("slow", ("9", "1", RESET))
    assert [e["injected"] for e in _journal(client)] == [False]


def test_fault_added_through_the_admin_api_applies_to_the_next_request(client: TestClient) -> None:
    added = client.post("/__admin/faults", json={"vendor": "fakevendor", "method": "GET", "status": 503, "times": 1})

    first = client.get(f"{PREFIX}/v1/things")
    second = client.get(f"{PREFIX}/v1/things")

    assert added.status_code == 201
    assert (first.status_code, second.status_code) == (503, 200)
    assert client.get("/__admin/faults").json() == {"faults": []}
