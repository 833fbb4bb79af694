"""LangChain (langchain-openai): invoke, stream, tools (its other cases are in ``sdk_clients``)."""

from __future__ import annotations

from conformance._case import Level, case
from conformance._context import Context
from conformance.cases._common import PROMPT, WEATHER_TOOL_OPENAI, check
from conformance.cases._sdk import http_client, require

__all__: list[str] = []

P = "sdk"


def _chat_model(ctx: Context) -> object:
    lc = require("langchain_openai", extra="sdk")
    return lc.ChatOpenAI(
        model=ctx.target.model,
        base_url=f"{ctx.target.base_url}/v1",
        api_key=ctx.target.api_key,
        max_retries=0,
        http_client=http_client(ctx, require("openai")),
    )


@case(
    "sdk.langchain.invoke",
    level=Level.SHOULD,
    profile=P,
    title="ChatOpenAI.invoke",
    sends="langchain_openai.ChatOpenAI(...).invoke(prompt)",
    needs="langchain-openai installed ([sdk] extra) and a completion with text",
    requirement="Returns an AIMessage with text (LangChain rejects null choices).",
    sources=("A15",),
)
def _invoke(ctx: Context) -> None:
    msg = _chat_model(ctx).invoke(PROMPT)  # type: ignore[attr-defined]
    check(isinstance(msg.content, str) and msg.content, f"content={msg.content!r}")


@case(
    "sdk.langchain.stream",
    level=Level.SHOULD,
    profile=P,
    title="ChatOpenAI.stream",
    sends="ChatOpenAI(...).stream(prompt)",
    needs="langchain-openai installed ([sdk] extra), an event stream and a completion",
    requirement="Chunks concatenate to the invoke() text.",
    sources=("B4", "A15"),
)
def _stream(ctx: Context) -> None:
    m = _chat_model(ctx)
    text = "".join(str(c.content) for c in m.stream(PROMPT))  # type: ignore[attr-defined]
    check(text == m.invoke(PROMPT).content, "streamed text differs from invoke()")  # type: ignore[attr-defined]


@case(
    "sdk.langchain.tools",
    level=Level.SHOULD,
    profile=P,
    title="ChatOpenAI.bind_tools",
    sends="ChatOpenAI(...).bind_tools([get_weather], tool_choice='required').invoke(prompt)",
    needs="langchain-openai installed ([sdk] extra) and a completion with a tool call",
    requirement="The AIMessage has tool_calls with name get_weather and dict args.",
    sources=("A8",),
)
def _tools(ctx: Context) -> None:
    m = _chat_model(ctx).bind_tools([WEATHER_TOOL_OPENAI], tool_choice="required")  # type: ignore[attr-defined]
    msg = m.invoke(PROMPT)
    calls = msg.tool_calls
    check(
        calls and calls[0]["name"] == "get_weather" and isinstance(calls[0]["args"], dict),
        f"tool_calls={calls!r}",
    )
