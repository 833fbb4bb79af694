"""Objects and arrays for the instance generator: which properties and how many items.

`Composites` is mixed into the generator (`_instances._Generator`), which provides `value()` (a
value for a list of subschemas that hold together), `valid()` and `error()`. The rules:

* Objects: every `required` property (and what `dependentRequired` pulls in), then optional
  properties only when the goal names their value (`hinted`) or the context asks for all of them;
  a property's subschemas are its `properties` entry, the matching `patternProperties` and, when
  neither applies, `additionalProperties` of every part; `false` there forbids it, and a forbidden
  required property is a contradiction. `minProperties` adds declared properties first, then names
  the patterns or `propertyNames` allow (`key_1`, ... as the last resort).
* Arrays: one item per thing the goal names for the array (places, e-mail addresses, enum options,
  an "A, B and C" list), else one item (D-GEN-2), within `minItems`/`maxItems`; `prefixItems` (or a
  draft-7 `items` array) fill their positions, `contains` the first `minContains` items, and
  `uniqueItems` varies items by position until they differ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from referencing.exceptions import Unresolvable

from reference_server._instance_types import GoalContext, Kind, UnsatisfiableSchema
from reference_server._leaves import Leaves, canonical
from reference_server._memo import memo
from reference_server._values import role_of

__all__ = ["MAX_ITEMS", "Composites", "Part", "Scope", "pointer_segment"]

MAX_ITEMS = 1_000
"""More items than this (by `minItems`) is beyond what the generator builds."""
OPTIONAL_STEPS = 10_000
"""Optional properties are tried only while fewer sub-values than this have been built, so a huge
schema still gets its required properties within the generator's step bound."""
_ITEM_ROLES = ("name", "query", "none", "text", "id")
"""Roles whose property takes an item the goal lists ("tasks: buy milk and walk the dog")."""
_HINTING = frozenset(["location", "email", "url", "path", "date", "phone", "uuid", "enum"])
"""Item hints that make an optional array worth sending (a list of places is; a plan is not)."""


@dataclass(frozen=True, slots=True)
class Part:
    """One subschema that holds at this node, with the resolver of its document and its path."""

    schema: Any
    """A JSON Schema object, or `true`/`false`."""
    resolver: Any
    path: str
    consumed: frozenset[str] = frozenset()
    """Keywords (`anyOf`, `oneOf`, `if`) already decided by a branch higher up."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Where the generator is: the property name, the instance path, recursion counts, hints."""

    name: str = ""
    ipath: str = "$"
    depth: int = 0
    refs: Mapping[int, int] = field(default_factory=dict)
    minimal: bool = False
    ordinal: int = 0
    overrides: Mapping[str, str] = field(default_factory=dict)
    """Values for this subtree by role (one item per place: {"location": "Paris"}), `item`, `enum`."""


