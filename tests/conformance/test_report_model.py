"""The one place verdicts are counted, the engine's no-vacuous-pass rule, selection, and the HTML
evidence (pretty JSON with the offending path highlighted, autoescaped)."""

from __future__ import annotations

import pytest

from conformance._case import Case, CaseFailed, Level, Verdict, all_cases
from conformance._context import Context, Target
from conformance._engine import run_case
from conformance._html import evidence_lines, render_run
from conformance._report import (
    Counts,
    ExitCode,
    Highlight,
    Selection,
    count,
    exit_status,
    outcome_of,
    profile_verdict,
    run_verdict,
)
from conformance._selection import SelectionError, select

KEY = "stratus_sk_test_conformance0000"


def test_outcomes_and_profile_verdicts() -> None:
    assert outcome_of("fail", "SHOULD", strict=False) == "warning"
    assert outcome_of("fail", "SHOULD", strict=True) == "fail"
    assert outcome_of("fail", "MUST", strict=False) == "fail"
    assert profile_verdict(count(["pass", "warning"])) == "pass"
    assert profile_verdict(count(["pass", "fail"])) == "fail"
    assert profile_verdict(count(["skipped", "unavailable"])) == "not-run", "unavailable is never a pass"
    assert profile_verdict(count(["unavailable"])) == "not-run"
    assert profile_verdict(count(["pass", "not-run"])) == "incomplete"


def test_run_verdicts_and_exit_codes() -> None:
    c = count(["pass", "warning", "skipped"])
    assert run_verdict(c, "ok", None) == "pass"
    assert exit_status("pass", None) == ExitCode.OK
    assert run_verdict(count(["fail", "pass"]), "ok", None) == "fail"
    assert run_verdict(count(["unavailable", "skipped"]), "ok", None) == "inconclusive"
    assert exit_status("inconclusive", None) == 5
    assert run_verdict(Counts(), "unreachable", None) == "unreachable"
    assert exit_status("unreachable", None) == 3
    assert run_verdict(Counts(), "key-refused", None) == "key-refused"
    assert exit_status("key-refused", None) == 4
    assert run_verdict(c, "ok", "SIGINT") == "incomplete"
    assert exit_status("incomplete", "SIGINT") == 130
    assert exit_status("incomplete", "SIGTERM") == 143
    assert {int(x) for x in ExitCode} == {0, 1, 2, 3, 4, 5, 130, 143}
    assert all(x.meaning for x in ExitCode)


def test_a_pass_that_judged_nothing_is_a_failure(reference_url: str) -> None:
    quiet = Case(
        id="test.quiet",
        level=Level.MUST,
        profile="health",
        title="checks nothing",
        sends="nothing",
        needs="nothing",
        requirement="none",
        sources=("D-CONF-1",),
        func=lambda ctx: None,
    )
    ctx = Context(Target(base_url=reference_url, api_key=KEY))
    try:
        r = run_case(quiet, ctx)
    finally:
        ctx.close()
    assert r.verdict is Verdict.FAIL
    assert "judged no exchange" in r.message


def test_selection_adds_profiles_and_cases_then_narrows() -> None:
    """--profile and --case add up (the README example), -k narrows, --exclude removes."""
    both = select(Selection(profiles=["anthropic-stream"], cases=["openai.chat.stream"]))
    assert {c.profile for c in both} == {"anthropic-stream", "openai-stream"}
    assert len(both) == sum(
        c.profile == "anthropic-stream" or c.id.startswith("openai.chat.stream") for c in all_cases()
    )
    narrowed = select(Selection(keyword="stream and not tools", exclude=["sdk"]))
    assert narrowed
    assert all("stream" in c.id or "stream" in c.profile for c in narrowed)
    assert not any("tools" in c.id or c.profile == "sdk" for c in narrowed)
    assert all(c.level is Level.SHOULD for c in select(Selection(keyword="SHOULD")))
    assert next(c.profile for c in select(Selection())) == "openai-chat", "run order is profile by profile"
    with pytest.raises(SelectionError):
        select(Selection(keyword="stream and ("))
    with pytest.raises(SelectionError):
        select(Selection(cases=["no.such"]))


def test_evidence_highlights_the_offending_json_path() -> None:
    body = '{"id":"x","choices":[{"index":0,"finish_reason":"done","message":{"role":"assistant"}}]}'
    lines = evidence_lines(
        body, "application/json", Highlight(exchange=0, path=["choices", 0, "finish_reason"])
    )
    hits = [ln.text.strip() for ln in lines if ln.hit]
    assert hits == ['"finish_reason": "done",']
    assert lines[0].text == "{", "pretty-printed, not JSON escaped in JSON"
    assert len(lines) > 5
    whole = evidence_lines(body, "application/json", Highlight(exchange=0, path=["choices", 0, "message"]))
    assert [ln.text.strip() for ln in whole if ln.hit] == ['"message": {', '"role": "assistant"', "}"]


def test_evidence_highlights_the_offending_stream_event() -> None:
    body = ': keep-alive\n\ndata: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n'
    lines = evidence_lines(body, "text/event-stream", Highlight(exchange=0, event=1))
    assert [ln.text for ln in lines if ln.hit] == ['data: {"a":2}']


def test_html_is_autoescaped(reference_url: str) -> None:
    from conformance._engine import RunOptions, execute

    report = execute(
        RunOptions(base_url=f"{reference_url}/__v/created-ms", selection=Selection(cases=["health.ok"]))
    )
    evil = report.results[0]
    hacked = type(report)(
        **{**{f: getattr(report, f) for f in report.__struct_fields__}, "label": "<script>alert(1)</script>"}
    )
    html = render_run(hacked)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert evil.id in html


def test_case_failed_carries_where() -> None:
    exc = CaseFailed("bad", at=("choices", 0), event=3)
    assert (exc.at, exc.event, str(exc)) == (("choices", 0), 3, "bad")


def test_run_page_says_what_its_exit_status_means_for_a_run(reference_url: str) -> None:
    from conformance._engine import RunOptions, execute

    report = execute(
        RunOptions(
            base_url=f"{reference_url}/__v/gross-stream-as-json",
            selection=Selection(cases=["openai.chat.stream.framing"]),
        )
    )
    assert report.exit_status == 1
    html = render_run(report)
    assert "1: a MUST case failed (or a SHOULD case with --strict)" in html
    assert "a case regressed" not in html, "the meaning of `report`'s exit 1 is not a run's"
