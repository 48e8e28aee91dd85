"""The Dockerfile (no image is built here): a slim Python base, a non-root user, the package installed, and a
command line the CLI accepts that serves on all interfaces with the admin token from the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from campaign_mock.cli import _parser, _settings, main

ROOT = Path(__file__).resolve().parent.parent
TOKEN_ENV = "CAMPAIGN_MOCK_ADMIN_TOKEN"


def _instructions(text: str) -> list[tuple[str, str]]:
    """`(INSTRUCTION, arguments)` in order, continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions((ROOT / "Dockerfile").read_text())
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def _command_line() -> list[str]:
    stage = dict(_final_stage())
    entrypoint: list[str] = json.loads(stage["ENTRYPOINT"])  # exec form: no shell between Docker and the CLI
    command: list[str] = json.loads(stage["CMD"])
    return [*entrypoint, *command]


def test_the_image_is_slim_python_installs_the_package_and_runs_as_a_user_other_than_root() -> None:
    stage = _final_stage()
    assert re.fullmatch(r"python:3\.1[1-9]-slim", stage[0][1])
    users = [args for keyword, args in stage if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    runs = " ".join(args for keyword, args in stage if keyword == "RUN")
    assert re.search(r"pip install .*campaign-mock", runs)


def test_its_command_is_campaign_mock_serve_on_all_interfaces_on_the_exposed_port() -> None:
    argv = _command_line()
    assert argv[0] == "campaign-mock"
    args = _parser().parse_args(argv[1:])
    assert (args.command, args.host) == ("serve", "0.0.0.0")
    exposed = dict(_final_stage())["EXPOSE"].split()
    assert [str(args.port)] == exposed


def test_the_admin_token_comes_from_the_environment_and_is_never_baked_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = _instructions((ROOT / "Dockerfile").read_text())
    assert not [args for keyword, args in steps if keyword in ("ENV", "ARG") and TOKEN_ENV in args]
    argv = _command_line()[1:]

    monkeypatch.setenv(TOKEN_ENV, "s3cret-token")
    assert _settings(_parser().parse_args(argv)).admin_token == "s3cret-token"

    monkeypatch.delenv(TOKEN_ENV)
    assert main(argv) == 2  # `docker run` without -e CAMPAIGN_MOCK_ADMIN_TOKEN=...: refused, saying why
    assert TOKEN_ENV in capsys.readouterr().err


def test_the_build_context_holds_what_the_build_copies_and_leaves_out_the_local_environment() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()}
    assert {".git", ".venv"} <= ignored
    copied = [
        source
        for keyword, args in _instructions((ROOT / "Dockerfile").read_text())
        if keyword == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert source.rstrip("/") not in ignored, source
