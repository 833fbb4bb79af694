"""Schema-driven fuzzing with schemathesis from the bundled spec (``--fuzz N``)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from conformance import _spec
from conformance._case import CaseFailed, CaseSkipped, Level, case
from conformance._context import Context

__all__: list[str] = []

P = "fuzz"
_CHECKS = {
    "positive": "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "positive_data_acceptance",
    "negative": "not_a_server_error,negative_data_rejection,status_code_conformance",
}


def _run(ctx: Context, mode: str) -> None:
    n = int(ctx.options.get("fuzz", 0))
    if n <= 0:
        raise CaseSkipped("fuzzing not requested (use --fuzz N)")
    if ctx.target.replaying:
        raise CaseSkipped("fuzzing needs a live target, not --replay")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "openapi.json"
        spec.write_text(json.dumps(_spec.load_openapi_bundled()))
        cmd = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(spec),
            "--url",
            ctx.target.base_url,
            "--max-examples",
            str(n),
            "--mode",
            mode,
            "--checks",
            _CHECKS[mode],
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--no-color",
            "-H",
            f"Authorization: Bearer {ctx.target.api_key}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    ctx.notes.append(proc.stdout[-4000:])
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-25:]).replace(ctx.target.api_key, "REDACTED")
        raise CaseFailed(f"schemathesis --mode {mode} found problems (exit {proc.returncode}):\n{tail}")


@case(
    "fuzz.positive",
    level=Level.MUST,
    profile=P,
    title="Schema-valid requests: no 5xx, conforming responses",
    sends="schemathesis-generated valid requests for every operation (--fuzz N examples each)",
    requirement="No 5xx; every response conforms to its documented status, content type and schema; valid "
    "input accepted.",
    sources=("openapi.yaml", "C1", "D-ERR-2"),
)
def _positive(ctx: Context) -> None:
    _run(ctx, "positive")


@case(
    "fuzz.negative",
    level=Level.MUST,
    profile=P,
    title="Schema-invalid requests are rejected",
    sends="schemathesis-generated invalid requests for every operation",
    requirement="Invalid input is rejected with a documented 4xx (never 5xx, never 2xx).",
    sources=("openapi.yaml", "C4", "D-ERR-3", "D-ERR-5"),
)
def _negative(ctx: Context) -> None:
    _run(ctx, "negative")
