"""Tool-call arguments that satisfy the tool's JSON Schema, filled from the goal text.

`arguments_for(schema, goal)` returns a JSON object: every required property is present with the
right type, enums are respected, numbers are clamped to their bounds, and values come from the
goal where a rule recognises them (a place after "in"/"at", a number next to the property's name,
dates, e-mail addresses, URLs, enum values mentioned in the goal). Deterministic.
"""

from __future__ import annotations

import re
from typing import Any

from reference_server._memo import memo

__all__ = ["FUNCTION_WORDS", "arguments_for", "goal_terms", "locations"]

FUNCTION_WORDS = frozenset(
    [
        "a",
        "about",
        "an",
        "and",
        "are",
        "at",
        "be",
        "by",
        "can",
        "could",
        "current",
        "for",
        "from",
        "get",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "please",
        "that",
        "the",
        "this",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
"""Words that carry no content; shared with the executor's tool matching."""

_STOP = FUNCTION_WORDS | frozenset(
    [
        "all",
        "any",
        "check",
        "currently",
        "did",
        "do",
        "does",
        "find",
        "give",
        "into",
        "its",
        "let",
        "like",
        "look",
        "need",
        "now",
        "our",
        "search",
        "should",
        "show",
        "some",
        "tell",
        "these",
        "those",
        "today",
        "up",
        "want",
        "we",
        "what's",
        "whats",
    ]
)
_CAP = r"[A-Z][\w.'-]*"
_PLACE = rf"{_CAP}(?:\s+{_CAP})*"
_LOC_RE = re.compile(rf"\b(?:in|at|near|for|to|from|around)\s+({_PLACE}(?:\s*(?:,|and|&)\s*{_PLACE})*)")
_NUM_RE = re.compile(r"-?\d+(?:\.\d+)?")
_ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_RE = re.compile(
    r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:\s*(?:-|to|\u2013)\s*(\d{1,2}))?(?:,?\s*(\d{4}))?",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL_RE = re.compile(r"https?://\S+")
_LOCATION_NAMES = ("location", "city", "place", "destination", "address", "region", "country", "where")
_QUERY_NAMES = ("query", "q", "search", "keyword", "term", "topic", "question", "title", "subject", "name")
_TEXT_NAMES = ("text", "message", "content", "body", "prompt", "input", "description", "note")


@memo(entries=4096, max_bytes=8 * 2**20)
def goal_terms(goal: str) -> str:
    """The content words of `goal`, in order ("hotels NYC December 15-18 2024")."""
    words = [w.strip(".,;:!?\"'()[]") for w in goal.split()]
    kept = [w for w in words if w and w.lower() not in _STOP]
    return " ".join(kept)


def locations(goal: str) -> list[str]:
    """Places named after "in", "at", "for", ... ("weather in Boston and Paris" -> both)."""
    return list(_locations(goal))


@memo(entries=4096, max_bytes=4 * 2**20)
def _locations(goal: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _LOC_RE.finditer(goal):
        for part in re.split(r"\s*(?:,|\band\b|&)\s*", m.group(1)):
            place = part.strip(" .'")
            if place and place not in out and place.lower() not in _STOP:
                out.append(place)
    return tuple(out)


def _dates(goal: str) -> list[str]:
    found = _ISO_DATE_RE.findall(goal)
    for m in _MONTH_RE.finditer(goal):
        month = _MONTHS.index(m.group(1).lower()) + 1
        year = int(m.group(4)) if m.group(4) else 2026
        for day in (m.group(2), m.group(3)):
            if day and 1 <= int(day) <= 31:
                found.append(f"{year:04d}-{month:02d}-{int(day):02d}")
    return found


def _number_near(goal: str, name: str) -> float | None:
    stem = name.lower().rstrip("s")
    words = goal.lower().replace(",", " ").split()
    for i, word in enumerate(words):
        if _NUM_RE.fullmatch(word):
            near = words[max(0, i - 2) : i] + words[i + 1 : i + 3]
            if any(n.startswith(stem) or stem.startswith(n.rstrip("s")) for n in near if len(n) > 2):
                return float(word)
    return None


def _first_type(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        non_null = [x for x in t if x != "null"]
        return str(non_null[0]) if non_null else "null"
    if isinstance(t, str):
        return t
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if schema.get("enum"):
        return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(
            type(schema["enum"][0]), "string"
        )
    return "string"


def _clamp(value: float, schema: dict[str, Any]) -> float:
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        lo = schema["exclusiveMinimum"] + 1
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        hi = schema["exclusiveMaximum"] - 1
    if isinstance(lo, int | float) and value < lo:
        value = lo
    if isinstance(hi, int | float) and value > hi:
        value = hi
    return value


def _string(name: str, schema: dict[str, Any], goal: str, ctx: dict[str, Any]) -> tuple[str, bool]:
    lname = name.lower()
    fmt = schema.get("format")
    dates = _dates(goal)
    value: str | None = None
    if any(k in lname for k in _LOCATION_NAMES) and ctx.get("location"):
        value = str(ctx["location"])
    elif fmt in ("date", "date-time") or "date" in lname or lname in ("checkin", "checkout", "start", "end"):
        index = 1 if any(k in lname for k in ("checkout", "end", "to", "return")) and len(dates) > 1 else 0
        value = dates[index] if dates else None
        if value is not None and fmt == "date-time":
            value += "T00:00:00Z"
    elif fmt == "email" or "email" in lname:
        m = _EMAIL_RE.search(goal)
        value = m.group(0) if m else None
    elif fmt == "uri" or "url" in lname:
        m = _URL_RE.search(goal)
        value = m.group(0) if m else None
    found = value is not None
    if value is None:
        if any(k in lname for k in _TEXT_NAMES):
            value = goal.strip()
        elif any(k == lname or lname.endswith("_" + k) or lname.startswith(k) for k in _QUERY_NAMES):
            value = goal_terms(goal)
        else:
            value = goal_terms(goal)
        if fmt in ("date", "date-time"):
            value = "2026-01-01" if fmt == "date" else "2026-01-01T00:00:00Z"
    value = value or goal.strip() or name
    max_len = schema.get("maxLength")
    min_len = schema.get("minLength")
    if isinstance(max_len, int):
        value = value[:max_len]
    if isinstance(min_len, int) and len(value) < min_len:
        value = value + "x" * (min_len - len(value))
    return value, found


def _value(name: str, schema: dict[str, Any], goal: str, ctx: dict[str, Any]) -> tuple[Any, bool]:
    """A value for property `name`, and whether it came from the goal (optional ones need that)."""
    if "const" in schema:
        return schema["const"], False
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            usable = [o for o in options if isinstance(o, dict) and o.get("type") != "null"] or options
            return _value(name, usable[0], goal, ctx)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        lowered = goal.lower()
        for option in enum:
            if isinstance(option, str) and re.search(rf"\b{re.escape(option.lower())}\b", lowered):
                return option, True
        default = schema.get("default")
        return (default if default in enum else enum[0]), False
    kind = _first_type(schema)
    if kind == "string":
        return _string(name, schema, goal, ctx)
    if kind in ("integer", "number"):
        near = _number_near(goal, name)
        base = near if near is not None else schema.get("default", schema.get("minimum", 1))
        number = _clamp(float(base if isinstance(base, int | float) else 1), schema)
        return (int(number) if kind == "integer" else number), near is not None
    if kind == "boolean":
        default = schema.get("default")
        return (default if isinstance(default, bool) else False), False
    if kind == "array":
        raw_items = schema.get("items")
        items: dict[str, Any] = raw_items if isinstance(raw_items, dict) else {}
        count = schema.get("minItems", 0)
        values = [_value(name, items, goal, ctx)[0] for _ in range(count if isinstance(count, int) else 0)]
        return values, False
    if kind == "object":
        return _object(schema, goal, ctx), False
    return None, False


def _object(schema: dict[str, Any], goal: str, ctx: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    props = props if isinstance(props, dict) else {}
    required = schema.get("required")
    required_set = set(required) if isinstance(required, list) else set()
    out: dict[str, Any] = {}
    for name, sub in props.items():
        sub_schema = sub if isinstance(sub, dict) else {}
        value, from_goal = _value(name, sub_schema, goal, ctx)
        if name in required_set or from_goal:
            out[name] = value
    for name in sorted(required_set - set(out)):
        out[name] = goal_terms(goal) or name
    return out


def arguments_for(schema: dict[str, Any] | None, goal: str, *, location: str | None = None) -> dict[str, Any]:
    """Arguments for a tool whose `parameters`/`input_schema` is `schema`."""
    if not schema:
        return {}
    ctx: dict[str, Any] = {}
    places = locations(goal)
    if location is not None:
        ctx["location"] = location
    elif places:
        ctx["location"] = places[0]
    return _object(schema, goal, ctx)
