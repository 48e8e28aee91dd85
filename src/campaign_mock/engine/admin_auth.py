"""Who may use the admin API: the admin token, and the rule for when one is required.

A server on a loopback host (127.0.0.0/8, ::1, localhost) is reachable only from its own machine, so its admin API
is open unless a token is given. Any other host needs a token, and with a token (on any host) every admin call
must carry it, as `Authorization: Bearer TOKEN` or `X-Admin-Token: TOKEN`, except `GET /__admin/health`: a
liveness probe should not need a secret, and the health body holds no state. The comparison takes the same time
however much of a wrong token matches.
"""

from __future__ import annotations

import hmac
import ipaddress

from .errors import ApiError

TOKEN_ENV = "CAMPAIGN_MOCK_ADMIN_TOKEN"
OPEN_PATHS = frozenset({"/__admin/health"})


def is_loopback(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1 (bracketed or not); anything else may be reachable from outside."""
    name = host.strip().removeprefix("[").removesuffix("]").lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve to any interface


def token_problem(token: str) -> str | None:
    """Why `token` cannot be an admin token (it must fit in an HTTP header as sent), or None."""
    if not token:
        return "the admin token is empty"
    if not all("!" <= ch <= "~" for ch in token):
        return "the admin token must be printable ASCII without spaces (it is sent in an HTTP header)"
    return None


def exposure_problem(host: str, token: str | None) -> str | None:
    """Why the mock may not be served on `host` with this token (the caller says how to give one), or None."""
    if token is None and not is_loopback(host):
        return (
            f"host {host or repr(host)} is not a loopback address, so other machines could reach the admin API "
            "(which reads and replaces every session's state): it needs an admin token"
        )
    return None


class Unauthorized(ApiError):
    def __init__(self) -> None:
        message = "the admin API needs the admin token: Authorization: Bearer TOKEN or X-Admin-Token: TOKEN"
        super().__init__(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="campaign-mock"'})


class AdminGuard:
    """Admits admin requests: all of them without a token, only those carrying it with one."""

    def __init__(self, token: str | None) -> None:
        self._token = token.encode("utf-8") if token is not None else None

    @property
    def required(self) -> bool:
        return self._token is not None

    def admits(self, method: str, path: str, headers: dict[str, str]) -> bool:
        """`path` is the admin path without any session prefix; `headers` are lower-cased, latin-1 decoded."""
        if self._token is None or (method in ("GET", "HEAD") and path in OPEN_PATHS):
            return True
        scheme, _, credentials = headers.get("authorization", "").strip().partition(" ")
        offered = [headers.get("x-admin-token", "")]
        if scheme.lower() == "bearer":
            offered.append(credentials.strip())
        # Both are compared (no early exit), each in constant time, as the raw bytes that were sent.
        results = [hmac.compare_digest(value.encode("latin-1"), self._token) for value in offered]
        return any(results)
