"""Deterministic identifiers.

Every id the mock mints comes from an `IdFactory`: the n-th id of a prefix in a session is always the same, so
two runs of a test see the same ids. Ids look like the vendor's own (a prefix and an opaque tail in the vendor's
alphabet), and the counters are part of a session's exported state.
"""

from __future__ import annotations

import hashlib
from typing import Literal

IdStyle = Literal["ulid", "ulid_lower", "hex24", "uuid", "token"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789"


class IdFactory:
    def __init__(self, seed: str = "campaign-mock", counters: dict[str, int] | None = None) -> None:
        self.seed = seed
        self.counters: dict[str, int] = dict(counters or {})

    def new(self, prefix: str, style: IdStyle = "token", length: int = 12) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        digest = hashlib.sha256(f"{self.seed}:{prefix}:{n}".encode()).digest()
        return prefix + _render(digest, style, length)


def _render(digest: bytes, style: IdStyle, length: int) -> str:
    number = int.from_bytes(digest, "big")
    if style == "hex24":
        return digest.hex()[:24]
    if style == "uuid":
        h = digest.hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
    alphabet = _TOKEN if style == "token" else _CROCKFORD
    size = 26 if style.startswith("ulid") else length
    chars = []
    for _ in range(size):
        number, rest = divmod(number, len(alphabet))
        chars.append(alphabet[rest])
    text = "".join(chars)
    return text.lower() if style == "ulid_lower" else text
