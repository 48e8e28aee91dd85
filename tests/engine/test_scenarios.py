"""Scenarios: `extends` order, merging records by identity, and problems located in the file that caused them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fake_vendor import FAKE, FAKE_KEY

from campaign_mock.engine.catalog import load_catalog
from campaign_mock.engine.errors import ConfigError, Problem
from campaign_mock.engine.scenarios import Scenario, load_scenario, load_scenario_text, merge_all

CATALOG = load_catalog([FAKE])
Write = Callable[[str], Path]


def _problems(ref: Path | str) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_scenario(str(ref), CATALOG)
    return caught.value.problems


def _things(scenario: Scenario) -> list[tuple[str, str]]:
    return [(t["id"], t["name"]) for t in scenario.vendors["fakevendor"]["things"]]


# -- the library -----------------------------------------------------------------------------------------
def test_default_scenario_is_composed_of_the_vendors_part() -> None:
    scenario = load_scenario("default", CATALOG)

    assert (scenario.name, scenario.description) == (
        "default",
        "Demo keys and records for every vendor, with campaigns in every state.",
    )
    assert scenario.vendors["fakevendor"]["api_keys"] == [FAKE_KEY]
    assert _things(scenario) == [("thing_1", "Box"), ("thing_2", "Pen")]


def test_vendor_scenarios_are_shipped_under_its_name_without_its_part_of_default() -> None:
    assert CATALOG.library.names() == ["default", "fakevendor/formal"]
    assert load_scenario("fakevendor/formal", CATALOG).variants == {"fakevendor.greeting": "formal"}


# -- extends and merging ---------------------------------------------------------------------------------
def test_extends_applies_parents_in_order_then_the_file_itself(write_scenario: Write) -> None:
    first = write_scenario(
        """\
        seed: 1
        rate_limits: {fakevendor: {limit: 5}}
        faults: [{vendor: fakevendor, status: 503}]
        vendors:
          fakevendor:
            api_keys: [fk_a]
            things: [{id: t1, name: First, kind: folder}]
        """
    )
    second = write_scenario(
        """\
        seed: 2
        variants: {fakevendor.greeting: formal}
        faults: [{vendor: fakevendor, status: 502}]
        vendors:
          fakevendor:
            api_keys: [fk_b, fk_a]
            things: [{id: t2, name: Second, kind: item}, {id: t1, name: First again, kind: folder}]
        """
    )
    child = write_scenario(
        f"""\
        name: child
        extends: [{first.name}, {second.name}]
        variants: {{fakevendor.greeting: plain}}
        faults: [{{vendor: fakevendor, status: 500}}]
        vendors:
          fakevendor:
            things: [{{id: t3, name: Third, kind: item}}]
        """
    )

    scenario = load_scenario(str(child), CATALOG)

    assert scenario.name == "child"
    assert scenario.seed == 2
    assert scenario.variants == {"fakevendor.greeting": "plain"}
    assert scenario.rate_limits == {"fakevendor": {"limit": 5}}
    assert [f["status"] for f in scenario.faults] == [503, 502, 500]
    assert scenario.vendors["fakevendor"]["api_keys"] == ["fk_a", "fk_b"]
    assert _things(scenario) == [("t1", "First again"), ("t2", "Second"), ("t3", "Third")]


def test_extends_a_shipped_name_from_a_file(write_scenario: Write) -> None:
    child = write_scenario("extends: fakevendor/formal\nseed: 4\n")

    scenario = load_scenario(str(child), CATALOG)

    assert (scenario.seed, scenario.variants) == (4, {"fakevendor.greeting": "formal"})
    assert _things(scenario) == [("thing_1", "Box"), ("thing_2", "Pen")]


def test_merge_replaces_records_by_id_then_by_key_then_by_plain_value() -> None:
    base = Scenario(
        "base",
        seed=1,
        vendors={
            "fakevendor": {
                "things": [{"id": "a", "n": 1}, {"id": "b", "n": 1}],
                "keys": [{"key": "k1", "n": 1}],
                "tags": ["x", "y"],
                "notes": [{"text": "kept"}],
                "owner": {"name": "old"},
            }
        },
    )
    top = Scenario(
        "top",
        vendors={
            "fakevendor": {
                "things": [{"id": "b", "n": 2}, {"id": "c", "n": 2}],
                "keys": [{"key": "k1", "n": 2}, {"key": "k2", "n": 2}],
                "tags": ["y", "z"],
                "notes": [{"text": "kept"}],
                "owner": {"name": "new"},
            }
        },
    )

    merged = merge_all([base, top])

    assert (merged.name, merged.seed) == ("top", 1)
    assert merged.vendors["fakevendor"] == {
        "things": [{"id": "a", "n": 1}, {"id": "b", "n": 2}, {"id": "c", "n": 2}],
        "keys": [{"key": "k1", "n": 2}, {"key": "k2", "n": 2}],
        "tags": ["x", "y", "z"],
        "notes": [{"text": "kept"}, {"text": "kept"}],  # no identity: appended
        "owner": {"name": "new"},  # not a list: replaced whole
    }
    assert base.vendors["fakevendor"]["things"] == [{"id": "a", "n": 1}, {"id": "b", "n": 1}]


def test_later_scenarios_override_earlier_ones_key_by_key() -> None:
    merged = merge_all(
        [
            Scenario("a", clock={"now": "2025-01-01T00:00:00Z"}, seed=1, variants={"v.x": "1", "v.y": "1"}),
            Scenario("b", description="b", variants={"v.y": "2"}, rate_limits={"fakevendor": {"limit": 3}}),
        ]
    )

    assert (merged.name, merged.description, merged.clock, merged.seed) == (
        "b",
        "b",
        {"now": "2025-01-01T00:00:00Z"},
        1,
    )
    assert (merged.variants, merged.rate_limits) == ({"v.x": "1", "v.y": "2"}, {"fakevendor": {"limit": 3}})


# -- problems, located -----------------------------------------------------------------------------------
def test_schema_problem_in_a_parent_names_the_parents_file_and_line(write_scenario: Write) -> None:
    parent = write_scenario(
        """\
        vendors:
          fakevendor:
            things:
              - {id: t1, name: One, kind: folder}
              - {id: t2, name: Two, kind: box}
        """
    )
    child = write_scenario(f"extends: {parent.name}\n")

    assert _problems(child) == [
        Problem(str(parent), 5, "vendors.fakevendor.things[1].kind: 'box' is not one of ['folder', 'item']")
    ]


def test_reference_problem_of_a_record_from_a_parent_is_located_in_the_parent(write_scenario: Write) -> None:
    parent = write_scenario(
        """\
        vendors:
          fakevendor:
            things:
              - {id: t1, name: One, kind: folder}
              - id: t2
                name: Two
                kind: item
                parentId: t1
        """
    )
    # Fine on its own; the child turns t1 into an item, which breaks t2 (a record the parent wrote).
    child = write_scenario(
        f"""\
        extends: {parent.name}
        vendors:
          fakevendor:
            things: [{{id: t1, name: One, kind: item}}]
        """
    )

    assert _problems(child) == [Problem(str(parent), 8, "vendors.fakevendor.things[1].parentId: 't1' is not a folder")]


def test_reference_problem_of_a_record_from_a_grandparent_is_located_in_the_grandparent(
    write_scenario: Write,
) -> None:
    grandparent = write_scenario(
        """\
        vendors:
          fakevendor:
            things:
              - {id: t1, name: One, kind: folder}
              - {id: t2, name: Two, kind: item, parentId: t1}
        """
    )
    parent = write_scenario(f"extends: {grandparent.name}\n")
    child = write_scenario(
        f"""\
        extends: {parent.name}
        vendors:
          fakevendor:
            things: [{{id: t1, name: One, kind: item}}]
        """
    )

    assert _problems(child) == [
        Problem(str(grandparent), 5, "vendors.fakevendor.things[1].parentId: 't1' is not a folder")
    ]


def test_reference_problem_of_a_record_from_the_file_itself_is_located_there(write_scenario: Write) -> None:
    parent = write_scenario("vendors: {fakevendor: {things: [{id: t1, name: One, kind: item}]}}\n")
    child = write_scenario(
        f"""\
        extends: {parent.name}
        vendors:
          fakevendor:
            things:
              - {{id: t2, name: Two, kind: item,
                  parentId: t1}}
        """
    )

    assert _problems(child) == [Problem(str(child), 6, "vendors.fakevendor.things[0].parentId: 't1' is not a folder")]


def test_extends_a_missing_file_names_the_line_that_asks_for_it(write_scenario: Write) -> None:
    child = write_scenario("description: lost\nextends:\n  - default\n  - nowhere.yaml\n")

    assert _problems(child) == [
        Problem(str(child), 4, "no scenario named 'nowhere.yaml' (shipped names: campaign-mock scenarios)")
    ]


def test_extends_a_cycle_is_refused(write_scenario: Write, tmp_path: Path) -> None:
    first = tmp_path / "first.yaml"
    second = tmp_path / "second.yaml"
    first.write_text("extends: second.yaml\n", encoding="utf-8")
    second.write_text("extends: first.yaml\n", encoding="utf-8")

    assert _problems(first) == [Problem(str(first), None, f"extends forms a cycle: {first} -> {second}")]


def test_fault_with_a_body_for_a_status_the_operation_does_not_document_is_refused(write_scenario: Write) -> None:
    file = write_scenario(
        """\
        extends: default
        faults:
          - vendor: fakevendor
            path: /v1/things
            method: GET
            status: 418
            body: {teapot: true}
        """
    )

    assert _problems(file) == [Problem(str(file), 6, "list_things documents no 418 response")]


def test_fault_body_that_breaks_the_documented_schema_is_refused(write_scenario: Write) -> None:
    file = write_scenario(
        """\
        faults:
          - vendor: fakevendor
            path: /v1/things/{thing_id}
            status: 404
            body:
              problem: {code: gone}
        """
    )

    assert _problems(file) == [
        Problem(str(file), 6, "body breaks get_thing 404 schema: problem: 'detail' is a required property")
    ]


def test_fault_aimed_at_an_undocumented_path_is_refused(write_scenario: Write) -> None:
    file = write_scenario("faults:\n  - {vendor: fakevendor, path: /v1/nowhere, status: 503}\n")

    assert _problems(file) == [Problem(str(file), 2, "fakevendor documents no path '/v1/nowhere'")]


def test_unknown_variant_choice_is_refused_at_its_line(write_scenario: Write) -> None:
    file = write_scenario("extends: default\nvariants:\n  fakevendor.greeting: shouted\n")

    assert _problems(file) == [
        Problem(str(file), 3, "variants.fakevendor.greeting: 'shouted' is not one of ['plain', 'formal']")
    ]


def test_posted_text_may_extend_shipped_names_only() -> None:
    assert load_scenario_text("extends: fakevendor/formal\n", CATALOG).variants == {"fakevendor.greeting": "formal"}
    with pytest.raises(ConfigError) as caught:
        load_scenario_text("extends: default.yaml\n", CATALOG)

    assert [str(p) for p in caught.value.problems] == [
        "<posted yaml>: no shipped scenario named 'default.yaml' (send its text as `yaml` instead)"
    ]
