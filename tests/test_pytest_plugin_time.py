"""The plugin's time and webhook helpers (`advance`, `webhooks`, `expect_webhook`, the `webhook_receiver` fixture),
tested with pytester on a mock serving the hook vendor, and the README's Time and Webhooks snippets run as a user
would run them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HOOK_VENDOR_CONFTEST = """
import sys

import pytest

sys.path.insert(0, {engine_tests!r})
from hook_vendor import HOOKS

from campaign_mock.server import MockServer


@pytest.fixture(scope="session")
def campaign_mock():
    with MockServer(vendors=[HOOKS]) as server:
        yield server
"""

HELPER_TESTS = """
import httpx
import pytest

KEY = {"X-Hook-Key": "hk_test"}


def _hook(mock_session, url):
    return httpx.post(mock_session.url("hookvendor") + "/v1/webhooks", headers=KEY, json={"url": url, "secret": "s"})


def _emit(mock_session, event, **data):
    return httpx.post(mock_session.url("hookvendor") + "/v1/events", headers=KEY, json={"event": event, "data": data})


def test_advance_moves_the_session_clock_by_days_hours_minutes_seconds(mock_session):
    mock_session.set_clock(now="2025-03-01T12:00:00Z", frozen=True)
    assert mock_session.advance(days=1, hours=2, minutes=3, seconds=4)["now"] == "2025-03-02T14:03:04Z"
    assert mock_session.advance(minutes=0.5)["now"] == "2025-03-02T14:03:34Z"


def test_expect_webhook_returns_the_matching_delivery(mock_session, webhook_receiver):
    _hook(mock_session, webhook_receiver.url)
    _emit(mock_session, "order.shipped", orderId="o_1", address={"city": "Lyon", "zip": "69001"})
    _emit(mock_session, "order.shipped", orderId="o_2")

    delivery = mock_session.expect_webhook("order.shipped", orderId="o_2")
    nested = mock_session.expect_webhook("order.shipped", address={"city": "Lyon"})

    assert '"o_2"' in delivery["body"] and '"o_1"' in nested["body"]
    assert [d["event"] for d in mock_session.webhooks(event="order.shipped")] == ["order.shipped"] * 2
    [first, second] = webhook_receiver.wait_for(2)
    assert first.json["data"]["orderId"] == "o_1" and first.header("x-mock-session") == mock_session.name


def test_a_failing_receiver_is_retried_when_the_session_clock_moves(mock_session, webhook_receiver):
    webhook_receiver.respond_with(500)
    mock_session.set_clock(now="2025-03-01T12:00:00Z", frozen=True)
    _hook(mock_session, webhook_receiver.url)
    _emit(mock_session, "order.shipped")
    assert mock_session.expect_webhook("order.shipped")["nextAttemptAt"] == "2025-03-01T12:01:00Z"

    webhook_receiver.respond_with(200)
    mock_session.advance(minutes=1)
    first, second = webhook_receiver.wait_for(2)

    assert first.body == second.body
    assert first.header("X-Mock-Delivery") == second.header("X-Mock-Delivery")
    assert mock_session.webhooks()[0]["attempts"][0]["status"] == 500


def test_a_slow_receiver_is_slow(mock_session, webhook_receiver):
    webhook_receiver.delay(0.3)
    started = httpx.post(webhook_receiver.url, json={})
    assert started.status_code == 200 and started.elapsed.total_seconds() >= 0.3
    assert webhook_receiver.requests[0].method == "POST" and webhook_receiver.requests[0].json == {}
"""

FAILING_TESTS = """
import httpx

KEY = {"X-Hook-Key": "hk_test"}


def test_expects_what_never_comes(mock_session, webhook_receiver):
    base = mock_session.url("hookvendor")
    httpx.post(base + "/v1/webhooks", headers=KEY, json={"url": webhook_receiver.url})
    httpx.post(base + "/v1/events", headers=KEY, json={"event": "order.shipped", "data": {"orderId": "o_1"}})
    mock_session.expect_webhook("order.shipped", within=0.5, orderId="o_9")


def test_expects_with_no_deliveries_at_all(mock_session):
    mock_session.expect_webhook("order.shipped", within=0.2)


def test_waits_for_more_than_arrive(webhook_receiver):
    webhook_receiver.wait_for(1, timeout=0.2)
"""


def _use_hook_vendor(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(HOOK_VENDOR_CONFTEST.format(engine_tests=str(ROOT / "tests" / "engine")))


def test_time_and_webhook_helpers_work_in_a_user_suite(pytester: pytest.Pytester) -> None:
    _use_hook_vendor(pytester)
    pytester.makepyfile(test_helpers=HELPER_TESTS)

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=4)


def test_waiting_in_vain_fails_listing_what_did_arrive(pytester: pytest.Pytester) -> None:
    _use_hook_vendor(pytester)
    pytester.makepyfile(test_failing=FAILING_TESTS)

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*no order.shipped webhook with {'orderId': 'o_9'} was sent within 0.5 s in session t*",
            "*  order.shipped delivered (1 attempt(s)) to http://127.0.0.1:*/webhook: {'orderId': 'o_1'}",
        ]
    )
    result.stdout.fnmatch_lines(["*no order.shipped webhook was sent within 0.2 s*", "*  no deliveries at all"])
    result.stdout.fnmatch_lines(["*the webhook receiver got 0 request(s) within 0.2 s, expected 1: []"])


def _readme_snippets(*sections: str) -> list[str]:
    """The Python blocks of the README sections named."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for section in sections:
        body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
        found += re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    return found


def test_the_readme_time_and_webhook_snippets_pass(pytester: pytest.Pytester) -> None:
    snippets = _readme_snippets("Time", "Webhooks")
    assert len(snippets) == 2
    pytester.makepyfile(**{f"test_readme_{n}": snippet for n, snippet in enumerate(snippets)})

    result = pytester.runpytest("-q", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=3)
