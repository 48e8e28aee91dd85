"""The FoxReach descriptor: every documented operation has a handler, and the variants are declared."""

from __future__ import annotations

from campaign_mock.vendors.foxreach import VENDOR
from campaign_mock.vendors.foxreach.handlers import DEFAULT_PAGE_SIZE
from campaign_mock.vendors.foxreach.records import WEBHOOK_EVENTS
from campaign_mock.vendors.registry import SHIPPED, registered_catalog


def test_vendor_is_registered() -> None:
    assert VENDOR in SHIPPED


def test_every_operation_has_a_handler_and_no_handler_is_spare() -> None:
    documented = {op.operation_id for op in registered_catalog().specs["foxreach"].operations}
    assert len(documented) == 44
    assert set(VENDOR.handlers) == documented


def test_variants_have_documented_sources_on_each_side() -> None:
    variants = {v.name: v for v in VENDOR.variants}
    assert set(variants) == {"foxreach.auth_failure_status", "foxreach.rate_limit_window"}
    auth, window = variants["foxreach.auth_failure_status"], variants["foxreach.rate_limit_window"]
    assert (auth.default, set(auth.choices)) == ("403", {"403", "401"})
    assert (window.default, set(window.choices)) == ("fixed", {"fixed", "sliding"})
    assert all(sources for v in variants.values() for sources in v.choices.values())


def test_rate_limit_is_the_documented_one() -> None:
    assert VENDOR.rate_limit is not None
    policy = VENDOR.rate_limit.policy
    assert (policy.limit, policy.window_seconds, policy.window) == (100, 60, "fixed")
    assert VENDOR.rate_limit.key({"x-api-key": "otr_abc"}) == "otr_abc"


def test_webhook_events_match_the_spec() -> None:
    enum = registered_catalog().specs["foxreach"].document["components"]["schemas"]["WebhookEventName"]["enum"]
    assert list(WEBHOOK_EVENTS) == enum


def test_default_page_size_matches_the_spec() -> None:
    parameter = registered_catalog().specs["foxreach"].document["components"]["parameters"]["PageSize"]
    assert parameter["schema"]["default"] == DEFAULT_PAGE_SIZE
