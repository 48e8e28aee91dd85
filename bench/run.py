"""campaign-mock benchmark: the mock's throughput as a ratio of a bare Starlette app's, side by side.

    .venv/bin/python bench/run.py            # the default run (about 2.5 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # a smoke run (under a minute)
    .venv/bin/python bench/run.py --no-check # report only; do not fail below the target ratio

Every server is a uvicorn subprocess (httptools, uvloop, one worker, access log off) on a free loopback port (the
request-log phase runs `campaign-mock serve` itself, log on and `--quiet`; the vendor phase serves one request per
vendor from bench/vendors-scenario.yaml); the load comes from `bench/loadgen.py`, another process. Cases are run
in interleaved rounds and each ratio is taken within a round, then the median over rounds is reported, so that a
noisy, shared machine moves both sides of a ratio together. See bench/README.md for what each figure means.

Exit status: 0, or 1 when the GET or POST ratio mock/bare is below its target, or that of `serve` with its request
log on over `serve --quiet` is below its own (unless --no-check), or 2 when the run itself failed (a server did not
start, a response was not 200, ...).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
HOST = "127.0.0.1"
TARGET_RATIO = 0.6

AUTH = "Authorization: Bearer sk_test_leadterra"
GET_PATH = "/leadterra/v1/campaigns/camp_123/stats"
POST_PATH = "/leadterra/v1/campaigns/camp_123/leads/bulk"
POST_BODY = json.dumps({"leads": [{"email": "bench@bench.example", "firstName": "Bench"}]}, separators=(",", ":"))
REQUESTS: dict[str, dict[str, Any]] = {
    "get": {"method": "GET", "path": GET_PATH, "headers": [AUTH], "body": ""},
    "post": {
        "method": "POST",
        "path": POST_PATH,
        "headers": [AUTH, "Content-Type: application/json"],
        "body": POST_BODY,
    },
}

# The vendor phase: one request per vendor, as users compare them, on bench/vendors-scenario.yaml. `route` is the
# bare app's route for it. Sonarly's start is not idempotent (a second start answers 409), so each of its requests
# starts a draft never started: it walks through the SONARLY_DRAFTS of one session after another, each session built
# from the scenario (one session holding thousands of drafts would time the mock's scan of an account's campaigns,
# not the start), and the sessions it used are reset between rounds (see `Walk`).
VENDORS_SCENARIO = HERE / "vendors-scenario.yaml"
SONARLY_GROUP = "665f00000000000000000002"  # the scenario's account group of drafts
SONARLY_DRAFTS = [f"665f0000000000000000c1{n:02d}" for n in range(1, 26)]
STARTS_PER_SECOND_CEILING = 4000  # above what the mock sustains (2,000-3,000): sizes the supply of fresh drafts
VENDOR_REQUESTS: dict[str, dict[str, Any]] = {
    "leadterra_start": {
        "method": "POST",
        "path": "/leadterra/v1/campaigns/cmp_123/start",
        "route": "/leadterra/v1/campaigns/{campaign_id}/start",
        "headers": [AUTH],
        "body": "",
    },
    "foxreach_list50": {
        "method": "GET",
        "path": "/foxreach/api/v1/campaigns?page=1&pageSize=50",
        "route": "/foxreach/api/v1/campaigns",
        "headers": ["X-API-Key: otr_test_foxreach"],
        "body": "",
    },
    "voicegenie_stats": {
        "method": "GET",
        "path": "/voicegenie/getCampaignStats/550e8400-e29b-41d4-a716-446655440000",
        "route": "/voicegenie/getCampaignStats/{campaign_id}",
        "headers": ["x-api-key: vg_test_voicegenie"],
        "body": "",
    },
    "sonarly_start": {
        "method": "POST",
        "path": None,  # walked: Server.walk gives the paths
        "route": "/__session/{session}/sonarly/v1/accounts/{account_group_id}/campaigns/{campaign_id}/start",
        "headers": ["Authorization: Bearer sk_test_sonarly"],
        "body": "",
    },
}
ALL_REQUESTS = {**REQUESTS, **VENDOR_REQUESTS}
VENDOR_RATIOS = [("mock", "bare")]

# name -> serve.py arguments. `bare` gets its bodies from the mock once the mock is up.
SERVERS: dict[str, list[str]] = {
    "bare": ["--app", "bare"],
    "mock": ["--app", "mock", "--validator", "fast", "--journal", "on"],
    "mock_reference": ["--app", "mock", "--validator", "reference", "--journal", "on"],
    "mock_no_journal": ["--app", "mock", "--validator", "fast", "--journal", "off"],
}
JOURNAL_SIZE = 10_000  # Settings().journal_size: the journal keeps this many entries, then evicts the oldest
WARM_UP_SECONDS = 0.3  # each request but the first, on every server, before the rounds
# name -> `campaign-mock` arguments: the real command, its request log on (written to a file) and off.
CLI_SERVERS: dict[str, list[str]] = {"serve_log": ["serve"], "serve_quiet": ["serve", "--quiet"]}
LOG_TARGET_RATIO = 0.9  # the request log may cost at most 10 % of throughput

# (numerator, denominator) of the ratios each throughput phase reports
MOCK_RATIOS = [
    ("mock", "bare"),
    ("mock_reference", "bare"),
    ("mock_no_journal", "bare"),
    ("mock", "mock_reference"),
    ("mock", "mock_no_journal"),
]
LOG_RATIOS = [("serve_log", "serve_quiet")]


class BenchError(Exception):
    pass


@dataclass
class Walk:
    """The paths of a walked request (each `/__session/NAME/...`), `batch` at a time: what one run may use. On the
    mock each path is used once, in order, until `renew` makes them fresh again; on a server that keeps no state
    (`cycle`) the first `batch` are used over and over."""

    paths: list[str]
    batch: int
    cycle: bool = False
    used: int = 0  # paths used since the last renewal
    built: set[str] = field(default_factory=set)  # sessions built so far (see `walk_paths`)

    def next_paths(self) -> list[str]:
        if self.cycle:
            return self.paths[: self.batch]
        return self.paths[self.used : self.used + self.batch]

    def advance(self, sent: int) -> None:
        if not self.cycle:
            self.used += sent


def sessions_of(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(path.split("/")[2] for path in paths))


# -- processes ----------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    args: list[str]
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log: Any = None
    extra: list[str] = field(default_factory=list)
    served: int = 0  # requests answered so far (as counted by the load generator and `fetch`)
    walk: Walk | None = None  # the paths of the walked request (Sonarly's start), in the vendor phase

    @property
    def cli(self) -> bool:
        """Run as `python -m campaign_mock ...` (the real command) rather than through bench/serve.py."""
        return self.args[0] == "serve"

    @property
    def journaled(self) -> bool:
        if self.cli:
            return "--no-journal" not in self.args
        return self.args[0] == "--app" and self.args[1] == "mock" and "off" not in self.args

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while the server runs, closed in stop()
        launcher = ["-m", "campaign_mock"] if self.cli else [str(HERE / "serve.py")]
        cmd = [PY, *launcher, *self.args, *self.extra, "--host", HOST, "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server {self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise BenchError(f"server {self.name} did not start on port {self.port}:\n{self.output()}")

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        text: str = self.log.read().decode("utf-8", "replace")
        return text[-4000:]

    def output_lines(self) -> int:
        """How many lines the server has written to its stdout and stderr so far."""
        if self.log is None:
            return 0
        self.log.seek(0)
        return sum(chunk.count(b"\n") for chunk in iter(lambda: self.log.read(1 << 20), b""))

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.log is not None:
            self.log.close()
            self.log = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB (Linux /proc; `ps` elsewhere)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


class LoadGen:
    """`bench/loadgen.py --stdin`: one client process for the whole run, told what to do one line at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [PY, str(HERE / "loadgen.py"), "--stdin"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, argv: list[str]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(argv) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=5)
            assert self.proc.stderr is not None
            raise BenchError(f"loadgen exited with {self.proc.returncode}:\n{self.proc.stderr.read()[-4000:]}")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


