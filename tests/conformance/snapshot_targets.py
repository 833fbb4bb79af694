"""Servers the snapshot tests point `stratus-conformance snapshot` at, each a wrapper around the
reference server's ASGI app (``fixtures/planted_bugs/_wire.Mutator`` where it mutates the wire):

* ``varying``: every text differs on every call (answers, stream deltas split differently, usage
  counts, execution summaries, error messages) while the contract holds: what a deployment backed
  by a real LLM looks like to shape mode;
* ``drop_stratus_field(name)``: every ``stratus`` object loses one field;
* ``slow(seconds)``: a request with ``X-Test-Slow`` is answered only after that long;
* ``echo_keys``: every JSON answer repeats the request's headers and body (keys included), the
  worst a deployment could do with a key.
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from _wire import Mutator, Req

__all__ = ["drop_stratus_field", "echo_keys", "slow", "varying"]

WORDS = [
    "search",
    "results",
    "page",
    "button",
    "checkout",
    "cart",
    "hotel",
    "flight",
    "click",
    "the",
    "a",
    "to",
    "of",
    "and",
    "form",
    "field",
    "city",
    "weather",
    "tomorrow",
    "booking",
    "account",
    "settings",
    "profile",
    "filter",
    "price",
    "date",
    "submit",
    "open",
    "navigate",
]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40))).capitalize() + "."


def _vary_stratus(s: Any, rng: random.Random) -> None:
    if isinstance(s, dict):
        for step in s.get("execution_trace") or []:
            if isinstance(step, dict):
                step["response_summary"] = _sentence(rng)


def _vary_object(body: Any, rng: random.Random) -> None:
    if not isinstance(body, dict):
        return
    _vary_stratus(body.get("stratus"), rng)
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        error["message"] = _sentence(rng)
    if body.get("object") == "chat.completion":
        for choice in body.get("choices") or []:
            message = choice.get("message") or {}
            if isinstance(message.get("content"), str):
                message["content"] = _sentence(rng)
        usage = body.get("usage")
        if isinstance(usage, dict):
            usage["completion_tokens"] = rng.randint(1, 300)
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    if body.get("type") == "message":
        for block in body.get("content") or []:
            if block.get("type") == "text":
                block["text"] = _sentence(rng)
        if isinstance(body.get("usage"), dict):
            body["usage"]["output_tokens"] = rng.randint(1, 300)


def _vary_json(body: Any, req: Req, status: int) -> Any:
    _vary_object(body, random.Random())
    return body


def _split(data: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """A text delta (chat or Anthropic) with new text, sometimes as two events."""
    parts = [_sentence(rng)] + ([_sentence(rng)] if rng.random() < 0.5 else [])
    out = []
    for text in parts:
        copy = json.loads(json.dumps(data))
        if copy.get("object") == "chat.completion.chunk":
            copy["choices"][0]["delta"]["content"] = text
        else:
            copy["delta"]["text"] = text
        out.append(copy)
    return out


def _vary_event(text: str, req: Req) -> list[str]:
    rng = random.Random()
    lines = text.replace("\r\n", "\n").split("\n")
    names = [ln for ln in lines if not ln.startswith("data:")]
    payload = "\n".join(ln[5:].strip() for ln in lines if ln.startswith("data:"))
    try:
        data = json.loads(payload)
    except ValueError:
        return [text]
    if not isinstance(data, dict):
        return [text]
    datas = [data]
    choices = data.get("choices") or []
    delta = (choices[0].get("delta") or {}) if choices and isinstance(choices[0], dict) else {}
    if (data.get("object") == "chat.completion.chunk" and set(delta) == {"content"} and delta["content"]) or (
        data.get("type") == "content_block_delta" and (data.get("delta") or {}).get("type") == "text_delta"
    ):
        datas = _split(data, rng)
    for d in datas:
        _vary_stratus(d.get("stratus"), rng)
        _vary_stratus((d.get("message") or {}).get("stratus"), rng)
        _vary_object(d, rng)
        usage = d.get("usage")
        if isinstance(usage, dict) and "completion_tokens" in usage:
            usage["completion_tokens"] = rng.randint(1, 300)
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if d.get("type") == "message_delta" and isinstance(usage, dict):
            usage["output_tokens"] = rng.randint(1, 300)
    return ["\n".join([*names, "data: " + json.dumps(d)]) for d in datas]


def varying(app: Any) -> Any:
    return Mutator(app, paths=("/v1/",), json_body=_vary_json, event=_vary_event)


def drop_stratus_field(name: str) -> Any:
    def drop(obj: Any) -> None:
        if isinstance(obj, dict):
            for holder in (obj, obj.get("message")):
                if isinstance(holder, dict) and isinstance(holder.get("stratus"), dict):
                    holder["stratus"].pop(name, None)

    def json_body(body: Any, req: Req, status: int) -> Any:
        drop(body)
        return body

    def event(text: str, req: Req) -> list[str]:
        out = []
        for line in text.replace("\r\n", "\n").split("\n"):
            if line.startswith("data:") and line[5:].strip().startswith("{"):
                data = json.loads(line[5:])
                drop(data)
                line = "data: " + json.dumps(data)
            out.append(line)
        return ["\n".join(out)]

    return lambda app: Mutator(app, paths=("/v1/",), json_body=json_body, event=event)


def slow(seconds: float) -> Any:
    """Requests carrying ``X-Test-Slow`` wait ``seconds`` before the reference server answers."""

    def wrap(app: Any) -> Any:
        async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http" and any(k.lower() == b"x-test-slow" for k, _ in scope["headers"]):
                await asyncio.sleep(seconds)
            await app(scope, receive, send)

        return inner

    return wrap


def echo_keys(app: Any) -> Any:
    def json_body(body: Any, req: Req, status: int) -> Any:
        if isinstance(body, dict):
            body["echo"] = {"headers": req.headers, "body": req.body, "said": f"your key {req.headers}"}
        return body

    return Mutator(app, paths=("/",), json_body=json_body)
