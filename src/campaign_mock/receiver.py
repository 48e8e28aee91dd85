"""`WebhookReceiver`: a local HTTP server that records every request it gets, for tests of webhook deliveries.

    with WebhookReceiver() as receiver:
        ...register receiver.url as a webhook, make something happen...
        [request] = receiver.wait_for(1)
        assert request.json["event"] == "message.sent"

It listens on a free loopback port (plain HTTP on loopback, which the mock accepts as a webhook URL), answers
every request with `respond_with`'s status (200 by default) after `delay`'s seconds (none by default), and keeps
method, path, headers, raw body and parsed JSON of each. The pytest plugin offers it as the `webhook_receiver`
fixture.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names as sent
    body: bytes
    json: Any  # the body parsed, or None when it is not JSON

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of its name."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class WebhookReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/webhook") -> None:
        self._received: list[ReceivedRequest] = []
        self._changed = threading.Condition()
        self._status = 200
        self._body = b'{"ok":true}'
        self._delay = 0.0
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True  # a slow answer in progress never holds up stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True
        )
        self.host = host
        self.port: int = self._server.server_address[1]
        self.path = path

    @property
    def url(self) -> str:
        """Register this as the webhook URL (any other path on the same port is recorded too)."""
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._changed:
            return list(self._received)

    def respond_with(self, status: int, body: Any = None) -> None:
        """Answer what comes next with this status (and JSON body, if given)."""
        self._status = status
        self._body = json.dumps(body).encode() if body is not None else b"{}"

    def delay(self, seconds: float) -> None:
        """Take this long (real time) to answer what comes next."""
        self._delay = seconds

    def clear(self) -> None:
        with self._changed:
            self._received.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Every request received, once there are at least `count`; AssertionError (saying what did arrive) if
        they do not within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [f"{r.method} {r.path} {r.body[:200]!r}" for r in self._received]
                    raise AssertionError(
                        f"the webhook receiver got {len(got)} request(s) within {timeout} s, expected {count}: {got}"
                    )
                self._changed.wait(left)
            return list(self._received)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _record(self, request: ReceivedRequest) -> None:
        with self._changed:
            self._received.append(request)
            self._changed.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    parsed = json.loads(body) if body else None
                except ValueError:
                    parsed = None
                receiver._record(ReceivedRequest(self.command, self.path, dict(self.headers.items()), body, parsed))
                status, answer, delay = receiver._status, receiver._body, receiver._delay
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET = _serve

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the requests are recorded, not logged."""

        return Handler
