"""The client matrix's own logic, offline and without the client libraries: result lines, failure
attribution, the limitations table, the report, and the orchestrator's handling of runner output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.clients import (
    CheckResult,
    HttpError,
    Target,
    _matrix,
    _report,
    parse_result_line,
    parse_result_lines,
)
from conformance.clients._http_log import HttpLog
from conformance.clients._limitations import LIMITATIONS, Limitation
from conformance.clients._registry import CHECKS, ClientUnavailable, PyCheck, run_check
from conformance.clients._result import CheckFailed, ResultLineError, WireExchange

ROOT = Path(__file__).resolve().parents[2]
RUN_PY = ROOT / "conformance" / "clients" / "run.py"
NODE_CHECKS = ROOT / "conformance" / "clients" / "node" / "checks"
TARGET = Target(base_url="http://127.0.0.1:9", api_key="stratus_sk_test_offline000", timeout_s=5)

OPENAI_400 = json.dumps(
    {
        "error": {
            "message": "Unrecognized request argument supplied: 'response_format'.",
            "type": "invalid_request_error",
        }
    }
)


def _fail(check: str, *, status: int | None = None, body: str = "", reason: str = "boom") -> CheckResult:
    runtime, local = check.split(".", 1)
    errors = (HttpError("POST", "/v1/x", status, body),) if status else ()
    cause = "server-http" if status else "exception"
    return CheckResult(
        check=local, runtime=runtime, status="fail", reason=reason, cause=cause, http_errors=errors
    )


# --- result lines ---------------------------------------------------------------------------------


def test_result_line_round_trip() -> None:
    result = CheckResult(
        check="openai.stream",
        runtime="python",
        status="fail",
        reason="BadRequestError",
        cause="server-http",
        http_errors=(HttpError.make("POST", "/v1/chat/completions", 400, OPENAI_400),),
        duration_s=0.25,
        versions={"openai": "3.63.0"},
    )
    assert parse_result_line(result.to_line()) == result
    assert result.id == "python.openai.stream"
    assert result.client == "openai"


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("not json", "not JSON"),
        ("[1]", "not a JSON object"),
        ('{"check":"a.b","runtime":"node","status":"maybe"}', "status"),
        ('{"check":"a.b","runtime":"node","status":"pass","cause":"answer"}', "cause"),
        ('{"check":"a.b","runtime":"node","status":"fail","cause":null}', "cause"),
        ('{"check":"a.b","runtime":"node","status":"fail","cause":"weather"}', "cause"),
        ('{"check":"a.b","runtime":"node","status":"pass","cause":null,"duration_s":true}', "duration_s"),
        ('{"runtime":"node","status":"pass","cause":null}', "check"),
        (
            '{"check":"a.b","runtime":"node","status":"fail","cause":"server-http","http_errors":[{"status":400}]}',
            "method",
        ),
    ],
)
def test_result_line_rejects(line: str, complaint: str) -> None:
    with pytest.raises(ResultLineError, match=complaint):
        parse_result_line(line)


def test_result_lines_keep_client_noise_apart() -> None:
    good = CheckResult(check="x.y", runtime="node", status="pass").to_line()
    results, noise = parse_result_lines(f"API call failed on attempt 1\n{good}\n\n{{not a result}}\n")
    assert [r.id for r in results] == ["node.x.y"]
    assert noise == ["API call failed on attempt 1", "{not a result}"]


def test_server_failure_is_described_by_status_and_error_message() -> None:
    result = _fail("python.openai.structured.parse", status=400, body=OPENAI_400)
    assert result.describe() == (
        "server answered 400 POST /v1/x: Unrecognized request argument supplied: 'response_format'."
    )
    anthropic = HttpError(
        "POST", "/v1/messages", 400, '{"type":"error","error":{"message":"bad max_tokens"}}'
    )
    assert anthropic.summary() == "400 POST /v1/messages: bad max_tokens"
    assert HttpError("GET", "/", 502, "<html>").summary() == "502 GET /: <html>"


# --- running one Python check ---------------------------------------------------------------------


def _spec(fn: object, expect_status: tuple[int, ...] = ()) -> PyCheck:
    return PyCheck("fake.check", "sdk", (), "a fake", fn, frozenset(expect_status))  # type: ignore[arg-type]


class _FakeLog(HttpLog):
    """An HTTP log without patching: `pending` is what the check "saw" on the wire."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[HttpError] = []

    def install(self) -> None:
        pass

    def take(self) -> list[HttpError]:
        errors, self.pending = self.pending, []
        return errors


