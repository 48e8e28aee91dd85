"""campaign-mock soak: minutes of moderate mixed load on a live `campaign-mock serve`, then a report.

    .venv/bin/python bench/soak.py                 # 3 minutes (`make soak`)
    .venv/bin/python bench/soak.py --seconds 30    # shorter
    .venv/bin/python bench/soak.py --json out.json # the report as JSON too

The server is `python -m campaign_mock serve --quiet` on a free loopback port; the load comes from this process
(httpx, asyncio), paced to `--rate` requests a second in all, from `--workers` workers. Each worker has a session
of its own (the default scenario, rate limits lifted so the mix is not a series of 429s). Half the workers write,
round after round through every vendor and the admin API: Leadterra create, enrol, start, stats; FoxReach create,
add a step, start, read; VoiceGenie upload a campaign with contacts, start it, stats; Sonarly create a draft, start
it, read; the session's journal; and every few rounds a reset of the session (its response violations are read
first, so none goes uncounted), which keeps its records bounded. The other half only read (lists, stats, the
journal, the clock) and never reset, so the journal fills to its bound. Every loop is bounded by the deadline.

The report: requests, answers by status (non-2xx listed as errors), 5xx count, response violations, RSS of the
server at start (after a warm-up), in the middle and at the end, the journal's length, p50/p99 latency.

The server keeps a journal of JOURNAL_SIZE entries (`serve --journal-size`), and the start RSS is read once it is
full (or after `--warmup` seconds, whichever comes later, at most a third into the run): from then on nothing the
server holds should grow, and the second half of the run is held to `--rss-growth-mb` (default 2).

Exit status: 0; 1 when any answer was a 5xx, any response broke the spec, the server's RSS grew by more than
`--rss-growth-mb` over the second half of the run (plus ENTRY_KB for each entry the journal gained in that half, in
a run too short to fill it), or the journal held more than `journal_size` entries; 2 when the server did not start
or died.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from run import rss_mb

from campaign_mock.server import free_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
JOURNAL_SIZE = 1000  # the server's journal bound for the soak (`serve --journal-size`): full early in the run
RESET_EVERY = 10  # rounds: keeps each session's records (and so the server's memory) bounded
# RSS a journal entry may take while the journal fills (the bench measured about 1 KB for a small GET; the soak's
# entries carry bigger bodies). Growth over the second half is allowed this much per entry added to the journal.
ENTRY_KB = 4

LEADTERRA = {"Authorization": "Bearer sk_test_leadterra"}
FOXREACH = {"X-API-Key": "otr_test_foxreach"}
VOICEGENIE = {"x-api-key": "vg_test_voicegenie"}
SONARLY = {"Authorization": "Bearer sk_test_sonarly"}
SONARLY_GROUP = "/sonarly/v1/accounts/665f00000000000000000001"
VG_LIMITED = ("fetch_campaign_data", "get_campaign_stats", "upload_campaign_data", "download_campaign_stats")
SCENARIO = (
    "extends: default\nrate_limits:\n  foxreach: {limit: 1000000, window_seconds: 60}\n  voicegenie:\n    operations:\n"
    + "".join(f"      {op}: {{limit: 1000000, window_seconds: 60}}\n" for op in VG_LIMITED)
)


class ServerGone(Exception):
    """The server did not start, or stopped answering."""


@dataclass
class Tally:
    """Everything the workers saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # "status method path-template" of non-2xx answers
    latencies: list[float] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)


