"""`POST /v1/messages` and `/v1/messages/count_tokens`: Anthropic dialect (wire-checklist D, E, G)."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Response, post

from reference_server._auth import byok_present, credits_for
from reference_server._catalog import parse_chat_model
from reference_server._errors import ApiError
from reference_server._executor import Completion, Conversation, ToolSpec, execute, summarize
from reference_server._json import JSONResponse
from reference_server._limits import MESSAGES_BUDGET, check_max_tokens
from reference_server._offered import check_messages_offered, check_messages_translatable
from reference_server._pipeline import ERRORS_COUNT, ERRORS_MESSAGES, admit, mock_stream_error, settings_of
from reference_server._schemas import check_messages_schemas
from reference_server._sse import anthropic_frame, pace, sse_response
from reference_server._stratus import plan_for, stratus_metadata
from reference_server._tokens import count_tokens, split_tokens
from reference_server._upstream import run_messages
from reference_server._wire._common import StratusMetadata
from reference_server._wire._messages import (
    AnthropicTool,
    AnyToolChoice,
    AssistantTurn,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    CountTokensRequest,
    CountTokensResponse,
    ErrorEvent,
    InputJSONDelta,
    InputMessage,
    MessageDelta,
    MessageDeltaEvent,
    MessageDeltaUsage,
    MessagesRequest,
    MessagesResponse,
    MessageStartEvent,
    MessageStartMessage,
    MessageStopEvent,
    MessagesUsage,
    NamedToolChoice,
    NoneToolChoice,
    OutTextBlock,
    OutToolUseBlock,
    PingEvent,
    StopReason,
    StreamErrorDetail,
    SystemTextBlock,
    SystemTurn,
    TextBlock,
    TextDelta,
    ToolResultBlock,
    ToolUseBlock,
    UserTurn,
)

__all__ = ["count_message_tokens", "create_message"]

_STOP_REASONS: dict[str, StopReason] = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
_TEXT_PIECE_TOKENS = 4
_ARG_PIECE_CHARS = 16


def _blocks_text(content: str | list[Any] | msgspec.UnsetType | None) -> str:
    if content is None or content is msgspec.UNSET:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(b.text for b in content if isinstance(b, (TextBlock, SystemTextBlock)))


def _custom_tools(req: MessagesRequest | CountTokensRequest) -> list[AnthropicTool]:
    """The tools the embedded executor calls today: custom tools (the others are accepted, D-SURF-1)."""
    return [t for t in req.tools or [] if isinstance(t, AnthropicTool)]


def _check(req: MessagesRequest | CountTokensRequest) -> None:
    """Rules the Structs cannot express, then the schema-valued parameters and what is not offered."""
    for i, msg in enumerate(req.messages):
        if isinstance(msg, AssistantTurn) and isinstance(msg.content, list):
            for j, block in enumerate(msg.content):
                if isinstance(block, ToolResultBlock):
                    raise ApiError(
                        400,
                        f"messages.{i}.content.{j}: tool_result blocks can only be in user messages.",
                        param=f"messages.{i}.content.{j}",
                    )
    check_messages_schemas(req)
    check_messages_offered(req)


def _prompt_and_state(
    system: str | list[SystemTextBlock] | msgspec.UnsetType,
    messages: list[InputMessage],
    tools: list[AnthropicTool],
) -> tuple[str, str, str, list[tuple[str, str]]]:
    """(prompt text for counting, state, goal, tool results after the last user text)."""
    for i, tool in enumerate(tools):
        schema = tool.input_schema
        if (
            schema.get("type") != "object"
            or not isinstance(schema.get("properties", {}), dict | None)
            or not isinstance(schema.get("required", []), list | None)
        ):
            raise ApiError(400, f'tools.{i}.input_schema: must be a JSON Schema with "type": "object".')
    state = _blocks_text(system)
    prompt = [state] if state else []
    states = [state] if state else []
    goal = ""
    results: list[tuple[str, str]] = []
    names: dict[str, str] = {}
    for msg in messages:
        text = _blocks_text(msg.content)
        is_user = isinstance(msg, UserTurn)
        prompt.append(f"{type(msg).__struct_config__.tag}\n{text}")
        if isinstance(msg, SystemTurn) and text:
            states.append(text)
        if isinstance(msg.content, list):
            for block in msg.content:
                if isinstance(block, ToolUseBlock):
                    names[block.id] = block.name
                    prompt.append(block.name + msgspec.json.encode(block.input).decode())
                elif isinstance(block, ToolResultBlock):
                    body = _blocks_text(block.content)
                    prompt.append(body)
                    results.append((names.get(block.tool_use_id, "the tool"), body))
        if is_user and text:
            goal, results = text, []
    for tool in tools:
        prompt.append(tool.name + (tool.description or "") + msgspec.json.encode(tool.input_schema).decode())
    return "\n".join(prompt), "\n\n".join(states), goal, results


def _not_found(model: str) -> ApiError:
    return ApiError(
        404, f"model: {model} (not a valid Stratus model id; expected stratus-x1ac-{{size}}-{{llm}})"
    )


@post("/v1/messages/count_tokens", status_code=200)
async def count_message_tokens(request: Request[Any, Any, Any]) -> Response[Any]:
    """Count the input tokens of a messages request (D-MSG-4)."""
    req, _ = await admit(request, CountTokensRequest, statuses=ERRORS_COUNT, model_error=_not_found)
    if parse_chat_model(req.model) is None:
        raise _not_found(req.model)
    _check(req)
    prompt, _, _, _ = _prompt_and_state(req.system, req.messages, _custom_tools(req))
    body = CountTokensResponse(input_tokens=count_tokens(prompt))
    return JSONResponse(body)


def _conversation(
    req: MessagesRequest, state: str, goal: str, results: list[tuple[str, str]]
) -> Conversation:
    tools = [
        ToolSpec(name=t.name, description=t.description or "", parameters=t.input_schema)
        for t in _custom_tools(req)
    ]
    choice = req.tool_choice
    names = {t.name for t in tools}
    mode = "auto" if tools else "none"
    forced = None
    if isinstance(choice, NoneToolChoice):
        mode = "none"
    elif isinstance(choice, AnyToolChoice):
        mode = "required"
    elif isinstance(choice, NamedToolChoice):
        if choice.name not in names:
            raise ApiError(400, f"tool_choice.name: tool '{choice.name}' is not among the request's tools.")
        mode, forced = "named", choice.name
    parallel = getattr(choice, "disable_parallel_tool_use", False) is not True
    return Conversation(
        state=state,
        goal=goal,
        tools=tools,
        tool_mode=mode,  # type: ignore[arg-type]
        forced_tool=forced,
        parallel=parallel,
        tool_results=results,
        max_tokens=min(req.max_tokens, MESSAGES_BUDGET),  # D-MSG-5
        stops=list(req.stop_sequences or []),
    )


def _content(done: Completion) -> list[OutTextBlock | OutToolUseBlock]:
    blocks: list[OutTextBlock | OutToolUseBlock] = []
    if done.text:
        blocks.append(OutTextBlock(text=done.text))
    blocks.extend(OutToolUseBlock(id=c.id, name=c.name, input=c.input) for c in done.tool_calls)
    return blocks


@post("/v1/messages", status_code=200)
async def create_message(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a message (non-streaming JSON, or Anthropic SSE events with `stream: true`)."""
    req, account = await admit(request, MessagesRequest, statuses=ERRORS_MESSAGES, model_error=_not_found)
    model = parse_chat_model(req.model)
    if model is None:
        raise _not_found(req.model)
    check_max_tokens(model, req.max_tokens)
    _check(req)
    fail_after = mock_stream_error(request) if req.stream else None
    prompt, state, goal, results = _prompt_and_state(req.system, req.messages, _custom_tools(req))
    conv = _conversation(req, state, goal, results)
    input_tokens = count_tokens(prompt)
    settings = settings_of(request)
    if settings.executor == "upstream":  # D-EXEC-1
        check_messages_translatable(req, model.llm)
        return await run_messages(
            request,
            req,
            model,
            account,
            state=conv.state,
            goal=conv.goal,
            input_tokens=input_tokens,
            fail_after=fail_after,
            settings=settings,
        )
    byok = byok_present(request.headers)
    account.reserve(credits_for(input_tokens + (conv.max_tokens or 0), model.size, pool=not byok))
    plan, planning_ms = plan_for(model.size, conv.state, conv.goal)
    t0 = time.perf_counter()
    done = execute(conv, plan, dialect="anthropic")
    execution_ms = (time.perf_counter() - t0) * 1e3
    account.charge(credits_for(input_tokens + done.completion_tokens, model.size, pool=not byok))
    summary = summarize(done)
    stratus = stratus_metadata(
        plan, model, byok=byok, planning_ms=planning_ms, execution_ms=execution_ms, summary=summary
    )
    mid = "msg_" + secrets.token_hex(12)
    stop_reason: StopReason = (
        "stop_sequence" if done.stop_sequence is not None else _STOP_REASONS[done.finish]
    )
    if req.stream:
        events = _stream(
            mid,
            req.model,
            done,
            stop_reason,
            input_tokens,
            stratus,
            fail_after,
            settings.stream_delay_ms / 1e3,
        )
        return sse_response(events, {})
    body = MessagesResponse(
        id=mid,
        type="message",
        role="assistant",
        content=_content(done),
        model=req.model,
        stop_reason=stop_reason,
        stop_sequence=done.stop_sequence,
        usage=MessagesUsage(input_tokens=input_tokens, output_tokens=done.completion_tokens),
        stratus=stratus,
    )
    return JSONResponse(body)


