"""`stratus-conformance`: run the suite, compare reports, regenerate the generated files.

``run`` calls the engine directly (``_engine.execute``) and renders the ``Report`` it returns; no
pytest is involved (the pytest plugin is a second door into the same engine).
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import NoReturn

import msgspec
import rich_click as click
from rich.markup import escape
from rich.table import Table

from conformance._case import PROFILES, Case
from conformance._catalog import render_catalog
from conformance._compare import compare
from conformance._console import LiveProgress, make_console, print_comparison, print_report
from conformance._context import DEFAULT_MODEL
from conformance._corpus import CorpusError
from conformance._engine import DEFAULT_KEY, Interrupted, RunOptions, execute
from conformance._html import render_comparison, render_run
from conformance._junit import write_junit
from conformance._report import (
    REPORT_SCHEMA,
    ExitCode,
    Report,
    Selection,
    decode_report,
    encode_report,
    render_json_schema,
)
from conformance._selection import SelectionError, select
from conformance._snapshot import DEFAULT_SNAPSHOTS, SnapshotOptions, prepare, run_snapshots
from conformance._snapshot_output import SnapshotProgress, print_snapshot_report, render_snapshot
from conformance._snapshot_rules import RulesError

__all__ = ["EXIT_CODES_HELP", "main"]

EXIT_CODES_HELP = "Exit status:\n\n" + "\n\n".join(f"{int(c)}: {c.meaning}" for c in ExitCode)
"""The exit-code table (``--help`` epilogs; the README repeats it and a test keeps them equal)."""


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(package_name="stratus-conformance", prog_name="stratus-conformance")
def main() -> None:
    """Conformance suite for the Stratus X1 API (OpenAI Chat Completions + Anthropic Messages + `stratus`)."""


def _raise_interrupted(signum: int, frame: FrameType | None) -> NoReturn:
    raise Interrupted(signal.Signals(signum).name)


def _print_list(cases: list[Case]) -> None:
    console = make_console()
    table = Table(title=f"{len(cases)} cases", title_justify="left")
    table.add_column("id", no_wrap=True)  # ids are copied into --case: never cut
    table.add_column("level", no_wrap=True)
    table.add_column("profile", no_wrap=True)
    table.add_column("title", ratio=1)
    for c in cases:
        table.add_row(escape(c.id), str(c.level), c.profile, escape(c.title))
    console.print(table)


@main.command(epilog=EXIT_CODES_HELP)
@click.option("--base-url", help="Target root URL (no /v1). Default: start the reference server locally.")
@click.option(
    "--api-key",
    envvar="STRATUS_API_KEY",
    default=DEFAULT_KEY,
    show_default=False,
    help="Stratus key (also STRATUS_API_KEY).",
)
@click.option("--model", default=DEFAULT_MODEL, show_default=True)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    type=click.Choice(list(PROFILES)),
    help="Add this profile's cases (repeatable; adds up with --case).",
)
@click.option(
    "--case", "cases", multiple=True, help="Add the cases whose id starts with this prefix (repeatable)."
)
@click.option(
    "-k",
    "keyword",
    default="",
    metavar="EXPR",
    help="Keep cases matching EXPR, in pytest's -k syntax "
    "over id, profile and level (`stream and not tools`).",
)
@click.option(
    "--exclude", multiple=True, metavar="PREFIX|PROFILE", help="Drop a profile or the ids with this prefix."
)
@click.option(
    "--strict", is_flag=True, help="SHOULD failures fail the run too (otherwise they are warnings)."
)
@click.option("--list", "list_only", is_flag=True, help="List the selected cases and exit.")
@click.option(
    "--report-json", type=click.Path(dir_okay=False, path_type=Path), help="Write the typed JSON report."
)
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), help="Write the HTML report.")
@click.option("--label", default="", help="Name of this run in reports (default: the target URL).")
@click.option(
    "--record",
    type=click.Path(file_okay=False, path_type=Path),
    help="Record vcrpy cassettes (keys scrubbed) into DIR.",
)
@click.option(
    "--replay", type=click.Path(file_okay=False, path_type=Path), help="Replay cassettes from DIR (offline)."
)
@click.option(
    "--fuzz", type=click.IntRange(min=0), default=0, help="Run schemathesis with N examples per operation."
)
@click.option(
    "--install-node",
    is_flag=True,
    help="Install Node 22 (npm, into .cache/node) and the Node runner's packages if a Node client case "
    "needs them; without it those cases are unavailable where Node 22 is missing.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every case, not only failures and warnings.")
def run(
    base_url: str | None,
    api_key: str,
    model: str,
    profiles: tuple[str, ...],
    cases: tuple[str, ...],
    keyword: str,
    exclude: tuple[str, ...],
    strict: bool,
    list_only: bool,
    report_json: Path | None,
    junit: Path | None,
    html: Path | None,
    label: str,
    record: Path | None,
    replay: Path | None,
    fuzz: int,
    install_node: bool,
    verbose: bool,
) -> None:
    """Run the conformance cases against a target.

    `--profile` and `--case` add cases up (all cases when neither is given), `-k` narrows them,
    `--exclude` removes some.
    """
    if record and replay:
        raise click.UsageError("--record and --replay are exclusive")
    selection = Selection(profiles=list(profiles), cases=list(cases), keyword=keyword, exclude=list(exclude))
    try:
        chosen = select(selection)
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from None
    if list_only:
        _print_list(chosen)
        return
    options = RunOptions(
        base_url=base_url,
        api_key=api_key,
        model=model,
        selection=selection,
        strict=strict,
        record=record,
        replay=replay,
        fuzz=fuzz,
        label=label,
        install_node=install_node,
    )
    console = make_console()
    progress = LiveProgress(console, strict=strict)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        report = execute(options, chosen, observer=progress)
    finally:
        progress.close()
    try:
        _write_reports(report, report_json, junit, html)
        print_report(console, report, verbose=verbose)
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))
    except Interrupted:
        sys.exit(int(ExitCode.TERMINATED))
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(report.exit_status)


def _write_reports(report: Report, json_path: Path | None, junit: Path | None, html: Path | None) -> None:
    for path in (json_path, junit, html):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    if json_path:
        json_path.write_bytes(encode_report(report))
    if junit:
        write_junit(report, junit)
    if html:
        html.write_text(render_run(report), encoding="utf-8")


def _load(path: Path) -> Report:
    try:
        return decode_report(path.read_bytes())
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise click.UsageError(
            f"{path} is not a stratus-conformance report (schema version 2): {exc}"
        ) from None


@main.command(epilog=EXIT_CODES_HELP)
@click.argument(
    "reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the page here."
)
@click.option(
    "--label", "labels", multiple=True, help="A name per report, in order (default: each run's label)."
)
@click.option(
    "--strict", is_flag=True, help="A pass that became a SHOULD warning counts as a regression too."
)
def report(reports: tuple[Path, ...], html_path: Path | None, labels: tuple[str, ...], strict: bool) -> None:
    """Compare JSON reports: the first is the baseline, each later one is checked against it.

    Prints what changed and exits 1 when a case regressed (it passed or warned in the baseline and
    fails now). With one report, prints it (and writes its page with `--html`).
    """
    loaded = [_load(p) for p in reports]
    if labels and len(labels) != len(loaded):
        raise click.UsageError(f"{len(labels)} --label for {len(loaded)} reports")
    if labels:
        loaded = [msgspec.structs.replace(r, label=lab) for r, lab in zip(loaded, labels, strict=True)]
    console = make_console()
    if len(loaded) == 1:
        print_report(console, loaded[0])
        if html_path:
            html_path.write_text(render_run(loaded[0]), encoding="utf-8")
        return
    comparison = compare(loaded, strict=strict)
    print_comparison(console, comparison)
    if html_path:
        html_path.write_text(render_comparison(comparison), encoding="utf-8")
        console.print(f"wrote {html_path}")
    sys.exit(int(comparison.exit_status))


def _bad_input(message: str) -> NoReturn:
    """A corpus or rules file that cannot be used: one plain line per problem (never wrapped, so a
    path can be copied), the usage exit code, no traceback."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(int(ExitCode.USAGE))


