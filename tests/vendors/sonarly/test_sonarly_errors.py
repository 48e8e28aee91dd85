"""The envelope on every answer, the 400/422 split, errors outside the operations (unknown path, 405, 413),
injected faults (429, 500, 502), and traceIds."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from sonarly_support import (
    ACTIVE,
    AUDIENCE_VP,
    DRAFT,
    DRAFT_SLOT,
    GROUP,
    KEY,
    MISSING,
    TRACE_ID,
    failure,
    ok,
)

from campaign_mock.pytest_plugin import MockSession

G = f"/v1/accounts/{GROUP}"
VALID = {"starterTemplateId": "connect", "name": "Spring", "audienceId": AUDIENCE_VP}


def fault(mock_session: MockSession, **fields: object) -> None:
    response = mock_session.admin("POST", "faults", json={"vendor": "sonarly", **fields})
    assert response.status_code == 201, response.text


def trace(response: httpx.Response) -> str:
    value: str = response.json()["traceId"]
    return value


# -- 400: malformed requests --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "details"),
    [
        ("/v1/accounts/not-an-id/campaigns", "path.accountGroupId: 'not-an-id' does not match '^[0-9a-fA-F]{24}$'"),
        (f"{G}/campaigns/123", "path.campaignId: '123' does not match '^[0-9a-fA-F]{24}$'"),
    ],
)
def test_get_campaign_malformed_path_id_is_400(api: httpx.Client, path: str, details: str) -> None:
    assert failure(api.get(path), 400) == ("VALIDATION_ERROR", "Request validation failed", details)


@pytest.mark.parametrize(
    ("query", "details"),
    [
        ({"limit": "0"}, "query.limit: 0 is less than the minimum of 1"),
        ({"limit": "101"}, "query.limit: 101 is greater than the maximum of 100"),
        ({"limit": "ten"}, "query.limit: 'ten' is not of type 'integer'"),
        ({"cursor": ""}, "query.cursor: '' should be non-empty"),
    ],
)
def test_list_audiences_malformed_query_is_400(group: httpx.Client, query: dict[str, str], details: str) -> None:
    assert failure(group.get("/audiences", params=query), 400) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        details,
    )


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({**VALID, "starterTemplateId": "growth-hacker"}, "body.starterTemplateId: 'growth-hacker' is not one of"),
        ({**VALID, "nodes": []}, "body.nodes: unknown key 'nodes'"),
        ({**VALID, "name": ""}, "body.name: '' should be non-empty"),
        ({**VALID, "leadIds": []}, "body.leadIds: [] should be non-empty"),
        ({**VALID, "audienceId": "abc"}, "body.audienceId: 'abc' does not match '^[0-9a-fA-F]{24}$'"),
        ([VALID], "body: [{'starterTemplateId': 'connect'"),
    ],
    ids=["template", "unknown-field", "empty-name", "empty-leads", "audience-shape", "array"],
)
def test_create_campaign_malformed_body_is_400(group: httpx.Client, body: object, details: str) -> None:
    code, message, found = failure(group.post("/campaigns", json=body), 400)
    assert (code, message) == ("VALIDATION_ERROR", "Request validation failed")
    assert found.startswith(details), found


def test_create_campaign_body_not_json_is_400(group: httpx.Client) -> None:
    response = group.post("/campaigns", content=b"{nope", headers={"Content-Type": "application/json"})
    assert failure(response, 400) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        "body: the body is not valid JSON (Expecting property name enclosed in double quotes at position 1)",
    )


def test_create_campaign_without_body_is_400(group: httpx.Client) -> None:
    assert failure(group.post("/campaigns"), 400) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        "body: a JSON request body is required",
    )


def test_create_campaign_malformed_request_is_logged_as_a_request_violation(
    mock_session: MockSession, group: httpx.Client
) -> None:
    failure(group.post("/campaigns", json={"name": "x"}), 400)
    kinds = [(v["kind"], v["operationId"], v["status"]) for v in mock_session.violations()]
    assert kinds == [("request", "create_campaign", 400)]


# -- 422: well formed, not possible -------------------------------------------------------------------------
def test_create_campaign_unknown_audience_is_422_not_400(group: httpx.Client) -> None:
    response = group.post("/campaigns", json={**VALID, "audienceId": MISSING})
    assert failure(response, 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        f"body.audienceId: no audience {MISSING} in this account group",
    )


def test_update_content_slot_template_id_not_an_object_id_is_422(group: httpx.Client) -> None:
    response = group.patch(f"/campaigns/{DRAFT}/content-slots/{DRAFT_SLOT}", json={"templateId": "tpl_1"})
    assert failure(response, 422) == (
        "VALIDATION_ERROR",
        "Request validation failed",
        "body.templateId: 'tpl_1' is not a 24-hex ObjectId",
    )


# -- outside the operations ---------------------------------------------------------------------------------
def test_unknown_path_is_404_in_the_envelope(api: httpx.Client) -> None:
    assert failure(api.get("/v1/workflows"), 404) == (
        "NOT_FOUND",
        "Resource not found",
        "no operation at /v1/workflows",
    )


def test_unknown_path_without_key_is_401(anon: httpx.Client) -> None:
    assert failure(anon.get("/v1/workflows"), 401)[0] == "UNAUTHORIZED"


def test_method_not_allowed_is_405_in_the_envelope_with_allow(group: httpx.Client) -> None:
    response = group.put("/campaigns")
    assert failure(response, 405) == ("METHOD_NOT_ALLOWED", "Method not allowed", "PUT; use GET, POST")
    assert response.headers["allow"] == "GET, POST"


def test_create_campaign_body_over_the_size_limit_is_413_in_the_envelope(group: httpx.Client) -> None:
    response = group.post("/campaigns", content=b"x" * (5 * 1024 * 1024 + 1))
    code, message, details = failure(response, 413)
    assert (code, message) == ("PAYLOAD_TOO_LARGE", "Request body too large")
    assert details == f"the limit is {5 * 1024 * 1024} bytes"


# -- injected faults ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (500, "INTERNAL_ERROR", "Internal server error"),
        (502, "UPSTREAM_ERROR", "Upstream service error"),
        (429, "RATE_LIMITED", "Rate limit exceeded"),
    ],
)
def test_start_campaign_injected_fault_answers_the_documented_error(
    mock_session: MockSession, group: httpx.Client, status: int, code: str, message: str
) -> None:
    fault(
        mock_session,
        method="POST",
        path="/v1/accounts/{accountGroupId}/campaigns/{campaignId}/start",
        status=status,
        times=1,
    )

    assert failure(group.post(f"/campaigns/{DRAFT}/start"), status) == (code, message, "")
    assert ok(group.post(f"/campaigns/{DRAFT}/start"))["instancesCreated"] == 3


def test_list_accounts_injected_409_uses_a_generic_conflict(mock_session: MockSession, api: httpx.Client) -> None:
    fault(mock_session, path="/v1/accounts", status=409, times=1)
    assert failure(api.get("/v1/accounts"), 409) == (
        "CONFLICT",
        "Conflict — resource is in a state that prevents this operation",
        "",
    )


def test_get_campaign_injected_fault_for_an_undocumented_status_keeps_the_envelope(
    mock_session: MockSession, group: httpx.Client
) -> None:
    fault(mock_session, status=503, times=1)
    assert failure(group.get(f"/campaigns/{DRAFT}"), 503) == ("SERVICE_UNAVAILABLE", "Service Unavailable", "")


# -- traceIds -----------------------------------------------------------------------------------------------
def test_every_answer_has_its_own_trace_id(group: httpx.Client) -> None:
    traces = [trace(group.get("/campaigns")) for _ in range(3)]
    traces.append(trace(group.get(f"/campaigns/{MISSING}")))
    traces.append(trace(group.post(f"/campaigns/{ACTIVE}/start")))

    assert len(set(traces)) == 5
    assert all(TRACE_ID.fullmatch(t) for t in traces)


def test_trace_ids_are_the_same_in_two_sessions_making_the_same_calls(mock_session: MockSession) -> None:
    def run(session: str) -> list[str]:
        headers = {"Authorization": f"Bearer {KEY}", "X-Mock-Session": f"{mock_session.name}-{session}"}
        base = mock_session.server.url + "/sonarly" + G
        with httpx.Client(base_url=base, headers=headers) as client:
            return [
                trace(client.get("/campaigns")),
                trace(client.post("/campaigns", json=VALID)),
                trace(client.get(f"/campaigns/{MISSING}")),
            ]

    first = run("a")
    for name in ("a", "b"):
        mock_session.admin("DELETE", "sessions", params={"session": f"{mock_session.name}-{name}"})
    assert run("b") == first
    mock_session.admin("DELETE", "sessions", params={"session": f"{mock_session.name}-b"})


def test_error_before_the_operation_has_a_trace_id_derived_from_the_error(anon: httpx.Client) -> None:
    first = anon.get("/v1/accounts")
    second = anon.get("/v1/accounts")
    text = json.dumps(
        [
            401,
            "UNAUTHORIZED",
            "Invalid or missing API key",
            "no Bearer key in the Authorization header",
            "list_accounts",
        ]
    )

    assert trace(first) == trace(second) == hashlib.sha256(text.encode()).hexdigest()[:24]
