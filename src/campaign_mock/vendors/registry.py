"""The vendors served: the shipped ones, one line each, and any an installed package adds.

A package adds a vendor through the entry-point group `campaign_mock.vendors`, naming its `Vendor` object
(`acme = "acme_mock:VENDOR"` under `[project.entry-points."campaign_mock.vendors"]`), so an in-house API can
be mocked without forking this project.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache
from typing import Any

from ..engine.catalog import Catalog, load_catalog
from ..engine.errors import ConfigError
from ..engine.validation import Backend
from ..engine.vendor import Vendor
from .foxreach import VENDOR as FOXREACH
from .leadterra import VENDOR as LEADTERRA

ENTRY_POINT_GROUP = "campaign_mock.vendors"

SHIPPED: tuple[Vendor[Any], ...] = (
    LEADTERRA,
    FOXREACH,
)


@cache
def registered_vendors() -> tuple[Vendor[Any], ...]:
    """The shipped vendors, then those of installed packages (in entry-point name order)."""
    installed = []
    for point in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        try:
            vendor = point.load()
        except Exception as exc:  # a broken plug-in must say which one, not stop with a traceback
            raise ConfigError.single(f"entry point {point.name} = {point.value}", None, f"cannot load: {exc}") from None
        if not isinstance(vendor, Vendor):
            message = f"names a {type(vendor).__name__}, not a campaign_mock Vendor"
            raise ConfigError.single(f"entry point {point.name} = {point.value}", None, message)
        installed.append(vendor)
    return (*SHIPPED, *installed)


def registered_catalog(backend: Backend = "fast") -> Catalog:
    """The catalog of every registered vendor (what `create_app()` serves by default)."""
    return load_catalog(registered_vendors(), backend)
