"""`start_campaign` against campaign-mock, through its pytest plugin: each test gets its own session of the mock
(`mock_session`), with faults that make FoxReach rate limit, drop the connection or cut its answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from foxreach_backoff import CampaignStartError, foxreach_client, start_campaign

from campaign_mock.pytest_plugin import MockSession

API_KEY = "otr_test_foxreach"  # the demo key of the mock's default scenario
CAMPAIGN = "cmp_abc123"  # a draft campaign of the default scenario, ready to start
START = "/api/v1/campaigns/{campaign_id}/start"


@pytest.fixture
def client(mock_session: MockSession) -> Iterator[httpx.Client]:
    with foxreach_client(mock_session.url("foxreach") + "/api/v1", API_KEY) as client:
        yield client


@pytest.fixture
def waits() -> list[float]:
    """What `start_campaign` was told to sleep, in order (nobody actually waits)."""
    return []


def test_starts_after_two_rate_limited_tries_waiting_as_told(
    mock_session: MockSession, client: httpx.Client, waits: list[float]
) -> None:
    mock_session.add_fault(
        "foxreach",
        method="POST",
        path=START,
        sequence=[{"status": 429, "times": 2, "retry_after": 3}, {"passthrough": True}],
    )

    campaign = start_campaign(client, CAMPAIGN, sleep=waits.append)

    assert (campaign["id"], campaign["status"]) == (CAMPAIGN, "active")
    assert waits == [3.0, 3.0]
    mock_session.assert_called("foxreach", "POST", START, times=3)


def test_gives_up_after_the_last_try(mock_session: MockSession, client: httpx.Client, waits: list[float]) -> None:
    mock_session.add_fault("foxreach", method="POST", path=START, status=429, retry_after=1)

    with pytest.raises(CampaignStartError, match=f"still rate limited the start of {CAMPAIGN} after 3 tries"):
        start_campaign(client, CAMPAIGN, attempts=3, sleep=waits.append)

    assert waits == [1.0, 1.0]
    mock_session.assert_called("foxreach", "POST", START, times=3)


def test_a_dropped_connection_raises_at_once(
    mock_session: MockSession, client: httpx.Client, waits: list[float]
) -> None:
    mock_session.add_fault("foxreach", method="POST", path=START, reset=True, times=1)

    with pytest.raises(CampaignStartError, match="connection to FoxReach broke while starting cmp_abc123"):
        start_campaign(client, CAMPAIGN, sleep=waits.append)

    assert waits == []
    mock_session.assert_called("foxreach", "POST", START, times=1)


def test_a_cut_answer_raises_though_the_campaign_started(mock_session: MockSession, client: httpx.Client) -> None:
    mock_session.add_fault("foxreach", method="POST", path=START, malformed=True, times=1)

    with pytest.raises(CampaignStartError, match="it may or may not have started"):
        start_campaign(client, CAMPAIGN)

    assert client.get(f"/campaigns/{CAMPAIGN}").json()["data"]["status"] == "active"  # it had


def test_another_refusal_is_not_retried(mock_session: MockSession, client: httpx.Client, waits: list[float]) -> None:
    with pytest.raises(CampaignStartError, match="refused to start cmp_missing: 404 Campaign not found"):
        start_campaign(client, "cmp_missing", sleep=waits.append)

    assert waits == []
    mock_session.assert_called("foxreach", "POST", START, times=1)
