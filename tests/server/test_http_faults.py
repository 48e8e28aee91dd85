"""Injected faults over HTTP: added with `POST /__admin/faults`, cleared with `DELETE`, matched in order."""

from __future__ import annotations

import time
from typing import Any

from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

AUTH_FAILED = {
    "error": {
        "code": "authentication_failed",
        "message": "The Authorization header is missing, malformed, or the API key is invalid.",
    }
}


def _add(mock: Mock, session: str | None, **fault: Any) -> dict[str, Any]:
    response = mock.admin("POST", "faults", session=session, json={"vendor": "leadterra", **fault})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_add_faults_with_status_only_answers_the_vendor_documented_error(
    shared: Mock, mock_session: MockSession
) -> None:
    name = mock_session.name
    _add(shared, name, method="GET", path="/v1/sender-pools", status=401)
    _add(shared, name, path="/v1/campaigns/{id}/stats", status=404)
    _add(shared, name, path="/v1/suppression-list", status=422)

    pools = shared.leadterra("GET", "/v1/sender-pools", session=name)
    stats = shared.leadterra("GET", "/v1/campaigns/camp_123/stats", session=name)
    suppression = shared.leadterra("POST", "/v1/suppression-list", session=name, json={"emails": ["a@x.example"]})

    assert (pools.status_code, pools.json()) == (401, AUTH_FAILED)
    assert (stats.status_code, stats.json()) == (
        404,
        {
            "error": {
                "code": "campaign_not_found",
                "message": "No campaign with this id exists in your workspace.",
            }
        },
    )
    assert (suppression.status_code, suppression.json()) == (
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": "One or more entries failed validation.",
                "errors": [],
            }
        },
    )
    assert shared.state(name)["vendors"]["leadterra"]["suppressionList"] == ["optout@acme.example"]


def test_add_faults_with_server_error_status_answers_a_leadterra_shaped_body(
    shared: Mock, mock_session: MockSession
) -> None:
    _add(shared, mock_session.name, status=503)

    response = shared.leadterra("POST", "/v1/campaigns/camp_123/start", session=mock_session.name)

    assert (response.status_code, response.json()) == (
        503,
        {
            "error": {
                "code": "internal_error",
                "message": "The server answered 503.",
            }
        },
    )


def test_add_faults_applies_before_authentication(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, status=500)

    response = shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name, headers={"Authorization": ""})

    assert response.status_code == 500


def test_add_faults_with_times_applies_that_often_then_answers_normally(
    shared: Mock, mock_session: MockSession
) -> None:
    name = mock_session.name
    added = _add(shared, name, method="POST", path="/v1/campaigns/camp_123/start", status=500, times=2)
    assert added == {
        "faults": [
            {
                "vendor": "leadterra",
                "method": "POST",
                "path": "/v1/campaigns/camp_123/start",
                "times": 2,
                "status": 500,
            },
        ]
    }

    statuses = [shared.leadterra("POST", "/v1/campaigns/camp_123/start", session=name).status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert shared.admin("GET", "faults", session=name).json()["faults"] == []  # used up, so gone


def test_add_faults_matches_only_its_method_and_path(shared: Mock, mock_session: MockSession) -> None:
    name = mock_session.name
    _add(shared, name, method="POST", path="/v1/campaigns/{id}/start", status=500)

    assert shared.leadterra("POST", "/v1/campaigns/camp_running/start", session=name).status_code == 500
    assert shared.leadterra("POST", "/v1/campaigns/camp_123/pause", session=name).status_code == 200
    assert shared.leadterra("GET", "/v1/campaigns/camp_123/stats", session=name).status_code == 200


def test_add_faults_tries_faults_in_order(shared: Mock, mock_session: MockSession) -> None:
    name = mock_session.name
    response = shared.admin(
        "POST",
        "faults",
        session=name,
        json={
            "faults": [
                {"vendor": "leadterra", "path": "/v1/replies", "status": 401, "times": 1},
                {"vendor": "leadterra", "path": "/v1/replies", "status": 500},
            ]
        },
    )
    assert response.status_code == 201

    statuses = [shared.leadterra("GET", "/v1/replies", session=name).status_code for _ in range(3)]

    assert statuses == [401, 500, 500]


def test_add_faults_with_delay_ms_delays_the_normal_answer(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, path="/v1/sender-pools", delay_ms=300)

    started = time.perf_counter()
    response = shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert elapsed >= 0.3


def test_add_faults_with_body_and_headers_answers_them(shared: Mock, mock_session: MockSession) -> None:
    body = {"error": {"code": "no_leads_enrolled", "message": "Injected."}}
    _add(
        shared,
        mock_session.name,
        method="POST",
        path="/v1/campaigns/{id}/start",
        status=400,
        body=body,
        headers={"Retry-After": 5, "X-Injected": "yes"},
    )

    response = shared.leadterra("POST", "/v1/campaigns/camp_123/start", session=mock_session.name)

    assert (response.status_code, response.json()) == (400, body)
    assert (response.headers["Retry-After"], response.headers["X-Injected"]) == ("5", "yes")


def _refused(mock: Mock, session: str, fault: dict[str, Any]) -> tuple[int, Any]:
    response = mock.admin("POST", "faults", session=session, json=fault)
    return response.status_code, response.json()


def test_add_faults_aimed_at_undocumented_path_answers_400_and_adds_nothing(
    shared: Mock, mock_session: MockSession
) -> None:
    fault = {"vendor": "leadterra", "path": "/v1/campaigns/{id}/archive", "status": 500}

    assert _refused(shared, mock_session.name, fault) == (
        400,
        {
            "error": {
                "code": "invalid_fault",
                "message": "faults: leadterra documents no path '/v1/campaigns/{id}/archive'",
                "problems": ["faults: leadterra documents no path '/v1/campaigns/{id}/archive'"],
            }
        },
    )
    assert shared.admin("GET", "faults", session=mock_session.name).json() == {"faults": []}


def test_add_faults_for_unknown_vendor_answers_400(shared: Mock, mock_session: MockSession) -> None:
    problem = "faults: unknown vendor 'acme'"

    assert _refused(shared, mock_session.name, {"vendor": "acme", "status": 500}) == (
        400,
        {
            "error": {
                "code": "invalid_fault",
                "message": problem,
                "problems": [problem],
            }
        },
    )


def test_add_faults_with_body_outside_the_spec_answers_400(shared: Mock, mock_session: MockSession) -> None:
    fault = {"vendor": "leadterra", "method": "GET", "path": "/v1/replies", "status": 404, "body": {"detail": "x"}}

    status, body = _refused(shared, mock_session.name, fault)

    assert (status, body["error"]["code"]) == (400, "invalid_fault")
    assert sorted(body["error"]["problems"]) == [
        "faults: body breaks list_replies 404 schema: (top level): 'error' is a required property",
        "faults: body breaks list_replies 404 schema: detail: unknown key 'detail'",
    ]


def test_clear_faults_restores_normal_answers(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, status=500)
    _add(shared, mock_session.name, status=401)

    response = shared.admin("DELETE", "faults", session=mock_session.name)

    assert (response.status_code, response.json()) == (200, {"cleared": 2})
    assert shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name).status_code == 200


