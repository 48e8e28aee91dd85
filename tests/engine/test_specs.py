"""Specs: a broken one stops startup with `file:line: message` for every problem, never at the first request;
a good one becomes the table of operations the engine routes, validates and checks replies by."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fake_vendor import SPEC_FILE

from campaign_mock.engine.errors import ConfigError, RequestInvalid
from campaign_mock.engine.parsing import parse_request
from campaign_mock.engine.rate_limit import OperationLimit, RateLimitPolicy
from campaign_mock.engine.specs import SPEC_DIR, load_spec

BROKEN = """\
openapi: 3.1.0
info: {title: broken, version: "1"}
paths:
  /v1/things/{id}:
    get:
      operationId: get_thing
      x-source: https://example.com/things
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                additionalproperties: false
  /v1/others:
    get:
      x-source: https://example.com/others
      responses:
        "200": {description: ok}
    post:
      operationId: make_other
      responses:
        "201":
          description: made
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Missing"}
components:
  schemas:
    Fine: {type: string}
"""


def test_load_spec_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(textwrap.dedent(BROKEN), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_spec("broken", spec)
    lines = [str(p) for p in caught.value.problems]
    assert f"{spec}:5: get_thing: path parameters ['id'] are not all described" in lines
    assert f"{spec}:13: invalid schema: (schema): unknown keyword 'additionalproperties'" in lines
    assert f"{spec}:17: every operation needs a snake_case operationId" in lines
    assert f"{spec}:21: make_other: x-source (the page it was written from) is missing" in lines
    assert f"{spec}:28: dangling reference '#/components/schemas/Missing'" in lines
    assert len(lines) == 5


def test_admin_spec_operations_have_sources_and_compile() -> None:
    spec = load_spec("admin")

    assert spec.operations
    for op in spec.operations:
        assert op.sources, op.operation_id
        assert op.responses, op.operation_id


@pytest.mark.parametrize("bundled", sorted(SPEC_DIR.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_bundled_spec_passes_every_check_made_in_full(bundled: Path) -> None:
    # In full whatever the cache holds: every schema checked against the meta-schema and compiled now.
    spec = load_spec(bundled.stem, bundled, check_all=True)

    validators = [p.validator for op in spec.operations for p in op.parameters]
    validators += [op.body for op in spec.operations] + [op.form for op in spec.operations]
    validators += [r.validator for op in spec.operations for r in op.responses.values()]
    made = [v for v in validators if v is not None]
    assert made
    assert not [v for v in made if v._pending]  # none left to compile on first use


def test_vendor_spec_becomes_the_operation_table() -> None:
    spec = load_spec("fakevendor", SPEC_FILE)

    get_thing = spec.operation("get_thing")
    assert [(op.method, op.path, op.operation_id) for op in spec.operations][:3] == [
        ("GET", "/v1/things", "list_things"),
        ("POST", "/v1/things", "create_thing"),
        ("GET", "/v1/things/{thing_id}", "get_thing"),
    ]
    assert [(p.name, p.location, p.required, p.types) for p in get_thing.parameters] == [
        ("thing_id", "path", True, ("string",))
    ]
    assert sorted(get_thing.responses) == [200, 401, 404, 429]
    assert get_thing.sources == ("https://docs.fake.example/things#get",)
    assert spec.operation("greet").sources == (
        "https://docs.fake.example/greeting",
        "https://blog.fake.example/greeting",
    )
    assert spec.operation("create_thing").body_required


def test_response_for_an_undocumented_status_is_none_and_a_bodiless_one_has_no_validator() -> None:
    spec = load_spec("fakevendor", SPEC_FILE)

    assert spec.operation("get_thing").response_for(500) is None
    explode = spec.operation("explode").response_for(200)
    assert explode is not None and explode.validator is None


def test_response_validators_follow_component_references() -> None:
    response = load_spec("fakevendor", SPEC_FILE).operation("get_thing").response_for(404)

    assert response is not None and response.validator is not None
    assert response.validator.issues({"problem": {"code": "missing", "detail": "no thing"}}) == []
    assert [str(i) for i in response.validator.issues({"problem": {"code": "missing"}})] == [
        "problem: 'detail' is a required property"
    ]


def test_served_spec_drops_the_scenario_state_and_points_servers_at_the_mock() -> None:
    spec = load_spec("fakevendor", SPEC_FILE)

    served = spec.served("http://127.0.0.1:8750/fakevendor")

    assert "x-scenario-state" not in served
    assert served["servers"] == [{"url": "http://127.0.0.1:8750/fakevendor", "description": "campaign-mock"}]
    assert spec.scenario_state_schema is not None
    assert spec.scenario_state_schema["$defs"].keys() == {"Thing", "Kind"}


BAD_RATE_LIMITS = """\
openapi: 3.1.0
info: {title: limits, version: "1"}
paths:
  /v1/a:
    get:
      operationId: unknown_key
      x-source: https://example.com/a
      x-rate-limit: {limit: 2, window_seconds: 60, burst: 5}
      responses: {"200": {description: ok}}
  /v1/b/{b_id}:
    get:
      operationId: undescribed_parameter
      x-source: https://example.com/b
      x-rate-limit: {limit: 2, window_seconds: 60, per: campaign_id}
      parameters:
        - {name: b_id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /v1/c/{c_id}:
    get:
      operationId: wrong_place
      x-source: https://example.com/c
      x-rate-limit: {limit: 2, window_seconds: 60, per: c_id, in: query}
      parameters:
        - {name: c_id, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  /v1/d:
    get:
      operationId: no_window
      x-source: https://example.com/d
      x-rate-limit: {limit: 0}
      responses: {"200": {description: ok}}
"""


def test_load_spec_refuses_a_bad_x_rate_limit_with_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "limits.yaml"
    spec.write_text(BAD_RATE_LIMITS, encoding="utf-8")
    shape = "x-rate-limit: {limit: N, window_seconds: S, window?: fixed|sliding, per?: NAME, in?: path|query}"

    with pytest.raises(ConfigError) as caught:
        load_spec("limits", spec)

    assert [str(p) for p in caught.value.problems] == [
        f"{spec}:8: {shape}",
        f"{spec}:14: x-rate-limit: counted per path parameter 'campaign_id', which is not described",
        f"{spec}:22: x-rate-limit: counted per query parameter 'c_id', which is not described",
        f"{spec}:30: {shape}",
    ]


def test_vendor_spec_reads_each_operations_own_limit() -> None:
    spec = load_spec("fakevendor", SPEC_FILE)

    limits = {op.operation_id: op.rate_limit for op in spec.operations if op.rate_limit is not None}

    assert limits == {
        "get_quota": OperationLimit(RateLimitPolicy(2, 60), None, "path"),
        "ping_thing": OperationLimit(RateLimitPolicy(2, 60), "thing_id", "path"),
        "search": OperationLimit(RateLimitPolicy(2, 60), "q", "query"),
    }
    export = spec.operation("export_thing").response_for(200)
    assert export is not None and export.media_types == ("text/csv", "application/octet-stream")
    assert spec.operation("upload").form is not None and spec.operation("upload").body is None


BAD_PATTERNS = """\
openapi: 3.1.0
info: {title: patterns, version: "1"}
paths:
  /v1/things:
    get:
      operationId: list_things
      x-source: https://example.com/things
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: string, pattern: "([unclosed"}
x-scenario-state:
  type: object
  properties:
    code: {type: string, pattern: "[z-a]"}
"""


def test_a_pattern_that_is_no_regular_expression_is_refused_at_its_line_on_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "patterns.yaml"
    spec.write_text(BAD_PATTERNS, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_spec("patterns", spec)
    assert [str(p) for p in caught.value.problems] == [
        f'{spec}:13: invalid schema: "([unclosed" is not a "regex"',
        f'{spec}:14: invalid schema: "[z-a]" is not a "regex"',
    ]


PATH_PARAMETERS = """\
openapi: 3.1.0
info: {title: ids, version: "1"}
paths:
  /v1/a/{plain}/b/{short}/c/{hex}:
    get:
      operationId: get_abc
      x-source: https://example.com/abc
      parameters:
        - {name: plain, in: path, required: true, schema: {type: string, description: any id, examples: [x1]}}
        - {name: short, in: path, required: true, schema: {type: string, maxLength: 3}}
        - {name: hex, in: path, required: true, schema: {type: string, pattern: "^[0-9a-f]+$"}}
        - {name: note, in: query, schema: {type: string, title: free text}}
        - {name: code, in: query, schema: {type: string, minLength: 2}}
      responses:
        "200": {description: ok}
"""


def test_a_parameter_that_only_says_string_takes_any_text_and_the_others_are_still_checked(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "ids.yaml"
    spec.write_text(PATH_PARAMETERS, encoding="utf-8")
    (op,) = load_spec("ids", spec).operations
    taking = {p.name: p.takes_any_text for p in op.parameters}
    assert taking == {"plain": True, "short": False, "hex": False, "note": True, "code": False}

    ids = {"plain": "any text, even ☃", "short": "abc", "hex": "beef"}
    parsed = parse_request(op, ids, "note=&code=ab", b"", False)
    assert (parsed.path_params["plain"], parsed.query) == ("any text, even ☃", {"note": "", "code": "ab"})
    with pytest.raises(RequestInvalid) as caught:
        parse_request(op, {"plain": "x", "short": "abcd", "hex": "xyz"}, "note=1&code=a", b"", False)
    assert sorted(i.path[0] for i in caught.value.issues) == ["code", "hex", "short"]
