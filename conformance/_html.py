"""HTML reports through jinja2 templates (autoescaped): one run, or several side by side.

``templates/base.html`` holds the page frame and the style; ``_macros.html`` the pieces (verdict
badge, outcome bar, case card, evidence); ``run.html`` and ``compare.html`` the two pages. A later
page (``snapshot``) extends ``base.html`` and imports ``_macros.html`` the same way. Evidence is
prepared here: JSON bodies are pretty-printed with the failure's JSON path highlighted, event
streams are split into events with the offending event highlighted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from conformance._compare import Comparison
from conformance._console import failure_groups
from conformance._expect import is_event_stream, is_json_type
from conformance._report import CaseResult, ExchangeRecord, ExitCode, Highlight, Report
from conformance._requirements import describe_source

__all__ = ["Line", "environment", "evidence_lines", "render_comparison", "render_run", "write_html"]

_MAX_LINES = 400


@dataclass(frozen=True)
class Line:
    text: str
    hit: bool = False
    detail: bool = False
    """A pretty-printed view of the highlighted stream event, shown under its raw line."""


def _run_exit_meaning(code: int) -> str:
    """What the exit status means for `run` (the meanings of `report` and `snapshot` left out)."""
    return ExitCode(code).meaning.split("; `")[0]


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment (autoescaping on for every template)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(describe_source=describe_source, exit_meaning=_run_exit_meaning, zip=zip)
    env.filters["pct"] = lambda part, whole: f"{100 * part / whole:.2f}" if whole else "0"
    env.filters["secs"] = lambda s: f"{s:.2f}s" if s < 10 else f"{s:.1f}s"
    return env


# -- evidence ------------------------------------------------------------------------------------------
def _pretty(
    value: Any, path: Sequence[str | int], indent: int, here: tuple[str | int, ...], key: str
) -> list[Line]:
    pad = "  " * indent
    hit = len(here) >= len(path) > 0 and tuple(here[: len(path)]) == tuple(path)
    if isinstance(value, dict) and value:
        out = [Line(f"{pad}{key}{{", hit)]
        items = list(value.items())
        for i, (k, v) in enumerate(items):
            sub = _pretty(v, path, indent + 1, (*here, k), json.dumps(k) + ": ")
            if i < len(items) - 1:
                sub[-1] = Line(sub[-1].text + ",", sub[-1].hit)
            out += sub
        return [*out, Line(f"{pad}}}", hit)]
    if isinstance(value, list) and value:
        out = [Line(f"{pad}{key}[", hit)]
        for i, v in enumerate(value):
            sub = _pretty(v, path, indent + 1, (*here, i), "")
            if i < len(value) - 1:
                sub[-1] = Line(sub[-1].text + ",", sub[-1].hit)
            out += sub
        return [*out, Line(f"{pad}]", hit)]
    return [Line(f"{pad}{key}{json.dumps(value, ensure_ascii=False)}", hit)]


def _sse_lines(text: str, event: int | None, path: Sequence[str | int]) -> list[Line]:
    out: list[Line] = []
    index = -1
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln != ""]
        if not lines:
            continue
        comment = all(ln.startswith(":") for ln in lines)
        index += 0 if comment else 1
        hit = not comment and index == event
        out += [Line(ln, hit) for ln in lines]
        if hit:
            data = "\n".join(ln[5:].strip() for ln in lines if ln.startswith("data:"))
            try:
                value = json.loads(data)
            except ValueError:
                value = None
            if isinstance(value, dict | list):
                pretty = _pretty(value, path, 1, (), "")
                out += [Line(ln.text, ln.hit, detail=True) for ln in pretty]
        out.append(Line(""))
    return out


def evidence_lines(body: str, content_type: str, highlight: Highlight | None) -> list[Line]:
    """The body as display lines: JSON pretty-printed, SSE split by event, the highlight marked."""
    path = highlight.path if highlight else []
    if is_event_stream(content_type):
        lines = _sse_lines(body, highlight.event if highlight else None, path)
    else:
        try:
            value = json.loads(body)
        except ValueError:
            lines = [Line(ln) for ln in body.splitlines()] or [Line("(empty body)")]
        else:
            lines = (
                _pretty(value, path, 0, (), "")
                if is_json_type(content_type) or body[:1] in "{["
                else [Line(body)]
            )
    if len(lines) > _MAX_LINES:
        first_hit = next((i for i, ln in enumerate(lines) if ln.hit), 0)
        start = max(0, min(first_hit - 40, len(lines) - _MAX_LINES))
        below = len(lines) - start - _MAX_LINES
        lines = (
            ([Line(f"… {start} lines above")] if start else [])
            + lines[start : start + _MAX_LINES]
            + ([Line(f"… {below} lines below")] if below > 0 else [])
        )
    return lines


def _request_lines(ex: ExchangeRecord) -> list[Line]:
    try:
        return _pretty(json.loads(ex.request.body), [], 0, (), "") if ex.request.body else []
    except ValueError:
        return [Line(ln) for ln in ex.request.body.splitlines()]


def _view(ex: ExchangeRecord, highlight: Highlight | None) -> dict[str, Any]:
    ctype = next((v for k, v in ex.response.headers.items() if k.lower() == "content-type"), "")
    hl = highlight if highlight is not None and highlight.exchange == ex.id else None
    return {
        "record": ex,
        "content_type": ctype,
        "request_lines": _request_lines(ex),
        "response_lines": evidence_lines(ex.response.body, ctype, hl),
        "highlighted": hl is not None,
    }


# -- pages ---------------------------------------------------------------------------------------------
def _evidence_of(report: Report) -> Any:
    by_id = {e.id: e for e in report.exchanges}

    def evidence(r: CaseResult) -> list[dict[str, Any]]:
        views = [_view(by_id[i], r.highlight) for i in r.exchanges]
        return sorted(views, key=lambda v: not v["highlighted"])  # the judged one first

    return evidence


def render_run(report: Report) -> str:
    return (
        environment()
        .get_template("run.html")
        .render(
            report=report,
            groups={o: failure_groups(report.results, o) for o in ("fail", "warning")},
            evidence=_evidence_of(report),
            exchanges={e.id: e for e in report.exchanges},
        )
    )


def render_comparison(comparison: Comparison) -> str:
    reports = comparison.reports
    ids: list[str] = []
    for rep in reports:
        ids += [r.id for r in rep.results if r.id not in ids]
    index = [{r.id: r for r in rep.results} for rep in reports]
    changed = {c.id: c for cs in comparison.changes for c in cs}
    profiles: list[str] = []
    for rep in reports:
        profiles += [p.name for p in rep.profiles if p.name not in profiles]
    return (
        environment()
        .get_template("compare.html")
        .render(
            comparison=comparison,
            reports=reports,
            ids=ids,
            index=index,
            changed=changed,
            profiles=profiles,
            profile_index=[{p.name: p for p in rep.profiles} for rep in reports],
        )
    )


def write_html(path: Path, report: Report | None = None, comparison: Comparison | None = None) -> None:
    html = render_run(report) if report is not None else render_comparison(comparison)  # type: ignore[arg-type]
    path.write_text(html, encoding="utf-8")
