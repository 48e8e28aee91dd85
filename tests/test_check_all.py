"""`campaign-mock check` reports every problem of every file in one run: schema, clock, fault and reference
problems together, each file's in line order, so that fixing one does not reveal the next."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from campaign_mock.cli import main


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _check(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str], str]:
    code = main(["check", *map(str, paths)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_schema_clock_fault_and_reference_problems_of_one_file_come_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(
        tmp_path,
        "three.yaml",
        """\
        extends: default
        clock: {now: "2025-01-15T10:00:00Z", frozen: true}
        colour: blue
        faults:
          - {vendor: leadterra, path: /v1/nowhere, status: 500}
          - {vendor: leadterra, path: /v1/sender-pools, status: 503, headers: {Content-Length: "3"}}
          - {vendor: leadterra, status: soon}
        vendors:
          leadterra:
            campaigns:
              - {id: camp_x, name: X, status: drafty, senderPoolId: pool_nope}
          foxreach:
            campaigns:
              - {id: cmp_9, name: A, status: draft, leadIds: [cld_missing]}
        """,
    )
    code, lines, err = _check(capsys, bad)
    assert code == 1
    assert lines == [
        f"{bad}:3: colour: unknown key 'colour'",
        f"{bad}:5: leadterra documents no path '/v1/nowhere'",
        f"{bad}:6: Content-Length is set by the server for each answer; a fault cannot set it",
        f"{bad}:7: faults[2].status: 'soon' is not of type 'integer'",
        f"{bad}:11: vendors.leadterra.campaigns[0].status: 'drafty' is not one of ['draft', 'running', 'paused']",
        f"{bad}:11: vendors.leadterra.campaigns[0].senderPoolId: no sender pool 'pool_nope'",
        f"{bad}:14: vendors.foxreach.campaigns[0].leadIds[0]: no lead 'cld_missing'",
    ]
    assert err.endswith("7 problem(s)\n")


def test_a_record_the_checks_cannot_read_leaves_out_only_its_own_vendors_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(
        tmp_path,
        "partial.yaml",
        """\
        extends: default
        clock: {now: "2025-01-15T10:00:00+25:00"}
        vendors:
          leadterra:
            campaigns:
              - {id: camp_x, name: X, senderPoolId: pool_nope}
            replies:
              - {id: r1, email: a@b.co, classification: interested}
          foxreach:
            campaigns:
              - {id: cmp_9, name: A, status: draft, leadIds: [cld_missing]}
        """,
    )
    code, lines, _ = _check(capsys, bad)
    assert code == 1
    # The reply without its campaign cannot be followed, so Leadterra's references wait until it is fixed;
    # FoxReach's are checked all the same.
    assert lines[1:] == [
        f"{bad}:8: vendors.leadterra.replies[0]: 'campaignId' is a required property",
        f"{bad}:11: vendors.foxreach.campaigns[0].leadIds[0]: no lead 'cld_missing'",
    ]
    assert lines[0].startswith(f"{bad}:2: clock.now: ")


def test_several_files_each_report_everything_and_a_shared_broken_parent_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = _write(
        tmp_path,
        "parent.yaml",
        """\
        extends: default
        vendors:
          foxreach:
            campaigns:
              - {id: cmp_p, name: P, status: sideways}
        """,
    )
    first = _write(
        tmp_path,
        "first.yaml",
        """\
        extends: parent.yaml
        seed: -1
        faults:
          - {vendor: nobody, status: 500}
        """,
    )
    second = _write(tmp_path, "second.yaml", "extends: [parent.yaml, missing.yaml]\ndescription: 42\n")
    code, lines, err = _check(capsys, first, second)
    assert code == 1
    parents_problem = (
        f"{parent}:5: vendors.foxreach.campaigns[0].status: 'sideways' is not one of "
        "['draft', 'active', 'paused', 'completed']"
    )
    assert lines == [
        f"{first}:2: seed: -1 is less than the minimum of 0",
        f"{first}:4: unknown vendor 'nobody'",
        parents_problem,
        f"{second}:1: no scenario named 'missing.yaml' (shipped names: campaign-mock scenarios)",
        f"{second}:2: description: 42 is not of type 'string'",
    ]
    assert err == "checked 2 scenario(s) and 5 spec(s): 5 problem(s)\n"
