"""`stratus-reference` as a user meets it (issue 13's server items): `--version`, one-line key-file
errors with the usage exit code, and a quiet stop on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reference_server import __version__
from tests.server._serve import free_port

# servers in subprocesses (two workers, signals): never beside another timed test (xdist)
pytestmark = pytest.mark.xdist_group("timing")

CLI = [sys.executable, "-m", "reference_server._cli"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_version() -> None:
    for flag in ("--version", "-V"):
        done = _run(flag)
        assert done.returncode == 0
        assert done.stdout.strip() == f"stratus-reference, version {__version__}"


def test_help_lists_the_new_flags() -> None:
    done = _run("serve", "--help")
    assert done.returncode == 0
    for flag in ("--store", "--keys-file", "--workers", "--executor"):
        assert flag in done.stdout


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot read the key file"),
        ("{not json", "is not valid JSON"),
        ('{"keys":[{"key":"short"}]}', '"short" is not a Stratus key'),
        ('{"keys":[{"key":"stratus_sk_test_abcdefgh","credit":5}]}', "unknown field `credit`"),
        ('{"keys":[{"key":"stratus_sk_test_abcdefgh","credits":-1}]}', "credits must be a number >= 0"),
        ('{"keys":[{"key":"stratus_sk_test_abcdefgh"},{"key":"stratus_sk_test_abcdefgh"}]}', "twice"),
        ('{"keys":[{"key":"stratus_sk_test_abcdefgh","rate_limit_per_minute":0}]}', "rate_limit_per_minute"),
    ],
)
def test_a_bad_key_file_is_one_line_and_exit_2(tmp_path: Path, content: str | None, says: str) -> None:
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    done = _run("serve", "--port", str(free_port()), "--keys-file", str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("stratus-reference: error: ")
    assert says in lines[0]
    assert str(path) in lines[0]
    assert "Traceback" not in done.stderr


def test_a_bad_key_in_the_environment_is_one_line_too(tmp_path: Path) -> None:
    done = _run("serve", "--port", str(free_port()), env={"STRATUS_API_KEYS": "sk-not-ours"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "STRATUS_API_KEYS" in done.stderr


def test_workers_with_limits_need_a_shared_store(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{"key": "stratus_sk_test_abcdefgh", "rate_limit_per_minute": 10}]}))
    done = _run("serve", "--port", str(free_port()), "--workers", "2", "--keys-file", str(path))
    assert done.returncode == 2
    assert "needs a shared store" in done.stderr
    assert "--store redis://" in done.stderr


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise AssertionError(f"server did not start: {proc.communicate()[1][-2000:]}")
        time.sleep(0.1)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_quietly(workers: str) -> None:
    proc, _ = _start("--workers", workers)
    try:
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
