"""One deterministic JSON-Schema instance generator: tool arguments now, structured outputs next.

`generate_instance(schema, context)` returns a JSON value that validates against `schema`, filled
from the goal and the plan in `context` (`GoalContext`). The same (schema, context) always gives
the same value: no randomness, no clock, no set iteration. A schema it cannot satisfy, because it
is contradictory (`minimum` above `maximum`, `allOf` of incompatible types, a required property
that `additionalProperties: false` forbids), malformed, or beyond what it supports, raises
`UnsatisfiableSchema` with the schema path and the reason; it never returns an invalid value,
because every result is checked with `jsonschema` (format assertions on) before it is returned.

How a value is built (reference_server/ARCHITECTURE.md lists the keywords): a node's `$ref`,
`$dynamicRef` and `allOf` subschemas are collected into *parts* that all hold at once; `anyOf`,
`oneOf` and `if` are choices tried branch by branch (the branch the goal names first, non-null
before null); the merged parts give the type, bounds and sub-schemas; objects and arrays come from
`_composites.py`, leaves from `_leaves.py`. A `$ref` open twice on the current path switches to the
smallest instance (required properties only, `minItems` items, null branches first), which is how
recursive schemas end.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import msgspec
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012, specification_with

from reference_server._composites import Composites, Part, Scope, pointer_segment
from reference_server._instance_types import GoalContext, Kind, UnsatisfiableSchema
from reference_server._leaves import LeafError, Leaves, StringSpec, canonical
from reference_server._memo import memo
from reference_server._schema_check import check_schema
from reference_server._values import facts_of, locations, mentioned, role_of

__all__ = ["GoalContext", "UnsatisfiableSchema", "generate_instance", "validator_of"]

_SOFT_DEPTH = 1
"""A `$ref` opened more often than this on the current path switches to the smallest instance."""
_HARD_DEPTH = 6
"""A `$ref` opened this often on one path has no finite instance along it."""
_MAX_NESTING = 64
_MAX_STEPS = 50_000
"""Sub-values generated per call, backtracking included: the bound for pathological schemas."""
_MAX_BRANCHES = 16
_MAX_LENGTH = 100_000
_LEGACY_DRAFT = re.compile(r"draft-0[3-4]/")
_TYPE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("object", ("properties", "required", "additionalProperties", "patternProperties", "minProperties")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems")),
    ("string", ("minLength", "maxLength", "pattern", "format")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)


@dataclass(frozen=True, slots=True)
class _Doc:
    """A schema prepared once: its validator (formats asserted) and a resolver for its `$ref`s."""

    schema: Any
    validator: Any
    specification: Any
    resolver: Any
    boolean_exclusive: bool
    """Draft 4: `exclusiveMinimum: true` modifies `minimum`."""
    json_bytes: int
    """Size of the schema's JSON: the decoded schema, validator and resolver take ~10x that."""


def _doc_weight(doc: _Doc) -> int:
    return 4096 + 10 * doc.json_bytes


@memo(entries=256, max_bytes=64 * 2**20, weight=_doc_weight)
def _prepare(key: bytes) -> _Doc:
    schema = msgspec.json.decode(key)
    if not isinstance(schema, dict | bool):
        raise UnsatisfiableSchema("a schema must be a JSON object or a boolean", kind="invalid")
    cls = validator_for(schema, default=Draft202012Validator)
    check_schema(schema, len(key), cls)
    dialect = schema.get("$schema") if isinstance(schema, dict) else None
    dialect = dialect if isinstance(dialect, str) else ""
    spec = specification_with(dialect, default=DRAFT202012)
    resolver = Registry().resolver_with_root(spec.create_resource(schema))
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _Doc(schema, validator, spec, resolver, bool(_LEGACY_DRAFT.search(dialect)), len(key))


def _schema_key(schema: Mapping[str, Any] | bool) -> bytes:
    try:
        return msgspec.json.encode(schema)
    except (TypeError, msgspec.EncodeError) as exc:
        raise UnsatisfiableSchema(f"the schema is not JSON: {exc}", kind="invalid") from None


def validator_of(schema: Mapping[str, Any] | bool) -> Any:
    """The cached `jsonschema` validator of `schema` (its declared draft, formats asserted)."""
    return _prepare(_schema_key(schema)).validator


