"""CATALOG.md and the --list table, generated from the registered cases."""

from __future__ import annotations

from collections import Counter

from conformance._case import PROFILES, Case, all_cases

__all__ = ["render_catalog"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_catalog(cases: list[Case] | None = None) -> str:
    cases = all_cases() if cases is None else cases
    counts = Counter((c.profile, str(c.level)) for c in cases)
    lines = [
        "# Conformance case catalog",
        "",
        "Generated from the code by `stratus-conformance catalog`; `tests/conformance/test_catalog.py` fails",
        "when it is stale. MUST cases decide the exit status; SHOULD cases count only with `--strict`.",
        "Sources: wire-checklist items (A1, B4, ...), `spec/openapi.yaml` pointers, and `spec/DECISIONS.md` ids.",
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
        lines += [f"## {p}", "", "| id | level | sends | requirement | sources |", "|---|---|---|---|---|"]
        for c in group:
            live = " (live only)" if c.live_only else ""
            lines.append(
                f"| `{c.id}` | {c.level}{live} | {_cell(c.sends)} | {_cell(c.requirement)} | {_cell(', '.join(c.sources))} |"
            )
        lines.append("")
    return "\n".join(lines)
