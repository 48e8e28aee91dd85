"""The few ASGI messages the mock exchanges: reading a body and sending a JSON answer."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Receive, Send


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
    named: dict[str, str] = {}
    if status in (204, 304) or status < 200:
        payload = b""
    else:
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        named["content-type"] = "application/json"
    # One value per header, whatever the case it was set in; later settings (a fault's) win.
    for name, value in headers.items():
        named[name.lower()] = str(value)
    named["content-length"] = str(len(payload))
    raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in named.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
    return payload
