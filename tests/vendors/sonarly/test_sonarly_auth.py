"""Authentication and authorization: 401 for a missing, malformed, unknown or revoked key; 403 naming the
permission an operation needs; 403 FORBIDDEN for an account group the key cannot reach; and the order of those
checks against request validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sonarly_support import (
    AUDIENCE_VP,
    B001,
    DRAFT,
    DRAFT_SLOT,
    GROUP,
    KEY,
    OTHER_GROUP,
    failure,
    ok,
)

from campaign_mock.engine.routing import Match, Router
from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.registry import registered_catalog

SPEC = registered_catalog().specs["sonarly"]
G = f"/v1/accounts/{GROUP}"

# One valid request per operation, on records of the default scenario, and the answer the full key gets.
REQUESTS: dict[str, tuple[str, str, Any, int]] = {
    "list_accounts": ("GET", "/v1/accounts", None, 200),
    "list_audiences": ("GET", f"{G}/audiences", None, 200),
    "create_audience": ("POST", f"{G}/audiences", {"name": "Webinar", "type": "on_demand"}, 201),
    "get_audience_navigation": ("GET", f"{G}/audiences/navigation", None, 200),
    "list_audience_prospects": ("GET", f"{G}/audiences/{AUDIENCE_VP}/prospects", None, 200),
    "get_prospect_signals": ("GET", f"{G}/prospects/{B001}/signals", None, 200),
    "list_campaigns": ("GET", f"{G}/campaigns", None, 200),
    "create_campaign": (
        "POST",
        f"{G}/campaigns",
        {"starterTemplateId": "connect", "name": "Spring", "audienceId": AUDIENCE_VP},
        201,
    ),
    "duplicate_campaign": (
        "POST",
        f"{G}/campaigns/{DRAFT}/duplicate",
        {"audienceId": AUDIENCE_VP, "leadIds": [B001]},
        201,
    ),
    "get_campaign": ("GET", f"{G}/campaigns/{DRAFT}", None, 200),
    "delete_campaign": ("DELETE", f"{G}/campaigns/{DRAFT}", None, 200),
    "list_campaign_content_slots": ("GET", f"{G}/campaigns/{DRAFT}/content-slots", None, 200),
    "update_campaign_content_slot": (
        "PATCH",
        f"{G}/campaigns/{DRAFT}/content-slots/{DRAFT_SLOT}",
        {"templateId": "665f0000000000000000e101"},
        200,
    ),
    "start_campaign": ("POST", f"{G}/campaigns/{DRAFT}/start", None, 200),
}
# The permission each operation needs (the table; the spec must agree).
PERMISSIONS = {
    "list_accounts": None,
    "list_audiences": "audiences:read",
    "create_audience": "audiences:write",
    "get_audience_navigation": "audiences:read",
    "list_audience_prospects": "prospects:read",
    "get_prospect_signals": "prospects:read",
    "list_campaigns": "campaigns:read",
    "create_campaign": "campaigns:write",
    "duplicate_campaign": "campaigns:write",
    "get_campaign": "campaigns:read",
    "delete_campaign": "campaigns:delete",
    "list_campaign_content_slots": "campaigns:read",
    "update_campaign_content_slot": "campaigns:write",
    "start_campaign": "campaigns:execute",
}
OPERATIONS = sorted(REQUESTS)
SCOPED = [op for op in OPERATIONS if op != "list_accounts"]
REVOKED = """
extends: default
vendors:
  sonarly:
    api_keys:
      - {key: sk_test_sonarly_revoked, permissions: [campaigns:read], accountGroups: [665f00000000000000000001],
         revoked: true}
