"""The request schemas in spec/ cover every field the official SDKs' create params define (D-SURF-1).

The SDKs' request types are TypedDicts. This test walks them (recursively, through unions,
`Required`/`NotRequired`, `Optional`, `Literal`, `Iterable`/`Sequence`, `Dict` and type aliases) side by
side with the spec's JSON Schema, the way tests/spec/test_wire_drift.py holds the msgspec Structs to
the spec, and reports every place where a client could send something the spec does not accept:

* a field of a TypedDict that the matching spec object does not list (objects are closed);
* a `Literal` value the spec's `const`/`enum` lacks, a `None` the SDK allows and the spec does not;
* a JSON kind the SDK allows (string, integer, number, boolean, array, object) that the spec lacks;
* a field the spec requires and the SDK does not.

`NOT_IN_BODY` lists the SDK arguments deliberately not in a body schema, with the reason; pydantic
models inside param unions (response blocks a client passes back) are not walked: they serialise to
the param shapes walked here. The mutation test removes one field or value from a copy of the spec and
expects the walker to report it, so the check is shown to fail when the spec loses a field.
"""

from __future__ import annotations

import collections.abc
import copy
import importlib
import inspect
import os
import types
import typing
from dataclasses import dataclass, field
from typing import Any

import pydantic
import pytest
import typing_extensions
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance import _spec
from tests.spec._schema_walk import Alt, Resolver, alternatives, discriminator

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")

ROOTS = {
    "openai": (
        "ChatCompletionRequest",
        [
            "openai.types.chat.completion_create_params:CompletionCreateParamsNonStreaming",
            "openai.types.chat.completion_create_params:CompletionCreateParamsStreaming",
        ],
    ),
    "anthropic": (
        "MessagesRequest",
        [
            "anthropic.types.message_create_params:MessageCreateParamsNonStreaming",
            "anthropic.types.message_create_params:MessageCreateParamsStreaming",
            "anthropic.types.beta.message_create_params:MessageCreateParamsNonStreaming",
            "anthropic.types.beta.message_create_params:MessageCreateParamsStreaming",
        ],
    ),
    "anthropic-count-tokens": (
        "CountTokensRequest",
        [
            "anthropic.types.message_count_tokens_params:MessageCountTokensParams",
            "anthropic.types.beta.message_count_tokens_params:MessageCountTokensParams",
        ],
    ),
    # A response message passed back as history (`messages.append(completion.choices[0].message)`):
    # the SDK dumps the model with the fields the server sent, `annotations` and nulls included.
    "openai-replay": (
        "ChatCompletionRequest#/$defs/AssistantMessage",
        ["openai.types.chat.chat_completion_message:ChatCompletionMessage"],
    ),
}

NOT_IN_BODY = {
    "betas": "the SDK sends it as the `anthropic-beta` header (openapi.yaml AnthropicBeta, D-HDR-3)",
    "user_profile_id": "the SDK sends it as the `anthropic-user-profile-id` header (AnthropicUserProfileId)",
    "workspace_id": "the SDK sends it as the `anthropic-workspace-id` header (AnthropicWorkspaceId)",
}
"""Top-level arguments of the Anthropic create/count params that never reach the JSON body."""

_KIND_OF_PRIMITIVE = {str: "string", bool: "boolean", int: "integer", float: "number"}
_SEQUENCES = (list, tuple, set, collections.abc.Iterable, collections.abc.Sequence)


def _origin_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    return getattr(origin, "__name__", "") if origin is not None else ""


def _strip(tp: Any) -> Any:
    """`tp` without `Required`/`NotRequired`/`ReadOnly`/`Annotated` wrappers."""
    while _origin_name(tp) in ("Required", "NotRequired", "ReadOnly", "Annotated"):
        tp = typing.get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if typing.get_origin(tp) is typing.Union or isinstance(tp, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _union_members(arg)]
    return [tp]


