"""A bundled spec's parse is kept in the user's cache directory, and a cache that is stale or broken is passed by.
A spec whose very text passed every check before starts without checking it again, and any edit is checked in full."""

from __future__ import annotations

import dataclasses
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fake_vendor import FAKE, SPEC_FILE

from campaign_mock.app import create_app
from campaign_mock.cli import main
from campaign_mock.engine import catalog, specs
from campaign_mock.engine.errors import ConfigError
from campaign_mock.engine.specs import load_spec
from campaign_mock.engine.validation import Backend, SchemaValidator
from campaign_mock.engine.vendor import Vendor


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


# -- a spec that passed every check before -----------------------------------------------------------------------
# A bundled spec whose very text passed every check on an earlier start is not checked again, and its validators are
# compiled when first used. Any edit of the text is a new cache key: checked in full again, at start.

BREAKS = {
    "an unknown keyword in a component schema": (
        "      additionalProperties: false\n      required: [id, name, kind]",
        "      additionalproperties: false\n      required: [id, name, kind]",
        "invalid schema Thing: (schema): unknown keyword 'additionalproperties'",
    ),
    "a dangling reference": (
        'maxLength: 40}\n                kind: {$ref: "#/components/schemas/Kind"}',
        'maxLength: 40}\n                kind: {$ref: "#/components/schemas/Sort"}',
        "dangling reference '#/components/schemas/Sort'",
    ),
    "a schema the compiled validator refuses": (
        "name: {type: string, minLength: 1, maxLength: 40}",
        "name: {type: string, pattern: '^(', maxLength: 40}",
        "invalid schema: ",
    ),
}


@pytest.fixture
def bundled(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake vendor's spec, and the admin spec, as bundled specs (in the folder whose specs are cached)."""
    folder = tmp_path / "package" / "campaign_mock" / "openapi"
    folder.mkdir(parents=True)
    shutil.copy(SPEC_FILE, folder / SPEC_FILE.name)
    shutil.copy(specs.SPEC_DIR / "admin.yaml", folder / "admin.yaml")
    monkeypatch.setattr(specs, "SPEC_DIR", folder)
    monkeypatch.setattr(catalog, "SPEC_DIR", folder)
    return folder / SPEC_FILE.name


def _break(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert text.count(old) == 1
    spec.write_text(text.replace(old, new), encoding="utf-8")


def _refusal(spec: Path, **kwargs: Any) -> list[tuple[int | None, str]]:
    with pytest.raises(ConfigError) as caught:
        load_spec(FAKE.name, spec, **kwargs)
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_the_validators_of_a_spec_that_passed_before_judge_as_those_checked_at_once(
    bundled: Path, backend: Backend
) -> None:
    checked = load_spec(FAKE.name, bundled)
    trusted = load_spec(FAKE.name, bundled, backend)
    bodies: list[Any] = [{}, {"problem": {"code": "x"}}, {"things": [{"id": 1}]}, {"id": "t", "name": "n", "kind": "x"}]

    judged = 0
    for first, again in zip(checked.operations, trusted.operations, strict=True):
        for status, response in first.responses.items():
            other = again.responses[status]
            if response.validator is None or other.validator is None:
                assert response.validator is other.validator is None
                continue
            for body in bodies:
                assert other.validator.issues(body) == response.validator.issues(body), (first.operation_id, status)
                judged += 1
    assert judged > 50


@pytest.mark.parametrize("old, new, message", BREAKS.values(), ids=BREAKS.keys())
def test_an_edit_that_breaks_a_spec_that_passed_before_is_refused_as_on_a_first_start(
    bundled: Path, tmp_path: Path, old: str, new: str, message: str
) -> None:
    load_spec(FAKE.name, bundled)  # passes, and the cache says so
    _break(bundled, old, new)
    elsewhere = tmp_path / "elsewhere.yaml"  # the same text where nothing is cached
    elsewhere.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")

    refused = _refusal(bundled)

    assert refused == _refusal(elsewhere)
    assert any(text.startswith(message) and line is not None for line, text in refused), refused
    assert _refusal(bundled) == refused  # kept as parsed, never as passed: refused on every start


@pytest.mark.parametrize("old, new, message", BREAKS.values(), ids=BREAKS.keys())
def test_an_app_and_the_check_command_refuse_the_broken_edit_with_file_and_line(
    bundled: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    message: str,
) -> None:
    def started() -> Vendor[Any]:  # a vendor object of its own, as in a process of its own: catalogs are kept per one
        return dataclasses.replace(FAKE, spec_file=bundled)

    create_app(vendors=[started()])  # a first start: every check passes
    _break(bundled, old, new)
    # `check` checks the registered vendors: here, only this one (named by path: engine tests import no vendor).
    monkeypatch.setattr("campaign_mock.vendors.registry.registered_vendors", lambda: (started(),))

    with pytest.raises(ConfigError) as caught:
        create_app(vendors=[started()])
    assert main(["check"]) == 2

    at_start = [str(p) for p in caught.value.problems]
    assert any(f"{bundled.name}:" in line and f": {message}" in line for line in at_start), at_start
    assert capsys.readouterr().err == "".join(f"{line}\n" for line in at_start)


def test_check_all_compiles_every_validator_of_a_spec_that_passed_before(bundled: Path) -> None:
    load_spec(FAKE.name, bundled)

    trusted = load_spec(FAKE.name, bundled)
    checked = load_spec(FAKE.name, bundled, check_all=True)

    def pending(spec: specs.Spec) -> int:
        validators = [r.validator for op in spec.operations for r in op.responses.values()]
        return sum(v._pending for v in validators if v is not None)

    assert pending(trusted) > 0
    assert pending(checked) == 0


def test_a_validator_first_used_by_several_threads_at_once_answers_each_of_them() -> None:
    built: list[int] = []

    def build() -> dict[str, Any]:
        built.append(1)
        return {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}

    validator = SchemaValidator.on_first_use(build)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: [str(x) for x in validator.issues({"id": 7} if i % 2 else {})], range(64)))

    assert answers[0] == ["(top level): 'id' is a required property"]
    assert answers[1] == ["id: 7 is not of type 'string'"]
    assert all(answer == answers[i % 2] for i, answer in enumerate(answers))
    assert 1 <= len(built) <= 8  # once, or once by each thread that came before the first had finished
