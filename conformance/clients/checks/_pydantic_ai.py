"""pydantic-ai with its OpenAI and Anthropic models: a plain run, a streamed run, an agent with a tool,
typed output in each output mode (tool, native, prompted), an agent with tools and typed output
together, and the auth error class (`ModelAuthenticationError`).

pydantic-ai keeps no raw response, so there is no `stratus` check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from .._registry import check, expect, require
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "sdk"
REQUEST_LIMIT = 6


@contextlib.asynccontextmanager
async def _openai_model(t: Target, key: str | None = None, *, profile: bool = False) -> AsyncIterator[Any]:
    openai = require("openai")
    client = openai.AsyncOpenAI(
        base_url=t.openai_base, api_key=key or t.api_key, max_retries=0, timeout=t.timeout_s
    )
    provider = require("pydantic_ai.providers.openai").OpenAIProvider(openai_client=client)
    async with client:
        yield require("pydantic_ai.models.openai").OpenAIChatModel(t.openai_model, provider=provider)


@contextlib.asynccontextmanager
async def _anthropic_model(t: Target, key: str | None = None, *, profile: bool = False) -> AsyncIterator[Any]:
    """`profile`: give the model the profile of the Claude model it stands for; pydantic-ai picks
    features (native structured output) from the model name, and a `stratus-…` name matches none."""
    anthropic = require("anthropic")
    client = anthropic.AsyncAnthropic(
        base_url=t.anthropic_base, api_key=key or t.api_key, max_retries=0, timeout=t.timeout_s
    )
    provider = require("pydantic_ai.providers.anthropic").AnthropicProvider(anthropic_client=client)
    extra: dict[str, Any] = {}
    if profile:
        claude = t.anthropic_model.split("-", 3)[-1]
        extra["profile"] = require("pydantic_ai.profiles.anthropic").anthropic_model_profile(claude)
    async with client:
        yield require("pydantic_ai.models.anthropic").AnthropicModel(
            t.anthropic_model, provider=provider, **extra
        )


MODELS = {
    "openai": (_openai_model, ("pydantic-ai-slim", "openai")),
    "anthropic": (_anthropic_model, ("pydantic-ai-slim", "anthropic")),
}


async def _run_agent(agent: Any, prompt: str) -> Any:
    """Run, and on a run that ends without an answer say which calls the model made."""
    pai = require("pydantic_ai")
    with pai.capture_run_messages() as messages:
        try:
            return await agent.run(prompt, usage_limits=_limits())
        except pai.UsageLimitExceeded as exc:
            calls = [
                p.tool_name for m in messages for p in getattr(m, "parts", ()) if p.part_kind == "tool-call"
            ]
            raise CheckFailed(f"{exc} — the model's calls: {calls}") from exc


def _limits() -> Any:
    return require("pydantic_ai.usage").UsageLimits(request_limit=REQUEST_LIMIT)


def _run(make: Any) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import PROMPT

        async with make(t) as model:
            result = await _run_agent(require("pydantic_ai").Agent(model), PROMPT)
        expect(isinstance(result.output, str) and result.output, f"output={result.output!r}")
        return f"{len(result.output)} chars"

    return run


def _stream(make: Any) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import PROMPT

        async with (
            make(t) as model,
            require("pydantic_ai").Agent(model).run_stream(PROMPT, usage_limits=_limits()) as result,
        ):
            pieces = [piece async for piece in result.stream_text(delta=True)]
        expect("".join(pieces), f"{len(pieces)} pieces, no text")
        return f"{len(pieces)} pieces"

    return run


def _tools(make: Any) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import TOOL_PROMPT, get_weather

        calls: list[str] = []

        def weather(city: str) -> str:
            """Current weather for a city."""
            calls.append(city)
            return get_weather(city)

        pai = require("pydantic_ai")
        async with make(t) as model:
            agent = pai.Agent(model, tools=[pai.Tool(weather, name="get_weather")])
            result = await _run_agent(agent, TOOL_PROMPT)
        expect(calls, "the tool never ran")
        expect(isinstance(result.output, str) and result.output, f"output={result.output!r}")
        return f"tool ran for {calls}; {result.output[:60]!r}"

    return run


def _output(make: Any, mode: str, *, profile: bool = False) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT, Plan

        pai = require("pydantic_ai")
        output_type = {"tool": pai.ToolOutput, "native": pai.NativeOutput, "prompted": pai.PromptedOutput}[
            mode
        ](Plan)
        async with make(t, profile=profile) as model:
            result = await _run_agent(pai.Agent(model, output_type=output_type), STRUCTURED_PROMPT)
        expect(isinstance(result.output, Plan), f"output={result.output!r}")
        return f"{len(result.output.steps)} steps"

    return run


def _agent(make: Any) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import Plan, get_weather

        calls: list[str] = []

        def weather(city: str) -> str:
            """Current weather for a city."""
            calls.append(city)
            return get_weather(city)

        pai = require("pydantic_ai")
        prompt = "Check the weather in Paris with get_weather, then plan a walk through the city as steps."
        async with make(t) as model:
            agent = pai.Agent(model, output_type=Plan, tools=[pai.Tool(weather, name="get_weather")])
            result = await _run_agent(agent, prompt)
        expect(calls, "the tool never ran")
        expect(isinstance(result.output, Plan), f"output={result.output!r}")
        return f"tool ran for {calls}; {len(result.output.steps)} steps"

    return run


def _auth(make: Any) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import PROMPT

        pai = require("pydantic_ai")
        try:
            async with make(t, key=t.wrong_key) as model:
                await pai.Agent(model).run(PROMPT, usage_limits=_limits())
        except pai.ModelAuthenticationError as exc:
            return f"{type(exc).__name__} {getattr(exc, 'status_code', '')}".strip()
        raise CheckFailed("a wrong key was accepted")

    return run


for _name, (_make, _pkg) in MODELS.items():
    _id = f"pydantic_ai.{_name}"
    check(f"{_id}.run", venv=V, packages=_pkg, what="Agent.run(prompt): text output")(_run(_make))
    check(f"{_id}.stream", venv=V, packages=_pkg, what="Agent.run_stream(): stream_text(delta=True)")(
        _stream(_make)
    )
    check(
        f"{_id}.tools",
        venv=V,
        packages=_pkg,
        what="an agent with a get_weather tool: it runs, text ends the run",
    )(_tools(_make))
    for _mode in ("tool", "native", "prompted"):
        check(
            f"{_id}.structured.{_mode}",
            venv=V,
            packages=_pkg,
            what=f"Agent(output_type={_mode.capitalize()}Output(Plan)): the output is the model",
        )(_output(_make, _mode))
    if _name == "anthropic":
        check(
            f"{_id}.structured.native_profile",
            venv=V,
            packages=_pkg,
            what="NativeOutput(Plan) with the Claude model profile set: the output is the model",
        )(_output(_make, "native", profile=True))
    check(
        f"{_id}.agent",
        venv=V,
        packages=_pkg,
        what="an agent with a tool and output_type=Plan: the tool runs, the output is the model",
    )(_agent(_make))
    check(
        f"{_id}.auth",
        venv=V,
        packages=_pkg,
        what="a wrong key raises pydantic_ai.ModelAuthenticationError",
        expect_status=(401,),
    )(_auth(_make))
