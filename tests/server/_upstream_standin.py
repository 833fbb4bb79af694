"""A stand-in LLM provider for the upstream-execution tests (D-EXEC-1): a raw ASGI app on a loopback
port that speaks OpenAI Chat Completions (under /openai, /google, /openrouter) and Anthropic
Messages (under /anthropic), JSON and SSE, and plays scripted replies (errors, delays) first."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

PREFIXES = {
    "openai": "/openai/v1",
    "anthropic": "/anthropic/v1",
    "google": "/google/v1beta/openai",
    "openrouter": "/openrouter/api/v1",
}


@dataclass
class Reply:
    """A scripted reply: status, headers, a JSON body or raw SSE events, and delays."""

    status: int = 200
    body: Any = None
    events: list[str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    event_delay_s: float = 0.0
    prefill_s: float = 0.0
    """Silence after the response headers, before the first event (a provider's prefill)."""


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any


def _sse(data: Any, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n"


def _last_user(body: dict[str, Any]) -> str:
    for msg in reversed(body.get("messages", [])):
        if msg["role"] == "user":
            content = msg["content"]
            if isinstance(content, str):
                return content
            return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
    return ""


def _wants_tool(body: dict[str, Any], anthropic: bool) -> dict[str, Any] | None:
    tools = body.get("tools") or []
    if not tools:
        return None
    last = body["messages"][-1]
    if anthropic:
        content = last["content"]
        if isinstance(content, list) and any(b.get("type") == "tool_result" for b in content):
            return None
        if (body.get("tool_choice") or {}).get("type") == "none":
            return None
        return {"name": tools[0]["name"]}
    if last["role"] == "tool" or body.get("tool_choice") == "none":
        return None
    return {"name": tools[0]["function"]["name"]}


ARGS = '{"location":"Paris","unit":"celsius"}'


def openai_reply(provider: str, body: dict[str, Any]) -> Reply:
    model = body["model"]
    tool = _wants_tool(body, anthropic=False)
    text = f"{provider} says: {_last_user(body)}"
    n = int(body.get("n") or 1)
    if not body.get("stream"):
        choices = []
        for i in range(n):
            if tool:
                call = {
                    "id": f"call_{i}abc",
                    "type": "function",
                    "function": {"name": tool["name"], "arguments": ARGS},
                }
                msg: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
                finish = "tool_calls"
            else:
                msg, finish = {"role": "assistant", "content": text, "refusal": None}, "stop"
            choices.append({"index": i, "message": msg, "logprobs": None, "finish_reason": finish})
        usage = {"prompt_tokens": 31, "completion_tokens": 7 * n, "total_tokens": 31 + 7 * n}
        return Reply(
            body={
                "id": "chatcmpl-standin",
                "object": "chat.completion",
                "created": 1700000000,
                "model": model,
                "choices": choices,
                "usage": usage,
            }
        )
    base = {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, index: int = 0) -> str:
        return _sse(
            {**base, "choices": [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        )

    events = [": keep-alive\n\n"] if provider == "openrouter" else []
    for i in range(n):
        events.append(chunk({"role": "assistant", "content": ""}, index=i))
        if tool:
            head = {
                "index": 0,
                "id": f"call_{i}abc",
                "type": "function",
                "function": {"name": tool["name"], "arguments": ""},
            }
            events.append(chunk({"tool_calls": [head]}, index=i))
            for piece in (ARGS[:15], ARGS[15:]):
                events.append(
                    chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}, index=i)
                )
            events.append(chunk({}, "tool_calls", index=i))
        else:
            for piece in (text[:8], text[8:16], text[16:]):
                events.append(chunk({"content": piece}, index=i))
            events.append(chunk({}, "stop", index=i))
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append(
            _sse(
                {
                    **base,
                    "choices": [],
                    "usage": {"prompt_tokens": 31, "completion_tokens": 7 * n, "total_tokens": 31 + 7 * n},
                }
            )
        )
    events.append("data: [DONE]\n\n")
    return Reply(events=events)


def anthropic_reply(body: dict[str, Any]) -> Reply:
    model = body["model"]
    tool = _wants_tool(body, anthropic=True)
    text = f"anthropic says: {_last_user(body)}"
    usage = {
        "input_tokens": 40,
        "output_tokens": 9,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 2,
    }
    if not body.get("stream"):
        content: list[dict[str, Any]] = [{"type": "text", "text": text}]
        stop = "end_turn"
        if tool:
            content.append(
                {"type": "tool_use", "id": "toolu_01standin", "name": tool["name"], "input": json.loads(ARGS)}
            )
            stop = "tool_use"
        return Reply(
            body={
                "id": "msg_standin",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": usage,
            }
        )
    start = {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1},
    }
    events = [_sse({"type": "message_start", "message": start}, "message_start")]
    events.append(
        _sse(
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            "content_block_start",
        )
    )
    events.append(_sse({"type": "ping"}, "ping"))
    for piece in (text[:8], text[8:]):
        events.append(
            _sse(
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
                "content_block_delta",
            )
        )
    events.append(_sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    stop = "end_turn"
    if tool:
        block = {"type": "tool_use", "id": "toolu_01standin", "name": tool["name"], "input": {}}
        events.append(
            _sse({"type": "content_block_start", "index": 1, "content_block": block}, "content_block_start")
        )
        for piece in ("", ARGS[:12], ARGS[12:]):
            delta = {"type": "input_json_delta", "partial_json": piece}
            events.append(
                _sse({"type": "content_block_delta", "index": 1, "delta": delta}, "content_block_delta")
            )
        events.append(_sse({"type": "content_block_stop", "index": 1}, "content_block_stop"))
        stop = "tool_use"
    delta_event = {
        "type": "message_delta",
        "delta": {"stop_reason": stop, "stop_sequence": None},
        "usage": {"output_tokens": 9},
    }
    events.append(_sse(delta_event, "message_delta"))
    events.append(_sse({"type": "message_stop"}, "message_stop"))
    return Reply(events=events)


class StandIn:
    """The ASGI app. `script` replies are used first (in order), then the default echo replies."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.script: list[Reply] = []
        self.url = ""
        self.prefill_s = 0.0  # applied to every unscripted streamed reply

    def reset(self, *script: Reply, prefill_s: float = 0.0) -> None:
        self.seen.clear()
        self.script[:] = list(script)
        self.prefill_s = prefill_s

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body: Any = json.loads(raw) if raw else None
        path = scope["path"]
        self.seen.append(Seen(path=path, headers=headers, body=body))
        if self.script:
            reply = self.script.pop(0)
        elif path.startswith(PREFIXES["anthropic"]):
            reply = anthropic_reply(body)
        else:
            provider = next(p for p, prefix in PREFIXES.items() if path.startswith(prefix))
            reply = openai_reply(provider, body)
        if not reply.prefill_s:
            reply.prefill_s = self.prefill_s
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        ctype = "text/event-stream" if reply.events is not None else "application/json"
        out_headers = [(b"content-type", ctype.encode())] + [
            (k.encode(), v.encode()) for k, v in reply.headers.items()
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": out_headers})
        if reply.events is None:
            await send({"type": "http.response.body", "body": json.dumps(reply.body).encode()})
            return
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        if reply.prefill_s:
            await asyncio.sleep(reply.prefill_s)
        for event in reply.events:
            await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
            if reply.event_delay_s:
                await asyncio.sleep(reply.event_delay_s)
        await send({"type": "http.response.body", "body": b""})


def base_urls(url: str) -> dict[str, Any]:
    """Settings overrides that point every provider at the stand-in."""
    return {f"{p}_base_url": url + prefix for p, prefix in PREFIXES.items()}
