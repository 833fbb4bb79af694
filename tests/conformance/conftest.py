"""Fixtures for the conformance self-tests: one in-thread server for the clean reference and every
planted-bug variant (``/__v/<name>/...``, see ``fixtures/planted_bugs/_dispatch.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance._context import Context, Target
from conformance._engine import Result
from conformance._report import count, outcome_of, profile_verdict
from conformance._server import serve_asgi

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "fixtures" / "planted_bugs"))

KEY = "stratus_sk_test_conformance0000"


@pytest.fixture(scope="session")
def reference_url() -> Iterator[str]:
    """Root URL of the clean reference server; ``{url}/__v/<name>`` serves variant ``name``."""
    from _dispatch import Dispatch

    from reference_server import create_app

    with serve_asgi(Dispatch(create_app())) as base:
        yield base


@pytest.fixture
def reference_ctx(reference_url: str) -> Iterator[Context]:
    ctx = Context(Target(base_url=reference_url, api_key=KEY))
    yield ctx
    ctx.close()


def profile_verdicts(results: list[Result], *, strict: bool) -> dict[str, str]:
    """Per-profile verdicts of bare ``run_case`` results, counted by ``_report`` like a real run."""
    by: dict[str, list[Result]] = {}
    for r in results:
        by.setdefault(r.case.profile, []).append(r)
    return {
        p: profile_verdict(count(outcome_of(str(r.verdict), str(r.case.level), strict) for r in rows))  # type: ignore[arg-type]
        for p, rows in by.items()
    }
