"""Fault kinds on the fake vendor, in process: how scenario files are checked (each problem at its line), and what
a reset, a cut answer and an injected 429 look like to an in-process client."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_http import FROZEN, PREFIX, MakeClient
from fake_vendor import FAKE

from campaign_mock.engine.catalog import load_catalog
from campaign_mock.engine.errors import ConfigError, Problem
from campaign_mock.engine.scenarios import load_scenario

CATALOG = load_catalog([FAKE])
FROZEN_EPOCH = 1_736_935_200
Write = Callable[[str], Path]


def _problems(file: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_scenario(str(file), CATALOG)
    return caught.value.problems


def test_scenario_file_fault_kinds_that_make_no_sense_are_refused_at_their_lines(write_scenario: Write) -> None:
    file = write_scenario(
        """\
        faults:
          - vendor: fakevendor
            path: /v1/things
            reset: true
            status: 503
          - vendor: fakevendor
            sequence:
              - {status: 429}
              - {}
          - vendor: fakevendor
            status: 204
            malformed: true
          - vendor: fakevendor
            status: 429
            sequence: [{passthrough: true}]
        """
    )

    assert _problems(file) == [
        Problem(str(file), 5, "faults[0].status: reset closes the connection without an answer: it cannot have status"),
        Problem(
            str(file),
            8,
            "faults[1].sequence[0]: a step without times is never used up, so the steps after it would never be "
            "reached",
        ),
        Problem(
            str(file),
            9,
            "faults[1].sequence[1]: a step needs status, reset, malformed, headers, delay_ms or passthrough: true",
        ),
        Problem(str(file), 12, "faults[2].malformed: a 204 answer has no body to cut"),
        Problem(str(file), 14, "faults[3].status: status belongs in a step of the sequence"),
    ]


def test_scenario_file_sequence_step_is_checked_like_a_fault_at_its_own_lines(write_scenario: Write) -> None:
    file = write_scenario(
        """\
        faults:
          - vendor: fakevendor
            path: /v1/things/{thing_id}
            sequence:
              - status: 404
                times: 1
                body:
                  problem: {code: gone}
              - {status: 200, times: 1}
              - headers: {Content-Length: "3"}
              - {probability: 2}
        """
    )

    assert _problems(file) == [
        Problem(str(file), 11, "faults[0].sequence[3].probability: 2 is greater than the maximum of 1"),
    ]  # the schema's refusal comes alone: the rest is checked once the fault is well-formed
    file.write_text(file.read_text().replace("      - {probability: 2}\n", ""))  # what the schema accepts

    assert _problems(file) == [
        Problem(str(file), 8, "body breaks get_thing 404 schema: problem: 'detail' is a required property"),
        Problem(str(file), 9, "a fault answering 200 needs a body (the default body is the vendor's error body)"),
        Problem(str(file), 10, "Content-Length is set by the server for each answer; a fault cannot set it"),
    ]


def test_scenario_file_with_every_kind_loads(write_scenario: Write) -> None:
    file = write_scenario(
        """\
        faults:
          - {vendor: fakevendor, method: GET, path: /v1/things, reset: true, delay_ms: 10, times: 1}
          - {vendor: fakevendor, malformed: true, probability: 0.25}
          - vendor: fakevendor
            sequence:
              - {status: 429, times: 2, retry_after: 1}
              - {status: 503, times: 1, headers: {Retry-After: "2"}}
              - {passthrough: true}
        """
    )

    assert [f["vendor"] for f in load_scenario(str(file), CATALOG).faults] == ["fakevendor"] * 3


def test_reset_in_process_fails_the_request_and_journals_status_0(make_client: MakeClient) -> None:
    client = make_client("extends: default\nfaults: [{vendor: fakevendor, path: /v1/things, reset: true}]\n")

    with pytest.raises(AssertionError):  # an in-process client has no connection to lose: it gets no answer
        client.get(f"{PREFIX}/v1/things")

    [entry] = client.get("/__admin/requests").json()["requests"]
    assert (entry["response"], entry["injected"]) == ({"status": 0, "headers": {}, "body": None}, True)


def test_malformed_in_process_answers_half_the_body(make_client: MakeClient) -> None:
    client = make_client("extends: default\nfaults: [{vendor: fakevendor, path: /v1/things, malformed: true}]\n")

    response = client.get(f"{PREFIX}/v1/things")

    assert response.status_code == 200
    assert len(response.content) == int(response.headers["content-length"]) // 2
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_injected_429_on_an_operation_limit_reads_as_that_limit_used_up(make_client: MakeClient) -> None:
    client = make_client(
        f"extends: default\n{FROZEN}\nfaults: [{{vendor: fakevendor, path: /v1/quota, status: 429, retry_after: 3}}]\n"
    )

    response = client.get(f"{PREFIX}/v1/quota")

    assert response.status_code == 429
    assert {h: response.headers[h] for h in ("x-ratelimit-remaining", "x-ratelimit-reset", "retry-after")} == {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(FROZEN_EPOCH + 3),
        "retry-after": "3",
    }
