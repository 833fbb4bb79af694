"""pytest plugin: the conformance cases as pytest items, judged by the same engine as the CLI.

Use ``pytest -p conformance.plugin --pyargs conformance --stratus-base-url URL``. Each case is one
item named by its id (so pytest's own ``-k`` selects by id); every item runs through
``_engine.Run.run``, and ``--stratus-report-json`` / ``--stratus-html`` write the same typed report
as ``stratus-conformance run``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conformance._case import PROFILES, Case, Verdict
from conformance._context import DEFAULT_MODEL
from conformance._engine import DEFAULT_KEY, Run, RunOptions
from conformance._report import Selection, encode_report, outcome_of
from conformance._selection import select

__all__ = ["CATALOG", "CaseItem"]

CATALOG = Path(__file__).with_name("CATALOG.md")
_RUN = pytest.StashKey[Run]()


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("stratus-conformance")
    g.addoption(
        "--stratus-base-url", default=None, help="target root URL (default: start the reference server)"
    )
    g.addoption("--stratus-api-key", default=os.environ.get("STRATUS_API_KEY", DEFAULT_KEY))
    g.addoption("--stratus-model", default=DEFAULT_MODEL)
    g.addoption(
        "--stratus-profile", action="append", default=[], choices=list(PROFILES), help="add a profile"
    )
    g.addoption("--stratus-case", action="append", default=[], help="add the case ids with this prefix")
    g.addoption("--stratus-exclude", action="append", default=[], help="drop a profile or an id prefix")
    g.addoption("--stratus-strict", action="store_true", help="SHOULD failures fail too")
    g.addoption("--stratus-record", default=None, help="record vcrpy cassettes into DIR")
    g.addoption("--stratus-replay", default=None, help="replay vcrpy cassettes from DIR")
    g.addoption("--stratus-fuzz", type=int, default=0, help="schemathesis examples per operation")
    g.addoption(
        "--stratus-install-node", action="store_true", help="install Node 22 for the Node client cases"
    )
    g.addoption("--stratus-report-json", default=None, help="write the typed JSON report to PATH")
    g.addoption("--stratus-html", default=None, help="write the HTML report to PATH")


def options_from_config(config: pytest.Config) -> RunOptions:
    g = config.getoption
    rec, rep = g("--stratus-record"), g("--stratus-replay")
    return RunOptions(
        base_url=g("--stratus-base-url"),
        api_key=g("--stratus-api-key"),
        model=g("--stratus-model"),
        selection=Selection(
            profiles=list(g("--stratus-profile")),
            cases=list(g("--stratus-case")),
            exclude=list(g("--stratus-exclude")),
        ),
        strict=bool(g("--stratus-strict")),
        record=Path(rec) if rec else None,
        replay=Path(rep) if rep else None,
        fuzz=int(g("--stratus-fuzz")),
        install_node=bool(g("--stratus-install-node")),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance_level(level): MUST or SHOULD")
    options = options_from_config(config)
    config.stash[_RUN] = Run(options, select(options.selection))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN in config.stash:
        config.stash[_RUN].close()


def run_of(config: pytest.Config) -> Run:
    return config.stash[_RUN]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.resolve() == CATALOG.resolve():
        return Suite.from_parent(parent, path=file_path)
    return None


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None or not run.results:
        return
    report = run.report()
    json_path, html_path = (
        session.config.getoption("--stratus-report-json"),
        session.config.getoption("--stratus-html"),
    )
    if json_path:
        Path(json_path).write_bytes(encode_report(report))
    if html_path:
        from conformance._html import render_run

        Path(html_path).write_text(render_run(report), encoding="utf-8")


class Suite(pytest.File):
    def collect(self) -> Any:
        for c in run_of(self.config).cases:
            yield CaseItem.from_parent(self, name=c.id, case=c)


class CaseFailure(Exception):
    pass


class CaseItem(pytest.Item):
    """One conformance case."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.add_marker(pytest.mark.conformance_level(str(case.level)))

    def runtest(self) -> None:
        run = run_of(self.config)
        if not run.results and run.preflight_result.message == "not run":
            pre = run.preflight()
            if pre.status in ("unreachable", "key-refused"):
                pytest.exit(pre.message, returncode=3 if pre.status == "unreachable" else 4)
        result = run.run(self.case)
        if result.verdict is Verdict.SKIPPED:
            pytest.skip(result.message)
        if result.verdict is Verdict.UNAVAILABLE:
            pytest.skip(f"unavailable: {result.message}")
        if outcome_of(str(result.verdict), str(self.case.level), run.options.strict) == "warning":  # type: ignore[arg-type]
            pytest.xfail(f"SHOULD not met (a warning; counted with --stratus-strict): {result.message}")
        if result.verdict is Verdict.FAIL:
            raise CaseFailure(result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            c = self.case
            return (
                f"[{c.level}] {c.id}: {c.requirement}\n  sources: {', '.join(c.sources)}\n  {excinfo.value}"
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.case.level} {self.case.id}"
