"""pytest plugin: the conformance cases as pytest items.

Use ``pytest -p conformance.plugin --pyargs conformance --stratus-base-url URL``; the
``stratus-conformance`` CLI drives the same plugin. Each case is one item named by its ID.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conformance._case import Case, Level, Verdict
from conformance._session import DEFAULT_KEY, RunOptions, Session

__all__ = ["CATALOG", "CaseItem"]

CATALOG = Path(__file__).with_name("CATALOG.md")
_SESSION = pytest.StashKey[Session]()


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("stratus-conformance")
    g.addoption(
        "--stratus-base-url", default=None, help="target root URL (default: start the reference server)"
    )
    g.addoption("--stratus-api-key", default=os.environ.get("STRATUS_API_KEY", DEFAULT_KEY))
    g.addoption("--stratus-model", default="stratus-x1ac-small-gpt-4o")
    g.addoption("--stratus-profile", action="append", default=[], help="run only this profile (repeatable)")
    g.addoption("--stratus-case", action="append", default=[], help="run only case IDs with this prefix")
    g.addoption("--stratus-strict", action="store_true", help="SHOULD failures fail the run")
    g.addoption("--stratus-record", default=None, help="record vcrpy cassettes into DIR")
    g.addoption("--stratus-replay", default=None, help="replay vcrpy cassettes from DIR")
    g.addoption("--stratus-fuzz", type=int, default=0, help="schemathesis examples per operation")


def options_from_config(config: pytest.Config) -> RunOptions:
    g = config.getoption
    rec, rep = g("--stratus-record"), g("--stratus-replay")
    return RunOptions(
        base_url=g("--stratus-base-url"),
        api_key=g("--stratus-api-key"),
        model=g("--stratus-model"),
        profiles=list(g("--stratus-profile")),
        cases=list(g("--stratus-case")),
        strict=bool(g("--stratus-strict")),
        record=Path(rec) if rec else None,
        replay=Path(rep) if rep else None,
        fuzz=int(g("--stratus-fuzz")),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance_level(level): MUST or SHOULD")
    config.stash[_SESSION] = Session(options_from_config(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION in config.stash:
        config.stash[_SESSION].close()


def session_of(config: pytest.Config) -> Session:
    return config.stash[_SESSION]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.resolve() == CATALOG.resolve():
        return Suite.from_parent(parent, path=file_path)
    return None


class Suite(pytest.File):
    def collect(self) -> Any:
        for c in session_of(self.config).options.selected():
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
        session = session_of(self.config)
        result = session.run(self.case)
        if result.verdict is Verdict.SKIPPED:
            pytest.skip(result.message)
        if result.verdict is Verdict.UNAVAILABLE:
            pytest.skip(f"unavailable: {result.message}")
        if result.verdict is Verdict.FAIL:
            if self.case.level is Level.SHOULD and not session.options.strict:
                pytest.xfail(f"SHOULD not met (not counted without --strict): {result.message}")
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