_LOADGEN: LoadGen | None = None


def load(
    server: Server, request: str, *, connections: int, warmup: float, duration: float, max_requests: int = 1_000_000
) -> dict[str, Any]:
    """One closed-loop load run against `server` from the loadgen process; raises BenchError on any non-200."""
    global _LOADGEN
    if _LOADGEN is None:
        _LOADGEN = LoadGen()
    req = ALL_REQUESTS[request]
    walk = server.walk if req["path"] is None else None
    if walk is not None:
        target = [arg for path in walk_paths(server) for arg in ("--walk", path)] + (["--cycle"] if walk.cycle else [])
    else:
        target = ["--path", req["path"]]
    argv = [
        "--host",
        HOST,
        "--port",
        str(server.port),
        "--method",
        req["method"],
        *target,
        "--body",
        req["body"],
        "--connections",
        str(connections),
        "--warmup",
        str(warmup),
        "--duration",
        str(duration),
        "--max-requests",
        str(max_requests),
        "--server-pid",
        str(server.pid),
    ]
    for header in req["headers"]:
        argv += ["--header", header]
    result = _LOADGEN.run(argv)
    server.served += result["requests"] + result["warmup_requests"]
    if walk is not None:
        walk.advance(result["sent"])
        if result["exhausted"]:
            print(f"note: {request} against {server.name} used every path it was given: run cut short", file=sys.stderr)
    if result["error"] or result["bad_status"] or not result["requests"]:
        raise BenchError(
            f"{request} against {server.name}: {result['error'] or ''} statuses={result['statuses']} "
            f"bad={result['bad_status']}; first body: {result['first_body'][:500]}\n{server.output()}"
        )
    return result


