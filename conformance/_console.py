"""Console output (rich): live progress, grouped failures with their requirement, summaries, diffs.

On a terminal a transient progress bar runs while cases run; without one (CI) nothing is ever cut
or wrapped (``make_console``) and progress comes as plain lines: one per finished profile and a
heartbeat every ``interval`` seconds. ``print_report`` and ``print_comparison`` render a finished
``Report`` / comparison, so any command that has a report (``run``, ``report``, later ``snapshot``)
prints it the same way.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance._case import Case
from conformance._compare import Comparison
from conformance._engine import Result
from conformance._report import (
    CaseResult,
    ExitCode,
    Outcome,
    Preflight,
    Report,
    count,
    outcome_of,
    profile_verdict,
)

__all__ = ["LiveProgress", "failure_groups", "make_console", "print_comparison", "print_report"]

STYLE = {
    "pass": "green",
    "fail": "bold red",
    "warning": "yellow",
    "skipped": "dim",
    "unavailable": "magenta",
    "not-run": "dim",
    "incomplete": "yellow",
    "inconclusive": "yellow",
    "unreachable": "bold red",
    "key-refused": "bold red",
}
_LABEL = {"fail": "FAIL", "warning": "WARN"}


def make_console(file: IO[str] | None = None) -> Console:
    """A console that never cuts or wraps lines when it is not a terminal (CI logs, pipes)."""
    probe = Console(file=file)
    if probe.is_terminal:
        return Console(file=file, highlight=False)
    return Console(file=file, highlight=False, width=1000, soft_wrap=True)


class LiveProgress:
    """The engine's observer: a progress bar on a terminal, plain periodic lines otherwise."""

    def __init__(self, console: Console, *, strict: bool, interval: float = 10.0) -> None:
        self.console, self.strict, self.interval = console, strict, interval
        self.progress: Progress | None = None
        self.task: object = None
        self.left: dict[str, int] = {}
        self.outcomes: dict[str, list[Outcome]] = {}
        self.last_line = time.monotonic()
        self.failed = 0

    def starting(self, target: str, cases: Sequence[Case]) -> None:
        for c in cases:
            self.left[c.profile] = self.left.get(c.profile, 0) + 1
        where = target or "the reference server (starting it on a loopback port)"
        self.console.print(f"[bold]stratus-conformance[/]: {len(cases)} cases against {escape(where)}")
        if self.console.is_terminal:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[now]}"),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("cases", total=len(cases), now="")

    def preflight(self, result: Preflight) -> None:
        if result.status in ("ok", "skipped"):
            self.console.print(f"preflight: {escape(result.message)}")

    def case_finished(self, result: Result, done: int, total: int) -> None:
        c = result.case
        outcome = outcome_of(str(result.verdict), str(c.level), self.strict)  # type: ignore[arg-type]
        self.outcomes.setdefault(c.profile, []).append(outcome)
        self.failed += outcome == "fail"
        self.left[c.profile] -= 1
        if self.progress is not None:
            now = f"{c.id}" + (f"  [red]{self.failed} failed[/]" if self.failed else "")
            self.progress.update(self.task, advance=1, now=now)  # type: ignore[arg-type]
        if self.left[c.profile] == 0:
            self._profile_line(c.profile)
        elif self.progress is None and time.monotonic() - self.last_line >= self.interval:
            self.console.print(f"  ... {done}/{total} cases, {self.failed} failed so far; now {c.id}")
            self.last_line = time.monotonic()

    def _profile_line(self, profile: str) -> None:
        outcomes = self.outcomes.get(profile, [])
        verdict = profile_verdict(count(outcomes))
        parts = [f"{outcomes.count(o)} {o}" for o in dict.fromkeys(outcomes)]
        self.console.print(f"  {profile:<20} [{STYLE[verdict]}]{verdict:<8}[/] {', '.join(parts)}")
        self.last_line = time.monotonic()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


# -- grouped failures ------------------------------------------------------------------------------------
_VOLATILE = [
    (re.compile(r"req_[0-9a-f]{8,}"), "req_…"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "…"),
    (re.compile(r"\(\d+ bytes\)"), "(N bytes)"),
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "N s"),
]


def _group_key(r: CaseResult) -> str:
    first = r.message.split("\n", 1)[0]
    for pattern, repl in _VOLATILE:
        first = pattern.sub(repl, first)
    return first


