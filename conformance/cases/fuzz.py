"""Schema-driven fuzzing with schemathesis from the bundled spec (``--fuzz N``).

Each mode runs the schemathesis CLI once in a subprocess against the live target: ``positive``
(schema-valid requests: no 5xx, documented status, content type and body, accepted) and ``negative``
(schema-invalid requests: rejected with a documented 4xx, never 5xx). The run is bounded: the spec's
examples, the deterministic coverage phase, N random examples per operation, and a wall-clock limit. ``_fuzz_hooks`` keeps ``X-Stratus-Mock-*``
headers out and, in positive mode, repairs the one cross-field rule JSON Schema cannot express.

Context options: ``fuzz`` (N), and for the self-tests ``fuzz_max_failures`` and ``fuzz_operations``
(a path regex).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from conformance import _spec
from conformance._case import CaseFailed, CaseSkipped, Level, case
from conformance._context import Context, Exchange

__all__ = ["fuzz_spec"]

P = "fuzz"
HOOKS = Path(__file__).resolve().parents[1] / "_fuzz_hooks.py"
_CHECKS = {
    "positive": "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
    "positive_data_acceptance",
    "negative": "not_a_server_error,negative_data_rejection,status_code_conformance",
}
_MOCK_PARAMETERS = ("MockStatus", "MockStreamError", "MockRetryAfter")
# The coverage phase enumerates a case per value class of every property of every union member: on the
# messages operations (the anthropic SDK's whole request surface, GA and beta) that is >10,000 cases
# per mode. They get the examples and the N random (fuzzing) cases; the other operations all three.
_CONFIG = """
[[operations]]
include-path-regex = "^/v1/messages"
phases.coverage.enabled = false
"""


def fuzz_spec() -> dict[str, Any]:
    """The bundled OpenAPI document as fuzzed: the mock-error parameters are never attached to an
    operation (they only live in ``components/parameters``); this strips any that would be. What the
    spec marks ``x-stratus-not-offered`` (D-SURF-2, D-SURF-4: accepted by the schema, refused by every
    deployment) is left out, so "schema-valid" also means "offered"."""
    doc = _without_not_offered(_spec.load_openapi_bundled())
    refs = {f"#/components/parameters/{name}" for name in _MOCK_PARAMETERS}
    for item in (doc.get("paths") or {}).values():
        for op in [item, *(v for v in item.values() if isinstance(v, dict))]:
            if isinstance(op.get("parameters"), list):
                op["parameters"] = [
                    p
                    for p in op["parameters"]
                    if not (isinstance(p, dict) and (p.get("$ref") in refs or _is_mock_header(p)))
                ]
    return doc


_NOT_OFFERED = "x-stratus-not-offered"


def _without_not_offered(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop union members and properties marked ``x-stratus-not-offered`` (directly or by `$ref`)."""
    marked: set[str] = set()
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        for section in ("$defs", "properties"):
            for sub_name, sub in (schema.get(section) or {}).items():
                if isinstance(sub, dict) and _NOT_OFFERED in sub:
                    marked.add(f"#/components/schemas/{name}/{section}/{sub_name}")

    def offered(node: Any) -> bool:
        return not (isinstance(node, dict) and (_NOT_OFFERED in node or node.get("$ref") in marked))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("oneOf", "anyOf"):
                if isinstance(node.get(key), list):
                    node[key] = [m for m in node[key] if offered(m)]
            mapping = (node.get("discriminator") or {}).get("mapping")
            if isinstance(mapping, dict):
                node["discriminator"]["mapping"] = {k: v for k, v in mapping.items() if v not in marked}
            props = node.get("properties")
            if isinstance(props, dict):
                for name in [n for n, sub in props.items() if not offered(sub)]:
                    del props[name]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    return doc


def _is_mock_header(p: dict[str, Any]) -> bool:
    return p.get("in") == "header" and str(p.get("name", "")).lower().startswith("x-stratus-mock-")


def _command(ctx: Context, mode: str, spec: Path, report: Path, n: int) -> list[str]:
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
        str(int(ctx.options.get("fuzz_seed", 1))),
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "filter_too_much",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        "--report",
        "json,har",
        "--report-json-path",
        str(report),
        "--report-har-path",
        str(report.with_suffix(".har")),
        "-H",
        f"Authorization: Bearer {ctx.target.api_key}",
    ]
    if mode == "negative":
        # Its only input is a path segment with minLength 1: the one invalid value (an empty segment)
        # is another URL, so schemathesis cannot generate negative data for it.
        cmd += ["--exclude-operation-id", "retrieveModel"]
    if ctx.options.get("fuzz_max_failures"):
        cmd += ["--max-failures", str(int(ctx.options["fuzz_max_failures"]))]
    if ctx.options.get("fuzz_operations"):
        cmd += ["--include-path-regex", str(ctx.options["fuzz_operations"])]
    return cmd


_HAR_SAMPLE = 4


