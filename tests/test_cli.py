"""The `campaign-mock` command: scenarios, check, verify, serve."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from campaign_mock.cli import main
from campaign_mock.server import MockServer
from campaign_mock.vendors.registry import registered_catalog
from serving import serving

LEADTERRA_SCENARIOS = (
    "leadterra/missing-leads",
    "leadterra/no-sequence-steps",
    "leadterra/already-running",
    "leadterra/paused",
    "leadterra/pool-nearly-empty",
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_scenarios_lists_every_shipped_scenario_with_its_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("default", *LEADTERRA_SCENARIOS):
        assert name in out
    assert "A draft campaign with steps but no leads; start answers 400 no_leads_enrolled." in out


def test_scenarios_variants_lists_each_switch_with_its_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios", "--variants"]) == 0
    out = capsys.readouterr().out
    assert "leadterra.start_without_leads  (default: error)" in out
    assert "queue_nothing: https://docs.leadterra.co/guides/create-campaign" in out
    for name in ("leadterra.start_response", "leadterra.sender_pools_shape", "leadterra.create_campaign_response"):
        assert name in out


def test_check_passes_on_every_shipped_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert f"checked {len(registered_catalog().library.describe())} scenario(s)" in capsys.readouterr().err


def test_check_reports_each_problem_with_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(
        tmp_path,
        "bad.yaml",
        """\
        description: several problems
        extends: default
        clocks: {}
        vendors:
          leadterra:
            campaigns:
              - id: camp_x
                name: X
                status: drafty
              - id: camp_y
                name: 42
                senderPoolId: pool_nope
        """,
    )
    assert main(["check", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{bad}:3: clocks: unknown key 'clocks'" in lines
    assert (
        f"{bad}:9: vendors.leadterra.campaigns[0].status: 'drafty' is not one of ['draft', 'running', 'paused']"
        in lines
    )
    assert f"{bad}:11: vendors.leadterra.campaigns[1].name: 42 is not of type 'string'" in lines


def test_check_reports_dangling_references_and_fault_paths_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(
        tmp_path,
        "dangling.yaml",
        """\
        extends: default
        vendors:
          leadterra:
            campaigns:
              - id: camp_y
                name: Y
                senderPoolId: pool_nope
            replies:
              - {id: r1, email: a@b.co, campaignId: camp_missing, classification: interested}
        faults:
          - {vendor: leadterra, path: /v1/nowhere, status: 500}
        """,
    )
    assert main(["check", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{bad}:11: leadterra documents no path '/v1/nowhere'" in lines
    assert f"{bad}:7: vendors.leadterra.campaigns[0].senderPoolId: no sender pool 'pool_nope'" in lines
    assert f"{bad}:9: vendors.leadterra.replies[0].campaignId: no campaign 'camp_missing'" in lines


def test_check_reports_yaml_syntax_errors_with_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, "syntax.yaml", "description: ok\nvendors: [\n")
    assert main(["check", str(bad)]) == 1
    assert capsys.readouterr().out.startswith(f"{bad}:3: YAML syntax:")


def _many_leads(count: int, bad: int | None = None) -> str:
    """A scenario with a Leadterra campaign of `count` leads; lead number `bad` has a number for its email."""
    lines = [
        "extends: default",
        "vendors:",
        "  leadterra:",
        "    campaigns:",
        "      - id: camp_many",
        "        name: Many",
    ]
    lines.append("        leads:")
    lines += [
        f"          - {{email: {n if n == bad else f'lead{n}@many.example'}, firstName: Lead{n}}}" for n in range(count)
    ]
    return "\n".join(lines) + "\n"


def test_check_reports_a_problem_deep_inside_a_long_file_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A long file is loaded without the line of every value; the line of a problem is found when it is reported.
    good = _write(tmp_path, "good.yaml", _many_leads(5_000))
    bad = _write(tmp_path, "bad.yaml", _many_leads(5_000, bad=3_210))
    line = bad.read_text().splitlines().index("          - {email: 3210, firstName: Lead3210}") + 1

    assert main(["check", str(good)]) == 0
    capsys.readouterr()
    assert main(["check", str(bad)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{bad}:{line}: vendors.leadterra.campaigns[0].leads[3210].email: 3210 is not of type 'string'"
    ]


def test_verify_runs_every_shipped_expectation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith(" passed, 0 failed")
    assert int(out[-1].split()[0]) >= 16
    for name in LEADTERRA_SCENARIOS:
        assert any(line.startswith(f"PASS {name} #1") for line in out), name


def test_verify_fails_with_the_reason_when_an_expectation_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = _write(
        tmp_path,
        "wrong.yaml",
        """\
        extends: leadterra/missing-leads
        expect:
          - request: {vendor: leadterra, method: POST, path: /v1/campaigns/camp_empty/start,
                      headers: {Authorization: Bearer sk_test_missing}}
            status: 200
          - request: {vendor: leadterra, method: GET, path: /v1/campaigns/camp_empty/stats,
                      headers: {Authorization: Bearer sk_test_missing}}
            status: 200
            body: {totalEnrolled: 3}
        """,
    )
    assert main(["verify", str(wrong)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "FAIL wrong #1 POST /leadterra/v1/campaigns/camp_empty/start -> 200: expected status 200, got 400"
    )
    assert (
        out[1]
        == "FAIL wrong #2 GET /leadterra/v1/campaigns/camp_empty/stats -> 200: body.totalEnrolled: expected 3, got 0"
    )
    assert out[-1] == "0 passed, 2 failed"


def test_verify_against_a_running_server_leaves_its_default_session_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with MockServer() as server:
        before = server.app.store.get("default").export()
        assert main(["verify", "leadterra/paused", "--target", server.url]) == 0
        assert server.app.store.get("default").export() == before
    assert capsys.readouterr().out.splitlines()[-1] == "4 passed, 0 failed"


def test_serve_refuses_a_broken_scenario_with_file_and_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", "vendors:\n  leadterra:\n    campaigns: [{id: c1}]\n")
    result = subprocess.run(
        [sys.executable, "-m", "campaign_mock", "serve", "--port", "0", "--scenario", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{bad}:3: vendors.leadterra.campaigns[0]: 'name' is a required property" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_scenario_name_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "leadterra/nope"]) == 2
    assert "no scenario named 'leadterra/nope'" in capsys.readouterr().err


def test_serve_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "99999"])
    assert stopped.value.code == 2
    assert "argument --port: '99999' is not a TCP port (0-65535)" in capsys.readouterr().err


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == "campaign-mock 0.1.0\n"


def test_verify_into_a_closed_pipe_stops_quietly() -> None:
    """`campaign-mock verify | head -1`: the reader leaves after one line; no traceback, exit 141 (SIGPIPE's)."""
    command = [sys.executable, "-m", "campaign_mock", "verify", "leadterra/quickstart"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does once it has its line
    returncode = process.wait(timeout=60)
    errors = process.stderr.read().decode()
    process.stderr.close()

    assert first.startswith(b"PASS leadterra/quickstart #1")
    assert (returncode, errors) == (141, "")


def test_serve_journal_size_bounds_the_journal_keeping_the_newest(tmp_path: Path) -> None:
    paths = [f"/leadterra/v1/campaigns/camp_{n}/stats" for n in range(5)]
    with serving(tmp_path, dict(os.environ), ["--quiet", "--journal-size", "3"]) as client:
        for path in paths:
            client.get(path, headers={"Authorization": "Bearer sk_test_leadterra"})
        journal = client.get("/__admin/requests").json()["requests"]
    assert [entry["request"]["path"] for entry in journal] == [p.removeprefix("/leadterra") for p in paths[2:]]
