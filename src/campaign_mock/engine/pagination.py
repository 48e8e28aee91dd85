"""Page-number pagination: one page of an ordered list, and the numbers a vendor puts in its list metadata.

Vendor-blind on purpose: each vendor reads its own query parameters (`page`/`pageSize`, `page`/`per_page`, ...)
and renders the numbers under its own keys; this module only slices and counts, so every vendor answers
"page 3 of 7" the same way. A page past the end is empty rather than an error, as list APIs usually answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of items, with the numbers that describe it (pages count from 1)."""

    items: list[T]
    page: int
    page_size: int
    total: int

    @property
    def total_pages(self) -> int:
        """Pages needed for `total` items; 0 when there are none."""
        return math.ceil(self.total / self.page_size) if self.total else 0

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages


def paginate(items: Sequence[T], page: int = 1, page_size: int = 20) -> Page[T]:
    """The `page`-th slice of `page_size` items. Values below 1 are read as 1 (the spec normally forbids them)."""
    page, page_size = max(1, page), max(1, page_size)
    start = (page - 1) * page_size
    return Page(list(items[start : start + page_size]), page, page_size, len(items))
