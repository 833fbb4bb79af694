"""The snapshot pieces alone: the corpus schema, the rules table and normalisation, the serializer,
differences named by path, documents without keys."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from conformance._corpus import CORPUS_SCHEMA, CorpusError, CorpusRequest, load_corpus
from conformance._snapshot_diff import differences, text_diff
from conformance._snapshot_doc import RawAnswer, build_document, dumps, loads
from conformance._snapshot_rules import DEFAULT_RULES, RulesError, load_rules, normalise

ROOT = Path(__file__).resolve().parents[2]


def test_the_corpus_schema_is_valid_and_names_every_field() -> None:
    schema = json.loads(CORPUS_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    fields = {f.name for f in dataclasses.fields(CorpusRequest)}
    assert fields == set(schema["properties"])
    assert all(p.get("description") for p in schema["properties"].values())


def test_the_bundled_corpus_follows_the_schema() -> None:
    requests = load_corpus(ROOT / "fixtures" / "requests")
    assert len(requests) >= 144
    assert [r.id for r in requests] == sorted(r.id for r in requests)
    assert any(r.stream for r in requests)


def test_raw_body_and_body_are_exclusive(tmp_path: Path) -> None:
    (tmp_path / "both.json").write_text(
        json.dumps({"method": "POST", "path": "/x", "body": {}, "raw_body": "{"})
    )
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path)
    assert "both.json: body" in str(caught.value)


def test_normalise_replaces_only_values_of_the_documented_shape() -> None:
    rules = load_rules()
    doc = {
        "request": {"headers": {"x-request-id": "req_" + "a" * 24}},
        "status": 200,
        "headers": {
            "date": "Sat",
            "server": "uvicorn",
            "x-request-id": "req_" + "0" * 24,
            "content-length": "9",
        },
        "body": {
            "id": "stratus-chatcmpl-" + "f" * 24,
            "created": 1796448568,
            "stratus": {"planning_time_ms": 1.5},
        },
    }
    out = normalise(doc, rules)
    assert out["request"] == doc["request"], "the request part is never rewritten"
    assert out["headers"] == {"x-request-id": "<request-id>", "content-length": "<bytes>"}
    assert out["body"] == {
        "id": "<chatcmpl-id>",
        "created": "<unix-seconds>",
        "stratus": {"planning_time_ms": "<ms>"},
    }
    odd = normalise(
        {"body": {"id": "chatcmpl-NOT-HEX", "created": "1796448568", "stratus": {"planning_time_ms": -1}}},
        rules,
    )
    assert odd["body"] == {
        "id": "chatcmpl-NOT-HEX",
        "created": "1796448568",
        "stratus": {"planning_time_ms": -1},
    }


def test_a_rules_file_must_follow_the_format(tmp_path: Path) -> None:
    assert DEFAULT_RULES.name == "snapshot-rules.toml"
    for text, expected in (
        ("[[volatile]]\npath = 'a'\nvalue = 'b'\nplaceholder = 'plain'\n", "must look like <name>"),
        ("[[shape]]\npath = 'a'\nrule = 'range'\n", "needs min and/or max"),
        ("[[shape]]\npath = 'a'\nrule = 'sometimes'\n", "Invalid enum value 'sometimes'"),
        ("headers = 3\n", "Expected `object`"),
        ("not toml at all [", "not a snapshot rules file"),
    ):
        path = tmp_path / "r.toml"
        path.write_text(text)
        with pytest.raises(RulesError, match=expected):
            load_rules((path,))
    with pytest.raises(RulesError, match="cannot read"):
        load_rules((tmp_path / "missing.toml",))


def test_the_serializer_puts_the_request_first_and_sorts_the_rest() -> None:
    text = dumps(
        {"body": {"b": 1, "a": [{"z": 1, "y": 2}]}, "status": 200, "request": {"path": "/x"}, "headers": {}}
    )
    assert list(json.loads(text)) == ["request", "status", "headers", "body"]
    assert text.index('"y"') < text.index('"z"')
    assert text.endswith("}\n")
    assert loads(text) == json.loads(text)
    with pytest.raises(ValueError, match="one JSON object"):
        loads("[1]")


def test_differences_name_the_path_and_align_inserted_items() -> None:
    a = {"body": {"choices": [{"finish_reason": "stop"}], "n": 1}, "events": [{"event": "a"}, {"event": "c"}]}
    b = {
        "body": {"choices": [{"finish_reason": "done"}], "n": 1.0},
        "events": [{"event": "a"}, {"event": "b"}, {"event": "c"}],
    }
    got = [d.text() for d in differences(a, b)]
    assert got == [
        '~ body.choices.0.finish_reason: "stop" → "done"',
        "~ body.n: 1 → 1.0",
        '+ events.1: {"event": "b"}',
    ]
    assert differences(a, a) == []
    lines = text_diff(dumps(a), dumps(b))
    assert lines[:2] == ["--- stored", "+++ now"]
    assert '-        "finish_reason": "stop"' in lines


def test_documents_keep_no_key_from_the_request_or_the_answer() -> None:
    secret = "sk-proj-" + "S3CR3T" * 4
    req = CorpusRequest(
        id="x",
        method="POST",
        path="/v1/chat/completions",
        headers={"Authorization": "Bearer stratus_sk_test_abcdefgh1234", "X-Anthropic-Key": secret},
        body={"anthropic_key": secret, "messages": [{"role": "user", "content": f"use {secret}"}]},
    )
    answer = RawAnswer(
        200,
        [("content-type", "application/json"), ("x-echo", f"Bearer stratus_sk_test_abcdefgh1234 {secret}")],
        json.dumps({"echo": secret, "nested": [{"key": "stratus_sk_live_zzzzzzzz9999"}]}).encode(),
    )
    doc = build_document(req, answer)
    text = json.dumps(doc)
    for leaked in (secret, "S3CR3T", "abcdefgh1234", "zzzzzzzz9999"):
        assert leaked not in text
    assert doc["request"]["headers"] == {"Authorization": "REDACTED", "X-Anthropic-Key": "REDACTED"}
    assert doc["request"]["body"]["anthropic_key"] == "REDACTED"


def test_a_stream_answer_becomes_events_including_an_unterminated_tail() -> None:
    req = CorpusRequest(id="s", method="POST", path="/v1/messages")
    body = b'event: message_start\ndata: {"type":"message_start"}\n\n: keep-alive\n\ndata: [DONE]\n\nevent: cut\ndata: {"a'
    doc = build_document(req, RawAnswer(200, [("content-type", "text/event-stream")], body))
    assert doc["events"] == [
        {"event": "message_start", "data": {"type": "message_start"}},
        {"event": None, "data": "[DONE]"},
        {"event": "cut", "data": '{"a', "unterminated": True},
    ]
