"""`campaign-mock new-vendor`: the skeleton it writes into a copy of the checkout is served, checked and tested
there, and it touches only the new vendor's own places and one registry line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from campaign_mock.cli import main
from campaign_mock.scaffold import FILES, MAX_NAME
from serving import serving

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = "src/campaign_mock/vendors/registry.py"
ACME_PLACES = [
    "docs/vendors/acme.md",
    "src/campaign_mock/openapi/acme.yaml",
    "src/campaign_mock/scenarios/acme/default.yaml",
    "src/campaign_mock/vendors/acme/__init__.py",
    "src/campaign_mock/vendors/acme/errors.py",
    "src/campaign_mock/vendors/acme/handlers.py",
    "src/campaign_mock/vendors/acme/state.py",
    "src/campaign_mock/vendors/acme/variants.py",
    "tests/vendors/acme/test_acme.py",
]
DEMO_KEY = {"Authorization": "Bearer sk_test_acme"}
GENERATED_TEST = "tests/vendors/acme/test_acme.py"
NAME_RULE = f"1-{MAX_NAME} lowercase letters and digits, starting with a letter (and not a Python keyword)"


@dataclass(frozen=True)
class Scaffolded:
    root: Path
    env: dict[str, str]  # runs the copy's code: PYTHONPATH=<copy>/src
    status: list[str]  # `git status --porcelain` right after the command
    diff: str  # `git diff -U0`


def _git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=campaign-mock", "-c", "user.email=tests@campaign-mock.invalid"]
    command += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def _copy_checkout(dest: Path) -> None:
    """The sources as a checkout holds them (no caches, no install metadata, no .venv)."""
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", ".mypy_cache", ".ruff_cache")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignored)
    for name in ("pyproject.toml", "README.md", ".gitignore", "tests/conftest.py"):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Scaffolded:
    root = tmp_path_factory.mktemp("checkout")
    _copy_checkout(root)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "checkout")
    assert main(["new-vendor", "acme", "--into", str(root)]) == 0
    status = _git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return Scaffolded(root, env, status, _git(root, "diff", "-U0"))


def _campaign_mock(scaffolded: Scaffolded, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campaign_mock", *args],
        cwd=scaffolded.root,
        env=scaffolded.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- the skeleton in a copy of the checkout -----------------------------------------------------------------
def test_new_vendor_touches_only_its_own_places_and_adds_one_registry_line(scaffolded: Scaffolded) -> None:
    assert sorted(scaffolded.status) == sorted([f" M {REGISTRY}", *(f"?? {place}" for place in ACME_PLACES)])
    added = [line for line in scaffolded.diff.splitlines() if line.startswith(("+", "-"))]
    assert added == [f"--- a/{REGISTRY}", f"+++ b/{REGISTRY}", '+    "acme",']


def test_new_vendor_skeleton_serves_both_operations_from_the_default_scenario(scaffolded: Scaffolded) -> None:
    with serving(scaffolded.root, scaffolded.env) as client:
        listed = client.get("/acme/v1/things", headers=DEMO_KEY)
        unknown = client.get("/acme/v1/things/thing_nope", headers=DEMO_KEY)
        index = client.get("/")
        violations = client.get("/__admin/violations")
    assert listed.status_code == 200
    assert listed.json() == {
        "data": [
            {"id": "thing_001", "name": "First thing", "createdAt": "2025-01-15T10:00:00Z"},
            {"id": "thing_002", "name": "Second thing", "createdAt": "2025-01-15T10:05:00Z"},
        ]
    }
    assert unknown.status_code == 404
    assert unknown.json() == {"error": {"code": "thing_not_found", "message": "No thing with this id exists."}}
    assert index.json()["vendors"]["acme"] == {"prefix": "/acme", "openapi": "/acme/openapi.json"}
    assert violations.status_code == 200
    assert violations.json() == {"violations": []}


def test_new_vendor_scenario_part_is_checked_against_its_spec(scaffolded: Scaffolded) -> None:
    passed = _campaign_mock(scaffolded, "check")
    assert (passed.returncode, passed.stdout) == (0, ""), passed.stderr
    assert passed.stderr.endswith(": 0 problem(s)\n")

    part = scaffolded.root / "src/campaign_mock/scenarios/acme/default.yaml"
    original = part.read_text(encoding="utf-8")
    second = '      - {id: thing_002, name: Second thing, createdAt: "2025-01-15T10:05:00Z"}\n'
    assert second in original
    part.write_text(original.replace(second, second + "      - {id: thing_003, name: 42}\n"), encoding="utf-8")
    try:
        refused = _campaign_mock(scaffolded, "check")
    finally:
        part.write_text(original, encoding="utf-8")
    line = original[: original.index(second)].count("\n") + 2
    assert refused.returncode == 1, refused.stderr
    # Every shipped scenario that builds on `default` reports it; each report is the same line.
    expected = f"scenarios/acme/default.yaml:{line}: vendors.acme.things[2].name: 42 is not of type 'string'"
    assert set(refused.stdout.splitlines()) == {expected}


def test_new_vendor_generated_tests_pass_in_the_checkout(scaffolded: Scaffolded) -> None:
    ran = subprocess.run(
        # Plug-ins the generated tests do not use are left out: they cost seconds to import.
        [sys.executable, "-m", "pytest", "-q", *("-p", "no:hypothesispytest", "-p", "no:schemathesis"), GENERATED_TEST],
        cwd=scaffolded.root,
        env=scaffolded.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "4 passed" in ran.stdout


# -- refusals ----------------------------------------------------------------------------------------------
def _minimal_checkout(root: Path) -> None:
    """Just enough of a checkout for the command: the package folder and the registry."""
    (root / "src/campaign_mock/vendors").mkdir(parents=True)
    shutil.copy2(ROOT / REGISTRY, root / REGISTRY)


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", ["Acme", "1acme", "ac-me", "acme_2", "", "class", "a" * (MAX_NAME + 1)])
def test_new_vendor_invalid_name_is_refused_and_writes_nothing(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _minimal_checkout(tmp_path)
    before = _files(tmp_path)
    assert main(["new-vendor", name, "--into", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"campaign-mock new-vendor: {name!r} is not a vendor name: {NAME_RULE}\n"
    assert captured.out == ""
    assert _files(tmp_path) == before


def test_new_vendor_registered_vendor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _minimal_checkout(tmp_path)
    before = _files(tmp_path)
    assert main(["new-vendor", "leadterra", "--into", str(tmp_path)]) == 2
    message = f"campaign-mock new-vendor: vendor 'leadterra' exists: {REGISTRY} registers it\n"
    assert capsys.readouterr().err == message
    assert _files(tmp_path) == before


def test_new_vendor_existing_place_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _minimal_checkout(tmp_path)
    (tmp_path / "src/campaign_mock/openapi").mkdir()
    (tmp_path / "src/campaign_mock/openapi/zeta.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    before = _files(tmp_path)
    assert main(["new-vendor", "zeta", "--into", str(tmp_path)]) == 2
    message = "campaign-mock new-vendor: vendor 'zeta' exists: src/campaign_mock/openapi/zeta.yaml is already there\n"
    assert capsys.readouterr().err == message
    assert _files(tmp_path) == before


def test_new_vendor_outside_a_checkout_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # --into defaults to the current directory
    assert main(["new-vendor", "zeta"]) == 2
    message = (
        f"{tmp_path.resolve()} is not a campaign-mock source checkout (no src/campaign_mock/); name one with --into"
    )
    assert capsys.readouterr().err == f"campaign-mock new-vendor: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_new_vendor_longest_name_passes_ruff(tmp_path: Path) -> None:
    name = "z" * MAX_NAME
    _copy_checkout(tmp_path)  # ruff tells first-party imports by the modules it finds under src/
    assert main(["new-vendor", name, "--into", str(tmp_path)]) == 0
    written = [target.format(name=name) for _, target in FILES if target.endswith(".py")]
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        ran = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *written], cwd=tmp_path, capture_output=True, text=True
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
