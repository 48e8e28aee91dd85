"""A Leadterra client for the tests: one mock session, called over HTTP the way an SDK would."""

from __future__ import annotations

from typing import Any

import httpx

from campaign_mock.pytest_plugin import MockSession

DEMO_KEY = "sk_test_leadterra"  # the well-known demo key of the default scenario (README, URLs)
STEP = {"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hi {{firstName}}</p>", "delayDays": 0}


def error(code: str, message: str) -> dict[str, Any]:
    """Leadterra's error body (inferred shape, see the spec's Error schema)."""
    return {"error": {"code": code, "message": message}}


class Leadterra:
    """Leadterra inside one mock session, authenticated with the demo key unless told otherwise.

    It shares one `httpx.Client` across tests: a client per request (as `httpx.get` makes) costs ~40 ms of
    TLS set-up even for plain HTTP, which would dominate these tests.
    """

    def __init__(self, session: MockSession, http: httpx.Client) -> None:
        self.session = session
        self.http = http
        self.base_url = session.url("leadterra")
        self.auth = {"Authorization": f"Bearer {DEMO_KEY}"}

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """`path` is Leadterra's documented path (`/v1/...`); `headers` replace the demo key's."""
        headers = self.auth if headers is None else headers
        return self.http.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    # -- the admin API, for this session ------------------------------------------------------------
    def admin(self, method: str, route: str, **kwargs: Any) -> httpx.Response:
        params = {"session": self.session.name, **kwargs.pop("params", {})}
        return self.http.request(method, f"{self.session.server.url}/__admin/{route}", params=params, **kwargs)

    def load(self, yaml: str) -> None:
        """Load a scenario (YAML text) into this test's session only, through the plugin's helper."""
        self.session.load_scenario(yaml=yaml)

    def freeze_clock(self, now: str) -> None:
        """Give this test's session a clock of its own, frozen at `now`."""
        reading = self.session.set_clock(now, frozen=True)
        assert (reading["now"], reading["frozen"]) == (now, True), reading

    def state(self) -> dict[str, Any]:
        """The session's Leadterra records, as `GET /__admin/state` exports them."""
        response = self.admin("GET", "state")
        assert response.status_code == 200, response.text
        section: dict[str, Any] = response.json()["vendors"]["leadterra"]
        return section

    def campaign(self, campaign_id: str) -> dict[str, Any]:
        """One campaign record, as exported (includes leads, stats and timestamps)."""
        return next(c for c in self.state()["campaigns"] if c["id"] == campaign_id)

    # -- Leadterra calls the tests repeat -----------------------------------------------------------
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
