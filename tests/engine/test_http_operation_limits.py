"""Limits the spec gives single operations (`x-rate-limit`) over HTTP on the fake vendor, on a frozen clock:
`get_quota` takes 2 a minute per key, `ping_thing` 2 per key and thing, `search` 2 per key and search term, each
on top of the vendor-wide limit (50 a minute)."""

from __future__ import annotations

import httpx
from fake_http import FROZEN, PREFIX, MakeClient, TestClient, problem
from fake_vendor import KEY_HEADER

T = 1736935200.0  # FROZEN_AT as a timestamp
RESET = "1736935260"  # the end of the minute that starts at FROZEN_AT
FROZEN_DEFAULT = f"extends: default\n{FROZEN}\n"
QUOTA = f"{PREFIX}/v1/quota"


def _rate(response: httpx.Response) -> tuple[str | None, ...]:
    names = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")
    return tuple(response.headers.get(name) for name in names)


def _hits(client: TestClient) -> dict[str, list[float]]:
    hits: dict[str, list[float]] = client.get("/__admin/state").json()["rate_limit_hits"]
    return hits


def _quota(client: TestClient, times: int, **headers: str) -> list[httpx.Response]:
    return [client.get(QUOTA, headers=headers) for _ in range(times)]


# -- one operation's limit -------------------------------------------------------------------------------
def test_operation_limit_answers_429_in_the_vendors_words_past_its_limit(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    first, second, refused = _quota(client, 3)

    assert [(r.status_code, _rate(r)) for r in (first, second)] == [
        (200, ("2", "1", RESET, None)),
        (200, ("2", "0", RESET, None)),
    ]
    assert refused.status_code == 429
    assert refused.json() == problem("slow_down", "2 requests a window; wait 60s")
    assert dict(refused.headers) == {
        "content-type": "application/json",
        "content-length": str(len(refused.content)),
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": RESET,
        "retry-after": "60",
    }


def test_operation_limit_counts_each_key_on_its_own(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT + "vendors: {fakevendor: {api_keys: [fk_test, fk_other]}}\n")
    _quota(client, 2)

    other = client.get(QUOTA, headers={KEY_HEADER: "fk_other"})
    again = client.get(QUOTA)

    assert (other.status_code, _rate(other)) == (200, ("2", "1", RESET, None))
    assert (again.status_code, _rate(again)) == (429, ("2", "0", RESET, "60"))


def test_operation_limit_per_path_parameter_counts_each_value_on_its_own(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    first = [client.post(f"{PREFIX}/v1/things/thing_1/ping") for _ in range(3)]
    other = client.post(f"{PREFIX}/v1/things/thing_2/ping")

    assert [(r.status_code, _rate(r)[1]) for r in first] == [(200, "1"), (200, "0"), (429, "0")]
    assert (other.status_code, _rate(other)) == (200, ("2", "1", RESET, None))
    assert _hits(client) == {
        "fakevendor:fk_test": [T] * 3,
        "fakevendor/ping_thing:fk_test|thing_1": [T] * 2,
        "fakevendor/ping_thing:fk_test|thing_2": [T],
    }


def test_operation_limit_per_query_parameter_counts_each_value_on_its_own(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    first = [client.get(f"{PREFIX}/v1/search", params={"q": "boxes"}) for _ in range(3)]
    other = client.get(f"{PREFIX}/v1/search", params={"q": "pens"})

    assert [(r.status_code, _rate(r)[1]) for r in first] == [(200, "1"), (200, "0"), (429, "0")]
    assert first[2].json() == problem("slow_down", "2 requests a window; wait 60s")
    assert (other.status_code, _rate(other)) == (200, ("2", "1", RESET, None))
    assert sorted(_hits(client)) == [
        "fakevendor/search:fk_test|boxes",
        "fakevendor/search:fk_test|pens",
        "fakevendor:fk_test",
    ]


def test_operation_limit_does_not_count_a_refused_request(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    statuses = [r.status_code for r in _quota(client, 5)]

    assert statuses == [200, 200, 429, 429, 429]
    # Neither the operation's limit nor the vendor-wide one counted the three refused.
    assert _hits(client) == {"fakevendor:fk_test": [T, T], "fakevendor/get_quota:fk_test": [T, T]}


def test_operation_limit_headers_on_an_auth_failure_come_from_it_and_nothing_is_counted(
    make_client: MakeClient,
) -> None:
    client = make_client(FROZEN_DEFAULT)
    _quota(client, 1)

    refused = client.get(QUOTA, headers={KEY_HEADER: "fk_unknown"})

    assert refused.status_code == 401
    assert _rate(refused) == ("2", "2", RESET, None)
    assert sorted(_hits(client)) == ["fakevendor/get_quota:fk_test", "fakevendor:fk_test"]


# -- with the vendor-wide limit ----------------------------------------------------------------------------
def test_operation_and_vendor_limits_both_count_and_the_tighter_one_gives_the_headers(
    make_client: MakeClient,
) -> None:
    client = make_client(FROZEN_DEFAULT + "rate_limits: {fakevendor: {limit: 3, window_seconds: 60}}\n")

    quota = _quota(client, 3)
    things = [client.get(f"{PREFIX}/v1/things") for _ in range(2)]

    assert [(r.status_code, _rate(r)) for r in quota] == [
        (200, ("2", "1", RESET, None)),  # the vendor-wide limit has 2 left, the operation's 1
        (200, ("2", "0", RESET, None)),
        (429, ("2", "0", RESET, "60")),  # refused by the operation's limit, so not counted vendor-wide either
    ]
    assert [(r.status_code, _rate(r)) for r in things] == [
        (200, ("3", "0", RESET, None)),
        (429, ("3", "0", RESET, "60")),
    ]
    assert _hits(client) == {"fakevendor:fk_test": [T] * 3, "fakevendor/get_quota:fk_test": [T] * 2}


def test_request_refused_by_the_vendor_wide_limit_is_not_counted_by_the_operations(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT + "rate_limits: {fakevendor: {limit: 1, window_seconds: 60}}\n")
    client.get(f"{PREFIX}/v1/things")

    refused = client.get(QUOTA)

    assert refused.status_code == 429
    assert refused.json() == problem("slow_down", "1 requests a window; wait 60s")
    assert _rate(refused) == ("1", "0", RESET, "60")
    assert _hits(client) == {"fakevendor:fk_test": [T]}


# -- the clock, scenarios and state ------------------------------------------------------------------------
def test_operation_limit_window_turns_on_the_sessions_clock(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)
    mine = {"X-Mock-Session": "mine"}
    _quota(client, 2)
    _quota(client, 2, **mine)

    advanced = client.post("/__admin/clock/advance", params={"session": "mine"}, json={"seconds": 60})
    moved_on = client.get(QUOTA, headers=mine)
    still = client.get(QUOTA)

    assert advanced.status_code == 200
    assert (moved_on.status_code, _rate(moved_on)) == (200, ("2", "1", str(int(RESET) + 60), None))
    assert (still.status_code, _rate(still)) == (429, ("2", "0", RESET, "60"))


def test_scenario_overrides_an_operations_limit_and_leaves_the_vendor_wide_one(make_client: MakeClient) -> None:
    client = make_client(
        FROZEN_DEFAULT + "rate_limits: {fakevendor: {operations: {get_quota: {limit: 1, window_seconds: 30}}}}\n"
    )

    allowed, refused = _quota(client, 2)
    things = client.get(f"{PREFIX}/v1/things")

    assert (allowed.status_code, _rate(allowed)) == (200, ("1", "0", "1736935230", None))
    assert (refused.status_code, _rate(refused)) == (429, ("1", "0", "1736935230", "30"))
    assert refused.json() == problem("slow_down", "1 requests a window; wait 30s")
    assert (things.status_code, _rate(things)) == (200, ("50", "48", RESET, None))


def test_scenario_override_of_an_operations_limit_is_checked(client: TestClient) -> None:
    text = "rate_limits: {fakevendor: {operations: {get_quota: {limit: 0, burst: 2}}}}\n"

    response = client.post("/__admin/scenarios", json={"yaml": text})

    problems = [
        "<posted yaml>:1: rate_limits.fakevendor.operations.get_quota.burst: unknown key 'burst'",
        "<posted yaml>:1: rate_limits.fakevendor.operations.get_quota.limit: 0 is less than the minimum of 1",
    ]
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_scenario", "message": problems[0], "problems": problems}}


def test_scenario_override_names_only_operations_with_a_limit_of_their_own(client: TestClient) -> None:
    text = "rate_limits: {fakevendor: {operations: {list_things: {limit: 1}}}}\n"

    response = client.post("/__admin/scenarios", json={"yaml": text})

    assert response.status_code == 400
    [problem_text] = response.json()["error"]["problems"]
    assert problem_text.startswith("<posted yaml>:1: rate_limits.fakevendor.operations: 'list_things' is not one of [")


def test_state_export_and_import_round_trip_the_operation_counters(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)
    _quota(client, 2)
    client.post(f"{PREFIX}/v1/things/thing_1/ping")
    client.get(f"{PREFIX}/v1/search", params={"q": "boxes"})
    exported = client.get("/__admin/state").json()
    client.post("/__admin/reset")
    after_reset = _hits(client)

    imported = client.put("/__admin/state", json=exported)
    quota = client.get(QUOTA)
    ping = client.post(f"{PREFIX}/v1/things/thing_1/ping")

    assert exported["rate_limit_hits"] == {
        "fakevendor:fk_test": [T] * 4,
        "fakevendor/get_quota:fk_test": [T, T],
        "fakevendor/ping_thing:fk_test|thing_1": [T],
        "fakevendor/search:fk_test|boxes": [T],
    }
    assert after_reset == {}
    assert imported.status_code == 200
    assert imported.json()["rate_limit_hits"] == exported["rate_limit_hits"]
    assert (quota.status_code, _rate(quota)) == (429, ("2", "0", RESET, "60"))
    assert (ping.status_code, _rate(ping)) == (200, ("2", "0", RESET, None))
