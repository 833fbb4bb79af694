"""LangChain (langchain-openai) and the Node SDKs."""

from __future__ import annotations

import shutil
import subprocess

from conformance._case import CaseUnavailable, Level, case
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


_OPENAI_NODE_MIN = 22
"""openai-node 7's `engines` field asks for Node >= 22 (checked on npm; @anthropic-ai/sdk has none)."""


def _node_unavailable(package: str, min_major: int | None = None) -> None:
    """Node SDK cases are declared but not run: the suite does not install npm packages. Say why,
    naming the Node found and, where the SDK's `engines` field rules it out, that too."""
    node = shutil.which("node")
    if node is None:
        raise CaseUnavailable("node is not installed")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    major = int(version.lstrip("v").split(".")[0]) if version.lstrip("v")[:1].isdigit() else 0
    if min_major is not None and major < min_major:
        raise CaseUnavailable(f"{package} needs Node >= {min_major} (engines field); found {version}")
    raise CaseUnavailable(
        f"{package}: Node SDK cases are not run (the suite installs no npm packages); found {version}"
    )


@case(
    "sdk.node.openai",
    level=Level.SHOULD,
    profile=P,
    title="openai-node streaming",
    sends="openai-node chat.completions.stream()",
    needs="Node >= 22 with openai-node installed (not run yet: unavailable)",
    requirement="Streams and accumulates like openai-python.",
    sources=("B6", "C1"),
)
def _node_openai(ctx: Context) -> None:
    _node_unavailable("openai (node)", _OPENAI_NODE_MIN)


@case(
    "sdk.node.anthropic",
    level=Level.SHOULD,
    profile=P,
    title="anthropic-sdk-typescript streaming",
    sends="@anthropic-ai/sdk messages.stream()",
    needs="Node with @anthropic-ai/sdk installed (not run yet: unavailable)",
    requirement="Streams and accumulates like the Python SDK.",
    sources=("E1", "E9"),
)
def _node_anthropic(ctx: Context) -> None:
    _node_unavailable("@anthropic-ai/sdk")
