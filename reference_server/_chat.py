"""`POST /v1/chat/completions`: OpenAI dialect onto the executor, JSON or SSE (wire-checklist A, B)."""

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
from reference_server._offered import check_chat_offered, check_chat_translatable
from reference_server._pipeline import ERRORS_CHAT, admit, mock_stream_error, settings_of
from reference_server._schemas import check_chat_schemas
from reference_server._sse import DONE, openai_frame, pace, sse_response
from reference_server._stratus import plan_for, stratus_metadata
from reference_server._tokens import count_tokens, split_tokens
from reference_server._upstream import run_chat
from reference_server._wire._chat import (
    AssistantMessage,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatCompletionResponse,
    Choice,
    ChunkChoice,
    ChunkDelta,
    ChunkFunctionDelta,
    ChunkToolCallDelta,
    CompletionUsage,
    DeveloperMessage,
    PlainTextPart,
    ResponseFunctionCall,
    ResponseMessage,
    ResponseToolCall,
    SystemMessage,
    TextPart,
    ToolMessage,
    UserMessage,
)
from reference_server._wire._chat_request import (
    AllowedToolChoice,
    CustomTool,
    NamedCustomToolChoice,
    NamedToolChoice,
    Tool,
    ToolCall,
)
from reference_server._wire._common import StratusMetadata
from reference_server._wire._other import OpenAIError

__all__ = ["chat_completions", "invalid_model"]

_TEXT_PIECE_TOKENS = 4
_ARG_PIECE_CHARS = 16


def invalid_model(model: str) -> ApiError:
    return ApiError(
        400,
        f"Model '{model}' is not valid. Use stratus-x1ac-{{size}}-{{llm}} with size small, base, large, xl or huge.",
        param="model",
        code="invalid_model",
        type_="invalid_model",
    )


def _text(content: str | list[Any] | msgspec.UnsetType | None) -> str:
    if content is None or content is msgspec.UNSET:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(p.text for p in content if isinstance(p, (TextPart, PlainTextPart)))


def _conversation(req: ChatCompletionRequest) -> tuple[Conversation, str]:
    """The executor's view of the request, and the prompt text that `prompt_tokens` counts."""
    state: list[str] = []
    goal = ""
    last_user = -1
    call_names: dict[str, str] = {}
    prompt: list[str] = []
    for i, msg in enumerate(req.messages):
        body = _text(msg.content)
        prompt.append(f"{type(msg).__struct_config__.tag}\n{body}")
        if isinstance(msg, SystemMessage | DeveloperMessage):
            state.append(body)
        elif isinstance(msg, UserMessage):
            goal, last_user = body, i
        elif isinstance(msg, AssistantMessage) and msg.tool_calls:
            for call in msg.tool_calls:
                if isinstance(call, ToolCall):
                    call_names[call.id] = call.function.name
                    prompt.append(call.function.name + call.function.arguments)
                else:
                    call_names[call.id] = call.custom.name
                    prompt.append(call.custom.name + call.custom.input)
    results = [
        (call_names.get(m.tool_call_id, "the tool"), _text(m.content))
        for m in req.messages[last_user + 1 :]
        if isinstance(m, ToolMessage)
    ]
    functions = [t for t in req.tools or [] if isinstance(t, Tool)]
    tools = [
        ToolSpec(
            name=t.function.name,
            description=t.function.description or "",
            parameters=t.function.parameters or None,
        )
        for t in functions
    ]
    for t in functions:
        prompt.append(t.function.name + (t.function.description or ""))
        if t.function.parameters:
            prompt.append(msgspec.json.encode(t.function.parameters).decode())
    choice = req.tool_choice
    forced: str | None = None
    if isinstance(choice, msgspec.UnsetType):
        mode = "auto" if tools else "none"
    elif isinstance(choice, str):
        mode = choice
    elif isinstance(choice, AllowedToolChoice):
        mode = choice.allowed_tools.mode
    elif isinstance(choice, NamedToolChoice):
        mode, forced = "named", choice.function.name
    else:
        mode, forced = "named", choice.custom.name
    limits = [x for x in (req.max_tokens, req.max_completion_tokens) if isinstance(x, int)]
    stops = [req.stop] if isinstance(req.stop, str) else list(req.stop or [])
    conv = Conversation(
        state="\n".join(state),
        goal=goal,
        tools=tools,
        tool_mode=mode,  # type: ignore[arg-type]
        forced_tool=forced,
        parallel=req.parallel_tool_calls is not False,
        tool_results=results,
        max_tokens=min(limits) if limits else None,
        stops=stops,
    )
    return conv, "\n".join(prompt)


