"""The request path over HTTP on the fake vendor: the mock's own failures (a reply outside the spec, a handler
that raises, one that is missing) and the engine's HTTP errors in the vendor's words."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fake_http import FROZEN, FROZEN_AT, PREFIX, MakeClient, TestClient, client_for, problem
from fake_vendor import FAKE, FAKE_KEY, KEY_HEADER
from starlette.applications import Starlette

from campaign_mock.app import Settings, create_app
from campaign_mock.server import MockServer

BROKEN_ISSUE: dict[str, Any] = {
    "where": "count",
    "schemaPath": "responses/200/properties/count/type",
    "message": "'many' is not of type 'integer'",
}
BROKEN_REPLY = {"error": "mock_contract_violation", "operation": "get_broken", "status": 200, **BROKEN_ISSUE}
RATE_LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _violations(client: TestClient, **query: str) -> list[dict[str, Any]]:
    response = client.get("/__admin/violations", params=query)
    assert response.status_code == 200
    violations: list[dict[str, Any]] = response.json()["violations"]
    return violations


def _last_entry(client: TestClient) -> dict[str, Any]:
    entry: dict[str, Any] = client.get("/__admin/requests").json()["requests"][-1]
    return entry


# -- the app ---------------------------------------------------------------------------------------------
def test_create_app_is_a_starlette_app_that_test_client_drives() -> None:
    app = create_app(vendors=[FAKE])

    with client_for(app) as client:
        response = client.get(f"{PREFIX}/v1/things/thing_1")

    assert isinstance(app, Starlette)
    assert sorted(app.catalog.vendors) == ["fakevendor"]
    assert response.status_code == 200
    assert response.json() == {"id": "thing_1", "name": "Box", "kind": "folder"}


def test_mock_server_serves_the_fake_vendor_on_a_port(http: httpx.Client) -> None:
    with MockServer(Settings(), vendors=[FAKE]) as server:
        created = http.post(f"{server.url}{PREFIX}/v1/things", json={"name": "Cup"}, headers={KEY_HEADER: FAKE_KEY})
        listed = http.get(f"{server.url}{PREFIX}/v1/things", params={"limit": 5}, headers={KEY_HEADER: FAKE_KEY})

    assert created.status_code == 201
    assert created.json()["name"] == "Cup"
    assert [t["name"] for t in listed.json()["things"]] == ["Box", "Pen", "Cup"]


def test_encoded_slash_stays_inside_the_path_parameter(http: httpx.Client) -> None:
    with MockServer(Settings(), vendors=[FAKE]) as server:
        response = http.get(f"{server.url}{PREFIX}/v1/things/a%2Fb", headers={KEY_HEADER: FAKE_KEY})

    assert response.status_code == 404
    assert response.json() == problem("missing", "no thing 'a/b'")


def test_served_spec_points_at_the_mock_and_hides_the_scenario_state(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/openapi.json", headers={KEY_HEADER: ""})

    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": "http://testserver/fakevendor", "description": "campaign-mock"}]
    assert "x-scenario-state" not in response.json()
    assert "/v1/things/{thing_id}" in response.json()["paths"]


# -- the mock's own failures -----------------------------------------------------------------------------
def test_handler_answer_outside_the_spec_answers_500_naming_the_operation(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/broken")

    assert response.status_code == 500
    assert response.json() == {
        "error": "mock_contract_violation",
        "operation": "get_broken",
        "status": 200,
        **BROKEN_ISSUE,
    }


def test_handler_answer_outside_the_spec_is_recorded_as_a_violation_and_in_the_journal(make_client: MakeClient) -> None:
    client = make_client(f"extends: default\n{FROZEN}")

    client.get(f"{PREFIX}/v1/broken")

    expected = {
        "kind": "response",
        "session": "default",
        "vendor": "fakevendor",
        "operationId": "get_broken",
        "method": "GET",
        "path": "/v1/broken",
        "status": 200,
        "issues": [BROKEN_ISSUE],
        "time": FROZEN_AT,
    }
    assert _violations(client) == [expected]
    entry = _last_entry(client)
    assert (entry["operationId"], entry["violations"], entry["injected"]) == ("get_broken", [expected], False)
    assert (entry["response"]["status"], entry["response"]["body"]) == (500, BROKEN_REPLY)


def test_handler_answer_outside_the_spec_keeps_the_rate_limit_headers(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/broken")

    assert response.status_code == 500
    assert [response.headers.get(h) for h in RATE_LIMIT_HEADERS[:2]] == ["50", "49"]


def test_handler_answer_outside_the_spec_passes_through_when_violations_only_warn(make_client: MakeClient) -> None:
    client = make_client(on_response_violation="warn")

    response = client.get(f"{PREFIX}/v1/broken")

    assert response.status_code == 200
    assert response.json() == {"count": "many"}
    assert [(v["kind"], v["operationId"], v["status"], v["issues"]) for v in _violations(client)] == [
        ("response", "get_broken", 200, [BROKEN_ISSUE])
    ]
    assert _last_entry(client)["violations"] == _violations(client)


def test_handler_that_raises_answers_500_naming_the_operation_and_the_mock_keeps_serving(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="campaign_mock"):
        response = client.post(f"{PREFIX}/v1/explode")
    after = client.get(f"{PREFIX}/v1/things/thing_2")

    assert response.status_code == 500
    assert response.json() == {
        "error": "mock_internal_error",
        "operation": "explode",
        "message": "the mock's handler failed; see the server log",
    }
    assert "handler for explode failed" in caplog.messages
    assert after.status_code == 200
    assert [(v["operationId"], v["status"], v["issues"]) for v in _violations(client)] == [
        ("explode", 500, [{"schemaPath": "", "message": "handler raised an exception", "where": ""}])
    ]


def test_operation_without_handler_answers_501_naming_it(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/pending")

    assert response.status_code == 501
    assert response.json() == {
        "error": "not_implemented",
        "operation": "get_pending",
        "message": "GET /v1/pending (get_pending) has no handler yet",
    }
    assert _violations(client) == []


# -- the engine's HTTP errors, in the vendor's words -----------------------------------------------------
def test_unknown_path_answers_the_vendors_route_not_found(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/nowhere")

    assert response.status_code == 404
    assert response.json() == problem("no_route", "nothing lives at /v1/nowhere")
    assert _last_entry(client)["operationId"] is None


def test_unknown_path_without_a_key_answers_the_authentication_error_first(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/nowhere", headers={KEY_HEADER: ""})

    assert response.status_code == 401
    assert response.json() == problem("unauthorized", "no key")


def test_wrong_method_answers_405_with_allow_set_by_the_engine(client: TestClient) -> None:
    response = client.delete(f"{PREFIX}/v1/things")

    assert response.status_code == 405
    assert response.json() == problem("wrong_method", "DELETE is not one of ours")
    assert response.headers["allow"] == "GET, POST"


def test_head_is_answered_as_get_without_a_body(client: TestClient) -> None:
    got = client.get(f"{PREFIX}/v1/things")
    head = client.head(f"{PREFIX}/v1/things")

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert _last_entry(client)["request"]["method"] == "HEAD"


def test_invalid_body_answers_the_vendors_rendering_and_records_a_request_violation(make_client: MakeClient) -> None:
    client = make_client(f"extends: default\n{FROZEN}")

    response = client.post(f"{PREFIX}/v1/things", json={"name": ""})

    assert response.status_code == 422
    assert response.json() == problem("bad_input", "body: name: '' should be non-empty")
    assert _violations(client, kind="request") == [
        {
            "kind": "request",
            "session": "default",
            "vendor": "fakevendor",
            "operationId": "create_thing",
            "method": "POST",
            "path": "/v1/things",
            "status": 422,
            "issues": [
                {"where": "name", "schemaPath": "properties/name/minLength", "message": "'' should be non-empty"}
            ],
            "time": FROZEN_AT,
        }
    ]
    assert len(client.get(f"{PREFIX}/v1/things").json()["things"]) == 2


def test_invalid_query_answers_the_vendors_rendering(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/things", params={"limit": 0})

    assert response.status_code == 422
    assert response.json() == problem("bad_input", "query: limit: 0 is less than the minimum of 1")
    assert [(v["kind"], v["operationId"], v["status"]) for v in _violations(client)] == [
        ("request", "list_things", 422)
    ]


def test_body_that_is_not_json_answers_the_vendors_rendering(client: TestClient) -> None:
    response = client.post(f"{PREFIX}/v1/things", content=b"{name", headers={"content-type": "application/json"})

    assert response.status_code == 422
    reason = "Expecting property name enclosed in double quotes at position 1"
    assert response.json() == problem("bad_input", f"json: (top level): the body is not valid JSON ({reason})")


def test_documented_error_from_a_handler_is_rendered_by_the_vendor(client: TestClient) -> None:
    response = client.get(f"{PREFIX}/v1/things/thing_9")

    assert response.status_code == 404
    assert response.json() == problem("missing", "no thing 'thing_9'")
    assert _violations(client) == []


@pytest.mark.parametrize(("key", "detail"), [("", "no key"), ("fk_other", "unknown key")])
def test_request_without_a_known_key_answers_the_vendors_auth_error(client: TestClient, key: str, detail: str) -> None:
    response = client.get(f"{PREFIX}/v1/things", headers={KEY_HEADER: key})

    assert response.status_code == 401
    assert response.json() == problem("unauthorized", detail)


def test_journal_entry_records_the_exchange(make_client: MakeClient) -> None:
    client = make_client(f"extends: default\n{FROZEN}")

    created = client.post(f"{PREFIX}/v1/things", params={"limit": 1}, json={"name": "Cup", "kind": "item"})

    entry = _last_entry(client)
    assert {k: entry[k] for k in ("id", "time", "session", "vendor", "operationId", "violations", "injected")} == {
        "id": 1,
        "time": FROZEN_AT,
        "session": "default",
        "vendor": "fakevendor",
        "operationId": "create_thing",
        "violations": [],
        "injected": False,
    }
    request, response = entry["request"], entry["response"]
    assert (request["method"], request["path"], request["query"]) == ("POST", "/v1/things", "limit=1")
    assert request["body"] == {"name": "Cup", "kind": "item"}
    assert request["headers"]["x-fake-key"] == "fk_test"
    assert (response["status"], response["body"]) == (201, created.json())
    assert response["headers"]["X-RateLimit-Remaining"] == "49"


def test_journal_filters_through_the_admin_api(client: TestClient) -> None:
    client.get(f"{PREFIX}/v1/things/thing_1")
    client.get(f"{PREFIX}/v1/things/thing_9")
    client.get(f"{PREFIX}/v1/things", headers={"X-Mock-Session": "s2"})

    def ids(**query: str) -> list[tuple[str, int]]:
        found = client.get("/__admin/requests", params=query).json()["requests"]
        return [(e["request"]["path"], e["response"]["status"]) for e in found]

    assert ids(vendor="fakevendor", status="404") == [("/v1/things/thing_9", 404)]
    assert ids(path="/fakevendor/v1/things/*") == [("/v1/things/thing_1", 200), ("/v1/things/thing_9", 404)]
    assert ids(session="s2") == [("/v1/things", 200)]
