"""Upstream execution (D-EXEC-1): the plan-enriched prompt executed by the real LLM provider.

`STRATUS_EXECUTOR=upstream` routes chat and messages requests here after auth and decoding. The
provider is chosen by the model's LLM part (`_providers.provider_for`); OpenAI, Google (its
OpenAI-compatible endpoint) and OpenRouter speak Chat Completions, Anthropic speaks Messages. The
call goes through one shared `httpx.AsyncClient` with connect/read timeouts and bounded retries on
429, 5xx and connection errors (honouring `retry-after-ms` / `retry-after`). Streams are re-framed
event by event into the client's dialect, with the `stratus` object placed as D-STR-1 says.
Provider keys are only ever put in the outgoing request headers: never logged, never echoed.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
from litestar import Request, Response

from reference_server._auth import credits_for
from reference_server._catalog import ModelId
from reference_server._errors import ApiError
from reference_server._limits import parse_digits
from reference_server._pipeline import store_of
from reference_server._providers import (
    Json,
    Route,
    anthropic_finish,
    anthropic_prompt_tokens,
    chat_to_anthropic,
    chat_to_openai,
    messages_to_anthropic,
    messages_to_openai,
    openai_finish,
    openai_stop_reason,
    plan_note,
    result_from_anthropic,
    result_from_openai,
    route_for,
    scrub,
)
from reference_server._settings import Settings
from reference_server._sse import DONE, anthropic_frame, openai_frame, sse_response, with_keepalive
from reference_server._store import Account, Reservation, release_after
from reference_server._stratus import plan_for, stratus_metadata
from reference_server._wire._chat import (
    ChatCompletionRequest,
    ChatCompletionResponse,
    Choice,
    CompletionUsage,
    ResponseFunctionCall,
    ResponseMessage,
    ResponseToolCall,
)
from reference_server._wire._common import StratusMetadata
from reference_server._wire._messages import (
    MessagesRequest,
    MessagesResponse,
    MessagesUsage,
    OutTextBlock,
    OutToolUseBlock,
)
from reference_server.planner import Plan

__all__ = ["close_clients", "run_chat", "run_messages"]

_log = logging.getLogger("reference_server.upstream")
_RETRY_STATUSES = frozenset({408, 409, 429})


# -- HTTP ------------------------------------------------------------------------------------


def _client(request: Request[Any, Any, Any], settings: Settings) -> httpx.AsyncClient:
    """The app's shared client for the running event loop (test clients may run several loops)."""
    state = request.app.state
    loop = asyncio.get_running_loop()
    held: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = state.get("stratus_upstream")
    if held is not None and held[0] is loop and not held[1].is_closed:
        return held[1]
    timeout = httpx.Timeout(
        connect=settings.upstream_connect_timeout_s,
        read=settings.upstream_read_timeout_s,
        write=settings.upstream_read_timeout_s,
        pool=settings.upstream_connect_timeout_s,
    )
    client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)
    state["stratus_upstream"] = (loop, client)
    return client


async def close_clients(app: Any) -> None:
    """Lifespan shutdown hook: close the shared client."""
    held = app.state.get("stratus_upstream")
    if held is not None and held[0] is asyncio.get_running_loop():
        await held[1].aclose()


def _retry_wait(headers: httpx.Headers, attempt: int, settings: Settings) -> float | None:
    """Seconds to wait before the next attempt; None when the provider asks for more than the bound."""
    wait: float | None = None
    raw_ms = headers.get("retry-after-ms")
    raw = headers.get("retry-after")
    try:
        if raw_ms is not None:
            wait = float(raw_ms) / 1e3
        elif raw is not None:
            wait = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw) if raw else None
        except (ValueError, TypeError):  # neither seconds nor an HTTP date: the default backoff
            when = None
        wait = when.timestamp() - time.time() if when is not None else None
    if wait is None:
        wait = settings.upstream_backoff_s * (2**attempt)
    wait = max(0.0, wait)
    return None if wait > settings.upstream_max_retry_wait_s else wait