def test_run_check_attributes_each_failure() -> None:
    def passes(t: Target) -> str:
        return "fine"

    def wrong_answer(t: Target) -> None:
        raise CheckFailed("parsed is None")

    def missing(t: Target) -> None:
        raise ClientUnavailable("openai is not importable here")

    def crashes(t: Target) -> None:
        raise RuntimeError("client bug")

    def bad_json(t: Target) -> None:
        json.loads("Plan: click")

    async def async_passes(t: Target) -> str:
        return "async fine"

    def outcome(fn: Any, errors: list[HttpError] | None = None, expect: tuple[int, ...] = ()) -> CheckResult:
        log = _FakeLog()

        def on_the_wire(t: Target) -> Any:
            log.pending.extend(errors or [])
            return fn(t)

        return run_check(_spec(on_the_wire, expect), TARGET, log)

    assert (outcome(passes).status, outcome(passes).reason) == ("pass", "fine")
    assert outcome(async_passes).reason == "async fine"
    assert (outcome(wrong_answer).cause, outcome(wrong_answer).reason) == ("answer", "parsed is None")
    assert outcome(bad_json).cause == "answer"
    assert (outcome(missing).status, outcome(missing).cause) == ("unavailable", "unavailable")
    crash = outcome(crashes)
    assert crash.cause == "exception"
    assert "RuntimeError: client bug" in crash.reason
    server = outcome(crashes, [HttpError("POST", "/v1/messages", 400, "{}")])
    assert server.cause == "server-http"
    assert server.http_errors[0].status == 400
    # an error the check provokes on purpose (the wrong key) is not blamed on the server
    assert (
        outcome(crashes, [HttpError("POST", "/v1/messages", 401, "{}")], expect=(401,)).cause == "exception"
    )


def test_run_check_times_out() -> None:
    def hangs(t: Target) -> None:
        time.sleep(5)

    started = time.monotonic()
    result = run_check(_spec(hangs), Target(TARGET.base_url, TARGET.api_key, timeout_s=0.2), _FakeLog())
    assert result.cause == "timeout"
    assert time.monotonic() - started < 3


def test_http_log_records_error_answers_from_httpx() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        status = 400 if request.url.path.endswith("bad") else 200
        return httpx.Response(status, text=OPENAI_400 if status == 400 else "{}")

    log = HttpLog()
    log.install()
    try:
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            client.post("http://stratus.test/v1/ok")
            response = client.post("http://stratus.test/v1/bad")
            assert response.json()["error"]["type"] == "invalid_request_error"  # still readable by the client
    finally:
        log.uninstall()
    assert log.take() == [HttpError("POST", "/v1/bad", 400, OPENAI_400)]
    assert log.take() == []


class _Chunks(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'data: {"n": 1}\n\n'
        yield b"data: [DONE]\n\n"


def test_http_log_captures_every_exchange_streams_included() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Chunks())
        return httpx.Response(401 if request.url.path.endswith("bad") else 200, json={"ok": True})

    log = HttpLog(capture=True)
    log.install()
    try:
        with httpx.Client(transport=httpx.MockTransport(answer)) as client:
            client.post(
                "http://stratus.test/v1/ok", json={"q": 1}, headers={"Authorization": "Bearer sk-secret"}
            )
            with client.stream("POST", "http://stratus.test/v1/stream") as response:
                lines = list(response.iter_lines())
            client.get("http://stratus.test/v1/bad")
    finally:
        log.uninstall()
    assert lines == ['data: {"n": 1}', "", "data: [DONE]", ""]
    ok, stream, bad = log.take_exchanges()
    assert (ok.method, ok.status, ok.request_body, ok.response_body) == (
        "POST",
        200,
        '{"q":1}',
        '{"ok":true}',
    )
    assert ok.request_headers["authorization"] == "REDACTED"
    assert stream.response_body == 'data: {"n": 1}\n\ndata: [DONE]\n\n', "the body as the client read it"
    assert ("content-type", "text/event-stream") in stream.response_headers
    assert bad.status == 401
    assert [e.status for e in log.take()] == [401]
    assert log.take_exchanges() == []


