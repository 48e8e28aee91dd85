"""campaign-mock at scale: start-up, sessions, big scenarios, long clock advances, many sessions, long runs.

    .venv/bin/python bench/scale.py            # every figure; the memory run is 200,000 requests (a few minutes)
    .venv/bin/python bench/scale.py --long     # the memory run is 1,000,000 requests
    .venv/bin/python bench/scale.py --skip memory --skip sessions-load

Figures (targets in brackets), each measured where it is honest:

- startup: `python -m campaign_mock serve` (default scenario, four vendors) from spawn to its first 200, wall time and
  the server's own CPU time (the CPU time is what a busy machine disturbs least) [<= 250 ms];
- session / reset (in-process, the app built from bench/harness-scenario.yaml): a new session built on its first
  request, and `POST /__admin/reset?session=...` through the ASGI app [<= 2 ms, <= 5 ms];
- big scenario (a subprocess, for its RSS): a scenario with one Leadterra campaign of 100,000 leads, loaded into a
  fresh app, and the session the first request builds from it [<= 2 s, RSS <= 120 MiB];
- advance (in-process): `POST /__admin/clock/advance` by 30 days with 10,000 Leadterra leads in a running campaign;
- sessions-load: two live `serve` processes, one with 1 session and one with 10,000, under the same load
  (interleaved rounds, bench/loadgen.py): the per-request cost should not depend on the number of sessions;
- memory: one live `serve` (journal and request log on) serving 200,000 (`--long`: 1,000,000) requests; its RSS
  after each tenth, the growth over the second half and its slope [flat within 2 MiB].

Every server request is the harness's: `POST /leadterra/v1/campaigns/cmp_123/start` with `Bearer sk_test_leadterra`.
Writes bench/results-scale-<timestamp>.json (gitignored) besides printing the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from run import HOST, PY, ROOT, LoadGen, Server
from serve import asgi_scope

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "harness-scenario.yaml"
PATH = "/leadterra/v1/campaigns/cmp_123/start"
AUTH = "Authorization: Bearer sk_test_leadterra"
DAY = 86_400


# -- in-process ---------------------------------------------------------------------------------------
class InProcess:
    """The app, called through ASGI without a server, one request at a time."""

    def __init__(self, scenario: Path) -> None:
        from campaign_mock.app import Settings, create_app

        self.app = create_app(Settings(scenarios=(str(scenario),)))
        self.loop = asyncio.new_event_loop()

    def call(self, method: str, path: str, body: Any = None, session: str | None = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode() if body is not None else b""
        query = ""
        if "?" in path:
            path, query = path.split("?", 1)
        scope = asgi_scope(method, path, raw)
        scope["query_string"] = query.encode()
        if session is not None:
            scope["headers"] = [*scope["headers"], (b"x-mock-session", session.encode())]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": raw, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        self.loop.run_until_complete(self.app(scope, receive, send))
        return sent[0]["status"], json.loads(sent[1]["body"] or b"null")

    def close(self) -> None:
        """Stop what the app runs in the background (the webhook dispatcher), then the loop."""

        async def stop_all() -> None:
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.loop.run_until_complete(stop_all())
        self.loop.close()

    def timed(self, method: str, path: str, body: Any = None, session: str | None = None) -> float:
        """Milliseconds for one call, which must answer 200."""
        started = time.perf_counter()
        status, answer = self.call(method, path, body, session)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"{method} {path} answered {status}: {answer}")
        return elapsed


def summary_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "n": len(ordered),
    }


def sessions_and_reset(n: int = 300) -> dict[str, Any]:
    mock = InProcess(SCENARIO)
    for _ in range(200):
        mock.timed("POST", PATH)  # warm: every code path the new sessions take has run once
    same = [mock.timed("POST", PATH) for _ in range(n)]
    fresh = [mock.timed("POST", PATH, session=f"scale-{i}") for i in range(n)]
    reset = [mock.timed("POST", f"/__admin/reset?session=scale-{i}") for i in range(n)]
    mock.close()
    return {
        "request_in_existing_session": summary_ms(same),
        "first_request_in_new_session": summary_ms(fresh),
        "reset_session": summary_ms(reset),
        "sessions": len(mock.app.store.names()),
    }


def leadterra_scenario(leads: int, status: str) -> str:
    """A scenario (extending the default) with one Leadterra campaign of `leads` leads, in `status`."""
    lines = [
        "extends: default",
        'clock: {now: "2025-03-03T09:00:00Z", frozen: true}',
        "vendors:",
        "  leadterra:",
        "    senderPools:",
        "      - {id: pool_scale, name: Scale, dailyCapacity: 100000, senderAccountIds: [sa_01HXYZ001]}",
        "    campaigns:",
        "      - id: camp_scale",
        "        name: Scale",
        f"        status: {status}",
        '        createdAt: "2025-03-01T09:00:00Z"',
    ]
    if status == "running":
        lines.append('        startedAt: "2025-03-03T09:00:00Z"')
    lines += [
        "        sequenceSteps:",
        '          - {subject: "Hello {{firstName}}", bodyHtml: "<p>Hi</p>", delayDays: 0}',
        '          - {subject: "Re: Hello", bodyHtml: "<p>Bump</p>", delayDays: 3}',
        "        leads:",
    ]
    lines += [f"          - {{email: lead{i}@scale.example, firstName: Lead{i}}}" for i in range(leads)]
    return "\n".join(lines) + "\n"


def clock_advance(leads: int = 10_000, days: int = 30) -> dict[str, Any]:
    """The campaign is started through the API (which queues every lead), then the clock moves."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yaml"
        path.write_text(leadterra_scenario(leads, "draft"), encoding="utf-8")
        mock = InProcess(path)
    try:
        start_ms = mock.timed("POST", "/leadterra/v1/campaigns/camp_scale/start")
        ms = mock.timed("POST", "/__admin/clock/advance", {"seconds": days * DAY})
        status, stats = mock.call("GET", "/leadterra/v1/campaigns/camp_scale/stats")
    finally:
        mock.close()
    result = {"leads": leads, "days": days, "start_ms": round(start_ms, 1), "advance_ms": round(ms, 1)}
    return {**result, "stats": stats if status == 200 else status}


