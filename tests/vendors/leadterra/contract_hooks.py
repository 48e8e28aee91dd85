"""Leadterra's settings for the Schemathesis run in tests/contract: the demo key, and every check."""

from __future__ import annotations

HEADERS = {"Authorization": "Bearer sk_test_leadterra"}
