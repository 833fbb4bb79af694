"""Reports (typed JSON, JUnit, HTML), verdict rules on the CLI, comparison, offline replay."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conformance._report import decode_report

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "fixtures" / "cassettes" / "reference"
SCHEMA = json.loads((ROOT / "conformance" / "report.schema.json").read_text())
KEY = "stratus_sk_test_conformance0000"


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess with no terminal and no COLUMNS: what CI sees."""
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    return subprocess.run(
        [sys.executable, "-c", "from conformance._cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env={**clean, **(env or {})},
    )


def _valid(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    decode_report(path.read_bytes())  # and the msgspec Struct reads it back
    return dict(data)


def test_cli_run_writes_valid_reports(tmp_path: Path, reference_url: str) -> None:
    out = cli(
        "run",
        "--base-url",
        reference_url,
        "--profile",
        "health",
        "--case",
        "auth.missing",
        "--report-json",
        str(tmp_path / "r.json"),
        "--junit",
        str(tmp_path / "r.xml"),
        "--html",
        str(tmp_path / "r.html"),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    report = _valid(tmp_path / "r.json")
    results = report["results"]
    assert isinstance(results, list)
    assert {r["id"] for r in results} == {
        "health.ok",
        "health.request-id",
        "auth.missing-key",
        "auth.missing-key-messages",
    }
    assert all(r["exchanges"] for r in results), "every verdict carries the exchanges it judged"
    names = {tc.get("name") for tc in ET.parse(tmp_path / "r.xml").getroot().iter("testcase")}
    assert names == {r["id"] for r in results}
    assert "health.ok" in (tmp_path / "r.html").read_text()


def test_failing_case_has_evidence_highlight_requirement_and_rerun(
    tmp_path: Path, reference_url: str
) -> None:
    base = f"{reference_url}/__v/created-ms"
    out = cli(
        "run",
        "--base-url",
        base,
        "--case",
        "openai.chat.created-seconds",
        "--strict",
        "--report-json",
        str(tmp_path / "r.json"),
    )
    assert out.returncode == 1, out.stdout
    report = decode_report((tmp_path / "r.json").read_bytes())
    (r,) = report.results
    assert (r.verdict, r.outcome) == ("fail", "fail")
    assert r.highlight is not None
    assert r.highlight.path == ["created"]
    assert r.highlight.exchange in r.exchanges
    assert r.rerun == shlex.join(
        ["stratus-conformance", "run", "--case", r.id, "--base-url", base, "--strict"]
    )
    assert KEY not in (tmp_path / "r.json").read_text()
    assert f"requirement: {r.requirement}" in out.stdout  # the console shows the requirement text
    assert f"rerun:       {r.rerun}\n" in out.stdout  # on one line, never wrapped


def test_should_failure_is_a_warning_everywhere(tmp_path: Path, reference_url: str) -> None:
    """Without --strict a SHOULD failure is a warning: console, JUnit, exit code; its rerun fails."""
    base = f"{reference_url}/__v/created-ms"
    args = ("--base-url", base, "--case", "openai.chat.created-seconds", "--case", "openai.chat.object")
    out = cli("run", *args, "--junit", str(tmp_path / "j.xml"), "--report-json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stdout
    assert "WARN [SHOULD] openai.chat.created-seconds" in out.stdout
    assert "1 warning" in out.stdout
    assert "use --strict" in out.stdout
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert root.get("failures") == "0"
    assert root.get("skipped") == "1"
    assert float(root.get("time", "-1")) >= 0
    (suite,) = root.iter("testsuite")
    assert suite.get("skipped") == "1"
    assert suite.get("time") is not None
    case = next(tc for tc in root.iter("testcase") if tc.get("name") == "openai.chat.created-seconds")
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("type") == "warning"
    assert {p.get("name"): p.get("value") for p in case.iter("property")}["outcome"] == "warning"
    assert all(tc.get("time") is not None for tc in root.iter("testcase"))
    report = decode_report((tmp_path / "r.json").read_bytes())
    assert report.summary.warnings == 1
    assert report.verdict == "pass"
    rerun = next(r.rerun for r in report.results if r.outcome == "warning")
    assert "--strict" in rerun
    again = cli(*shlex.split(rerun)[1:])
    assert again.returncode == 1, "the rerun line reproduces the failure"


def test_list_needs_no_server_and_cuts_nothing() -> None:
    out = cli("run", "--list")
    assert out.returncode == 0
    from conformance._case import all_cases

    for c in all_cases():
        assert c.id in out.stdout
    assert "…" not in out.stdout


def test_exit_status_and_profile_table(reference_url: str) -> None:
    """SHOULD failures count only with --strict; a MUST failure always does; the table says which."""
    should = ("--base-url", f"{reference_url}/__v/created-ms", "--case", "openai.chat.created-seconds")
    loose = cli("run", *should, "--case", "openai.chat.object")
    assert loose.returncode == 0, loose.stdout
    assert re.search(r"openai-chat\s*│\s*pass\s*│\s*1\s*│\s*0\s*│\s*1\s*│", loose.stdout), loose.stdout
    strict = cli("run", *should, "--strict")
    assert strict.returncode == 1
    assert re.search(r"openai-chat\s*│\s*fail\s*│\s*0\s*│\s*1\s*│", strict.stdout), strict.stdout
    must = cli(
        "run", "--base-url", f"{reference_url}/__v/finish-reason-done", "--case", "openai.chat.finish-reason"
    )
    assert must.returncode == 1
    assert re.search(r"openai-chat\s*│\s*fail\s*│\s*0\s*│\s*1\s*│", must.stdout), must.stdout


def test_report_compares_runs_and_gates_on_regressions(tmp_path: Path, reference_url: str) -> None:
    sel = ("--profile", "openai-chat")
    good = cli("run", "--base-url", reference_url, *sel, "--report-json", str(tmp_path / "a.json"))
    bad = cli(
        "run",
        "--base-url",
        f"{reference_url}/__v/finish-reason-done",
        *sel,
        "--report-json",
        str(tmp_path / "b.json"),
    )
    assert (good.returncode, bad.returncode) == (0, 1)
    out = cli(
        "report",
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        "--label",
        "v1",
        "--label",
        "v2",
        "--html",
        str(tmp_path / "cmp.html"),
    )
    assert out.returncode == 1, out.stdout
    assert "v1 → v2: 2 regressions" in out.stdout  # finish_reason "done" also breaks the schema case
    assert "exit 1: 2 cases regressed against the baseline" in out.stdout
    assert re.search(
        r"regression[│\s]+openai\.chat\.finish-reason[│\s]+MUST[│\s]+pass[│\s]+fail", out.stdout
    ), out.stdout
    html = (tmp_path / "cmp.html").read_text()
    assert 'class="regression"' in html
    assert "v2" in html
    back = cli("report", str(tmp_path / "b.json"), str(tmp_path / "a.json"))
    assert back.returncode == 0, back.stdout
    # fixed: the two MUST failures and the SHOULD warnings the variant also caused (one more since
    # surface.openai.sdk-fields validates its answer against ChatCompletionResponse too)
    assert "0 regressions, 5 fixed" in back.stdout
    one = cli("report", str(tmp_path / "b.json"))
    assert one.returncode == 0
    assert "openai.chat.finish-reason" in one.stdout
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1}')
    assert cli("report", str(broken)).returncode == 2


@pytest.mark.skipif(not CASSETTES.exists(), reason="no recorded cassettes")
def test_replay_recorded_cassettes_offline() -> None:
    from conformance._case import Verdict, all_cases
    from conformance._context import Context, Target
    from conformance._engine import run_case

    ctx = Context(Target(base_url="http://replay.invalid", api_key=KEY, replaying=True))
    cases = [c for c in all_cases() if not c.id.startswith(("sdk.openai.retries", "sdk.anthropic.retries"))]
    results = [run_case(c, ctx, replay_dir=CASSETTES) for c in cases]
    ctx.close()
    bad = {r.case.id: r.message[:200] for r in results if r.verdict is Verdict.FAIL}
    assert not bad
    skipped = {r.case.id: r.message for r in results if r.verdict is Verdict.SKIPPED}
    assert "vcrpy buffers streams" in skipped["openai.chat.stream.incremental"]
    assert sum(r.verdict is Verdict.PASS for r in results) > 150


def test_cassettes_hold_no_keys() -> None:
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text()
        assert KEY not in text, path
        assert "sk-provider-conformance" not in text, path
