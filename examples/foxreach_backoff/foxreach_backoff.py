"""Start a FoxReach campaign, backing off when FoxReach says to slow down.

FoxReach allows an API key 100 requests a minute and answers 429 beyond that, with `Retry-After` (seconds until
the window resets). `start_campaign` waits as long as it is told and tries again, up to `attempts` tries in all.
Any other refusal, and a connection that breaks before a whole answer arrived, raise `CampaignStartError` at once:
whether the campaign started is then unknown, and retrying blindly is the caller's decision, not ours.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

FALLBACK_WAIT_SECONDS = 2.0  # when a 429 carries no usable Retry-After
LONGEST_WAIT_SECONDS = 60.0  # a fixed window never asks for more; a larger value is not trusted


class CampaignStartError(Exception):
    """The campaign could not be started; the message says why."""


def foxreach_client(base_url: str, api_key: str) -> httpx.Client:
    """A client for FoxReach's API at `base_url` (`https://api.foxreach.io/api/v1`, or a mock's)."""
    return httpx.Client(base_url=base_url, headers={"X-API-Key": api_key}, timeout=10)


def start_campaign(
    client: httpx.Client,
    campaign_id: str,
    *,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Start the campaign and return it as FoxReach answers it (`{"id", "status": "active", ...}`)."""
    for attempt in range(1, attempts + 1):
        try:
            response = client.post(f"/campaigns/{campaign_id}/start")
        except httpx.TransportError as exc:
            message = f"the connection to FoxReach broke while starting {campaign_id} ({exc})"
            raise CampaignStartError(f"{message}; it may or may not have started") from exc
        if response.status_code != 429:
            break
        if attempt == attempts:
            raise CampaignStartError(f"FoxReach still rate limited the start of {campaign_id} after {attempts} tries")
        sleep(_retry_after(response))
    if response.is_error:
        detail = response.json().get("detail", response.text) if _is_json(response) else response.text
        raise CampaignStartError(f"FoxReach refused to start {campaign_id}: {response.status_code} {detail}")
    campaign: dict[str, Any] = response.json()["data"]
    return campaign


def _retry_after(response: httpx.Response) -> float:
    """The seconds FoxReach asks us to wait (`Retry-After`), within reason."""
    try:
        seconds = float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return FALLBACK_WAIT_SECONDS
    return min(max(seconds, 0.0), LONGEST_WAIT_SECONDS)


def _is_json(response: httpx.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith("application/json")
