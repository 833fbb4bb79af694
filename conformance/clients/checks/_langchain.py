"""LangChain chat models (langchain-openai, langchain-anthropic): invoke, stream, a tool round trip
through ToolMessage, every `with_structured_output` method each offers, and the auth error class.

LangChain keeps no raw response (unknown top-level fields such as `stratus` are dropped), so there is
no `stratus` check here."""

from __future__ import annotations

from typing import Any

from .._registry import check, expect, require
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "sdk"
OPENAI_PKG = ("langchain-openai", "langchain-core", "openai")
ANTHROPIC_PKG = ("langchain-anthropic", "langchain-core", "anthropic")


def _openai(t: Target, key: str | None = None) -> Any:
    lc = require("langchain_openai")
    return lc.ChatOpenAI(
        model=t.openai_model,
        base_url=t.openai_base,
        api_key=key or t.api_key,
        max_retries=0,
        timeout=t.timeout_s,
    )


def _anthropic(t: Target, key: str | None = None) -> Any:
    lc = require("langchain_anthropic")
    return lc.ChatAnthropic(
        model=t.anthropic_model,
        base_url=t.anthropic_base,
        api_key=key or t.api_key,
        max_retries=0,
        timeout=t.timeout_s,
    )


MODELS = {"langchain_openai": (_openai, OPENAI_PKG), "langchain_anthropic": (_anthropic, ANTHROPIC_PKG)}


def _invoke(make: Any) -> Any:
    def run(t: Target) -> str:
        from .._shapes import PROMPT

        msg = make(t).invoke(PROMPT)
        expect(isinstance(msg.content, str) and msg.content, f"content={msg.content!r}")
        return f"{len(msg.content)} chars"

    return run


def _stream(make: Any) -> Any:
    def run(t: Target) -> str:
        from .._shapes import PROMPT

        chunks = list(make(t).stream(PROMPT))
        text = "".join(c.text for c in chunks)
        expect(text, f"{len(chunks)} chunks, no text")
        return f"{len(chunks)} chunks"

    return run


def _tools(make: Any) -> Any:
    def run(t: Target) -> str:
        from .._shapes import TOOL_PROMPT, get_weather

        messages_mod = require("langchain_core.messages")
        tools_mod = require("langchain_core.tools")
        tool = tools_mod.tool(get_weather)
        model = make(t).bind_tools([tool])
        history: list[Any] = [messages_mod.HumanMessage(TOOL_PROMPT)]
        first = model.invoke(history)
        expect(
            first.tool_calls and first.tool_calls[0]["name"] == "get_weather",
            f"tool_calls={first.tool_calls!r}",
        )
        history += [first, tool.invoke(first.tool_calls[0])]
        final = model.invoke(history)
        expect(not final.tool_calls, f"second turn called tools again: {final.tool_calls!r}")
        expect(final.text, "second turn has no text")
        return f"args={first.tool_calls[0]['args']!r}; {final.text[:60]!r}"

    return run


def _structured(make: Any, method: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT, Plan

        runnable = make(t).with_structured_output(Plan, method=method, include_raw=True)
        out = runnable.invoke(STRUCTURED_PROMPT)
        if out.get("parsing_error") is not None:
            raise CheckFailed(f"parsing_error: {out['parsing_error']!r:.400}")
        expect(
            isinstance(out.get("parsed"), Plan), f"parsed={out.get('parsed')!r} raw={out.get('raw')!r:.300}"
        )
        return f"{len(out['parsed'].steps)} steps"

    return run


def _auth(make: Any, sdk: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import PROMPT

        error = require(sdk).AuthenticationError
        try:
            make(t, key=t.wrong_key).invoke(PROMPT)
        except error as exc:
            return f"{exc.status_code} {sdk}.{type(exc).__name__}"
        raise CheckFailed("a wrong key was accepted")

    return run


_METHODS = {
    "langchain_openai": ("function_calling", "json_mode", "json_schema"),
    "langchain_anthropic": ("function_calling", "json_schema"),
}
for _name, (_make, _pkg) in MODELS.items():
    _sdk = "openai" if _name == "langchain_openai" else "anthropic"
    check(f"{_name}.invoke", venv=V, packages=_pkg, what="invoke(prompt): an AIMessage with text")(
        _invoke(_make)
    )
    check(f"{_name}.stream", venv=V, packages=_pkg, what="stream(prompt): chunks with text")(_stream(_make))
    check(
        f"{_name}.tools",
        venv=V,
        packages=_pkg,
        what="bind_tools([get_weather]): a tool call, a ToolMessage back, a final text answer",
    )(_tools(_make))
    for _method in _METHODS[_name]:
        check(
            f"{_name}.structured.{_method}",
            venv=V,
            packages=_pkg,
            what=f"with_structured_output(Plan, method={_method!r}, include_raw=True): parsed is the model",
        )(_structured(_make, _method))
    check(
        f"{_name}.auth",
        venv=V,
        packages=_pkg,
        what=f"a wrong key raises {_sdk}.AuthenticationError through LangChain",
        expect_status=(401,),
    )(_auth(_make, _sdk))