_LOAD_BIG = """
import json, resource, sys, time
started = time.perf_counter()
from campaign_mock.app import Settings, create_app
imported = time.perf_counter()
app = create_app(Settings(scenarios=(sys.argv[1],)))
built = time.perf_counter()
app.store.get("default")  # what the first request does: the session, built from the scenario
session = time.perf_counter()
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
times = {"import_s": imported - started, "load_s": built - imported, "first_session_s": session - built}
print(json.dumps({**times, "load_and_session_s": session - imported, "rss_mib": rss, "peak_rss_mib": peak}))
"""


def big_scenario(leads: int = 100_000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(leadterra_scenario(leads, "draft"), encoding="utf-8")
        done = subprocess.run([PY, "-c", _LOAD_BIG, str(path)], capture_output=True, text=True, cwd=ROOT, check=False)
        size_mib = path.stat().st_size / 2**20
    if done.returncode:
        raise SystemExit(f"loading the {leads}-lead scenario failed:\n{done.stderr[-3000:]}")
    out: dict[str, Any] = {k: round(v, 3) for k, v in json.loads(done.stdout).items()}
    return {"leads": leads, "file_mib": round(size_mib, 1), **out}


# -- live servers -------------------------------------------------------------------------------------
def loadgen_argv(server: Server, *, connections: int, warmup: float, duration: float, max_requests: int) -> list[str]:
    return [
        *("--host", HOST, "--port", str(server.port), "--method", "POST", "--path", PATH, "--header", AUTH),
        *("--connections", str(connections), "--warmup", str(warmup), "--duration", str(duration)),
        *("--max-requests", str(max_requests), "--server-pid", str(server.pid)),
    ]


def drive(gen: LoadGen, server: Server, **kw: Any) -> dict[str, Any]:
    result = gen.run(loadgen_argv(server, **kw))
    if result["error"] or result["bad_status"] or not result["requests"]:
        raise SystemExit(f"load against {server.name}: {result['error']} statuses={result['statuses']}")
    server.served += result["requests"] + result["warmup_requests"]
    return result


def serve(name: str, *extra: str) -> Server:
    server = Server(name, ["serve", "--scenario", str(SCENARIO), *extra])
    server.start()
    server.wait_ready()
    return server


async def open_sessions(port: int, count: int) -> None:
    """One request in each of `count` new sessions, 16 at a time."""
    import httpx

    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", limits=limits) as client:
        gate = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with gate:
                headers = {"Authorization": AUTH.split(": ", 1)[1], "X-Mock-Session": f"s{i}"}
                response = await client.post(PATH, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"session s{i}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(one(i) for i in range(count)))


def sessions_load(gen: LoadGen, count: int = 10_000, rounds: int = 5) -> dict[str, Any]:
    one, many = serve("one_session", "--quiet"), serve("many_sessions", "--quiet")
    try:
        started = time.perf_counter()
        asyncio.run(open_sessions(many.port, count))
        opened_s = time.perf_counter() - started
        for s in (one, many):
            drive(gen, s, connections=8, warmup=0.0, duration=5, max_requests=12_000)  # journals full
        runs: dict[str, list[dict[str, Any]]] = {"one_session": [], "many_sessions": []}
        for r in range(rounds):
            order = [one, many] if r % 2 == 0 else [many, one]
            for s in order + order[::-1]:
                runs[s.name].append(drive(gen, s, connections=8, warmup=0.15, duration=0.6, max_requests=10**6))

        def med(name: str, key: str) -> float:
            return round(statistics.median(r[key] for r in runs[name]), 1)

        cases = {
            name: {"rps": med(name, "rps"), "cpu_us_per_request": med(name, "server_cpu_us_per_request")}
            for name in runs
        }
        return {
            "sessions": count,
            "seconds_to_open_them": round(opened_s, 1),
            "cases": cases,
            "rss_mib": {"one_session": round(one.rss_mb(), 1), "many_sessions": round(many.rss_mb(), 1)},
            "rps_ratio_many_over_one": round(cases["many_sessions"]["rps"] / cases["one_session"]["rps"], 3),
            "cpu_ratio_many_over_one": round(
                cases["many_sessions"]["cpu_us_per_request"] / cases["one_session"]["cpu_us_per_request"], 3
            ),
        }
    finally:
        one.stop()
        many.stop()


def memory(gen: LoadGen, total: int, steps: int = 10) -> dict[str, Any]:
    server = serve("memory")  # the request log on, written to a file, as `serve` runs by default
    try:
        points = [{"requests": 0, "rss_mib": round(server.rss_mb(), 2)}]
        for _ in range(steps):
            print(f"memory: {server.served:,} requests ...", file=sys.stderr, flush=True)
            drive(gen, server, connections=8, warmup=0.0, duration=3600, max_requests=total // steps)
            points.append({"requests": server.served, "rss_mib": round(server.rss_mb(), 2)})
    finally:
        server.stop()
    half = points[len(points) // 2 :]
    xs, ys = [p["requests"] for p in half], [p["rss_mib"] for p in half]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    return {
        "requests": points[-1]["requests"],
        "points": points,
        "growth_second_half_mib": round(ys[-1] - ys[0], 2),
        "slope_mib_per_100k_requests": round(slope * 100_000, 3),
    }


def startup(samples: int = 7) -> dict[str, Any]:
    """Spawn to first 200 of `campaign-mock serve` (default scenario), and the server's CPU time until then."""
    wall, cpu = [], []
    for _ in range(samples):
        server = Server("startup", ["serve", "--quiet"])
        started = time.perf_counter()
        server.start()
        request = b"GET /leadterra/v1/campaigns/camp_123/stats HTTP/1.1\r\nHost: x\r\n" + AUTH.encode() + b"\r\n\r\n"
        try:
            while True:
                if server.proc is not None and server.proc.poll() is not None:
                    raise SystemExit(f"serve exited:\n{server.output()}")
                if _answers_200(server.port, request):
                    break
                time.sleep(0.002)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append(_cpu_ms(server.pid))
        finally:
            server.stop()
    return {
        "wall_ms_median": round(statistics.median(wall)),
        "wall_ms": [round(w) for w in wall],
        "cpu_ms_median": round(statistics.median(cpu)),
    }


def _answers_200(port: int, request: bytes) -> bool:
    import socket

    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(request)
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


# -- report -------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", action="store_true", help="the memory run serves 1,000,000 requests (not 200,000)")
    parser.add_argument("--requests", type=int, help="requests in the memory run (overrides --long)")
    choices = ["startup", "sessions", "big-scenario", "advance", "sessions-load", "memory"]
    parser.add_argument("--skip", action="append", default=[], choices=choices)
    parser.add_argument("--output", type=Path)
    opts = parser.parse_args()
    total = opts.requests or (1_000_000 if opts.long else 200_000)

    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "loadavg": os.getloadavg()}
    steps = {
        "startup": startup,
        "sessions": sessions_and_reset,
        "big-scenario": big_scenario,
        "advance": clock_advance,
    }
    for name, step in steps.items():
        if name not in opts.skip:
            print(f"{name} ...", file=sys.stderr, flush=True)
            results[name] = step()
    gen = LoadGen()
    try:
        if "sessions-load" not in opts.skip:
            print("sessions-load ...", file=sys.stderr, flush=True)
            results["sessions-load"] = sessions_load(gen)
        if "memory" not in opts.skip:
            results["memory"] = memory(gen, total)
    finally:
        gen.close()
    results["loadavg_end"] = os.getloadavg()
    output = opts.output or HERE / f"results-scale-{time.strftime('%Y%m%dT%H%M%S')}.json"  # gitignored
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    print(f"results in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