def close_loadgen() -> None:
    global _LOADGEN
    if _LOADGEN is not None:
        _LOADGEN.close()
        _LOADGEN = None


def fetch(server: Server, request: str) -> tuple[int, Any]:
    import httpx

    req = ALL_REQUESTS[request]
    path = req["path"]
    if path is None:
        assert server.walk is not None
        path = walk_paths(server)[0]
        server.walk.advance(1)
    headers = dict(h.split(": ", 1) for h in req["headers"])
    url = f"http://{HOST}:{server.port}{path}"
    response = httpx.request(req["method"], url, headers=headers, content=req["body"] or None, timeout=10)
    server.served += 1
    return response.status_code, response.json()


def start_bare(server: Server, requests: dict[str, dict[str, Any]], bodies: dict[str, Any]) -> None:
    """Start a `bare` server answering, at each request's route, the body the mock answered to it."""
    routes = [
        {
            "method": req["method"],
            "path": req.get("route", req["path"]),
            "body": bodies[name],
            "reads_body": bool(req["body"]),
        }
        for name, req in requests.items()
    ]
    with tempfile.TemporaryDirectory() as tmp:  # read by the server before it opens its port
        path = Path(tmp) / "routes.json"
        path.write_text(json.dumps(routes), encoding="utf-8")
        server.extra = ["--routes", str(path)]
        server.start()
        server.wait_ready()


# -- phases -------------------------------------------------------------------------------------------
def start_servers() -> dict[str, Server]:
    """Every server of SERVERS, up and checked: each mock answers 200 to both requests; `bare` answers what
    the mock answers (its bodies are taken from the mock)."""
    servers = {name: Server(name, args) for name, args in SERVERS.items()}
    mocks = [s for name, s in servers.items() if name != "bare"]
    bodies = start_mocks(mocks)
    start_bare(servers["bare"], REQUESTS, bodies)
    return servers


def start_mocks(mocks: list[Server]) -> dict[str, Any]:
    """Start `mocks` and check that each answers 200 to both requests; returns the bodies answered."""
    for s in mocks:
        s.start()
    for s in mocks:
        s.wait_ready()
    return check_answers(mocks, REQUESTS)