@main.command(epilog=EXIT_CODES_HELP)
@click.option("--base-url", help="Target root URL (no /v1). Default: start the reference server locally.")
@click.option(
    "--api-key",
    envvar="STRATUS_API_KEY",
    default=None,
    help="Replaces the corpus key (stratus_sk_test_corpus00000000) in every request; also STRATUS_API_KEY.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="Directory of request files, one JSON per request (conformance/corpus-request.schema.json). "
    "Default: the bundled fixtures/requests/.",
)
@click.option(
    "--snapshots",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SNAPSHOTS,
    show_default=True,
    help="Directory of the stored snapshots (<request id>.json).",
)
@click.option(
    "--mode",
    type=click.Choice(["exact", "shape"]),
    default="exact",
    show_default=True,
    help="exact: every value (volatile fields as placeholders); shape: keys, types, enums, fixed lengths, "
    "the contract, stratus invariants, event grammar. A request file's own mode wins.",
)
@click.option("--update", is_flag=True, help="Write new and changed snapshots (and remove unused ones).")
@click.option(
    "--rules",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A TOML file of more volatile fields, ignored headers and shape rules (repeatable).",
)
@click.option("--only", multiple=True, metavar="ID-PREFIX", help="Only the requests whose id starts so.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a request may take to answer completely; past it the snapshot is an error.",
)
@click.option("--jobs", type=click.IntRange(1, 64), default=4, show_default=True, help="Requests in flight.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path), help="Write the diff page here.")
@click.option(
    "--report-json", type=click.Path(dir_okay=False, path_type=Path), help="Write the typed JSON report."
)
@click.option("--label", default="", help="Name of this run in the page (default: the target URL).")
@click.option("-v", "--verbose", is_flag=True, help="List every request, not only the changes.")
def snapshot(
    base_url: str | None,
    api_key: str | None,
    corpus: Path | None,
    snapshots: Path,
    mode: str,
    update: bool,
    rules: tuple[Path, ...],
    only: tuple[str, ...],
    timeout: float,
    jobs: int,
    html: Path | None,
    report_json: Path | None,
    label: str,
    verbose: bool,
) -> None:
    """Record the answers of a target to a request corpus, or compare them with stored snapshots.

    Without `--update` every difference fails the run (exit 1) with a diff on the terminal and,
    with `--html`, a diff page; new snapshots fail too, unused ones are reported. With `--update`
    new and changed snapshots are written and unused ones removed.
    """
    options = SnapshotOptions(
        base_url=base_url,
        api_key=api_key,
        corpus=corpus,
        snapshots=snapshots,
        mode=mode,  # type: ignore[arg-type]
        update=update,
        rules=rules,
        only=only,
        timeout_s=timeout,
        jobs=jobs,
        label=label,
    )
    try:
        prepared = prepare(options)
    except CorpusError as exc:
        _bad_input("the request corpus cannot be used:\n  " + "\n  ".join(exc.problems))
    except RulesError as exc:
        _bad_input(str(exc))
    console = make_console()
    progress = SnapshotProgress(console, snapshots=str(snapshots), mode=mode)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        result = run_snapshots(options, prepared, observer=progress)
    finally:
        progress.close()
    try:
        for path in (html, report_json):
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
        if html:
            html.write_text(render_snapshot(result), encoding="utf-8")
        if report_json:
            report_json.write_bytes(msgspec.json.format(msgspec.json.encode(result), indent=1) + b"\n")
        print_snapshot_report(console, result, verbose=verbose)
        if html:
            console.print(f"diff page: {escape(str(html))}")
        elif result.verdict == "fail":
            console.print("(--html FILE writes these differences as a page)")
    except KeyboardInterrupt:
        sys.exit(int(ExitCode.INTERRUPTED))
    except Interrupted:
        sys.exit(int(ExitCode.TERMINATED))
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(int(result.exit_status))


@main.command()
@click.option("--check", is_flag=True, help="Exit 1 if a generated file is stale instead of writing it.")
def catalog(check: bool) -> None:
    """Regenerate conformance/CATALOG.md and conformance/report.schema.json from the code."""
    files = {Path(__file__).with_name("CATALOG.md"): render_catalog(), REPORT_SCHEMA: render_json_schema()}
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if check:
        for p in stale:
            click.echo(f"stale: {p}")
        sys.exit(1 if stale else 0)
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
        click.echo(f"wrote {p}")
