"""JSON, JUnit XML and HTML reports (the HTML one compares several JSON reports side by side)."""

from __future__ import annotations

import datetime as dt
import html
import json
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from conformance._engine import Result
from conformance._redact import redact_url
from conformance._session import RunOptions, exit_status, profile_verdicts

__all__ = ["REPORT_SCHEMA", "build_report", "write_html", "write_junit"]

REPORT_SCHEMA = Path(__file__).with_name("report.schema.json")


def _version() -> str:
    try:
        return metadata.version("stratus-conformance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def build_report(
    results: list[Result], options: RunOptions, *, base_url: str, started: dt.datetime, duration: float
) -> dict[str, Any]:
    verdicts = profile_verdicts(results, options.strict)
    by_profile: dict[str, Counter[str]] = {}
    for r in results:
        by_profile.setdefault(r.case.profile, Counter())[str(r.verdict)] += 1
    totals = Counter(str(r.verdict) for r in results)
    mode = "replay" if options.replay else "record" if options.record else "live"
    return {
        "schema_version": 1,
        "tool": {"name": "stratus-conformance", "version": _version()},
        "target": {
            "base_url": redact_url(base_url),
            "model": options.model,
            "reference_server": options.base_url is None and options.replay is None,
            "mode": mode,
        },
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(duration, 3),
        "strict": options.strict,
        "exit_status": exit_status(results, options.strict),
        "summary": {
            "total": len(results),
            **{v: totals[v] for v in ("pass", "fail", "skipped", "unavailable")},
            "must_failed": sum(
                1 for r in results if str(r.verdict) == "fail" and str(r.case.level) == "MUST"
            ),
            "should_failed": sum(
                1 for r in results if str(r.verdict) == "fail" and str(r.case.level) == "SHOULD"
            ),
        },
        "profiles": {
            p: {"verdict": verdicts[p], **{v: c[v] for v in ("pass", "fail", "skipped", "unavailable")}}
            for p, c in sorted(by_profile.items())
        },
        "results": [r.to_json() for r in results],
    }