def _provider_message(body: bytes) -> str:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:300]
    if isinstance(data, list) and data:
        data = data[0]
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict) and err.get("message"):
        return str(err["message"])[:300]
    if isinstance(err, str):
        return err[:300]
    return json.dumps(data)[:300]


def provider_error(route: Route, status: int, body: bytes, retry_after: str | None = None) -> ApiError:
    """502 `llm_provider_error` naming the provider (FACTS §11's example wording)."""
    detail = scrub(_provider_message(body), route.key)
    message = f"LLM provider error: {route.name} answered {status}" + (f": {detail}" if detail else ".")
    whole = (retry_after or "").split(".", 1)[0]
    retry = parse_digits(whole) if whole else None
    return ApiError(502, message, retry_after=retry)


def _timeout(route: Route, settings: Settings) -> ApiError:
    return ApiError(
        504,
        f"LLM provider timeout: {route.name} did not answer within {settings.upstream_read_timeout_s:g} s.",
    )


def _unreachable(route: Route, exc: Exception) -> ApiError:
    return ApiError(502, f"LLM provider error: could not reach {route.name} ({type(exc).__name__}).")


async def _open(client: httpx.AsyncClient, route: Route, payload: Json, settings: Settings) -> httpx.Response:
    """POST `payload`; retry 429/5xx/connection errors; return a 200 response, its body unread."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {**route.headers(), "content-type": "application/json", "accept": "application/json"}
    if payload.get("stream"):
        headers["accept"] = "text/event-stream"
    attempt = 0
    while True:
        t0 = time.perf_counter()
        try:
            resp = await client.send(
                client.build_request("POST", route.url, content=body, headers=headers), stream=True
            )
        except httpx.TimeoutException as exc:
            if not isinstance(exc, httpx.ConnectTimeout) or attempt >= settings.upstream_retries:
                raise _timeout(route, settings) from None
            wait: float | None = settings.upstream_backoff_s * (2**attempt)
            reason = "connect timeout"
        except httpx.TransportError as exc:
            if attempt >= settings.upstream_retries:
                raise _unreachable(route, exc) from None
            wait, reason = settings.upstream_backoff_s * (2**attempt), type(exc).__name__
        else:
            ms = (time.perf_counter() - t0) * 1e3
            _log.info(
                "upstream %s %s: %d in %.0f ms (attempt %d)",
                route.name,
                route.model,
                resp.status_code,
                ms,
                attempt + 1,
            )
            if resp.status_code == 200:
                return resp
            try:
                error_body = await resp.aread()
            except httpx.HTTPError:
                error_body = b""
            finally:
                await resp.aclose()
            retryable = resp.status_code in _RETRY_STATUSES or resp.status_code >= 500
            wait = _retry_wait(resp.headers, attempt, settings) if retryable else None
            if wait is None or attempt >= settings.upstream_retries:
                raise provider_error(route, resp.status_code, error_body, resp.headers.get("retry-after"))
            reason = f"status {resp.status_code}"
        attempt += 1
        _log.warning(
            "upstream %s %s: %s, retry %d in %.2f s", route.name, route.model, reason, attempt, wait or 0.0
        )
        await asyncio.sleep(wait or 0.0)


async def _sse(resp: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) per server-sent event; comment lines (`: keep-alive`) are skipped."""
    event, data = "", list[str]()
    async for line in resp.aiter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield event, "\n".join(data)


async def _json_body(resp: httpx.Response, route: Route, settings: Settings) -> Any:
    try:
        raw = await resp.aread()
    except httpx.TimeoutException:
        raise _timeout(route, settings) from None
    except httpx.HTTPError as exc:
        raise _unreachable(route, exc) from None
    finally:
        await resp.aclose()
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(
            502, f"LLM provider error: {route.name} answered with a body that is not JSON."
        ) from None


# -- shared bits -----------------------------------------------------------------------------


