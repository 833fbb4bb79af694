"""`stratus-conformance`: run the suite (through pytest), list cases, render reports."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import rich_click as click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance._case import PROFILES, all_cases
from conformance._catalog import render_catalog
from conformance._engine import Result
from conformance._reports import build_report, write_html, write_junit
from conformance._session import DEFAULT_KEY, RunOptions, exit_status, profile_verdicts

__all__ = ["main"]

_STYLE = {"pass": "green", "fail": "red", "skipped": "dim", "unavailable": "yellow", "not run": "dim"}


class _Progress:
    """pytest plugin object that feeds a rich progress bar and keeps the session's results."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=console,
            transient=True,
        )
        self.task: Any = None
        self.results: list[Result] = []
        self.base_url = ""

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.start()
        self.task = self.progress.add_task("conformance", total=len(session.items), last="")

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        self.progress.update(self.task, advance=1, last=nodeid.rsplit("::", 1)[-1])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from conformance.plugin import session_of

        self.progress.stop()
        s = session_of(session.config)
        self.results = list(s.results)
        if s._ctx is not None:
            self.base_url = s._ctx.target.base_url


@click.group()
def main() -> None:
    """Conformance suite for the Stratus X1 API (OpenAI Chat Completions + Anthropic Messages + `stratus`)."""


@main.command()
@click.option("--base-url", help="Target root URL (no /v1). Default: start the reference server locally.")
@click.option(
    "--api-key",
    envvar="STRATUS_API_KEY",
    default=DEFAULT_KEY,
    show_default=False,
    help="Stratus key (also STRATUS_API_KEY).",
)
@click.option("--model", default="stratus-x1ac-small-gpt-4o", show_default=True)
@click.option(
    "--profile", "profiles", multiple=True, type=click.Choice(list(PROFILES)), help="Only these profiles."
)
@click.option("--strict", is_flag=True, help="SHOULD failures also fail the run (like h2spec --strict).")
@click.option("--case", "cases", multiple=True, help="Only case IDs starting with this prefix.")
@click.option("--list", "list_only", is_flag=True, help="List the selected cases and exit.")
@click.option("--report-json", type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path))
@click.option("--html", type=click.Path(path_type=Path))
@click.option(
    "--record", type=click.Path(path_type=Path), help="Record vcrpy cassettes (keys scrubbed) into DIR."
)
@click.option("--replay", type=click.Path(path_type=Path), help="Replay cassettes from DIR (offline).")
@click.option("--fuzz", type=int, default=0, help="Run schemathesis with N examples per operation.")
@click.option("-v", "--verbose", is_flag=True, help="Show every case, not only failures.")
def run(
    base_url: str | None,
    api_key: str,
    model: str,
    profiles: tuple[str, ...],
    strict: bool,
    cases: tuple[str, ...],
    list_only: bool,
    report_json: Path | None,
    junit: Path | None,
    html: Path | None,
    record: Path | None,
    replay: Path | None,
    fuzz: int,
    verbose: bool,
) -> None:
    """Run the conformance cases against a target."""
    console = Console(stderr=False)
    if record and replay:
        raise click.UsageError("--record and --replay are exclusive")
    opts = RunOptions(
        base_url=base_url,
        api_key=api_key,
        model=model,
        profiles=list(profiles),
        cases=list(cases),
        strict=strict,
        record=record,
        replay=replay,
        fuzz=fuzz,
    )
    selected = opts.selected()
    if list_only:
        table = Table(title=f"{len(selected)} cases")
        table.add_column("id", no_wrap=True, overflow="fold")  # ids are copied into --case: never cut
        table.add_column("level", no_wrap=True)
        table.add_column("profile", no_wrap=True)
        table.add_column("title", ratio=1)
        for c in selected:
            table.add_row(c.id, str(c.level), c.profile, c.title)
        console.print(table)
        return
    if not selected:
        raise click.UsageError("no case matches --profile/--case")
    argv = [
        str(Path(__file__).with_name("CATALOG.md")),
        "-p",
        "conformance.plugin",
        "-p",
        "no:terminal",
        "-p",
        "no:cacheprovider",
        "-c",
        os.devnull,
        "--rootdir",
        str(Path(__file__).parent),
        "--stratus-model",
        model,
        "--stratus-api-key",
        api_key,
        "--stratus-fuzz",
        str(fuzz),
    ]
    for flag, val in (
        ("--stratus-base-url", base_url),
        ("--stratus-record", record),
        ("--stratus-replay", replay),
    ):
        if val:
            argv += [flag, str(val)]
    argv += [x for p in profiles for x in ("--stratus-profile", p)]
    argv += [x for c in cases for x in ("--stratus-case", c)]
    if strict:
        argv.append("--stratus-strict")
    prog = _Progress(console)
    # Only the conformance plugin: third-party pytest plugins (langsmith, schemathesis, ...) would cost
    # seconds of import time and could change how the cases run.
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    console.print(
        f"[bold]stratus-conformance[/]: {len(selected)} cases against "
        f"{base_url or ('replay ' + str(replay) if replay else 'the local reference server')}"
    )
    rc = pytest.main(argv, plugins=[prog])
    duration = time.perf_counter() - t0
    results = prog.results
    if not results:
        console.print(f"[red]no case ran (pytest exit status {int(rc)})[/]")
        sys.exit(2)
    _summary(console, results, strict, verbose)
    report = build_report(
        results, opts, base_url=prog.base_url or base_url or "", started=started, duration=duration
    )
    if report_json:
        report_json.write_text(json.dumps(report, indent=1) + "\n")
    if junit:
        write_junit(report, junit)
    if html:
        write_html([report], html)
    code = exit_status(results, strict)
    console.print(
        f"{len(results)} cases in {duration:.1f}s; exit status {code}"
        + ("" if strict else " (SHOULD failures not counted; use --strict)")
    )
    sys.exit(code)


