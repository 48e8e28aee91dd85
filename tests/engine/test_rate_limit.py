"""Rate limits on the mock clock: fixed and sliding windows, per key, without HTTP."""

from __future__ import annotations

import pytest

from campaign_mock.engine.rate_limit import Decision, RateLimiter, RateLimitPolicy, effective_policy

FIXED = RateLimitPolicy(2, 60, "fixed")
SLIDING = RateLimitPolicy(2, 60, "sliding")
START = 1_736_935_200.0  # 2025-01-15T10:00:00Z, a minute boundary


def _allowed(limiter: RateLimiter, policy: RateLimitPolicy, *times: float, key: str = "k") -> list[bool]:
    return [limiter.check("fakevendor", key, policy, t).allowed for t in times]


def test_fixed_window_refuses_past_the_limit_until_the_boundary() -> None:
    limiter = RateLimiter()

    assert _allowed(limiter, FIXED, START, START + 1, START + 59.9) == [True, True, False]
    assert _allowed(limiter, FIXED, START + 60) == [True]


def test_fixed_window_is_aligned_to_the_epoch_not_to_the_first_request() -> None:
    limiter = RateLimiter()

    assert _allowed(limiter, FIXED, START + 58, START + 59, START + 60, START + 61, START + 62) == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_fixed_window_decision_counts_down_and_names_the_window_end() -> None:
    limiter = RateLimiter()

    first = limiter.check("fakevendor", "k", FIXED, START + 10)
    limiter.check("fakevendor", "k", FIXED, START + 20)
    refused = limiter.check("fakevendor", "k", FIXED, START + 30)

    assert first == Decision(allowed=True, limit=2, remaining=1, reset_epoch=int(START) + 60, retry_after=50)
    assert refused == Decision(allowed=False, limit=2, remaining=0, reset_epoch=int(START) + 60, retry_after=30)
    assert refused.headers() == {
        "X-RateLimit-Limit": "2",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(START) + 60),
        "Retry-After": "30",
    }
    assert "Retry-After" not in first.headers()


def test_sliding_window_frees_a_slot_when_the_oldest_request_leaves_it() -> None:
    limiter = RateLimiter()

    assert _allowed(limiter, SLIDING, START, START + 30) == [True, True]
    refused = limiter.check("fakevendor", "k", SLIDING, START + 59)
    assert (refused.allowed, refused.reset_epoch, refused.retry_after) == (False, int(START) + 60, 1)
    assert _allowed(limiter, SLIDING, START + 60, START + 61) == [True, False]
    assert _allowed(limiter, SLIDING, START + 90) == [True]


def test_sliding_window_does_not_reset_at_minute_boundaries() -> None:
    limiter = RateLimiter()

    assert _allowed(limiter, SLIDING, START + 50, START + 55, START + 65) == [True, True, False]


def test_rejected_requests_are_not_counted() -> None:
    limiter = RateLimiter()
    _allowed(limiter, SLIDING, START, START + 30)

    assert _allowed(limiter, SLIDING, *(START + 31 + i for i in range(20))) == [False] * 20
    # Had the refusals counted, the window would still be full after the first request left it.
    assert _allowed(limiter, SLIDING, START + 60, START + 61) == [True, False]


def test_counting_per_key_and_per_vendor() -> None:
    limiter = RateLimiter()
    _allowed(limiter, FIXED, START, START, key="a")

    assert _allowed(limiter, FIXED, START, key="a") == [False]
    assert _allowed(limiter, FIXED, START, key="b") == [True]
    assert limiter.check("othervendor", "a", FIXED, START).allowed


def test_clock_moved_back_forgets_requests_from_the_future() -> None:
    limiter = RateLimiter()
    _allowed(limiter, FIXED, START + 3600, START + 3601)

    assert _allowed(limiter, FIXED, START, START + 1, START + 2) == [True, True, False]


def test_reading_that_does_not_count_creates_no_counter() -> None:
    limiter = RateLimiter()

    decision = limiter.check("fakevendor", "stranger", FIXED, START, count=False)

    assert (decision.allowed, decision.remaining, len(limiter)) == (True, 2, 0)
    assert _allowed(limiter, FIXED, START, START) == [True, True]


def test_counters_round_trip_through_their_dict_form() -> None:
    limiter = RateLimiter()
    _allowed(limiter, FIXED, START, START + 1)

    restored = RateLimiter.from_dict(limiter.to_dict())

    assert restored.to_dict() == {"fakevendor:k": [START, START + 1]}
    assert _allowed(restored, FIXED, START + 2) == [False]


DOCUMENTED = RateLimitPolicy(100, 60, "fixed")


@pytest.mark.parametrize(
    ("override", "chosen", "expected"),
    [
        ({}, None, DOCUMENTED),
        ({}, "sliding", RateLimitPolicy(100, 60, "sliding")),
        ({"window": "fixed"}, "sliding", RateLimitPolicy(100, 60, "fixed")),
        ({"window": "sliding"}, "fixed", RateLimitPolicy(100, 60, "sliding")),
        ({"limit": 5}, "sliding", RateLimitPolicy(5, 60, "sliding")),
        ({"limit": 5, "window_seconds": 10}, None, RateLimitPolicy(5, 10, "fixed")),
    ],
)
def test_effective_policy_override_wins_over_variant_over_documented(
    override: dict[str, object], chosen: str | None, expected: RateLimitPolicy
) -> None:
    assert effective_policy(DOCUMENTED, override, chosen) == expected


def test_effective_policy_keeps_a_documented_sliding_window_when_nothing_chooses() -> None:
    assert effective_policy(RateLimitPolicy(3, 1, "sliding"), {}, None) == RateLimitPolicy(3, 1, "sliding")
