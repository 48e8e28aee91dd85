"""The journal: bounded, filtered, cleared per session, and its violations kept with it."""

from __future__ import annotations

from campaign_mock.engine.journal import Entry, Journal, Violation

START = 1_736_935_200.0  # 2025-01-15T10:00:00Z


def _violation(session: str, status: int = 500) -> Violation:
    issue = {"where": "count", "schemaPath": "responses/200/properties/count/type", "message": "not an integer"}
    return Violation(
        "response", session, "fakevendor", "get_broken", "GET", "/v1/broken", status, (issue,), "2025-01-15T10:00:00Z"
    )


def _entry(
    journal: Journal,
    *,
    session: str = "default",
    service: str = "fakevendor",
    method: str = "GET",
    path: str = "/v1/things",
    status: int = 200,
    violations: list[Violation] | None = None,
) -> Entry:
    entry = Entry(
        id=journal.next_id(),
        time=START,
        session=session,
        service=service,
        operation_id="list_things",
        method=method,
        path=path,
        query="limit=2",
        request_headers=[(b"x-fake-key", b"fk_test")],
        request_body=b"",
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=b'{"things":[]}',
        duration_ms=1.23456,
        violations=violations or [],
    )
    journal.add(entry)
    return entry


def test_entries_are_kept_newest_last_and_the_oldest_go_first() -> None:
    journal = Journal(max_entries=2)
    _entry(journal, path="/v1/one")
    _entry(journal, path="/v1/two")
    _entry(journal, path="/v1/three")

    assert [(e.id, e.path) for e in journal.entries()] == [(2, "/v1/two"), (3, "/v1/three")]


def test_violations_are_bounded_on_their_own() -> None:
    journal = Journal(max_entries=10, max_violations=2)
    for status in (500, 501, 502):
        journal.add_violations([_violation("default", status)])

    assert [v.status for v in journal.violations()] == [501, 502]


def test_entry_reads_back_decoded() -> None:
    journal = Journal()
    entry = _entry(journal, violations=[_violation("default")])

    assert entry.to_dict() == {
        "id": 1,
        "time": "2025-01-15T10:00:00Z",
        "session": "default",
        "vendor": "fakevendor",
        "operationId": "list_things",
        "request": {
            "method": "GET",
            "path": "/v1/things",
            "query": "limit=2",
            "headers": {"x-fake-key": "fk_test"},
            "body": None,
        },
        "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {"things": []}},
        "durationMs": 1.235,
        "violations": [_violation("default").to_dict()],
        "injected": False,
    }
    assert journal.violations() == [_violation("default")]


def test_entries_filter_by_vendor_method_status_and_session() -> None:
    journal = Journal()
    _entry(journal)
    _entry(journal, method="POST", status=201)
    _entry(journal, service="othervendor")
    _entry(journal, session="s2", status=404)

    assert [e.id for e in journal.entries(service="fakevendor")] == [1, 2, 4]
    assert [e.id for e in journal.entries(method="post")] == [2]
    assert [e.id for e in journal.entries(status=404)] == [4]
    assert [e.id for e in journal.entries(session="s2")] == [4]
    assert [e.id for e in journal.entries(service="fakevendor", method="GET", session="default")] == [1]


def test_entries_filter_by_path_with_or_without_the_prefix_and_by_a_prefix_pattern() -> None:
    journal = Journal()
    _entry(journal, path="/v1/things")
    _entry(journal, path="/v1/things/t1")
    _entry(journal, path="/v1/broken")

    assert [e.id for e in journal.entries(path="/v1/things")] == [1]
    assert [e.id for e in journal.entries(path="/fakevendor/v1/things/t1")] == [2]
    assert [e.id for e in journal.entries(path="/v1/things*")] == [1, 2]
    assert [e.id for e in journal.entries(path="/fakevendor/*")] == [1, 2, 3]
    assert [e.id for e in journal.entries(path="/v1/thing")] == []


def test_clear_one_session_keeps_the_others_entries_and_violations() -> None:
    journal = Journal()
    _entry(journal, session="s1", violations=[_violation("s1")])
    _entry(journal, session="s2", violations=[_violation("s2")])
    _entry(journal, session="s1")

    assert journal.clear("s1") == 2
    assert [e.session for e in journal.entries()] == ["s2"]
    assert journal.violations() == [_violation("s2")]
    assert journal.violations("s1") == []


def test_clear_all_forgets_everything_but_ids_keep_counting() -> None:
    journal = Journal()
    _entry(journal, violations=[_violation("default")])
    _entry(journal, session="s2")

    assert journal.clear() == 2
    assert (list(journal.entries()), journal.violations()) == ([], [])
    assert _entry(journal).id == 3


def test_clear_one_session_keeps_the_bound() -> None:
    journal = Journal(max_entries=2)
    _entry(journal, session="s1")
    _entry(journal, session="s2")
    journal.clear("s1")
    _entry(journal, session="s2")
    _entry(journal, session="s2")

    assert [e.id for e in journal.entries()] == [3, 4]
