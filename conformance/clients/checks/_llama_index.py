"""llama-index's `OpenAILike` (llama-index-llms-openai-like): chat, stream_chat, complete, a tool round
trip, structured output (`structured_predict` through function calling and through text,
`as_structured_llm`), the auth error class, and `stratus` through `ChatResponse.raw`.

`OpenAILike` defaults to `is_chat_model=False`, which sends `complete()` to /v1/completions; Stratus
serves chat completions only, so `complete_default` records what a user of the default gets.

Runs in a venv of its own: llama-index-llms-openai pins an older openai."""

from __future__ import annotations

from typing import Any

from .._registry import check, expect, require, stratus_note
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "llama_index"
PKG = ("llama-index-llms-openai-like", "llama-index-core", "openai")


def _llm(
    t: Target, *, chat: bool | None = True, tools: bool = True, key: str | None = None, **extra: Any
) -> Any:
    """`chat=None` leaves `is_chat_model` at the library's default."""
    options: dict[str, Any] = {"is_function_calling_model": tools}
    if chat is not None:
        options["is_chat_model"] = chat
    return require("llama_index.llms.openai_like").OpenAILike(
        model=t.openai_model,
        api_base=t.openai_base,
        api_key=key or t.api_key,
        context_window=128000,
        max_retries=0,
        timeout=t.timeout_s,
        **options,
        **extra,
    )


def _user(text: str = "") -> list[Any]:
    from .._shapes import PROMPT

    return [require("llama_index.core.llms").ChatMessage(role="user", content=text or PROMPT)]


def _content(response: Any) -> str:
    content = response.message.content
    expect(isinstance(content, str) and content, f"content={content!r}")
    return str(content)


@check("llama_index.chat", venv=V, packages=PKG, what="OpenAILike(is_chat_model=True).chat: text")
def _chat(t: Target) -> str:
    return f"{len(_content(_llm(t).chat(_user())))} chars"


@check("llama_index.stream_chat", venv=V, packages=PKG, what="stream_chat: deltas join to the final text")
def _stream_chat(t: Target) -> str:
    chunks = list(_llm(t).stream_chat(_user()))
    expect(chunks, "no chunks")
    text = "".join(c.delta or "" for c in chunks)
    expect(text and text == chunks[-1].message.content, "deltas differ from the accumulated message")
    return f"{len(chunks)} chunks"


@check(
    "llama_index.complete_chat_model",
    venv=V,
    packages=PKG,
    what="complete() with is_chat_model=True: sent as a chat completion, text back",
)
def _complete_chat(t: Target) -> str:
    from .._shapes import PROMPT

    text = _llm(t).complete(PROMPT).text
    expect(text, "no text")
    return f"{len(text)} chars"


@check(
    "llama_index.complete_default",
    venv=V,
    packages=PKG,
    what="complete() with the default is_chat_model=False (POST /v1/completions): text back",
)
def _complete_default(t: Target) -> str:
    from .._shapes import PROMPT

    text = _llm(t, chat=None).complete(PROMPT).text
    expect(text, "no text")
    return f"{len(text)} chars"


@check(
    "llama_index.tools",
    venv=V,
    packages=PKG,
    what="chat_with_tools([get_weather]): a tool call, a tool message back, a final text answer",
)
def _tools(t: Target) -> str:
    from .._shapes import TOOL_PROMPT, get_weather

    core = require("llama_index.core.llms")
    tool = require("llama_index.core.tools").FunctionTool.from_defaults(fn=get_weather)
    llm = _llm(t)
    history = _user(TOOL_PROMPT)
    first = llm.chat_with_tools([tool], chat_history=history)
    calls = llm.get_tool_calls_from_response(first, error_on_no_tool_call=False)
    expect(calls and calls[0].tool_name == "get_weather", f"tool calls={calls!r}")
    city = calls[0].tool_kwargs.get("city")
    expect(isinstance(city, str) and city, f"arguments={calls[0].tool_kwargs!r}")
    result = get_weather(city)
    history += [
        first.message,
        core.ChatMessage(
            role="tool",
            content=result,
            additional_kwargs={"tool_call_id": calls[0].tool_id, "name": "get_weather"},
        ),
    ]
    final = llm.chat_with_tools([tool], chat_history=history)
    expect(
        not llm.get_tool_calls_from_response(final, error_on_no_tool_call=False), "second turn called tools"
    )
    return f"args={calls[0].tool_kwargs!r}; {_content(final)[:60]!r}"


def _structured_predict(function_calling: bool) -> Any:
    def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT, Plan

        prompt = require("llama_index.core.prompts").PromptTemplate(STRUCTURED_PROMPT)
        plan = _llm(t, tools=function_calling).structured_predict(Plan, prompt)
        expect(isinstance(plan, Plan), f"{plan!r}")
        return f"{len(plan.steps)} steps"

    return run


check(
    "llama_index.structured.function_calling",
    venv=V,
    packages=PKG,
    what="structured_predict(Plan) with is_function_calling_model=True (a forced tool call)",
)(_structured_predict(True))
check(
    "llama_index.structured.text",
    venv=V,
    packages=PKG,
    what="structured_predict(Plan) with is_function_calling_model=False (JSON parsed from the text)",
)(_structured_predict(False))


@check(
    "llama_index.structured.structured_llm",
    venv=V,
    packages=PKG,
    what="as_structured_llm(Plan).chat: response.raw is the model",
)
def _structured_llm(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    response = _llm(t).as_structured_llm(Plan).chat(_user(STRUCTURED_PROMPT))
    expect(isinstance(response.raw, Plan), f"raw={response.raw!r}")
    return f"{len(response.raw.steps)} steps"


@check(
    "llama_index.auth",
    venv=V,
    packages=PKG,
    what="a wrong key raises openai.AuthenticationError",
    expect_status=(401,),
)
def _auth(t: Target) -> str:
    openai = require("openai")
    try:
        _llm(t, key=t.wrong_key).chat(_user())
    except openai.AuthenticationError as exc:
        return f"{exc.status_code} openai.AuthenticationError"
    raise CheckFailed("a wrong key was accepted")


@check(
    "llama_index.stratus", venv=V, packages=PKG, what="ChatResponse.raw (the ChatCompletion) carries stratus"
)
def _stratus(t: Target) -> str:
    raw = _llm(t).chat(_user()).raw
    extra = getattr(raw, "model_extra", None) or (raw if isinstance(raw, dict) else {})
    stratus = extra.get("stratus")
    return stratus_note(stratus, "stratus")