def _check(req: ChatCompletionRequest) -> None:
    """Rules the Structs cannot express (the schema's `anyOf` / `dependentSchemas`)."""
    if req.stream_options not in (None, msgspec.UNSET) and req.stream is not True:
        raise ApiError(
            400,
            "The 'stream_options' parameter is only allowed when 'stream' is true.",
            param="stream_options",
        )
    if req.top_logprobs is not None and req.top_logprobs is not msgspec.UNSET and req.logprobs is not True:
        raise ApiError(
            400,
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
            param="top_logprobs",
        )
    absent = (None, msgspec.UNSET)
    for i, msg in enumerate(req.messages):
        if (
            isinstance(msg, AssistantMessage)
            and not msg.tool_calls
            and msg.content in absent
            and msg.function_call in absent
            and msg.audio in absent
        ):
            raise ApiError(
                400,
                f"Invalid value for 'messages[{i}].content': an assistant message needs content or tool_calls.",
                param=f"messages[{i}].content",
                code="missing_required_parameter",
            )
    functions = {t.function.name for t in req.tools or [] if isinstance(t, Tool)}
    customs = {t.custom.name for t in req.tools or [] if isinstance(t, CustomTool)}
    choice = req.tool_choice
    if not isinstance(choice, msgspec.UnsetType) and choice != "none" and not (functions or customs):
        raise ApiError(400, "'tool_choice' is only allowed when 'tools' are specified.", param="tool_choice")
    named = (
        (choice.function.name, functions)
        if isinstance(choice, NamedToolChoice)
        else (choice.custom.name, customs)
        if isinstance(choice, NamedCustomToolChoice)
        else None
    )
    if named is not None and named[0] not in named[1]:
        raise ApiError(
            400, f"Tool choice '{named[0]}' is not among the request's tools.", param="tool_choice"
        )
    check_chat_schemas(req)
    check_chat_offered(req)


def _message(done: Completion) -> ResponseMessage:
    if done.tool_calls:
        calls = [
            ResponseToolCall(
                id=c.id, type="function", function=ResponseFunctionCall(name=c.name, arguments=c.arguments)
            )
            for c in done.tool_calls
        ]
        return ResponseMessage(role="assistant", content=None, tool_calls=calls)
    return ResponseMessage(role="assistant", content=done.text)


