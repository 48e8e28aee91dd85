"""Serve one app for the benchmark: the mock (`--app mock`) or a bare Starlette app (`--app bare`).

Started by `bench/run.py` as a subprocess; not meant to be run by hand, though it works:

    .venv/bin/python bench/serve.py --app mock --port 8123 --validator fast --journal on
    .venv/bin/python bench/serve.py --app bare --port 8124 --routes routes.json

Both apps are served the same way: uvicorn, httptools, uvloop, one worker, access log off.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn


def mock_app(validator: str, journal: bool, scenarios: list[str]) -> Any:
    from campaign_mock.app import Settings, create_app

    return create_app(Settings(scenarios=tuple(scenarios), validator=validator, journal=journal))


def bare_app(routes: list[dict[str, Any]]) -> Any:
    """One route per benchmark request, each answering its fixed JSON body, the way a minimal Starlette app would.

    `routes`: `{"method", "path", "body", "reads_body"}` each; `path` is a Starlette path (`{name}` parameters
    allowed). Every route serialises its body on every request (`JSONResponse`), as the mock does; a route with
    `reads_body` also reads and parses the request's JSON body first, as the mock does with a request that has one.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def endpoint(body: Any, reads_body: bool) -> Any:
        async def answer(request: Request) -> JSONResponse:
            if reads_body:
                await request.json()
            return JSONResponse(body)

        return answer

    return Starlette(
        routes=[Route(r["path"], endpoint(r["body"], r["reads_body"]), methods=[r["method"]]) for r in routes]
    )


def asgi_scope(method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    """The ASGI scope of one Leadterra request with the demo key, for calling an app in-process."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer sk_test_leadterra")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", choices=["mock", "bare"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--validator", choices=["fast", "reference"], default="fast")
    parser.add_argument("--journal", choices=["on", "off"], default="on")
    parser.add_argument("--scenario", action="append", default=[], help="mock: a scenario to load (repeatable)")
    parser.add_argument("--routes", help="bare: a JSON file, the list of routes `bare_app` takes")
    args = parser.parse_args()

    if args.app == "mock":
        app = mock_app(args.validator, args.journal == "on", args.scenario)
    else:
        if not args.routes:
            parser.error("--app bare needs --routes")
        with open(args.routes, encoding="utf-8") as f:
            app = bare_app(json.load(f))
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        http="httptools",
        loop="uvloop",
    )


if __name__ == "__main__":
    main()
