"""Choosing cases: ``--profile``, ``--case``, ``-k EXPR`` and ``--exclude`` (spec/DECISIONS.md D-CONF-2).

``--profile`` and ``--case`` both *add* cases (their union; all cases when neither is given), the
way pytest adds up the paths and node ids it is given; ``-k`` then narrows with an expression in
pytest's own syntax (``stream and not tools``; case-insensitive substrings of a case's id, profile
and level), and ``--exclude`` removes case-id prefixes or whole profiles.
"""

from __future__ import annotations

from collections.abc import Iterable

from _pytest.mark import expression as _expression

from conformance._case import PROFILES, Case, all_cases
from conformance._report import Selection

__all__ = ["SelectionError", "keyword_names", "order", "select"]

Expression = _expression.Expression
# pytest 9 raises SyntaxError for a malformed expression; pytest 8 its own ParseError.
_PARSE_ERRORS: tuple[type[Exception], ...] = (SyntaxError, getattr(_expression, "ParseError", SyntaxError))


class SelectionError(ValueError):
    """The selection is malformed or matches nothing (a usage error)."""


def order(cases: Iterable[Case]) -> list[Case]:
    """Profile by profile (in ``PROFILES`` order), then by id: the order cases run and are reported."""
    rank = {p: i for i, p in enumerate(PROFILES)}
    return sorted(cases, key=lambda c: (rank[c.profile], c.id))


def keyword_names(c: Case) -> tuple[str, ...]:
    """What ``-k`` matches against: the id, the profile and the level."""
    return (c.id, c.profile, str(c.level))


def _compile(expr: str) -> Expression:
    try:
        return Expression.compile(expr)
    except _PARSE_ERRORS as exc:
        raise SelectionError(f"-k {expr!r}: {exc}") from None


def select(selection: Selection, cases: Iterable[Case] | None = None) -> list[Case]:
    """The cases ``selection`` names, in run order; a prefix that names nothing is an error."""
    pool = order(all_cases() if cases is None else cases)
    for prefix in selection.cases:
        if not any(c.id.startswith(prefix) for c in pool):
            raise SelectionError(
                f"--case {prefix!r} matches no case id (see `stratus-conformance run --list`)"
            )
    for name in selection.exclude:
        if name not in PROFILES and not any(c.id.startswith(name) for c in pool):
            raise SelectionError(f"--exclude {name!r} is neither a profile nor a prefix of a case id")
    chosen = pool
    if selection.profiles or selection.cases:
        wanted = set(selection.profiles)
        prefixes = tuple(selection.cases)
        chosen = [c for c in pool if c.profile in wanted or (prefixes and c.id.startswith(prefixes))]
    if selection.keyword.strip():
        expr = _compile(selection.keyword)
        chosen = [c for c in chosen if _matches(expr, c)]
    excluded = tuple(selection.exclude)
    if excluded:
        chosen = [c for c in chosen if c.profile not in excluded and not c.id.startswith(excluded)]
    if not chosen:
        raise SelectionError("no case matches the selection (--profile/--case, then -k, minus --exclude)")
    return chosen


def _matches(expr: Expression, c: Case) -> bool:
    names = [n.lower() for n in keyword_names(c)]

    def matcher(sub: str, /, **kwargs: object) -> bool:
        if kwargs:
            raise SelectionError("-k takes plain words, not name(arg=value) calls")
        return any(sub.lower() in n for n in names)

    return expr.evaluate(matcher)