def test_add_faults_with_session_leaves_other_sessions_alone(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    _add(shared, mock_session.name, status=500)

    assert shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name).status_code == 500
    assert shared.leadterra("GET", "/v1/sender-pools", session=other_session).status_code == 200


def test_add_faults_without_session_applies_to_every_session(private: Mock) -> None:
    private.leadterra("GET", "/v1/sender-pools", session="early")

    _add(private, None, path="/v1/sender-pools", status=500)

    assert private.leadterra("GET", "/v1/sender-pools").status_code == 500
    assert private.leadterra("GET", "/v1/sender-pools", session="early").status_code == 500
    assert private.leadterra("GET", "/v1/sender-pools", session="late").status_code == 500
    assert private.admin("DELETE", "faults").json() == {"cleared": 1}
    for session in (None, "early", "late", "later"):
        assert private.leadterra("GET", "/v1/sender-pools", session=session).status_code == 200


def test_server_wide_fault_used_up_stays_used_up_for_every_session(private: Mock) -> None:
    private.leadterra("GET", "/v1/sender-pools", session="early")  # a session that exists when the fault is added
    _add(private, None, path="/v1/sender-pools", status=500, times=1)

    first = private.leadterra("GET", "/v1/sender-pools", session="early")
    again = private.leadterra("GET", "/v1/sender-pools", session="early")
    default = private.leadterra("GET", "/v1/sender-pools")
    later = private.leadterra("GET", "/v1/sender-pools", session="later")  # created after the fault was used up

    assert [r.status_code for r in (first, again, default, later)] == [500, 200, 200, 200]
    for session in (None, "early", "later"):
        assert private.admin("GET", "faults", session=session).json() == {"faults": []}


def test_server_wide_fault_counts_its_uses_across_sessions(private: Mock) -> None:
    _add(private, None, path="/v1/sender-pools", status=503, times=2)

    answers = [private.leadterra("GET", "/v1/sender-pools", session=s).status_code for s in ("a", "b", "c", "a")]

    assert answers == [503, 503, 200, 200]


def test_fault_answers_are_journaled(shared: Mock, mock_session: MockSession) -> None:
    _add(shared, mock_session.name, path="/v1/replies", status=500)
    shared.leadterra("GET", "/v1/replies", session=mock_session.name)

    [entry] = shared.requests(mock_session.name)

    assert (entry["operationId"], entry["response"]["status"], entry["violations"]) == ("list_replies", 500, [])
