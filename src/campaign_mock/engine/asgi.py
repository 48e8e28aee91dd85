"""The few ASGI messages the mock exchanges: reading a body (within the size limit) and sending an answer."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Receive, Send

from .errors import PayloadTooLarge


class ClientGone(Exception):
    """The client disconnected before its body arrived in full: nothing is to be done with the request."""


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    """The whole request body. Raises PayloadTooLarge as soon as it is known to exceed `limit` bytes (a declared
    `Content-Length` over the limit is refused before anything is read), and ClientGone on a disconnect."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # built once: json.dumps(**kw) builds one a call


async def send_json(
    send: Send, status: int, body: Any, headers: dict[str, str], media_type: str | None = None
) -> bytes:
    """Send one answer: JSON, or `body` as it is when it is bytes (with `media_type`); returns the bytes sent. HTTP
    forbids a body on 1xx, 204 and 304: none is sent."""
    named: dict[str, str] = {}
    if status in (204, 304) or status < 200:
        payload = b""
    elif isinstance(body, bytes):
        payload = body
        named["content-type"] = media_type or "application/octet-stream"
    else:
        payload = _ENCODER.encode(body).encode()
        named["content-type"] = "application/json"
    # One value per header, whatever the case it was set in; later settings (a fault's) win.
    for name, value in headers.items():
        named[name.lower()] = str(value)
    named["content-length"] = str(len(payload))
    raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in named.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
    return payload