class Worker:
    """One session's round after round of calls, paced to `interval` seconds a request."""

    def __init__(self, client: httpx.AsyncClient, session: str, tally: Tally, interval: float) -> None:
        self.client, self.session, self.tally, self.interval = client, session, tally, interval
        self.next_at = time.monotonic()
        self.journaled = 0  # vendor exchanges of this session in the journal (a reset clears them)

    async def call(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        """One paced request in this worker's session; its status and latency are counted."""
        self.next_at += self.interval
        delay = self.next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = {**(headers or {}), "X-Mock-Session": self.session}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=sent, **kw)
        except httpx.TransportError as exc:
            raise ServerGone(f"{method} {path}: {exc!r}") from exc
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.statuses[response.status_code] += 1
        self.journaled += not path.startswith("/__admin/")
        if not 200 <= response.status_code < 300:
            self.tally.errors[f"{response.status_code} {method} {_template(path)}"] += 1
        return response

    async def admin(self, method: str, route: str, **params: Any) -> httpx.Response:
        return await self.call(method, f"/__admin/{route}", params={"session": self.session, **params})

    async def collect_violations(self) -> None:
        found = (await self.admin("GET", "violations", kind="response")).json()["violations"]
        self.tally.violations.extend(found)

    async def leadterra(self, n: int) -> None:
        await self.call("GET", "/leadterra/v1/sender-pools", LEADTERRA)
        body = {"name": f"Soak {n}", "sequenceSteps": [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hi</p>"}]}
        created = await self.call("POST", "/leadterra/v1/campaigns", LEADTERRA, json=body)
        if created.status_code != 201:
            return
        path = f"/leadterra/v1/campaigns/{created.json()['id']}"
        leads = [{"email": f"soak{n}-{i}@soak.example", "firstName": "Soak"} for i in range(3)]
        await self.call("POST", f"{path}/leads/bulk", LEADTERRA, json={"leads": leads})
        await self.call("POST", f"{path}/start", LEADTERRA)
        await self.call("GET", f"{path}/stats", LEADTERRA)

    async def foxreach(self, n: int) -> None:
        await self.call("GET", "/foxreach/api/v1/campaigns", FOXREACH, params={"pageSize": 5})
        created = await self.call("POST", "/foxreach/api/v1/campaigns", FOXREACH, json={"name": f"Soak {n}"})
        if created.status_code != 201:
            return
        path = f"/foxreach/api/v1/campaigns/{created.json()['data']['id']}"
        await self.call("POST", f"{path}/sequences", FOXREACH, json={"subject": "Hi", "body": "Hello {{firstName}}"})
        await self.call("POST", f"{path}/start", FOXREACH)
        await self.call("GET", path, FOXREACH)

    async def voicegenie(self, n: int) -> None:
        await self.call("GET", "/voicegenie/fetchCampaignData", VOICEGENIE, params={"limit": 5})
        contacts = [{"phone_number": f"+1415556{n % 1000:03d}{i}", "name": f"Soak {i}"} for i in range(3)]
        upload = {"campaign_name": f"Soak {n}", "script_id": "script_renewal01", "contacts": contacts}
        created = await self.call("POST", "/voicegenie/uploadCampaignData", VOICEGENIE, json=upload)
        if created.status_code != 200:
            return
        campaign = created.json()["data"]["campaign_id"]
        await self.call("GET", f"/voicegenie/startCampaign/{campaign}", VOICEGENIE)
        await self.call("GET", f"/voicegenie/getCampaignStats/{campaign}", VOICEGENIE)

    async def sonarly(self, n: int) -> None:
        await self.call("GET", "/sonarly/v1/accounts", SONARLY)
        draft = {"name": f"Soak {n}", "starterTemplateId": "connect", "audienceId": "665f0000000000000000a001"}
        created = await self.call("POST", f"{SONARLY_GROUP}/campaigns", SONARLY, json=draft)
        if created.status_code != 201:
            return
        path = f"{SONARLY_GROUP}/campaigns/{created.json()['data']['id']}"
        await self.call("POST", f"{path}/start", SONARLY)
        await self.call("GET", path, SONARLY)

    async def read(self, n: int) -> None:
        await self.call("GET", "/leadterra/v1/campaigns/camp_running/stats", LEADTERRA)
        await self.call("GET", "/leadterra/v1/replies", LEADTERRA)
        await self.call("GET", "/foxreach/api/v1/leads", FOXREACH, params={"pageSize": 5})
        await self.call("GET", "/foxreach/api/v1/campaigns/cmp_active001", FOXREACH)
        await self.call("GET", "/voicegenie/fetchCampaignData", VOICEGENIE, params={"limit": 5})
        await self.call("GET", "/voicegenie/getCampaignStats/550e8400-e29b-41d4-a716-446655440000", VOICEGENIE)
        await self.call("GET", f"{SONARLY_GROUP}/campaigns", SONARLY)
        await self.call("GET", f"{SONARLY_GROUP}/audiences", SONARLY)
        await self.admin("GET", "clock")

    async def run(self, deadline: float, writer: bool) -> None:
        loaded = await self.call(
            "POST", "/__admin/scenarios", params={"session": self.session}, json={"yaml": SCENARIO}
        )
        if loaded.status_code != 200:
            raise ServerGone(f"the soak scenario was refused: {loaded.text}")
        steps: list[Callable[[int], Awaitable[None]]] = (
            [self.leadterra, self.foxreach, self.voicegenie, self.sonarly] if writer else [self.read]
        )
        n = 0
        while time.monotonic() < deadline:
            n += 1
            for step in steps:
                if time.monotonic() >= deadline:
                    break
                await step(n)
            await self.admin("GET", "requests", limit=20)
            if writer and n % RESET_EVERY == 0:
                await self.collect_violations()  # a reset clears them with the journal
                await self.admin("POST", "reset")
                self.journaled = 0
        await self.collect_violations()


def _template(path: str) -> str:
    """The path with ids blanked, so errors group by route."""
    parts = path.split("/")
    return "/".join("{id}" if any(ch.isdigit() for ch in part) and len(part) > 8 else part for part in parts)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def soak(base: str, pid: int, seconds: float, workers: int, rate: float, warmup: float) -> dict[str, Any]:
    tally = Tally()
    limits = httpx.Limits(max_connections=workers + 2)
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False, limits=limits) as client:
        start = time.monotonic()
        end = start + seconds
        rss: dict[str, float] = {"process_start": rss_mb(pid)}
        team = [Worker(client, f"soak-{k}", tally, workers / rate) for k in range(workers)]
        journal: dict[str, int] = {}

        def journal_length() -> int:
            """The journal's length, counted on this side (reading 10,000 entries would disturb the RSS)."""
            return min(JOURNAL_SIZE, sum(w.journaled for w in team))

        async def sample() -> None:
            await asyncio.sleep(min(warmup, seconds / 3))
            while journal_length() < JOURNAL_SIZE and time.monotonic() < start + seconds / 3:
                await asyncio.sleep(0.1)
            rss["start"] = rss_mb(pid)
            await asyncio.sleep(max(0.0, start + seconds / 2 - time.monotonic()))
            rss["middle"] = rss_mb(pid)
            journal["middle"] = journal_length()

        await asyncio.gather(sample(), *(w.run(end, writer=k % 2 == 0) for k, w in enumerate(team)))
        rss["end"] = rss_mb(pid)
        journal["end"] = journal_length()
        elapsed = time.monotonic() - start
        entries = await client.get("/__admin/requests")
        everywhere = await client.get("/__admin/violations", params={"kind": "response"})
    violations = tally.violations + everywhere.json()["violations"]
    unique = {json.dumps(v, sort_keys=True) for v in violations}
    requests = sum(tally.statuses.values())
    return {
        "seconds": round(elapsed, 1),
        "workers": workers,
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "errors": dict(tally.errors.most_common()),
        "server_errors": sum(v for k, v in tally.statuses.items() if k >= 500),
        "response_violations": len(unique),
        "rss_mb": {k: round(v, 1) for k, v in rss.items()},
        "journal_entries": len(entries.json()["requests"]),
        "journal_counted": journal,
        "rss_growth_allowed_mb": 0.0,
        "journal_size": JOURNAL_SIZE,
        "latency_ms": {
            "p50": round(statistics.median(tally.latencies) * 1000, 2) if tally.latencies else 0.0,
            "p99": round(percentile(tally.latencies, 0.99) * 1000, 2),
        },
    }


def verdict(report: dict[str, Any], rss_growth_mb: float) -> list[str]:
    """Why the run failed; empty when it passed. Sets the report's allowed RSS growth: the bound, plus ENTRY_KB for
    each entry the journal gained over the second half (none once it is full)."""
    failures = []
    filled = report["journal_counted"]["end"] - report["journal_counted"]["middle"]
    allowed = report["rss_growth_allowed_mb"] = round(rss_growth_mb + max(0, filled) * ENTRY_KB / 1024, 1)
    if report["server_errors"]:
        failures.append(f"{report['server_errors']} answers were 5xx")
    if report["response_violations"]:
        failures.append(f"{report['response_violations']} responses broke the spec")
    growth = report["rss_mb"]["end"] - report["rss_mb"]["middle"]
    if growth > allowed:
        failures.append(f"RSS grew {growth:.1f} MB over the second half (allowed {allowed} MB)")
    if report["journal_entries"] > report["journal_size"]:
        failures.append(f"the journal holds {report['journal_entries']} entries (bound {report['journal_size']})")
    return failures


def render(report: dict[str, Any], failures: list[str]) -> str:
    rss, counted = report["rss_mb"], report["journal_counted"]
    lines = [
        f"soak: {report['seconds']} s, {report['workers']} workers, {report['requests']} requests "
        f"({report['requests_per_second']}/s)",
        "  by status:  " + ", ".join(f"{k}: {v}" for k, v in report["statuses"].items()),
        f"  5xx: {report['server_errors']}    response violations: {report['response_violations']}",
        f"  latency:    p50 {report['latency_ms']['p50']} ms, p99 {report['latency_ms']['p99']} ms",
        f"  RSS (MB):   process start {rss['process_start']}, start {rss['start']}, middle {rss['middle']}, "
        f"end {rss['end']} (second half {rss['end'] - rss['middle']:+.1f}, allowed +{report['rss_growth_allowed_mb']})",
        f"  journal:    {report['journal_entries']} entries at the end (bounded at {report['journal_size']}; "
        f"{counted['middle']} in the middle)",
    ]
    if report["errors"]:
        lines.append("  non-2xx answers:")
        lines += [f"    {count:6d}  {what}" for what, count in report["errors"].items()]
    lines.append("FAILED: " + "; ".join(failures) if failures else "OK")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="how long to run (default 180)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent sessions (default 8)")
    parser.add_argument("--rate", type=float, default=200.0, help="requests a second, all workers (default 200)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds before the start RSS at least (default 20)")
    parser.add_argument(
        "--rss-growth-mb", type=float, default=2.0, help="allowed RSS growth over the second half (default 2)"
    )
    parser.add_argument("--json", type=Path, help="also write the report here, as JSON")
    opts = parser.parse_args()

    port = free_port(HOST)
    cmd = [sys.executable, "-m", "campaign_mock", "serve", "--quiet", "--host", HOST, "--port", str(port)]
    cmd += ["--journal-size", str(JOURNAL_SIZE)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_ready(f"http://{HOST}:{port}", server)
            report = asyncio.run(
                soak(f"http://{HOST}:{port}", server.pid, opts.seconds, opts.workers, opts.rate, opts.warmup)
            )
            if server.poll() is not None:
                raise ServerGone(f"the server exited with {server.returncode}")
        except ServerGone as exc:
            log.seek(0)
            print(f"soak: {exc}\n{log.read().decode('utf-8', 'replace')[-4000:]}", file=sys.stderr)
            return 2
        finally:
            server.terminate()
            server.wait(timeout=10)
    failures = verdict(report, opts.rss_growth_mb)
    report["failures"] = failures
    print(render(report, failures))
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if failures else 0


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerGone(f"the server exited with {server.returncode}")
        try:
            httpx.get(f"{base}/__admin/health", timeout=1, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise ServerGone(f"the server did not answer on {base}")


if __name__ == "__main__":
    sys.exit(main())
