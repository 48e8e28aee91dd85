"""What a handler is given over HTTP: a state caught up to the mock clock, the session's seeded outcomes, and
the session's variant choices."""

from __future__ import annotations

from typing import Any

from fake_http import FROZEN, PREFIX, MakeClient, TestClient

from campaign_mock.engine.chance import Chance

FROZEN_DEFAULT = f"extends: default\n{FROZEN}\n"


def _draw(client: TestClient, key: str) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/v1/draw", params={"key": key})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _expected_draw(seed: int, key: str) -> dict[str, Any]:
    chance = Chance(seed)
    return {"roll": chance.random("roll", key), "side": chance.pick(["heads", "tails"], [1, 1], "side", key)}


def _advanced(client: TestClient, session: str = "default") -> list[str]:
    advanced: list[str] = client.get("/__admin/state", params={"session": session}).json()["vendors"]["fakevendor"][
        "advanced"
    ]
    return advanced


# -- the clock -------------------------------------------------------------------------------------------
def test_state_catches_up_to_the_clock_before_a_handler_runs(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    client.post("/__admin/clock/advance", json={"seconds": 3600})
    response = client.get(f"{PREFIX}/v1/now")

    assert response.status_code == 200
    assert response.json() == {"now": "2025-01-15T11:00:00Z", "advancedTo": "2025-01-15T11:00:00Z"}


def test_state_catches_up_to_the_clock_before_an_export(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)
    client.get(f"{PREFIX}/v1/things")

    client.post("/__admin/clock/advance", json={"seconds": 7200})

    # Moving the clock catches up (what fell due meanwhile happens then), and so does the export.
    assert _advanced(client) == ["2025-01-15T10:00:00Z", "2025-01-15T12:00:00Z", "2025-01-15T12:00:00Z"]


def test_state_is_not_moved_on_for_a_request_refused_before_its_handler(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)
    client.get(f"{PREFIX}/v1/things")
    client.post("/__admin/clock/advance", json={"seconds": 60})

    client.get(f"{PREFIX}/v1/things", headers={"x-fake-key": "fk_other"})
    client.get(f"{PREFIX}/v1/things", params={"limit": 0})
    client.get(f"{PREFIX}/v1/nowhere")

    # The clock move and the export catch up; none of the refused requests did.
    assert _advanced(client) == ["2025-01-15T10:00:00Z", "2025-01-15T10:01:00Z", "2025-01-15T10:01:00Z"]


def test_session_with_its_own_clock_catches_up_to_that_clock(make_client: MakeClient) -> None:
    client = make_client(FROZEN_DEFAULT)

    client.post("/__admin/clock/advance", params={"session": "late"}, json={"seconds": 86400})
    late = client.get(f"{PREFIX}/v1/now", headers={"X-Mock-Session": "late"})
    default = client.get(f"{PREFIX}/v1/now")

    assert late.json() == {"now": "2025-01-16T10:00:00Z", "advancedTo": "2025-01-16T10:00:00Z"}
    assert default.json() == {"now": "2025-01-15T10:00:00Z", "advancedTo": "2025-01-15T10:00:00Z"}


# -- seeded outcomes -------------------------------------------------------------------------------------
def test_handler_draws_from_the_seed_in_settings(make_client: MakeClient) -> None:
    client = make_client(seed=7)

    assert _draw(client, "k1") == _expected_draw(7, "k1")
    assert _draw(client, "k2") == _expected_draw(7, "k2")


def test_same_seed_gives_the_same_outcomes_in_another_app_and_session(make_client: MakeClient) -> None:
    first, second = make_client(seed=7), make_client(seed=7)

    draws = [_draw(first, f"k{n}") for n in range(5)]

    assert [_draw(second, f"k{n}") for n in reversed(range(5))] == draws[::-1]
    other_session = first.get(f"{PREFIX}/v1/draw", params={"key": "k0"}, headers={"X-Mock-Session": "s2"}).json()
    assert other_session == draws[0]


def test_different_seed_gives_other_outcomes(make_client: MakeClient) -> None:
    draws = {seed: _draw(make_client(seed=seed), "k1")["roll"] for seed in (0, 7, 8)}

    assert draws == {seed: _expected_draw(seed, "k1")["roll"] for seed in (0, 7, 8)}
    assert len(set(draws.values())) == 3


def test_scenario_seed_wins_over_the_settings_seed(make_client: MakeClient) -> None:
    client = make_client("extends: default\nseed: 11\n", seed=7)

    assert _draw(client, "k1") == _expected_draw(11, "k1")
    assert client.get("/__admin/state").json()["seed"] == 11


# -- variants --------------------------------------------------------------------------------------------
def test_default_variant_choice_reaches_the_handler(client: TestClient) -> None:
    assert client.get(f"{PREFIX}/v1/greeting").json() == {"greeting": "Hi"}


def test_shipped_scenario_choosing_the_variant_changes_the_answer(make_client: MakeClient) -> None:
    client = make_client(scenarios=("fakevendor/formal",))

    assert client.get(f"{PREFIX}/v1/greeting").json() == {"greeting": "Good day"}


def test_scenario_file_choosing_the_variant_changes_the_answer_and_is_listed(make_client: MakeClient) -> None:
    client = make_client("extends: default\nvariants: {fakevendor.greeting: formal}\n")

    greeting = client.get(f"{PREFIX}/v1/greeting")
    listed = client.get("/__admin/variants").json()["variants"]

    assert greeting.json() == {"greeting": "Good day"}
    assert listed == [
        {
            "name": "fakevendor.greeting",
            "description": "The reference greets plainly; the blog shows a formal greeting.",
            "default": "plain",
            "current": "formal",
            "choices": [
                {"value": "plain", "sources": ["https://docs.fake.example/greeting"]},
                {"value": "formal", "sources": ["https://blog.fake.example/greeting"]},
            ],
        }
    ]


def test_variant_chosen_for_one_session_leaves_the_others_alone(client: TestClient) -> None:
    loaded = client.post("/__admin/scenarios", json={"name": "fakevendor/formal", "session": "formal"})

    formal = client.get(f"{PREFIX}/v1/greeting", headers={"X-Mock-Session": "formal"})
    plain = client.get(f"{PREFIX}/v1/greeting")

    assert loaded.status_code == 200
    assert (formal.json(), plain.json()) == ({"greeting": "Good day"}, {"greeting": "Hi"})


def test_state_is_not_moved_on_before_the_instant_it_says_something_falls_due(make_client: MakeClient) -> None:
    client = make_client(f"{FROZEN_DEFAULT}vendors:\n  fakevendor:\n    quiet_until: '2025-01-15T11:00:00Z'\n")

    client.get(f"{PREFIX}/v1/things")
    client.post("/__admin/clock/advance", json={"seconds": 3599})
    client.get(f"{PREFIX}/v1/things")
    assert _advanced(client) == []  # neither requests, the clock move nor the export: nothing was due yet

    client.post("/__admin/clock/advance", json={"seconds": 1})
    response = client.get(f"{PREFIX}/v1/now")

    assert response.json() == {"now": "2025-01-15T11:00:00Z", "advancedTo": "2025-01-15T11:00:00Z"}
    assert _advanced(client) == ["2025-01-15T11:00:00Z"] * 3  # the clock move, the request and the export