class _Run:
    """One upstream execution: plan, route, timing, accounting, and the `stratus` object."""

    def __init__(
        self, route: Route, model: ModelId, plan: Plan, planning_ms: float, hold: Reservation
    ) -> None:
        self.route, self.model, self.plan, self.planning_ms, self.hold = (
            route,
            model,
            plan,
            planning_ms,
            hold,
        )
        self.t0 = time.perf_counter()
        self.summary = ""

    def stratus(self) -> StratusMetadata:
        meta = stratus_metadata(
            self.plan,
            self.model,
            byok=self.route.key_source == "user",
            planning_ms=self.planning_ms,
            execution_ms=(time.perf_counter() - self.t0) * 1e3,
            summary=self.summary or f"executed by {self.route.name}",
        )
        meta.execution_llm = self.route.model
        return meta

    async def charge(self, prompt_tokens: int, completion_tokens: int) -> None:
        pool = self.route.key_source == "formation"
        await self.hold.settle(credits_for(prompt_tokens + completion_tokens, self.model.size, pool=pool))


def _summary(text: str | None, names: list[str]) -> str:
    if names:
        return "called " + ", ".join(dict.fromkeys(names))
    first = (text or "").split("\n", 1)[0]
    return first if len(first) <= 120 else first[:117] + "..."


def _in_stream_error(route: Route, exc: Exception) -> tuple[str, str]:
    """(OpenAI type, message) for a failure after the response started."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout_error", f"LLM provider timeout: {route.name} stopped sending events."
    return "llm_provider_error", f"LLM provider error: the {route.name} stream failed ({type(exc).__name__})."


def _oa_error_frame(type_: str, message: str, code: str | None = None) -> bytes:
    return openai_frame({"error": {"message": message, "type": type_, "param": None, "code": code or type_}})


def _an_error_frame(type_: str, message: str) -> bytes:
    kind = {"timeout_error": "timeout_error", "llm_provider_error": "api_error"}.get(type_, "api_error")
    return anthropic_frame("error", {"type": "error", "error": {"type": kind, "message": message}})


# -- chat completions ------------------------------------------------------------------------


async def run_chat(
    request: Request[Any, Any, Any], req: ChatCompletionRequest, model: ModelId, account: Account, **kw: Any
) -> Response[Any]:
    """A chat completion executed by the provider; the credit hold is returned if it fails."""
    holds: list[Reservation] = []
    try:
        return await _run_chat(request, req, model, account, holds, **kw)
    except BaseException:
        for hold in holds:
            await hold.release()
        raise


async def _run_chat(
    request: Request[Any, Any, Any],
    req: ChatCompletionRequest,
    model: ModelId,
    account: Account,
    holds: list[Reservation],
    *,
    state: str,
    goal: str,
    prompt_tokens: int,
    budget_tokens: int,
    fail_after: int | None,
    settings: Settings,
) -> Response[Any]:
    """A chat completion executed by the provider (JSON, or chunks re-framed from its stream)."""
    body = msgspec.to_builtins(req)
    route = route_for(model.llm, settings, request.headers, body)
    hold = await store_of(request).reserve(
        account, credits_for(prompt_tokens + budget_tokens, model.size, pool=route.key_source == "formation")
    )
    holds.append(hold)
    plan, planning_ms = plan_for(model.size, state, goal)
    note = plan_note(plan, model.size)
    payload = (
        chat_to_anthropic(body, route, note)
        if route.wire == "anthropic"
        else chat_to_openai(body, route, note)
    )
    run = _Run(route, model, plan, planning_ms, hold)
    client = _client(request, settings)
    resp = await _open(client, route, payload, settings)
    cid = "stratus-chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        source = _anthropic_as_chunks(resp, run) if route.wire == "anthropic" else _openai_chunks(resp, run)
        events = _chat_stream(source, run, cid, created, req.model, include_usage, fail_after, req.n or 1)
        return sse_response(release_after(with_keepalive(events, settings.sse_keepalive_s), hold), {})
    data = await _json_body(resp, route, settings)
    try:
        result = result_from_anthropic(data) if route.wire == "anthropic" else result_from_openai(data)
    except (ValueError, TypeError, AttributeError):
        raise ApiError(502, f"LLM provider error: {route.name} answered with an unexpected body.") from None
    first = result.choices[0] if result.choices else None
    run.summary = _summary(first.text, [c.name for c in first.calls]) if first else ""
    await run.charge(result.prompt_tokens, result.completion_tokens)
    choices = []
    for i, c in enumerate(result.choices):
        calls = [
            ResponseToolCall(
                id=t.id, type="function", function=ResponseFunctionCall(name=t.name, arguments=t.arguments)
            )
            for t in c.calls
        ]
        message = ResponseMessage(role="assistant", content=c.text if c.text or not calls else None)
        if calls:
            message.tool_calls = calls
        choices.append(Choice(index=i, message=message, finish_reason=c.finish))  # type: ignore[arg-type]
    out = ChatCompletionResponse(
        id=cid,
        object="chat.completion",
        created=created,
        model=req.model,
        choices=choices,
        usage=CompletionUsage(
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            total_tokens=result.prompt_tokens + result.completion_tokens,
        ),
        stratus=run.stratus(),
    )
    return Response(msgspec.json.encode(out), media_type="application/json")


class _Usage:
    def __init__(self) -> None:
        self.prompt = 0
        self.completion = 0
        self.text: list[str] = []
        self.calls: list[str] = []


async def _openai_chunks(resp: httpx.Response, run: _Run) -> AsyncIterator[Json]:
    """The provider's chunk objects; `{"error": ...}` chunks are raised as `_StreamError`."""
    try:
        async for _, data in _sse(resp):
            if data.strip() == "[DONE]":
                return
            chunk = json.loads(data)
            if isinstance(chunk, dict) and chunk.get("error"):
                message = _provider_message(data.encode())
                raise _StreamError(
                    "llm_provider_error",
                    f"LLM provider error: {run.route.name}: {scrub(message, run.route.key)}",
                )
            yield chunk
    finally:
        await resp.aclose()


