"""Leaf values for the instance generator: strings, numbers, booleans, enum choices, array item hints.

Each leaf is picked from an ordered list of candidates and the first that satisfies the leaf's own
constraints wins: the goal's value for the property's role (hinted), then the goal's words for a
query or the goal itself for a text, then `default`, `examples`, the description's "e.g." example,
a documentation value for the role (`user@example.com`, `https://example.com/`, `192.0.2.1`, a
UUID derived from the goal and the path), and last the goal's content words (D-GEN-1).
Lengths are met by cutting at a word boundary or repeating the value; a `pattern` that no candidate
meets gets a string built from the regex (`_regex_gen.py`).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from reference_server._instance_types import GoalContext, Kind
from reference_server._regex_gen import PatternUnsupported, string_for_pattern
from reference_server._values import (
    Facts,
    Role,
    description_example,
    mention_at,
    mentioned,
    name_tokens,
    number_near,
    role_of,
)

__all__ = ["LeafError", "Leaves", "Reject", "StringSpec", "canonical"]

Reject = Callable[[Any], bool]
"""True for a value a `not` keyword excludes."""

_FORMATS = Draft202012Validator.FORMAT_CHECKER
_UUID_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # RFC 4122 URL namespace
_BASE_DATE = dt.date(2026, 1, 1)
_FORMAT_DEFAULTS: dict[str, str] = {
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "json-pointer": "/",
    "relative-json-pointer": "0",
    "regex": ".*",
    "uri-template": "https://example.com/{id}",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATIONS = _words("not no without don't dont never exclude excluding")
_FLAG_NOISE = _words("is has use enable enabled include with should allow only show get all do")


@dataclass(frozen=True, slots=True)
class StringSpec:
    """What a string leaf must be: its property, its constraints and its hints."""

    name: str
    role: Role
    formats: tuple[str, ...]
    patterns: tuple[str, ...]
    min_len: int
    max_len: int | None
    default: Any
    examples: tuple[Any, ...]
    description: str
    ordinal: int
    overrides: Mapping[str, str]
    ipath: str

    @property
    def fmt(self) -> str:
        return self.formats[0] if self.formats else ""


class LeafError(ValueError):
    """No candidate fits the leaf's constraints."""

    def __init__(self, reason: str, kind: Kind = "contradictory") -> None:
        super().__init__(reason)
        self.kind: Kind = kind


def canonical(value: Any) -> Any:
    """A hashable key with JSON Schema equality (1 == 1.0, but true != 1)."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(canonical(v) for v in value))
    if isinstance(value, Mapping):
        return ("o", tuple(sorted((k, canonical(v)) for k, v in value.items())))
    return ("?", repr(value))


def _humanize(name: str) -> str:
    return " ".join(name_tokens(name))


def _fit_length(text: str, min_len: int, max_len: int | None) -> str:
    if max_len is not None and len(text) > max_len:
        cut = text[:max_len]
        if " " in cut and len(text) > max_len and text[max_len] != " ":
            trimmed = cut.rsplit(" ", 1)[0].rstrip()
            cut = trimmed if len(trimmed) >= max(min_len, 1) else cut
        text = cut
    if len(text) < min_len:
        # Repeat the value ("Boston Boston"), or "x" when there is none.
        text = " ".join([text] * (min_len // (len(text) + 1) + 1)) if text else "x" * min_len
        if max_len is not None:
            text = text[:max_len]
    return text


def _is_multiple(value: float, step: float | int) -> bool:
    """jsonschema's own multipleOf test (float division for float steps)."""
    if isinstance(step, float):
        try:
            quotient = value / step
            return int(quotient) == quotient
        except OverflowError:
            return False
    return value % step == 0


