"""`serve --state-file`: state changed through every vendor, in several sessions, with clocks, a fault and a session's
own scenario set, survives a SIGKILL under load (all but the last save interval, in a file that is whole) and a
SIGTERM (all of it, including a request still in flight when the signal came); `MockServer` keeps a state file too;
a file that is not a state file, or is in use, is refused."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from campaign_mock import MockServer
from campaign_mock.app import Settings, create_app
from campaign_mock.cli import main
from campaign_mock.engine.errors import ConfigError
from campaign_mock.server import free_port
from serving import wait_until_up

INTERVAL = 0.2
LEADTERRA = {"Authorization": "Bearer sk_test_leadterra"}
FOXREACH = {"X-API-Key": "otr_test_foxreach"}
VOICEGENIE = {"x-api-key": "vg_test_voicegenie"}
SONARLY = {"Authorization": "Bearer sk_test_sonarly"}
SONARLY_CAMPAIGN = "/sonarly/v1/accounts/665f00000000000000000001/campaigns/665f0000000000000000c001"
STEPS = [{"subject": "Hi", "bodyHtml": "<p>Hi</p>", "delayDays": 0}]
NOW = "2025-03-03T09:00:00Z"
RUNNING_FROM = datetime(2020, 1, 1, tzinfo=UTC)
FAULT = {"vendor": "foxreach", "method": "GET", "path": "/api/v1/email-accounts", "status": 503, "times": 3}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    client: httpx.Client
    log: Path

    def state(self, session: str) -> dict[str, Any]:
        response = self.client.get("/__admin/state", params={"session": session})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def serving_file(state_file: Path, interval: float, name: str) -> Iterator[Server]:
    port = free_port()
    log_path = state_file.parent / f"{name}.log"
    command = [sys.executable, "-m", "campaign_mock", "serve", "--port", str(port), "--quiet"]
    command += ["--state-file", str(state_file), "--save-interval", str(interval)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20, trust_env=False) as client:
            wait_until_up(client, process, log_path)
            yield Server(process, client, log_path)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def created(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class Load:
    """A thread creating Leadterra campaigns in session `load`, one after another, noting when each was answered."""

    url: str
    answered: list[tuple[int, float]] = field(default_factory=list)
    attempted: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5, headers={**LEADTERRA, "X-Mock-Session": "load"}) as client:
            while not self.stop.is_set():
                self.attempted += 1
                try:
                    response = client.post("/leadterra/v1/campaigns", json={"name": f"load-{self.attempted - 1}"})
                except httpx.TransportError:
                    return  # killed
                assert response.status_code == 201, response.text
                self.answered.append((self.attempted - 1, time.monotonic()))


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def delaying(server: Server) -> bool:
    return any(f.get("delay_ms") for f in server.client.get("/__admin/faults").json()["faults"])


def load_names(server: Server) -> list[str]:
    campaigns = server.state("load")["vendors"]["leadterra"]["campaigns"]
    return [c["name"] for c in campaigns if c["name"].startswith("load-")]


def change_every_vendor(server: Server) -> dict[str, str]:
    """One change through each vendor (default session), one in a second session, the server clock, a fault."""
    http = server.client
    assert http.post("/__admin/clock", json={"now": NOW, "frozen": True}).status_code == 200
    campaign = {"name": "Kept", "sequenceSteps": STEPS}
    ids = {"leadterra": created(http.post("/leadterra/v1/campaigns", headers=LEADTERRA, json=campaign))["id"]}
    fox_campaign = created(http.post("/foxreach/api/v1/campaigns", headers=FOXREACH, json={"name": "Kept"}))
    ids["foxreach"] = fox_campaign["data"]["id"]
    lead = {"email": "kept@example.com", "firstName": "Kept"}
    ids["foxreach_lead"] = created(http.post("/foxreach/api/v1/leads", headers=FOXREACH, json=lead))["data"]["id"]
    contact = {"phone_number": "+15550123", "name": "Kept"}
    vg_contact = created(http.post("/voicegenie/createContact", headers=VOICEGENIE, json=contact), 200)
    ids["voicegenie"] = vg_contact["data"]["contact_id"]
    started = http.post(f"{SONARLY_CAMPAIGN}/start", headers=SONARLY)
    assert started.status_code == 200, started.text
    other = {**campaign, "name": "Other"}
    second = {**LEADTERRA, "X-Mock-Session": "second"}
    ids["second"] = created(http.post("/leadterra/v1/campaigns", headers=second, json=other))["id"]
    own_clock = {"now": "2026-06-01T00:00:00Z", "frozen": True}
    assert http.post("/__admin/clock", params={"session": "second"}, json=own_clock).status_code == 200
    assert http.post("/__admin/faults", json=FAULT).status_code == 201
    loaded = http.post("/__admin/scenarios", json={"name": "leadterra/paused", "session": "paused"})
    assert loaded.status_code == 200, loaded.text
    running = {"now": RUNNING_FROM.isoformat(), "frozen": False}
    assert http.post("/__admin/clock", params={"session": "running"}, json=running).status_code == 200
    ids["running_since"] = str(time.time())
    return ids


def check_every_vendor(server: Server, ids: dict[str, str]) -> None:
    """The changes, read back through the vendors' own APIs."""
    http = server.client
    assert http.get(f"/leadterra/v1/campaigns/{ids['leadterra']}/stats", headers=LEADTERRA).status_code == 200
    assert http.get(f"/foxreach/api/v1/campaigns/{ids['foxreach']}", headers=FOXREACH).status_code == 200
    assert http.get(f"/foxreach/api/v1/leads/{ids['foxreach_lead']}", headers=FOXREACH).status_code == 200
    contact = http.get("/voicegenie/fetchContact", headers=VOICEGENIE, params={"contact_id": ids["voicegenie"]})
    assert contact.status_code == 200 and contact.json()["data"]["name"] == "Kept"
    assert http.get(SONARLY_CAMPAIGN, headers=SONARLY).json()["data"]["status"] != "draft"
    clocks = http.get("/__admin/clock").json(), http.get("/__admin/clock", params={"session": "second"}).json()
    assert [(c["now"], c["frozen"]) for c in clocks] == [(NOW, True), ("2026-06-01T00:00:00Z", True)]
    faults = http.get("/__admin/faults", params={"session": "second"}).json()["faults"]
    assert FAULT in faults
    # The scenario loaded for a session is still the one its reset goes back to.
    sessions = {s["name"]: s["scenario"] for s in http.get("/__admin/sessions").json()["sessions"]}
    assert sessions["paused"] == "leadterra/paused"
    assert http.post("/__admin/reset", params={"session": "paused"}).status_code == 200
    assert server.state("paused")["scenario"] == "leadterra/paused"
    # A running clock kept running while the server was down.
    reading = http.get("/__admin/clock", params={"session": "running"}).json()
    expected = RUNNING_FROM.timestamp() + time.time() - float(ids["running_since"])
    assert not reading["frozen"]
    assert abs(datetime.fromisoformat(reading["now"].replace("Z", "+00:00")).timestamp() - expected) < 0.5


