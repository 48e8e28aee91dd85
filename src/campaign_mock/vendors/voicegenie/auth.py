"""Who may call what (contradiction V1): the x-api-key header, or the token cookie that POST /auth/login sets.

- Every endpoint takes the credential the variant `voicegenie.auth` names: `x-api-key` (default) or the `token`
  cookie (x-api-key is then ignored). Missing or unknown credentials answer 401; a key listed in
  `forbidden_api_keys` answers 403.
- POST /auth/login needs nothing; verifyLogin and logout always read the cookie.
- The third-party call pages take `Authorization: Bearer <login JWT | static batch token>` or the cookie; the mock
  also takes x-api-key there, and any key of `api_keys` as a static batch token.

Login tokens are JWTs (HS256) valid 24 hours on the mock clock, signed with the mock's own key: only the mock reads
them. Logging out revokes the token's `jti` (kept in the state's `revoked_tokens`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...engine.vendor import AuthRequest, presented_key
from . import errors
from .records import Record
from .state import VoiceGenieState
from .variants import AUTH

TOKEN_SECONDS = 24 * 3600
_SECRET = b"campaign-mock/voicegenie/token-signing-key"
_HEADER = {"alg": "HS256", "typ": "JWT"}
PUBLIC = frozenset({"login"})
COOKIE_ONLY = {"verify_login": errors.INVALID_TOKEN, "logout": errors.MISSING_TOKEN}


@dataclass(frozen=True)
class Principal:
    """Who a request comes from: the API key (or static batch token) it presented, or the user of its token."""

    key: str | None = None
    user: Record | None = None
    token: str | None = None


def api_key(headers: Mapping[str, str]) -> str:
    return presented_key(headers, "x-api-key")


def cookie_token(headers: Mapping[str, str]) -> str:
    """The value of the `token` cookie (empty when there is none)."""
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "token":
            return value.strip().strip('"')
    return ""


def rate_limit_key(headers: Mapping[str, str]) -> str:
    """What the per-endpoint limits count by: the API key, else the session token (cookie, then Bearer)."""
    return api_key(headers) or cookie_token(headers) or presented_key(headers, "authorization", "Bearer")


# -- tokens ------------------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(head: str, body: str) -> str:
    return _b64(hmac.new(_SECRET, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest())


def issue_token(user: Record, jti: str, now: float) -> tuple[str, int]:
    """A signed login token for `user`, and its expiry (epoch seconds)."""
    issued = int(now)
    claims = {"sub": user["_id"], "email": user["email"], "jti": jti, "iat": issued, "exp": issued + TOKEN_SECONDS}
    head = _b64(json.dumps(_HEADER, separators=(",", ":"), sort_keys=True).encode())
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{head}.{body}.{_sign(head, body)}", claims["exp"]


def token_claims(token: str) -> dict[str, Any] | None:
    """The claims of a token the mock signed (None for anything else)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    head, body, signature = parts
    try:
        expected = _sign(head, body)
        if not hmac.compare_digest(expected, signature):
            return None
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def token_user(state: VoiceGenieState, token: str, now: float) -> Record | None:
    """The user of a valid login token: signed by the mock, not expired, not logged out, its user still there."""
    claims = token_claims(token) if token else None
    if claims is None or not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        return None
    if claims.get("jti") in state.revoked_tokens:
        return None
    return state.user(str(claims.get("sub")))


# -- authentication ------------------------------------------------------------------------------------
def authenticate(request: AuthRequest[VoiceGenieState]) -> Principal:
    """The credentials each operation takes: none for the public ones, the login cookie where only it is
    documented, a bearer token, cookie or key on the call pages, else `x-api-key` (or the cookie, per variant)."""
    op = request.operation.operation_id if request.operation else None
    headers, state, now = request.headers, request.state, request.now.timestamp()
    if op in PUBLIC:
        return Principal()
    if op in COOKIE_ONLY:
        token = cookie_token(headers)
        user = token_user(state, token, now)
        if user is None:
            raise errors.unauthorized(COOKIE_ONLY[op])
        return Principal(user=user, token=token)
    if op in errors.CALLS:
        return _call_credentials(headers, state, now)
    if request.variants[AUTH.name] == "cookie":
        token = cookie_token(headers)
        user = token_user(state, token, now)
        if user is None:
            raise errors.unauthorized(errors.INVALID_TOKEN)
        return Principal(user=user, token=token)
    return _key(api_key(headers), state)


def _key(key: str, state: VoiceGenieState) -> Principal:
    if key and key in state.api_keys:
        return Principal(key=key)
    if key and key in state.forbidden_api_keys:
        raise errors.forbidden()
    raise errors.unauthorized(errors.MISSING_API_KEY)


def _call_credentials(headers: Mapping[str, str], state: VoiceGenieState, now: float) -> Principal:
    """Bearer (a login JWT or a static batch token), the cookie, or x-api-key: the first that is valid."""
    bearer = presented_key(headers, "authorization", "Bearer")
    for token in (bearer, cookie_token(headers)):
        user = token_user(state, token, now) if token else None
        if user is not None:
            return Principal(user=user, token=token)
    for key in (bearer, api_key(headers)):
        if key and key in state.api_keys:
            return Principal(key=key)
    if any(key and key in state.forbidden_api_keys for key in (bearer, api_key(headers))):
        raise errors.forbidden()
    raise errors.unauthorized(errors.INVALID_TOKEN)
