"""Installed packages add vendors through the entry-point group `campaign_mock.vendors`: a package installed with
pip is served beside the shipped vendors, and a broken entry point stops startup with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from campaign_mock.server import free_port
from campaign_mock.vendors.registry import ENTRY_POINT_GROUP
from serving import serving

# The venv's setuptools may predate building wheels on its own (it needs the `wheel` package before 70.1), and
# `--no-build-isolation` installs nothing: the package brings a PEP 517 backend of its own (`backend-path`), so
# pip builds and installs it with no network and nothing beyond the standard library.
BACKEND = '''
"""Builds a pure-Python wheel from pyproject.toml: the package folder, METADATA, entry points and RECORD."""
import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path


def _hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    info = f"{name}-{version}.dist-info"
    files = {p.as_posix(): p.read_bytes() for p in sorted(Path(name).rglob("*")) if p.is_file()}
    points = "".join(
        f"[{group}]\\n" + "".join(f"{key} = {value}\\n" for key, value in entries.items())
        for group, entries in project.get("entry-points", {}).items()
    )
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {project['name']}\\nVersion: {version}\\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: in-tree\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    files[f"{info}/entry_points.txt"] = points.encode()
    record = [f"{path},{_hash(data)},{len(data)}" for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = "\\n".join(record).encode() + b"\\n"
    wheel = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel
'''

PYPROJECT = f"""
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]

[project]
name = "tiny-mock"
version = "0.1.0"

[project.entry-points."{ENTRY_POINT_GROUP}"]
tiny = "tiny_mock:VENDOR"
"""

TINY = '''
"""Tiny: one operation, its own spec file and state, served by campaign-mock through an entry point."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from campaign_mock.engine.errors import ApiError
from campaign_mock.engine.vendor import AuthRequest, Call, ErrorRenderer, Reply, StateContext, Vendor, VendorState


class TinyState(VendorState):
    def __init__(self, greeting: str) -> None:
        self.greeting = greeting

    @classmethod
    def from_dict(cls, data: dict[str, Any], ctx: StateContext) -> Self:
        return cls(data.get("greeting", "hello"))

    def to_dict(self) -> dict[str, Any]:
        return {"greeting": self.greeting}


class TinyErrors(ErrorRenderer):
    def render(self, error: ApiError) -> Any:
        return {"message": error.message}


async def get_greeting(call: Call[TinyState, None]) -> Reply:
    return Reply(200, {"greeting": call.state.greeting})


def authenticate(request: AuthRequest[TinyState]) -> None:
    return None  # Tiny is open


VENDOR = Vendor(
    name="tiny",
    spec_file=Path(__file__).with_name("tiny.yaml"),
    state_type=TinyState,
    handlers={"get_greeting": get_greeting},
    authenticate=authenticate,
    errors=TinyErrors(),
)
'''

TINY_SPEC = """
openapi: 3.1.0
info: {title: Tiny, version: v1}
paths:
  /v1/greeting:
    get:
      operationId: get_greeting
      x-source: https://tiny.example/docs/greeting
      responses:
        '200':
          description: The greeting.
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [greeting]
                properties:
                  greeting: {type: string}
x-scenario-state:
  type: object
  additionalProperties: false
  properties:
    greeting: {type: string}
"""


PIP_OFFLINE = ("--no-deps", "--no-build-isolation", "--no-index")
GREETING = "extends: default\nvendors:\n  tiny: {{greeting: {}}}\n"  # a scenario that sets Tiny's state


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _env(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(site)}


def test_installed_vendor_is_served_beside_the_shipped_ones(tmp_path: Path) -> None:
    package, site = tmp_path / "tiny-mock", tmp_path / "site"
    _write(
        package,
        {
            "pyproject.toml": PYPROJECT,
            "backend.py": BACKEND,
            "tiny_mock/__init__.py": TINY,
            "tiny_mock/tiny.yaml": TINY_SPEC,
        },
    )
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", *PIP_OFFLINE, "--target", str(site), str(package)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    with serving(tmp_path, _env(site)) as client:
        base = str(client.base_url).rstrip("/")
        index = client.get("/")
        greeting = client.get("/tiny/v1/greeting")
        loaded = client.post("/__admin/scenarios", json={"yaml": GREETING.format("hi")})
        changed = client.get("/tiny/v1/greeting")
        refused = client.post("/__admin/scenarios", json={"yaml": GREETING.format(42)})
        spec = client.get("/tiny/openapi.json")
        shipped = client.get("/leadterra/v1/sender-pools", headers={"Authorization": "Bearer sk_test_leadterra"})
        violations = client.get("/__admin/violations")
    assert index.status_code == 200
    assert index.json()["vendors"]["tiny"] == {"prefix": "/tiny", "openapi": "/tiny/openapi.json"}
    assert {"leadterra", "foxreach"} <= set(index.json()["vendors"])
    assert (greeting.status_code, greeting.json()) == (200, {"greeting": "hello"})
    assert loaded.status_code == 200, loaded.text
    assert (changed.status_code, changed.json()) == (200, {"greeting": "hi"})
    assert refused.status_code == 400  # the scenario schema holds the plug-in's state schema
    problem = "<posted yaml>:3: vendors.tiny.greeting: 42 is not of type 'string'"
    assert refused.json()["error"]["problems"] == [problem]
    assert spec.json()["servers"] == [{"url": f"{base}/tiny", "description": "campaign-mock"}]
    assert shipped.status_code == 200
    assert violations.json() == {"violations": []}


BROKEN = [
    pytest.param(
        "raise RuntimeError('the plug-in is broken')\n",
        "cannot load: RuntimeError: the plug-in is broken",
        id="loading-raises",
    ),
    pytest.param(
        "VENDOR = {'name': 'broken'}\n",
        "names a dict, not a campaign_mock Vendor",
        id="names-a-non-vendor",
    ),
    pytest.param(
        "OTHER = None\n",
        "cannot load: AttributeError: module 'broken_mock' has no attribute 'VENDOR'",
        id="names-nothing",
    ),
]


@pytest.mark.parametrize(("module", "message"), BROKEN)
def test_broken_entry_point_stops_startup_with_one_line(tmp_path: Path, module: str, message: str) -> None:
    # An installed package is, to importlib.metadata, its module and a .dist-info folder beside it: written here
    # directly, so each case costs no pip run.
    site = tmp_path / "site"
    _write(
        site,
        {
            "broken_mock/__init__.py": module,
            "broken_mock-0.1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: broken-mock\nVersion: 0.1.0\n",
            "broken_mock-0.1.0.dist-info/entry_points.txt": f"[{ENTRY_POINT_GROUP}]\nbroken = broken_mock:VENDOR\n",
        },
    )
    ran = subprocess.run(
        [sys.executable, "-m", "campaign_mock", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=_env(site),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 2
    assert ran.stderr == f"entry point broken = broken_mock:VENDOR: {message}\n"
    assert ran.stdout == ""