@pytest.mark.slow
def test_state_survives_sigkill_under_load_and_sigterm_with_a_request_in_flight(tmp_path: Path) -> None:
    state_file = tmp_path / "state.db"

    # 1. Changes through every vendor; then, once they are saved, a SIGKILL in the middle of a stream of requests.
    with serving_file(state_file, INTERVAL, "first") as first:
        ids = change_every_vendor(first)
        before = {name: first.state(name) for name in ("default", "second")}
        time.sleep(3 * INTERVAL)
        load = Load(str(first.client.base_url))
        loader = threading.Thread(target=load.run)
        loader.start()
        time.sleep(1.0)
        assert load.answered, "no request of the load was answered"
        first.process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.process.wait(timeout=30)
        loader.join(timeout=30)
    with closing(sqlite3.connect(state_file)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    # 2. Everything made before the last interval is back; the load session holds a whole prefix of the load.
    with serving_file(state_file, 30, "second") as second:
        assert "restored 5 session(s)" in second.log.read_text()
        assert {name: second.state(name) for name in before} == before
        check_every_vendor(second, ids)
        # The fault added server-wide is still one fault: a use in one session counts in the others.
        fired = second.client.get("/foxreach/api/v1/email-accounts", headers={**FOXREACH, "X-Mock-Session": "second"})
        assert fired.status_code == 503
        assert {**FAULT, "times": 2} in second.client.get("/__admin/faults").json()["faults"]
        names = load_names(second)
        assert names == [f"load-{i}" for i in range(len(names))], "the saved load is not a prefix"
        assert len(names) <= load.attempted
        # Saved at the latest one interval (plus the save's own time: 0.5 s allowed) after it was answered.
        must_be_kept = [i for i, at in load.answered if at < killed_at - INTERVAL - 0.5]
        assert len(names) >= len(must_be_kept), (len(names), len(must_be_kept), len(load.answered))

        # 3. Changes right before a SIGTERM (no periodic save in 30 s), and one request still running when it comes.
        last = created(second.client.post("/leadterra/v1/campaigns", headers=LEADTERRA, json={"name": "Last"}))
        assert second.client.post("/__admin/clock/advance", json={"seconds": 3600}).status_code == 200
        slow = {"vendor": "leadterra", "method": "POST", "path": "/v1/campaigns", "delay_ms": 1500, "times": 1}
        assert second.client.post("/__admin/faults", json=slow).status_code == 201
        answers: list[httpx.Response] = []
        with httpx.Client(base_url=second.client.base_url, headers=LEADTERRA, timeout=20, trust_env=False) as client:

            def post() -> None:
                answers.append(client.post("/leadterra/v1/campaigns", json={"name": "In flight"}))

            in_flight = threading.Thread(target=post)
            in_flight.start()
            wait_until(lambda: not delaying(second))  # the request took the fault: it is in its delay now
            second.process.send_signal(signal.SIGTERM)
            in_flight.join(timeout=30)
        assert second.process.wait(timeout=30) in (0, -signal.SIGTERM)
        assert [r.status_code for r in answers] == [201], [r.text for r in answers]

    # 4. Nothing lost.
    with serving_file(state_file, INTERVAL, "third") as third:
        campaigns = {c["id"]: c["name"] for c in third.state("default")["vendors"]["leadterra"]["campaigns"]}
        assert campaigns[last["id"]] == "Last"
        assert campaigns[answers[0].json()["id"]] == "In flight"
        assert third.client.get("/__admin/clock").json()["now"] == "2025-03-03T10:00:00Z"
        assert load_names(third) == names
        third.process.send_signal(signal.SIGTERM)
        third.process.wait(timeout=30)


def test_mock_server_keeps_its_sessions_in_a_state_file(tmp_path: Path) -> None:
    settings = Settings(state_file=tmp_path / "state.db", save_interval=0.1)
    with MockServer(settings) as mock:
        answer = httpx.post(f"{mock.url}/__session/kept/leadterra/v1/campaigns", headers=LEADTERRA, json={"name": "A"})
        campaign = created(answer)
    with MockServer(settings) as mock:
        state = httpx.get(f"{mock.url}/__admin/state", params={"session": "kept"}).json()
        assert [c["id"] for c in state["vendors"]["leadterra"]["campaigns"] if c["name"] == "A"] == [campaign["id"]]
        # While it runs, the file is its own.
        with pytest.raises(ConfigError, match="another process"):
            create_app(settings)


def test_serve_refuses_a_file_that_is_not_a_state_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database at all, just some text that is long enough to be read as a header")
    with closing(sqlite3.connect(tmp_path / "other.db")) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    for path, problem in [
        (text, "not a usable SQLite file: file is not a database"),
        (tmp_path / "other.db", "is a SQLite file of something else, not a state file"),
        (tmp_path / "missing" / "state.db", "cannot open: unable to open database file"),
    ]:
        assert main(["serve", "--port", "0", "--state-file", str(path)]) == 2
        assert capsys.readouterr().err == f"{path}: {problem}\n"
    assert text.read_text().startswith("not a database")  # left as it was