def generate_instance(schema: Mapping[str, Any] | bool, context: GoalContext | None = None) -> Any:
    """A JSON value valid against `schema`, filled from `context`; raises `UnsatisfiableSchema`."""
    doc = _prepare(_schema_key(schema))
    value = _Generator(doc, context or GoalContext()).root()
    try:
        error = best_match(doc.validator.iter_errors(value))
    except (Unresolvable, RecursionError, re.error) as exc:
        raise UnsatisfiableSchema(
            f"the value cannot be checked against this schema ({exc})", kind="unsupported"
        ) from None
    if error is not None:
        raise UnsatisfiableSchema(
            f"the generator cannot satisfy this schema ({error.message})",
            schema_path="".join("/" + pointer_segment(str(s)) for s in error.absolute_schema_path),
            instance_path=error.json_path,
            kind="unsupported",
        )
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _discriminators(branch: Mapping[str, Any]) -> list[Any]:
    """The const/enum values and title a union branch is told apart by."""
    out: list[Any] = []
    props = branch.get("properties")
    for sub in [branch, *(props.values() if isinstance(props, Mapping) else ())]:
        if isinstance(sub, Mapping):
            if "const" in sub:
                out.append(sub["const"])
            if isinstance(sub.get("enum"), list) and len(sub["enum"]) == 1:
                out.extend(sub["enum"])
    if isinstance(branch.get("title"), str):
        out.append(branch["title"])
    return out


