"""A vendor's contract settings: the names its optional `tests/vendors/<vendor>/contract_hooks.py` defines.

Each vendor's file has the same module name, so it is imported from its path rather than by name.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

VENDOR_TESTS = Path(__file__).parents[1] / "vendors"


def hooks_namespace(vendor: str) -> dict[str, Any]:
    """The names `tests/vendors/<vendor>/contract_hooks.py` defines; empty when the vendor has no such file."""
    path = VENDOR_TESTS / vendor / "contract_hooks.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"{vendor}_contract_hooks", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)
