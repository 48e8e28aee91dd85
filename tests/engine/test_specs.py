"""A broken spec stops startup with `file:line: message` for every problem, never at the first request."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from campaign_mock.engine.errors import ConfigError
from campaign_mock.engine.specs import load_spec

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


def test_every_shipped_spec_operation_has_a_source_and_compiles() -> None:
    for name in ("leadterra", "foxreach", "admin"):
        spec = load_spec(name)
        assert spec.operations, name
        for op in spec.operations:
            assert op.sources, op.operation_id
            assert op.responses, op.operation_id
