"""The CLI as a new user and a CI job meet it: preflight, exit codes, grouped failures, live output,
interrupts, usage errors, --version, and the pytest plugin as the engine's second door."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._case import all_cases
from conformance._report import ExitCode, decode_report
from conformance._server import free_port
from tests.conformance.test_reports_cli import ROOT, cli

TOTAL = len(all_cases())


def test_unreachable_target_is_one_message_and_its_own_exit_code(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    out = cli(
        "run",
        "--base-url",
        url,
        "--report-json",
        str(tmp_path / "r.json"),
        "--html",
        str(tmp_path / "r.html"),
    )
    assert out.returncode == ExitCode.UNREACHABLE == 3, out.stdout
    assert out.stdout.count("ConnectError") == 1
    assert "cannot reach" in out.stdout
    assert "no case was run" in out.stdout
    report = decode_report((tmp_path / "r.json").read_bytes())
    assert (report.verdict, report.complete, report.results) == ("unreachable", False, [])
    assert "No case was run" in (tmp_path / "r.html").read_text()


def test_refused_key_is_one_message_and_its_own_exit_code(reference_url: str) -> None:
    out = cli("run", "--base-url", reference_url, "--api-key", "sk-not-a-stratus-key")
    assert out.returncode == ExitCode.KEY_REFUSED == 4, out.stdout
    assert out.stdout.count("invalid_api_key") == 1
    assert "b'" not in out.stdout, "bodies are text, never a bytes repr"
    assert "refused the key" in out.stdout


def test_usage_errors_exit_2() -> None:
    assert cli("run", "-k", "stream and (").returncode == ExitCode.USAGE == 2
    bad_case = cli("run", "--case", "openai.chat.no-such-case")
    assert bad_case.returncode == 2
    assert "matches no case" in bad_case.stderr
    assert cli("run", "--exclude", "nothing-like-this").returncode == 2
    assert cli("run", "--profile", "auth", "--exclude", "auth").returncode == 2


def test_nothing_judged_is_inconclusive(reference_url: str, tmp_path: Path) -> None:
    """Skipped and unavailable cases never make a pass: a run of only those exits 5 (the Node client
    cases are unavailable where no Node >= 22 is found: none in tmp_path/.cache/node, none on PATH)."""
    no_node = {"PATH": str(Path(sys.executable).parent)}
    out = cli(
        "run",
        "--base-url",
        reference_url,
        "--profile",
        "fuzz",
        "--case",
        "sdk.node",
        env=no_node,
        cwd=tmp_path,
    )
    assert out.returncode == ExitCode.INCONCLUSIVE == 5, out.stdout
    assert "verdict inconclusive" in out.stdout


def test_version() -> None:
    from importlib import metadata

    out = cli("--version")
    assert out.returncode == 0
    assert metadata.version("stratus-conformance") in out.stdout


def test_help_has_the_exit_code_table() -> None:
    text = cli("run", "--help").stdout
    for code in ExitCode:
        assert f"{int(code)}: " in text, code


def test_identical_failures_are_grouped(reference_url: str) -> None:
    out = cli("run", "--base-url", f"{reference_url}/__v/gross-stream-as-json", "--profile", "openai-stream")
    assert out.returncode == 1
    assert "┃ verdict ┃" in out.stdout, "table headers are never cut without a terminal"
    groups = re.findall(r"^(?:FAIL|WARN) x(\d+) the same failure in", out.stdout, re.M)
    assert groups, out.stdout
    assert sum(map(int, groups)) >= 20, out.stdout
    singles = len(re.findall(r"^(?:FAIL|WARN) \[", out.stdout, re.M))
    assert out.stdout.count("expected an event stream") == len(groups) + singles, "each failure printed once"


def _run_then_signal(tmp_path: Path, sig: signal.Signals) -> tuple[int, list[str], str]:
    """Start a full run against a slowed reference server, signal it after the first profile line."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from conformance._cli import main; main()",
            "run",
            "--report-json",
            str(tmp_path / "r.json"),
            "--junit",
            str(tmp_path / "r.xml"),
            "--html",
            str(tmp_path / "r.html"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "STRATUS_STREAM_DELAY_MS": "25"},
    )
    assert proc.stdout is not None
    early = []
    for line in proc.stdout:  # arrives while the run goes on: output is live, not at the end
        early.append(line)
        if line.strip().startswith("openai-chat"):
            break
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=120)
    return proc.returncode, early, rest


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_stops_writes_incomplete_reports_and_exits_non_zero(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    returncode, early, rest = _run_then_signal(tmp_path, sig)
    assert early[0].startswith("stratus-conformance: ")
    assert returncode == code, rest
    m = re.search(rf"interrupted after (\d+) of {TOTAL} cases \({sig.name}\)", rest)
    assert m, rest
    assert "Traceback" not in rest
    report = decode_report((tmp_path / "r.json").read_bytes())
    assert (report.complete, report.interrupted, report.verdict) == (False, sig.name, "incomplete")
    assert report.exit_status == code
    assert report.summary.total == TOTAL
    assert report.summary.not_run == TOTAL - int(m.group(1)) > 0
    assert {p.name for p in report.profiles} >= {"openai-chat", "sdk"}, "profiles not run stay in the table"
    assert any(p.verdict == "incomplete" for p in report.profiles)
    assert (tmp_path / "r.xml").exists()
    assert "Incomplete:" in (tmp_path / "r.html").read_text()
    assert re.search(r"sdk\s*│\s*incomplete", rest), rest


def test_pytest_plugin_is_a_second_door_into_the_engine(tmp_path: Path, reference_url: str) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "conformance.plugin",
            "--pyargs",
            "conformance",
            "-c",
            os.devnull,
            "--rootdir",
            str(ROOT / "conformance"),
            "-q",
            "-p",
            "no:cacheprovider",
            "--stratus-base-url",
            reference_url,
            "--stratus-profile",
            "health",
            "--stratus-case",
            "openai.chat.id",
            "--stratus-report-json",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "3 passed" in out.stdout
    report = decode_report((tmp_path / "r.json").read_bytes())
    assert sorted(r.id for r in report.results) == ["health.ok", "health.request-id", "openai.chat.id"]
    assert report.verdict == "pass"
