"""Walking spec/ JSON Schemas: `$ref` resolution and the alternatives (kind, node, consts) a node allows.

Shared by the wire-drift test (msgspec Structs against the spec) and the SDK-params test (the official
SDKs' TypedDicts against the spec).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance._snapshot_rules import json_type

__all__ = ["KINDS", "Alt", "Resolver", "alternatives", "discriminator"]

KINDS = ("null", "boolean", "integer", "number", "string", "array", "object")


@dataclass
class Resolver:
    """Follows ``$ref`` in either the spec registry or a msgspec schema's local ``$defs``."""

    defs: dict[str, Any] | None = None
    spec_resolver: Any = None

    def resolve(self, node: dict[str, Any]) -> tuple[dict[str, Any], Resolver]:
        seen = 0
        current = self
        while "$ref" in node and seen < 50:
            ref = node["$ref"]
            if current.defs is not None:
                node = current.defs[ref.rsplit("/", 1)[-1]]
            else:
                resolved = current.spec_resolver.lookup(ref)
                node, current = resolved.contents, Resolver(spec_resolver=resolved.resolver)
            seen += 1
        return node, current


@dataclass
class Alt:
    kind: str
    node: dict[str, Any]
    resolver: Resolver
    consts: frozenset[Any] | None = None


def alternatives(node: Any, resolver: Resolver) -> list[Alt]:
    if node is True or node == {}:
        return [Alt(kind, {}, resolver) for kind in KINDS]
    node, resolver = resolver.resolve(node)
    for key in ("oneOf", "anyOf"):
        # With "type" beside it, a oneOf/anyOf is a constraint on that type, not a union.
        if key in node and "type" not in node:
            return [alt for sub in node[key] for alt in alternatives(sub, resolver)]
    if "const" in node or "enum" in node:
        values = [node["const"]] if "const" in node else node["enum"]
        by_kind: dict[str, set[Any]] = {}
        for value in values:
            by_kind.setdefault(json_type(value), set()).add(value)
        return [Alt(kind, node, resolver, frozenset(vals)) for kind, vals in by_kind.items()]
    types = node.get("type")
    if types is None:
        return [Alt(kind, node, resolver) for kind in KINDS]
    if isinstance(types, str):
        types = [types]
    return [Alt(kind, node, resolver) for kind in types]


def discriminator(alt: Alt) -> Any:
    for key in ("type", "role"):
        prop = alt.node.get("properties", {}).get(key)
        if prop is not None:
            resolved, _ = alt.resolver.resolve(prop)
            if "const" in resolved:
                return (key, resolved["const"])
            if "enum" in resolved:
                # A nullable tag (a custom tool's `type: "custom" | null`) is keyed by its string value.
                values = sorted(v for v in resolved["enum"] if v is not None)
                return (key, values[0] if len(values) == 1 else tuple(values))
    return None
