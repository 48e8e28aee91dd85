"""Scenarios that check themselves: run `expect:` blocks against a mock and report each outcome.

Each scenario runs in a fresh session of its own (loaded through the admin API), so expectations run in
order against exactly the state the scenario describes, and several scenarios can be verified against one
running server without touching each other or the `default` session.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import httpx
import yaml

from .catalog import Catalog
from .scenarios import Scenario, load_scenario

_runs = itertools.count(1)
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")  # session names allow these only


@dataclass(frozen=True)
class Outcome:
    scenario: str
    index: int
    label: str
    passed: bool
    detail: str

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        text = f"{verdict} {self.scenario} #{self.index + 1} {self.label}"
        return text if self.passed else f"{text}: {self.detail}"


def admin_payload(ref: str, catalog: Catalog, loaded: Scenario | None = None) -> dict[str, Any]:
    """The body of `POST /__admin/scenarios` that loads `ref` on any server: a shipped name as itself; anything
    else merged here (its `extends` resolved next to its file), since a server loads files by shipped name only.
    `loaded` spares reading the file again when the caller has it already."""
    if catalog.library.shipped_path(ref) is not None:
        return {"name": ref}
    scenario = loaded or load_scenario(ref, catalog)
    return {"yaml": yaml.safe_dump(scenario.document())}


def subset_mismatch(expected: Any, actual: Any, where: str = "body") -> str | None:
    """Why `actual` does not contain `expected` (dict keys subset, lists element-wise), or None if it does."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {_short(actual)}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key}: missing"
            found = subset_mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected a list of {len(expected)}, got {_short(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = subset_mismatch(e, a, f"{where}[{i}]")
            if found:
                return found
        return None
    if expected != actual or (type(expected) is not type(actual) and not _numbers(expected, actual)):
        return f"{where}: expected {_short(expected)}, got {_short(actual)}"
    return None


def _numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def verify_scenario(client: httpx.Client, ref: str, scenario: Scenario, catalog: Catalog) -> list[Outcome]:
    """Load `scenario` into a fresh session on the server behind `client` and run its expectations.

    A shipped scenario is loaded by name; any other is sent already merged (its `extends` resolved here, where
    its files are), since the server may not see them."""
    session = f"verify-{next(_runs)}-{_SAFE.sub('-', scenario.name)}"[:100]
    body = admin_payload(ref, catalog, scenario)
    loaded = client.post("/__admin/scenarios", params={"session": session}, json=body)
    if loaded.status_code != 200:
        return [Outcome(scenario.name, 0, "load", False, f"the server refused the scenario: {loaded.text}")]
    # The session is left in place: its journal (`/__admin/requests?session=...`) explains any failure.
    return [_run_one(client, session, scenario.name, index, item) for index, item in enumerate(scenario.expect)]


def _run_one(client: httpx.Client, session: str, name: str, index: int, item: dict[str, Any]) -> Outcome:
    request = item["request"]
    method = request["method"].upper()
    label = item.get("name") or f"{method} /{request['vendor']}{request['path']} -> {item['status']}"
    if item.get("advance_clock"):
        client.post("/__admin/clock/advance", params={"session": session}, json={"seconds": item["advance_clock"]})
    kwargs: dict[str, Any] = {"headers": request.get("headers", {}), "params": request.get("query")}
    if "body" in request:
        kwargs["json"] = request["body"]
    url = f"/__session/{session}/{request['vendor']}{request['path']}"
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        return Outcome(name, index, label, False, f"request failed: {exc}")
    if response.status_code != item["status"]:
        return Outcome(
            name,
            index,
            label,
            False,
            f"expected status {item['status']}, got {response.status_code}: {response.text[:300]}",
        )
    for header, value in (item.get("headers") or {}).items():
        if response.headers.get(header) != value:
            return Outcome(
                name, index, label, False, f"header {header}: expected {value!r}, got {response.headers.get(header)!r}"
            )
    if "body" in item:
        try:
            actual = response.json()
        except ValueError:
            return Outcome(name, index, label, False, f"expected a JSON body, got {response.text[:200]!r}")
        mismatch = subset_mismatch(item["body"], actual)
        if mismatch:
            return Outcome(name, index, label, False, mismatch)
    return Outcome(name, index, label, True, "")