def pointer_segment(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@memo(entries=1024, max_bytes=8 * 2**20)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _search(pattern: str, text: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is not None and compiled.search(text) is not None


def _ints(parts: list[Part], key: str) -> list[int]:
    return [
        p.schema[key]
        for p in parts
        if isinstance(p.schema.get(key), int) and not isinstance(p.schema[key], bool)
    ]


def _dependencies(schema: Mapping[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in ("dependentRequired", "dependencies"):
        deps = schema.get(key)
        if isinstance(deps, Mapping):
            for trigger, names in deps.items():
                if isinstance(names, list):
                    out.setdefault(trigger, []).extend(n for n in names if isinstance(n, str))
    return out


def _child_path(ipath: str, name: str) -> str:
    return f"{ipath}.{name}" if name.isidentifier() else f"{ipath}[{name!r}]"


_SKIP = object()


class Composites:
    """Object and array generation; the generator class supplies the methods declared here."""

    context: GoalContext
    leaves: Leaves
    steps: int

    def value(self, seeds: list[Part], scope: Scope) -> tuple[Any, bool]:
        raise NotImplementedError

    def valid(self, value: Any, schema: Any, resolver: Any = None) -> bool:
        raise NotImplementedError

    def error(
        self, reason: str, scope: Scope, path: str = "", *, kind: Kind = "contradictory"
    ) -> UnsatisfiableSchema:
        raise NotImplementedError

    # -- objects -------------------------------------------------------------------------------

    def object(self, parts: list[Part], scope: Scope) -> tuple[dict[str, Any], bool]:
        required: list[str] = []
        order: list[str] = []
        for part in parts:
            req = part.schema.get("required")
            if isinstance(req, list):
                required.extend(r for r in req if isinstance(r, str) and r not in required)
            props = part.schema.get("properties")
            if isinstance(props, Mapping):
                order.extend(k for k in props if k not in order)
        for part in parts:
            for trigger, deps in _dependencies(part.schema).items():
                if trigger in required:
                    required.extend(d for d in deps if d not in required)
        max_props = min(_ints(parts, "maxProperties") or [10**9])
        min_props = max(_ints(parts, "minProperties") or [0])
        if len(required) > max_props:
            raise self.error(
                f"{len(required)} properties are required but maxProperties is {max_props}",
                scope,
                parts[0].path,
            )
        target = self.item_target(order, scope)
        out: dict[str, Any] = {}
        hinted_any = False
        for name in [*order, *(r for r in required if r not in order)]:
            is_required = name in required
            if scope.minimal and not is_required:
                continue
            if not is_required and (
                len(out) + sum(r not in out for r in required) >= max_props or self.steps > OPTIONAL_STEPS
            ):
                continue
            seeds = self.property_seeds(name, parts, scope, required=is_required)
            if seeds is None:
                continue
            child = self.property_scope(scope, name, target)
            if is_required:
                out[name], hinted = self.value(seeds, child)
                hinted_any = hinted_any or hinted
                continue
            try:
                value, hinted = self.value(seeds, child)
            except UnsatisfiableSchema:
                continue
            if hinted or self.context.include_optional:
                out[name] = value
                hinted_any = hinted_any or hinted
        if len(out) < min_props:
            self.fill_properties(out, order, min_props, parts, scope)
        return {k: out[k] for k in [*order, *out] if k in out}, hinted_any

    def item_target(self, order: list[str], scope: Scope) -> str | None:
        """The one property of a list item that takes the item the goal named (a name before a text)."""
        if "item" not in scope.overrides:
            return None
        roles = {name: role_of(name) for name in order}
        for wanted in _ITEM_ROLES:
            for name in order:
                if roles[name] == wanted:
                    return name
        return None

    def property_scope(self, scope: Scope, name: str, target: str | None) -> Scope:
        overrides = {k: v for k, v in scope.overrides.items() if k not in ("item", "enum")}
        if target == name:
            overrides["item"] = scope.overrides["item"]
        return replace(
            scope,
            name=name,
            ipath=_child_path(scope.ipath, name),
            depth=scope.depth + 1,
            ordinal=0,
            overrides=overrides,
        )

    def property_seeds(
        self, name: str, parts: list[Part], scope: Scope, *, required: bool
    ) -> list[Part] | None:
        """The subschemas that apply to property `name`; None when it is forbidden and optional."""
        seeds: list[Part] = []
        key = pointer_segment(name)
        declared = False
        for part in parts:
            s = part.schema
            matched = False
            props = s.get("properties")
            if isinstance(props, Mapping) and name in props:
                seeds.append(Part(props[name], part.resolver, f"{part.path}/properties/{key}"))
                matched = True
            patterns = s.get("patternProperties")
            if isinstance(patterns, Mapping):
                for pattern, sub in patterns.items():
                    if _search(pattern, name):
                        path = f"{part.path}/patternProperties/{pointer_segment(pattern)}"
                        seeds.append(Part(sub, part.resolver, path))
                        matched = True
            declared = declared or matched
            if not matched and "additionalProperties" in s:
                seeds.append(
                    Part(s["additionalProperties"], part.resolver, f"{part.path}/additionalProperties")
                )
        if not declared:
            # unevaluatedProperties sees what every part (allOf, $ref) declared, not only its own.
            for part in parts:
                if "unevaluatedProperties" in part.schema:
                    path = f"{part.path}/unevaluatedProperties"
                    seeds.append(Part(part.schema["unevaluatedProperties"], part.resolver, path))
        for part in parts:
            s = part.schema
            names = s.get("propertyNames")
            if names is not None and not self.valid(name, names, part.resolver):
                if required:
                    raise self.error(
                        f"required property {name!r} does not satisfy propertyNames",
                        scope,
                        part.path + "/propertyNames",
                    )
                return None
        forbidden = [seed.path for seed in seeds if seed.schema is False]
        if forbidden:
            if required:
                keyword = forbidden[0].rsplit("/", 1)[-1]
                raise self.error(
                    f"required property {name!r} is forbidden by {keyword}: false", scope, forbidden[0]
                )
            return None
        return seeds

    def fill_properties(
        self, out: dict[str, Any], order: list[str], minimum: int, parts: list[Part], scope: Scope
    ) -> None:
        """Add properties until `minProperties` holds: declared ones, then names the schema allows."""
        candidates = [n for n in order if n not in out]
        for part in parts:
            patterns = part.schema.get("patternProperties")
            for pattern in patterns if isinstance(patterns, Mapping) else ():
                candidates.extend(self.leaves.key_for(pattern, i) for i in range(minimum))
            names = part.schema.get("propertyNames")
            if isinstance(names, Mapping) and isinstance(names.get("pattern"), str):
                candidates.extend(self.leaves.key_for(names["pattern"], i) for i in range(minimum))
        candidates.extend(f"key_{i + 1}" for i in range(minimum))
        for name in dict.fromkeys(candidates):
            if len(out) >= minimum:
                return
            if name in out:
                continue
            seeds = self.property_seeds(name, parts, scope, required=False)
            if seeds is None:
                continue
            try:
                out[name], _ = self.value(seeds, self.property_scope(scope, name, None))
            except UnsatisfiableSchema:
                continue
        if len(out) < minimum:
            raise self.error(
                f"minProperties is {minimum} but only {len(out)} properties can be built",
                scope,
                parts[0].path,
            )

    # -- arrays --------------------------------------------------------------------------------

    def array(self, parts: list[Part], scope: Scope) -> tuple[list[Any], bool]:
        min_items = max(_ints(parts, "minItems") or [0])
        max_items = min(_ints(parts, "maxItems") or [MAX_ITEMS])
        unique = any(p.schema.get("uniqueItems") is True for p in parts)
        if min_items > MAX_ITEMS:
            raise self.error(
                f"minItems {min_items} is more than the generator builds",
                scope,
                parts[0].path,
                kind="unsupported",
            )
        tuple_len = 0
        for part in parts:
            prefix, rest = _positional(part)
            tuple_len = max(tuple_len, len(prefix))
            if rest is False:
                max_items = min(max_items, len(prefix))
        if min_items > max_items:
            raise self.error(
                f"minItems {min_items} is greater than the {max_items} items allowed", scope, parts[0].path
            )
        contains = [(p, p.schema["contains"]) for p in parts if "contains" in p.schema]
        need = max([_min_contains(p) for p, _ in contains] or [0])
        kind, hints = (
            ("", []) if scope.minimal else self.leaves.item_hints(scope.name, self.item_schema(parts))
        )
        desired = min_items if scope.minimal else max(len(hints), tuple_len, 1)
        count = max(min(max(desired, need), max_items), min_items)
        if need > count:
            raise self.error(
                f"contains needs {need} items but at most {max_items} are allowed", scope, parts[0].path
            )
        inherited = {k: v for k, v in scope.overrides.items() if k not in ("item", "enum")}
        items: list[Any] = []
        seen: set[Any] = set()
        for i in range(count):
            overrides = {**inherited, **(hints[i] if i < len(hints) else {})}
            value = self.item(parts, i, contains if i < need else [], scope, overrides, unique, seen)
            if value is _SKIP:
                if len(items) >= min_items:
                    break
                raise self.error(
                    f"cannot build {min_items} distinct items for uniqueItems",
                    scope,
                    parts[0].path,
                    kind="unsupported",
                )
            items.append(value)
        return items, kind in _HINTING and bool(hints)

    def item(
        self,
        parts: list[Part],
        i: int,
        contains: list[tuple[Part, Any]],
        scope: Scope,
        overrides: dict[str, str],
        unique: bool,
        seen: set[Any],
    ) -> Any:
        seeds: list[Part] = []
        for part in parts:
            prefix, rest = _positional(part)
            if i < len(prefix):
                seeds.append(Part(prefix[i], part.resolver, f"{part.path}/{_prefix_key(part)}/{i}"))
            elif rest is not None:
                seeds.append(Part(rest, part.resolver, f"{part.path}/{_rest_key(part)}"))
        seeds.extend(Part(sub, p.resolver, p.path + "/contains") for p, sub in contains)
        for attempt in range(4 if unique else 1):
            child = replace(
                scope,
                ipath=f"{scope.ipath}[{i}]",
                depth=scope.depth + 1,
                ordinal=i + attempt * 7,
                overrides=overrides,
            )
            value, _ = self.value(seeds, child)
            key = canonical(value)
            if not unique or key not in seen:
                seen.add(key)
                return value
        return _SKIP

    def item_schema(self, parts: list[Part]) -> Mapping[str, Any]:
        """The items schema, resolved one `$ref` deep, to choose what the goal's items fill."""
        for part in parts:
            _prefix, rest = _positional(part)
            if isinstance(rest, Mapping):
                ref = rest.get("$ref")
                if isinstance(ref, str):
                    try:
                        target = part.resolver.lookup(ref).contents
                    except Unresolvable:
                        return rest
                    return target if isinstance(target, Mapping) else rest
                return rest
        return {}


def _min_contains(part: Part) -> int:
    value = part.schema.get("minContains", 1)
    return value if isinstance(value, int) else 1


def _positional(part: Part) -> tuple[list[Any], Any]:
    """(positional item schemas, schema of the items after them or None)."""
    s = part.schema
    if isinstance(s.get("prefixItems"), list):
        return s["prefixItems"], s.get("items", s.get("unevaluatedItems"))
    if isinstance(s.get("items"), list):
        return s["items"], s.get("additionalItems", s.get("unevaluatedItems"))
    return [], s.get("items", s.get("unevaluatedItems"))


def _prefix_key(part: Part) -> str:
    return "prefixItems" if "prefixItems" in part.schema else "items"


def _rest_key(part: Part) -> str:
    s = part.schema
    if isinstance(s.get("items"), list):
        return "additionalItems"
    return "items" if "items" in s else "unevaluatedItems"
