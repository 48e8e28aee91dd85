"""Injected faults: which request a fault matches, in what order, and how often."""

from __future__ import annotations

from campaign_mock.engine.faults import Fault, take_fault

TEMPLATE = "/v1/things/{thing_id}"


def _take(faults: list[Fault], method: str = "GET", path: str = "/v1/things/t1") -> Fault | None:
    template = TEMPLATE if path.startswith("/v1/things/") else None
    return take_fault(faults, "fakevendor", method, path, template)


def test_fault_without_method_or_path_matches_every_request_of_its_vendor() -> None:
    fault = Fault("fakevendor", status=503)

    assert _take([fault], "POST", "/v1/anything") is fault
    assert take_fault([fault], "othervendor", "GET", "/v1/things/t1", TEMPLATE) is None


def test_fault_matches_its_method_whatever_the_case_it_was_written_in() -> None:
    fault = Fault.from_dict({"vendor": "fakevendor", "method": "delete", "status": 503})

    assert fault.method == "DELETE"
    assert _take([fault], "GET") is None
    assert _take([fault], "DELETE") is fault


def test_fault_path_matches_the_template_or_the_concrete_path() -> None:
    by_template = Fault("fakevendor", path=TEMPLATE, status=503)
    by_path = Fault("fakevendor", path="/v1/things/t1", status=503)

    assert _take([by_template], path="/v1/things/t9") is by_template
    assert _take([by_path], path="/v1/things/t1") is by_path
    assert _take([by_path], path="/v1/things/t2") is None
    assert _take([by_template], path="/v1/other") is None


def test_first_matching_fault_applies() -> None:
    other = Fault("fakevendor", method="POST", status=500)
    first = Fault("fakevendor", path=TEMPLATE, status=503)
    second = Fault("fakevendor", status=502)

    assert _take([other, first, second]) is first


def test_fault_with_times_is_used_up_and_leaves_the_list() -> None:
    limited = Fault("fakevendor", status=503, times=2)
    forever = Fault("fakevendor", status=500)
    faults = [limited, forever]

    taken = [_take(faults) for _ in range(4)]

    assert taken == [limited, limited, forever, forever]
    assert faults == [forever]


def test_fault_that_does_not_match_is_not_used() -> None:
    limited = Fault("fakevendor", method="POST", status=503, times=1)
    faults = [limited]

    assert _take(faults, "GET") is None
    assert faults == [limited]
    assert limited.times == 1


def test_fault_round_trips_through_its_scenario_form() -> None:
    written = {
        "vendor": "fakevendor",
        "method": "GET",
        "path": TEMPLATE,
        "times": 3,
        "status": 404,
        "body": {"problem": {"code": "gone", "detail": "taken away"}},
        "headers": {"X-Fault": "1"},
        "delay_ms": 5,
    }

    assert Fault.from_dict(written).to_dict() == written
    assert Fault.from_dict({"vendor": "fakevendor", "headers": {"X-Count": 3}}).to_dict() == {
        "vendor": "fakevendor",
        "headers": {"X-Count": "3"},
    }
