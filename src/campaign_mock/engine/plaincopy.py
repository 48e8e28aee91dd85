"""Copies of plain data: what a scenario file holds (dicts, lists, text, numbers, true/false, null).

Every session starts from its own copy of the scenario's records, so building one is mostly copying: through
marshal, a few times quicker than `copy.deepcopy`. A copy shares nothing with its original, and two references
to one object inside the original stay two references to one object in the copy (as with `copy.deepcopy`).
"""

from __future__ import annotations

import copy
import marshal
from typing import Any, TypeVar

T = TypeVar("T")


def plain_copy(data: T) -> T:
    """A deep copy of `data`; anything marshal cannot write (not plain data) is copied by `copy.deepcopy`."""
    written: Any = data
    try:
        copied: T = marshal.loads(marshal.dumps(written))
    except ValueError:
        return copy.deepcopy(data)
    return copied


def owned(value: T) -> T:
    """`value` to store or hand out without sharing it: a list or map copied (`plain_copy`), anything else (text,
    numbers, true/false, null: nothing can change them) as it is, for free."""
    return plain_copy(value) if isinstance(value, (list, dict)) else value  # a tuple: a union is built on every call
