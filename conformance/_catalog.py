"""CATALOG.md and the --list table, generated from the registered cases."""

from __future__ import annotations

from collections import Counter

from conformance._case import PROFILES, Case, all_cases
from conformance._requirements import catalog_link
from conformance._selection import order

__all__ = ["render_catalog"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_catalog(cases: list[Case] | None = None) -> str:
    cases = order(all_cases() if cases is None else cases)
    counts = Counter((c.profile, str(c.level)) for c in cases)
    lines = [
        "# Conformance case catalog",
        "",
        "Generated from the code by `stratus-conformance catalog`; `tests/conformance/test_catalog.py` fails",
        "when it is stale. MUST cases decide the exit status; SHOULD cases count only with `--strict`",
        "(without it their failures are warnings). *Needs* is the subject a case must receive before it judges",
        "anything: when it never arrives the case fails. Sources link to `spec/REQUIREMENTS.md` (checklist",
        "items, decision rules) or to the spec's schemas.",
        "",
        "| profile | MUST | SHOULD | description |",
        "|---|---|---|---|",
    ]
    for p, desc in PROFILES.items():
        lines.append(f"| `{p}` | {counts[(p, 'MUST')]} | {counts[(p, 'SHOULD')]} | {desc} |")
    lines += ["", f"Total: {len(cases)} cases.", ""]
    for p in PROFILES:
        group = [c for c in cases if c.profile == p]
        if not group:
            continue
        lines += [
            f"## {p}",
            "",
            "| id | level | sends | needs | requirement | sources |",
            "|---|---|---|---|---|---|",
        ]
        for c in group:
            live = " (live only)" if c.live_only else ""
            links = ", ".join(catalog_link(s) for s in c.sources)
            lines.append(
                f"| `{c.id}` | {c.level}{live} | {_cell(c.sends)} | {_cell(c.needs)} | {_cell(c.requirement)} | {links} |"
            )
        lines.append("")
    return "\n".join(lines)
