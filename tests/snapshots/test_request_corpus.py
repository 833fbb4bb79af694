"""`fixtures/requests/` is well-formed, covers what it must, and agrees with the spec's request schemas."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from conformance._spec import load_openapi, validator_for
from tests._corpus import CORPUS_DIR, REQUIRED_FIELDS, CorpusRequest, load_corpus

CORPUS = load_corpus()
IDS = [r.id for r in CORPUS]


def _operation(req: CorpusRequest) -> dict[str, Any] | None:
    path = req.path.partition("?")[0]
    paths = load_openapi()["paths"]
    if path.startswith("/v1/models/"):
        path = "/v1/models/{model_id}"
    op: dict[str, Any] | None = paths.get(path, {}).get(req.method.lower())
    return op


def test_corpus_size() -> None:
    assert len(CORPUS) >= 60
    assert {r.dialect for r in CORPUS} == {"openai", "anthropic"}


def test_ids_are_unique_file_names() -> None:
    stems = sorted(p.stem for p in CORPUS_DIR.glob("*.json"))
    assert stems == sorted(IDS)
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("req", CORPUS, ids=IDS)
def test_well_formed(req: CorpusRequest) -> None:
    raw = json.loads((CORPUS_DIR / f"{req.id}.json").read_text(encoding="utf-8"))
    assert set(REQUIRED_FIELDS) <= set(raw)
    assert req.method in ("GET", "POST")
    assert req.path.startswith("/")
    assert req.description.strip()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in req.headers.items())
    assert 200 <= req.expect_status <= 599
    if req.raw_body is not None:
        assert req.body is None, "raw_body replaces body"
    if req.method == "GET":
        assert req.body is None
        assert req.raw_body is None
    if req.stream:
        assert isinstance(req.body, dict)
        assert req.body.get("stream") is True
    if req.schema is not None:
        validator_for(req.schema)  # the component exists
        assert req.body_valid is not None
    if req.body_valid is not None:
        assert req.schema is not None


@pytest.mark.parametrize("req", CORPUS, ids=IDS)
def test_only_fake_credentials(req: CorpusRequest) -> None:
    """Keys are the corpus key or visibly fake (`...FAKE...`); nothing real is ever committed."""
    for secret in req.secrets():
        assert secret.startswith("stratus_sk_test_corpus") or "FAKE" in secret, secret


@pytest.mark.parametrize("req", [r for r in CORPUS if r.schema is not None], ids=lambda r: r.id)
def test_body_against_request_schema(req: CorpusRequest) -> None:
    """Bodies marked valid validate against the spec's request schema; bodies marked invalid do not."""
    errors = [e.message for e in validator_for(req.schema or "").iter_errors(req.body)]
    if req.body_valid:
        assert errors == []
    else:
        assert errors, "marked invalid, but the spec's schema accepts it"
    if req.expect_status == 200:
        assert req.body_valid


@pytest.mark.parametrize("req", CORPUS, ids=IDS)
def test_expected_status_is_documented(req: CorpusRequest) -> None:
    op = _operation(req)
    if op is None:  # unknown routes and methods: 404/405 by D-ERR-1
        assert req.expect_status in (404, 405)
        return
    assert str(req.expect_status) in op["responses"]


def test_coverage() -> None:
    """The corpus covers each tool_choice, planner size, documented mock status and stream variant."""
    chat_choices = {
        json.dumps(r.body["tool_choice"], sort_keys=True)
        for r in CORPUS
        if r.path == "/v1/chat/completions"
        and isinstance(r.body, dict)
        and "tool_choice" in r.body
        and r.expect_status == 200
    }
    assert {'"none"', '"auto"', '"required"'} <= chat_choices
    assert any('"function"' in c for c in chat_choices)
    msg_choices = {
        r.body["tool_choice"]["type"]
        for r in CORPUS
        if r.path == "/v1/messages"
        and isinstance(r.body, dict)
        and "tool_choice" in r.body
        and r.expect_status == 200
    }
    assert msg_choices == {"auto", "any", "tool", "none"}
    sizes = {r.body["model"].split("-")[2] for r in CORPUS if r.category == "planner-size"}
    assert sizes == {"small", "base", "large", "xl", "huge"}
    for path in ("/v1/chat/completions", "/v1/messages"):
        documented = {int(s) for s in load_openapi()["paths"][path]["post"]["responses"] if s != "200"}
        mocked = {
            int(r.headers["X-Stratus-Mock-Status"])
            for r in CORPUS
            if r.path == path and "X-Stratus-Mock-Status" in r.headers and r.expect_status != 400
        } | {400}
        assert documented <= mocked, f"{path}: no mock request for {sorted(documented - mocked)}"
        assert any("X-Stratus-Mock-Stream-Error" in r.headers for r in CORPUS if r.path == path)
    usage = Counter(
        bool((r.body.get("stream_options") or {}).get("include_usage"))
        for r in CORPUS
        if r.stream and r.path == "/v1/chat/completions"
    )
    assert usage[True]
    assert usage[False]
    assert any(r.stream for r in CORPUS if r.dialect == "anthropic")
    assert {"models", "health", "embeddings", "rollout"} <= {r.category for r in CORPUS}
    assert {"base64", "float"} <= {
        (r.body or {}).get("encoding_format", "float") for r in CORPUS if r.category == "embeddings"
    }
    assert {"actions", "max_steps"} <= {k for r in CORPUS if r.category == "rollout" for k in r.body}