class _StreamError(Exception):
    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type_, self.message = type_, message


async def _anthropic_as_chunks(resp: httpx.Response, run: _Run) -> AsyncIterator[Json]:
    """Anthropic events as OpenAI-shaped chunk dicts (one choice; usage on a final chunk)."""
    tool_index = -1
    usage: Json = {}
    output = 0
    try:
        async for name, data in _sse(resp):
            event = json.loads(data)
            kind = event.get("type", name)
            if kind == "message_start":
                usage = dict(event.get("message", {}).get("usage") or {})
                yield {
                    "choices": [
                        {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
                    ]
                }
            elif kind == "content_block_start":
                block = event.get("content_block") or {}
                if block.get("type") == "tool_use":
                    tool_index += 1
                    call = {
                        "index": tool_index,
                        "id": block.get("id"),
                        "type": "function",
                        "function": {"name": block.get("name"), "arguments": ""},
                    }
                    yield {"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": None}]}
                elif block.get("type") == "text" and block.get("text"):
                    yield {
                        "choices": [{"index": 0, "delta": {"content": block["text"]}, "finish_reason": None}]
                    }
            elif kind == "content_block_delta":
                delta = event.get("delta") or {}
                if delta.get("type") == "text_delta":
                    yield {
                        "choices": [
                            {"index": 0, "delta": {"content": delta.get("text", "")}, "finish_reason": None}
                        ]
                    }
                elif delta.get("type") == "input_json_delta" and delta.get("partial_json"):
                    call = {"index": tool_index, "function": {"arguments": delta["partial_json"]}}
                    yield {"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": None}]}
            elif kind == "message_delta":
                output = int((event.get("usage") or {}).get("output_tokens") or output)
                usage.update({k: v for k, v in (event.get("usage") or {}).items() if k != "output_tokens"})
                finish = anthropic_finish((event.get("delta") or {}).get("stop_reason"))
                yield {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
            elif kind == "message_stop":
                prompt = anthropic_prompt_tokens(usage)
                yield {
                    "choices": [],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": output,
                        "total_tokens": prompt + output,
                    },
                }
                return
            elif kind == "error":
                err = event.get("error") or {}
                message = scrub(str(err.get("message", "")), run.route.key)
                raise _StreamError(
                    "llm_provider_error",
                    f"LLM provider error: {run.route.name}: {err.get('type', 'error')}: {message}",
                )
    finally:
        await resp.aclose()


