"""The clean reference server passes every case (MUST and SHOULD), and profiles are judged separately."""

from __future__ import annotations

import pytest

from conformance._case import Verdict, all_cases
from conformance._context import Context
from conformance._engine import run_case
from conformance._server import serve_asgi
from tests.conformance.conftest import profile_verdicts

KEY = "stratus_sk_test_conformance0000"

EXPECTED_NOT_PASS = {"fuzz.positive", "fuzz.negative", "sdk.node.openai", "sdk.node.anthropic"}


def test_reference_passes_everything(reference_ctx: Context) -> None:
    results = [run_case(c, reference_ctx) for c in all_cases()]
    bad = {
        r.case.id: (str(r.verdict), r.message[:300])
        for r in results
        if r.verdict is not Verdict.PASS and r.case.id not in EXPECTED_NOT_PASS
    }
    assert not bad
    assert all(v == "pass" for p, v in profile_verdicts(results, strict=True).items() if p != "fuzz")
    assert all(r.exchanges for r in results if r.verdict is Verdict.PASS), "a pass without evidence"


@pytest.mark.slow
def test_openai_only_server_fails_only_stratus_profile() -> None:
    """A server that speaks OpenAI without `stratus`: OpenAI profiles pass, stratus-metadata fails (item 8)."""
    from _wire import Mutator, Req, map_sse_json

    from conformance._context import Target
    from reference_server import create_app

    def strip(body: object, req: Req, status: int = 200) -> object:
        if isinstance(body, dict):
            body.pop("stratus", None)
        return body

    app = Mutator(
        create_app(),
        paths=("/v1/chat/completions",),
        json_body=strip,
        event=map_sse_json(lambda obj, req: strip(obj, req)),
    )
    with serve_asgi(app) as base:
        ctx = Context(Target(base_url=base, api_key=KEY))
        cases = [c for c in all_cases() if c.profile in ("openai-chat", "openai-stream", "stratus-metadata")]
        results = [run_case(c, ctx) for c in cases]
        ctx.close()
    verdicts = profile_verdicts(results, strict=False)
    assert verdicts == {"openai-chat": "pass", "openai-stream": "pass", "stratus-metadata": "fail"}
