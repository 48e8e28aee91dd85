"""Every OpenAPI document the mock serves (each vendor's and the admin API's) passes openapi-spec-validator, a
validator that knows nothing of the mock, read from a file the way a user saves it; and each is served as pure
ASCII JSON, which YAML-based loaders read whatever characters the vendors' pages use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from campaign_mock.server import MockServer

SERVED = ("leadterra", "foxreach", "voicegenie", "sonarly", "__admin")


@pytest.fixture(scope="module")
def mock() -> Iterator[httpx.Client]:
    with MockServer() as server, httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
        yield client


@pytest.mark.parametrize("prefix", SERVED)
def test_the_served_spec_is_valid_openapi(mock: httpx.Client, prefix: str, tmp_path: Path) -> None:
    served = mock.get(f"/{prefix}/openapi.json")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    assert served.content.isascii()

    saved = tmp_path / "openapi.json"
    saved.write_bytes(served.content)
    document, base_uri = read_from_filename(str(saved))
    assert document["openapi"].startswith("3.1")
    assert document["servers"][0]["url"].startswith(str(mock.base_url).rstrip("/"))
    validate(document, base_uri=base_uri)