def _clean_delta(delta: Json) -> Json:
    out: Json = {}
    if delta.get("role"):
        out["role"] = "assistant"
    if isinstance(delta.get("content"), str):
        out["content"] = delta["content"]
    calls = []
    for call in delta.get("tool_calls") or []:
        c: Json = {"index": int(call.get("index") or 0)}
        if call.get("id"):
            c["id"] = call["id"]
            c["type"] = "function"
        fn = call.get("function") or {}
        f: Json = {}
        if fn.get("name"):
            f["name"] = fn["name"]
        if isinstance(fn.get("arguments"), str):
            f["arguments"] = fn["arguments"]
        if f:
            c["function"] = f
        calls.append(c)
    if calls:
        out["tool_calls"] = calls
    return out


def _normalise(
    chunk: Json, seen_role: set[int], seen_call: set[tuple[int, int]], usage: _Usage
) -> list[Json]:
    """One provider chunk as the choice deltas the chat schema's order rules allow (role first,
    tool-call header with `arguments: ""`, finish on an empty delta)."""
    out: list[Json] = []
    for choice in chunk.get("choices") or []:
        index = int(choice.get("index") or 0)
        delta = _clean_delta(choice.get("delta") or {})
        if index not in seen_role:
            seen_role.add(index)
            out.append({"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None})
            delta.pop("role", None)
            if delta.get("content") == "":
                delta.pop("content")
        else:
            delta.pop("role", None)
        if delta.get("content"):
            usage.text.append(delta["content"])
            out.append({"index": index, "delta": {"content": delta["content"]}, "finish_reason": None})
        for call in delta.get("tool_calls") or []:
            key = (index, call["index"])
            fn = call.get("function") or {}
            if key not in seen_call and "id" in call:
                seen_call.add(key)
                usage.calls.append(str(fn.get("name", "")))
                header = {**call, "function": {"name": fn.get("name", ""), "arguments": ""}}
                out.append({"index": index, "delta": {"tool_calls": [header]}, "finish_reason": None})
            if fn.get("arguments"):
                piece = {"index": call["index"], "function": {"arguments": fn["arguments"]}}
                out.append({"index": index, "delta": {"tool_calls": [piece]}, "finish_reason": None})
        if choice.get("finish_reason"):
            out.append({"index": index, "delta": {}, "finish_reason": openai_finish(choice["finish_reason"])})
    return out


async def _chat_stream(
    source: AsyncIterator[Json],
    run: _Run,
    cid: str,
    created: int,
    model: str,
    include_usage: bool,
    fail_after: int | None,
    choices: int,
) -> AsyncIterator[bytes]:
    """Chunks in the client's dialect as they arrive. A finish or usage chunk is held until the
    next one (it may be the last, which carries the final `stratus`, D-STR-1)."""
    usage = _Usage()
    seen_role: set[int] = set()
    seen_call: set[tuple[int, int]] = set()
    held: Json | None = None
    sent = 0
    first = True

    def frame(choices: list[Json], usage_value: Any = None) -> Json:
        nonlocal first
        chunk: Json = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": choices,
        }
        if include_usage:
            chunk["usage"] = usage_value
        if first:
            chunk["stratus"] = msgspec.to_builtins(run.stratus())
            first = False
        return chunk

    def over() -> bool:
        return fail_after is not None and sent >= fail_after

    mock = "Mock stream error requested with X-Stratus-Mock-Stream-Error."
    for index in range(choices):  # B12: the role chunks go out at once, before the first token
        if over():
            yield _oa_error_frame("internal_error", mock)
            yield DONE
            return
        seen_role.add(index)
        yield openai_frame(
            frame([{"index": index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        )
        sent += 1
    try:
        async for raw in source:
            pieces = [frame([c]) for c in _normalise(raw, seen_role, seen_call, usage)]
            if raw.get("usage"):
                u = raw["usage"]
                usage.prompt = int(u.get("prompt_tokens") or 0)
                usage.completion = int(u.get("completion_tokens") or 0)
                if include_usage:
                    total = usage.prompt + usage.completion
                    pieces.append(
                        frame(
                            [],
                            {
                                "prompt_tokens": usage.prompt,
                                "completion_tokens": usage.completion,
                                "total_tokens": total,
                            },
                        )
                    )
            for piece in pieces:
                if held is not None:
                    if over():
                        yield _oa_error_frame("internal_error", mock)
                        yield DONE
                        return
                    yield openai_frame(held)
                    sent += 1
                    held = None
                last_kind = piece["choices"] and piece["choices"][0]["finish_reason"] is not None
                if last_kind or not piece["choices"]:
                    held = piece
                    continue
                if over():
                    yield _oa_error_frame("internal_error", mock)
                    yield DONE
                    return
                yield openai_frame(piece)
                sent += 1
    except _StreamError as exc:
        if held is not None:
            yield openai_frame(held)
        yield _oa_error_frame(exc.type_, exc.message)
        yield DONE
        return
    except (httpx.HTTPError, ValueError) as exc:
        if held is not None:
            yield openai_frame(held)
        yield _oa_error_frame(*_in_stream_error(run.route, exc))
        yield DONE
        return
    if held is None:
        yield _oa_error_frame(
            "llm_provider_error", f"LLM provider error: the {run.route.name} stream ended early."
        )
        yield DONE
        return
    if over():
        yield _oa_error_frame("internal_error", mock)
        yield DONE
        return
    run.summary = _summary("".join(usage.text), usage.calls)
    await run.charge(usage.prompt, usage.completion)
    held["stratus"] = msgspec.to_builtins(run.stratus())
    yield openai_frame(held)
    yield DONE


# -- messages --------------------------------------------------------------------------------


async def run_messages(
    request: Request[Any, Any, Any], req: MessagesRequest, model: ModelId, account: Account, **kw: Any
) -> Response[Any]:
    """A message executed by the provider; the credit hold is returned if it fails."""
    holds: list[Reservation] = []
    try:
        return await _run_messages(request, req, model, account, holds, **kw)
    except BaseException:
        for hold in holds:
            await hold.release()
        raise


async def _run_messages(
    request: Request[Any, Any, Any],
    req: MessagesRequest,
    model: ModelId,
    account: Account,
    holds: list[Reservation],
    *,
    state: str,
    goal: str,
    input_tokens: int,
    fail_after: int | None,
    settings: Settings,
) -> Response[Any]:
    """A message executed by the provider (JSON, or Anthropic events re-framed from its stream)."""
    body = msgspec.to_builtins(req)
    route = route_for(model.llm, settings, request.headers, {})
    hold = await store_of(request).reserve(
        account, credits_for(input_tokens + req.max_tokens, model.size, pool=route.key_source == "formation")
    )
    holds.append(hold)
    plan, planning_ms = plan_for(model.size, state, goal)
    note = plan_note(plan, model.size)
    payload = (
        messages_to_anthropic(body, route, note)
        if route.wire == "anthropic"
        else messages_to_openai(body, route, note)
    )
    run = _Run(route, model, plan, planning_ms, hold)
    resp = await _open(_client(request, settings), route, payload, settings)
    mid = "msg_" + secrets.token_hex(12)
    if req.stream:
        if route.wire == "anthropic":
            events = _anthropic_passthrough(resp, run, mid, req.model, fail_after)
        else:
            events = _chunks_as_anthropic(
                _openai_chunks(resp, run), run, mid, req.model, input_tokens, fail_after
            )
        return sse_response(release_after(with_keepalive(events, settings.sse_keepalive_s), hold), {})
    data = await _json_body(resp, route, settings)
    try:
        result = result_from_anthropic(data) if route.wire == "anthropic" else result_from_openai(data)
        choice = result.choices[0]
        content: list[OutTextBlock | OutToolUseBlock] = (
            [OutTextBlock(text=choice.text)] if choice.text else []
        )
        for call in choice.calls:
            args = json.loads(call.arguments) if call.arguments.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("tool arguments are not an object")
            content.append(OutToolUseBlock(id=call.id, name=call.name, input=args))
    except (ValueError, TypeError, AttributeError, IndexError):
        raise ApiError(502, f"LLM provider error: {route.name} answered with an unexpected body.") from None
    run.summary = _summary(choice.text, [c.name for c in choice.calls])
    await run.charge(result.prompt_tokens, result.completion_tokens)
    if route.wire == "anthropic":
        stop_reason = str(data.get("stop_reason") or "end_turn")
        if stop_reason not in ("end_turn", "max_tokens", "stop_sequence", "tool_use"):
            stop_reason = openai_stop_reason(anthropic_finish(stop_reason))
    else:
        stop_reason = openai_stop_reason(choice.finish)
    out = MessagesResponse(
        id=mid,
        type="message",
        role="assistant",
        content=content,
        model=req.model,
        stop_reason=stop_reason,  # type: ignore[arg-type]
        stop_sequence=choice.stop_sequence if stop_reason == "stop_sequence" else None,
        usage=MessagesUsage(input_tokens=result.prompt_tokens, output_tokens=result.completion_tokens),
        stratus=run.stratus(),
    )
    return Response(msgspec.json.encode(out), media_type="application/json")


def _mock_error() -> bytes:
    """The embedded path's mock in-stream error (D-MOCK-1)."""
    detail = {"type": "overloaded_error", "message": "Overloaded (mock stream error)."}
    return anthropic_frame("error", {"type": "error", "error": detail})


async def _anthropic_passthrough(
    resp: httpx.Response, run: _Run, mid: str, model: str, fail_after: int | None
) -> AsyncIterator[bytes]:
    """Anthropic's events as they arrive, with our id and model and `stratus` on `message_start`
    and `message_delta` (D-STR-1)."""
    sent = 0
    usage: Json = {}
    output = 0
    text: list[str] = []
    calls: list[str] = []
    try:
        async for name, data in _sse(resp):
            event = json.loads(data)
            kind = str(event.get("type") or name)
            if fail_after is not None and sent >= fail_after:
                yield _mock_error()
                return
            if kind == "message_start":
                message = event.setdefault("message", {})
                message["id"], message["model"] = mid, model
                usage = dict(message.get("usage") or {})
                message["stratus"] = msgspec.to_builtins(run.stratus())
            elif (
                kind == "content_block_start" and (event.get("content_block") or {}).get("type") == "tool_use"
            ):
                calls.append(str(event["content_block"].get("name", "")))
            elif kind == "content_block_delta" and (event.get("delta") or {}).get("type") == "text_delta":
                text.append(str(event["delta"].get("text", "")))
            elif kind == "message_delta":
                output = int((event.get("usage") or {}).get("output_tokens") or output)
                usage.update({k: v for k, v in (event.get("usage") or {}).items() if k != "output_tokens"})
                run.summary = _summary("".join(text), calls)
                event["stratus"] = msgspec.to_builtins(run.stratus())
            elif kind == "error":
                err = event.get("error") or {}
                err["message"] = f"LLM provider error: {run.route.name}: " + scrub(
                    str(err.get("message", "")), run.route.key
                )
                yield anthropic_frame("error", event)
                return
            yield anthropic_frame(kind, event)
            sent += 1
            if kind == "message_stop":
                await run.charge(anthropic_prompt_tokens(usage), output)
                return
    except (httpx.HTTPError, ValueError) as exc:
        yield _an_error_frame(*_in_stream_error(run.route, exc))
        return
    finally:
        await resp.aclose()
    yield _an_error_frame(
        "llm_provider_error", f"LLM provider error: the {run.route.name} stream ended early."
    )


async def _chunks_as_anthropic(
    source: AsyncIterator[Json],
    run: _Run,
    mid: str,
    model: str,
    input_tokens: int,
    fail_after: int | None,
) -> AsyncIterator[bytes]:
    """OpenAI chunks as Anthropic's event grammar (wire-checklist G12): one block open at a time,
    a new tool_use block per tool-call index, `message_delta` once finish and usage are known.
    `message_start` carries the server's own input-token count; `message_delta` the provider's."""
    sent = 0
    index = -1
    open_kind: str | None = None
    open_call: int | None = None
    pinged = False
    finish: str | None = None
    usage = _Usage()

    def emit(name: str, payload: Json) -> bytes:
        nonlocal sent
        sent += 1
        return anthropic_frame(name, payload)

    def over() -> bool:
        return fail_after is not None and sent >= fail_after

    start: Json = {
        "id": mid,
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": 0,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
    }
    # B12: message_start goes out at once, before the provider's first token
    if over():
        yield _mock_error()
        return
    start["stratus"] = msgspec.to_builtins(run.stratus())
    yield emit("message_start", {"type": "message_start", "message": start})
    try:
        async for chunk in source:
            out: list[tuple[str, Json]] = []
            if chunk.get("usage"):
                usage.prompt = int(chunk["usage"].get("prompt_tokens") or 0)
                usage.completion = int(chunk["usage"].get("completion_tokens") or 0)
            for choice in chunk.get("choices") or []:
                if int(choice.get("index") or 0) != 0:
                    continue
                delta = choice.get("delta") or {}
                if isinstance(delta.get("content"), str) and delta["content"]:
                    if open_kind != "text":
                        if open_kind is not None:
                            out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
                        index += 1
                        open_kind, open_call = "text", None
                        out.append(
                            (
                                "content_block_start",
                                {
                                    "type": "content_block_start",
                                    "index": index,
                                    "content_block": {"type": "text", "text": ""},
                                },
                            )
                        )
                    usage.text.append(delta["content"])
                    out.append(
                        (
                            "content_block_delta",
                            {
                                "type": "content_block_delta",
                                "index": index,
                                "delta": {"type": "text_delta", "text": delta["content"]},
                            },
                        )
                    )
                for call in delta.get("tool_calls") or []:
                    call_index = int(call.get("index") or 0)
                    fn = call.get("function") or {}
                    if open_kind != "tool_use" or open_call != call_index or call.get("id"):
                        if open_kind is not None:
                            out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
                        index += 1
                        open_kind, open_call = "tool_use", call_index
                        usage.calls.append(str(fn.get("name", "")))
                        block = {
                            "type": "tool_use",
                            "id": call.get("id") or f"toolu_{mid[4:]}_{call_index}",
                            "name": fn.get("name", ""),
                            "input": {},
                        }
                        out.append(
                            (
                                "content_block_start",
                                {"type": "content_block_start", "index": index, "content_block": block},
                            )
                        )
                        out.append(
                            (
                                "content_block_delta",
                                {
                                    "type": "content_block_delta",
                                    "index": index,
                                    "delta": {"type": "input_json_delta", "partial_json": ""},
                                },
                            )
                        )
                    if fn.get("arguments"):
                        out.append(
                            (
                                "content_block_delta",
                                {
                                    "type": "content_block_delta",
                                    "index": index,
                                    "delta": {"type": "input_json_delta", "partial_json": fn["arguments"]},
                                },
                            )
                        )
                if choice.get("finish_reason"):
                    finish = str(choice["finish_reason"])
            for name, payload in out:
                if over():
                    yield _mock_error()
                    return
                yield emit(name, payload)
                if name == "content_block_start" and not pinged:
                    pinged = True
                    yield emit("ping", {"type": "ping"})
    except _StreamError as exc:
        yield _an_error_frame(exc.type_, exc.message)
        return
    except (httpx.HTTPError, ValueError) as exc:
        yield _an_error_frame(*_in_stream_error(run.route, exc))
        return
    if finish is None:
        yield _an_error_frame(
            "llm_provider_error", f"LLM provider error: the {run.route.name} stream ended early."
        )
        return
    tail: list[tuple[str, Json]] = []
    if open_kind is not None:
        tail.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    if not pinged:
        tail.append(("ping", {"type": "ping"}))
    run.summary = _summary("".join(usage.text), usage.calls)
    await run.charge(usage.prompt, usage.completion)
    delta_event = {
        "type": "message_delta",
        "delta": {"stop_reason": openai_stop_reason(finish), "stop_sequence": None},
        "usage": {"output_tokens": usage.completion, "input_tokens": usage.prompt},
        "stratus": msgspec.to_builtins(run.stratus()),
    }
    tail += [("message_delta", delta_event), ("message_stop", {"type": "message_stop"})]
    for name, payload in tail:
        if over():
            yield _mock_error()
            return
        yield emit(name, payload)
