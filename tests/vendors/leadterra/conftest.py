"""Leadterra driven over HTTP, the way an SDK would: one client per test, in the test's own mock session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from campaign_mock.pytest_plugin import MockSession

DEMO_KEY = "sk_test_leadterra"  # the well-known demo key of the default scenario (INTERFACE.md section 4)
STEP = {"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hi {{firstName}}</p>", "delayDays": 0}


class Leadterra:
    """A Leadterra client pointed at one mock session, plus the admin look-ups the tests need."""

    def __init__(self, session: MockSession, http: httpx.Client) -> None:
        self.session = session
        self.http = http

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def load(self, yaml: str) -> None:
        """Load a scenario (YAML text) into this test's session only."""
        self.session.load_scenario(yaml=yaml)

    def state(self) -> dict[str, Any]:
        """The session's Leadterra records, as `GET /__admin/state` exports them."""
        response = self.session.admin("GET", "state")
        assert response.status_code == 200, response.text
        section: dict[str, Any] = response.json()["vendors"]["leadterra"]
        return section

    def stats(self, campaign_id: str) -> dict[str, Any]:
        response = self.get(f"/v1/campaigns/{campaign_id}/stats")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def pool(self, pool_id: str) -> dict[str, Any]:
        response = self.get("/v1/sender-pools")
        assert response.status_code == 200, response.text
        return next(p for p in response.json() if p["id"] == pool_id)

    def create_campaign(self, name: str = "Test campaign", steps: list[dict[str, Any]] | None = None) -> str:
        body: dict[str, Any] = {"name": name, "sequenceSteps": [STEP] if steps is None else steps}
        response = self.post("/v1/campaigns", json=body)
        assert response.status_code == 201, response.text
        campaign_id: str = response.json()["id"]
        return campaign_id

    def enrol(self, campaign_id: str, *emails: str) -> dict[str, Any]:
        response = self.post(f"/v1/campaigns/{campaign_id}/leads/bulk", json={"leads": [{"email": e} for e in emails]})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def leadterra(mock_session: MockSession) -> Iterator[Leadterra]:
    """Leadterra in a fresh session of the default scenario, authenticated with the demo key."""
    headers = {"Authorization": f"Bearer {DEMO_KEY}"}
    with httpx.Client(base_url=mock_session.url("leadterra"), headers=headers, timeout=10) as http:
        yield Leadterra(mock_session, http)
