"""Every registered vendor is complete: a spec whose operations cite their page and list their responses, a
handler for every operation and none spare, its part of the default scenario, a docs page, a test folder, and
variants named `<vendor>.<switch>`. The admin API is held to the same one-method-per-operation rule."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from campaign_mock.engine.admin import Admin
from campaign_mock.engine.catalog import ADMIN
from campaign_mock.engine.vendor import Vendor
from campaign_mock.vendors.registry import registered_catalog, registered_vendors

ROOT = Path(__file__).resolve().parents[2]
VENDORS = {vendor.name: vendor for vendor in registered_vendors()}
by_vendor = pytest.mark.parametrize("vendor", VENDORS.values(), ids=list(VENDORS))


def _undocumented(spec_operations: list[str], handlers: list[str]) -> tuple[list[str], list[str]]:
    """(operations without a handler, handlers without an operation)."""
    return sorted(set(spec_operations) - set(handlers)), sorted(set(handlers) - set(spec_operations))


@by_vendor
def test_vendor_spec_operations_have_a_source_and_responses(vendor: Vendor[Any]) -> None:
    spec = registered_catalog().specs[vendor.name]  # loaded from vendor.spec_file, once for the run

    assert spec.operations, vendor.spec_file
    assert [op.operation_id for op in spec.operations if not op.sources] == []
    assert [op.operation_id for op in spec.operations if not op.responses] == []


@by_vendor
def test_vendor_handlers_match_the_documented_operations(vendor: Vendor[Any]) -> None:
    operations = [op.operation_id for op in registered_catalog().specs[vendor.name].operations]

    assert _undocumented(operations, list(vendor.handlers)) == ([], [])


def test_admin_methods_match_the_documented_operations() -> None:
    operations = [op.operation_id for op in registered_catalog().specs[ADMIN].operations]
    methods = [
        name
        for name, fn in vars(Admin).items()
        if not name.startswith("_") and inspect.iscoroutinefunction(fn) and name != "handle"
    ]

    assert _undocumented(operations, methods) == ([], [])


@by_vendor
def test_vendor_ships_its_part_of_the_default_scenario(vendor: Vendor[Any]) -> None:
    assert vendor.scenario_dir is not None, vendor.name
    assert (vendor.scenario_dir / "default.yaml").is_file(), vendor.scenario_dir


@by_vendor
def test_vendor_has_a_docs_page_and_a_test_folder(vendor: Vendor[Any]) -> None:
    assert (ROOT / "docs" / "vendors" / f"{vendor.name}.md").is_file()
    assert (ROOT / "tests" / "vendors" / vendor.name).is_dir()


@by_vendor
def test_vendor_variants_are_named_vendor_dot_switch(vendor: Vendor[Any]) -> None:
    pattern = re.compile(rf"{re.escape(vendor.name)}\.[a-z][a-z0-9_]*")

    assert [v.name for v in vendor.variants if not pattern.fullmatch(v.name)] == []