def _har_sample(path: Path) -> list[Exchange]:
    """The first few requests schemathesis sent (from its HAR report), kept as the case's evidence."""
    try:
        entries = json.loads(path.read_text())["log"]["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    out = []
    for e in entries[:_HAR_SAMPLE]:
        req, resp = e.get("request") or {}, e.get("response") or {}
        content = resp.get("content") or {}
        out.append(
            Exchange(
                method=str(req.get("method", "")),
                url=str(req.get("url", "")),
                request_headers={h["name"]: h["value"] for h in req.get("headers") or []},
                request_body=str((req.get("postData") or {}).get("text", "")).encode() or None,
                status=int(resp.get("status") or 0),
                headers=httpx.Headers([(h["name"], h["value"]) for h in resp.get("headers") or []]),
                body=str(content.get("text") or "").encode(),
                elapsed=float(e.get("time") or 0) / 1000,
            )
        )
    return out


def _section_operations(stdout: str, title: str) -> list[str]:
    """Operation headers (``___ POST /v1/x ___``) inside one ``=== TITLE ===`` section of the output."""
    m = re.search(rf"=+ {title} =+\n(.*?)(?:\n=+ [A-Z]+ =+|\Z)", stdout, re.S)
    return re.findall(r"^_+ ([A-Z]+ \S+) _+$", m.group(1), re.M) if m else []


def _tolerated(mode: str, error: dict[str, Any]) -> bool:
    # In negative mode schemathesis sometimes cannot build invalid data for a schema ("Schema Error:
    # cannot generate ..."): nothing was sent, so there is nothing to judge.
    return mode == "negative" and error.get("title") == "Schema Error"


def _summary(mode: str, report: dict[str, Any], stdout: str) -> str:
    tc = report.get("test_cases") or {}
    ops = report.get("operations") or {}
    out = (
        f"schemathesis --mode {mode}: {tc.get('generated', 0)} test cases on {ops.get('tested', 0)} operations "
        f"in {report.get('running_time', 0):.1f}s"
    )
    for f in report.get("failures") or []:
        out += (
            f"\n  {f.get('code')} {f.get('title')} x{f.get('count')}: {', '.join(f.get('operations') or [])}"
        )
    errors = report.get("errors") or []
    where = ", ".join(_section_operations(stdout, "ERRORS"))
    for e in errors:
        note = " (not counted: no request could be generated)" if _tolerated(mode, e) else ""
        out += f"\n  error {e.get('title')} x{e.get('count')}{note}" + (f": {where}" if where else "")
    return out


def _run(ctx: Context, mode: str) -> None:
    n = int(ctx.options.get("fuzz", 0))
    if n <= 0:
        raise CaseSkipped("fuzzing not requested (use --fuzz N)")
    if ctx.target.replaying:
        raise CaseSkipped("fuzzing needs a live target, not --replay")
    limit = min(600, 60 + 10 * n)
    with tempfile.TemporaryDirectory() as tmp:
        spec, report_path = Path(tmp) / "openapi.json", Path(tmp) / "report.json"
        spec.write_text(json.dumps(fuzz_spec()))
        (Path(tmp) / "schemathesis.toml").write_text(_CONFIG)
        env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS), "STRATUS_FUZZ_MODE": mode}
        try:
            proc = subprocess.run(
                _command(ctx, mode, spec, report_path, n),
                capture_output=True,
                text=True,
                timeout=limit,
                check=False,
                env=env,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"schemathesis --mode {mode} did not finish within {limit}s") from None
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
        for ex in _har_sample(report_path.with_suffix(".har")):
            ctx.record(ex)
    summary = _summary(mode, report, proc.stdout)
    ctx.notes.append(summary)
    if report and not (report.get("test_cases") or {}).get("generated"):
        raise CaseFailed(f"expected schemathesis to send test cases, got none\n{summary}")
    counted = [e for e in report.get("errors") or [] if not _tolerated(mode, e)]
    if not report or report.get("failures") or counted:
        details = re.split(r"=+ FAILURES =+\n", proc.stdout)[-1]
        details = re.split(r"\n=+ SUMMARY =+", details)[0]
        details = "\n".join(details.strip().splitlines()[:60]).replace(ctx.target.api_key, "REDACTED")
        err = proc.stderr.strip().splitlines()[-5:] if not report else []
        raise CaseFailed(f"{summary}\n{details}" + ("\n" + "\n".join(err) if err else ""))


@case(
    "fuzz.positive",
    level=Level.MUST,
    profile=P,
    title="Schema-valid requests: no 5xx, conforming responses",
    sends="schemathesis-generated valid requests for every operation (--fuzz N examples each)",
    needs="--fuzz N and a live target; schemathesis must generate and send test cases",
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
    needs="--fuzz N and a live target; schemathesis must generate and send test cases",
    requirement="Invalid input is rejected with a documented 4xx (never 5xx, never 2xx).",
    sources=("openapi.yaml", "C4", "D-ERR-3", "D-ERR-5"),
)
def _negative(ctx: Context) -> None:
    _run(ctx, "negative")
