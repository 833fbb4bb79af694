"""JUnit XML from a ``Report``: one testsuite per profile, one testcase per case (named by its id).

Counted failures are ``<failure>``; a SHOULD failure without ``--strict`` is a warning and is
written as ``<skipped type="warning">`` plus an ``outcome=warning`` property, so CI reporters stay
green on a green job and still show it; skipped, unavailable and not-run cases are ``<skipped>``.
Every element carries ``time``, and the suites carry ``tests``/``failures``/``errors``/``skipped``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance._report import CaseResult, ExchangeRecord, Report

__all__ = ["junit_xml", "write_junit"]

_EVIDENCE = 4000


def _secs(x: float) -> str:
    return f"{x:.3f}"


def _failure_text(r: CaseResult, exchanges: dict[int, ExchangeRecord]) -> str:
    lines = [
        f"[{r.level}] {r.id}: {r.title}",
        f"Requirement: {r.requirement}",
        f"Needs: {r.needs}",
        f"Sources: {', '.join(r.sources)}",
        "",
        r.message,
        "",
        f"Rerun: {r.rerun}",
    ]
    if r.highlight is not None:
        ex = exchanges[r.highlight.exchange]
        where = "/".join(str(p) for p in r.highlight.path)
        lines += [
            "",
            f"Evidence: {ex.request.method} {ex.request.url} -> HTTP {ex.response.status}"
            + (f" (at {where})" if where else "")
            + (f" (event {r.highlight.event})" if r.highlight.event is not None else ""),
            ex.response.body[:_EVIDENCE],
        ]
    return "\n".join(lines)


def junit_xml(report: Report) -> str:
    s = report.summary
    root = ET.Element(
        "testsuites",
        name=f"stratus-conformance: {report.label}",
        tests=str(s.total),
        failures=str(s.failed),
        errors="0",
        skipped=str(s.total - s.passed - s.failed),
        time=_secs(report.duration_s),
        timestamp=report.started_at.isoformat(),
    )
    exchanges = {e.id: e for e in report.exchanges}
    for p in report.profiles:
        n = p.counts
        suite = ET.SubElement(
            root,
            "testsuite",
            name=p.name,
            tests=str(n.total),
            failures=str(n.failed),
            errors="0",
            skipped=str(n.total - n.passed - n.failed),
            time=_secs(p.duration_s),
            timestamp=report.started_at.isoformat(),
        )
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="verdict", value=p.verdict)
        for r in (x for x in report.results if x.profile == p.name):
            tc = ET.SubElement(
                suite, "testcase", name=r.id, classname=f"conformance.{p.name}", time=_secs(r.duration_s)
            )
            props = ET.SubElement(tc, "properties")
            for name, value in (
                ("level", r.level),
                ("outcome", r.outcome),
                ("sources", ", ".join(r.sources)),
            ):
                ET.SubElement(props, "property", name=name, value=value)
            first = r.message.split("\n", 1)[0][:500]
            if r.outcome == "fail":
                node = ET.SubElement(tc, "failure", message=f"[{r.level}] {first}", type=r.level)
                node.text = _failure_text(r, exchanges)
            elif r.outcome == "warning":
                node = ET.SubElement(
                    tc,
                    "skipped",
                    message=f"warning: SHOULD not met (counted only with --strict): {first}",
                    type="warning",
                )
                node.text = _failure_text(r, exchanges)
            elif r.outcome in ("skipped", "unavailable", "not-run"):
                ET.SubElement(tc, "skipped", message=f"{r.outcome}: {first}", type=r.outcome)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(report: Report, path: Path) -> None:
    path.write_text(junit_xml(report), encoding="utf-8")
