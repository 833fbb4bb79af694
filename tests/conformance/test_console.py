"""Live progress: a progress bar on a terminal, plain lines (per profile, and a heartbeat) in CI."""

from __future__ import annotations

import io

from rich.console import Console

from conformance._case import Verdict, all_cases
from conformance._console import LiveProgress, make_console
from conformance._engine import Result
from conformance._report import Preflight


def _feed(progress: LiveProgress) -> None:
    cases = [c for c in all_cases() if c.profile in ("health", "auth")]
    progress.starting("http://example.invalid", cases)
    progress.preflight(Preflight(status="ok", message="GET /v1/models answered HTTP 200"))
    for i, c in enumerate(cases):
        verdict = Verdict.FAIL if c.id == "auth.bearer" else Verdict.PASS
        progress.case_finished(Result(case=c, verdict=verdict), i + 1, len(cases))
    progress.close()


def test_ci_gets_a_line_per_profile_and_heartbeats() -> None:
    buf = io.StringIO()
    console = make_console(buf)
    assert not console.is_terminal
    _feed(LiveProgress(console, strict=False, interval=0.0))
    out = buf.getvalue()
    assert "stratus-conformance: 10 cases against http://example.invalid" in out
    assert "preflight: GET /v1/models answered HTTP 200" in out
    assert "... 2/10 cases, 1 failed so far; now auth.conflicting-keys" in out, out
    lines = out.splitlines()
    auth = next(ln for ln in lines if ln.strip().startswith("auth "))
    assert auth.split()[1] == "fail"
    assert "1 fail, 7 pass" in auth
    assert next(ln for ln in lines if ln.strip().startswith("health ")).split()[1] == "pass"


def test_a_terminal_gets_a_progress_bar() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    progress = LiveProgress(console, strict=False)
    _feed(progress)
    assert progress.progress is None, "stopped at the end"
    assert "auth" in buf.getvalue()
