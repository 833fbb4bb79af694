"""Is it a JSON Schema? The metaschema check the instance generator runs once per schema.

`jsonschema`'s own `check_schema` takes about a quarter of a millisecond per subschema under Draft
2020-12, so a client's megabyte-sized tool schema would cost seconds of CPU. The check runs on
`jsonschema-rs` (the same metaschemas, in Rust, about a thousand times faster) for the drafts it
bundles, with no network (a `$schema` it does not bundle, such as draft 3, falls back to
`jsonschema`). Because values are validated with Python's `re` (D-GEN-4), every `pattern` and
`patternProperties` key must also compile with `re`, as `jsonschema`'s `regex` format demands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import SchemaError

from reference_server._instance_types import UnsatisfiableSchema

__all__ = ["MAX_SCHEMA_BYTES", "check_schema"]

MAX_SCHEMA_BYTES = 1024 * 1024
"""A larger schema is `unsupported` (tool schemas in the wild are a few kilobytes)."""

_BUNDLED = re.compile(
    r"^https?://json-schema\.org/(draft-0[467]/schema|draft/2019-09/schema|draft/2020-12/schema)#?$"
)


def _pointer(segments: Any) -> str:
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segments)


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMAS = (
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
)


def _patterns(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every regular expression of a schema: `pattern` values and `patternProperties` keys."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("pattern"), str):
        yield schema["pattern"], (*path, "pattern")
    for key in _SCHEMA_MAPS:
        subs = schema.get(key)
        if isinstance(subs, dict):
            for name, sub in subs.items():
                if key == "patternProperties":
                    yield name, (*path, key, name)
                yield from _patterns(sub, (*path, key, name))
    for key in _SCHEMA_LISTS:
        subs = schema.get(key)
        if isinstance(subs, list):
            for i, sub in enumerate(subs):
                yield from _patterns(sub, (*path, key, i))
    for key in _SCHEMAS:
        yield from _patterns(schema.get(key), (*path, key))


def check_schema(schema: Any, size: int, validator_class: Any) -> None:
    """Raise `UnsatisfiableSchema(kind="invalid")` unless `schema` is valid under its metaschema."""
    if size > MAX_SCHEMA_BYTES:
        reason = f"the schema has {size} bytes, more than the {MAX_SCHEMA_BYTES} the reference server reads"
        raise UnsatisfiableSchema(reason, kind="unsupported")
    dialect = schema.get("$schema", "") if isinstance(schema, dict) else ""
    if isinstance(schema, bool) or dialect == "" or (isinstance(dialect, str) and _BUNDLED.match(dialect)):
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as exc:
            raise UnsatisfiableSchema(
                f"the schema is not valid JSON Schema: {exc.message}",
                schema_path=_pointer(exc.instance_path),
                kind="invalid",
            ) from None
    else:
        try:
            validator_class.check_schema(schema)
        except SchemaError as exc:
            raise UnsatisfiableSchema(
                f"the schema is not valid JSON Schema: {exc.message}",
                schema_path=_pointer(exc.path),
                kind="invalid",
            ) from None
    for pattern, path in _patterns(schema):
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise UnsatisfiableSchema(
                f"the schema is not valid JSON Schema: {pattern!r} is not a 'regex' (Python re: {exc})",
                schema_path=_pointer(path),
                kind="invalid",
            ) from None