def _events(
    mid: str,
    model: str,
    done: Completion,
    stop_reason: StopReason,
    input_tokens: int,
    stratus: StratusMetadata,
) -> list[tuple[str, Any]]:
    start = MessageStartMessage(
        id=mid,
        type="message",
        role="assistant",
        content=(),
        model=model,
        stop_reason=None,
        stop_sequence=None,
        usage=MessagesUsage(input_tokens=input_tokens, output_tokens=min(1, done.completion_tokens)),
        stratus=stratus,
    )
    events: list[tuple[str, Any]] = [("message_start", MessageStartEvent(message=start))]
    index = 0
    if done.text:
        events.append(
            ("content_block_start", ContentBlockStartEvent(index=0, content_block=OutTextBlock(text="")))
        )
        events.append(("ping", PingEvent()))
        tokens = split_tokens(done.text)
        for i in range(0, len(tokens), _TEXT_PIECE_TOKENS):
            piece = TextDelta(text="".join(tokens[i : i + _TEXT_PIECE_TOKENS]))
            events.append(("content_block_delta", ContentBlockDeltaEvent(index=0, delta=piece)))
        events.append(("content_block_stop", ContentBlockStopEvent(index=0)))
        index = 1
    for call in done.tool_calls:
        block = OutToolUseBlock(id=call.id, name=call.name, input={})
        events.append(("content_block_start", ContentBlockStartEvent(index=index, content_block=block)))
        if index == 0:
            events.append(("ping", PingEvent()))
        events.append(
            (
                "content_block_delta",
                ContentBlockDeltaEvent(index=index, delta=InputJSONDelta(partial_json="")),
            )
        )
        for j in range(0, len(call.arguments), _ARG_PIECE_CHARS):
            fragment = InputJSONDelta(partial_json=call.arguments[j : j + _ARG_PIECE_CHARS])
            events.append(("content_block_delta", ContentBlockDeltaEvent(index=index, delta=fragment)))
        events.append(("content_block_stop", ContentBlockStopEvent(index=index)))
        index += 1
    if index == 0:
        events.append(("ping", PingEvent()))
    delta = MessageDeltaEvent(
        delta=MessageDelta(stop_reason=stop_reason, stop_sequence=done.stop_sequence),
        usage=MessageDeltaUsage(output_tokens=done.completion_tokens, input_tokens=input_tokens),
        stratus=stratus,
    )
    events.append(("message_delta", delta))
    events.append(("message_stop", MessageStopEvent()))
    return events


async def _stream(
    mid: str,
    model: str,
    done: Completion,
    stop_reason: StopReason,
    input_tokens: int,
    stratus: StratusMetadata,
    fail_after: int | None,
    delay_s: float,
) -> AsyncIterator[bytes]:
    """Anthropic's event grammar (E1-E9); an in-stream error is `event: error` then close (E10)."""
    for sent, (name, payload) in enumerate(_events(mid, model, done, stop_reason, input_tokens, stratus)):
        if fail_after is not None and sent >= fail_after:
            detail = StreamErrorDetail(type="overloaded_error", message="Overloaded (mock stream error).")
            yield anthropic_frame("error", ErrorEvent(error=detail))
            return
        yield anthropic_frame(name, payload)
        await pace(delay_s)
