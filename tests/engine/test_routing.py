"""Routing: a request path and method to a documented operation, without HTTP."""

from __future__ import annotations

from campaign_mock.engine.routing import Match, NoMatch, Router
from campaign_mock.engine.specs import Operation, ResponseSpec


def _op(method: str, path: str) -> Operation:
    name = f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    return Operation(
        service="fakevendor",
        operation_id=name,
        method=method,
        path=path,
        parameters=(),
        body=None,
        body_required=False,
        responses={200: ResponseSpec(None, ())},
        default_response=None,
        inferred=False,
        sources=(),
    )


LIST = _op("GET", "/v1/things")
CREATE = _op("POST", "/v1/things")
SEARCH = _op("GET", "/v1/things/search")
GET = _op("GET", "/v1/things/{thing_id}")
DELETE = _op("DELETE", "/v1/things/{thing_id}")
ANY_GET = _op("GET", "/v1/{kind}/{item_id}")
NOTE = _op("GET", "/v1/things/{thing_id}/notes/{note_id}")
ROUTER = Router([ANY_GET, GET, DELETE, SEARCH, LIST, CREATE, NOTE])


def test_match_static_path_wins_over_a_template_it_also_fits() -> None:
    assert ROUTER.match("GET", "/v1/things/search") == Match(SEARCH, {})


def test_match_templated_path_captures_its_parameters() -> None:
    assert ROUTER.match("GET", "/v1/things/t1/notes/n2") == Match(NOTE, {"thing_id": "t1", "note_id": "n2"})


def test_match_prefers_the_template_with_more_literal_segments() -> None:
    assert ROUTER.match("GET", "/v1/things/t1") == Match(GET, {"thing_id": "t1"})
    assert ROUTER.match("GET", "/v1/widgets/w1") == Match(ANY_GET, {"kind": "widgets", "item_id": "w1"})


def test_match_order_does_not_depend_on_the_order_operations_are_given() -> None:
    reversed_router = Router([NOTE, CREATE, LIST, SEARCH, DELETE, GET, ANY_GET])

    assert reversed_router.match("GET", "/v1/things/t1") == Match(GET, {"thing_id": "t1"})
    assert reversed_router.match("GET", "/v1/things/search") == Match(SEARCH, {})


def test_match_head_is_answered_by_get() -> None:
    assert ROUTER.match("HEAD", "/v1/things") == Match(LIST, {})
    assert ROUTER.match("HEAD", "/v1/things/t1") == Match(GET, {"thing_id": "t1"})


def test_match_head_on_a_path_without_get_lists_the_allowed_methods() -> None:
    router = Router([CREATE])

    assert router.match("HEAD", "/v1/things") == NoMatch(("POST",))


def test_match_wrong_method_lists_the_allowed_methods_sorted() -> None:
    assert ROUTER.match("PUT", "/v1/things") == NoMatch(("GET", "POST"))
    assert ROUTER.match("PATCH", "/v1/things/t1") == NoMatch(("DELETE", "GET"))


def test_match_unknown_path_allows_nothing() -> None:
    assert ROUTER.match("GET", "/v1/nowhere/at/all/here") == NoMatch(())
    assert ROUTER.match("GET", "/v2/things") == NoMatch(())


def test_match_parameter_never_spans_a_slash() -> None:
    assert ROUTER.match("GET", "/v1/things/a/b") == NoMatch(())
    assert ROUTER.match("GET", "/v1/things/") == NoMatch(())


def test_match_encoded_slash_inside_a_parameter_is_decoded_in_the_value() -> None:
    assert ROUTER.match("GET", "/v1/things/a%2Fb") == Match(GET, {"thing_id": "a/b"})
    assert ROUTER.match("GET", "/v1/things/a%2Fb/notes/c%2Fd") == Match(NOTE, {"thing_id": "a/b", "note_id": "c/d"})


def test_template_for_a_concrete_path_is_the_documented_template() -> None:
    assert ROUTER.template_for("/v1/things/t1") == "/v1/things/{thing_id}"
    assert ROUTER.template_for("/v1/things/search") == "/v1/things/search"
    assert ROUTER.template_for("/v1/things/{thing_id}") == "/v1/things/{thing_id}"
    assert ROUTER.template_for("/v9/unknown/path/here") is None