def _required_keys(td: Any) -> set[str]:
    """Required keys of a TypedDict, read from `Required`/`NotRequired` and each base's totality (the
    SDKs postpone annotations, so `__required_keys__` cannot see the markers)."""
    required: set[str] = set()
    for base in reversed(td.__mro__):
        own = inspect.get_annotations(base)
        if not own or not typing_extensions.is_typeddict(base):
            continue
        hints = typing.get_type_hints(base, include_extras=True)
        for key in own:
            marker = _origin_name(hints[key])
            if marker == "Required" or (marker != "NotRequired" and getattr(base, "__total__", True)):
                required.add(key)
            else:
                required.discard(key)
    return required


@dataclass
class Gaps:
    problems: list[str] = field(default_factory=list)
    seen: set[tuple[int, int]] = field(default_factory=set)

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '$'}: {message}")


def _kinds(alts: list[Alt]) -> set[str]:
    return {a.kind for a in alts}


def _accepts_value(alts: list[Alt], value: Any) -> bool:
    kind = "null" if value is None else _KIND_OF_PRIMITIVE.get(type(value), "object")
    candidates = [a for a in alts if a.kind == kind or (kind == "integer" and a.kind == "number")]
    return any(a.consts is None or value in a.consts for a in candidates)


def _walk(tp: Any, node: Any, resolver: Resolver, path: str, gaps: Gaps, *, replay: bool = False) -> None:
    """`replay`: inside a pydantic response model passed back in a request. Its optional fields are
    `Optional[...] = None`, but only what the server sent comes back (`exclude_unset`), so `None` there
    says nothing about the wire: nullability is checked on the param types only."""
    alts = alternatives(node, resolver)
    members = _union_members(tp)
    has_str = str in members
    objects_in_union = [m for m in members if typing_extensions.is_typeddict(m) or _is_model(m)]
    for member in members:
        if member is type(None):
            if not replay and "null" not in _kinds(alts):
                gaps.add(path, "the SDK allows null, the spec does not")
        elif member in _KIND_OF_PRIMITIVE:
            kind = _KIND_OF_PRIMITIVE[member]
            ok = kind in _kinds(alts) or (kind == "integer" and "number" in _kinds(alts))
            if not ok or not any(a.consts is None for a in alts if a.kind in (kind, "number")):
                gaps.add(path, f"the SDK allows any {kind}, the spec does not")
        elif member is object or member is Any:
            continue
        elif _origin_name(member) == "Literal":
            for value in typing.get_args(member):
                if isinstance(value, str) and has_str:
                    continue
                if not _accepts_value(alts, value):
                    gaps.add(path, f"Literal value {value!r} is not accepted by the spec")
        elif typing_extensions.is_typeddict(member) or _is_model(member):
            _walk_typeddict(member, alts, path, gaps, several=len(objects_in_union) > 1, replay=replay)
        elif typing.get_origin(member) in _SEQUENCES or _origin_name(member) == "SequenceNotStr":
            arrays = [a for a in alts if a.kind == "array"]
            if not arrays:
                gaps.add(path, "the SDK allows an array, the spec does not")
            for arr in arrays[:1]:
                _walk(
                    typing.get_args(member)[0],
                    arr.node.get("items", {}),
                    arr.resolver,
                    path + "[]",
                    gaps,
                    replay=replay,
                )
        elif typing.get_origin(member) in (dict, collections.abc.Mapping):
            objects = [a for a in alts if a.kind == "object"]
            if not objects:
                gaps.add(path, "the SDK allows an object, the spec does not")
            value_type = typing.get_args(member)[1]
            for obj in objects[:1]:
                extra = obj.node.get("additionalProperties", True)
                if extra is False and not obj.node.get("properties"):
                    gaps.add(path, "the SDK allows any keys, the spec allows none")
                elif isinstance(extra, dict) and value_type not in (object, Any):
                    _walk(value_type, extra, obj.resolver, path + "{}", gaps, replay=replay)
        elif _origin_name(member) in ("IO", "PathLike") or member in (typing.IO, os.PathLike):
            if "string" not in _kinds(alts):  # file inputs are sent as base64 strings
                gaps.add(path, "the SDK sends a string here, the spec does not accept one")
        else:
            raise TypeError(f"{path}: unhandled SDK type {member!r}")


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