def write_junit(report: dict[str, Any], path: Path) -> None:
    suites = ET.Element(
        "testsuites",
        name="stratus-conformance",
        tests=str(report["summary"]["total"]),
        failures=str(report["summary"]["fail"]),
        time=str(report["duration_s"]),
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in report["results"]:
        groups.setdefault(r["profile"], []).append(r)
    for profile, rows in groups.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=profile,
            tests=str(len(rows)),
            failures=str(sum(r["verdict"] == "fail" for r in rows)),
            skipped=str(sum(r["verdict"] in ("skipped", "unavailable") for r in rows)),
        )
        for r in rows:
            tc = ET.SubElement(
                suite, "testcase", name=r["id"], classname=f"conformance.{profile}", time=str(r["duration_s"])
            )
            ET.SubElement(ET.SubElement(tc, "properties"), "property", name="level", value=r["level"])
            if r["verdict"] == "fail":
                node = ET.SubElement(
                    tc, "failure", message=f"[{r['level']}] {r['message'][:500]}", type=r["level"]
                )
                node.text = _failure_text(r)
            elif r["verdict"] in ("skipped", "unavailable"):
                ET.SubElement(tc, "skipped", message=f"{r['verdict']}: {r['message']}")
    ET.indent(suites)
    path.write_text(ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")


def _failure_text(r: dict[str, Any]) -> str:
    ev = json.dumps(r["evidence"], indent=1)[:6000]
    return (
        f"Requirement: {r['requirement']}\nSources: {', '.join(r['sources'])}\n{r['message']}\n"
        f"Rerun: {r['rerun']}\nEvidence:\n{ev}"
    )


_CSS = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left}th{background:#f3f3f3}
.pass{background:#d9f2d9}.fail{background:#f8d0d0}.skipped,.not{background:#eee}.unavailable{background:#fff1c2}
details{margin:.4em 0}pre{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:.5em;max-height:30em;overflow:auto}
code{background:#f4f4f4;padding:0 3px}
"""


def _cls(v: str) -> str:
    return html.escape(v.split()[0])


def write_html(reports: list[dict[str, Any]], path: Path, names: list[str] | None = None) -> None:
    """A self-contained page: per-profile verdicts, a case-by-report matrix, and failure details."""
    names = names or [f"{r['target']['base_url']} ({r['started_at']})" for r in reports]
    e = html.escape
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Stratus conformance report</title>",
        f"<style>{_CSS}</style></head><body><h1>Stratus X1 conformance</h1>",
    ]
    out.append(
        "<h2>Runs</h2><table><tr><th>#</th><th>target</th><th>mode</th><th>strict</th><th>pass</th>"
        "<th>fail (MUST/SHOULD)</th><th>skipped</th><th>unavailable</th><th>exit</th></tr>"
    )
    for i, (n, r) in enumerate(zip(names, reports, strict=True)):
        s = r["summary"]
        out.append(
            f"<tr><td>{i + 1}</td><td>{e(n)}</td><td>{e(r['target']['mode'])}</td><td>{r['strict']}</td>"
            f"<td>{s['pass']}</td><td>{s['fail']} ({s['must_failed']}/{s['should_failed']})</td>"
            f"<td>{s['skipped']}</td><td>{s['unavailable']}</td><td>{r['exit_status']}</td></tr>"
        )
    out.append(
        "</table><h2>Profiles</h2><table><tr><th>profile</th>"
        + "".join(f"<th>#{i + 1}</th>" for i in range(len(reports)))
        + "</tr>"
    )
    profiles = sorted({p for r in reports for p in r["profiles"]})
    for p in profiles:
        cells = []
        for r in reports:
            v = r["profiles"].get(p, {"verdict": "not run"})
            note = f" ({v['fail']} failed, not counted)" if v["verdict"] == "pass" and v.get("fail") else ""
            cells.append(f"<td class='{_cls(v['verdict'])}'>{e(v['verdict'] + note)}</td>")
        out.append(f"<tr><td>{e(p)}</td>{''.join(cells)}</tr>")
    out.append(
        "</table><h2>Cases</h2><table><tr><th>case</th><th>level</th>"
        + "".join(f"<th>#{i + 1}</th>" for i in range(len(reports)))
        + "</tr>"
    )
    index = [{x["id"]: x for x in r["results"]} for r in reports]
    ids = sorted({i for idx in index for i in idx})
    for cid in ids:
        any_row = next(idx[cid] for idx in index if cid in idx)
        cells = []
        for i, idx in enumerate(index):
            v = idx.get(cid, {}).get("verdict", "not run")
            cells.append(
                f"<td class='{_cls(v)}'><a href='#r{i + 1}-{e(cid)}'>{e(v)}</a></td>"
                if v == "fail"
                else f"<td class='{_cls(v)}'>{e(v)}</td>"
            )
        out.append(f"<tr><td><code>{e(cid)}</code></td><td>{e(any_row['level'])}</td>{''.join(cells)}</tr>")
    out.append("</table><h2>Failures</h2>")
    for i, idx in enumerate(index):
        for cid, x in idx.items():
            if x["verdict"] != "fail":
                continue
            out.append(
                f"<details id='r{i + 1}-{e(cid)}' open><summary><b>#{i + 1} [{e(x['level'])}] {e(cid)}</b> — "
                f"{e(x['title'])}</summary><p><b>Requirement:</b> {e(x['requirement'])}<br>"
                f"<b>Sources:</b> {e(', '.join(x['sources']))}<br><b>Sends:</b> {e(x['sends'])}</p>"
                f"<pre>{e(x['message'])}</pre><p><b>Rerun:</b> <code>{e(x['rerun'])}</code></p>"
                f"<details><summary>evidence (keys redacted)</summary><pre>"
                f"{e(json.dumps(x['evidence'], indent=1))}</pre></details></details>"
            )
    out.append("</body></html>")
    path.write_text("\n".join(out))
