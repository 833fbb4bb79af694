"""`logprobs` / `top_logprobs` and `seed` / `system_fingerprint` on chat completions (D-LOGP-1, D-SEED-1),
over HTTP and through the official openai SDK."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from conformance import _spec
from reference_server._logprobs import token_logprobs
from tests.server.conftest import KEY, MODEL

SYSTEM = "Current state: User is on the homepage with login button visible"
MESSAGES: Any = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "What happens if I click login?"},
]


def _body(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": MESSAGES, **extra}


def _chunks(response: httpx.Response) -> list[dict[str, Any]]:
    out = []
    for line in response.text.splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            out.append(json.loads(line[6:]))
    return out


def _check_entries(entries: list[dict[str, Any]], top: int) -> None:
    for entry in entries:
        assert entry["logprob"] <= 0
        assert bytes(entry["bytes"]).decode() == entry["token"]
        tops = entry["top_logprobs"]
        assert len(tops) == top
        if top:
            assert tops[0]["token"] == entry["token"]
            assert tops[0]["logprob"] == entry["logprob"]
            assert [t["logprob"] for t in tops] == sorted((t["logprob"] for t in tops), reverse=True)
            assert len({t["token"] for t in tops}) == top
            assert sum(math.exp(t["logprob"]) for t in tops) < 1


@pytest.mark.parametrize("top", [0, 3, 20])
def test_json_logprobs_cover_the_content(http: httpx.Client, top: int) -> None:
    r = http.post("/v1/chat/completions", json=_body(logprobs=True, top_logprobs=top, n=2))
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(_spec.validator_for("ChatCompletionResponse").iter_errors(body)) == []
    for choice in body["choices"]:
        content = choice["logprobs"]["content"]
        assert "".join(e["token"] for e in content) == choice["message"]["content"]
        _check_entries(content, top)


def test_logprobs_only_when_asked(http: httpx.Client) -> None:
    assert http.post("/v1/chat/completions", json=_body()).json()["choices"][0]["logprobs"] is None
    body = http.post("/v1/chat/completions", json=_body(logprobs=False)).json()
    assert body["choices"][0]["logprobs"] is None
    body = http.post("/v1/chat/completions", json=_body(logprobs=True)).json()
    assert body["choices"][0]["logprobs"]["content"][0]["top_logprobs"] == []


def test_logprobs_are_deterministic(http: httpx.Client) -> None:
    one = http.post("/v1/chat/completions", json=_body(logprobs=True, top_logprobs=2)).json()
    two = http.post("/v1/chat/completions", json=_body(logprobs=True, top_logprobs=2)).json()
    assert one["choices"][0]["logprobs"] == two["choices"][0]["logprobs"]


def test_stream_logprobs_per_delta(http: httpx.Client) -> None:
    r = http.post("/v1/chat/completions", json=_body(logprobs=True, top_logprobs=2, stream=True))
    assert r.status_code == 200
    text, entries = "", []
    validator = _spec.validator_for("ChatCompletionChunk")
    for chunk in _chunks(r):
        assert list(validator.iter_errors(chunk)) == []
        for choice in chunk["choices"]:
            delta = choice["delta"]
            if delta.get("content"):
                piece = choice["logprobs"]["content"]
                assert "".join(e["token"] for e in piece) == delta["content"]
                text += delta["content"]
                entries += piece
            else:
                assert choice.get("logprobs") is None
    whole = http.post("/v1/chat/completions", json=_body(logprobs=True, top_logprobs=2)).json()
    assert text == whole["choices"][0]["message"]["content"]
    assert entries == whole["choices"][0]["logprobs"]["content"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"top_logprobs": 2}, "top_logprobs"),
        ({"logprobs": False, "top_logprobs": 2}, "top_logprobs"),
        ({"logprobs": True, "top_logprobs": 21}, "top_logprobs"),
        ({"logprobs": True, "top_logprobs": -1}, "top_logprobs"),
        ({"logprobs": "yes"}, "logprobs"),
    ],
)
def test_logprobs_pair_refused_as_openai_does(http: httpx.Client, extra: dict[str, Any], param: str) -> None:
    r = http.post("/v1/chat/completions", json=_body(**extra))
    assert r.status_code == 400
    assert r.json()["error"]["param"] == param


def test_system_fingerprint_with_and_without_seed(http: httpx.Client) -> None:
    seeded = http.post("/v1/chat/completions", json=_body(seed=42)).json()
    plain = http.post("/v1/chat/completions", json=_body()).json()
    fp = seeded["system_fingerprint"]
    assert isinstance(fp, str)
    assert fp.startswith("fp_")
    assert plain["system_fingerprint"] == fp
    assert seeded["choices"][0]["message"] == plain["choices"][0]["message"]
    again = http.post("/v1/chat/completions", json=_body(seed=7)).json()
    assert again["system_fingerprint"] == fp
    chunks = _chunks(http.post("/v1/chat/completions", json=_body(seed=42, stream=True)))
    assert {c["system_fingerprint"] for c in chunks} == {fp}


def test_token_logprobs_concatenate() -> None:
    text = "Héllo, wörld!\n  ok "
    entries = token_logprobs(text, 5)
    assert "".join(e.token for e in entries) == text
    assert all(bytes(e.bytes).decode() == e.token for e in entries)


# -- the official SDK ------------------------------------------------------------------------


@pytest.fixture
def client(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=base_url + "/v1", api_key=KEY, max_retries=0) as client:
        yield client


def test_sdk_reads_logprobs(client: openai.OpenAI) -> None:
    out = client.chat.completions.create(
        model=MODEL, messages=MESSAGES, logprobs=True, top_logprobs=3, seed=1
    )
    choice = out.choices[0]
    assert choice.logprobs is not None
    assert choice.logprobs.content is not None
    assert "".join(t.token for t in choice.logprobs.content) == choice.message.content
    assert all(len(t.top_logprobs) == 3 for t in choice.logprobs.content)
    assert out.system_fingerprint is not None


def test_sdk_stream_helper_accumulates_logprobs(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model=MODEL, messages=MESSAGES, logprobs=True, top_logprobs=2
    ) as stream:
        seen = [e for e in stream if e.type == "logprobs.content.delta"]
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert seen
    assert choice.logprobs is not None
    assert choice.logprobs.content is not None
    assert "".join(t.token for t in choice.logprobs.content) == choice.message.content
    assert final.system_fingerprint is not None