def _fields(tp: Any) -> dict[str, Any]:
    """A TypedDict's or a pydantic model's fields by their wire name."""
    if _is_model(tp):
        return {f.alias or name: f.annotation for name, f in tp.model_fields.items()}
    return typing.get_type_hints(tp, include_extras=True)


def _walk_typeddict(td: Any, alts: list[Alt], path: str, gaps: Gaps, *, several: bool, replay: bool) -> None:
    replay = replay or _is_model(td)
    objects = [a for a in alts if a.kind == "object"]
    hints = _fields(td)
    tags = {}
    for key in ("type", "role"):
        if key in hints:
            values = [
                v
                for m in _union_members(hints[key])
                if _origin_name(m) == "Literal"
                for v in typing.get_args(m)
            ]
            if values:
                tags[key] = values
    label = f"{path}<{td.__name__}>"
    if tags:
        key, values = next(iter(tags.items()))
        for value in values:
            matches = [a for a in objects if _tag_values(a, key) is not None and value in _tag_values(a, key)]
            if not matches and not several and len(objects) == 1:
                matches = objects
            if not matches:
                gaps.add(path, f"no spec object for {td.__name__} ({key}={value!r})")
            for obj in matches:  # the tag itself is covered by the match, value by value
                _compare_fields(td, hints, obj, f"{path}<{value}>", gaps, skip=key, replay=replay)
        return
    if len(objects) == 1:
        _compare_fields(td, hints, objects[0], label, gaps, replay=replay)
    elif not objects:
        gaps.add(path, f"the SDK allows an object ({td.__name__}), the spec does not")
    else:
        untagged = [a for a in objects if discriminator(a) is None]
        if len(untagged) != 1:
            gaps.add(path, f"cannot tell which spec object matches {td.__name__}")
        else:
            _compare_fields(td, hints, untagged[0], label, gaps, replay=replay)


def _tag_values(alt: Alt, key: str) -> set[Any] | None:
    prop = alt.node.get("properties", {}).get(key)
    if prop is None:
        return None
    return {v for sub in alternatives(prop, alt.resolver) for v in (sub.consts or ())}


def _compare_fields(
    td: Any,
    hints: dict[str, Any],
    obj: Alt,
    path: str,
    gaps: Gaps,
    skip: str | None = None,
    *,
    replay: bool = False,
) -> None:
    marker = (id(td), id(obj.node))
    if marker in gaps.seen:
        return
    gaps.seen.add(marker)
    props: dict[str, Any] = obj.node.get("properties", {})
    closed = obj.node.get("additionalProperties", True) is False
    for name, hint in hints.items():
        if (path == "" and name in NOT_IN_BODY) or name == skip:
            continue
        if name not in props:
            if closed:
                gaps.add(path, f"field {name!r} of {td.__name__} is not in the spec")
            continue
        _walk(hint, props[name], obj.resolver, f"{path}.{name}", gaps, replay=replay)
    extra_required = set(obj.node.get("required", [])) - (set(hints) if _is_model(td) else _required_keys(td))
    if extra_required:
        gaps.add(path, f"the spec requires {sorted(extra_required)}, {td.__name__} does not")


def _load(ref: str) -> Any:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _registry(overrides: dict[str, dict[str, Any]]) -> Registry[Any]:
    schemas = {name: _spec.load_schema(name) for name in _spec.component_names()}
    schemas.update(overrides)
    return Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012)) for s in schemas.values()
    )


