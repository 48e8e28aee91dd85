"""The few ASGI messages the mock exchanges: reading a body, sending a JSON answer, and the lifespan."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Receive, Send

_JSON = [(b"content-type", b"application/json")]


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str]) -> bytes:
    """Send one JSON answer; returns the bytes sent. HTTP forbids a body on 1xx, 204 and 304: none is sent."""
    if status in (204, 304) or status < 200:
        payload = b""
        raw_headers = []
    else:
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        raw_headers = list(_JSON)
    raw_headers.append((b"content-length", str(len(payload)).encode()))
    raw_headers.extend((k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items())
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
    return payload


async def lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
