"""CATALOG.md is generated from the code and must be current; IDs and sources are well-formed."""

from __future__ import annotations

import re
from pathlib import Path

from conformance._case import PROFILES, all_cases
from conformance._catalog import render_catalog

CATALOG = Path(__file__).resolve().parents[2] / "conformance" / "CATALOG.md"
CHECKLIST_MUST_SHOULD = (
    [f"A{i}" for i in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15)]
    + [f"B{i}" for i in range(1, 13)]
    + [f"C{i}" for i in range(1, 7)]
    + [f"D{i}" for i in range(1, 10)]
    + [f"E{i}" for i in range(1, 13)]
    + [f"F{i}" for i in range(1, 7)]
    + ["H1", "H2", "H3"]
)


def test_catalog_is_current() -> None:
    assert CATALOG.read_text() == render_catalog(), (
        "run `stratus-conformance catalog` to regenerate CATALOG.md"
    )


def test_ids_profiles_sources() -> None:
    for c in all_cases():
        assert re.fullmatch(r"[a-z0-9]+(\.[a-z0-9-]+)+", c.id), c.id
        assert c.profile in PROFILES
        assert c.sources
        assert c.requirement
        assert c.sends


def test_every_checklist_must_and_should_item_has_a_case() -> None:
    cited = {
        s.split("-")[0] if re.fullmatch(r"[A-H]\d+(-[A-H]?\d+)?", s) else s
        for c in all_cases()
        for s in c.sources
    }
    ranges = [s for c in all_cases() for s in c.sources if re.fullmatch(r"[A-H]\d+-[A-H]\d+", s)]
    for r in ranges:
        a, b = r.split("-")
        cited |= {f"{a[0]}{i}" for i in range(int(a[1:]), int(b[1:]) + 1)}
    missing = [item for item in CHECKLIST_MUST_SHOULD if item not in cited]
    assert not missing


def test_every_decision_is_cited() -> None:
    text = (CATALOG.parents[1] / "spec" / "DECISIONS.md").read_text()
    # "(reference server only)" marks how the reference server behaves, not a requirement to check
    decisions = set(re.findall(r"\*\*(D-[A-Z]+-\d+)[^*]*\*\*(?! \(reference server only\))", text))
    cited = {s for c in all_cases() for s in c.sources}
    assert decisions - cited == set()
