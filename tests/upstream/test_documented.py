"""The documented pairs are well-formed cassettes, carry provenance, match spec/examples/upstream.yaml,
and every documented body passes the spec's validators (the suite never fails documented behaviour)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from conformance._spec import validator_for
from tests._corpus import ROOT
from tests.upstream.conftest import DocumentedPair, load_pairs

PAIRS = load_pairs()
EXAMPLES: dict[str, Any] = {
    e["id"]: e
    for e in yaml.safe_load((ROOT / "spec/examples/upstream.yaml").read_text(encoding="utf-8"))["examples"]
}
REQUEST = {"/v1/chat/completions": "ChatCompletionRequest", "/v1/messages": "MessagesRequest"}
RESPONSE = {"/v1/chat/completions": "ChatCompletionResponse", "/v1/messages": "MessagesResponse"}
ERROR = {"openai": "OpenAIErrorResponse", "anthropic": "AnthropicErrorResponse"}
# Which upstream.yaml examples each cassette is made of (request, response); None = see PROVENANCE.md.
SOURCES: dict[str, tuple[str | None, str | None]] = {
    "chat-example": ("chat.request.hotels", "chat.response.hotels"),
    "chat-tool-call": ("chat.request.tools-auto", "chat.response.tool-call"),
    "chat-error-invalid-model": (None, "facts.error.invalid-model"),
    "messages-basic": ("messages.request.basic", "messages.response.basic"),
    "messages-tool-use": ("messages.request.tools", "messages.response.tool-use"),
    "messages-stream": ("messages.request.stream", None),
    "messages-error-max-tokens": (None, "messages.error.max-tokens"),
}


def _errors(component: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator_for(component).iter_errors(instance)]


def test_every_cassette_is_accounted_for() -> None:
    assert sorted(p.name for p in PAIRS) == sorted(SOURCES)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_provenance(pair: DocumentedPair) -> None:
    assert pair.provenance.startswith("documentation; page=")
    assert "not recorded" in pair.provenance
    assert pair.header_comment.startswith("# TAKEN FROM DOCUMENTATION, NOT RECORDED")
    assert pair.uri.startswith("https://api.stratus.run/v1/")
    assert pair.name in (pair.path.parent / "PROVENANCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_cassette_bodies_are_the_spec_examples(pair: DocumentedPair) -> None:
    """No drift between the cassettes and spec/examples/upstream.yaml."""
    request_id, response_id = SOURCES[pair.name]
    if request_id is not None:
        assert pair.request_body == EXAMPLES[request_id]["instance"]
    if response_id is not None:
        assert pair.body == EXAMPLES[response_id]["instance"]
    if pair.is_stream:
        events = [data for _, data in pair.events()]
        documented = [
            EXAMPLES["messages.stream.message-start"]["instance"],
            *EXAMPLES["messages.stream.events"]["instances"],
        ]
        # the completion adds exactly a ping and a message_delta (PROVENANCE.md)
        assert [e for e in events if e["type"] not in ("ping", "message_delta")] == documented
        assert [e["type"] for e in events if e not in documented] == ["ping", "message_delta"]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_documented_request_validates(pair: DocumentedPair) -> None:
    errors = _errors(REQUEST[pair.api_path], pair.request_body)
    if pair.name == "messages-error-max-tokens":
        assert errors == ["[]: 'max_tokens' is a required property"]  # the point of that example
    elif pair.name == "chat-error-invalid-model":
        assert len(errors) == 1
        assert errors[0].startswith("['model']: 'stratus-x1ac-mega-gpt-4o' does not match")
    else:
        assert errors == []


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_documented_answer_validates(pair: DocumentedPair) -> None:
    if pair.status != 200:
        assert _errors(ERROR[pair.dialect], pair.body) == []
    elif not pair.is_stream:
        assert _errors(RESPONSE[pair.api_path], pair.body) == []
    else:
        for name, data in pair.events():
            assert isinstance(data, dict)
            assert name == data["type"], "event: name equals data.type (D-MSG-3)"
            assert _errors("MessagesStreamEvent", data) == [], json.dumps(data)
