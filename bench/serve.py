"""Serve one app for the benchmark: the mock (`--app mock`) or a bare Starlette app (`--app bare`).

Started by `bench/run.py` as a subprocess; not meant to be run by hand, though it works:

    .venv/bin/python bench/serve.py --app mock --port 8123 --validator fast --journal on

Both apps are served the same way: uvicorn, httptools, uvloop, one worker, access log off.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn


def mock_app(validator: str, journal: bool) -> Any:
    from campaign_mock.app import Settings, create_app

    return create_app(Settings(validator=validator, journal=journal))


def bare_app(get_path: str, get_body: Any, post_path: str, post_body: Any) -> Any:
    """One GET route and one POST route answering fixed JSON bodies, the way a minimal Starlette app would.

    The GET route serialises its body on every request (`JSONResponse`), as the mock does; the POST route
    also reads and parses the request body first.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def get(request: Request) -> JSONResponse:
        return JSONResponse(get_body)

    async def post(request: Request) -> JSONResponse:
        await request.json()
        return JSONResponse(post_body)

    return Starlette(routes=[Route(get_path, get, methods=["GET"]), Route(post_path, post, methods=["POST"])])


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
    parser.add_argument("--get-path", default="/leadterra/v1/campaigns/{id}/stats")
    parser.add_argument("--get-body", default="{}", help="JSON the bare app answers on its GET route")
    parser.add_argument("--post-path", default="/leadterra/v1/campaigns/{id}/leads/bulk")
    parser.add_argument("--post-body", default="{}", help="JSON the bare app answers on its POST route")
    args = parser.parse_args()

    if args.app == "mock":
        app = mock_app(args.validator, args.journal == "on")
    else:
        app = bare_app(args.get_path, json.loads(args.get_body), args.post_path, json.loads(args.post_body))
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
