"""What `campaign-mock` spends before it answers: the modules a command does not need stay unimported, and the
cyclic garbage collector, paused while a command starts, runs again once it has."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from campaign_mock.cli import main

# Needed by other commands or options only: `verify` (httpx), error messages (jsonschema), --state-file (sqlite3),
# spreadsheets (openpyxl).
UNNEEDED_TO_SERVE = ("httpx", "jsonschema", "sqlite3", "openpyxl")


def _imported_after(code: str) -> set[str]:
    shown = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(shown.stdout.split())


def test_the_command_module_imports_no_part_of_the_mock_until_a_command_runs() -> None:
    imported = _imported_after("import campaign_mock.cli")

    assert "campaign_mock.app" not in imported
    assert "uvicorn" not in imported


def test_the_package_gives_its_names_when_they_are_first_used() -> None:
    imported = _imported_after("import campaign_mock")
    assert "campaign_mock.app" not in imported

    named = _imported_after("from campaign_mock import MockServer, create_app\nassert MockServer and create_app")
    assert {"campaign_mock.app", "campaign_mock.server"} <= named


def test_an_app_as_served_imports_nothing_only_other_commands_need() -> None:
    imported = _imported_after("from campaign_mock.app import create_app\ncreate_app()")

    assert imported.isdisjoint(UNNEEDED_TO_SERVE), imported & set(UNNEEDED_TO_SERVE)


def test_the_collector_runs_again_after_each_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gc.isenabled()
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")

    assert main(["scenarios"]) == 0
    assert gc.isenabled()
    assert main(["check", str(broken)]) == 1
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["serve", "--port", "99999"])
    assert gc.isenabled()
    capsys.readouterr()
