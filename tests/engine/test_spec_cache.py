"""A bundled spec's parse is kept in the user's cache directory, and a cache that is stale or broken is passed by."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign_mock.engine.specs import load_spec


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "campaign-mock"


def test_a_bundled_spec_loads_the_same_from_the_cache(cache_dir: Path) -> None:
    first = load_spec("admin")
    [kept] = cache_dir.iterdir()
    again = load_spec("admin")
    assert again.document == first.document
    assert [op.operation_id for op in again.operations] == [op.operation_id for op in first.operations]
    assert again.lines.line_for(("paths",)) == first.lines.line_for(("paths",)) is not None
    assert list(cache_dir.iterdir()) == [kept]


def test_a_broken_cache_file_is_parsed_again_and_replaced(cache_dir: Path) -> None:
    expected = load_spec("admin").document
    [kept] = cache_dir.iterdir()
    kept.write_bytes(b"not a pickle")
    assert load_spec("admin").document == expected
    assert kept.read_bytes() != b"not a pickle"


def test_a_spec_outside_the_bundle_is_not_kept(cache_dir: Path, tmp_path: Path) -> None:
    spec = tmp_path / "mine.yaml"
    spec.write_text('openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n', encoding="utf-8")
    load_spec("mine", spec)
    assert not cache_dir.exists()
