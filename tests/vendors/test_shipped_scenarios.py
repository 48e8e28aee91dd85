"""Every shipped scenario of every registered vendor: a one-line description, expectations, and expectations
that hold when the scenario runs in a session of its own on the shared server (what `campaign-mock verify` does)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from campaign_mock.engine.scenarios import load_scenario
from campaign_mock.engine.verify import verify_scenario
from campaign_mock.server import MockServer
from campaign_mock.vendors.registry import registered_catalog

CATALOG = registered_catalog()
SHIPPED = CATALOG.library.names()


@pytest.fixture(scope="module")
def server_client(campaign_mock: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=campaign_mock.url, timeout=30, trust_env=False) as client:
        yield client


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_has_a_description_and_expectations(name: str) -> None:
    scenario = load_scenario(name, CATALOG)
    assert scenario.description and "\n" not in scenario.description
    assert scenario.expect


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_expectations_hold(server_client: httpx.Client, name: str) -> None:
    outcomes = verify_scenario(server_client, name, load_scenario(name, CATALOG), CATALOG)

    assert [o.line() for o in outcomes if not o.passed] == []
    assert len(outcomes) == len(load_scenario(name, CATALOG).expect)
