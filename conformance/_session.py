"""A conformance run independent of pytest: target lifecycle, selection and results."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance._case import Case, Level, Verdict, select
from conformance._context import Context, Target
from conformance._engine import Result, run_case
from conformance._server import reference_server

__all__ = ["DEFAULT_KEY", "RunOptions", "Session", "exit_status", "profile_verdicts"]

DEFAULT_KEY = "stratus_sk_test_conformance0000"
REPLAY_BASE = "http://replay.stratus-conformance.invalid"


@dataclass
class RunOptions:
    base_url: str | None = None
    api_key: str = DEFAULT_KEY
    model: str = "stratus-x1ac-small-gpt-4o"
    profiles: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    strict: bool = False
    record: Path | None = None
    replay: Path | None = None
    fuzz: int = 0

    def selected(self) -> list[Case]:
        return select(profiles=self.profiles, prefixes=self.cases)


class Session:
    """Owns the target (starting the reference server when no base URL is given) and runs cases."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.results: list[Result] = []
        self._stack = contextlib.ExitStack()
        self._ctx: Context | None = None

    @property
    def context(self) -> Context:
        if self._ctx is None:
            o = self.options
            base = o.base_url
            if o.replay is not None:
                base = base or REPLAY_BASE
            elif base is None:
                base = self._stack.enter_context(reference_server())
            target = Target(
                base_url=base.rstrip("/"),
                api_key=o.api_key,
                model=o.model,
                replaying=o.replay is not None,
                recording=o.record is not None,
            )
            self._ctx = Context(target, options={"fuzz": o.fuzz})
            self._stack.callback(self._ctx.close)
        return self._ctx

    def run(self, case: Case) -> Result:
        o = self.options
        result = run_case(
            case,
            self.context,
            record_dir=o.record,
            replay_dir=o.replay,
            base_url_given=o.base_url is not None,
        )
        self.results.append(result)
        return result

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def counts_against(result: Result, strict: bool) -> bool:
    return result.verdict is Verdict.FAIL and (result.case.level is Level.MUST or strict)


def exit_status(results: list[Result], strict: bool) -> int:
    """0 iff every selected MUST case passed (SHOULD too with --strict); skipped cases do not fail."""
    return 1 if any(counts_against(r, strict) for r in results) else 0


def profile_verdicts(results: list[Result], strict: bool) -> dict[str, str]:
    """Per profile: "pass", "fail", or "not run" (nothing passed or failed)."""
    out: dict[str, str] = {}
    for r in results:
        p = r.case.profile
        if counts_against(r, strict):
            out[p] = "fail"
        elif r.verdict is Verdict.PASS or (r.verdict is Verdict.FAIL and not strict):
            out.setdefault(p, "pass")
            if out[p] == "not run":
                out[p] = "pass"
        else:
            out.setdefault(p, "not run")
    return out


@contextlib.contextmanager
def open_session(options: RunOptions) -> Iterator[Session]:
    with Session(options) as s:
        yield s