class Leaves:
    def __init__(
        self, context: GoalContext, facts: Facts, location: str | None, valid: Callable[..., bool]
    ) -> None:
        self.context = context
        self.facts = facts
        self.location = location
        self.valid = valid

    # -- enum / const --------------------------------------------------------------------------

    def rank_options(
        self, options: list[Any], suggested: list[Any], ordinal: int, override: str | None
    ) -> list[tuple[Any, bool]]:
        """`options` best first: the item's own, the goal's, the plan's, `default`/`examples`, the rest."""
        goal = self.context.goal
        ranked: list[tuple[Any, bool]] = []
        if override is not None:
            ranked.extend((o, True) for o in options if o == override)
        named = [
            (at, i)
            for i, o in enumerate(options)
            if isinstance(o, str) and (at := mention_at(o, goal)) is not None
        ]
        ranked.extend((options[i], True) for _, i in sorted(named))
        actions = self.context.plan_actions
        ranked.extend(
            (o, False) for a in actions for o in options if isinstance(o, str) and o.lower() == a.lower()
        )
        ranked.extend((o, False) for o in suggested if any(canonical(o) == canonical(x) for x in options))
        start = ordinal % len(options)
        ranked.extend((o, False) for o in options[start:] + options[:start])
        if ordinal:
            ranked.sort(key=lambda pair: not pair[1])
        return ranked

    # -- booleans ------------------------------------------------------------------------------

    def boolean(self, name: str, default: Any, ordinal: int, reject: Reject) -> tuple[bool, bool]:
        words = [w.strip(".,;:!?\"'()") for w in self.context.goal.lower().split()]
        for token in name_tokens(name):
            if len(token) < 4 or token in _FLAG_NOISE:
                continue
            stem = token[: max(4, len(token) - 2)]
            for i, word in enumerate(words):
                if word.startswith(stem) and not reject(not _NEGATIONS & set(words[max(0, i - 3) : i])):
                    return not _NEGATIONS & set(words[max(0, i - 3) : i]), True
        base = default if isinstance(default, bool) else False
        for value in (not base if ordinal % 2 else base, base if ordinal % 2 else not base):
            if not reject(value):
                return value, False
        raise LeafError("`not` excludes both booleans", "contradictory")

    # -- numbers -------------------------------------------------------------------------------

    def number(
        self,
        name: str,
        title: Any,
        bounds: tuple[float | None, float | None, list[float]],
        default: Any,
        examples: list[Any],
        ordinal: int,
        reject: Reject,
        *,
        integer: bool,
    ) -> tuple[int | float, bool]:
        lo, hi, multiples = bounds
        candidates: list[tuple[float, bool]] = []
        near = number_near(self.context.goal, name) if name else None
        if near is None and isinstance(title, str) and title:
            near = number_near(self.context.goal, title)
        if near is not None:
            candidates.append((near, True))
        if self.context.confidence is not None and "confidence" in name_tokens(name):
            candidates.append((self.context.confidence, False))
        candidates.extend((float(v), False) for v in [default, *examples] if _number(v))
        nice = 1.0 if ordinal == 0 else float(ordinal + 1)
        candidates.append((nice, False))
        if lo is not None:
            candidates.append((lo + ordinal, False))
        if hi is not None:
            candidates.append((hi - ordinal, False))
        if lo is not None and hi is not None:
            candidates.append(((lo + hi) / 2, False))
        if not integer:
            candidates.extend((base + 0.5, False) for base in (nice, lo, hi and hi - 1) if base is not None)
        for raw, hinted in candidates:
            value = raw
            if lo is not None and hi is not None and lo > hi:
                break
            if lo is not None and value < lo:
                value = lo
            if hi is not None and value > hi:
                value = hi
            if integer:
                value = float(math.ceil(value)) if lo is not None and value == lo else float(round(value))
            snapped = self._snap(value, lo, hi, multiples, integer, reject)
            if snapped is not None:
                return _as_json_number(snapped, integer), hinted and snapped == raw
        if multiples:
            raise LeafError(f"no multiple of {multiples[0]} lies within the bounds")
        raise LeafError("the numeric bounds admit no value")

    def _snap(
        self,
        value: float,
        lo: float | None,
        hi: float | None,
        multiples: list[float],
        integer: bool,
        reject: Reject,
    ) -> float | None:
        def ok(v: float) -> bool:
            return (
                (lo is None or v >= lo)
                and (hi is None or v <= hi)
                and (not integer or float(v).is_integer())
                and all(_is_multiple(_as_json_number(v, integer), m) for m in multiples)
                and not reject(_as_json_number(v, integer))
            )

        if ok(value):
            return value
        if not multiples:
            return None
        step = decimal.Decimal(repr(multiples[0]))
        base = decimal.Decimal(repr(value)) / step
        start = base.to_integral_value(rounding=decimal.ROUND_CEILING)
        for k in range(200):
            for direction in (1, -1):
                n = start + direction * k
                candidate = float(n * step)
                if ok(candidate):
                    return candidate
        return None

    # -- strings -------------------------------------------------------------------------------

    def string(self, spec: StringSpec, reject: Reject) -> tuple[str, bool]:
        candidates = self.string_candidates(spec)
        last = candidates[-1][0]
        candidates += [(f"{last} 2", False), (f"{last} 3", False), (last[:1], False), ("", False)]
        for text, hinted in candidates:
            fitted = _fit_length(text, spec.min_len, spec.max_len)
            if self.string_ok(fitted, spec) and not reject(fitted):
                return fitted, hinted and fitted == text
        if spec.patterns:
            hints = [c for c, _ in candidates] + self.facts.goal.split()
            try:
                text = string_for_pattern(
                    spec.patterns[0], min_length=spec.min_len, max_length=spec.max_len, hints=hints
                )
            except PatternUnsupported as exc:
                raise LeafError(str(exc), "unsupported") from None
            if self.string_ok(text, spec) and not reject(text):
                return text, False
            reason = f"no string satisfies all of the patterns {list(spec.patterns)} and formats {list(spec.formats)}"
            raise LeafError(reason, "unsupported")
        raise LeafError(f"no string of format {spec.fmt!r} fits the length bounds", "unsupported")

    def string_ok(self, text: str, spec: StringSpec) -> bool:
        if len(text) < spec.min_len or (spec.max_len is not None and len(text) > spec.max_len):
            return False
        if not all(_FORMATS.conforms(text, f) for f in spec.formats):
            return False
        return all(self.valid(text, {"pattern": p}) for p in spec.patterns)

    def string_candidates(self, spec: StringSpec) -> list[tuple[str, bool]]:
        name, role, fmt, ordinal, overrides = spec.name, spec.role, spec.fmt, spec.ordinal, spec.overrides
        facts = self.facts
        out: list[tuple[str, bool]] = []
        if role in overrides:
            out.append((overrides[role], True))
        if "item" in overrides and role in ("none", "query", "name", "text", "id"):
            out.append((overrides["item"], True))
        if role == "location" and self.location:
            out.append((self.location, True))
        found = facts.for_role(role, name)
        if role == "time" and fmt != "time":
            found = tuple(t[:5] for t in facts.times)
        if found:
            out.append((found[ordinal % len(found)], True))
        suffix = f" {ordinal + 1}" if ordinal else ""
        if role == "query":
            out.append((facts.terms + suffix, False))
        elif role == "text":
            out.append((facts.goal + suffix, False))
        elif role == "action" and self.context.plan_actions:
            actions = self.context.plan_actions
            out.append((actions[ordinal % len(actions)], False))
        for value in [spec.default, *spec.examples]:
            if isinstance(value, str):
                out.append((value, False))
        example = description_example(spec.description) if spec.description else None
        if example:
            out.append((example, False))
        out.extend((v, False) for v in self.role_defaults(role, fmt, ordinal, spec.ipath))
        fallback = facts.terms or _humanize(name) or "value"
        out.append((fallback + suffix, False))
        return out

    def role_defaults(self, role: Role, fmt: str, ordinal: int, ipath: str) -> list[str]:
        """Documentation values (RFC 2606 / 5737 / 3849) for a role with nothing in the goal."""
        n = str(ordinal + 1) if ordinal else ""
        day = _BASE_DATE + dt.timedelta(days=ordinal)
        if fmt in _FORMAT_DEFAULTS:
            return [_FORMAT_DEFAULTS[fmt]]
        if fmt == "byte":
            return [base64.b64encode((self.facts.terms or "value").encode()).decode()]
        by_role: dict[str, list[str]] = {
            "email": [f"user{n}@example.com"],
            "url": [f"https://example.com/{n}"],
            "hostname": [f"host{n}.example.com" if n else "example.com"],
            "phone": [f"+1-555-010{ordinal % 10}"],
            "uuid": [str(uuid.uuid5(_UUID_NAMESPACE, f"{self.context.goal}\x1f{ipath}"))],
            "date": [day.isoformat()],
            "datetime": [f"{day.isoformat()}T00:00:00Z"],
            "time": ["00:00:00Z" if fmt == "time" else "00:00"],
            "duration": ["P1D"],
            "path": ["."],
        }
        return by_role.get(role, [])

    # -- arrays and keys -----------------------------------------------------------------------

    def item_hints(self, name: str, items: Mapping[str, Any]) -> tuple[str, list[dict[str, str]]]:
        """What the goal names for an array's items, and one override set per item ("Boston and Paris")."""
        role: str = role_of(name)
        item_role = role_of("", str(items.get("title", "")), "", str(items.get("format", "")))
        if item_role != "none":
            role = item_role
        options = items.get("enum")
        if isinstance(options, list):
            return "enum", [
                {"enum": o} for o in options if isinstance(o, str) and mentioned(o, self.context.goal)
            ]
        props = items.get("properties")
        if isinstance(props, Mapping) and role in ("none", "name", "query", "text"):
            roles = [role_of(k) for k in props]
            role = next((r for r in roles if r in ("location", "email", "url", "path", "date")), role)
        if role == "action":
            return role, [{"action": a} for a in self.context.plan_actions]
        if role in ("location", "origin", "destination"):
            return "location", [{"location": p} for p in self.facts.locations]
        if role in ("email", "url", "path", "date", "phone", "uuid"):
            return role, [{role: v} for v in self.facts.for_role(role)]  # type: ignore[arg-type]
        if role in ("none", "name", "query", "text", "id"):
            return "item", [{"item": v} for v in self.facts.listed]
        return role, []

    def key_for(self, pattern: str, index: int) -> str:
        """The `index`-th property name that `pattern` (a patternProperties key) accepts."""
        try:
            first = string_for_pattern(
                pattern, hints=[self.facts.terms.split(" ")[0] if self.facts.terms else "key"]
            )
            return string_for_pattern(pattern, min_length=len(first) + index) if index else first
        except PatternUnsupported:
            return f"key_{index + 1}"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _as_json_number(value: float, integer: bool) -> int | float:
    if integer or (value.is_integer() and abs(value) < 2**53):
        return int(value)
    return value
