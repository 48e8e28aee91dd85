"""The few ASGI messages the mock exchanges: reading a body (within the size limit), sending an answer (whole, or
cut short), and closing a connection without one."""

from __future__ import annotations

import asyncio
import contextlib
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
# The C encoder `_ENCODER.encode` wraps, built once too (`encode` builds one a call: half its cost for a small body).
# No circular-reference bookkeeping: a reply is a tree, and a cycle would still end in an error, answered as a 500.
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # not in the stubs: the C accelerator, when built
_ENCODE = (
    _C_ENCODER(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)
    if _C_ENCODER is not None
    else lambda body, level: [_ENCODER.encode(body)]
)


async def send_json(
    send: Send, status: int, body: Any, headers: dict[str, str], media_type: str | None = None
) -> bytes:
    """Send one answer: JSON, or `body` as it is when it is bytes (with `media_type`); returns the bytes sent. HTTP
    forbids a body on 1xx, 204 and 304: none is sent."""
    raw_headers, payload = _framed(status, body, headers, media_type)
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
    return payload


async def send_cut(
    send: Send, receive: Receive, status: int, body: Any, headers: dict[str, str], media_type: str | None = None
) -> bytes:
    """Send an answer cut short: its headers declare the whole body, half of it is sent, and the connection is
    closed (see `close_connection`); returns the bytes sent."""
    raw_headers, payload = _framed(status, body, headers, media_type)
    sent = payload[: len(payload) // 2]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": sent, "more_body": True})
    await close_connection(receive)
    return sent


async def close_connection(receive: Receive) -> None:
    """Close the client's connection with nothing more sent, as a crashed server or a dropping proxy would.

    ASGI has no message for this: it takes the server's transport, which uvicorn's request cycle (the owner of
    `receive`) holds, and waits until the server has seen the connection go, so that it adds nothing of its own
    (uvicorn answers 500 to an app that returns without answering). Under a server that gives no transport (an
    in-process test client), the app just stops, and that client fails the request."""
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if transport is None or not callable(getattr(transport, "close", None)):
        return
    transport.close()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):  # the server is told at once; this only keeps a stuck one from hanging us
            while (await receive())["type"] != "http.disconnect":
                pass


def _framed(
    status: int, body: Any, headers: dict[str, str], media_type: str | None
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The raw headers and the payload of an answer (see `send_json`)."""
    named: dict[str, str] = {}
    if status in (204, 304) or status < 200:
        payload = b""
    elif isinstance(body, bytes):
        payload = body
        named["content-type"] = media_type or "application/octet-stream"
    else:
        payload = "".join(_ENCODE(body, 0)).encode()
        named["content-type"] = "application/json"
    # One value per header, whatever the case it was set in; later settings (a fault's) win.
    for name, value in headers.items():
        named[name.lower()] = str(value)
    named["content-length"] = str(len(payload))
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in named.items()], payload
