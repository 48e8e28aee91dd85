"""The journal and the violation log over HTTP: what is recorded, how it is filtered, how it is cleared."""

from __future__ import annotations

from typing import Any

from engine_client import Mock

from campaign_mock.pytest_plugin import MockSession

NOW = "2025-01-15T11:00:00Z"


def _traffic(mock: Mock, session: str) -> None:
    """Five exchanges: 200, 201, 400 (a request outside the spec), 404 and 200, in that order."""
    mock.leadterra("GET", "/v1/sender-pools", session=session)
    mock.leadterra("POST", "/v1/campaigns", session=session, json={"name": "Journal"})
    mock.leadterra("POST", "/v1/campaigns", session=session, json={"name": 7})
    mock.leadterra("GET", "/v1/campaigns/camp_nope/stats", session=session)
    mock.leadterra("GET", "/v1/campaigns/camp_123/stats", session=session, prefix=True)


def _summary(entries: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """Each entry as (method, path, status)."""
    return [(e["request"]["method"], e["request"]["path"], e["response"]["status"]) for e in entries]


def test_list_requests_records_each_exchange_newest_last(shared: Mock, mock_session: MockSession) -> None:
    shared.admin("POST", "clock", session=mock_session.name, json={"now": NOW, "frozen": True})
    _traffic(shared, mock_session.name)

    entries = shared.requests(mock_session.name)

    assert _summary(entries) == [
        ("GET", "/v1/sender-pools", 200),
        ("POST", "/v1/campaigns", 201),
        ("POST", "/v1/campaigns", 400),
        ("GET", "/v1/campaigns/camp_nope/stats", 404),
        ("GET", "/v1/campaigns/camp_123/stats", 200),
    ]
    created = entries[1]
    assert (created["session"], created["vendor"], created["operationId"], created["time"]) == (
        mock_session.name,
        "leadterra",
        "create_campaign",
        NOW,
    )
    assert created["request"]["body"] == {"name": "Journal"}
    assert created["request"]["headers"]["authorization"] == "Bearer sk_test_leadterra"
    assert created["response"]["body"]["name"] == "Journal"
    assert created["violations"] == []
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_list_requests_filters_by_method_path_status_and_vendor(shared: Mock, mock_session: MockSession) -> None:
    name = mock_session.name
    _traffic(shared, name)

    assert _summary(shared.requests(name, method="post")) == [
        ("POST", "/v1/campaigns", 201),
        ("POST", "/v1/campaigns", 400),
    ]
    assert _summary(shared.requests(name, path="/v1/sender-pools")) == [("GET", "/v1/sender-pools", 200)]
    assert _summary(shared.requests(name, path="/leadterra/v1/sender-pools")) == [("GET", "/v1/sender-pools", 200)]
    assert _summary(shared.requests(name, path="/v1/campaigns/*")) == [
        ("GET", "/v1/campaigns/camp_nope/stats", 404),
        ("GET", "/v1/campaigns/camp_123/stats", 200),
    ]
    assert _summary(shared.requests(name, status=404)) == [("GET", "/v1/campaigns/camp_nope/stats", 404)]
    assert _summary(shared.requests(name, method="GET", status=200)) == [
        ("GET", "/v1/sender-pools", 200),
        ("GET", "/v1/campaigns/camp_123/stats", 200),
    ]
    assert len(shared.requests(name, vendor="leadterra")) == 5
    assert shared.requests(name, vendor="acme") == []
    assert _summary(shared.requests(name, limit=1)) == [("GET", "/v1/campaigns/camp_123/stats", 200)]


def test_list_requests_filters_by_session(shared: Mock, mock_session: MockSession, other_session: str) -> None:
    _traffic(shared, mock_session.name)
    shared.leadterra("GET", "/v1/replies", session=other_session)

    theirs = shared.requests(other_session)

    assert _summary(theirs) == [("GET", "/v1/replies", 200)]
    assert theirs[0]["session"] == other_session
    assert {e["session"] for e in shared.requests(mock_session.name)} == {mock_session.name}


def test_list_requests_with_bad_filter_answers_400(shared: Mock) -> None:
    response = shared.admin("GET", "requests", params={"status": "teapot"})

    problem = "status: 'teapot' is not of type 'integer'"
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": f"the request query is invalid: {problem}",
                "problems": [problem],
            }
        },
    )


def test_list_requests_records_unmatched_paths_without_operation(shared: Mock, mock_session: MockSession) -> None:
    shared.leadterra("GET", "/v1/campaigns", session=mock_session.name)

    [entry] = shared.requests(mock_session.name)

    assert (entry["operationId"], entry["response"]["status"]) == (None, 405)


def test_clear_requests_with_session_clears_only_that_session(
    shared: Mock, mock_session: MockSession, other_session: str
) -> None:
    _traffic(shared, mock_session.name)
    shared.leadterra("GET", "/v1/replies", session=other_session)

    response = shared.admin("DELETE", "requests", session=mock_session.name)

    assert (response.status_code, response.json()) == (200, {"cleared": 5})
    assert shared.requests(mock_session.name) == []
    assert shared.violations(mock_session.name) == []
    assert len(shared.requests(other_session)) == 1


def test_clear_requests_without_session_clears_everything(private: Mock) -> None:
    _traffic(private, "a")
    _traffic(private, "b")

    response = private.admin("DELETE", "requests")

    assert (response.status_code, response.json()) == (200, {"cleared": 10})
    assert private.requests() == []
    assert private.violations() == []


def test_list_violations_records_a_request_outside_the_spec(shared: Mock, mock_session: MockSession) -> None:
    shared.admin("POST", "clock", session=mock_session.name, json={"now": NOW, "frozen": True})
    _traffic(shared, mock_session.name)

    violations = shared.violations(mock_session.name)

    expected = {
        "kind": "request",
        "session": mock_session.name,
        "vendor": "leadterra",
        "operationId": "create_campaign",
        "method": "POST",
        "path": "/v1/campaigns",
        "status": 400,
        "time": NOW,
        "issues": [{"where": "name", "schemaPath": "properties/name/type", "message": "7 is not of type 'string'"}],
    }
    assert violations == [expected]
    assert shared.violations(mock_session.name, kind="request") == [expected]
    assert shared.violations(mock_session.name, kind="response") == []
    assert shared.requests(mock_session.name, status=400)[0]["violations"] == [expected]


def test_list_violations_ignores_documented_errors(shared: Mock, mock_session: MockSession) -> None:
    shared.leadterra("GET", "/v1/campaigns/camp_nope/stats", session=mock_session.name)
    shared.leadterra("GET", "/v1/sender-pools", session=mock_session.name, headers={"Authorization": "Bearer x"})
    shared.leadterra("POST", "/v1/suppression-list", session=mock_session.name, json={"emails": ["bad"]})

    assert [e["response"]["status"] for e in shared.requests(mock_session.name)] == [404, 401, 422]
    assert [v["status"] for v in shared.violations(mock_session.name, kind="response")] == []
