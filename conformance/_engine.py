"""Runs one case against a context and turns the outcome into a ``Result``."""

from __future__ import annotations

import contextlib
import shlex
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance._case import Case, CaseFailed, CaseSkipped, CaseUnavailable, Verdict
from conformance._context import Context
from conformance._recording import cassette

__all__ = ["Result", "rerun_command", "run_case"]


@dataclass
class Result:
    case: Case
    verdict: Verdict
    message: str = ""
    duration: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)
    rerun: str = ""

    def to_json(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id,
            "level": str(c.level),
            "profile": c.profile,
            "title": c.title,
            "sends": c.sends,
            "requirement": c.requirement,
            "sources": list(c.sources),
            "verdict": str(self.verdict),
            "message": self.message,
            "duration_s": round(self.duration, 4),
            "evidence": self.evidence,
            "rerun": self.rerun,
        }


def rerun_command(case: Case, ctx: Context, *, base_url_given: bool) -> str:
    parts = ["stratus-conformance", "run", "--case", case.id]
    if base_url_given:
        parts += ["--base-url", ctx.target.base_url]
    if ctx.target.model != "stratus-x1ac-small-gpt-4o":
        parts += ["--model", ctx.target.model]
    return shlex.join(parts)


@contextlib.contextmanager
def _maybe_cassette(
    ctx: Context, case: Case, record_dir: Path | None, replay_dir: Path | None
) -> Iterator[None]:
    if record_dir is None and replay_dir is None:
        yield
        return
    directory = record_dir or replay_dir
    assert directory is not None
    with cassette(directory, case.id, record=record_dir is not None):
        yield


def run_case(
    case: Case,
    ctx: Context,
    *,
    record_dir: Path | None = None,
    replay_dir: Path | None = None,
    base_url_given: bool = True,
) -> Result:
    ctx.begin_case()
    start = time.perf_counter()
    verdict, message = Verdict.PASS, ""
    try:
        if case.live_only and (record_dir is not None or replay_dir is not None):
            raise CaseSkipped(
                "live-streaming timing is not observable under --record/--replay (vcrpy buffers streams)"
            )
        with _maybe_cassette(ctx, case, record_dir, replay_dir):
            case.func(ctx)
    except CaseFailed as exc:
        verdict, message = Verdict.FAIL, str(exc)
    except CaseSkipped as exc:
        verdict, message = Verdict.SKIPPED, str(exc)
    except CaseUnavailable as exc:
        verdict, message = Verdict.UNAVAILABLE, str(exc)
    except Exception as exc:
        if replay_dir is not None and type(exc).__name__ == "CannotOverwriteExistingCassetteException":
            verdict, message = Verdict.SKIPPED, f"no recorded exchange for this request in {replay_dir}"
        else:
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            verdict, message = Verdict.FAIL, f"unexpected {tb}"
    finally:
        ctx.end_case()
    if verdict is Verdict.PASS and ctx.notes:
        message = "\n".join(ctx.notes)  # what a passing case wants reported (the fuzz summary)
    result = Result(case=case, verdict=verdict, message=message, duration=time.perf_counter() - start)
    if verdict is Verdict.FAIL:
        result.evidence = [ex.evidence() for ex in ctx.exchanges[-3:]]
        result.rerun = rerun_command(case, ctx, base_url_given=base_url_given)
    return result
