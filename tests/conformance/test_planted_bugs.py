"""The suite catches every planted bug on the case IDs the variant declares (issue 5, item 9)."""

from __future__ import annotations

import pytest
from variants import VARIANTS  # fixtures/planted_bugs, put on sys.path by conftest

from conformance._case import Verdict, all_cases
from conformance._context import Context, Target
from conformance._engine import run_case
from conformance._server import serve_asgi

KEY = "stratus_sk_test_conformance0000"

CASES = {c.id: c for c in all_cases()}


def test_at_least_25_variants_all_declaring_known_cases() -> None:
    assert len(VARIANTS) >= 25
    for v in VARIANTS.values():
        assert v.must_fail, v.name
        assert set(v.must_fail) <= set(CASES), v.name


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_is_caught(name: str) -> None:
    from reference_server import create_app

    v = VARIANTS[name]
    with serve_asgi(v.wrap(create_app())) as base:
        ctx = Context(Target(base_url=base, api_key=KEY))
        try:
            verdicts = {cid: run_case(CASES[cid], ctx) for cid in v.must_fail}
        finally:
            ctx.close()
    missed = {
        cid: (str(r.verdict), r.message) for cid, r in verdicts.items() if r.verdict is not Verdict.FAIL
    }
    assert not missed, f"{name} ({v.description}) not caught by {missed}"


def test_coverage_ratio_reported() -> None:
    caught = {cid for v in VARIANTS.values() for cid in v.must_fail}
    ratio = len(caught) / len(CASES)
    print(f"planted-bug coverage: {len(caught)}/{len(CASES)} cases = {ratio:.0%}")
    assert ratio > 0.2