def failure_groups(results: Sequence[CaseResult], outcome: str) -> list[list[CaseResult]]:
    """Results with ``outcome``, grouped by the first line of their message (volatile ids masked)."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        if r.outcome == outcome:
            groups.setdefault(_group_key(r), []).append(r)
    return list(groups.values())


def _indent(text: str, pad: str) -> str:
    return escape(text.replace("\n", "\n" + pad))


def _print_group(console: Console, group: list[CaseResult], outcome: str) -> None:
    style, label = STYLE[outcome], _LABEL[outcome]
    first = group[0]
    pad = " " * 15
    if len(group) == 1:
        console.print(
            f"[{style}]{label}[/] [{first.level}] [bold]{escape(first.id)}[/] — {escape(first.title)}"
        )
        console.print(f"  requirement: {escape(first.requirement)}")
        console.print(f"  got:         {_indent(first.message, pad)}")
        console.print(f"  sources:     {escape(', '.join(first.sources))}")
        console.print(f"  rerun:       {escape(first.rerun)}")
        return
    console.print(f"[{style}]{label} x{len(group)}[/] the same failure in {len(group)} cases:")
    console.print(f"  got:         {_indent(first.message, pad)}")
    console.print(f"  cases:       {escape(', '.join(f'{r.id} [{r.level}]' for r in group))}")
    rerun = first.rerun.replace(f"--case {first.id}", " ".join(f"--case {r.id}" for r in group), 1)
    console.print(f"  rerun:       {escape(rerun)}")


def print_report(console: Console, report: Report, *, verbose: bool = False) -> None:
    """Failures (grouped, with requirement and rerun), warnings, the profile table, the verdict line."""
    if report.preflight.status in ("unreachable", "key-refused"):
        console.print(f"[{STYLE[report.preflight.status]}]{escape(report.preflight.message)}[/]")
        code = ExitCode(report.exit_status)
        console.print(f"no case was run: {code.meaning} (exit {int(code)})")
        return
    for outcome in ("fail", "warning"):
        for group in failure_groups(report.results, outcome):
            _print_group(console, group, outcome)
    if verbose:
        for r in report.results:
            if r.outcome not in ("fail", "warning"):
                console.print(f"[{STYLE[r.outcome]}]{r.outcome.upper():11}[/] [{r.level}] {escape(r.id)}")
                if r.message:
                    console.print(f"            {_indent(r.message, ' ' * 12)}")
    table = Table(title="Verdict per profile", title_justify="left")
    for header in ("profile", "verdict", "pass", "fail", "warn", "skipped", "unavailable", "not run", "time"):
        table.add_column(
            header, no_wrap=True, justify="left" if header in ("profile", "verdict") else "right"
        )
    for p in report.profiles:
        n = p.counts
        table.add_row(
            p.name,
            f"[{STYLE[p.verdict]}]{p.verdict}[/]",
            str(n.passed),
            str(n.failed),
            str(n.warnings),
            str(n.skipped),
            str(n.unavailable),
            str(n.not_run),
            f"{p.duration_s:.1f}s",
        )
    console.print(table)
    console.print(summary_line(report))


def summary_line(report: Report) -> str:
    s = report.summary
    counts = (
        f"{s.passed} pass, {s.failed} fail, {s.warnings} warning{'s' * (s.warnings != 1)}, "
        f"{s.skipped} skipped, {s.unavailable} unavailable"
    )
    code = ExitCode(report.exit_status)
    verdict = f"verdict [{STYLE[report.verdict]}]{report.verdict}[/] (exit {int(code)})"
    if report.interrupted:
        done = s.total - s.not_run
        return (
            f"[bold yellow]interrupted after {done} of {s.total} cases[/] ({report.interrupted}): {counts}; "
            f"reports are marked incomplete — {verdict}"
        )
    strict = (
        ""
        if report.strict or not s.warnings
        else "; SHOULD failures are warnings (use --strict to count them)"
    )
    return f"{s.total} cases in {report.duration_s:.1f}s: {counts}{strict} — {verdict}"


def print_comparison(console: Console, comparison: Comparison) -> None:
    """What changed between the baseline and each later report; regressions first."""
    base = comparison.reports[0]
    for other, changes in zip(comparison.reports[1:], comparison.changes, strict=True):
        regress = [c for c in changes if c.kind == "regression"]
        console.print(
            f"[bold]{escape(base.label)}[/] → [bold]{escape(other.label)}[/]: "
            f"[{'bold red' if regress else 'green'}]{len(regress)} regression{'s' * (len(regress) != 1)}[/], "
            f"{sum(c.kind == 'fix' for c in changes)} fixed, {len(changes)} changed in all"
        )
        if not changes:
            continue
        table = Table(show_edge=False, pad_edge=False)
        for header in ("change", "case", "level", "before", "after"):
            table.add_column(header, no_wrap=True)
        for c in changes:
            table.add_row(
                f"[{_CHANGE_STYLE.get(c.kind, '')}]{c.kind}[/]",
                escape(c.id),
                c.level,
                f"[{STYLE.get(c.before, '')}]{c.before}[/]",
                f"[{STYLE.get(c.after, '')}]{c.after}[/]",
            )
        console.print(table)
    n = len(comparison.regressions)
    verdict = f"{n} case{'s' * (n != 1)} regressed against the baseline" if n else "no case regressed"
    console.print(f"exit {int(comparison.exit_status)}: {verdict}")


_CHANGE_STYLE = {"regression": "bold red", "fix": "green", "new-warning": "yellow", "lost": "magenta"}
