"""The reference server's msgspec wire types must not drift from spec/schemas.

Two checks per component:

* structural: the msgspec-generated JSON Schema and the spec schema are walked side by side
  (properties, required fields, types incl. null, enums/consts, numeric and length bounds, closed
  objects). Requests must match exactly (the strict decoder accepts what the spec accepts);
  responses may be narrower than the spec (everything the encoder can produce is spec-valid);
* behavioural: every upstream example decodes strictly into the wire type, and every
  counter-example of a request component is rejected by it, or by the server (see
  ``SEMANTIC_ONLY`` for the rules msgspec cannot express).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
import yaml

from conformance import _spec
from reference_server._wire import WIRE_TYPES
from reference_server._wire._decode import convert_request
from tests.spec._schema_walk import Alt, Resolver, alternatives, discriminator

REQUESTS = {
    "ChatCompletionRequest",
    "MessagesRequest",
    "EmbeddingsRequest",
    "RolloutRequest",
    "CountTokensRequest",
}
NUMERIC_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
BOUNDS = {
    "integer": NUMERIC_BOUNDS,
    "number": NUMERIC_BOUNDS,
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
}


# Places (by the end of their path) where the wire type keeps a free-form value on purpose; the reason
# is the check that replaces the structural one.
FREEFORM = {
    (
        "MessagesRequest",
        "<custom>.input_schema",
    ): "a JSON Schema kept whole; `type: object` checked after decoding",
    ("CountTokensRequest", "<custom>.input_schema"): "as above",
}


# Tags the spec lets a client leave out (or send as null) and the server fills in before the strict
# decode (`_wire.lenient_form`): the wire type requires them, the spec does not.
IMPLICIT_TAGS = {
    (
        "MessagesRequest",
        ("type", "custom"),
    ): "a custom tool's `type` is optional and nullable (anthropic SDK)",
    ("CountTokensRequest", ("type", "custom")): "as above",
}


@dataclass
class Drift:
    component: str
    problems: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '$'}: {message}")


def compare(
    spec: Any,
    spec_r: Resolver,
    wire: Any,
    wire_r: Resolver,
    path: str,
    exact: bool,
    drift: Drift,
    depth: int = 0,
) -> None:
    if depth > 40:
        return
    spec_alts = alternatives(spec, spec_r)
    wire_alts = alternatives(wire, wire_r)
    spec_kinds = {a.kind for a in spec_alts} | (
        {"number"} if "integer" in {a.kind for a in spec_alts} else set()
    )
    wire_kinds = {a.kind for a in wire_alts}
    for kind in wire_kinds - spec_kinds:
        if not (kind == "integer" and "number" in spec_kinds):
            drift.add(path, f"wire accepts/produces {kind}, spec does not")
    if exact:
        norm_wire = wire_kinds | ({"number"} if "integer" in wire_kinds else set())
        for kind in {a.kind for a in spec_alts} - norm_wire:
            drift.add(path, f"spec allows {kind}, wire does not")
    for kind in ("boolean", "integer", "number", "string"):
        s = [a for a in spec_alts if a.kind == kind]
        w = [a for a in wire_alts if a.kind == kind]
        if not s or not w:
            continue
        s_consts = (
            None if any(a.consts is None for a in s) else frozenset().union(*(a.consts or () for a in s))
        )
        w_consts = (
            None if any(a.consts is None for a in w) else frozenset().union(*(a.consts or () for a in w))
        )
        if (
            w_consts is not None
            and s_consts is not None
            and (w_consts != s_consts if exact else not w_consts <= s_consts)
        ):
            drift.add(
                path,
                f"{kind} values differ: spec {sorted(map(str, s_consts))}, wire {sorted(map(str, w_consts))}",
            )
        elif exact and (s_consts is None) != (w_consts is None):
            drift.add(
                path,
                f"{kind}: spec {'open' if s_consts is None else sorted(map(str, s_consts))}, wire {'open' if w_consts is None else sorted(map(str, w_consts))}",
            )
        if exact and len(s) == 1 and len(w) == 1:
            _compare_bounds(kind, s[0].node, w[0].node, path, drift)
    s_arr = [a for a in spec_alts if a.kind == "array"]
    w_arr = [a for a in wire_alts if a.kind == "array"]
    if s_arr and w_arr:
        if exact and len(s_arr) == 1 and len(w_arr) == 1:
            _compare_bounds("array", s_arr[0].node, w_arr[0].node, path, drift)
        compare(
            s_arr[0].node.get("items", {}),
            s_arr[0].resolver,
            w_arr[0].node.get("items", {}),
            w_arr[0].resolver,
            path + "[]",
            exact,
            drift,
            depth + 1,
        )
    s_obj = [a for a in spec_alts if a.kind == "object"]
    w_obj = [a for a in wire_alts if a.kind == "object"]
    if s_obj and w_obj:
        _compare_objects(s_obj, w_obj, path, exact, drift, depth)


def _compare_bounds(kind: str, s: dict[str, Any], w: dict[str, Any], path: str, drift: Drift) -> None:
    for key in BOUNDS.get(kind, ()):
        if key in s or key in w:
            sv, wv = s.get(key), w.get(key)
            if sv is None or wv is None or float(sv) != float(wv):
                drift.add(path, f"{key}: spec {sv}, wire {wv}")


def _compare_objects(
    s_obj: list[Alt], w_obj: list[Alt], path: str, exact: bool, drift: Drift, depth: int
) -> None:
    spec_by_key = {discriminator(a): a for a in s_obj}
    for w in w_obj:
        key = discriminator(w)
        s = spec_by_key.get(key)
        if s is None and len(s_obj) == 1:
            s = s_obj[0]
        if s is None:
            drift.add(path, f"wire object variant {key} has no spec counterpart")
            continue
        where = f"{path}<{key[1]}>" if key else path
        if any(c == drift.component and where.endswith(end) for c, end in FREEFORM):
            continue
        s_props: dict[str, Any] = s.node.get("properties", {})
        w_props: dict[str, Any] = w.node.get("properties", {})
        implicit = (drift.component, key) in IMPLICIT_TAGS
        s_open = s.node.get("additionalProperties", True) is not False
        for name in sorted(set(w_props) - set(s_props)):
            drift.add(where, f"wire field {name!r} is not in the spec")
        if exact:
            for name in sorted(set(s_props) - set(w_props)):
                drift.add(where, f"spec field {name!r} missing from the wire type")
            if s_open != (w.node.get("additionalProperties", True) is not False):
                drift.add(where, "additionalProperties differs")
        s_req, w_req = set(s.node.get("required", [])), set(w.node.get("required", []))
        if implicit:
            s_req.add(key[0])
        if exact and s_req != w_req:
            drift.add(where, f"required differs: spec {sorted(s_req)}, wire {sorted(w_req)}")
        elif not exact and not s_req <= w_req:
            drift.add(where, f"spec requires {sorted(s_req - w_req)} but the wire type may omit them")
        for name in sorted(set(s_props) & set(w_props)):
            if implicit and name == key[0]:
                continue
            compare(
                s_props[name],
                s.resolver,
                w_props[name],
                w.resolver,
                f"{where}.{name}",
                exact,
                drift,
                depth + 1,
            )
    if exact:
        wire_keys = {discriminator(a) for a in w_obj}
        for key in spec_by_key:
            if key not in wire_keys and not (len(w_obj) == 1 and len(s_obj) == 1):
                drift.add(path, f"spec object variant {key} missing from the wire type")


def _drift(component: str) -> list[str]:
    registry = _spec.schema_registry()
    uri = f"{_spec.SCHEMA_BASE_URI}{component}.json"
    spec_r = Resolver(spec_resolver=registry.resolver(uri))
    wire_schema = msgspec.json.schema(WIRE_TYPES[component])
    wire_r = Resolver(defs=wire_schema.get("$defs", {}))
    drift = Drift(component)
    compare({"$ref": uri}, spec_r, wire_schema, wire_r, "", component in REQUESTS, drift)
    return drift.problems


@pytest.mark.parametrize("component", sorted(WIRE_TYPES))
def test_wire_type_matches_spec(component: str) -> None:
    assert component in _spec.component_names()
    assert _drift(component) == []


def test_every_spec_component_with_a_body_has_a_wire_type() -> None:
    assert set(_spec.component_names()) - set(WIRE_TYPES) <= {"CompletionUsage"}


def _examples(name: str) -> Iterator[tuple[str, str, Any]]:
    with (_spec.spec_dir() / "examples" / name).open(encoding="utf-8") as fh:
        entries = next(iter(yaml.safe_load(fh).values()))
    for entry in entries:
        instances = [entry["instance"]] if "instance" in entry else entry.get("instances", [])
        for instance in instances:
            yield entry["id"], entry["component"], instance


_UPSTREAM = [e for e in _examples("upstream.yaml") if e[1] in REQUESTS]
_COUNTER_REQUESTS = [e for e in _examples("counter.yaml") if e[1] in REQUESTS]

# Request rules msgspec cannot express; the server enforces them after decoding (and the
# server tests and schemathesis check that it does). Anything else must fail in the decoder.
SEMANTIC_ONLY = {
    "chat.request.model-upstream-name",
    "chat.request.model-size-mega",
    "chat.request.model-size-only",
    "chat.request.stream-options-without-stream",
    "chat.request.tool-choice-without-tools",
    "messages.request.tool-result-in-assistant",
    "messages.request.max-tokens-above-family-limit",
    "chat.request.top-logprobs-without-logprobs",
    "messages.request.input-schema-not-json-schema",
    "embeddings.request.chat-model",
    "rollout.request.sequence-without-actions",
    "messages.request.thinking-with-temperature",
    "messages.request.adaptive-thinking-with-temperature",
    "messages.request.thinking-with-top-k",
    "messages.request.thinking-with-low-top-p",
}


@pytest.mark.parametrize(("example_id", "component", "instance"), _UPSTREAM, ids=[e[0] for e in _UPSTREAM])
def test_upstream_example_decodes_strictly(example_id: str, component: str, instance: Any) -> None:
    convert_request(WIRE_TYPES[component], instance)


@pytest.mark.parametrize(
    ("example_id", "component", "instance"), _COUNTER_REQUESTS, ids=[e[0] for e in _COUNTER_REQUESTS]
)
def test_counter_example_request_is_rejected_by_the_decoder(
    example_id: str, component: str, instance: Any
) -> None:
    if example_id in SEMANTIC_ONLY:
        pytest.skip(
            "enforced after decoding; tests/server/test_counter_examples.py checks the server refuses it"
        )
    with pytest.raises(msgspec.ValidationError):
        convert_request(WIRE_TYPES[component], instance)
