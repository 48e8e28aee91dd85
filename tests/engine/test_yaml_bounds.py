"""Scenario files load in time linear in their text: aliases may repeat parts of a file but not multiply them, an
alias may not refer to the collection it is in, and nesting is bounded. `campaign-mock check` and `serve
--scenario` say which file and line broke a bound, at once. (The admin API's side: tests/server/test_http_hostile.py.)
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from campaign_mock.cli import main
from campaign_mock.server import free_port


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """~400 characters that expand to width**levels values: each anchor lists the one before `width` times."""
    lines = ["x-a0: &a0 [x]"]
    lines += [f"x-a{n}: &a{n} [{','.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


MERGED = """\
description: records that share their defaults
x-defaults: &defaults {status: draft, tags: [a, b]}
x-records:
  - <<: *defaults
    id: one
  - <<: *defaults
    status: running
"""


@pytest.fixture
def check(write_scenario: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> Callable[[str], list[str]]:
    """`check(text)`: `campaign-mock check` on the text written to a file: the problems it prints, each
    `file:line: message` (an empty list when it passes)."""

    def run(text: str) -> list[str]:
        path = write_scenario(text)
        code = main(["check", str(path)])
        lines = capsys.readouterr().out.splitlines()
        assert code == (1 if lines else 0)
        return [line.replace(str(path), "FILE") for line in lines]

    return run


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The cyclic garbage collector on (as it is by default) for the test, and as it was afterwards, whatever the
    test did to it."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_alias_bomb_is_refused_at_once_naming_the_alias_that_crossed_the_bound(
    check: Callable[[str], list[str]],
) -> None:
    assert check("description: warm-up\n") == []  # the first check in a run loads every spec
    started = time.perf_counter()
    assert check("description: harmless\n") == []
    harmless_seconds = time.perf_counter() - started
    bomb = alias_bomb()
    started = time.perf_counter()
    problems = check(bomb)
    bomb_seconds = time.perf_counter() - started

    assert problems == [
        f"FILE:5: alias *a3 expands the document past {len(bomb) + 10_000} values, the most a text of {len(bomb)}"
        " characters may hold: aliases may repeat parts of it, not multiply them"
    ]
    # Expanded, the file holds a billion values: only a refusal that never expands it takes about as long as a
    # check of a harmless file.
    assert bomb_seconds < harmless_seconds + 1


def test_alias_to_the_collection_it_is_in_is_refused(check: Callable[[str], list[str]]) -> None:
    assert check("description: x\nx-loop: &loop\n  - 1\n  - *loop\n") == [
        "FILE:4: alias *loop refers to the collection it is in (JSON has no cycles)"
    ]


def test_nesting_deeper_than_128_levels_is_refused_where_it_goes_too_deep(check: Callable[[str], list[str]]) -> None:
    deep = "description: x\nx-deep: " + "[" * 129 + "]" * 129 + "\n"
    assert check(deep) == ["FILE:2: x-deep[0][0]: nests collections more than 128 levels deep"]
    assert check("description: x\nx-deep: " + "[" * 127 + "]" * 127 + "\n") == []


def test_aliases_that_repeat_parts_of_a_file_still_load(check: Callable[[str], list[str]]) -> None:
    assert check(MERGED) == []
    many = "description: x\nx-step: &step {status: 503, times: 1}\nx-steps:\n" + "  - *step\n" * 2_000
    assert check(many) == []


def test_serve_refuses_to_start_on_an_alias_bomb_and_says_where(
    write_scenario: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = write_scenario(alias_bomb())
    assert main(["serve", "--scenario", str(bomb), "--port", str(free_port())]) == 2
    assert f"{bomb}:5: alias *a3 expands the document past" in capsys.readouterr().err


@pytest.mark.usefixtures("collector_on")
def test_loading_leaves_the_garbage_collector_as_it_found_it(check: Callable[[str], list[str]]) -> None:
    assert check(MERGED) == []
    assert gc.isenabled()
    gc.disable()
    assert check(MERGED) == []
    assert not gc.isenabled()
