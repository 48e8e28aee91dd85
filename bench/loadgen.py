"""A small closed-loop HTTP/1.1 load generator, loopback only, for `bench/run.py`.

`--connections` keep-alive connections each send one request, wait for the whole response, and send the next
(no pipelining), so the offered load adapts to the server: what comes out is the server's throughput at that
concurrency. A warm-up period is run and not counted; then requests are counted for `--duration` seconds or
until `--max-requests` have completed, whichever comes first. Prints one JSON object on stdout.

Every request goes to `--path`; or, with `--walk` given once per path, each request goes to the next path of the
list, each path used once (for requests that change what they reach, such as starting a campaign that was never
started): the run ends early when all are used. `--cycle` starts the list over instead.

Written on raw asyncio protocols (with uvloop when present) so that the client spends far less CPU per request
than the servers it drives; it reports its own CPU use so that this can be checked (`client_cpu`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from typing import Any

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class Shared:
    """State common to all connections of one run."""

    def __init__(
        self, requests: list[bytes], cycle: bool, warmup_end: float, end: float, max_requests: int, expect: int
    ) -> None:
        self.requests = requests
        self.cycle = cycle
        self.sent = 0  # requests written, counted or not
        self.exhausted = False  # every request of a walk was sent (and --cycle not given)
        self.warmup_end = warmup_end
        self.end = end
        self.max_requests = max_requests
        self.expect = expect
        self.counted = 0
        self.warmup_done = 0
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.bad: int = 0
        self.first_body: bytes | None = None
        self.first_counted_at: float | None = None
        self.last_counted_at: float | None = None
        self.open = 0
        self.all_closed: asyncio.Future[None] | None = None
        self.error: str | None = None

    def next_request(self) -> bytes | None:
        """The bytes of the next request to send; None once a walk has used every path."""
        index = self.sent
        if index >= len(self.requests):
            if not self.cycle:
                self.exhausted = True
                return None
            index %= len(self.requests)
        self.sent += 1
        return self.requests[index]


class Connection(asyncio.Protocol):
    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.buf = bytearray()
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not asyncio.Transport subclasses
        self.shared.open += 1
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        request = self.shared.next_request()
        if request is None:
            self._close()
            return
        self.sent_at = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        shared = self.shared
        while True:
            head_end = buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = bytes(buf[:head_end]).lower()
            at = head.find(b"\r\ncontent-length:")
            if at < 0:
                shared.error = "response without content-length: " + head[:200].decode("latin-1")
                self._close()
                return
            line_end = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
            total = head_end + 4 + length
            if len(buf) < total:
                return
            now = time.perf_counter()
            status = int(head[9:12])
            if shared.first_body is None:
                shared.first_body = bytes(buf[head_end + 4 : total])
            del buf[:total]
            if now < shared.warmup_end:
                shared.warmup_done += 1
                if status != shared.expect:
                    shared.bad += 1
            elif now < shared.end and shared.counted < shared.max_requests:
                shared.counted += 1
                shared.latencies.append(now - self.sent_at)
                shared.statuses[status] = shared.statuses.get(status, 0) + 1
                if status != shared.expect:
                    shared.bad += 1
                if shared.first_counted_at is None:
                    shared.first_counted_at = now
                shared.last_counted_at = now
            else:
                self._close()
                return
            self._send()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.shared.open -= 1
        if self.shared.open == 0 and self.shared.all_closed is not None and not self.shared.all_closed.done():
            self.shared.all_closed.set_result(None)


def build_request(method: str, host: str, port: int, path: str, headers: list[str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += headers
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks (Linux); None where /proc is not available."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


async def run(args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    paths = args.walk or [args.path]
    requests = [build_request(args.method, args.host, args.port, p, args.header, args.body.encode()) for p in paths]
    start = time.perf_counter()
    end = start + args.warmup + args.duration
    cycle = args.cycle or args.walk is None  # one --path: the same request over and over
    shared = Shared(requests, cycle, start + args.warmup, end, args.max_requests, args.expect_status)
    shared.all_closed = loop.create_future()
    for _ in range(args.connections):
        await loop.create_connection(lambda: Connection(shared), args.host, args.port)

    # Sample the server's CPU and our own at the edges of the counted window.
    await asyncio.sleep(max(0.0, shared.warmup_end - time.perf_counter()))
    server_before = cpu_ticks(args.server_pid) if args.server_pid else None
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    window_start = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.shield(shared.all_closed), timeout=args.warmup + args.duration + 30)
    except TimeoutError:
        shared.error = shared.error or "timed out waiting for responses"
    window_end = min(time.perf_counter(), shared.end)
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = cpu_ticks(args.server_pid) if args.server_pid else None

    counted = shared.counted
    if counted < args.max_requests and not shared.exhausted:
        seconds = window_end - window_start
    else:  # stopped by the request bound or the end of a walk: the window ends with the last response counted
        seconds = (shared.last_counted_at or window_end) - window_start
    seconds = max(seconds, 1e-9)
    lat = sorted(shared.latencies)

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 3) if lat else None

    client_cpu = client_after.ru_utime + client_after.ru_stime - client_before.ru_utime - client_before.ru_stime
    result: dict[str, Any] = {
        "requests": counted,
        "seconds": round(seconds, 4),
        "rps": round(counted / seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "statuses": {str(k): v for k, v in sorted(shared.statuses.items())},
        "bad_status": shared.bad,
        "warmup_requests": shared.warmup_done,
        "sent": shared.sent,
        "exhausted": shared.exhausted,
        "client_cpu": round(client_cpu / seconds, 3),
        "first_body": (shared.first_body or b"").decode("utf-8", "replace"),
        "error": shared.error,
    }
    if server_before is not None and server_after is not None and counted:
        ticks = os.sysconf("SC_CLK_TCK")
        server_seconds = (server_after - server_before) / ticks
        result["server_cpu"] = round(server_seconds / seconds, 3)
        result["server_cpu_us_per_request"] = round(server_seconds / counted * 1e6, 1)
    return result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--method", default="GET")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--path", help="every request to this path")
    target.add_argument("--walk", action="append", help="each request to the next of these paths (repeatable)")
    p.add_argument("--cycle", action="store_true", help="with --walk: start the list over once every path is used")
    p.add_argument("--header", action="append", default=[], help="`Name: value`, repeatable")
    p.add_argument("--body", default="")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--warmup", type=float, default=0.3, help="seconds, not counted")
    p.add_argument("--duration", type=float, default=1.5, help="seconds counted, at most")
    p.add_argument("--max-requests", type=int, default=1_000_000, help="requests counted, at most")
    p.add_argument("--expect-status", type=int, default=200)
    p.add_argument("--server-pid", type=int, default=0, help="to report the server's CPU use")
    return p


def main() -> None:
    """One run from the command line; or, with `--stdin` as the only argument, one run per line of stdin
    (each line a JSON list of these arguments), one JSON result per line on stdout, until stdin closes."""
    try:
        import uvloop

        factory: Any = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        if sys.argv[1:] == ["--stdin"]:
            for line in sys.stdin:
                if line.strip():
                    respond(runner, parser().parse_args(json.loads(line)))
        else:
            respond(runner, parser().parse_args())


def respond(runner: asyncio.Runner, args: argparse.Namespace) -> None:
    result = runner.run(run(args))
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
