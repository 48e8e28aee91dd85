"""`MockServer`: the mock on a free loopback port, in a background thread (for tests, scripts, the plugin)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Literal

import uvicorn

from .app import MockApp, Settings, create_app
from .engine.admin_auth import exposure_problem
from .engine.vendor import Vendor


class MockServer:
    """`with MockServer() as mock: httpx.get(mock.url + "/leadterra/v1/sender-pools", ...)`."""

    def __init__(
        self,
        settings: Settings | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        vendors: Sequence[Vendor[Any]] | None = None,
    ) -> None:
        exposed = exposure_problem(host, settings.admin_token if settings is not None else None)
        if exposed is not None:
            raise ValueError(f"{exposed}: Settings(admin_token=...)")
        self.app: MockApp = create_app(settings, vendors)
        self.host = host
        self.port = port or free_port(host)
        # The lifespan is needed only to keep a state file (`Settings.state_file`).
        lifespan: Literal["on", "off"] = "on" if self.app.persistence is not None else "off"
        config = uvicorn.Config(
            self.app,
            host=host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan=lifespan,
            proxy_headers=False,  # as `serve`: the mock reads neither the client's address nor a proxy's scheme
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="campaign-mock", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MockServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"campaign-mock did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
