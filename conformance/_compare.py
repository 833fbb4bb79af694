"""Comparing reports: which cases changed outcome between a baseline and later runs.

The first report is the baseline; every later one is compared with it. A **regression** is a case
that passed (or only warned) in the baseline and fails (a counted failure) later; with ``strict``
a pass that became a warning is one too. ``report a.json b.json`` exits 1 when there is any.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec

from conformance._report import ExitCode, Report

__all__ = ["Change", "Comparison", "compare"]

ChangeKind = Literal["regression", "fix", "new-warning", "lost", "new", "gone", "changed"]


class Change(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    level: str
    profile: str
    before: str
    """The baseline's outcome, or ``absent``."""
    after: str
    kind: ChangeKind


class Comparison(msgspec.Struct, kw_only=True):
    reports: list[Report]
    changes: list[list[Change]]
    """For each report after the first, its changes against the first."""
    strict: bool = False

    @property
    def regressions(self) -> list[Change]:
        return [c for cs in self.changes for c in cs if c.kind == "regression"]

    @property
    def exit_status(self) -> ExitCode:
        return ExitCode.FAILED if self.regressions else ExitCode.OK


def _kind(before: str, after: str, strict: bool) -> ChangeKind:
    good = {"pass", "warning"}
    if before == "absent":
        return "new"
    if after == "absent":
        return "gone"
    if before in good and after == "fail":
        return "regression"
    if before == "pass" and after == "warning":
        return "regression" if strict else "new-warning"
    if before in ("fail", "warning") and after == "pass":
        return "fix"
    if before == "fail" and after == "warning":
        return "fix"
    if before in good:
        return "lost"  # judged before, skipped/unavailable/not run now
    return "changed"


_ORDER = {"regression": 0, "new-warning": 1, "lost": 2, "fix": 3, "changed": 4, "new": 5, "gone": 6}


def compare(reports: Sequence[Report], *, strict: bool = False) -> Comparison:
    base = {r.id: r for r in reports[0].results}
    out: list[list[Change]] = []
    for other in reports[1:]:
        now = {r.id: r for r in other.results}
        changes = []
        for cid in sorted(set(base) | set(now)):
            b, a = base.get(cid), now.get(cid)
            before, after = (b.outcome if b else "absent"), (a.outcome if a else "absent")
            if before == after:
                continue
            row = a or b
            assert row is not None
            changes.append(
                Change(
                    id=cid,
                    title=row.title,
                    level=row.level,
                    profile=row.profile,
                    before=before,
                    after=after,
                    kind=_kind(before, after, strict),
                )
            )
        changes.sort(key=lambda c: (_ORDER[c.kind], c.id))
        out.append(changes)
    return Comparison(reports=list(reports), changes=out, strict=strict)
