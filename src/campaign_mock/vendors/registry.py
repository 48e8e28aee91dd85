"""The vendors served: the shipped ones, one line each, and any an installed package adds.

A shipped vendor is one line in `SHIPPED_MODULES`: the name of its package under `campaign_mock.vendors`, which
exposes one `VENDOR` (`campaign-mock new-vendor NAME` writes the package and adds the line). A package adds a
vendor through the entry-point group `campaign_mock.vendors`, naming its `Vendor` object
(`acme = "acme_mock:VENDOR"` under `[project.entry-points."campaign_mock.vendors"]`), so an in-house API can
be mocked without forking this project.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from functools import cache
from typing import Any

from ..engine.catalog import Catalog, load_catalog
from ..engine.errors import ConfigError
from ..engine.validation import Backend
from ..engine.vendor import Vendor

ENTRY_POINT_GROUP = "campaign_mock.vendors"

SHIPPED_MODULES = (
    "leadterra",
    "foxreach",
    "voicegenie",
    "sonarly",
)


def _shipped(module: str) -> Vendor[Any]:
    vendor = importlib.import_module(f"{__package__}.{module}").VENDOR
    if not isinstance(vendor, Vendor):
        raise TypeError(f"campaign_mock.vendors.{module}.VENDOR is a {type(vendor).__name__}, not a Vendor")
    return vendor


SHIPPED: tuple[Vendor[Any], ...] = tuple(_shipped(module) for module in SHIPPED_MODULES)


@cache
def registered_vendors() -> tuple[Vendor[Any], ...]:
    """The shipped vendors, then those of installed packages (in entry-point name order)."""
    installed = []
    for point in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        where = f"entry point {point.name} = {point.value}"
        try:
            vendor = point.load()
        except Exception as exc:  # a broken plug-in must say which one, in one line, not stop with a traceback
            raise ConfigError.single(where, None, f"cannot load: {_one_line(exc)}") from None
        if not isinstance(vendor, Vendor):
            raise ConfigError.single(where, None, f"names a {type(vendor).__name__}, not a campaign_mock Vendor")
        installed.append(vendor)
    return (*SHIPPED, *installed)


def registered_catalog(backend: Backend = "fast", *, check_all: bool = False) -> Catalog:
    """The catalog of every registered vendor (what `create_app()` serves by default); `check_all` as for
    `load_catalog`."""
    return load_catalog(registered_vendors(), backend, check_all=check_all)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