def check_answers(servers: list[Server], requests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Send each request twice to each server: every answer must be a 200. Returns the bodies answered (the first
    server's second answer to each request)."""
    bodies = {}
    for s in servers:
        for request in requests:
            for _ in range(2):  # the second bulk upsert is the steady state: the lead already exists
                status, body = fetch(s, request)
                if status != 200:
                    raise BenchError(f"{s.name} answered {status} to {request}: {body}")
            bodies.setdefault(request, body)
    return bodies


def memory(servers: dict[str, Server], opts: argparse.Namespace) -> dict[str, Any]:
    """RSS of the freshly started mocks (journal on, journal off) right after start and at checkpoints while
    they serve `--memory-requests` GETs. This also fills the journal before the throughput rounds."""
    n = opts.memory_requests
    steps = 4
    out: dict[str, Any] = {"requests": n}
    for key, name in (("journal_on", "mock"), ("journal_off", "mock_no_journal")):
        s = servers[name]
        print(f"memory: {n} GETs against the fresh mock, journal {key[8:]} ...", file=sys.stderr, flush=True)
        points = [{"requests": s.served, "rss_mb": round(s.rss_mb(), 1)}]
        for i in range(steps):
            chunk = n // steps if i < steps - 1 else n - n // steps * (steps - 1)
            load(s, "get", connections=opts.connections, warmup=0.0, duration=120, max_requests=chunk)
            points.append({"requests": s.served, "rss_mb": round(s.rss_mb(), 1)})
        out[key] = {
            "points": points,
            "start_mb": points[0]["rss_mb"],
            "end_mb": points[-1]["rss_mb"],
            "growth_mb": round(points[-1]["rss_mb"] - points[0]["rss_mb"], 1),
            # the journal is full after 10,000 entries; from there on the RSS should stay flat
            "growth_last_half_mb": round(points[-1]["rss_mb"] - points[steps // 2]["rss_mb"], 1),
        }
    out["journal_cost_mb"] = round(out["journal_on"]["end_mb"] - out["journal_off"]["end_mb"], 1)
    return out


def warm_up(servers: dict[str, Server], opts: argparse.Namespace, requests: dict[str, Any] = REQUESTS) -> None:
    """Every server warmed on every request; with the first, the journaling mocks until their journal is full, so
    that the rounds measure the steady state (an entry evicted per request, the collector seeing a full journal)."""
    print(f"warming up {len(servers)} servers ...", file=sys.stderr, flush=True)
    first, *others = requests
    for s in servers.values():
        target = JOURNAL_SIZE + 1000 if s.journaled and not opts.quick else 1500
        if s.served < target:
            load(
                s,
                first,
                connections=opts.connections,
                warmup=0.0,
                duration=opts.warmup_cap,
                max_requests=target - s.served,
            )
        for request in others:
            load(s, request, connections=opts.connections, warmup=0.0, duration=WARM_UP_SECONDS)


def throughput(
    servers: dict[str, Server],
    opts: argparse.Namespace,
    pairs: list[tuple[str, str]],
    requests: dict[str, Any] = REQUESTS,
    after_round: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Interleaved rounds. In each round, for each request, every server is measured twice in an A-B-B-A
    order (the order rotated from round to round), so that a drift in the machine's speed during the round
    falls alike on every case; a round's figure for a case is the mean of its two runs. `after_round` runs between
    rounds (outside the timed runs)."""
    order = list(servers)
    rounds: list[dict[str, dict[str, Any]]] = []
    for r in range(opts.rounds):
        print(f"round {r + 1}/{opts.rounds} ...", file=sys.stderr, flush=True)
        rotated = order[r % len(order) :] + order[: r % len(order)]
        results: dict[str, dict[str, Any]] = {}
        for request in requests:
            runs: dict[str, list[dict[str, Any]]] = {}
            for name in rotated + rotated[::-1]:
                runs.setdefault(name, []).append(
                    load(
                        servers[name],
                        request,
                        connections=opts.connections,
                        warmup=opts.case_warmup,
                        duration=opts.duration,
                    )
                )
            for name, pair in runs.items():
                results[f"{name}:{request}"] = merge_runs(pair)
        rounds.append(results)
        if after_round is not None and r < opts.rounds - 1:
            after_round()
    return summarise(rounds, pairs, requests)


def request_log(opts: argparse.Namespace) -> dict[str, Any]:
    """`campaign-mock serve` with its request log on (stdout to a file) against `--quiet`, in interleaved rounds
    as `throughput` runs them; also checks that the log did write a line for every request it answered."""
    servers = {name: Server(name, args) for name, args in CLI_SERVERS.items()}
    try:
        start_mocks(list(servers.values()))
        warm_up(servers, opts)
        out = throughput(servers, opts, LOG_RATIOS)
        time.sleep(0.5)  # the log writes its last batch within 0.05 s
        logged, served = servers["serve_log"].output_lines(), servers["serve_log"].served
        out["log_lines"], out["requests_served"] = logged, served
        if logged < served:
            raise BenchError(f"serve_log wrote {logged} lines for {served} requests: is its request log on?")
        if servers["serve_quiet"].output_lines() >= servers["serve_quiet"].served:
            raise BenchError("serve_quiet logged its requests despite --quiet")
        return out
    finally:
        for s in servers.values():
            s.stop()


def vendors(opts: argparse.Namespace) -> dict[str, Any]:
    """One request per vendor (VENDOR_REQUESTS): the mock as shipped (fast validator, journal on) on
    bench/vendors-scenario.yaml against a bare Starlette app answering the mock's own bodies, in interleaved rounds
    as `throughput` runs them (`--vendor-duration` counted per run). Sonarly's start walks through drafts never
    started (see VENDOR_REQUESTS)."""
    opts = argparse.Namespace(**{**vars(opts), "duration": opts.vendor_duration})
    mock = Server("mock", [*SERVERS["mock"], "--scenario", str(VENDORS_SCENARIO)])
    bare = Server("bare", SERVERS["bare"])
    servers = {"mock": mock, "bare": bare}
    # A run (or a warm-up) never needs more fresh drafts than this; a round has two runs on the mock.
    batch = math.ceil(STARTS_PER_SECOND_CEILING * max(opts.case_warmup + opts.duration, WARM_UP_SECONDS))
    paths = [
        f"/__session/sonarly-bench-{k:03d}/sonarly/v1/accounts/{SONARLY_GROUP}/campaigns/{draft}/start"
        for k in range(math.ceil(2 * batch / len(SONARLY_DRAFTS)))
        for draft in SONARLY_DRAFTS
    ]
    drafts = mock.walk = Walk(paths, batch)
    bare.walk = Walk(paths, batch, cycle=True)
    try:
        mock.start()
        mock.wait_ready()
        bodies = check_answers([mock], VENDOR_REQUESTS)
        listed = len(bodies["foxreach_list50"]["data"])
        if listed != 50:
            raise BenchError(f"the FoxReach page holds {listed} campaigns, not 50: is {VENDORS_SCENARIO.name} loaded?")
        start_bare(bare, VENDOR_REQUESTS, bodies)
        check_answers([bare], VENDOR_REQUESTS)
        warm_up(servers, opts, VENDOR_REQUESTS)
        renew(mock)
        # Sonarly's start comes last in a round and the drafts are renewed after it: resetting a session drops its
        # journal entries, and the next round's first requests fill the journal again before the next start.
        out = throughput(servers, opts, VENDOR_RATIOS, VENDOR_REQUESTS, after_round=lambda: renew(mock))
        out["sonarly_sessions"], out["sonarly_drafts_per_session"] = len(drafts.built), len(SONARLY_DRAFTS)
        out["rss_mb_end"] = {name: round(s.rss_mb(), 1) for name, s in servers.items()}
        return out
    finally:
        for s in servers.values():
            s.stop()


def walk_paths(server: Server) -> list[str]:
    """The next paths of the server's walk. On the mock, the sessions they are in are built first if they are not
    yet: a session is built on its first request otherwise, which must not fall in a timed run."""
    walk = server.walk
    assert walk is not None
    paths = walk.next_paths()
    if not walk.cycle:
        reset_sessions(server, [name for name in sessions_of(paths) if name not in walk.built])
        walk.built.update(sessions_of(paths))
    return paths


def renew(server: Server) -> None:
    """Make every draft the walk has started a draft again: reset (rebuild from the scenario) each session it used."""
    assert server.walk is not None
    reset_sessions(server, sessions_of(server.walk.paths[: server.walk.used]))
    server.walk.used = 0


def reset_sessions(server: Server, sessions: list[str]) -> None:
    """`POST /__admin/reset?session=NAME` for each: the session is rebuilt from the scenario (built, if new)."""
    import httpx

    if not sessions:
        return
    with httpx.Client(base_url=f"http://{HOST}:{server.port}", timeout=30) as client:
        for session in sessions:
            response = client.post("/__admin/reset", params={"session": session})
            if response.status_code != 200:
                raise BenchError(f"resetting session {session} answered {response.status_code}: {response.text}")


def merge_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(key: str) -> float | None:
        values = [r.get(key) for r in runs]
        return None if any(v is None for v in values) else statistics.fmean(values)  # type: ignore[arg-type]

    keys = ("rps", "p50_ms", "p99_ms", "client_cpu", "server_cpu", "server_cpu_us_per_request")
    return {**{k: mean(k) for k in keys}, "requests": sum(r["requests"] for r in runs)}


def summarise(
    rounds: list[dict[str, dict[str, Any]]], pairs: list[tuple[str, str]], requests: dict[str, Any]
) -> dict[str, Any]:
    def med(values: list[Any], digits: int) -> float | None:
        return None if any(v is None for v in values) else round(statistics.median(values), digits)

    cases: dict[str, Any] = {}
    for key in rounds[0]:
        cases[key] = {
            "rps_median": med([rd[key]["rps"] for rd in rounds], 1),
            "rps_rounds": [round(rd[key]["rps"], 1) for rd in rounds],
            "p50_ms_median": med([rd[key]["p50_ms"] for rd in rounds], 3),
            "p99_ms_median": med([rd[key]["p99_ms"] for rd in rounds], 3),
            "server_cpu_us_per_request_median": med([rd[key]["server_cpu_us_per_request"] for rd in rounds], 1),
            "server_cpu_median": med([rd[key]["server_cpu"] for rd in rounds], 3),
            "client_cpu_median": med([rd[key]["client_cpu"] for rd in rounds], 3),
        }

    def ratio(num: str, den: str) -> dict[str, Any]:
        per_round = [round(rd[num]["rps"] / rd[den]["rps"], 3) for rd in rounds]
        out: dict[str, Any] = {
            "median": round(statistics.median(per_round), 3),
            "min": min(per_round),
            "max": max(per_round),
            "rounds": per_round,
        }
        cn, cd = cases[num]["server_cpu_us_per_request_median"], cases[den]["server_cpu_us_per_request_median"]
        if cn and cd:
            out["cpu_per_request_ratio"] = round(cd / cn, 3)  # den's CPU per request over num's
        return out

    ratios = {}
    for num, den in pairs:
        for request in requests:
            ratios[f"{num}/{den}:{request}"] = ratio(f"{num}:{request}", f"{den}:{request}")
    return {"cases": cases, "ratios": ratios, "rounds": rounds}


def micro(opts: argparse.Namespace) -> dict[str, Any]:
    """In-process costs, in microseconds per call: `SchemaValidator.is_valid` on the stats response body and on
    the bulk request body, per backend; and one whole ASGI call (no HTTP, no sockets) of each app on the stats
    GET. Repeats are interleaved across the things compared and the best repeat is kept."""
    import asyncio
    import importlib.util

    from campaign_mock.app import Settings, create_app
    from campaign_mock.engine.routing import Match
    from campaign_mock.vendors.registry import registered_catalog

    spec = importlib.util.spec_from_file_location("bench_serve", HERE / "serve.py")
    assert spec is not None and spec.loader is not None
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)

    repeats = 3 if opts.quick else 7
    stats_body = {
        "campaignId": "camp_123",
        "totalEnrolled": 2,
        "sent": 0,
        "delivered": 0,
        "bounced": 0,
        "replied": 0,
        "queued": 0,
        "openRate": 0.0,
        "replyRate": 0.0,
    }
    bulk_body = json.loads(POST_BODY)
    timers: dict[str, tuple[Any, int]] = {}  # name -> (callable, calls per repeat)
    for backend in ("fast", "reference"):
        router = registered_catalog(backend).routers["leadterra"]  # type: ignore[arg-type]
        stats, bulk = router.match("GET", GET_PATH[10:]), router.match("POST", POST_PATH[10:])
        assert isinstance(stats, Match) and isinstance(bulk, Match)
        response = stats.operation.response_for(200)
        assert response is not None and response.validator is not None and bulk.operation.body is not None
        rv, bv = response.validator, bulk.operation.body
        if not rv.is_valid(stats_body) or not bv.is_valid(bulk_body):
            raise BenchError(f"the {backend} backend rejects the benchmark's bodies")
        n = 20_000 if backend == "fast" else 1_000
        timers[f"is_valid_stats_response_{backend}"] = (lambda rv=rv: rv.is_valid(stats_body), n)
        timers[f"is_valid_bulk_request_{backend}"] = (lambda bv=bv: bv.is_valid(bulk_body), n)

    scope = serve.asgi_scope("GET", GET_PATH)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    statuses: set[int] = set()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    apps = {
        "mock": create_app(Settings()),
        "mock_reference": create_app(Settings(validator="reference")),
        "mock_no_journal": create_app(Settings(journal=False)),
        "bare": serve.bare_app(
            [
                {
                    "method": "GET",
                    "path": "/leadterra/v1/campaigns/{id}/stats",
                    "body": stats_body,
                    "reads_body": False,
                },
                {"method": "POST", "path": POST_PATH, "body": {}, "reads_body": True},
            ]
        ),
    }
    loop = asyncio.new_event_loop()
    try:
        for name, app in apps.items():

            async def calls(k: int, app: Any = app) -> None:
                for _ in range(k):
                    await app(dict(scope), receive, send)

            journaled = name in ("mock", "mock_reference")
            loop.run_until_complete(calls(JOURNAL_SIZE + 500 if journaled and not opts.quick else 500))
            k = 2_000 if name != "mock_reference" else 500
            timers[f"asgi_get_stats_{name}"] = (lambda c=calls, k=k: loop.run_until_complete(c(k)), k)

        best: dict[str, float] = {}
        for _ in range(repeats):
            for name, (fn, k) in timers.items():
                t0 = time.perf_counter()
                if name.startswith("asgi_"):
                    fn()
                else:
                    for _ in range(k):
                        fn()
                per_call = (time.perf_counter() - t0) / k
                best[name] = min(best.get(name, per_call), per_call)
    finally:
        loop.close()
    if statuses != {200}:
        raise BenchError(f"in-process calls answered {sorted(statuses)}")
    out: dict[str, Any] = {f"{name}_us": round(v * 1e6, 2) for name, v in best.items()}
    out["is_valid_stats_response_speedup"] = round(
        best["is_valid_stats_response_reference"] / best["is_valid_stats_response_fast"], 1
    )
    return out


# -- report -------------------------------------------------------------------------------------------
def environment() -> dict[str, Any]:
    versions = {}
    for dist in ("campaign-mock", "starlette", "uvicorn", "httptools", "uvloop", "jsonschema", "jsonschema-rs"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def throughput_table(t: dict[str, Any]) -> list[str]:
    """The cases of a throughput phase, then its ratios."""
    lines = [f"  {'case':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}{'CPU share':>11}"]
    for key, c in t["cases"].items():
        cpu = c["server_cpu_us_per_request_median"]
        share = c["server_cpu_median"]
        lines.append(
            f"  {key:<24}{c['rps_median']:>9.0f}{c['p50_ms_median']:>9.2f}{c['p99_ms_median']:>9.2f}"
            f"{cpu if cpu is not None else float('nan'):>12.1f}"
            f"{share if share is not None else float('nan'):>11.2f}"
        )
    lines.append("")
    lines.append("Ratios: median of the per-round ratios of req/s [min-max over rounds], and the same ratio")
    lines.append("computed from server CPU time per request (less sensitive to a busy machine)")
    for key, r in t["ratios"].items():
        cpu = f"   CPU: {r['cpu_per_request_ratio']:.2f}" if "cpu_per_request_ratio" in r else ""
        lines.append(f"  {key:<30}{r['median']:>6.2f}  [{r['min']:.2f}-{r['max']:.2f}]{cpu}")
    shares = [c["server_cpu_median"] for c in t["cases"].values() if c["server_cpu_median"] is not None]
    if shares and min(shares) < 0.8:
        lines.append(
            f"  note: a server got as little as {min(shares):.0%} of a core: the machine was busy "
            "(figures are noisier; the ratios still compare like with like)"
        )
    return lines


def report(results: dict[str, Any]) -> str:
    lines = []
    t = results.get("throughput")
    if t:
        lines.append("Throughput: requests/s and latency, median over rounds; server CPU time per request")
        lines += throughput_table(t)
    g = results.get("request_log")
    if g:
        lines.append("")
        lines.append("Request log: `campaign-mock serve` (log on, stdout to a file) vs `serve --quiet`")
        lines += throughput_table(g)
        lines.append(f"  {g['log_lines']} lines logged for {g['requests_served']} requests served")
    v = results.get("vendors")
    if v:
        lines.append("")
        lines.append(
            f"Vendors: one request per vendor, the mock on {VENDORS_SCENARIO.name} vs bare Starlette answering the "
            "same bodies"
        )
        lines += throughput_table(v)
        lines.append(
            f"  sonarly_start: each a draft never started, {v['sonarly_drafts_per_session']} to a session "
            f"({v['sonarly_sessions']} sessions, reset between rounds)"
        )
        lines.append("  RSS at the end (MB): " + ", ".join(f"{k} {mb:.1f}" for k, mb in v["rss_mb_end"].items()))
    m = results.get("memory")
    if m:
        lines.append("")
        lines.append(f"Memory: RSS of the freshly started mock while it serves {m['requests']} GETs")
        for key in ("journal_on", "journal_off"):
            pts = ", ".join(f"{p['requests']}: {p['rss_mb']:.1f}" for p in m[key]["points"])
            lines.append(
                f"  {key:<12} start {m[key]['start_mb']:.1f} MB -> end {m[key]['end_mb']:.1f} MB "
                f"(+{m[key]['growth_mb']:.1f}; last half +{m[key]['growth_last_half_mb']:.1f})"
            )
            lines.append(f"  {'':<12} [requests: MB] {pts}")
        lines.append(f"  the journal's cost at the end: {m['journal_cost_mb']:.1f} MB")
    if "rss_mb_end" in results:
        lines.append(
            "  RSS at the end of the run (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in results["rss_mb_end"].items())
        )
    u = results.get("micro")
    if u:
        lines.append("")
        lines.append("In-process micro costs: us per call, best of interleaved repeats")
        for key, value in u.items():
            lines.append(f"  {key:<40}{value:>10}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--duration", type=float, default=0.5, help="seconds counted per run (2 runs a round)")
    parser.add_argument("--vendor-duration", type=float, default=0.4, help="the same, in the vendor phase")
    parser.add_argument("--case-warmup", type=float, default=0.15, help="seconds not counted before each run")
    parser.add_argument("--warmup-cap", type=float, default=8.0, help="at most this long warming up a server")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--memory-requests", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 2 rounds, fewer requests")
    parser.add_argument("--no-check", action="store_true", help="only report; never fail on the ratio")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["throughput", "memory", "log", "vendors", "micro"]
    )
    parser.add_argument("--output", type=Path, help="results file (default bench/results-<timestamp>.json)")
    opts = parser.parse_args()
    if opts.quick:
        opts.rounds, opts.duration, opts.vendor_duration, opts.case_warmup = 2, 0.3, 0.3, 0.1
        opts.memory_requests = 4_000

    stamp = time.strftime("%Y%m%dT%H%M%S")
    started = time.monotonic()
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "environment": environment(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()},
        "target_ratio": TARGET_RATIO,
        "log_target_ratio": LOG_TARGET_RATIO,
    }
    try:
        if not {"throughput", "memory"} <= set(opts.skip):
            servers = start_servers()
            try:
                results["rss_mb_started"] = {name: round(s.rss_mb(), 1) for name, s in servers.items()}
                if "memory" not in opts.skip:
                    results["memory"] = memory(servers, opts)
                if "throughput" not in opts.skip:
                    warm_up(servers, opts)
                    results["throughput"] = throughput(servers, opts, MOCK_RATIOS)
                results["rss_mb_end"] = {name: round(s.rss_mb(), 1) for name, s in servers.items()}
                results["requests_served"] = {name: s.served for name, s in servers.items()}
            finally:
                for s in servers.values():
                    s.stop()
                close_loadgen()
        phases = [
            ("log", "request_log", "request log: serve vs serve --quiet", request_log),
            ("vendors", "vendors", "vendors: one request per vendor, mock vs bare", vendors),
        ]
        for skip_name, key, title, phase in phases:
            if skip_name not in opts.skip:
                print(f"{title} ...", file=sys.stderr, flush=True)
                try:
                    results[key] = phase(opts)
                finally:
                    close_loadgen()
        if "micro" not in opts.skip:
            print("micro costs (in-process) ...", file=sys.stderr, flush=True)
            results["micro"] = micro(opts)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    results["seconds"] = round(time.monotonic() - started, 1)
    results["environment"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]

    output = opts.output or HERE / f"results-{stamp}.json"
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    print(f"\n{results['seconds']} s; results in {output}")

    below = False
    for phase, pair, target in (
        ("throughput", "mock/bare", TARGET_RATIO),
        ("request_log", "serve_log/serve_quiet", LOG_TARGET_RATIO),
    ):
        for request in ("get", "post") if phase in results else ():
            ratio = results[phase]["ratios"][f"{pair}:{request}"]["median"]
            verdict = "OK" if ratio >= target else "BELOW TARGET"
            print(f"{request.upper()} {pair} = {ratio:.2f} (target >= {target}): {verdict}")
            below = below or ratio < target
    return 1 if below and not opts.no_check else 0


if __name__ == "__main__":
    sys.exit(main())
