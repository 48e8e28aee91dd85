"""The served spec: the seed page's example bodies (the start page, seed 004) validate against it, every answer
of every operation is the envelope, the stateful links exist, and the state export round-trips."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from sonarly_support import GROUP

from campaign_mock.pytest_plugin import MockSession
from campaign_mock.vendors.sonarly.views import DEFAULT_LIMIT

START = "/v1/accounts/{accountGroupId}/campaigns/{campaignId}/start"
PLACEHOLDER = {
    "code": "string",
    "message": "Thanks for the context. I can send over details this afternoon.",
    "details": "string",
}
# The example bodies of https://app.sonarly.io/docs/api/campaigns/campaigns-start, as the seed page shows them.
SEED_EXAMPLES: dict[int, dict[str, Any]] = {
    200: {
        "success": True,
        "data": {
            "campaign": {
                "id": "507f1f77bcf86cd799439011",
                "name": "Avery Stone",
                "description": "string",
                "status": "draft",
                "selectedLeadCount": 25,
                "includeConversationHistory": True,
                "autoCancelOnMessageReceived": True,
                "outreachLanguage": "en",
                "createdAt": "string",
                "updatedAt": "string",
                "startedAt": "string",
                "rateLimitedUntil": "string",
            },
            "triggered": True,
            "instancesCreated": 25,
        },
        "error": None,
        "traceId": "507f1f77bcf86cd799439011",
    },
    400: {
        "success": False,
        "data": None,
        "error": {**PLACEHOLDER, "code": "VALIDATION_ERROR"},
        "traceId": "507f1f77bcf86cd799439011",
    },
    422: {
        "success": False,
        "data": None,
        "error": {**PLACEHOLDER, "code": "VALIDATION_ERROR"},
        "traceId": "507f1f77bcf86cd799439011",
    },
    **{
        status: {"success": False, "data": None, "error": dict(PLACEHOLDER), "traceId": "507f1f77bcf86cd799439011"}
        for status in (401, 403, 404, 409, 429, 500, 502)
    },
}


@pytest.fixture(scope="module")
def served(campaign_mock: Any) -> dict[str, Any]:
    with httpx.Client() as client:
        document: dict[str, Any] = client.get(f"{campaign_mock.url}/sonarly/openapi.json").json()
    return document


def response_schema(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The response schema as a standalone JSON Schema whose references resolve inside the served document."""
    response = document["paths"][path][method]["responses"][str(status)]
    while "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


@pytest.mark.parametrize("status", sorted(SEED_EXAMPLES))
def test_seed_example_body_validates_against_the_served_spec(served: dict[str, Any], status: int) -> None:
    schema = response_schema(served, START, "post", status)
    jsonschema.Draft202012Validator(schema).validate(SEED_EXAMPLES[status])


def test_seed_example_with_a_wrong_field_does_not_validate(served: dict[str, Any]) -> None:
    schema = response_schema(served, START, "post", 200)
    broken = {**SEED_EXAMPLES[200], "traceId": "not-hex"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_served_spec_points_at_the_mock_and_hides_the_scenario_schema(
    served: dict[str, Any], campaign_mock: Any
) -> None:
    assert served["servers"] == [{"url": f"{campaign_mock.url}/sonarly", "description": "campaign-mock"}]
    assert "x-scenario-state" not in served


def test_served_spec_every_answer_is_the_envelope(served: dict[str, Any]) -> None:
    not_enveloped = []
    for path, item in served["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status in operation["responses"]:
                schema = response_schema(served, path, method, int(status))
                ref = schema.get("$ref", "")
                target = served["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema
                if set(target.get("required", [])) != {"success", "data", "error", "traceId"}:
                    not_enveloped.append((operation["operationId"], status))
    assert not_enveloped == []


def test_served_spec_create_campaign_links_to_the_campaign_operations(served: dict[str, Any]) -> None:
    links = served["paths"]["/v1/accounts/{accountGroupId}/campaigns"]["post"]["responses"]["201"]["links"]
    targets = {served["components"]["links"][link["$ref"].rsplit("/", 1)[1]]["operationId"] for link in links.values()}
    assert targets == {
        "get_campaign",
        "start_campaign",
        "delete_campaign",
        "list_campaign_content_slots",
        "update_campaign_content_slot",
        "duplicate_campaign",
    }


def test_state_export_imports_back_unchanged(mock_session: MockSession) -> None:
    headers = {"Authorization": "Bearer sk_test_sonarly"}
    base = f"{mock_session.url('sonarly')}/v1/accounts/{GROUP}"
    with httpx.Client(base_url=base, headers=headers) as client:
        body = {"starterTemplateId": "connect", "name": "x", "audienceId": "665f0000000000000000a001"}
        campaign = client.post("/campaigns", json=body).json()["data"]["id"]
        assert client.post(f"/campaigns/{campaign}/start").status_code == 200
    exported = mock_session.admin("GET", "state").json()
    assert mock_session.admin("PUT", "state", json=exported).status_code == 200

    again = mock_session.admin("GET", "state").json()
    assert again["vendors"]["sonarly"] == exported["vendors"]["sonarly"]


def test_served_spec_limit_default_is_the_one_the_handlers_use(served: dict[str, Any]) -> None:
    assert served["components"]["parameters"]["Limit"]["schema"]["default"] == DEFAULT_LIMIT
