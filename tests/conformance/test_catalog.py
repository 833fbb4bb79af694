"""CATALOG.md and report.schema.json are generated from the code and must be current; ids are stable."""

from __future__ import annotations

import re
from pathlib import Path

from conformance._case import PROFILES, all_cases
from conformance._catalog import render_catalog
from conformance._report import REPORT_SCHEMA, render_json_schema

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "conformance" / "CATALOG.md"
CASSETTES = ROOT / "fixtures" / "cassettes" / "reference"


def test_catalog_is_current() -> None:
    assert CATALOG.read_text() == render_catalog(), (
        "run `stratus-conformance catalog` to regenerate CATALOG.md"
    )


def test_report_schema_is_generated_from_the_struct() -> None:
    assert REPORT_SCHEMA.read_text() == render_json_schema(), (
        "run `stratus-conformance catalog` to regenerate conformance/report.schema.json"
    )


def test_ids_profiles_needs_sources() -> None:
    for c in all_cases():
        assert re.fullmatch(r"[a-z0-9]+(\.[a-z0-9-]+)+", c.id), c.id
        assert c.profile in PROFILES
        assert c.sources
        assert c.requirement
        assert c.sends
        assert len(c.needs) > 10, f"{c.id}: say what the case needs before it can judge"


def test_case_ids_are_stable() -> None:
    """Every recorded cassette (named by case id) still names a case: ids are never renamed."""
    ids = {c.id for c in all_cases()}
    recorded = {p.stem for p in CASSETTES.glob("*.yaml")}
    assert recorded <= ids, sorted(recorded - ids)


def test_the_default_model_is_written_once() -> None:
    hits = [
        (str(p.relative_to(ROOT)), line)
        for p in (ROOT / "conformance").rglob("*.py")
        for line in p.read_text().splitlines()
        if "stratus-x1ac-small-gpt-4o" in line
    ]
    assert [path for path, _ in hits] == ["conformance/_context.py"], hits
