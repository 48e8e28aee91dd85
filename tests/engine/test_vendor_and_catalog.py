"""The vendor contract and the catalog: what a vendor may declare, and what loading a set of vendors refuses."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fake_vendor import FAKE, SPEC_FILE, handlers
from fake_vendor.errors import FakeErrors

from campaign_mock.engine.catalog import load_catalog
from campaign_mock.engine.errors import ApiError, ConfigError, PayloadTooLarge, Problem, RouteNotFound
from campaign_mock.engine.rate_limit import RateLimitPolicy
from campaign_mock.engine.variants import Variant
from campaign_mock.engine.vendor import ErrorRenderer, RateLimit, handlers_of, presented_key

LOUD = Variant("fakevendor.volume", "How loud.", {"low": ("https://docs.fake.example/volume",)}, "low")


# -- Vendor --------------------------------------------------------------------------------------------
def test_vendor_refuses_a_variant_not_named_after_it() -> None:
    stray = Variant("othervendor.greeting", "Not ours.", {"a": ("https://docs.fake.example/a",)}, "a")

    with pytest.raises(ValueError, match=r"^vendor fakevendor: variant 'othervendor.greeting' must be named "):
        dataclasses.replace(FAKE, variants=(stray,))


def test_vendor_refuses_a_variant_whose_name_only_starts_like_it() -> None:
    stray = Variant("fakevendorx.greeting", "Not ours.", {"a": ("https://docs.fake.example/a",)}, "a")

    with pytest.raises(ValueError, match=r"must be named fakevendor\.<switch>$"):
        dataclasses.replace(FAKE, variants=(stray,))


def test_vendor_refuses_a_rate_limit_window_variant_it_does_not_declare() -> None:
    limit = RateLimit(key=lambda headers: "", policy=RateLimitPolicy(1, 1), window_variant=LOUD)

    with pytest.raises(ValueError, match=r"^vendor fakevendor: rate-limit variant 'fakevendor.volume' is not one"):
        dataclasses.replace(FAKE, rate_limit=limit)


def test_variant_refuses_a_default_that_is_not_a_choice() -> None:
    with pytest.raises(ValueError, match=r"^variant fakevendor.volume: default 'high' is not a choice$"):
        Variant("fakevendor.volume", "How loud.", {"low": ()}, "high")


def test_handlers_of_collects_the_public_async_functions_of_a_module_by_name() -> None:
    assert handlers_of(handlers) == {
        "list_things": handlers.list_things,
        "create_thing": handlers.create_thing,
        "get_thing": handlers.get_thing,
        "get_broken": handlers.get_broken,
        "explode": handlers.explode,
        "get_now": handlers.get_now,
        "draw": handlers.draw,
        "greet": handlers.greet,
        "export_thing": handlers.export_thing,
        "upload": handlers.upload,
        "get_quota": handlers.get_quota,
        "ping_thing": handlers.ping_thing,
        "search": handlers.search,
    }


@pytest.mark.parametrize(
    ("value", "scheme", "key"),
    [
        ("  fk_1 ", None, "fk_1"),
        ("Bearer fk_1", "Bearer", "fk_1"),
        ("bearer   fk_1 ", "Bearer", "fk_1"),
        ("Basic fk_1", "Bearer", ""),
        ("Bearer", "Bearer", ""),
        ("fk_1", "Bearer", ""),
        (None, None, ""),
    ],
)
def test_presented_key_reads_the_key_after_its_scheme(value: str | None, scheme: str | None, key: str) -> None:
    headers = {} if value is None else {"x-fake-key": value}

    assert presented_key(headers, "x-fake-key", scheme) == key


class _PlainErrors(ErrorRenderer):
    """A renderer that rewords nothing."""

    def render(self, error: ApiError) -> Any:
        return {"code": error.code, "message": error.message}


def test_renderer_keeps_the_engines_words_for_what_it_does_not_reword() -> None:
    error = PayloadTooLarge(10)

    documented = _PlainErrors().documented(error)

    assert documented is error
    assert _PlainErrors().render(documented) == {
        "code": "payload_too_large",
        "message": "the request body is larger than 10 bytes",
    }


def test_renderer_rewords_what_it_documents_and_leaves_api_errors_alone() -> None:
    renderer = FakeErrors()
    own = ApiError(404, "missing", "no thing 't9'")

    reworded = renderer.documented(RouteNotFound("/v1/x"))

    assert (reworded.status, reworded.code, reworded.message) == (404, "no_route", "nothing lives at /v1/x")
    assert renderer.documented(own) is own


# -- the catalog -----------------------------------------------------------------------------------------
def test_catalog_is_loaded_once_per_set_of_vendors() -> None:
    catalog = load_catalog([FAKE])

    assert load_catalog((FAKE,)) is catalog
    assert sorted(catalog.specs) == ["__admin", "fakevendor"]
    assert list(catalog.variants) == ["fakevendor.greeting"]


def test_catalog_refuses_a_handler_that_names_no_operation() -> None:
    typo = dataclasses.replace(FAKE, handlers={**FAKE.handlers, "get_widget": handlers.get_thing})

    with pytest.raises(ConfigError) as caught:
        load_catalog([typo])

    assert caught.value.problems == [
        Problem(str(SPEC_FILE), None, "handler 'get_widget' of fakevendor serves no operation of its spec")
    ]


def test_catalog_refuses_two_vendors_with_the_same_name() -> None:
    twin = dataclasses.replace(FAKE)

    with pytest.raises(ConfigError) as caught:
        load_catalog([FAKE, twin])

    assert [str(p) for p in caught.value.problems] == [
        "vendors: two vendors share a name",
        "vendors: variant fakevendor.greeting is declared twice",
    ]


def test_catalog_refuses_a_vendor_name_that_is_not_lowercase_letters_and_digits() -> None:
    badly_named = dataclasses.replace(FAKE, name="Fake_Vendor", variants=())

    with pytest.raises(ConfigError) as caught:
        load_catalog([badly_named])

    assert [str(p) for p in caught.value.problems] == [
        "vendors: Fake_Vendor: a vendor name is lowercase letters and digits"
    ]


def test_catalog_refuses_a_vendor_whose_spec_cannot_be_read() -> None:
    missing = dataclasses.replace(FAKE, spec_file=SPEC_FILE.with_name("absent.yaml"))

    with pytest.raises(ConfigError) as caught:
        load_catalog([missing])

    assert [p.message for p in caught.value.problems] == ["cannot read spec: No such file or directory"]


def test_catalog_completes_the_scenario_schema_with_the_vendors_state_and_variants() -> None:
    schema = load_catalog([FAKE]).scenario_schema

    assert list(schema["properties"]["vendors"]["properties"]) == ["fakevendor"]
    assert schema["properties"]["variants"]["properties"] == {"fakevendor.greeting": {"enum": ["plain", "formal"]}}
    assert schema["properties"]["rate_limits"]["propertyNames"] == {"enum": ["fakevendor"]}