def sdk_gaps(dialect: str, overrides: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Every place where the SDK's params of `dialect` allow what the spec (with `overrides` for some
    schema files) does not."""
    component, roots = ROOTS[dialect]
    registry = _spec.schema_registry() if not overrides else _registry(overrides)
    name, _, pointer = component.partition("#")
    uri = f"{_spec.SCHEMA_BASE_URI}{name}.json"
    resolver = Resolver(spec_resolver=registry.resolver(uri))
    gaps = Gaps()
    for ref in roots:
        td = _load(ref)
        alts = alternatives({"$ref": uri + (f"#{pointer}" if pointer else "")}, resolver)
        _compare_fields(td, _fields(td), alts[0], "", gaps, replay=_is_model(td))
    return sorted(set(gaps.problems))


@pytest.mark.parametrize("dialect", sorted(ROOTS))
def test_spec_covers_the_sdk_params(dialect: str) -> None:
    assert sdk_gaps(dialect) == []


def test_fields_left_out_of_the_body_are_header_parameters() -> None:
    params = _spec.load_openapi()["components"]["parameters"]
    headers = {p["name"] for p in params.values() if p["in"] == "header"}
    assert {"anthropic-beta", "anthropic-user-profile-id", "anthropic-workspace-id"} <= headers
    body = _spec.load_schema("MessagesRequest")["properties"]
    assert not set(NOT_IN_BODY) & set(body)


# -- the walker is shown to fail when the spec loses something --------------------------------

MUTATIONS = [
    ("openai", "ChatCompletionRequest", ("properties", "response_format"), "field 'response_format'"),
    ("openai", "ChatCompletionRequest", ("properties", "seed"), "field 'seed'"),
    (
        "openai",
        "ChatCompletionRequest",
        ("$defs", "AssistantMessage", "properties", "refusal"),
        "field 'refusal'",
    ),
    (
        "openai-replay",
        "ChatCompletionRequest",
        ("$defs", "AssistantMessage", "properties", "annotations"),
        "field",
    ),
    (
        "openai",
        "ChatCompletionRequest",
        ("$defs", "JSONSchemaDefinition", "properties", "strict"),
        "field 'strict'",
    ),
    (
        "openai",
        "ChatCompletionRequest",
        ("$defs", "StreamOptions", "properties", "include_obfuscation"),
        "field",
    ),
    ("openai", "ChatCompletionRequest", ("$defs", "UserContentPart", "oneOf", 2), "no spec object"),
    (
        "openai",
        "ChatCompletionRequest",
        ("$defs", "ImageURL", "properties", "detail", "enum", 0),
        "Literal value",
    ),
    ("anthropic", "MessagesRequest", ("properties", "thinking"), "field 'thinking'"),
    ("anthropic", "MessagesRequest", ("properties", "output_config"), "field 'output_config'"),
    ("anthropic", "MessagesRequest", ("properties", "thread"), "field 'thread'"),
    ("anthropic", "MessagesRequest", ("$defs", "Tool", "properties", "eager_input_streaming"), "field"),
    ("anthropic", "MessagesRequest", ("$defs", "Tool", "properties", "strict"), "field 'strict'"),
    ("anthropic", "MessagesRequest", ("$defs", "Tool", "properties", "input_examples"), "field"),
    (
        "anthropic",
        "MessagesRequest",
        ("$defs", "RequestTextBlock", "properties", "citations"),
        "field 'citations'",
    ),
    ("anthropic", "MessagesRequest", ("$defs", "ContentBlock", "oneOf", 4), "no spec object"),
    ("anthropic", "MessagesRequest", ("$defs", "ToolUnion", "oneOf", 12), "no spec object"),
    (
        "anthropic",
        "MessagesRequest",
        ("$defs", "CacheControl", "properties", "ttl", "enum", 1),
        "Literal value",
    ),
    ("anthropic-count-tokens", "CountTokensRequest", ("properties", "thinking"), "field 'thinking'"),
]


def _remove(schema: dict[str, Any], pointer: tuple[Any, ...]) -> Any:
    node: Any = schema
    for part in pointer[:-1]:
        node = node[part]
    return node.pop(pointer[-1])


@pytest.mark.parametrize(
    ("dialect", "component", "pointer", "expected"),
    MUTATIONS,
    ids=[f"{c}:{'/'.join(map(str, p))}" for _, c, p, _ in MUTATIONS],
)
def test_walker_reports_a_field_removed_from_the_spec(
    dialect: str, component: str, pointer: tuple[Any, ...], expected: str | None
) -> None:
    schema = copy.deepcopy(_spec.load_schema(component))
    try:
        removed = _remove(schema, pointer)
    except (KeyError, IndexError):
        pytest.fail(f"{component} has nothing at {pointer}: update the mutation list")
    gaps = sdk_gaps(dialect, {component: schema})
    assert gaps, f"removing {pointer} ({removed!r}) from {component} went unnoticed"
    if expected is not None:
        assert any(expected in gap for gap in gaps), gaps
