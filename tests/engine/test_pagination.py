"""Page-number pagination: slices and the numbers around them."""

from __future__ import annotations

import pytest

from campaign_mock.engine.pagination import paginate


@pytest.mark.parametrize(
    ("page", "size", "items", "total_pages", "has_next"),
    [
        (1, 20, list(range(20)), 3, True),
        (3, 20, list(range(40, 45)), 3, False),
        (4, 20, [], 3, False),
        (1, 100, list(range(45)), 1, False),
        (2, 1, [1], 45, True),
    ],
)
def test_paginate_slices_and_counts(page: int, size: int, items: list[int], total_pages: int, has_next: bool) -> None:
    result = paginate(list(range(45)), page, size)
    assert (result.items, result.page, result.page_size, result.total) == (items, page, size, 45)
    assert (result.total_pages, result.has_next) == (total_pages, has_next)


def test_paginate_empty_list_has_no_pages() -> None:
    result = paginate([], 1, 20)
    assert (result.items, result.total, result.total_pages, result.has_next) == ([], 0, 0, False)


def test_paginate_reads_values_below_one_as_one() -> None:
    result = paginate("abc", 0, 0)
    assert (result.items, result.page, result.page_size) == (["a"], 1, 1)


def test_paginate_defaults_to_the_first_page_of_twenty() -> None:
    result = paginate(range(30))
    assert (len(result.items), result.page, result.page_size, result.total_pages) == (20, 1, 20, 2)
