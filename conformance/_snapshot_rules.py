"""The snapshot rules table (``snapshot-rules.toml``, extendable with ``--rules FILE``) and normalisation.

One declarative table serves the CLI and the project's syrupy tests: which response headers are
transport noise, which values are volatile (replaced by typed placeholders such as ``<ms>``), and
the extra rules of shape mode. Rule files are TOML, decoded into msgspec Structs (an unknown key, a
wrong type or an invalid regex is a ``RulesError`` naming the file and the row).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

__all__ = [
    "DEFAULT_RULES",
    "Rules",
    "RulesError",
    "ShapeRule",
    "Volatile",
    "dotted",
    "json_type",
    "load_rules",
    "normalise",
]

DEFAULT_RULES = Path(__file__).with_name("snapshot-rules.toml")
JsonType = Literal["string", "integer", "number", "boolean"]
ShapeKind = Literal["value", "length", "range", "ignore"]


class RulesError(ValueError):
    """A rules file that cannot be read or does not follow the format."""


class _VolatileRow(msgspec.Struct, forbid_unknown_fields=True):
    path: str
    value: str
    placeholder: str
    types: list[JsonType] = msgspec.field(default_factory=lambda: ["string"])
    why: str = ""


class _ShapeRow(msgspec.Struct, forbid_unknown_fields=True):
    path: str
    rule: ShapeKind
    min: float | None = None
    max: float | None = None
    why: str = ""


class _Headers(msgspec.Struct, forbid_unknown_fields=True):
    ignore: list[str] = msgspec.field(default_factory=list)


class _RulesFile(msgspec.Struct, forbid_unknown_fields=True):
    headers: _Headers = msgspec.field(default_factory=_Headers)
    volatile: list[_VolatileRow] = msgspec.field(default_factory=list)
    shape: list[_ShapeRow] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class Volatile:
    path: re.Pattern[str]
    value: re.Pattern[str]
    placeholder: str
    types: tuple[str, ...]
    why: str
    source: str


@dataclass(frozen=True)
class ShapeRule:
    path: re.Pattern[str]
    rule: ShapeKind
    min: float | None
    max: float | None
    why: str
    source: str


@dataclass(frozen=True)
class Rules:
    ignore_headers: frozenset[str]
    volatile: tuple[Volatile, ...]
    shape: tuple[ShapeRule, ...]
    files: tuple[str, ...]

    def shape_rule(self, path: str) -> ShapeRule | None:
        """The first shape row whose path matches (None when no row does)."""
        return next((r for r in self.shape if r.path.fullmatch(path)), None)


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value (``integer`` and ``number`` kept apart)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RulesError(f"{where}: invalid regular expression {pattern!r}: {exc}") from None


def _read(path: Path) -> _RulesFile:
    try:
        return msgspec.toml.decode(path.read_bytes(), type=_RulesFile)
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror}") from None
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise RulesError(f"{path}: not a snapshot rules file: {exc}") from None


@functools.cache
def _load(files: tuple[Path, ...]) -> Rules:
    ignore: set[str] = set()
    volatile: list[Volatile] = []
    shape: list[ShapeRule] = []
    for path in files:
        data = _read(path)
        ignore |= {h.lower() for h in data.headers.ignore}
        for i, row in enumerate(data.volatile):
            where = f"{path}: volatile row {i + 1}"
            if not re.fullmatch(r"<[^<>\s]+>", row.placeholder):
                raise RulesError(f"{where}: placeholder {row.placeholder!r} must look like <name>")
            volatile.append(
                Volatile(
                    _compile(row.path, where),
                    _compile(row.value, where),
                    row.placeholder,
                    tuple(row.types),
                    row.why,
                    str(path),
                )
            )
        for i, srow in enumerate(data.shape):
            where = f"{path}: shape row {i + 1}"
            if srow.rule == "range" and srow.min is None and srow.max is None:
                raise RulesError(f"{where}: a range rule needs min and/or max")
            shape.append(
                ShapeRule(_compile(srow.path, where), srow.rule, srow.min, srow.max, srow.why, str(path))
            )
    return Rules(frozenset(ignore), tuple(volatile), tuple(shape), tuple(str(p) for p in files))


def load_rules(extra: Sequence[Path] = ()) -> Rules:
    """The default table followed by each file of ``extra`` (rows added, header names added)."""
    return _load((DEFAULT_RULES, *(Path(p) for p in extra)))


def dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


def _types_match(value: Any, types: tuple[str, ...]) -> bool:
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


def _leaf(value: Any, path: str, rules: Rules) -> Any:
    for row in rules.volatile:
        if row.path.fullmatch(path) and _types_match(value, row.types) and row.value.fullmatch(str(value)):
            return row.placeholder
    return value


def _walk(value: Any, path: str, rules: Rules) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, f"{path}.{k}", rules) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, f"{path}.{i}", rules) for i, v in enumerate(value)]
    return _leaf(value, path, rules)


def normalise(document: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """The document with transport headers dropped and volatile values replaced by placeholders.

    The ``request`` part is left as it is (it was redacted when the document was built)."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key == "request":
            out[key] = value
        elif key == "headers" and isinstance(value, dict):
            out[key] = {
                k: _leaf(v, f"headers.{k}", rules) for k, v in value.items() if k not in rules.ignore_headers
            }
        else:
            out[key] = _walk(value, key, rules)
    return out
