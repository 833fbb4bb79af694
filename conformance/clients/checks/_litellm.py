"""The litellm SDK as a client, on its `openai/` and `anthropic/` routes: completion, acompletion, a
stream, a tool round trip, structured output (a pydantic `response_format`, and `json_object`), the
auth error class (`litellm.AuthenticationError`), and `stratus` where litellm keeps it (the `openai/`
route passes unknown top-level fields through; the `anthropic/` route rebuilds the response in the
OpenAI shape and keeps none).

Runs in a venv of its own: litellm pins other openai versions than the project."""

from __future__ import annotations

import json
import os
from typing import Any

from .._registry import check, expect, require, stratus_note
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "litellm"
PKG = ("litellm", "openai")


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no cost-map download at import
    litellm = require("litellm")
    litellm.suppress_debug_info = True
    return litellm


def _route(route: str, t: Target, key: str | None = None) -> dict[str, Any]:
    if route == "openai":
        return {"model": f"openai/{t.openai_model}", "api_base": t.openai_base, "api_key": key or t.api_key}
    return {
        "model": f"anthropic/{t.anthropic_model}",
        "api_base": t.anthropic_base,
        "api_key": key or t.api_key,
    }


def _call(route: str, t: Target, text: str = "", **extra: Any) -> Any:
    from .._shapes import PROMPT

    messages = [{"role": "user", "content": text or PROMPT}]
    args = {"messages": messages, "num_retries": 0, "timeout": t.timeout_s, **_route(route, t), **extra}
    return _litellm().completion(**args)


def _text(response: Any) -> str:
    content = response.choices[0].message.content
    expect(isinstance(content, str) and content, f"content={content!r}")
    return str(content)


def _completion(route: str) -> Any:
    def run(t: Target) -> str:
        return f"{len(_text(_call(route, t)))} chars"

    return run


def _acompletion(route: str) -> Any:
    async def run(t: Target) -> str:
        from .._shapes import PROMPT

        response = await _litellm().acompletion(
            messages=[{"role": "user", "content": PROMPT}],
            num_retries=0,
            timeout=t.timeout_s,
            **_route(route, t),
        )
        return f"{len(_text(response))} chars"

    return run


def _stream(route: str) -> Any:
    def run(t: Target) -> str:
        parts = [c.choices[0].delta.content or "" for c in _call(route, t, stream=True) if c.choices]
        expect("".join(parts), f"{len(parts)} chunks, no text")
        return f"{len(parts)} chunks"

    return run


def _tools(route: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import TOOL_DESCRIPTION, TOOL_PROMPT, get_weather, weather_schema

        tool = {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": TOOL_DESCRIPTION,
                "parameters": weather_schema(),
            },
        }
        messages: list[Any] = [{"role": "user", "content": TOOL_PROMPT}]
        base = {"num_retries": 0, "timeout": t.timeout_s, "tools": [tool], **_route(route, t)}
        first = _litellm().completion(messages=messages, **base)
        calls = first.choices[0].message.tool_calls or []
        expect(calls and calls[0].function.name == "get_weather", f"tool_calls={calls!r}")
        args = json.loads(calls[0].function.arguments)
        messages.append(first.choices[0].message.model_dump(exclude_none=True))
        messages.append(
            {"role": "tool", "tool_call_id": calls[0].id, "content": get_weather(str(args.get("city")))}
        )
        final = _litellm().completion(messages=messages, **base)
        expect(not final.choices[0].message.tool_calls, "the second turn called a tool again")
        return f"args={args!r}; {_text(final)[:60]!r}"

    return run


def _structured_model(route: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT, Plan, validate_plan_json

        response = _call(route, t, STRUCTURED_PROMPT, response_format=Plan)
        return f"{len(validate_plan_json(_text(response)).steps)} steps"

    return run


def _structured_json_object(route: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT

        value = json.loads(_text(_call(route, t, STRUCTURED_PROMPT, response_format={"type": "json_object"})))
        expect(isinstance(value, dict), f"not a JSON object: {value!r}")
        return f"keys={sorted(value)[:5]}"

    return run


def _auth(route: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import PROMPT

        litellm = _litellm()
        try:
            litellm.completion(
                messages=[{"role": "user", "content": PROMPT}], num_retries=0, **_route(route, t, t.wrong_key)
            )
        except litellm.AuthenticationError as exc:
            return f"{exc.status_code} litellm.AuthenticationError"
        raise CheckFailed("a wrong key was accepted")

    return run


@check(
    "litellm.openai.stratus",
    venv=V,
    packages=PKG,
    what="openai/ route: the ModelResponse keeps the top-level stratus object",
)
def _stratus(t: Target) -> str:
    stratus = getattr(_call("openai", t), "stratus", None)
    return stratus_note(stratus, "stratus")


for _route_name in ("openai", "anthropic"):
    _id = f"litellm.{_route_name}"
    check(f"{_id}.completion", venv=V, packages=PKG, what=f"completion(model='{_route_name}/…'): text")(
        _completion(_route_name)
    )
    check(f"{_id}.acompletion", venv=V, packages=PKG, what="acompletion: text")(_acompletion(_route_name))
    check(f"{_id}.stream", venv=V, packages=PKG, what="completion(stream=True): chunks with text")(
        _stream(_route_name)
    )
    check(
        f"{_id}.tools",
        venv=V,
        packages=PKG,
        what="tool round trip in the OpenAI shape: get_weather call, tool message, final text",
    )(_tools(_route_name))
    check(
        f"{_id}.structured.model",
        venv=V,
        packages=PKG,
        what="completion(response_format=<pydantic model>): the text validates against the model",
    )(_structured_model(_route_name))
    check(
        f"{_id}.structured.json_object",
        venv=V,
        packages=PKG,
        what="completion(response_format={type: json_object}): the text is a JSON object",
    )(_structured_json_object(_route_name))
    check(
        f"{_id}.auth",
        venv=V,
        packages=PKG,
        what="a wrong key raises litellm.AuthenticationError",
        expect_status=(401,),
    )(_auth(_route_name))
