"""Profile the mock's request path in-process: a loop of ASGI calls under cProfile, no HTTP server, no sockets.

    .venv/bin/python bench/profile_request.py                  # GET stats, default settings
    .venv/bin/python bench/profile_request.py --request post   # POST leads/bulk
    .venv/bin/python bench/profile_request.py --journal off --validator reference -n 5000 --top 40

For when `bench/run.py` reports a low ratio: it shows which functions the time goes to. cProfile adds its own
overhead to every call, so read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from typing import Any

from serve import asgi_scope

from campaign_mock.app import Settings, create_app

PATHS = {"get": "/leadterra/v1/campaigns/camp_123/stats", "post": "/leadterra/v1/campaigns/camp_123/leads/bulk"}
POST_BODY = json.dumps({"leads": [{"email": "bench@bench.example", "firstName": "Bench"}]}).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--request", choices=["get", "post"], default="get")
    parser.add_argument("--validator", choices=["fast", "reference"], default="fast")
    parser.add_argument("--journal", choices=["on", "off"], default="on")
    parser.add_argument("-n", type=int, default=20_000, help="calls profiled (after a warm-up filling the journal)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key: tottime, cumtime, ...")
    args = parser.parse_args()

    settings = Settings(validator=args.validator, journal=args.journal == "on")
    app = create_app(settings)
    method = "GET" if args.request == "get" else "POST"
    path = PATHS[args.request]
    body = b"" if method == "GET" else POST_BODY
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    async def calls(k: int) -> None:
        for _ in range(k):
            await app(asgi_scope(method, path, body), receive, send)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(calls(settings.journal_size + 500))
    started = time.perf_counter()
    loop.run_until_complete(calls(2000))
    plain_us = (time.perf_counter() - started) / 2000 * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    loop.run_until_complete(calls(args.n))
    profiler.disable()
    loop.close()
    if statuses != {200}:
        raise SystemExit(f"the mock answered {sorted(statuses)}, not only 200")
    print(
        f"{method} {path}  validator={args.validator} journal={args.journal}: "
        f"{plain_us:.1f} us per call without the profiler\n"
    )
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
