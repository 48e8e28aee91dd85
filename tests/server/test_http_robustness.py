"""Bad input of every kind gets a clear error and changes nothing: clocks, YAML, JSON, faults, state imports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from engine_client import Mock

from campaign_mock.cli import main
from campaign_mock.engine.rate_limit import RateLimiter, RateLimitPolicy
from campaign_mock.pytest_plugin import MockSession


def _load_yaml(shared: Mock, session: str, text: str) -> tuple[int, dict[str, object]]:
    response = shared.admin("POST", "scenarios", session=session, json={"yaml": textwrap.dedent(text)})
    return response.status_code, response.json()


def test_load_scenario_takes_a_leap_second_and_a_lowercase_z(shared: Mock, mock_session: MockSession) -> None:
    status, _ = _load_yaml(shared, mock_session.name, 'clock: {now: "2025-06-30T23:59:60z", frozen: true}\n')
    assert status == 200
    assert mock_session.admin("GET", "clock").json()["now"] == "2025-06-30T23:59:59Z"


def test_load_scenario_with_a_clock_out_of_range_is_refused_and_changes_nothing(
    shared: Mock, mock_session: MockSession
) -> None:
    before = mock_session.admin("GET", "state").json()
    status, body = _load_yaml(shared, mock_session.name, 'description: x\nclock: {now: "0001-01-01T00:00:00+01:00"}\n')
    assert status == 400
    assert body["error"]["problems"] == [
        "<posted yaml>:2: clock.now: '0001-01-01T00:00:00+01:00' is not an ISO 8601 instant"
    ]
    assert mock_session.admin("GET", "state").json() == before


def test_load_scenario_keeps_unquoted_timestamps_as_text(shared: Mock, mock_session: MockSession) -> None:
    status, _ = _load_yaml(
        shared,
        mock_session.name,
        """\
        vendors:
          leadterra:
            api_keys: [sk_test_leadterra]
            campaigns: [{id: c1, name: X, createdAt: 2025-01-15T10:00:00Z}]
        """,
    )
    assert status == 200
    assert mock_session.admin("GET", "state").json()["vendors"]["leadterra"]["campaigns"][0]["createdAt"] == (
        "2025-01-15T10:00:00Z"
    )


def test_load_scenario_refuses_what_json_cannot_hold_with_lines(shared: Mock, mock_session: MockSession) -> None:
    status, body = _load_yaml(
        shared,
        mock_session.name,
        """\
        vendors:
          leadterra:
            suppressionList: [.nan]
            replies: !!set {a}
            webhooks: []
            webhooks: []
        """,
    )
    assert status == 400
    assert body["error"]["problems"] == [
        "<posted yaml>:3: vendors.leadterra.suppressionList[0]: '.nan' is not a JSON number",
        "<posted yaml>:4: vendors.leadterra.replies: set values are not JSON (quote it, or use a list or map)",
        "<posted yaml>:6: vendors.leadterra.webhooks: duplicate key",
    ]


def test_load_scenario_by_name_never_reads_an_arbitrary_file(shared: Mock, mock_session: MockSession) -> None:
    response = shared.admin("POST", "scenarios", session=mock_session.name, json={"name": "../../../../etc/passwd"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "../../../../etc/passwd: no shipped scenario named '../../../../etc/passwd' (send its text as `yaml` instead)"
    )


def test_create_campaign_with_a_huge_integer_answers_invalid_request(shared: Mock, mock_session: MockSession) -> None:
    body = '{"name": "x", "n": ' + "9" * 5000 + "}"
    response = shared.leadterra(
        "POST", "/v1/campaigns", session=mock_session.name, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "Exceeds the limit (4300 digits)" in response.json()["error"]["message"]


def test_create_campaign_with_nan_answers_invalid_request(shared: Mock, mock_session: MockSession) -> None:
    response = shared.leadterra(
        "POST",
        "/v1/campaigns",
        session=mock_session.name,
        content='{"name": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "code": "invalid_request",
                "message": "Invalid request body: (top level): the body is not valid JSON (NaN is not a JSON number)",
            }
        },
    )


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ({"vendor": "leadterra", "status": 101}, "status: 101 is less than the minimum of 200"),
        ({"vendor": "leadterra", "headers": {"X Bad\r\n": "v"}}, None),
        ({"vendor": "leadterra", "headers": {"X-Ok": "line\r\nbreak"}}, None),
    ],
)
def test_add_faults_refuses_what_http_cannot_carry(
    mock_session: MockSession, fault: dict[str, object], problem: str | None
) -> None:
    response = mock_session.admin("POST", "faults", json=fault)
    assert response.status_code == 400
    if problem is not None:
        assert problem in response.json()["error"]["problems"]
    assert mock_session.admin("GET", "faults").json() == {"faults": []}


def test_fault_with_status_204_answers_without_a_body_and_the_connection_survives(
    shared: Mock, mock_session: MockSession
) -> None:
    mock_session.admin("POST", "faults", json={"vendor": "leadterra", "status": 204, "times": 1})
    first = shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name)
    assert (first.status_code, first.content) == (204, b"")
    assert shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name).status_code == 200


def test_fault_with_headers_only_adds_them_to_the_normal_answer(shared: Mock, mock_session: MockSession) -> None:
    mock_session.admin("POST", "faults", json={"vendor": "leadterra", "headers": {"X-Injected": "yes"}})
    response = shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name)
    assert response.status_code == 200
    assert response.headers["x-injected"] == "yes"


def test_advance_clock_past_year_9999_is_refused_and_the_clock_stays(mock_session: MockSession) -> None:
    mock_session.set_clock(now="9999-12-31T23:59:59Z", frozen=True)
    response = mock_session.admin("POST", "clock/advance", json={"seconds": 1})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    assert mock_session.admin("GET", "clock").json()["now"] == "9999-12-31T23:59:59Z"


def test_import_state_with_vendors_of_the_wrong_type_is_refused(mock_session: MockSession) -> None:
    before = mock_session.admin("GET", "state").json()
    response = mock_session.admin("PUT", "state", json={**before, "vendors": [1]})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == ["vendors: [1] is not of type 'object'"]
    assert mock_session.admin("GET", "state").json() == before


def test_import_state_checks_faults_like_a_scenario(mock_session: MockSession) -> None:
    before = mock_session.admin("GET", "state").json()
    response = mock_session.admin("PUT", "state", json={**before, "faults": [{"vendor": "nope", "status": 500}]})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == ["state: unknown vendor 'nope'"]


def test_state_round_trips_after_a_fault_is_used_up(shared: Mock, mock_session: MockSession) -> None:
    mock_session.admin("POST", "faults", json={"vendor": "leadterra", "status": 503, "times": 1})
    assert shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name).status_code == 503
    exported = mock_session.admin("GET", "state").json()
    assert exported["faults"] == []
    assert mock_session.admin("PUT", "state", json=exported).json() == exported


def test_reset_of_one_session_clears_faults_added_server_wide(private: Mock) -> None:
    private.admin("POST", "faults", json={"vendor": "leadterra", "status": 503})
    assert private.leadterra("GET", "/v1/sender-accounts", session="s1").status_code == 503
    private.admin("POST", "reset", session="s1")
    assert private.leadterra("GET", "/v1/sender-accounts", session="s1").status_code == 200


def test_loading_a_scenario_server_wide_clears_faults_added_server_wide(private: Mock) -> None:
    private.admin("POST", "faults", json={"vendor": "leadterra", "status": 503})
    private.admin("POST", "scenarios", json={"name": "default"})
    assert private.leadterra("GET", "/v1/sender-accounts").status_code == 200
    assert private.leadterra("GET", "/v1/sender-accounts", session="later").status_code == 200


def test_delete_session_forgets_it(shared: Mock, mock_session: MockSession) -> None:
    shared.leadterra("POST", "/v1/campaigns/camp_123/start", session=mock_session.name)
    assert mock_session.admin("DELETE", "sessions").json() == {"removed": True}
    assert mock_session.name not in [s["name"] for s in shared.admin("GET", "sessions").json()["sessions"]]
    stats = shared.leadterra("GET", "/v1/campaigns/camp_123/stats", session=mock_session.name).json()
    assert stats["queued"] == 0  # a fresh copy of the scenario


def test_rate_limiter_forgets_requests_from_the_future_when_the_clock_moves_back() -> None:
    limiter, policy = RateLimiter(), RateLimitPolicy(limit=2, window_seconds=60, window="fixed")
    for _ in range(3):
        limiter.check("v", "k", policy, 10_000.0)
    earlier = limiter.check("v", "k", policy, 10_000.0 - 3600)
    assert (earlier.allowed, earlier.remaining) == (True, 1)


def test_verify_resolves_extends_next_to_the_file_and_odd_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "base.yaml").write_text(
        "extends: default\nvendors:\n  leadterra:\n    api_keys: [sk_test_base]\n", encoding="utf-8"
    )
    child = tmp_path / "My Check.yaml"
    child.write_text(
        textwrap.dedent(
            """\
            extends: base.yaml
            expect:
              - request: {vendor: leadterra, method: GET, path: /v1/sender-accounts,
                          headers: {Authorization: Bearer sk_test_base}}
                status: 200
            """
        ),
        encoding="utf-8",
    )
    assert main(["verify", str(child)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"


def test_add_faults_with_a_success_status_and_no_body_is_refused(mock_session: MockSession) -> None:
    response = mock_session.admin("POST", "faults", json={"vendor": "leadterra", "status": 200})
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        "faults: a fault answering 200 needs a body (the default body is the vendor's error body)"
    ]


def test_auth_failures_with_random_keys_leave_no_rate_limit_counters(shared: Mock, mock_session: MockSession) -> None:
    for n in range(5):
        shared.http.get(f"{mock_session.url('foxreach')}/api/v1/campaigns", headers={"X-API-Key": f"otr_random_{n}"})
    assert mock_session.admin("GET", "state").json()["rate_limit_hits"] == {}
    assert len(mock_session.server.app.store.get(mock_session.name).limiter) == 0


def test_posted_yaml_may_extend_shipped_scenarios_only(shared: Mock, mock_session: MockSession) -> None:
    status, body = _load_yaml(shared, mock_session.name, "extends: /etc/passwd\n")
    assert status == 400
    assert body["error"]["problems"] == [
        "<posted yaml>: no shipped scenario named '/etc/passwd' (send its text as `yaml` instead)"
    ]


def test_load_scenario_with_an_unusable_name_is_a_clear_400(shared: Mock, mock_session: MockSession) -> None:
    for name in ("a\u0000b", "a" * 300):
        response = shared.admin("POST", "scenarios", session=mock_session.name, json={"name": name})
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_scenario")


def test_load_scenario_merge_keys_may_be_overridden(shared: Mock, mock_session: MockSession) -> None:
    status, _ = _load_yaml(
        shared,
        mock_session.name,
        """\
        x-fault: &fault {vendor: leadterra, path: /v1/sender-accounts, status: 503}
        faults:
          - <<: *fault
            status: 502
            times: 1
        """,
    )
    assert status == 200
    assert shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name).status_code == 502


def test_fault_headers_replace_the_answers_own_whatever_their_case(shared: Mock, mock_session: MockSession) -> None:
    fault = {"vendor": "foxreach", "status": 429, "headers": {"retry-after": "7", "Content-Type": "application/json"}}
    assert mock_session.admin("POST", "faults", json=fault).status_code == 201
    response = shared.http.get(
        f"{mock_session.url('foxreach')}/api/v1/campaigns", headers={"X-API-Key": "otr_test_foxreach"}
    )
    assert response.status_code == 429
    assert response.headers.get_list("retry-after") == ["7"]
    assert response.headers.get_list("content-type") == ["application/json"]


def test_add_faults_refuses_framing_headers(mock_session: MockSession) -> None:
    fault = {"vendor": "leadterra", "status": 503, "headers": {"Content-Length": "5"}}
    response = mock_session.admin("POST", "faults", json=fault)
    assert response.status_code == 400
    assert response.json()["error"]["problems"] == [
        "faults: Content-Length is set by the server for each answer; a fault cannot set it"
    ]


def test_percent_encoded_letters_in_a_path_still_route(shared: Mock, mock_session: MockSession) -> None:
    response = shared.http.get(
        f"{shared.url}/__session/{mock_session.name}/lead%74erra/v1/%73ender-pools",
        headers={"Authorization": "Bearer sk_test_leadterra"},
    )
    assert response.status_code == 200
    assert mock_session.requests()[-1]["request"]["path"] == "/v1/sender-pools"


def test_head_is_journaled_as_head_and_refused_where_there_is_no_get(shared: Mock, mock_session: MockSession) -> None:
    url = f"{mock_session.url('leadterra')}/v1/campaigns/camp_123/start"
    response = shared.http.head(url, headers={"Authorization": "Bearer sk_test_leadterra"})
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert mock_session.requests()[-1]["request"]["method"] == "HEAD"


def test_a_running_clock_stops_at_the_end_of_its_range(mock_session: MockSession) -> None:
    mock_session.set_clock(now="9999-12-31T23:59:59Z", frozen=False)
    assert mock_session.admin("GET", "clock").json()["now"].startswith("9999-12-31T23:59:59")


def test_set_clock_needs_a_date_and_a_time(mock_session: MockSession) -> None:
    response = mock_session.admin("POST", "clock", json={"now": "2025-01-15"})
    assert (response.status_code, response.json()["error"]["message"]) == (
        400,
        "the request body is invalid: now: '2025-01-15' is not a 'date-time'",
    )


def test_delete_session_through_the_session_prefix(shared: Mock, mock_session: MockSession) -> None:
    shared.leadterra("GET", "/v1/sender-accounts", session=mock_session.name)
    response = shared.http.delete(f"{mock_session.base_url}/__admin/sessions")
    assert (response.status_code, response.json()) == (200, {"removed": True})


def test_import_state_refuses_malformed_rate_limit_hits(mock_session: MockSession) -> None:
    exported = mock_session.admin("GET", "state").json()
    for hits in ({"nocolon": [1.0]}, {"foxreach:k": [3.0, 1.0]}, {"nope:k": [1.0]}):
        response = mock_session.admin("PUT", "state", json={**exported, "rate_limit_hits": hits})
        assert response.status_code == 400
        assert response.json()["error"]["problems"] == [
            "state: rate_limit_hits: {'<vendor>:<key>': [timestamps in ascending order]} expected"
        ]