@post("/v1/chat/completions", status_code=200)
async def chat_completions(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a chat completion (non-streaming JSON, or SSE with `stream: true`)."""
    req, account = await admit(
        request, ChatCompletionRequest, statuses=ERRORS_CHAT, model_error=invalid_model
    )
    model = parse_chat_model(req.model)
    if model is None:
        raise invalid_model(req.model)
    _check(req)
    fail_after = mock_stream_error(request) if req.stream else None
    conv, prompt = _conversation(req)
    prompt_tokens = count_tokens(prompt)
    settings = settings_of(request)
    n = req.n or 1
    budget = conv.max_tokens if conv.max_tokens is not None else 1024
    if settings.executor == "upstream":  # D-EXEC-1
        check_chat_translatable(req, model.llm)
        return await run_chat(
            request,
            req,
            model,
            account,
            state=conv.state,
            goal=conv.goal,
            prompt_tokens=prompt_tokens,
            budget_tokens=budget * n,
            fail_after=fail_after,
            settings=settings,
        )
    byok = byok_present(request.headers) or any(
        (req.openai_key, req.anthropic_key, req.gemini_key, req.openrouter_key)
    )
    account.reserve(credits_for(prompt_tokens + budget * n, model.size, pool=not byok))
    plan, planning_ms = plan_for(model.size, conv.state, conv.goal)
    t0 = time.perf_counter()
    choices = [execute(conv, plan, index=i) for i in range(n)]
    execution_ms = (time.perf_counter() - t0) * 1e3
    completion_tokens = sum(c.completion_tokens for c in choices)
    account.charge(credits_for(prompt_tokens + completion_tokens, model.size, pool=not byok))
    usage = CompletionUsage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )
    stratus = stratus_metadata(
        plan,
        model,
        byok=byok,
        planning_ms=planning_ms,
        execution_ms=execution_ms,
        summary=summarize(choices[0]),
    )
    cid = "stratus-chatcmpl-" + secrets.token_hex(12)
    created = int(time.time())
    if req.stream:
        include_usage = bool(req.stream_options and req.stream_options.include_usage)
        events = _stream(
            cid,
            created,
            req.model,
            choices,
            usage,
            stratus,
            include_usage,
            fail_after,
            settings.stream_delay_ms / 1e3,
        )
        return sse_response(events, {})
    body = ChatCompletionResponse(
        id=cid,
        object="chat.completion",
        created=created,
        model=req.model,
        choices=[Choice(index=i, message=_message(c), finish_reason=c.finish) for i, c in enumerate(choices)],
        usage=usage,
        stratus=stratus,
    )
    return JSONResponse(body)


def _deltas(index: int, done: Completion) -> list[ChunkDelta]:
    """Role delta, then content or tool-call fragments (B4, B6), for one choice."""
    out = [ChunkDelta(role="assistant", content="")]
    tokens = split_tokens(done.text)
    for i in range(0, len(tokens), _TEXT_PIECE_TOKENS):
        out.append(ChunkDelta(content="".join(tokens[i : i + _TEXT_PIECE_TOKENS])))
    for k, call in enumerate(done.tool_calls):
        out.append(
            ChunkDelta(
                tool_calls=[
                    ChunkToolCallDelta(
                        index=k,
                        id=call.id,
                        type="function",
                        function=ChunkFunctionDelta(name=call.name, arguments=""),
                    )
                ]
            )
        )
        args = call.arguments
        for j in range(0, len(args), _ARG_PIECE_CHARS):
            piece = ChunkFunctionDelta(arguments=args[j : j + _ARG_PIECE_CHARS])
            out.append(ChunkDelta(tool_calls=[ChunkToolCallDelta(index=k, function=piece)]))
    return out


async def _stream(
    cid: str,
    created: int,
    model: str,
    choices: list[Completion],
    usage: CompletionUsage,
    stratus: StratusMetadata,
    include_usage: bool,
    fail_after: int | None,
    delay_s: float,
) -> AsyncIterator[bytes]:
    """The chunk sequence of wire-checklist B; `stratus` on the first and the last chunk (D-STR-1)."""
    null_usage: CompletionUsage | msgspec.UnsetType | None = None if include_usage else msgspec.UNSET
    chunks: list[ChatCompletionChunk] = []

    def chunk(choice_list: list[ChunkChoice]) -> ChatCompletionChunk:
        c = ChatCompletionChunk(
            id=cid,
            object="chat.completion.chunk",
            created=created,
            model=model,
            choices=choice_list,
            usage=null_usage,
        )
        chunks.append(c)
        return c

    for i, done in enumerate(choices):
        for delta in _deltas(i, done):
            chunk([ChunkChoice(index=i, delta=delta, finish_reason=None)])
        chunk([ChunkChoice(index=i, delta=ChunkDelta(), finish_reason=done.finish)])
    chunks[0].stratus = stratus
    if include_usage:
        final = chunk([])
        final.usage = usage
    chunks[-1].stratus = stratus
    for sent, c in enumerate(chunks):
        if fail_after is not None and sent >= fail_after:
            err = OpenAIError(
                message="Mock stream error requested with X-Stratus-Mock-Stream-Error.",
                type="internal_error",
                param=None,
                code="internal_error",
            )
            yield openai_frame({"error": err})
            yield DONE
            return
        yield openai_frame(c)
        await pace(delay_s)
    yield DONE
