"""What `campaign-mock serve` prints: the banner once the port is bound, and one line per answered request.

The banner names everything a user needs to point an SDK at the mock (each vendor's SDK base URL with the
well-known demo key of the built-in `default` scenario, when the loaded scenario has it) and the admin API. The
request log is written on the server's own event loop in batches, so that it costs a few microseconds a request;
it never prints headers, so no vendor key or admin token can reach it, and query strings show parameter names only.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from .engine.errors import ConfigError
from .engine.scenario_files import DEFAULT_SCENARIO
from .engine.scenarios import Scenario, load_scenario

if TYPE_CHECKING:
    from .app import MockApp
    from .engine.catalog import Catalog
    from .engine.pipeline import Exchange

# The part of an SDK's base URL after the vendor's prefix, where the SDK expects more than the prefix (INTERFACE 2):
# FoxReach's SDK is given `.../api/v1`, the others' the bare prefix.
SDK_BASE_PATHS = {"foxreach": "/api/v1"}
_SAFE = "/?&=:@!$'()*+,;-._~%"  # what stays as it is when a path is encoded again for the log
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


# -- the port -----------------------------------------------------------------------------------------
def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` as uvicorn binds one (uvicorn then listens on it); raises OSError."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """The one line that says why the server cannot start on that address."""
    reason = (error.strerror or str(error)).lower()
    in_use = error.errno == errno.EADDRINUSE
    hint = " (another server is using it: stop it, or pick another with --port)" if in_use else ""
    return f"campaign-mock: cannot listen on {host}:{port}: {reason}{hint}"


# -- the banner ---------------------------------------------------------------------------------------
def base_url(host: str, port: int) -> str:
    """The URL a local client uses: a wildcard host (all interfaces) is reached through loopback."""
    shown = _WILDCARD_HOSTS.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def banner(app: MockApp, host: str, port: int, version: str, admin_token: bool) -> str:
    """Where everything is served, for the scenario the app has loaded."""
    url = base_url(host, port)
    scenario = app.store.scenario
    where = f"listening on {host}:{port}, all interfaces; " if host in _WILDCARD_HOSTS else ""
    lines = [f"campaign-mock {version} on {url} ({where}scenario: {scenario.name})"]
    demo = _demo_keys(app.catalog, scenario)
    width = max((len(name) for name in app.catalog.vendors), default=0)
    urls = {name: f"{url}/{name}{SDK_BASE_PATHS.get(name, '')}" for name in app.catalog.vendors}
    url_width = max((len(u) for u in urls.values()), default=0)
    for name in app.catalog.vendors:
        key = demo.get(name)
        credential = _credential(app.catalog.specs[name].document, key) if key else "(no demo key in this scenario)"
        lines.append(f"  {name:<{width}}  {urls[name]:<{url_width}}  {credential}")
    lines.append(f"  {'specs':<{width}}  {url}/<vendor>/openapi.json")
    token = "  (Authorization: Bearer <admin token>)" if admin_token else ""
    lines.append(f"  {'admin':<{width}}  {url}/__admin  spec: {url}/__admin/openapi.json{token}")
    return "\n".join(lines)


def _demo_keys(catalog: Catalog, loaded: Scenario) -> dict[str, str]:
    """Each vendor's well-known demo key (the first key of its part of `default`), where `loaded` accepts it."""
    try:
        default = load_scenario(DEFAULT_SCENARIO, catalog)
    except ConfigError:
        return {}
    out = {}
    for vendor, section in default.vendors.items():
        keys = [_key_of(item) for item in section.get("api_keys") or []]
        accepted = {_key_of(item) for item in loaded.vendors.get(vendor, {}).get("api_keys") or []}
        if keys and keys[0] in accepted:
            out[vendor] = keys[0]
    return out


def _key_of(item: Any) -> str:
    return str(item.get("key") if isinstance(item, dict) else item)


def _credential(spec: dict[str, Any], key: str) -> str:
    """The key as the vendor's first documented security scheme carries it (`Authorization: Bearer ...`)."""
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for requirement in spec.get("security") or []:
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
                return f"Authorization: Bearer {key}"
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                return f"{scheme['name']}: {key}"
    return key


# -- the request log ----------------------------------------------------------------------------------
_REMEMBERED_REQUESTS = 4096  # distinct requests whose line middle a RequestLog keeps
_MILLIS = [".%03d" % ms for ms in range(1000)]  # noqa: UP031 - the millisecond part of a line's time


class RequestLog:
    """`HH:MM:SS.mmm session METHOD /path status 1.2ms [!violation] [~fault]`, one line per answered request.

    Lines are collected and written together at most `delay` seconds after the first of a batch, so that a busy
    server writes (and flushes) a few times a second rather than once a request, and an idle one shows each line
    at once. A stream that goes away (a closed pipe) ends the log, never the server."""

    def __init__(self, stream: TextIO, delay: float = 0.05) -> None:
        self.stream: TextIO | None = stream
        self.delay = delay
        self._lines: list[str] = []
        self._second = -1
        self._hms = ""
        self._middles: dict[tuple[str, str, str, str, str, int], str] = {}

    def __call__(self, ex: Exchange) -> None:
        if self.stream is None:
            return
        now = time.time()
        second = int(now)
        if second != self._second:  # formatting the time of day once a second is enough
            self._second, self._hms = second, time.strftime("%H:%M:%S", time.localtime(second))
        elapsed = (time.perf_counter() - ex.started) * 1000
        status = ex.reply.status if ex.reply is not None else 0
        # Everything of a line but its time, its duration and its marks is the same for a request that comes again.
        request = (ex.session_name, ex.method, ex.root, ex.full_path, ex.query, status)
        middle = self._middles.get(request)
        if middle is None:
            middle = self._middle(request)
        marks = " !violation" if ex.violations else ""
        if ex.fault is not None or ex.injected:
            marks += " ~fault"
        millis = _MILLIS[int((now - second) * 1000)]
        self._lines.append(self._hms + millis + middle + "%.1fms" % elapsed + marks + "\n")  # noqa: UP031
        if len(self._lines) == 1:
            asyncio.get_running_loop().call_later(self.delay, self.flush)

    def _middle(self, request: tuple[str, str, str, str, str, int]) -> str:
        """` session METHOD /path?names status ` as a line shows it for `(session, method, root, full_path, query,
        status)`, remembered: clients send the same few requests over and over (bounded, as a client walking
        through ids must not grow it for ever)."""
        session, method, root, full_path, query, status = request
        path = root + full_path
        if query:
            # Names only: a value may be a credential, and the log never shows one.
            path += "?" + "&".join(part.partition("=")[0] for part in query.split("&"))[:200]
        if " " in path or not path.isprintable():
            path = _escaped(path)
        if " " in session or not session.isprintable():
            session = _escaped(session)
        middle = " %-8s %-6s %s %d " % (session[:40], method, path, status)  # noqa: UP031
        if len(self._middles) >= _REMEMBERED_REQUESTS:
            self._middles.clear()
        self._middles[request] = middle
        return middle

    def flush(self) -> None:
        text, self._lines = "".join(self._lines), []
        if not text or self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the reader went away (or the stream was closed): stop logging
            self.stream = None


def time_of_day() -> str:
    """`HH:MM:SS.mmm`, local time, as request lines begin."""
    now = time.time()
    return f"{time.strftime('%H:%M:%S', time.localtime(now))}.{int(now % 1 * 1000):03d}"


def _escaped(text: str) -> str:
    """Spaces and control characters percent-encoded again, as the client sent them, so that every request is one
    line of space-separated fields (and a request cannot add a line of its own)."""
    return quote(text, safe=_SAFE)
