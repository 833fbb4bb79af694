"""A small deterministic regex-to-string generator for JSON Schema `pattern`.

`string_for_pattern(pattern, ...)` returns a string that `re.search(pattern, s)` accepts (JSON
Schema patterns are unanchored, and `jsonschema` checks them with Python's `re`). It first tries the
caller's hints as they are and in a few normal forms (slug, upper/lower case, digits only), so a
value from the goal survives when it fits; otherwise it builds the shortest match from the parsed
pattern, cycling through each character class (`[a-z]{3}` -> "abc") and lengthening repeats to reach
`min_length`. Lookarounds are ignored while building and the result is checked at the end, so a
pattern it cannot serve raises `PatternUnsupported` rather than returning a wrong string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from reference_server._memo import memo
from reference_server._values import slug

__all__ = ["PatternUnsupported", "string_for_pattern"]

_parser: Any = getattr(re, "_parser")  # noqa: B009  (sre_parse without its deprecation warning)

_MAX_REPEAT = 10_000
_PREFERRED = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_. @/:+,=~*!#$%&?"
_CATEGORY_TEST: dict[str, Callable[[str], bool]] = {
    "CATEGORY_DIGIT": lambda c: c.isdigit(),
    "CATEGORY_NOT_DIGIT": lambda c: not c.isdigit(),
    "CATEGORY_WORD": lambda c: c.isalnum() or c == "_",
    "CATEGORY_NOT_WORD": lambda c: not (c.isalnum() or c == "_"),
    "CATEGORY_SPACE": lambda c: c.isspace(),
    "CATEGORY_NOT_SPACE": lambda c: not c.isspace(),
    "CATEGORY_LINEBREAK": lambda c: c == "\n",
    "CATEGORY_NOT_LINEBREAK": lambda c: c != "\n",
}
_CATEGORY_FIRST = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_SPACE": " ",
    "CATEGORY_LINEBREAK": "\n",
    "CATEGORY_NOT_WORD": "-",
}


class PatternUnsupported(ValueError):
    """The pattern is not a valid Python regex, or no string the generator builds matches it."""


def _name(op: Any) -> str:
    return str(op)


class _Builder:
    """Walks the parse tree once; `extra` characters are spent lengthening repeats, left first."""

    def __init__(self, extra: int) -> None:
        self.extra = extra
        self.groups: dict[int, str] = {}

    def seq(self, items: Any) -> str:
        return "".join(self.item(op, av) for op, av in items)

    def item(self, op: Any, av: Any) -> str:
        name = _name(op)
        if name == "LITERAL":
            return chr(av)
        if name == "NOT_LITERAL":
            return next(c for c in _PREFERRED if ord(c) != av)
        if name == "ANY":
            return "a"
        if name == "IN":
            return _class_chars(tuple(_freeze(av)))[0]
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = av
            return self.repeat(low, high, body)
        if name == "SUBPATTERN":
            group, _add, _del, body = av
            text = self.seq(body)
            if group is not None:
                self.groups[group] = text
            return text
        if name == "ATOMIC_GROUP":
            return self.seq(av)
        if name == "BRANCH":
            return self.seq(av[1][0])
        if name == "GROUPREF":
            return self.groups.get(av, "")
        if name == "GROUPREF_EXISTS":
            group, yes, no = av
            return self.seq(yes if group in self.groups else (no or []))
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            return ""
        raise PatternUnsupported(f"regex construct {name} is not supported")

    def repeat(self, low: int, high: int, body: Any) -> str:
        if low > _MAX_REPEAT:
            raise PatternUnsupported(f"a repeat of at least {low} is too long to generate")
        cap = min(high, _MAX_REPEAT)
        width = max(1, _min_width(body))
        count = low
        if self.extra > 0 and cap > low:
            more = min(cap - low, -(-self.extra // width))
            count += more
            self.extra -= more * width
        if len(body) == 1 and _name(body[0][0]) == "IN":
            chars = _class_chars(tuple(_freeze(body[0][1])))
            return "".join(chars[i % len(chars)] for i in range(count))
        return "".join(self.seq(body) for _ in range(count))


def _freeze(av: Any) -> list[tuple[str, Any]]:
    return [(_name(op), tuple(a) if isinstance(a, list) else a) for op, a in av]


def _equals(code: int) -> Callable[[str], bool]:
    return lambda c: ord(c) == code


def _between(lo: int, hi: int) -> Callable[[str], bool]:
    return lambda c: lo <= ord(c) <= hi


@memo(entries=1024, max_bytes=4 * 2**20)
def _class_chars(items: tuple[tuple[str, Any], ...]) -> str:
    """Up to 8 characters of the class `[...]`, its own first ones first ("[A-Z]" -> "ABCDEFGH")."""
    negate = bool(items) and items[0][0] == "NEGATE"
    tests: list[Callable[[str], bool]] = []
    firsts: list[str] = []
    for kind, av in items[1:] if negate else items:
        if kind == "LITERAL":
            tests.append(_equals(av))
            firsts.append(chr(av))
        elif kind == "RANGE":
            lo, hi = av
            tests.append(_between(lo, hi))
            firsts.extend(chr(x) for x in range(lo, min(hi, lo + 7) + 1))
        elif kind == "CATEGORY":
            cat = _name(av)
            test = _CATEGORY_TEST.get(cat)
            if test is None:
                raise PatternUnsupported(f"regex class {cat} is not supported")
            tests.append(test)
            firsts.append(_CATEGORY_FIRST.get(cat, "a"))
        else:
            raise PatternUnsupported(f"regex class item {kind} is not supported")

    def inside(c: str) -> bool:
        return any(t(c) for t in tests) != negate

    pool = ([] if negate else firsts) + list(_PREFERRED)
    chars = "".join(dict.fromkeys(c for c in pool if inside(c)))[:8]
    if not chars:
        raise PatternUnsupported("a character class admits no printable ASCII character")
    return chars


def _min_width(items: Any) -> int:
    total = 0
    for op, av in items:
        name = _name(op)
        if name in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            total += 1
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            total += av[0] * _min_width(av[2])
        elif name == "SUBPATTERN":
            total += _min_width(av[3])
        elif name == "ATOMIC_GROUP":
            total += _min_width(av)
        elif name == "BRANCH":
            total += _min_width(av[1][0])
    return total


def _variants(hint: str) -> list[str]:
    stripped = hint.strip()
    digits = "".join(c for c in stripped if c.isdigit())
    return list(
        dict.fromkeys(
            [
                hint,
                stripped,
                slug(stripped),
                slug(stripped, "_"),
                stripped.lower(),
                stripped.upper(),
                stripped.replace(" ", ""),
                slug(stripped, "").upper(),
                digits,
            ]
        )
    )


def _fits(text: str, min_length: int, max_length: int | None) -> bool:
    return len(text) >= min_length and (max_length is None or len(text) <= max_length)


def string_for_pattern(
    pattern: str, *, min_length: int = 0, max_length: int | None = None, hints: Sequence[str] = ()
) -> str:
    """A string that `pattern` matches (searched, as JSON Schema does) within the length bounds."""
    try:
        compiled = re.compile(pattern)
        tree = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternUnsupported(
            f"pattern {pattern!r} is not a supported regular expression: {exc}"
        ) from None
    for hint in hints:
        for candidate in _variants(hint):
            if candidate and _fits(candidate, min_length, max_length) and compiled.search(candidate):
                return candidate
    items = list(tree)
    anchored_start = bool(items) and _name(items[0][0]) == "AT"
    anchored_end = bool(items) and _name(items[-1][0]) == "AT"
    shortest = _Builder(0).seq(items)
    attempts = [shortest]
    if len(shortest) < min_length:
        attempts.insert(0, _Builder(min_length - len(shortest)).seq(items))
    for text in attempts:
        for candidate in _padded(text, min_length, max_length, anchored_start, anchored_end):
            if _fits(candidate, min_length, max_length) and compiled.search(candidate):
                return candidate
    if max_length is not None and len(shortest) > max_length:
        raise PatternUnsupported(
            f"the shortest string matching {pattern!r} has {len(shortest)} characters, more than maxLength {max_length}"
        )
    raise PatternUnsupported(f"cannot build a string matching {pattern!r} (lookarounds or back-references)")


def _padded(text: str, min_length: int, max_length: int | None, start: bool, end: bool) -> list[str]:
    out = [text]
    short = min_length - len(text)
    if short > 0 and not end:
        out.append(text + "x" * short)
    if short > 0 and not start:
        out.append("x" * short + text)
    if max_length is not None and len(text) > max_length and not end:
        out.append(text[:max_length])
    return out