def test_result_lines_carry_exchanges_only_when_asked() -> None:
    exchange = WireExchange.make(
        "GET", "http://x/v1/models", {"x-api-key": "k"}, "", 200, [("a", "b")], "{}", 0.5
    )
    with_evidence = CheckResult(check="a.b", runtime="python", status="pass", exchanges=(exchange,))
    assert parse_result_line(with_evidence.to_line()) == with_evidence
    assert exchange.request_headers == {"x-api-key": "REDACTED"}
    assert "exchanges" not in CheckResult(check="a.b", runtime="python", status="pass").to_json()
    broken = json.loads(with_evidence.to_line())
    broken["exchanges"][0]["response_headers"] = [["a"]]
    with pytest.raises(ResultLineError, match="headers"):
        parse_result_line(json.dumps(broken))


def test_python_runner_serve_mode_answers_each_check_id(tmp_path: Path) -> None:
    """One process for a whole conformance run: a check id per stdin line, a result line per id."""
    pytest.importorskip("openai")
    from reference_server import Settings, create_app
    from tests.server._serve import serve

    key = "stratus_sk_test_matrixselftest01"
    with serve(create_app(Settings(api_keys=(key,)))) as url:
        proc = subprocess.run(
            [sys.executable, str(RUN_PY), "--serve", "--base-url", url, "--exchanges"],
            input="openai.create\n\nno.such.check\n",
            env={**os.environ, "STRATUS_API_KEY": key},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    results, _ = parse_result_lines(proc.stdout)
    assert [(r.check, r.status) for r in results] == [("openai.create", "pass"), ("no.such.check", "fail")]
    [exchange] = results[0].exchanges
    assert exchange.status == 200
    assert '"stratus"' in exchange.response_body
    assert key not in proc.stdout


def test_the_reference_server_is_started_one_way(tmp_path: Path) -> None:
    """`conformance._server.reference_server` serves the matrix too: a key list, and a log file."""
    from conformance._server import reference_server

    key = "stratus_sk_test_onlythisone0001"
    log = tmp_path / "server.log"
    with reference_server(api_keys=(key,), log_path=log) as url:
        accepted = httpx.get(f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"})
        refused = httpx.get(
            f"{url}/v1/models", headers={"Authorization": "Bearer stratus_sk_test_another00000"}
        )
    assert (accepted.status_code, refused.status_code) == (200, 401)
    assert log.exists()
    assert _matrix.reference_server is reference_server


# --- the limitations table and the report ---------------------------------------------------------


def test_limitation_excuses_only_the_failure_it_describes() -> None:
    entry = Limitation(
        check="python.llama_index.complete_default", reason="legacy", status=404, contains="completions"
    )
    assert entry.matches(_fail(entry.check, status=404, body="Unknown request URL: POST /v1/completions."))
    assert not entry.matches(_fail(entry.check, status=500, body="/v1/completions"))
    assert not entry.matches(_fail(entry.check, status=404, body="Unknown model"))
    assert not entry.matches(_fail("python.llama_index.chat", status=404, body="/v1/completions"))


def test_report_outcomes_and_exit_status() -> None:
    listed = LIMITATIONS[0]
    runtime, local = listed.check.split(".", 1)
    excused = _fail(listed.check, status=listed.status, body=f"Unknown request URL: POST {listed.contains}.")
    other_failure = _fail(listed.check, status=500, body="Internal error")
    fixed = CheckResult(check=local, runtime=runtime, status="pass")
    passed = CheckResult(check="openai.create", runtime="python", status="pass")
    server = _fail("python.openai.structured.parse", status=400, body=OPENAI_400)

    def outcomes(*results: CheckResult) -> list[str]:
        return [row.outcome for row in _report.rows_for(list(results))]

    assert outcomes(passed, excused) == ["pass", "limitation"]
    assert _report.exit_status(_report.rows_for([passed, excused])) == 0
    assert outcomes(other_failure) == ["fail"]
    assert outcomes(fixed) == ["fixed"]
    assert _report.exit_status(_report.rows_for([passed, fixed])) == 1
    assert _report.exit_status(_report.rows_for([passed, server])) == 1
    assert _report.exit_status([]) == 1  # a matrix that ran nothing did not pass

    rows = _report.rows_for([passed, excused, server])
    document = json.loads(json.dumps(_report.to_document(rows, timings_s={"total": 1.0})))
    assert document["format"] == _report.REPORT_FORMAT
    assert document["summary"] == {
        "pass": 1,
        "fail": 1,
        "limitation": 1,
        "unavailable": 0,
        "fixed": 0,
        "total": 3,
        "server_caused": 1,
    }
    by_id = {r["id"]: r for r in document["results"]}
    assert by_id[server.id]["server_caused"] is True
    assert by_id[server.id]["http_errors"][0]["status"] == 400
    assert by_id[excused.id]["limitation"] == listed.reason
    table = _report.markdown_table(rows)
    assert "| python.openai.structured.parse | fail | server-http | server answered 400" in table
    assert "1 pass, 1 fail, 1 limitation, 0 unavailable, 0 fixed (1 failures caused by the server)" in table


def test_every_limitation_names_a_real_check_and_is_in_the_readme() -> None:
    import conformance.clients.checks  # noqa: F401  (registers the Python checks)

    node_sources = "\n".join(p.read_text() for p in NODE_CHECKS.glob("*.mjs"))
    readme = (ROOT / "README.md").read_text()
    for entry in LIMITATIONS:
        runtime, local = entry.check.split(".", 1)
        if runtime == "python":
            assert local in CHECKS, entry.check
        else:
            assert runtime == "node", entry.check
            assert f'"{local}"' in node_sources, entry.check
        assert f"`{entry.check}`" in readme, f"README's limitations table lacks {entry.check}"
    assert len({e.check for e in LIMITATIONS}) == len(LIMITATIONS)


# --- the runners, as the orchestrator and a conformance case call them ----------------------------


def test_python_runner_lists_checks_without_importing_clients() -> None:
    """Run by path (as in a client venv), `--list` imports every check module but no client library."""
    probe = "\n".join(
        [
            "import runpy, sys",
            "sys.argv = ['run.py', '--list']",
            "try:",
            f"    runpy.run_path({str(RUN_PY)!r}, run_name='__main__')",
            "except SystemExit:",
            "    pass",
            "clients = ('openai', 'anthropic', 'langchain_core', 'pydantic', 'instructor', 'litellm', 'llama_index')",
            "print('IMPORTED', sorted(m for m in clients if m in sys.modules))",
        ]
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    ids = {line["check"] for line in lines}
    assert {
        "openai.stream",
        "anthropic.tool_runner",
        "instructor.md_json",
        "llama_index.complete_default",
    } <= ids
    assert {line["venv"] for line in lines} == {"sdk", "instructor", "litellm", "llama_index"}
    assert "IMPORTED []" in out


def test_python_runner_usage_errors() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(RUN_PY), *args], capture_output=True, text=True, check=False
        )

    assert run("--check", "no.such.check", "--base-url", "http://x", "--api-key", "k").returncode == 2
    missing_key = run("--check", "openai.create", "--base-url", "http://x")
    assert missing_key.returncode == 2
    assert "API key" in missing_key.stderr


FAKE_RUNNER = """
import json, sys
if "--list" in sys.argv:
    for c in ("a.one", "a.two", "a.three"):
        print(json.dumps({"check": c, "venv": "fake"}))
    sys.exit(0)
print("a client printed this")
picked = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--check"]
for c in picked:
    if c == "a.three":
        sys.stderr.write("Segmentation fault\\n")
        sys.exit(139)
    status, cause = ("pass", None) if c == "a.one" else ("fail", "answer")
    print(json.dumps({"check": c, "runtime": "python", "status": status, "cause": cause}))
"""


def test_orchestrator_reports_checks_a_runner_never_finished(tmp_path: Path) -> None:
    script = tmp_path / "runner.py"
    script.write_text(FAKE_RUNNER)
    results = _matrix.run_runner("python", "fake", [sys.executable, str(script)], TARGET, None, timeout=60)
    assert [(r.check, r.status) for r in results] == [
        ("a.one", "pass"),
        ("a.two", "fail"),
        ("a.three", "fail"),
    ]
    assert "Segmentation fault" in results[2].reason
    only = _matrix.run_runner(
        "python", "fake", [sys.executable, str(script)], TARGET, ["python.a.one"], timeout=60
    )
    assert [r.check for r in only] == ["a.one"]
    # the listing belongs to venv "fake": a runner asked for another venv's checks runs none
    assert (
        _matrix.run_runner("python", "other", [sys.executable, str(script)], TARGET, None, timeout=60) == []
    )


def test_orchestrator_turns_unreadable_output_into_a_failure(tmp_path: Path) -> None:
    script = tmp_path / "runner.py"
    script.write_text(
        "import sys\n"
        'if \'--list\' in sys.argv: print(\'{"check": "a.one", "venv": "fake"}\'); sys.exit(0)\n'
        'print(\'{"check": "a.one", "status": "great"}\')\n'
    )
    [result] = _matrix.run_runner("python", "fake", [sys.executable, str(script)], TARGET, None, timeout=60)
    assert result.status == "unavailable"
    assert "unreadable runner output" in result.reason


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_runner_lists_its_checks_without_its_packages() -> None:
    """`--list` loads every check module but none of the npm packages (they are imported per check)."""
    node_runner = ROOT / "conformance" / "clients" / "node" / "run.mjs"
    listing = subprocess.run(
        [str(shutil.which("node")), str(node_runner), "--list"], capture_output=True, text=True, check=True
    )
    ids = {json.loads(line)["check"] for line in listing.stdout.splitlines()}
    assert {
        "openai.stream",
        "anthropic.tool_runner",
        "ai_sdk.anthropic.tools",
        "langchain_openai.auth",
    } <= ids
    usage = subprocess.run(
        [str(shutil.which("node")), str(node_runner), "--check", "no.such.check", "--base-url", "http://x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert usage.returncode == 2
    assert "unknown check id" in usage.stderr


def test_public_surface_for_conformance_cases() -> None:
    from conformance import clients

    ids = clients.python_check_ids()
    assert "openai.stream" in ids
    assert len(ids) == len(set(ids))
    with pytest.raises(KeyError):
        clients.run_python_check("no.such.check", TARGET)


def test_python_checks_against_the_reference_server_in_process() -> None:
    """End to end through the in-process path a conformance case will use (openai is in [dev])."""
    pytest.importorskip("openai")
    from conformance import clients
    from reference_server import Settings, create_app
    from tests.server._serve import serve

    key = "stratus_sk_test_matrixselftest01"
    with serve(create_app(Settings(api_keys=(key,)))) as url:
        target = Target(base_url=url, api_key=key, timeout_s=30)
        results = {
            i: clients.run_python_check(i, target) for i in ("openai.create", "openai.auth", "openai.stratus")
        }
    assert {i: r.status for i, r in results.items()} == dict.fromkeys(results, "pass"), results
    assert results["openai.auth"].reason == "401 AuthenticationError"
