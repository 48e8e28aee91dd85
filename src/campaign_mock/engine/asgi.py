"""The few ASGI messages the mock exchanges: reading a body (within the size limit), sending an answer (whole, or
cut short), and closing a connection without one."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import orjson
from starlette.types import Receive, Send

from .errors import PayloadTooLarge

_HTTP1 = ("1.1", "1.0")
_JSON_TYPE = (b"content-type", b"application/json")


class ClientGone(Exception):
    """The client disconnected before its body arrived in full: nothing is to be done with the request."""


def declares_no_body(headers: dict[str, str], http_version: str = "1.1") -> bool:
    """Whether the request says it has no body: an HTTP/1 request with neither a length nor a transfer encoding
    (RFC 9112, 6.3), or any with a length of 0. Nothing need be read for it (most requests: a round through the
    server spared)."""
    declared = headers.get("content-length", "")
    return declared == "0" or (not declared and "transfer-encoding" not in headers and http_version in _HTTP1)


async def read_body(receive: Receive, headers: dict[str, str], limit: int, http_version: str = "1.1") -> bytes:
    """The whole request body (nothing is read for one that `declares_no_body`). Raises PayloadTooLarge as soon as
    it is known to exceed `limit` bytes (a declared `Content-Length` over the limit is refused before anything is
    read), and ClientGone on a disconnect."""
    if declares_no_body(headers, http_version):
        return b""
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


def encode_json(body: Any) -> bytes:
    """A reply body as compact UTF-8 JSON. orjson writes the same bytes as the json module for what replies hold
    (str keys, text, numbers, lists, maps), several times quicker; what it refuses (an integer past 64 bits, a
    key that is not text) goes to the json module, which writes it or raises as it always did."""
    try:
        # Copied to bytes of their own size: orjson's bytes keep the buffer it wrote into (4 KiB at least, twice the
        # text for a long one), and the journal keeps thousands of answers. The copy costs a fraction of the encoding.
        return memoryview(orjson.dumps(body)).tobytes()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _ENCODER.encode(body).encode()


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
    if status in (204, 304) or status < 200:
        payload, content_type = b"", None
    elif isinstance(body, bytes):
        payload, content_type = body, media_type or "application/octet-stream"
    else:
        payload, content_type = encode_json(body), "application/json"
    if not headers:  # most answers: only the framing headers
        length = (b"content-length", b"%d" % len(payload))
        if content_type == "application/json":
            return [_JSON_TYPE, length], payload
        return ([(b"content-type", content_type.encode("latin-1")), length] if content_type else [length]), payload
    named: dict[str, str] = {} if content_type is None else {"content-type": content_type}
    # One value per header, whatever the case it was set in; later settings (a fault's) win.
    for name, value in headers.items():
        named[name.lower()] = str(value)
    named["content-length"] = str(len(payload))
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in named.items()], payload