def _summary(console: Console, results: list[Result], strict: bool, verbose: bool) -> None:
    for r in results:
        if r.verdict.value == "fail" or verbose:
            style = _STYLE[r.verdict.value]
            console.print(
                f"[{style}]{r.verdict.value.upper():11}[/] [{r.case.level}] {r.case.id}"
                + (f"\n            {r.message[:400]}" if r.message else "")
                + (f"\n            rerun: {r.rerun}" if r.rerun else "")
            )
    verdicts = profile_verdicts(results, strict)
    table = Table(title="Summary per profile")
    for header in ("profile", "verdict", "pass", "fail MUST", "fail SHOULD", "skipped", "unavailable"):
        table.add_column(header, no_wrap=True)
    for p in PROFILES:
        rows = [r for r in results if r.case.profile == p]
        if not rows:
            continue
        n = {v: sum(r.verdict.value == v for r in rows) for v in ("pass", "skipped", "unavailable")}
        fm = sum(r.verdict.value == "fail" and r.case.level.value == "MUST" for r in rows)
        fs = sum(r.verdict.value == "fail" and r.case.level.value == "SHOULD" for r in rows)
        v = verdicts.get(p, "not run")
        table.add_row(
            p,
            f"[{_STYLE[v]}]{v}[/]",
            str(n["pass"]),
            str(fm),
            str(fs),
            str(n["skipped"]),
            str(n["unavailable"]),
        )
    console.print(table)


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--html", "html_path", required=True, type=click.Path(path_type=Path))
def report(reports: tuple[Path, ...], html_path: Path) -> None:
    """Render one or several JSON reports side by side as a self-contained HTML page."""
    data = [json.loads(p.read_text()) for p in reports]
    write_html(
        data,
        html_path,
        names=[f"{p.name}: {d['target']['base_url']}" for p, d in zip(reports, data, strict=True)],
    )
    click.echo(f"wrote {html_path}")


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if CATALOG.md is stale instead of writing it.")
def catalog(check: bool) -> None:
    """Regenerate conformance/CATALOG.md from the registered cases."""
    path = Path(__file__).with_name("CATALOG.md")
    text = render_catalog(all_cases())
    if check:
        sys.exit(0 if path.exists() and path.read_text() == text else 1)
    path.write_text(text)
    click.echo(f"wrote {path}")
