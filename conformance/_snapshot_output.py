"""Showing a snapshot run: live progress, the terminal diff, the HTML diff page.

The console follows ``_console`` (a transient progress bar on a terminal; in CI a line every
``interval`` seconds and nothing cut). The page extends ``templates/base.html`` like the run report
and comparison pages (``templates/snapshot.html``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from conformance._html import environment
from conformance._report import ExitCode, Preflight
from conformance._snapshot import SnapshotReport, SnapshotResult

__all__ = [
    "SnapshotProgress",
    "change_groups",
    "exit_text",
    "group_rerun",
    "print_snapshot_report",
    "render_snapshot",
    "summary_line",
]

STYLE = {
    "unchanged": "green",
    "written": "green",
    "updated": "yellow",
    "changed": "bold red",
    "new": "bold red",
    "error": "bold magenta",
    "not-run": "dim",
    "pass": "green",
    "fail": "bold red",
    "incomplete": "yellow",
    "unreachable": "bold red",
    "key-refused": "bold red",
}
PROBLEMS = ("changed", "new", "error")
_SHOWN_DIFFERENCES = 12
_SHOWN_DIFF_LINES = 40


class SnapshotProgress:
    """The snapshot run's observer: a progress bar on a terminal, plain periodic lines otherwise."""

    def __init__(self, console: Console, *, snapshots: str, mode: str, interval: float = 10.0) -> None:
        self.console, self.snapshots, self.mode, self.interval = console, snapshots, mode, interval
        self.progress: Progress | None = None
        self.task: object = None
        self.problems = 0
        self.last_line = time.monotonic()

    def starting(self, target: str, total: int) -> None:
        where = target or "the reference server (starting it on a loopback port)"
        self.console.print(
            f"[bold]stratus-conformance snapshot[/]: {total} requests against {escape(where)}; "
            f"snapshots in {escape(self.snapshots)} ({self.mode})"
        )

    def preflight(self, result: Preflight) -> None:
        if result.status == "ok":
            self.console.print(f"preflight: {escape(result.message)}")
        if self.console.is_terminal and result.status == "ok":
            self.progress = Progress(
                TextColumn("snapshots"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[now]}"),
                console=self.console,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("snapshots", total=None, now="")

    def finished(self, result: SnapshotResult, done: int, total: int) -> None:
        self.problems += result.status in PROBLEMS
        if self.progress is not None:
            now = result.id + (f"  [red]{self.problems} with problems[/]" if self.problems else "")
            self.progress.update(self.task, completed=done, total=total, now=now)  # type: ignore[arg-type]
        elif time.monotonic() - self.last_line >= self.interval or done == total:
            self.console.print(f"  ... {done}/{total} requests, {self.problems} with problems so far")
            self.last_line = time.monotonic()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def _diff_line(line: str) -> str:
    text = escape(line)
    if line.startswith(("+++", "---")):
        return f"[bold]{text}[/]"
    if line.startswith("@@"):
        return f"[cyan]{text}[/]"
    if line.startswith("+"):
        return f"[green]{text}[/]"
    if line.startswith("-"):
        return f"[red]{text}[/]"
    return text


_ORDER = {"error": 0, "changed": 1, "new": 2, "updated": 3}


def change_groups(results: Sequence[SnapshotResult]) -> list[list[SnapshotResult]]:
    """Errors, changes, new and updated snapshots, the ones with the very same differences (or the
    same message) grouped, so one planted change shows once with the list of snapshots it hit."""
    groups: dict[tuple[object, ...], list[SnapshotResult]] = {}
    for r in sorted((r for r in results if r.status in _ORDER), key=lambda r: (_ORDER[r.status], r.id)):
        key = tuple(d.text() for d in r.differences) or (r.message,)
        groups.setdefault((r.status, r.mode, *key), []).append(r)
    return list(groups.values())


def group_rerun(group: Sequence[SnapshotResult]) -> str:
    first = group[0]
    return first.rerun.replace(f"--only {first.id}", " ".join(f"--only {r.id}" for r in group), 1)


def _print_group(console: Console, group: list[SnapshotResult]) -> None:
    r = group[0]
    style, label = STYLE[r.status], r.status.upper()
    if len(group) == 1:
        console.print(
            f"[{style}]{label}[/] [bold]{escape(r.id)}[/] ({r.mode}) — {escape(r.request)}"
            + (f" — {escape(r.description)}" if r.description else "")
        )
    else:
        console.print(f"[{style}]{label} x{len(group)}[/] the same in {len(group)} snapshots ({r.mode}):")
    if not r.differences and r.message:
        console.print(f"  {escape(r.message)}")
    for d in r.differences[:_SHOWN_DIFFERENCES]:
        console.print(f"  {escape(d.text())}")
    if len(r.differences) > _SHOWN_DIFFERENCES:
        console.print(f"  … {len(r.differences) - _SHOWN_DIFFERENCES} more differences (see the HTML page)")
    for line in r.diff[:_SHOWN_DIFF_LINES]:
        console.print("    " + _diff_line(line))
    if len(r.diff) > _SHOWN_DIFF_LINES:
        console.print(f"    … {len(r.diff) - _SHOWN_DIFF_LINES} more diff lines (see the HTML page)")
    if len(group) > 1:
        console.print(f"  snapshots: {escape(', '.join(x.id for x in group))}")
    if r.status in PROBLEMS and r.rerun:
        console.print(f"  rerun: {escape(group_rerun(group))}")


def summary_line(report: SnapshotReport) -> str:
    c = report.counts
    parts = [f"{c.unchanged} unchanged"]
    for name, n in (
        ("changed", c.changed),
        ("new", c.new),
        ("error", c.error),
        ("written", c.written),
        ("updated", c.updated),
        ("not run", c.not_run),
    ):
        if n or name in ("changed", "new", "error"):
            parts.append(f"{n} {name}")
    tail = f"; {c.unused} unused" if c.unused else ""
    tail += f"; {c.removed} unused removed" if c.removed else ""
    verdict = f"verdict [{STYLE[report.verdict]}]{report.verdict}[/] (exit {int(report.exit_status)})"
    if report.interrupted:
        done = c.total - c.not_run
        return (
            f"[bold yellow]interrupted after {done} of {c.total} requests[/] ({report.interrupted}): "
            f"{', '.join(parts)}{tail} — {verdict}"
        )
    return f"{c.total} snapshots ({report.mode}) in {report.duration_s:.1f}s: {', '.join(parts)}{tail} — {verdict}"


def print_snapshot_report(console: Console, report: SnapshotReport, *, verbose: bool = False) -> None:
    """Problems first (each with its differences and diff), then updates, unused files, the verdict."""
    if report.preflight.status in ("unreachable", "key-refused"):
        console.print(f"[{STYLE[report.preflight.status]}]{escape(report.preflight.message)}[/]")
        code = report.exit_status
        console.print(f"no request was sent: {exit_text(code)} (exit {int(code)})")
        return
    for group in change_groups(report.results):
        _print_group(console, group)
    if verbose:
        for r in report.results:
            if r.status not in _ORDER and r.status != "written":
                console.print(f"[{STYLE[r.status]}]{r.status.upper():9}[/] {escape(r.id)} ({r.mode})")
    written = [r.id for r in report.results if r.status == "written"]
    if written:
        names = ", ".join(written) if len(written) <= 20 or verbose else f"{written[0]} … {written[-1]}"
        console.print(
            f"[green]WRITTEN[/] {len(written)} new snapshot{'s' * (len(written) != 1)} in "
            f"{escape(report.snapshots)}: {escape(names)}"
        )
    for name in report.unused:
        console.print(f"[yellow]UNUSED[/] {escape(name)} — no request of the corpus has this id")
    for name in report.removed:
        console.print(f"[yellow]REMOVED[/] {escape(name)} — unused")
    console.print(summary_line(report))
    if report.verdict == "fail" and not report.update and (report.counts.changed or report.counts.new):
        console.print(f"if these answers are intended: {escape(report.update_command)}")


def exit_text(code: ExitCode) -> str:
    """What an exit status means for ``snapshot`` (its part of the one table in ``ExitCode``)."""
    meaning = code.meaning
    return meaning.split("`snapshot`: ", 1)[1] if "`snapshot`: " in meaning else meaning


def render_snapshot(report: SnapshotReport) -> str:
    """The HTML diff page of one snapshot run."""
    return (
        environment()
        .get_template("snapshot.html")
        .render(
            report=report,
            groups=change_groups(report.results),
            segments=_segments(report),
            problem_states=PROBLEMS,
            group_rerun=group_rerun,
            exit_text=exit_text(report.exit_status),
        )
    )


def _segments(report: SnapshotReport) -> list[tuple[str, str, int]]:
    """(status, colour class, count) for the bar, in the page's order."""
    c = report.counts
    rows = [
        ("unchanged", "pass", c.unchanged),
        ("written", "pass", c.written),
        ("updated", "warning", c.updated),
        ("changed", "fail", c.changed),
        ("new", "fail", c.new),
        ("error", "unavailable", c.error),
        ("not-run", "not-run", c.not_run),
    ]
    return [row for row in rows if row[2]]
