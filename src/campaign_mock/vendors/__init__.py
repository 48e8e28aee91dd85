"""The vendor registry: one line per vendor. Adding a vendor = one spec, one package, one line here."""

from __future__ import annotations

from ..engine.service import Vendor
from .foxreach import VENDOR as FOXREACH
from .leadterra import VENDOR as LEADTERRA

VENDORS: dict[str, Vendor] = {v.name: v for v in (LEADTERRA, FOXREACH)}
