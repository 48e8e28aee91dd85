"""The compiled validator may stand in for jsonschema only where the two agree exactly on validity.

The corpus is every request and response body the shipped scenarios' expectations and a Leadterra flow
produce, plus mutations of each (a key dropped, a leaf replaced by a wrong type or a malformed date-time):
each is judged by both backends against its operation's schema.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx

from campaign_mock.engine.scenarios import load_scenario
from campaign_mock.engine.validation import SchemaValidator
from campaign_mock.engine.verify import verify_scenario
from campaign_mock.server import MockServer
from campaign_mock.vendors.registry import registered_catalog

WRONG_LEAVES: tuple[Any, ...] = (None, 7, -1, 1.5, "x", "2025-13-45T99:00:00Z", True, [], {})


def _mutations(value: Any) -> Iterator[Any]:
    yield value
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node[:3]):
                walk(child, (*path, index))

    walk(value, ())
    for path in paths[:60]:
        for leaf in WRONG_LEAVES:
            yield _replaced(value, path, leaf)
        if path and isinstance(path[-1], str):
            mutated = copy.deepcopy(value)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
            yield mutated


def _replaced(value: Any, path: tuple[Any, ...], leaf: Any) -> Any:
    if not path:
        return leaf
    mutated = copy.deepcopy(value)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = leaf
    return mutated


def test_fast_and_reference_backends_agree_on_every_exchanged_body() -> None:
    catalog = registered_catalog()
    with MockServer() as server, httpx.Client(base_url=server.url) as client:
        for name, _ in registered_catalog().library.describe():
            verify_scenario(client, name, load_scenario(name, catalog), catalog)
        entries = server.app.journal.entries()
        exchanged = [(e.service, e.operation_id, e.status, e.request_body, e.response_body) for e in entries]
    assert len(exchanged) >= 15
    checked = 0
    compiled: dict[int, tuple[SchemaValidator, SchemaValidator]] = {}
    for service, operation_id, status, request_body, response_body in exchanged:
        if operation_id is None:
            continue
        op = catalog.specs[service].operation(operation_id)
        pairs = []
        response = op.response_for(status)
        if response is not None and response.validator is not None and response_body:
            pairs.append((response.validator.schema, json.loads(response_body)))
        if op.body is not None and request_body:
            pairs.append((op.body.schema, json.loads(request_body)))
        for schema, body in pairs:
            if id(schema) not in compiled:
                compiled[id(schema)] = (SchemaValidator(schema, "fast"), SchemaValidator(schema, "reference"))
            fast, reference = compiled[id(schema)]
            for instance in _mutations(body):
                assert fast.is_valid(instance) == reference.is_valid(instance), (operation_id, instance)
                checked += 1
    assert checked > 500
