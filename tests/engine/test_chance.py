"""Seeded outcomes: each draw a pure function of the seed and its key."""

from __future__ import annotations

from collections import Counter

import pytest

from campaign_mock.engine.chance import Chance

KEYS = [("call", n, "outcome") for n in range(4000)]


def test_random_is_the_same_for_the_same_seed_and_key() -> None:
    assert Chance(7).random("call", 1) == Chance(7).random("call", 1)


def test_random_does_not_depend_on_earlier_draws() -> None:
    fresh, used = Chance(7), Chance(7)
    for n in range(50):
        used.random("other", n)

    assert used.random("call", 1) == fresh.random("call", 1)


def test_random_changes_with_the_key_and_with_the_seed() -> None:
    chance = Chance(7)

    assert chance.random("call", 1) != chance.random("call", 2)
    assert chance.random("call", 1) != chance.random("call", 1, "outcome")
    assert chance.random("call", 1) != Chance(8).random("call", 1)


def test_random_stays_in_the_unit_interval_and_spreads() -> None:
    draws = [Chance(3).random(*key) for key in KEYS]

    assert all(0 <= d < 1 for d in draws)
    assert 0.47 < sum(draws) / len(draws) < 0.53
    assert len({int(d * 10) for d in draws}) == 10


def test_happens_with_roughly_the_given_probability() -> None:
    chance = Chance(5)

    hits = sum(chance.happens(0.2, *key) for key in KEYS)

    assert 0.17 < hits / len(KEYS) < 0.23
    assert not any(chance.happens(0, *key) for key in KEYS[:200])
    assert all(chance.happens(1, *key) for key in KEYS[:200])


def test_pick_respects_the_weights_over_many_keys() -> None:
    chance = Chance(11)

    counts = Counter(chance.pick(["answered", "busy", "failed"], [6, 3, 1], *key) for key in KEYS)

    shares = {option: count / len(KEYS) for option, count in counts.items()}
    assert shares.keys() == {"answered", "busy", "failed"}
    assert 0.56 < shares["answered"] < 0.64
    assert 0.26 < shares["busy"] < 0.34
    assert 0.07 < shares["failed"] < 0.13


def test_pick_never_chooses_an_option_of_weight_zero() -> None:
    chance = Chance(11)

    assert {chance.pick(["never", "always"], [0, 1], *key) for key in KEYS[:500]} == {"always"}


def test_pick_refuses_weights_that_do_not_fit_the_options() -> None:
    with pytest.raises(ValueError, match=r"^pick\(\) needs one weight per option$"):
        Chance().pick(["a", "b"], [1], "k")
    with pytest.raises(ValueError, match=r"^pick\(\) needs one weight per option$"):
        Chance().pick([], [], "k")


def test_between_includes_both_ends_and_nothing_outside() -> None:
    chance = Chance(2)

    values = Counter(chance.between(1, 3, *key) for key in KEYS)

    assert set(values) == {1, 2, 3}
    assert all(1100 < count < 1570 for count in values.values())


def test_between_a_single_value_is_that_value() -> None:
    assert {Chance(2).between(4, 4, *key) for key in KEYS[:100]} == {4}
