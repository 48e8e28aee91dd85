"""The seed page's own examples (GET /startCampaign/:campaignId with x-api-key), run as written: only the base URL
(https://seamless-sandbox-dev-cm.oriserve.com -> the mock's /voicegenie prefix) and the key are substituted."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from voicegenie_support import KEY, SEED_CAMPAIGN

from campaign_mock.pytest_plugin import MockSession

VENDOR_BASE = "https://seamless-sandbox-dev-cm.oriserve.com"

CURL = """curl --request GET \\
  --url 'https://seamless-sandbox-dev-cm.oriserve.com/startCampaign/550e8400-e29b-41d4-a716-446655440000' \\
  --header 'x-api-key: your-api-key-here'"""

PYTHON = """import requests

campaign_id = "550e8400-e29b-41d4-a716-446655440000"
url = f"https://seamless-sandbox-dev-cm.oriserve.com/startCampaign/{campaign_id}"

headers = {
    "x-api-key": "your-api-key-here"
}

response = requests.get(url, headers=headers)
print(response.json())
"""


def substituted(text: str, mock_session: MockSession) -> str:
    return text.replace(VENDOR_BASE, mock_session.url("voicegenie")).replace("your-api-key-here", KEY)


def test_seed_curl_example_starts_the_campaign(mock_session: MockSession) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed here; the Python example below covers the same request")
    command = substituted(CURL, mock_session)

    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)
    body = json.loads(done.stdout)

    assert body["success"] is True
    assert body["data"]["campaign_id"] == SEED_CAMPAIGN
    assert body["data"]["status"] == "running"
    assert body["message"] == "Campaign started successfully"


def test_seed_python_example_starts_the_campaign(mock_session: MockSession, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("requests", reason="the seed's Python example uses requests")
    source = substituted(PYTHON, mock_session)

    exec(compile(source, "seed_example.py", "exec"), {})  # the page's example, as written
    printed = capsys.readouterr().out

    assert printed.startswith("{'success': True, 'data': {'campaign_id': '550e8400-e29b-41d4-a716-446655440000'")
    assert "'status': 'running'" in printed and "'message': 'Campaign started successfully'" in printed


def test_seed_example_twice_answers_the_documented_400(mock_session: MockSession) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed here")
    command = substituted(CURL, mock_session)
    subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)

    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)

    assert json.loads(done.stdout) == {
        "success": False,
        "message": "Campaign is already running",
        "error": "CAMPAIGN_ALREADY_RUNNING",
    }
