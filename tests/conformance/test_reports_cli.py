"""Reports (JSON schema, JUnit, HTML), the CLI, and offline replay of the recorded cassettes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "fixtures" / "cassettes" / "reference"
SCHEMA = json.loads((ROOT / "conformance" / "report.schema.json").read_text())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from conformance._cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_cli_run_writes_valid_reports(tmp_path: Path, reference_url: str) -> None:
    out = _cli(
        "run",
        "--base-url",
        reference_url,
        "--profile",
        "health",
        "--profile",
        "auth",
        "--case",
        "health.",
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
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    names = {tc.get("name") for tc in ET.parse(tmp_path / "r.xml").getroot().iter("testcase")}
    assert names == {r["id"] for r in report["results"]}
    assert "health.ok" in (tmp_path / "r.html").read_text()


def test_failing_case_has_evidence_and_rerun(tmp_path: Path, reference_url: str) -> None:
    out = _cli(
        "run",
        "--base-url",
        f"{reference_url}/__v/created-ms",
        "--case",
        "openai.chat.created-seconds",
        "--strict",
        "--report-json",
        str(tmp_path / "r.json"),
    )
    assert out.returncode == 1
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    (r,) = report["results"]
    assert r["verdict"] == "fail"
    assert r["evidence"]
    assert "--case openai.chat.created-seconds" in r["rerun"]
    assert "conformance0000" not in json.dumps(report)
    _cli("report", str(tmp_path / "r.json"), str(tmp_path / "r.json"), "--html", str(tmp_path / "cmp.html"))
    assert (tmp_path / "cmp.html").read_text().count("openai.chat.created-seconds") >= 2


def test_list_needs_no_server() -> None:
    out = _cli("run", "--list", "--profile", "health")
    assert out.returncode == 0
    assert "health.ok" in out.stdout


@pytest.mark.skipif(not CASSETTES.exists(), reason="no recorded cassettes")
def test_replay_recorded_cassettes_offline() -> None:
    from conformance._case import Verdict, all_cases
    from conformance._context import Context, Target
    from conformance._engine import run_case

    ctx = Context(
        Target(base_url="http://replay.invalid", api_key="stratus_sk_test_conformance0000", replaying=True)
    )
    cases = [c for c in all_cases() if not c.id.startswith(("sdk.openai.retries", "sdk.anthropic.retries"))]
    results = [run_case(c, ctx, replay_dir=CASSETTES) for c in cases]
    ctx.close()
    bad = {r.case.id: r.message[:200] for r in results if r.verdict is Verdict.FAIL}
    assert not bad
    skipped = {r.case.id: r.message for r in results if r.verdict is Verdict.SKIPPED}
    assert "vcrpy buffers streams" in skipped["openai.chat.stream.incremental"]
    assert sum(r.verdict is Verdict.PASS for r in results) > 140


def test_cassettes_hold_no_keys() -> None:
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text()
        assert "stratus_sk_test_conformance0000" not in text, path
        assert "sk-provider-conformance" not in text, path


def test_exit_status_and_profile_table(reference_url: str) -> None:
    """SHOULD failures count only with --strict; a MUST failure always does; the table says which."""
    should = ("--base-url", f"{reference_url}/__v/created-ms", "--case", "openai.chat.created-seconds")
    loose = _cli("run", *should, "--case", "openai.chat.object")
    assert loose.returncode == 0, loose.stdout
    assert re.search(r"openai-chat\s*│\s*pass\s*│\s*1\s*│\s*0\s*│\s*1", loose.stdout), loose.stdout
    strict = _cli("run", *should, "--strict")
    assert strict.returncode == 1
    assert re.search(r"openai-chat\s*│\s*fail", strict.stdout), strict.stdout
    must = _cli(
        "run", "--base-url", f"{reference_url}/__v/finish-reason-done", "--case", "openai.chat.finish-reason"
    )
    assert must.returncode == 1
    assert re.search(r"openai-chat\s*│\s*fail\s*│\s*0\s*│\s*1", must.stdout), must.stdout


def test_verdict_rules() -> None:
    from conformance._case import Verdict, all_cases
    from conformance._engine import Result
    from conformance._session import exit_status, profile_verdicts

    by_id = {c.id: c for c in all_cases()}
    must, should = by_id["openai.chat.object"], by_id["openai.chat.created-seconds"]
    skipped = Result(by_id["health.ok"], Verdict.SKIPPED)
    assert exit_status([Result(must, Verdict.PASS), Result(should, Verdict.FAIL)], strict=False) == 0
    assert exit_status([Result(must, Verdict.PASS), Result(should, Verdict.FAIL)], strict=True) == 1
    assert exit_status([Result(must, Verdict.FAIL)], strict=False) == 1
    assert exit_status([skipped, Result(must, Verdict.UNAVAILABLE)], strict=True) == 0
    assert profile_verdicts([Result(should, Verdict.FAIL)], strict=False) == {"openai-chat": "pass"}
    assert profile_verdicts([Result(should, Verdict.FAIL)], strict=True) == {"openai-chat": "fail"}
    assert profile_verdicts([skipped], strict=True) == {"health": "not run"}