"""


def send(client: httpx.Client, operation: str, **kwargs: Any) -> httpx.Response:
    method, path, body, _ = REQUESTS[operation]
    return client.request(method, path, json=body, **kwargs)


def test_requests_cover_every_operation_on_its_own_route() -> None:
    router = Router(SPEC.operations)
    routed = {}
    for operation, (method, path, _, _) in REQUESTS.items():
        match = router.match(method, path)
        routed[operation] = match.operation.operation_id if isinstance(match, Match) else None

    assert routed == {op.operation_id: op.operation_id for op in SPEC.operations}


def test_spec_permissions_are_the_documented_ones() -> None:
    assert {op.operation_id: op.extensions.get("x-permission") for op in SPEC.operations} == PERMISSIONS


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_full_key_succeeds(api: httpx.Client, operation: str) -> None:
    ok(send(api, operation), REQUESTS[operation][3])


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_readonly_key_allowed_or_403_naming_the_permission(readonly: httpx.Client, operation: str) -> None:
    response = send(readonly, operation)
    permission = PERMISSIONS[operation]
    if permission in (None, "campaigns:read"):
        ok(response, REQUESTS[operation][3])
    else:
        assert failure(response, 403) == (
            "INSUFFICIENT_PERMISSIONS",
            f"Missing required permission: {permission}",
            permission,
        )


def test_readonly_key_refused_operations_leave_the_state_alone(readonly: httpx.Client, api: httpx.Client) -> None:
    for operation in ("create_campaign", "duplicate_campaign", "delete_campaign", "start_campaign"):
        failure(send(readonly, operation), 403)

    campaigns = ok(api.get(f"{G}/campaigns"))["items"]
    assert [(c["id"], c["status"]) for c in campaigns if c["id"] == DRAFT] == [(DRAFT, "draft")]
    assert len(campaigns) == 3


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_missing_key_is_401(anon: httpx.Client, operation: str) -> None:
    assert failure(send(anon, operation), 401) == (
        "UNAUTHORIZED",
        "Invalid or missing API key",
        "no Bearer key in the Authorization header",
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_unknown_key_is_401(anon: httpx.Client, operation: str) -> None:
    response = send(anon, operation, headers={"Authorization": "Bearer sk_live_your_api_key_here"})
    assert failure(response, 401) == ("UNAUTHORIZED", "Invalid or missing API key", "unknown or revoked API key")


@pytest.mark.parametrize(
    "header",
    [f"Token {KEY}", KEY, "Bearer", f"Basic {KEY}"],
    ids=["other-scheme", "no-scheme", "scheme-only", "basic"],
)
def test_list_accounts_malformed_authorization_is_401(anon: httpx.Client, header: str) -> None:
    response = anon.get("/v1/accounts", headers={"Authorization": header})
    assert failure(response, 401) == (
        "UNAUTHORIZED",
        "Invalid or missing API key",
        "no Bearer key in the Authorization header",
    )


def test_list_accounts_lowercase_bearer_scheme_is_accepted(anon: httpx.Client) -> None:
    ok(anon.get("/v1/accounts", headers={"Authorization": f"bearer {KEY}"}))


def test_list_campaigns_revoked_key_is_401(mock_session: MockSession, anon: httpx.Client) -> None:
    mock_session.load_scenario(yaml=REVOKED)
    response = anon.get(f"{G}/campaigns", headers={"Authorization": "Bearer sk_test_sonarly_revoked"})
    assert failure(response, 401) == ("UNAUTHORIZED", "Invalid or missing API key", "unknown or revoked API key")


@pytest.mark.parametrize("operation", SCOPED)
def test_operation_account_group_the_key_cannot_reach_is_403(api: httpx.Client, operation: str) -> None:
    method, path, body, _ = REQUESTS[operation]
    response = api.request(method, path.replace(GROUP, OTHER_GROUP), json=body)
    assert failure(response, 403) == ("FORBIDDEN", "This API key has no access to the account group", OTHER_GROUP)


def test_list_campaigns_existing_group_of_another_key_is_403(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario("sonarly/other-account-group")
    response = api.get(f"/v1/accounts/{OTHER_GROUP}/campaigns")
    assert failure(response, 403) == ("FORBIDDEN", "This API key has no access to the account group", OTHER_GROUP)


def test_start_campaign_missing_permission_is_checked_before_the_group(readonly: httpx.Client) -> None:
    response = readonly.post(f"/v1/accounts/{OTHER_GROUP}/campaigns/{DRAFT}/start")
    assert failure(response, 403)[0] == "INSUFFICIENT_PERMISSIONS"


def test_create_campaign_unknown_key_with_a_malformed_body_is_401(anon: httpx.Client) -> None:
    response = anon.post(f"{G}/campaigns", json={"nope": 1}, headers={"Authorization": "Bearer sk_nope"})
    assert failure(response, 401)[0] == "UNAUTHORIZED"


def test_create_campaign_readonly_key_with_a_malformed_body_is_400(readonly: httpx.Client) -> None:
    response = readonly.post(f"{G}/campaigns", json={"name": "No template", "audienceId": AUDIENCE_VP})
    assert failure(response, 400) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        "body: 'starterTemplateId' is a required property",
    )


def test_list_accounts_lists_the_key_groups_in_its_order(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(
        yaml=f"""
extends: sonarly/other-account-group
vendors:
  sonarly:
    api_keys:
      - key: {KEY}
        permissions: [campaigns:read]
        accountGroups: [{OTHER_GROUP}, {GROUP}]
"""
    )
    items = ok(api.get("/v1/accounts"))["items"]

    assert items == [
        {"id": OTHER_GROUP, "name": "Partner agency", "createdAt": "2026-03-20T09:00:00.000Z"},
        {"id": GROUP, "name": "Northwind Growth", "createdAt": "2026-03-02T09:00:00.000Z"},
    ]


def test_list_accounts_readonly_key_sees_its_group(readonly: httpx.Client) -> None:
    assert ok(readonly.get("/v1/accounts")) == {
        "items": [{"id": GROUP, "name": "Northwind Growth", "createdAt": "2026-03-02T09:00:00.000Z"}]
    }


def test_list_accounts_paginated_variant_adds_the_page_fields(mock_session: MockSession, api: httpx.Client) -> None:
    mock_session.load_scenario(yaml="extends: default\nvariants: {sonarly.accounts_list_shape: paginated}\n")
    assert ok(api.get("/v1/accounts")) == {
        "items": [{"id": GROUP, "name": "Northwind Growth", "createdAt": "2026-03-02T09:00:00.000Z"}],
        "nextCursor": None,
        "hasMore": False,
    }
