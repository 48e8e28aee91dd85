"""Authentication: `X-API-Key`, 403 by default and 401 under the `foxreach.auth_failure_status` variant."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from foxreach_support import KEY, detail

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

OPERATIONS = sorted((op.method, op.path, op.operation_id) for op in registered_catalog().specs["foxreach"].operations)

AUTH_401 = """
extends: default
variants:
  foxreach.auth_failure_status: "401"
"""


def concrete(path: str) -> str:
    """A documented path with its parameters filled in, relative to `/api/v1`."""
    return re.sub(r"{[^}]+}", "x_1", path).removeprefix("/api/v1")


@pytest.fixture
def anon(mock_session: MockSession) -> Iterator[httpx.Client]:
    """A client on the session that sends no X-API-Key."""
    with httpx.Client(base_url=mock_session.url("foxreach") + "/api/v1", verify=False) as client:
        yield client


def test_every_operation_unknown_key_is_403(api: httpx.Client) -> None:
    answers = {}
    for method, path, operation_id in OPERATIONS:
        body = {} if method in ("POST", "PATCH") else None
        response = api.request(method, concrete(path), headers={"X-API-Key": "otr_wrong"}, json=body)
        answers[operation_id] = (response.status_code, response.json())
    assert answers == {op: (403, {"detail": "Invalid API key"}) for _, _, op in OPERATIONS}


def test_every_operation_missing_key_is_403(anon: httpx.Client) -> None:
    answers = {op: anon.request(method, concrete(path)) for method, path, op in OPERATIONS}
    assert {op: (r.status_code, r.json()) for op, r in answers.items()} == {
        op: (403, {"detail": "Missing API key"}) for _, _, op in OPERATIONS
    }


def test_list_campaigns_empty_key_is_403_missing(api: httpx.Client) -> None:
    assert detail(api.get("/campaigns", headers={"X-API-Key": ""}), 403) == "Missing API key"


def test_list_campaigns_key_as_bearer_token_is_403(anon: httpx.Client) -> None:
    response = anon.get("/campaigns", headers={"Authorization": f"Bearer {KEY}"})
    assert detail(response, 403) == "Missing API key"


def test_list_campaigns_header_name_is_case_insensitive(anon: httpx.Client) -> None:
    assert anon.get("/campaigns", headers={"x-api-key": KEY}).status_code == 200


def test_start_campaign_bad_key_changes_nothing(api: httpx.Client) -> None:
    assert api.post("/campaigns/cmp_abc123/start", headers={"X-API-Key": "otr_wrong"}).status_code == 403
    assert api.get("/campaigns/cmp_abc123").json()["data"]["status"] == "draft"


def test_list_campaigns_unknown_key_is_401_under_variant(mock_session: MockSession, anon: httpx.Client) -> None:
    mock_session.load_scenario(yaml=AUTH_401)
    assert detail(anon.get("/campaigns", headers={"X-API-Key": "otr_wrong"}), 401) == "Invalid API key"
    assert detail(anon.get("/campaigns"), 401) == "Missing API key"
    assert anon.get("/campaigns", headers={"X-API-Key": KEY}).status_code == 200


def test_list_campaigns_scenario_keys_add_to_the_default_ones(mock_session: MockSession, anon: httpx.Client) -> None:
    mock_session.load_scenario(yaml="extends: default\nvendors:\n  foxreach:\n    api_keys: [otr_second_key]\n")
    assert anon.get("/campaigns", headers={"X-API-Key": "otr_second_key"}).status_code == 200
    assert anon.get("/campaigns", headers={"X-API-Key": KEY}).status_code == 200
