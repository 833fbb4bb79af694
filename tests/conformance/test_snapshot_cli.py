"""`stratus-conformance snapshot` end to end: the project's snapshots against a started reference
server, a planted change detected and named (terminal and page), new and unused snapshots, a
timeout as an error, bad corpus and rules files, keys never stored, exit codes, interrupts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance._corpus import CORPUS_KEY
from conformance._report import ExitCode
from conformance._server import free_port, serve_asgi
from conformance._snapshot import SnapshotOptions, SnapshotReport, run_snapshots
from reference_server import create_app
from tests.conformance.snapshot_targets import echo_keys, slow
from tests.conformance.test_reports_cli import ROOT, cli

PROJECT_SNAPSHOTS = ROOT / "tests" / "snapshots" / "__snapshots__" / "test_corpus"
CORPUS = ROOT / "fixtures" / "requests"


def snap(base_url: str, snapshots: Path, **kw: object) -> SnapshotReport:
    return run_snapshots(SnapshotOptions(base_url=base_url, snapshots=snapshots, **kw))  # type: ignore[arg-type]


def request_file(directory: Path, name: str, **fields: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(fields, indent=1))
    return path


def chat(content: str = "Find hotels in NYC", **extra: object) -> dict[str, object]:
    return {
        "model": "stratus-x1ac-small-gpt-4o",
        "messages": [{"role": "user", "content": content}],
        **extra,
    }


@pytest.mark.slow
def test_the_project_snapshots_hold_against_a_started_reference_server(tmp_path: Path) -> None:
    """The CI job: the files pytest writes are the ones the CLI checks, over HTTP, unchanged."""
    out = cli("snapshot", "--snapshots", str(PROJECT_SNAPSHOTS), "--html", str(tmp_path / "page.html"))
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    total = len(list(CORPUS.glob("*.json")))
    assert f"{total} snapshots (exact)" in out.stdout
    assert f"{total} unchanged, 0 changed, 0 new, 0 error" in out.stdout
    assert "Traceback" not in out.stderr
    assert "0 changed" in out.stdout
    assert "PASS" in (tmp_path / "page.html").read_text()


def test_a_planted_change_is_detected_and_named(reference_url: str, tmp_path: Path) -> None:
    snapshots = tmp_path / "snaps"
    assert (
        snap(reference_url, snapshots, update=True, only=("chat-plain", "chat-n3", "messages-plain")).verdict
        == "pass"
    )
    page, report = tmp_path / "diff.html", tmp_path / "report.json"
    args = [
        "snapshot",
        "--base-url",
        f"{reference_url}/__v/finish-reason-done",
        "--snapshots",
        str(snapshots),
    ]
    args += ["--only", "chat-plain", "--only", "chat-n3", "--only", "messages-plain"]
    out = cli(*args, "--html", str(page), "--report-json", str(report))
    assert out.returncode == ExitCode.FAILED == 1, out.stdout + out.stderr
    assert 'body.choices.0.finish_reason: "stop" → "done"' in out.stdout
    assert '-        "finish_reason": "stop",' in out.stdout
    assert '+        "finish_reason": "done",' in out.stdout
    assert "1 unchanged, 3 changed, 0 new, 0 error" in out.stdout
    assert "if these answers are intended:" in out.stdout
    assert "--update" in out.stdout
    html = page.read_text()
    assert "body.choices.0.finish_reason" in html
    assert "o-changed" in html
    assert "<title>FAIL · Stratus snapshots" in html
    data = json.loads(report.read_text())
    assert data["counts"]["changed"] == 3
    assert data["exit_status"] == 1
    accepted = cli(*args, "--update")
    assert accepted.returncode == 0, accepted.stdout
    assert "3 updated" in accepted.stdout
    assert cli(*args).returncode == 0, "the accepted answers are the new snapshots"


def test_new_snapshots_fail_unless_update_and_unused_ones_are_reported(
    reference_url: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("chat-plain", "health", "models-list"):
        shutil.copy(CORPUS / f"{name}.json", corpus / f"{name}.json")
    snapshots = tmp_path / "snaps"
    first = snap(reference_url, snapshots, corpus=corpus, update=True)
    assert (first.counts.written, first.verdict) == (3, "pass")
    (snapshots / "health.json").unlink()
    (snapshots / "gone.json").write_text("{}\n")
    report = snap(reference_url, snapshots, corpus=corpus)
    assert {r.id: r.status for r in report.results} == {
        "chat-plain": "unchanged",
        "health": "new",
        "models-list": "unchanged",
    }
    assert report.unused == [str(snapshots / "gone.json")]
    assert (report.verdict, int(report.exit_status)) == ("fail", 1)
    updated = snap(reference_url, snapshots, corpus=corpus, update=True)
    assert (updated.counts.written, updated.removed, updated.verdict) == (
        1,
        [str(snapshots / "gone.json")],
        "pass",
    )
    assert sorted(p.name for p in snapshots.iterdir()) == [
        "chat-plain.json",
        "health.json",
        "models-list.json",
    ]
    only_unused = snap(reference_url, snapshots, corpus=corpus)
    assert only_unused.verdict == "pass"
    (snapshots / "gone.json").write_text("{}\n")
    assert snap(reference_url, snapshots, corpus=corpus).verdict == "pass", (
        "unused snapshots are reported, not failed"
    )


@pytest.fixture(scope="module")
def slow_url() -> Iterator[str]:
    with serve_asgi(slow(3.0)(create_app())) as base:
        yield base


def test_a_request_that_times_out_is_an_error_not_a_change(slow_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    auth = {"Authorization": f"Bearer {CORPUS_KEY}", "Content-Type": "application/json"}
    request_file(  # its own time limit wins over the run's --timeout
        corpus, "quick", method="POST", path="/v1/chat/completions", headers=auth, body=chat(), timeout_s=60
    )
    request_file(
        corpus,
        "slow",
        method="POST",
        path="/v1/chat/completions",
        headers={**auth, "X-Test-Slow": "1"},
        body=chat(),
    )
    snapshots = tmp_path / "snaps"
    assert snap(slow_url, snapshots, corpus=corpus, update=True, timeout_s=20).counts.written == 2
    stored = (snapshots / "slow.json").read_text()
    report = snap(slow_url, snapshots, corpus=corpus, timeout_s=1)
    by_id = {r.id: r for r in report.results}
    assert by_id["quick"].status == "unchanged"
    assert by_id["slow"].status == "error"
    assert "timed out" in by_id["slow"].message
    assert "1 s" in by_id["slow"].message
    assert (report.verdict, report.counts.changed, report.counts.error) == ("fail", 0, 1)
    updated = snap(slow_url, snapshots, corpus=corpus, timeout_s=1, update=True)
    assert updated.verdict == "fail", "--update cannot take a snapshot it did not get"
    assert (snapshots / "slow.json").read_text() == stored, "an error never overwrites the stored answer"


def test_bad_corpus_and_rules_files_are_named_with_the_usage_exit_code(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.json").write_text('{"method": "GET", "path": "/health",')
    request_file(corpus, "wrong", method="FETCH", path="/health", extra=1)
    request_file(corpus, "named", id="other-name", method="GET", path="/health")
    request_file(corpus, "relative", method="GET", path="health")
    request_file(corpus, "fine", method="GET", path="/health")
    out = cli("snapshot", "--corpus", str(corpus), "--snapshots", str(tmp_path / "s"))
    assert out.returncode == ExitCode.USAGE == 2, out.stdout + out.stderr
    err = out.stderr
    assert "Traceback" not in err + out.stdout
    assert f"{corpus / 'broken.json'}: not valid JSON: Expecting" in err
    assert f"{corpus / 'wrong.json'}: method: 'FETCH' is not one of" in err
    assert "Additional properties are not allowed ('extra' was unexpected)" in err
    assert f"{corpus / 'named.json'}: id 'other-name' is not the file name 'named'" in err
    assert f"{corpus / 'relative.json'}: path: 'health' does not match '^/'" in err
    assert "fine.json" not in err
    assert cli("snapshot", "--corpus", str(tmp_path / "missing")).returncode == 2
    assert cli("snapshot", "--only", "no-such-request").returncode == 2
    rules = tmp_path / "rules.toml"
    rules.write_text("[[volatile]]\npath = 'body\\.(x'\nvalue = '.*'\nplaceholder = '<x>'\n")
    bad_regex = cli("snapshot", "--rules", str(rules))
    assert bad_regex.returncode == 2
    assert f"{rules}: volatile row 1: invalid regular expression" in bad_regex.stderr
    rules.write_text("[[volatile]]\npath = 'x'\nvalue = 'y'\nplaceholder = '<x>'\ncolour = 'red'\n")
    unknown = cli("snapshot", "--rules", str(rules))
    assert unknown.returncode == 2
    assert "colour" in unknown.stderr
    assert str(rules) in unknown.stderr
    corpus_env = tmp_path / "env-corpus"
    request_file(
        corpus_env,
        "env",
        method="GET",
        path="/v1/models",
        headers={"Authorization": "Bearer ${NO_SUCH_VAR_14}"},
    )
    missing = cli("snapshot", "--corpus", str(corpus_env))
    assert missing.returncode == 2
    assert (
        "env.json: headers name ${NO_SUCH_VAR_14}, an environment variable that is not set" in missing.stderr
    )


def test_a_rules_file_extends_the_volatile_table(reference_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(
        "[headers]\nignore = ['x-request-id']\n\n"
        "[[volatile]]\npath = 'body\\.choices\\.\\d+\\.message\\.content'\nvalue = '(?s).+'\n"
        "placeholder = '<answer-text>'\nwhy = 'an LLM writes it'\n"
    )
    snapshots = tmp_path / "snaps"
    snap(reference_url, snapshots, update=True, only=("chat-plain",), rules=(rules,))
    stored = json.loads((snapshots / "chat-plain.json").read_text())
    assert stored["body"]["choices"][0]["message"]["content"] == "<answer-text>"
    assert "x-request-id" not in stored["headers"]
    assert stored["headers"]["request-id"] == "<request-id>"
    assert stored["body"]["id"] == "<chatcmpl-id>", "the default rows still apply"


PLANTED = ("stratus_sk_test_PLANTEDsecret0001", "sk-proj-PLANTEDheaderKey0002", "sk-proj-PLANTEDbodyKey0003")


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with serve_asgi(echo_keys(create_app())) as base:
        yield base


def test_keys_never_reach_snapshot_files(echo_url: str, tmp_path: Path) -> None:
    """Planted keys in headers and body, sent to a server that echoes them back in every answer."""
    corpus = tmp_path / "corpus"
    headers = {
        "Authorization": f"Bearer {PLANTED[0]}",
        "X-OpenAI-Key": PLANTED[1],
        "Content-Type": "application/json",
    }
    body = chat(f"my key is {PLANTED[1]}", openai_key=PLANTED[2])
    request_file(corpus, "planted", method="POST", path="/v1/chat/completions", headers=headers, body=body)
    request_file(
        corpus,
        "replaced",
        method="POST",
        path="/v1/chat/completions",
        headers={"x-api-key": CORPUS_KEY, "Content-Type": "application/json"},
        body=chat(),
    )
    request_file(
        corpus,
        "from-env",
        method="POST",
        path="/v1/chat/completions",
        headers={"Authorization": "Bearer ${PLANTED_KEY_14}", "Content-Type": "application/json"},
        body=chat(stream=True),
    )
    snapshots, page, data = tmp_path / "snaps", tmp_path / "page.html", tmp_path / "report.json"
    key_from_env = "stratus_sk_live_PLANTEDenvKey0004"
    out = cli(
        "snapshot",
        "--base-url",
        echo_url,
        "--corpus",
        str(corpus),
        "--snapshots",
        str(snapshots),
        "--update",
        "--api-key",
        "stratus_sk_test_PLANTEDoption0005",
        "--html",
        str(page),
        "--report-json",
        str(data),
        env={"PLANTED_KEY_14": key_from_env},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    stored = {p.name: p.read_text() for p in snapshots.iterdir()}
    assert set(stored) == {"planted.json", "replaced.json", "from-env.json"}
    echoed = json.loads(stored["planted.json"])["body"]["echo"]
    assert "REDACTED" in echoed["headers"]["authorization"]
    assert "REDACTED" in echoed["body"]["openai_key"], "the answer did echo the key: it was scrubbed"
    request = json.loads(stored["planted.json"])["request"]
    assert request["headers"]["Authorization"] == "REDACTED"
    assert request["body"]["openai_key"] == "REDACTED"
    everything = "\n".join([*stored.values(), page.read_text(), data.read_text(), out.stdout, out.stderr])
    for secret in (*PLANTED, key_from_env, "stratus_sk_test_PLANTEDoption0005", "PLANTED"):
        assert secret not in everything, secret


def test_unreachable_and_refused_targets_have_their_exit_codes(reference_url: str, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    down = cli(
        "snapshot", "--base-url", url, "--snapshots", str(tmp_path), "--html", str(tmp_path / "p.html")
    )
    assert down.returncode == ExitCode.UNREACHABLE == 3
    assert "cannot reach" in down.stdout
    assert "no request was sent" in down.stdout
    assert "No request was sent" in (tmp_path / "p.html").read_text()
    refused = cli("snapshot", "--base-url", reference_url, "--api-key", "sk-not-a-stratus-key")
    assert refused.returncode == ExitCode.KEY_REFUSED == 4
    assert "refused the key" in refused.stdout


def test_sigterm_stops_the_run_and_still_writes_the_page(slow_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    auth = {"Authorization": f"Bearer {CORPUS_KEY}", "X-Test-Slow": "1"}
    for i in range(6):
        request_file(corpus, f"slow-{i}", method="GET", path="/v1/models", headers=auth)
    page = tmp_path / "page.html"
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from conformance._cli import main; main()",
            "snapshot",
            "--base-url",
            slow_url,
            "--corpus",
            str(corpus),
            "--snapshots",
            str(tmp_path / "s"),
            "--jobs",
            "1",
            "--html",
            str(page),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while proc.stdout is not None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("preflight"):
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == ExitCode.TERMINATED == 143, stdout + stderr
    assert "interrupted after" in stdout
    assert "Traceback" not in stderr
    assert "Incomplete" in page.read_text()
