"""The suite catches every planted bug on the case IDs the variant declares, every case catches
some planted bug (issue 5, item 9: "no case without a planted bug that it catches"), and against
gross breakage (no stream, missing endpoints, empty or HTML answers, a wrong content type) no case
of the profiles it breaks passes (issue 13: never vacuous truth)."""

from __future__ import annotations

import pytest
from variants import EXEMPT, NOT_RUN_HERE, VARIANTS  # fixtures/planted_bugs, put on sys.path by conftest

from conformance._case import PROFILES, Verdict, all_cases
from conformance._context import Context, Target
from conformance._engine import run_case

KEY = "stratus_sk_test_conformance0000"
CASES = {c.id: c for c in all_cases()}
MAX_EXEMPT = 3


def test_variants_are_many_and_declare_known_cases() -> None:
    assert len(VARIANTS) >= 25
    for v in VARIANTS.values():
        assert v.must_fail or v.no_pass_profiles, v.name
        assert v.description, v.name
        assert set(v.must_fail) <= set(CASES), (v.name, set(v.must_fail) - set(CASES))
        assert set(v.no_pass_profiles) <= set(PROFILES), v.name
    profiles = {CASES[cid].profile for v in VARIANTS.values() for cid in v.must_fail}
    for needed in (
        "openai-chat",
        "openai-stream",
        "anthropic-messages",
        "anthropic-stream",
        "errors",
        "auth",
        "stratus-metadata",
    ):
        assert needed in profiles


def test_every_case_is_caught_by_a_variant_or_exempt() -> None:
    caught = {cid for v in VARIANTS.values() for cid in v.must_fail}
    uncovered = sorted(set(CASES) - caught - set(EXEMPT))
    assert not uncovered, f"cases no planted bug catches (add a variant): {uncovered}"
    assert set(EXEMPT) <= set(CASES), "EXEMPT names unknown cases"
    assert not set(EXEMPT) & caught, f"exempt but caught (drop the exemption): {sorted(set(EXEMPT) & caught)}"
    assert len(EXEMPT) <= MAX_EXEMPT
    assert all(len(reason) > 40 for reason in EXEMPT.values())
    print(f"planted-bug coverage: {len(caught)}/{len(CASES)} cases caught, {len(EXEMPT)} exempt")


def test_exempt_cases_really_cannot_fail(reference_ctx: Context) -> None:
    """An exemption holds only while the case cannot run; once it can, it needs a variant."""
    for cid in EXEMPT:
        assert run_case(CASES[cid], reference_ctx).verdict is Verdict.UNAVAILABLE, cid


def _not_run_here(case_id: str) -> bool:
    return case_id.startswith(tuple(NOT_RUN_HERE))


@pytest.mark.parametrize("name", sorted(n for n, v in VARIANTS.items() if v.must_fail))
def test_variant_is_caught(name: str, reference_url: str) -> None:
    """Every must_fail case fails; a case whose client is missing here (NOT_RUN_HERE) is the only one
    that may come back unavailable, and runs, and must fail, wherever its client exists."""
    v = VARIANTS[name]
    ctx = Context(Target(base_url=f"{reference_url}/__v/{name}", api_key=KEY), options=v.options)
    try:
        results = {cid: run_case(CASES[cid], ctx) for cid in v.must_fail}
    finally:
        ctx.close()
    missing_client = {
        cid for cid, r in results.items() if r.verdict is Verdict.UNAVAILABLE and _not_run_here(cid)
    }
    missed = {
        cid: (str(r.verdict), r.message[:300])
        for cid, r in results.items()
        if r.verdict is not Verdict.FAIL and cid not in missing_client
    }
    assert not missed, f"{name} ({v.description}) not caught by {missed}"
    for cid in results.keys() - missing_client:
        assert results[cid].exchanges, f"{cid}: a failure without the exchanges it judged"
    if missing_client == set(results):
        pytest.skip(f"every case of {name} needs a client not installed here: {sorted(missing_client)[:3]}…")


def test_not_run_here_names_client_cases() -> None:
    """Each prefix names sdk cases, says why, and nothing outside the real-client cases hides behind it."""
    for prefix, reason in NOT_RUN_HERE.items():
        named = [c for c in CASES if c.startswith(prefix)]
        assert named, prefix
        assert all(CASES[c].profile == "sdk" for c in named), prefix
        assert len(reason) > 60, prefix


GROSS = sorted(n for n, v in VARIANTS.items() if v.no_pass_profiles)


def test_gross_breakage_variants_exist() -> None:
    """Streams answered as JSON, missing endpoints, empty 200s, HTML error pages, wrong content types."""
    assert {
        "gross-stream-as-json",
        "gross-endpoints-404",
        "gross-empty-200",
        "gross-html-error-page",
        "gross-wrong-content-type",
    } <= set(GROSS)


@pytest.mark.parametrize("name", GROSS)
def test_no_case_passes_against_gross_breakage(name: str, reference_url: str) -> None:
    v = VARIANTS[name]
    cases = [c for c in CASES.values() if c.profile in v.no_pass_profiles]
    ctx = Context(Target(base_url=f"{reference_url}/__v/{name}", api_key=KEY))
    try:
        results = [run_case(c, ctx) for c in cases]
    finally:
        ctx.close()
    passed = {r.case.id: r.message[:200] for r in results if r.verdict is Verdict.PASS}
    assert not passed, f"{name} ({v.description}): these cases passed: {sorted(passed)}"
    failed = [r for r in results if r.verdict is Verdict.FAIL]
    assert failed, name
    for r in failed:
        assert r.exchanges, f"{r.case.id}: a verdict without its exchange"