class _Generator(Composites):
    def __init__(self, doc: _Doc, context: GoalContext) -> None:
        self.doc = doc
        self.context = context
        self.steps = 0
        location = context.location
        if location is None:
            places = locations(context.goal)
            location = places[0] if places else None
        self.leaves = Leaves(context, facts_of(context.goal), location, self.valid)

    def root(self) -> Any:
        value, _ = self.value([Part(self.doc.schema, self.doc.resolver, "")], Scope())
        return value

    # -- parts ---------------------------------------------------------------------------------

    def value(self, seeds: list[Part], scope: Scope) -> tuple[Any, bool]:
        """A value for the conjunction of `seeds`, and whether the goal hinted it."""
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise self.error(
                "the schema is too complex to generate an instance for", scope, kind="unsupported"
            )
        if scope.depth > _MAX_NESTING:
            raise self.error(f"instances nest deeper than {_MAX_NESTING} levels", scope, kind="unsupported")
        return self.extend([], seeds, scope)

    def extend(self, parts: list[Part], seeds: list[Part], scope: Scope) -> tuple[Any, bool]:
        """A value for `parts` (already collected) and `seeds` (not yet) together."""
        parts = list(parts)
        for seed in seeds:
            scope = self.collect(seed, parts, scope)
        return self.from_parts(parts, scope)

    def collect(self, part: Part, out: list[Part], scope: Scope) -> Scope:
        """Append `part` and what its `$ref`s and `allOf` pull in, counting `$ref`s on the path."""
        schema = part.schema
        if schema is True or (isinstance(schema, Mapping) and not schema):
            return scope
        if schema is False:
            raise self.error("the schema is `false`: no value is allowed here", scope, part.path)
        if not isinstance(schema, Mapping):
            raise self.error("a subschema must be an object or a boolean", scope, part.path, kind="invalid")
        resolver = part.resolver
        if isinstance(schema.get("$id"), str) and part.path:
            resolver = resolver.in_subresource(self.doc.specification.create_resource(schema))
        for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
            ref = schema.get(keyword)
            if isinstance(ref, str):
                scope = self.follow(ref, resolver, part, out, scope)
        # Draft 7 ignores the siblings of $ref; honouring them anyway keeps the value valid under both readings.
        out.append(Part(schema, resolver, part.path, part.consumed))
        for i, sub in enumerate(schema.get("allOf") or ()):
            scope = self.collect(Part(sub, resolver, f"{part.path}/allOf/{i}"), out, scope)
        return scope

    def follow(self, ref: str, resolver: Any, part: Part, out: list[Part], scope: Scope) -> Scope:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            raise self.error(
                f"$ref {ref!r} cannot be resolved (only references within the schema are)",
                scope,
                part.path,
                kind="unsupported",
            ) from None
        key = id(resolved.contents)
        seen = scope.refs.get(key, 0) + 1
        if seen > _HARD_DEPTH:
            raise self.error(
                f"$ref {ref!r} recurses without end: no finite instance exists", scope, part.path
            )
        refs = {**scope.refs, key: seen}
        scope = replace(scope, refs=refs, minimal=scope.minimal or seen > _SOFT_DEPTH)
        target = ref.split("#", 1)[1] if "#" in ref else ""
        return self.collect(Part(resolved.contents, resolved.resolver, target), out, scope)

    def from_parts(self, parts: list[Part], scope: Scope) -> tuple[Any, bool]:
        for index, part in enumerate(parts):
            for keyword in ("oneOf", "anyOf", "if"):
                if keyword in part.schema and keyword not in part.consumed:
                    return self.choose(parts, index, keyword, scope)
        value, hinted = self.typed(parts, scope)
        for part in parts:
            negated = part.schema.get("not")
            if negated is not None and self.valid(value, negated, part.resolver):
                path = part.path + "/not"
                raise self.error(
                    "`not` excludes the value the generator builds here", scope, path, kind="unsupported"
                )
        return value, hinted

    # -- choices -------------------------------------------------------------------------------

    def choose(self, parts: list[Part], index: int, keyword: str, scope: Scope) -> tuple[Any, bool]:
        part = parts[index]
        rest = [*parts[:index], replace(part, consumed=part.consumed | {keyword}), *parts[index + 1 :]]
        if keyword == "if":
            return self.conditional(rest, part, scope)
        branches = part.schema[keyword]
        if not isinstance(branches, list) or not branches:
            raise self.error(f"{keyword} must be a non-empty array", scope, part.path, kind="invalid")
        errors: list[UnsatisfiableSchema] = []
        for i in self.branch_order(branches, part, scope)[:_MAX_BRANCHES]:
            branch = Part(branches[i], part.resolver, f"{part.path}/{keyword}/{i}")
            try:
                value, hinted = self.extend(rest, [branch], scope)
            except UnsatisfiableSchema as exc:
                errors.append(exc)
                continue
            others = [other for j, other in enumerate(branches) if j != i]
            if keyword == "oneOf" and any(self.valid(value, other, part.resolver) for other in others):
                # Build it again with the other branches excluded ("not": {"anyOf": others}).
                apart = Part({"not": {"anyOf": others}}, part.resolver, branch.path)
                try:
                    value, hinted = self.extend(rest, [branch, apart], scope)
                except UnsatisfiableSchema:
                    reason = "every value built for it also matches another oneOf branch"
                    errors.append(self.error(reason, scope, branch.path, kind="unsupported"))
                    continue
            return value, hinted
        first = errors[0]
        raise UnsatisfiableSchema(
            f"no branch of {keyword} can be satisfied ({first.reason})",
            schema_path=first.schema_path if len(errors) == 1 else f"{part.path}/{keyword}",
            instance_path=scope.ipath,
            kind=first.kind,
        )

    def branch_order(self, branches: list[Any], part: Part, scope: Scope) -> list[int]:
        """The branch the goal names first, then non-null ones; when deep, null and shallow first."""
        mapping = (
            part.schema.get("discriminator", {}).get("mapping")
            if isinstance(part.schema.get("discriminator"), Mapping)
            else None
        )
        named_refs = {ref for key, ref in (mapping or {}).items() if mentioned(str(key), self.context.goal)}

        def rank(i: int) -> tuple[int, int, int, int]:
            branch = branches[i]
            if not isinstance(branch, Mapping):
                return (1, 0, 0, i) if branch is True else (2, 2, 2, i)
            resolved = self.shallow(branch, part.resolver)
            ref = branch.get("$ref")
            names = _discriminators(resolved) + ([ref.rsplit("/", 1)[-1]] if isinstance(ref, str) else [])
            named = ref in named_refs or any(
                isinstance(v, str) and mentioned(v, self.context.goal) for v in names
            )
            is_null = resolved.get("type") == "null" or ("const" in resolved and resolved["const"] is None)
            deep = any(k in branch for k in ("$ref", "items", "properties", "anyOf", "oneOf"))
            if scope.minimal:
                return (0 if is_null else 1, 1 if deep else 0, 0 if named else 1, i)
            return (0 if named else 1, 1 if is_null else 0, 0, i)

        return sorted(range(len(branches)), key=rank)

    def shallow(self, branch: Mapping[str, Any], resolver: Any) -> Mapping[str, Any]:
        """`branch` with its own `$ref` followed once (for telling union branches apart)."""
        ref = branch.get("$ref")
        if not isinstance(ref, str):
            return branch
        try:
            target = resolver.lookup(ref).contents
        except Unresolvable:
            return branch
        return target if isinstance(target, Mapping) else branch

    def conditional(self, rest: list[Part], part: Part, scope: Scope) -> tuple[Any, bool]:
        """`if`/`then`/`else`: build without them; the branch that value takes goes first."""
        condition = Part(part.schema["if"], part.resolver, part.path + "/if")
        then = Part(part.schema.get("then", True), part.resolver, part.path + "/then")
        otherwise = Part(part.schema.get("else", True), part.resolver, part.path + "/else")
        options = [[condition, then], [otherwise]]
        try:
            probe, _ = self.extend(rest, [], scope)
        except UnsatisfiableSchema:
            probe = None
        else:
            if not self.valid(probe, condition.schema, part.resolver):
                options.reverse()
        errors: list[UnsatisfiableSchema] = []
        for extra in options:
            try:
                value, hinted = self.extend(rest, extra, scope)
            except UnsatisfiableSchema as exc:
                errors.append(exc)
                continue
            if self.valid(value, part.schema, part.resolver):
                return value, hinted
        if errors:
            raise errors[0]
        raise self.error("no value meets if/then/else here", scope, part.path, kind="unsupported")

    # -- types ---------------------------------------------------------------------------------

    def typed(self, parts: list[Part], scope: Scope) -> tuple[Any, bool]:
        allowed = self.allowed_types(parts, scope)
        fixed = self.fixed_values(parts, scope)
        if fixed is not None:
            return fixed
        if allowed is None:
            allowed = [t for t, keys in _TYPE_KEYWORDS if any(k in p.schema for p in parts for k in keys)]
            allowed = allowed or ["string"]
        order = [t for t in allowed if t != "null"] + [t for t in allowed if t == "null"]
        if "number" in order and "integer" in order:
            fractional = any(isinstance(p.schema.get("multipleOf"), float) for p in parts)
            order.remove("number" if fractional else "integer")
            order.insert(0, "number" if fractional else "integer")
        if scope.minimal and "null" in order:
            order = ["null"]
        errors: list[UnsatisfiableSchema] = []
        for kind in dict.fromkeys(order):
            try:
                return self.of_type(kind, parts, scope)
            except UnsatisfiableSchema as exc:
                errors.append(exc)
        raise errors[0]

    def allowed_types(self, parts: list[Part], scope: Scope) -> list[str] | None:
        """The types every part allows, in the first part's order (None: no part says)."""
        allowed: list[str] | None = None
        for part in parts:
            kind = part.schema.get("type")
            if kind is None:
                continue
            kinds = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)]
            if "number" in kinds and "integer" not in kinds:
                kinds.append("integer")
            allowed = kinds if allowed is None else [k for k in allowed if k in kinds]
            if not allowed:
                reason = "the types required here have no value in common (allOf of incompatible types)"
                raise self.error(reason, scope, part.path + "/type")
        return allowed

    def fixed_values(self, parts: list[Part], scope: Scope) -> tuple[Any, bool] | None:
        """`const`/`enum`: the goal's option first, then plan actions, default, examples, the list."""
        options: list[Any] | None = None
        for part in parts:
            if "const" in part.schema:
                here = [part.schema["const"]]
            elif isinstance(part.schema.get("enum"), list):
                here = list(part.schema["enum"])
            else:
                continue
            keys = {canonical(v) for v in here}
            options = here if options is None else [v for v in options if canonical(v) in keys]
            if not options:
                raise self.error("the allowed values (enum/const) have nothing in common", scope, part.path)
        if options is None:
            return None
        suggested = [p.schema["default"] for p in parts if "default" in p.schema][:1] + self.examples(parts)
        ranked = self.leaves.rank_options(options, suggested, scope.ordinal, scope.overrides.get("enum"))
        for value, hinted in ranked:
            if all(self.valid(value, p.schema, p.resolver) for p in parts):
                return value, hinted
        raise self.error(
            "no value of the enum/const satisfies the other constraints here", scope, parts[0].path
        )

    def of_type(self, kind: str, parts: list[Part], scope: Scope) -> tuple[Any, bool]:
        if kind == "null":
            return None, False
        if kind == "object":
            return self.object(parts, scope)
        if kind == "array":
            return self.array(parts, scope)
        try:
            return self.leaf(kind, parts, scope)
        except LeafError as exc:
            raise self.error(str(exc), scope, parts[0].path, kind=exc.kind) from None

    def leaf(self, kind: str, parts: list[Part], scope: Scope) -> tuple[Any, bool]:
        description = self.annotation(parts, "description")
        description = description if isinstance(description, str) else ""
        title = self.annotation(parts, "title")
        title = title if isinstance(title, str) else ""
        default, examples = self.annotation(parts, "default"), self.examples(parts)
        negated = [(p.schema["not"], p.resolver) for p in parts if "not" in p.schema]

        def reject(value: Any) -> bool:
            return any(self.valid(value, schema, resolver) for schema, resolver in negated)

        if kind == "boolean":
            return self.leaves.boolean(scope.name, default, scope.ordinal, reject)
        if kind in ("integer", "number"):
            integer = kind == "integer"
            bounds = self.bounds(parts, scope, integer=integer)
            number = self.leaves.number
            return number(
                scope.name, title, bounds, default, examples, scope.ordinal, reject, integer=integer
            )
        if kind != "string":
            raise self.error(f"unknown type {kind!r}", scope, parts[0].path, kind="invalid")
        formats = [p.schema["format"] for p in parts if isinstance(p.schema.get("format"), str)]
        fmt = formats[0] if formats else ""
        min_len = max(
            [p.schema["minLength"] for p in parts if isinstance(p.schema.get("minLength"), int)] or [0]
        )
        max_lens = [p.schema["maxLength"] for p in parts if isinstance(p.schema.get("maxLength"), int)]
        max_len = min(max_lens) if max_lens else None
        if max_len is not None and min_len > max_len:
            raise LeafError(f"minLength {min_len} is greater than maxLength {max_len}")
        if min_len > _MAX_LENGTH:
            raise LeafError(f"minLength {min_len} is longer than the generator builds", "unsupported")
        spec = StringSpec(
            name=scope.name,
            role=role_of(scope.name, title, description, fmt),
            formats=tuple(formats),
            patterns=tuple(p.schema["pattern"] for p in parts if isinstance(p.schema.get("pattern"), str)),
            min_len=min_len,
            max_len=max_len,
            default=default,
            examples=tuple(examples),
            description=description,
            ordinal=scope.ordinal,
            overrides=scope.overrides,
            ipath=scope.ipath,
        )
        return self.leaves.string(spec, reject)

    def bounds(
        self, parts: list[Part], scope: Scope, *, integer: bool
    ) -> tuple[float | None, float | None, list[float]]:
        """(lowest allowed, highest allowed, multipleOf values), exclusive bounds made inclusive."""
        lo: float | None = None
        hi: float | None = None
        multiples: list[float] = []
        for part in parts:
            s = part.schema
            for key, is_min in (
                ("minimum", True),
                ("maximum", False),
                ("exclusiveMinimum", True),
                ("exclusiveMaximum", False),
            ):
                raw = s.get(key)
                modified = s.get(key[9:].lower())
                if raw is True and self.doc.boolean_exclusive and _is_number(modified):
                    value, exclusive = float(modified), True
                elif _is_number(raw):
                    value, exclusive = float(raw), key.startswith("exclusive")
                else:
                    continue
                if integer:
                    if is_min:
                        value = math.floor(value) + 1 if exclusive else math.ceil(value)
                    else:
                        value = math.ceil(value) - 1 if exclusive else math.floor(value)
                elif exclusive:
                    value = math.nextafter(value, math.inf if is_min else -math.inf)
                if is_min:
                    lo = value if lo is None else max(lo, value)
                else:
                    hi = value if hi is None else min(hi, value)
            if _is_number(s.get("multipleOf")):
                multiples.append(s["multipleOf"])
        if lo is not None and hi is not None and lo > hi:
            reason = f"the minimum ({_num(lo)}) is greater than the maximum ({_num(hi)})"
            raise self.error(reason, scope, parts[0].path)
        return lo, hi, multiples

    # -- helpers -------------------------------------------------------------------------------

    def error(
        self, reason: str, scope: Scope, path: str = "", *, kind: Kind = "contradictory"
    ) -> UnsatisfiableSchema:
        return UnsatisfiableSchema(reason, schema_path=path, instance_path=scope.ipath, kind=kind)

    def valid(self, value: Any, schema: Any, resolver: Any = None) -> bool:
        try:
            errors = self.doc.validator.descend(value, schema, resolver=resolver or self.doc.resolver)
            return next(iter(errors), None) is None
        except (Unresolvable, RecursionError, re.error):
            return False

    def annotation(self, parts: list[Part], key: str) -> Any:
        return next((p.schema[key] for p in parts if key in p.schema), None)

    def examples(self, parts: list[Part]) -> list[Any]:
        examples = self.annotation(parts, "examples")
        return list(examples) if isinstance(examples, list) else []
