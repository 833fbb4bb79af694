"""Every `stratus-conformance` example in the README runs, as written, and does what it says.

The only substitutions: the deployment URL `https://api.stratus.run` becomes a local reference
server and `$STRATUS_API_KEY` a test key. Commands run in order in one directory (the `report`
example reads the JSON the `run` examples wrote)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conformance._report import ExitCode, decode_report
from tests.conformance.test_reports_cli import KEY, ROOT, cli

README = ROOT / "README.md"


def readme_commands() -> list[str]:
    text = README.read_text()
    lines: list[str] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if line.startswith("$ stratus-conformance") and line not in lines:
                lines.append(line)
    return lines


def test_the_readme_has_the_examples() -> None:
    commands = readme_commands()
    assert len(commands) >= 10
    joined = "\n".join(commands)
    for needed in (
        "--profile anthropic-stream --case openai.chat.stream",
        " -k ",
        "--exclude",
        " report ",
        "--version",
        "snapshot --update",
        "snapshot --snapshots snapshots/ --html",
        "--mode shape",
    ):
        assert needed in joined, needed


@pytest.mark.slow
def test_every_readme_example_runs(tmp_path: Path, reference_url: str) -> None:
    for line in readme_commands():
        argv = [
            reference_url if a == "https://api.stratus.run" else KEY if a == "$STRATUS_API_KEY" else a
            for a in shlex.split(line[2:], comments=True)
        ]
        out = cli(*argv[1:], cwd=tmp_path)
        assert out.returncode == 0, f"{line}\n{out.stdout[-3000:]}\n{out.stderr[-2000:]}"
        if "--profile anthropic-stream --case openai.chat.stream" in line:
            assert re.search(r"anthropic-stream\s*│\s*pass", out.stdout), out.stdout
            assert re.search(r"openai-stream\s*│\s*pass", out.stdout), out.stdout
    for name in ("a.json", "b.json", "junit.xml", "report.html", "side-by-side.html", "snapshot-diff.html"):
        assert (tmp_path / name).exists(), name
    assert decode_report((tmp_path / "b.json").read_bytes()).label == "v2"
    assert list((tmp_path / "cassettes").glob("health.*.yaml"))
    assert len(list((tmp_path / "snapshots").glob("*.json"))) >= 144


def test_the_readme_exit_table_is_the_cli_table() -> None:
    rows = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README.read_text(), re.M))
    assert rows == {str(int(c)): c.meaning for c in ExitCode}
