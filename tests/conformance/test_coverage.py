"""Coverage you can point to: spec/REQUIREMENTS.md is the table, the cases' sources are the map.

Every MUST of the wire checklist (and of the parallel tool-call rules and of what popular clients
rely on), every checkable rule of a decision, is cited by at least one case; every decision of
spec/DECISIONS.md has an entry; every source a case cites resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from conformance._case import all_cases
from conformance._requirements import describe_source, expand, requirements, resolve

ROOT = Path(__file__).resolve().parents[2]
CHECKLIST = re.compile(r"^([A-HLT]\d+|I-\d+|0\.\d|J|K)$")


def _cited() -> set[str]:
    return {s for c in all_cases() for src in c.sources for s in expand(src)}


def test_every_source_resolves_inside_the_repository() -> None:
    bad = sorted({(c.id, s) for c in all_cases() for s in c.sources if not resolve(s)})
    assert not bad, f"sources that resolve to nothing in spec/REQUIREMENTS.md or spec/openapi.yaml: {bad}"


def test_every_checklist_must_maps_to_a_case() -> None:
    musts = [r.id for r in requirements().values() if CHECKLIST.match(r.id) and r.level == "MUST"]
    assert len(musts) >= 35
    missing = sorted(set(musts) - _cited())
    assert not missing, f"MUST requirements no case checks: {missing}"


def test_every_checkable_decision_rule_maps_to_a_case() -> None:
    rules = [r.id for r in requirements().values() if r.parent and r.level in ("MUST", "SHOULD")]
    assert len(rules) >= 60
    missing = sorted(set(rules) - _cited())
    assert not missing, f"decision rules no case checks: {missing}"


def test_every_decision_has_an_entry() -> None:
    decisions = set(re.findall(r"\*\*(D-[A-Z]+-\d+)", (ROOT / "spec" / "DECISIONS.md").read_text()))
    reqs = requirements()
    assert decisions - set(reqs) == set(), "decisions without an entry in spec/REQUIREMENTS.md"
    for d in decisions:
        entry = reqs[d]
        rules = [r for r in reqs.values() if r.parent == d]
        assert entry.level in ("RULES", "SUITE", "UNCHECKED"), d
        if entry.level == "RULES":
            assert rules, f"{d} lists no rule"
        unchecked = [r for r in rules if r.level == "UNCHECKED"]
        assert all(len(r.text) > 60 for r in unchecked), "an UNCHECKED rule says why"


def test_sources_describe_themselves() -> None:
    assert describe_source("B2").startswith("B2 (MUST): Each event is")
    assert "spec/openapi.yaml" in describe_source("openapi.yaml#/components/schemas/ChatCompletionChunk")
    assert not resolve("openapi.yaml#/components/schemas/NoSuchSchema")
    assert not resolve("Z9")
