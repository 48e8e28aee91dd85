"""One mock server seen over HTTP, for the engine tests: Leadterra calls in any session, and admin calls.

Leadterra stands in for "a vendor": the engine is vendor-blind, and Leadterra is the vendor every
installation serves. One `httpx.Client` is shared, because a client per request (as `httpx.get` makes)
costs ~40 ms of TLS set-up even for plain HTTP.
"""

from __future__ import annotations

from typing import Any

import httpx

LEADTERRA_AUTH = {"Authorization": "Bearer sk_test_leadterra"}
STEP = {"subject": "Hi", "bodyHtml": "<p>Hi</p>"}
DEFAULT_SCENARIO_CAMPAIGNS = ["camp_123", "camp_running", "camp_paused"]  # the Leadterra campaigns of `default`


class Mock:
    def __init__(self, url: str, http: httpx.Client) -> None:
        self.url = url
        self.http = http

    def leadterra(
        self,
        method: str,
        path: str,
        *,
        session: str | None = None,
        prefix: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """A Leadterra call with the demo key, in `session` (by header, or by `/__session/` prefix)."""
        root = f"/__session/{session}" if prefix and session else ""
        sent = dict(LEADTERRA_AUTH)
        if session and not prefix:
            sent["X-Mock-Session"] = session
        sent.update(headers or {})
        return self.http.request(method, f"{self.url}{root}/leadterra{path}", headers=sent, **kwargs)

    def admin(self, method: str, route: str, *, session: str | None = None, **kwargs: Any) -> httpx.Response:
        """`/__admin/<route>`, for `session` (`?session=`) or server-wide."""
        params = dict(kwargs.pop("params", {}))
        if session is not None:
            params["session"] = session
        return self.http.request(method, f"{self.url}/__admin/{route}", params=params, **kwargs)

    # -- shortcuts ------------------------------------------------------------------------------------
    def create_campaign(self, session: str | None = None, name: str = "Engine test", **kwargs: Any) -> dict[str, Any]:
        response = self.leadterra(
            "POST", "/v1/campaigns", session=session, json={"name": name, "sequenceSteps": [STEP]}, **kwargs
        )
        assert response.status_code == 201, response.text
        campaign: dict[str, Any] = response.json()
        return campaign

    def state(self, session: str | None = None) -> dict[str, Any]:
        response = self.admin("GET", "state", session=session)
        assert response.status_code == 200, response.text
        state: dict[str, Any] = response.json()
        return state

    def campaign_ids(self, session: str | None = None) -> list[str]:
        return [c["id"] for c in self.state(session)["vendors"]["leadterra"]["campaigns"]]

    def requests(self, session: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        response = self.admin("GET", "requests", session=session, params=filters)
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()["requests"]
        return entries

    def violations(self, session: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        response = self.admin("GET", "violations", session=session, params=filters)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["violations"]
        return found
