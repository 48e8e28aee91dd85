"""The engine stands on its own: it imports no vendor, and its tests run on the fake vendor alone."""

from __future__ import annotations

import ast
from pathlib import Path

import campaign_mock.engine
from campaign_mock.engine.scenario_files import SCENARIO_DIR
from campaign_mock.engine.specs import SPEC_DIR

ENGINE_DIR = Path(campaign_mock.engine.__file__).resolve().parent
TESTS_DIR = Path(__file__).resolve().parent


def _imported(file: Path) -> list[str]:
    """Every module a file imports, relative ones written with their leading dots."""
    names: list[str] = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names += [module] + [
                module + alias.name if module.endswith(".") else f"{module}.{alias.name}" for alias in node.names
            ]
    return names


def _names_vendors(module: str) -> bool:
    return "vendors" in module.lstrip(".").split(".")


def _shipped_vendor_names() -> set[str]:
    specs = {path.stem for path in SPEC_DIR.glob("*.yaml")} - {"admin"}
    return specs | {path.name for path in SCENARIO_DIR.iterdir() if path.is_dir()}


def test_engine_modules_import_nothing_from_vendors() -> None:
    files = sorted(ENGINE_DIR.glob("*.py"))

    offenders = [f"{file.name}: {name}" for file in files for name in _imported(file) if _names_vendors(name)]

    assert len(files) > 10
    assert offenders == []


def test_import_check_sees_a_vendors_import_written_any_way(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from ..vendors import registry\nfrom .. import vendors\nimport campaign_mock.vendors.x\n")

    assert [name for name in _imported(sample) if _names_vendors(name)] == [
        "..vendors",
        "..vendors.registry",
        "..vendors",
        "campaign_mock.vendors.x",
    ]


def test_engine_tests_import_no_vendor_and_name_no_shipped_vendor() -> None:
    shipped = _shipped_vendor_names()
    files = sorted(p for p in TESTS_DIR.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".md"))

    named = [f"{p.relative_to(TESTS_DIR)}: {n}" for p in files for n in sorted(shipped) if n in p.read_text().lower()]
    imported = [
        f"{p.relative_to(TESTS_DIR)}: {name}"
        for p in files
        if p.suffix == ".py"
        for name in _imported(p)
        if _names_vendors(name)
    ]

    assert len(shipped) >= 2
    assert (named, imported) == ([], [])
