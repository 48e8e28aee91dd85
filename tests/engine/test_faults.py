"""Injected faults: which request a fault matches, in what order, how often, and in what steps."""

from __future__ import annotations

from typing import Any

from campaign_mock.engine.chance import Chance
from campaign_mock.engine.faults import Fault, fault_form_problems, take_fault
from campaign_mock.engine.rate_limit import Decision

TEMPLATE = "/v1/things/{thing_id}"


def _fault(**spec: Any) -> Fault:
    return Fault.from_dict({"vendor": "fakevendor", **spec})


def _status(faults: list[Fault], method: str = "GET", path: str = "/v1/things/t1", seed: int = 0) -> int | None:
    """The status of the step that fires (0 for one that gives none), or None when no fault applies."""
    template = TEMPLATE if path.startswith("/v1/things/") else None
    step = take_fault(faults, "fakevendor", method, path, template, Chance(seed))
    return None if step is None else step.status or 0


def test_fault_without_method_or_path_matches_every_request_of_its_vendor() -> None:
    fault = _fault(status=503)

    assert _status([fault], "POST", "/v1/anything") == 503
    assert take_fault([fault], "othervendor", "GET", "/v1/things/t1", TEMPLATE, Chance()) is None


def test_fault_matches_its_method_whatever_the_case_it_was_written_in() -> None:
    fault = _fault(method="delete", status=503)

    assert fault.method == "DELETE"
    assert _status([fault], "GET") is None
    assert _status([fault], "DELETE") == 503


def test_fault_path_matches_the_template_or_the_concrete_path() -> None:
    by_template = _fault(path=TEMPLATE, status=503)
    by_path = _fault(path="/v1/things/t1", status=504)

    assert _status([by_template], path="/v1/things/t9") == 503
    assert _status([by_path], path="/v1/things/t1") == 504
    assert _status([by_path], path="/v1/things/t2") is None
    assert _status([by_template], path="/v1/other") is None


def test_first_matching_fault_applies() -> None:
    faults = [_fault(method="POST", status=500), _fault(path=TEMPLATE, status=503), _fault(status=502)]

    assert _status(faults) == 503


def test_fault_with_times_is_used_up_and_leaves_the_list() -> None:
    limited = _fault(status=503, times=2)
    forever = _fault(status=500)
    faults = [limited, forever]

    statuses = [_status(faults) for _ in range(4)]

    assert statuses == [503, 503, 500, 500]
    assert faults == [forever]


def test_fault_that_does_not_match_is_not_used() -> None:
    limited = _fault(method="POST", status=503, times=1)
    faults = [limited]

    assert _status(faults, "GET") is None
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
    assert _fault(headers={"X-Count": 3}).to_dict() == {"vendor": "fakevendor", "headers": {"X-Count": "3"}}


def test_sequence_fault_uses_its_steps_in_turn_then_ends() -> None:
    fault = _fault(sequence=[{"status": 429, "times": 2}, {"reset": True, "times": 1}, {"status": 503, "times": 1}])
    faults = [fault]

    assert [_status(faults) for _ in range(5)] == [429, 429, 0, 503, None]
    assert faults == []


def test_sequence_fault_writes_back_what_is_left_of_it() -> None:
    fault = _fault(path=TEMPLATE, sequence=[{"status": 429, "times": 2, "retry_after": 1}, {"passthrough": True}])
    _status([fault])

    assert fault.to_dict() == {
        "vendor": "fakevendor",
        "path": TEMPLATE,
        "sequence": [{"times": 1, "status": 429, "retry_after": 1}, {"passthrough": True}],
    }
    assert fault.times is None  # its last step fires without limit


def test_probability_fires_on_that_share_of_requests_the_same_way_for_the_same_seed() -> None:
    def firings(seed: int) -> list[bool]:
        faults = [_fault(status=503, probability=0.3)]
        return [_status(faults, seed=seed) == 503 for _ in range(400)]

    first = firings(seed=7)

    assert first == firings(seed=7)
    assert first != firings(seed=8)
    assert 0.22 < sum(first) / len(first) < 0.38


def test_probability_counts_times_only_on_firings_and_lets_the_next_fault_apply() -> None:
    chancy = _fault(status=503, probability=0.5, times=3)
    fallback = _fault(status=500)
    faults = [chancy, fallback]

    statuses = [_status(faults, seed=1) for _ in range(40)]

    assert statuses.count(503) == 3
    assert statuses.count(500) == 37
    assert faults == [fallback]


def test_injected_429_reads_as_a_used_up_limit_resetting_when_it_says_to_retry() -> None:
    reading = Decision(allowed=True, limit=100, remaining=97, reset_epoch=1_736_935_260, retry_after=60)
    told = _fault(status=429, retry_after=2).steps[0]
    by_header = _fault(status=429, headers={"Retry-After": "3"}).steps[0]
    untold = _fault(status=429).steps[0]

    assert told.exhausted(reading, 1_736_935_200.5) == Decision(False, 100, 0, 1_736_935_203, 2)
    assert by_header.exhausted(reading, 1_736_935_200.5) == Decision(False, 100, 0, 1_736_935_204, 3)
    assert untold.exhausted(reading, 1_736_935_200.5) == Decision(False, 100, 0, 1_736_935_260, 60)
    assert told.exhausted(None, 0) is None
    assert told.reply_headers() == {"Retry-After": "2"}


def test_form_problems_name_each_combination_that_makes_no_sense() -> None:
    def problems(**spec: Any) -> list[tuple[tuple[str | int, ...], str]]:
        return fault_form_problems({"vendor": "fakevendor", **spec})

    assert problems(reset=True, status=503, headers={"X": "1"}) == [
        (("status",), "reset closes the connection without an answer: it cannot have status"),
        (("headers",), "reset closes the connection without an answer: it cannot have headers"),
    ]
    assert problems(passthrough=True, status=503) == [
        (("status",), "passthrough gives the normal answer: it cannot have status")
    ]
    assert problems(retry_after=1) == [(("retry_after",), "retry_after needs a status (429 or 503, say)")]
    assert problems(status=429, retry_after=1, headers={"retry-after": "1"}) == [
        (("retry_after",), "give Retry-After once: retry_after or headers, not both")
    ]
    assert problems(status=204, malformed=True) == [(("malformed",), "a 204 answer has no body to cut")]
    assert problems(status=429, sequence=[{"passthrough": True}]) == [
        (("status",), "status belongs in a step of the sequence")
    ]
    assert problems(sequence=[{"status": 429}, {}]) == [
        (("sequence", 0), "a step without times is never used up, so the steps after it would never be reached"),
        (("sequence", 1), "a step needs status, reset, malformed, headers, delay_ms or passthrough: true"),
    ]
    assert problems(malformed=True) == []
    assert problems(sequence=[{"status": 429, "times": 2, "retry_after": 1}, {"passthrough": True}]) == []
