"""Negative fuzzing (schemathesis, schema-invalid data) on every operation: never a 5xx (issue 11).

Both auth headers carry the same valid key on every request, so a refusal is about the data and not
about the key. schemathesis's negative mode mostly breaks headers and the query when an operation has
any (an empty `X-OpenAI-Key` is refused before the body is read), so every operation is fuzzed twice:
as generated, and with the generated headers and query dropped, so that the broken bodies reach the
decoder. The last test proves that `/v1/messages` bodies really were generated and judged.

Why `/v1/messages` needed help: a user turn's `content` is an array (minItems 1) of a union of closed
block objects (`additionalProperties: false`). To break such an array, schemathesis demands one
element that matches none of the blocks; it canonicalises "matches none" into `not propertyNames`
terms it cannot draw from, and gives up with "Cannot generate an array with 1 demanded elements"
(InvalidSchema, for some seeds, on `/v1/messages` and `/v1/messages/count_tokens`). The spec is right
(the server refuses unknown block fields, D-ERR-5), so the spec stays; the fuzzer gets a view in which
union members inside arrays are open (`negative_view`). Unknown block fields are still sent, now
as "valid" data, and still have to be refused with a 4xx.
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from conformance._spec import load_openapi_bundled
from reference_server import Settings, create_app

# one worker runs the whole module: the last test reads what the fuzz tests above counted (SEEN)
pytestmark = pytest.mark.xdist_group("fuzz-negative")

KEY = "stratus_sk_test_negativeFuzz01"
AUTH = {"Authorization": f"Bearer {KEY}", "x-api-key": KEY}
SEEN: collections.Counter[tuple[str, int]] = collections.Counter()
BODY_ERRORS: collections.Counter[str] = collections.Counter()


def negative_view(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with `additionalProperties: false` dropped from the union members of array items."""

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" not in node:
            return node
        target: Any = doc
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part]
        return target  # changed in place: load_openapi_bundled() gives a fresh copy

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            items = node.get("items")
            if isinstance(items, dict):
                items = resolve(items)  # the union may be a named one (`$defs/ContentBlock`)
                for key in ("oneOf", "anyOf"):
                    for member in items.get(key, []):
                        target = resolve(member)
                        if target.get("additionalProperties") is False:
                            del target["additionalProperties"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    return doc


schema = schemathesis.openapi.from_dict(negative_view(load_openapi_bundled()))
schema.app = create_app(Settings(max_body_bytes=256 * 1024))
schema.config.generation.update(modes=[GenerationMode.NEGATIVE])


def _judge(case: Any, *, body_only: bool) -> None:
    if body_only:
        for name in list(case.headers or {}):
            del case.headers[name]
        if case.query:
            case.query.clear()
    for name in list(case.headers or {}):
        if name.lower().startswith("x-stratus-mock"):
            del case.headers[name]  # errors on demand (D-MOCK-1) are not client mistakes
    response = case.call(headers=AUTH)
    path = case.operation.path
    SEEN[path, response.status_code] += 1
    assert response.status_code < 500, (case.method, path, case.body, response.text[:500])
    if response.status_code >= 400 and response.status_code != 405:
        body = response.json()
        if path.startswith("/v1/messages"):
            assert body["type"] == "error", body
        assert body["error"]["type"], body
        assert body["error"]["message"], body
        if body_only and path == "/v1/messages" and response.status_code == 400:
            BODY_ERRORS[body["error"]["message"].split(":", 1)[0][:40]] += 1


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_negative_data_never_gets_a_5xx(case: Any) -> None:
    _judge(case, body_only=False)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_negative_bodies_never_get_a_5xx(case: Any) -> None:
    _judge(case, body_only=True)


@pytest.mark.slow
def test_messages_bodies_were_generated_and_judged() -> None:
    if not SEEN:
        pytest.skip("run together with the fuzz tests above")
    for route in ("/v1/chat/completions", "/v1/messages", "/v1/messages/count_tokens", "/v1/embeddings"):
        assert sum(n for (path, _), n in SEEN.items() if path == route) >= 15, (route, SEEN)
    # broken bodies reached the decoder and were refused for many different reasons
    assert len(BODY_ERRORS) >= 5, BODY_ERRORS


def test_negative_view_opens_only_union_members_inside_arrays() -> None:
    doc = negative_view(load_openapi_bundled())
    defs = doc["components"]["schemas"]["MessagesRequest"]["$defs"]
    assert "additionalProperties" not in defs["RequestTextBlock"]
    assert "additionalProperties" not in defs["ToolResultBlock"]
    assert doc["components"]["schemas"]["MessagesRequest"]["additionalProperties"] is False
    # the turns are a named union inside the `messages` array too; what is no array item stays closed
    assert "additionalProperties" not in defs["UserTurn"]
    assert defs["Metadata"]["additionalProperties"] is False
    assert defs["CacheControl"]["additionalProperties"] is False
