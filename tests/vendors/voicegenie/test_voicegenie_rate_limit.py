"""The per-endpoint limits the pages document (x-rate-limit), counted per key and, where documented, per campaign;
the X-RateLimit-* headers on every answer of a limited endpoint, and the documented 429 body."""

from __future__ import annotations

import httpx
import pytest
from voicegenie_support import COMPLETED, NOW_EPOCH, SCRIPT, SEED_CAMPAIGN, failure, frozen_scenario

from campaign_mock.pytest_plugin import MockSession

LIMITED = {"success": False, "message": "Too many requests. Please try again later.", "error": "RATE_LIMIT_EXCEEDED"}


def rate(response: httpx.Response) -> tuple[int, int, int]:
    h = response.headers
    return int(h["X-RateLimit-Limit"]), int(h["X-RateLimit-Remaining"]), int(h["X-RateLimit-Reset"])


def test_fetch_campaign_data_allows_100_a_minute(frozen: MockSession, api: httpx.Client) -> None:
    answers = [api.get("/fetchCampaignData", params={"limit": 1}) for _ in range(101)]

    assert [r.status_code for r in answers] == [200] * 100 + [429]
    assert rate(answers[0]) == (100, 99, NOW_EPOCH + 60)
    assert rate(answers[99]) == (100, 0, NOW_EPOCH + 60)
    assert failure(answers[100], 429) == LIMITED
    assert answers[100].headers["Retry-After"] == "60"
    frozen.advance_clock(60)
    assert rate(api.get("/fetchCampaignData")) == (100, 99, NOW_EPOCH + 120)


def test_limits_count_per_key(mock_session: MockSession, api: httpx.Client) -> None:
    extra = "vendors:\n  voicegenie:\n    api_keys: [vg_second]\nrate_limits:\n  voicegenie:\n    operations:\n"
    mock_session.load_scenario(
        yaml=frozen_scenario(extra + "      fetch_campaign_data: {limit: 1, window_seconds: 60}\n")
    )

    assert api.get("/fetchCampaignData").status_code == 200
    assert api.get("/fetchCampaignData").status_code == 429
    assert api.get("/fetchCampaignData", headers={"x-api-key": "vg_second"}).status_code == 200


def test_get_campaign_stats_is_limited_per_campaign(mock_session: MockSession, api: httpx.Client) -> None:
    limit = "rate_limits:\n  voicegenie:\n    operations:\n      get_campaign_stats: {limit: 2, window_seconds: 60}\n"
    mock_session.load_scenario(yaml=frozen_scenario(limit))

    first = [api.get(f"/getCampaignStats/{SEED_CAMPAIGN}") for _ in range(3)]
    other = api.get(f"/getCampaignStats/{COMPLETED}")

    assert [r.status_code for r in first] == [200, 200, 429]
    assert [rate(r)[:2] for r in first] == [(2, 1), (2, 0), (2, 0)]
    assert failure(first[2], 429) == LIMITED
    assert (other.status_code, rate(other)[:2]) == (200, (2, 1))


def test_get_campaign_stats_documented_limit_is_200(frozen: MockSession, api: httpx.Client) -> None:
    assert rate(api.get(f"/getCampaignStats/{SEED_CAMPAIGN}")) == (200, 199, NOW_EPOCH + 60)


def test_download_campaign_stats_allows_10_an_hour_per_campaign(frozen: MockSession, api: httpx.Client) -> None:
    answers = [
        api.get("/downloadCampaignStats", params={"campaign_id": SEED_CAMPAIGN, "format": "csv"}) for _ in range(11)
    ]
    other = api.get("/downloadCampaignStats", params={"campaign_id": COMPLETED, "format": "csv"})

    assert [r.status_code for r in answers] == [200] * 10 + [429]
    assert rate(answers[0]) == (10, 9, NOW_EPOCH - NOW_EPOCH % 3600 + 3600)
    assert answers[10].json() == LIMITED
    assert answers[10].headers["Retry-After"] == str(3600 - NOW_EPOCH % 3600)
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "limit"),
    [
        ("POST", "/createScript", {"script_name": "S", "script_content": {"initial_prompt": "Hi"}}, 50),
        ("POST", "/fetchScript", {"script_id": SCRIPT}, 100),
        ("POST", "/uploadCampaignData", {"campaign_id": SEED_CAMPAIGN, "contacts": []}, 50),
    ],
)
def test_documented_limits_of_other_endpoints(
    frozen: MockSession, api: httpx.Client, method: str, path: str, body: dict[str, object], limit: int
) -> None:
    response = api.request(method, path, json=body)

    assert response.status_code == 200
    assert rate(response)[:2] == (limit, limit - 1)


def test_limited_endpoint_errors_carry_the_headers_too(frozen: MockSession, api: httpx.Client) -> None:
    not_found = api.get("/getCampaignStats/00000000-0000-4000-8000-000000000000")
    bad_key = api.get(f"/getCampaignStats/{SEED_CAMPAIGN}", headers={"x-api-key": "nope"})

    assert (not_found.status_code, rate(not_found)[:2]) == (404, (200, 199))
    assert (bad_key.status_code, rate(bad_key)[:2]) == (401, (200, 200))  # refused before it counts


def test_endpoints_without_a_documented_limit_carry_no_headers(frozen: MockSession, api: httpx.Client) -> None:
    response = api.get(f"/campaign/{SEED_CAMPAIGN}")

    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers
