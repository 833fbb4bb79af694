"""openai-python: create (sync/async), streams, the stream helper, tools, every structured-output
method (`parse`, the structured stream helper, `json_schema`, `json_object`, strict function tools),
the auth error class and `stratus` read back."""

from __future__ import annotations

import json
from typing import Any

from .._registry import check, expect, require, stratus_note
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "sdk"
PKG = ("openai",)


def _client(t: Target, *, async_: bool = False, key: str | None = None) -> Any:
    openai = require("openai")
    cls = openai.AsyncOpenAI if async_ else openai.OpenAI
    return cls(base_url=t.openai_base, api_key=key or t.api_key, max_retries=0, timeout=t.timeout_s)


def _user(text: str) -> list[dict[str, Any]]:
    from .._shapes import PROMPT

    return [{"role": "user", "content": text or PROMPT}]


def _weather_tool() -> dict[str, Any]:
    from .._shapes import TOOL_DESCRIPTION, weather_schema

    return {
        "type": "function",
        "function": {"name": "get_weather", "description": TOOL_DESCRIPTION, "parameters": weather_schema()},
    }


def _text_of(completion: Any) -> str:
    expect(completion.choices, f"no choices: {completion!r}")
    content = completion.choices[0].message.content
    expect(isinstance(content, str) and content, f"message.content={content!r}")
    return str(content)


@check("openai.create", venv=V, packages=PKG, what="chat.completions.create (sync): text and finish_reason")
def _create(t: Target) -> str:
    c = _client(t).chat.completions.create(model=t.openai_model, messages=_user(""))
    text = _text_of(c)
    expect(c.choices[0].finish_reason in ("stop", "length"), f"finish_reason={c.choices[0].finish_reason}")
    return f"{len(text)} chars"


@check("openai.async_create", venv=V, packages=PKG, what="AsyncOpenAI chat.completions.create")
async def _async_create(t: Target) -> str:
    async with _client(t, async_=True) as client:
        c = await client.chat.completions.create(model=t.openai_model, messages=_user(""))
    return f"{len(_text_of(c))} chars"


def _stream_text(chunks: Any) -> tuple[str, str | None]:
    parts: list[str] = []
    finish: str | None = None
    for chunk in chunks:
        for choice in chunk.choices:
            parts.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    return "".join(parts), finish


@check(
    "openai.stream", venv=V, packages=PKG, what="create(stream=True): deltas join to text, a finish_reason"
)
def _stream(t: Target) -> str:
    with (
        _client(t) as client,
        client.chat.completions.create(model=t.openai_model, messages=_user(""), stream=True) as stream,
    ):
        text, finish = _stream_text(stream)
    expect(text, "the deltas carried no text")
    expect(finish in ("stop", "length"), f"finish_reason={finish}")
    return f"{len(text)} chars"


@check("openai.async_stream", venv=V, packages=PKG, what="AsyncOpenAI create(stream=True)")
async def _async_stream(t: Target) -> str:
    async with _client(t, async_=True) as client:
        stream = await client.chat.completions.create(model=t.openai_model, messages=_user(""), stream=True)
        parts = [ch.choices[0].delta.content or "" async for ch in stream if ch.choices]
    expect("".join(parts), "the deltas carried no text")
    return f"{len(parts)} chunks"


@check(
    "openai.stream_helper",
    venv=V,
    packages=PKG,
    what="chat.completions.stream(): content.delta events, get_final_completion() equals them",
)
def _stream_helper(t: Target) -> str:
    deltas: list[str] = []
    with (
        _client(t) as client,
        client.chat.completions.stream(model=t.openai_model, messages=_user("")) as stream,
    ):
        for event in stream:
            if event.type == "content.delta":
                deltas.append(event.delta)
        final = stream.get_final_completion()
    expect("".join(deltas) == _text_of(final), "final completion text differs from the deltas")
    return f"{len(deltas)} deltas"


@check(
    "openai.tools",
    venv=V,
    packages=PKG,
    what="tool round trip: a get_weather call, the tool result sent back, a final text answer",
)
def _tools(t: Target) -> str:
    from .._shapes import TOOL_PROMPT, get_weather

    client = _client(t)
    messages = _user(TOOL_PROMPT)
    first = client.chat.completions.create(model=t.openai_model, messages=messages, tools=[_weather_tool()])
    calls = first.choices[0].message.tool_calls or []
    expect(first.choices[0].finish_reason == "tool_calls", f"finish_reason={first.choices[0].finish_reason}")
    expect(calls and calls[0].function.name == "get_weather", f"tool_calls={calls!r}")
    args = json.loads(calls[0].function.arguments)
    expect(isinstance(args.get("city"), str), f"arguments={args!r}")
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": calls[0].id, "content": get_weather(args["city"])})
    final = client.chat.completions.create(model=t.openai_model, messages=messages, tools=[_weather_tool()])
    expect(
        final.choices[0].finish_reason == "stop",
        f"second turn finish_reason={final.choices[0].finish_reason}",
    )
    return f"city={args['city']!r}; {_text_of(final)[:60]!r}"


@check(
    "openai.structured.parse",
    venv=V,
    packages=PKG,
    what="chat.completions.parse(response_format=<pydantic model>): message.parsed is the model",
)
def _parse(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    c = _client(t).chat.completions.parse(
        model=t.openai_model, messages=_user(STRUCTURED_PROMPT), response_format=Plan
    )
    parsed = c.choices[0].message.parsed
    expect(isinstance(parsed, Plan), f"parsed={parsed!r} content={c.choices[0].message.content!r}")
    return f"{len(parsed.steps)} steps"


@check(
    "openai.structured.stream",
    venv=V,
    packages=PKG,
    what="chat.completions.stream(response_format=<model>): the final completion's parsed model",
)
def _parse_stream(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    with (
        _client(t) as client,
        client.chat.completions.stream(
            model=t.openai_model, messages=_user(STRUCTURED_PROMPT), response_format=Plan
        ) as stream,
    ):
        for _ in stream:
            pass
        final = stream.get_final_completion()
    parsed = final.choices[0].message.parsed
    expect(isinstance(parsed, Plan), f"parsed={parsed!r}")
    return f"{len(parsed.steps)} steps"


@check(
    "openai.structured.json_schema",
    venv=V,
    packages=PKG,
    what="create(response_format={type: json_schema, strict: true}): content validates against the schema",
)
def _json_schema(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, plan_schema, validate_plan_json

    fmt = {"type": "json_schema", "json_schema": {"name": "plan", "schema": plan_schema(), "strict": True}}
    c = _client(t).chat.completions.create(
        model=t.openai_model, messages=_user(STRUCTURED_PROMPT), response_format=fmt
    )
    plan = validate_plan_json(_text_of(c))
    return f"{len(plan.steps)} steps"


@check(
    "openai.structured.json_object",
    venv=V,
    packages=PKG,
    what="create(response_format={type: json_object}): content is a JSON object",
)
def _json_object(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT

    c = _client(t).chat.completions.create(
        model=t.openai_model, messages=_user(STRUCTURED_PROMPT), response_format={"type": "json_object"}
    )
    value = json.loads(_text_of(c))
    expect(isinstance(value, dict), f"content is JSON but not an object: {value!r}")
    return f"keys={sorted(value)[:5]}"


@check(
    "openai.structured.strict_tool",
    venv=V,
    packages=PKG,
    what="parse(tools=[pydantic_function_tool(Plan)], tool_choice=...): parsed_arguments is the model",
)
def _strict_tool(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    openai = require("openai")
    c = _client(t).chat.completions.parse(
        model=t.openai_model,
        messages=_user(STRUCTURED_PROMPT),
        tools=[openai.pydantic_function_tool(Plan, name="record_plan")],
        tool_choice={"type": "function", "function": {"name": "record_plan"}},
    )
    calls = c.choices[0].message.tool_calls or []
    expect(calls, f"no tool call: {c.choices[0].message!r}")
    parsed = calls[0].function.parsed_arguments
    expect(isinstance(parsed, Plan), f"parsed_arguments={parsed!r}")
    return f"{len(parsed.steps)} steps"


@check(
    "openai.auth",
    venv=V,
    packages=PKG,
    what="a wrong key raises openai.AuthenticationError (401)",
    expect_status=(401,),
)
def _auth(t: Target) -> str:
    openai = require("openai")
    try:
        _client(t, key=t.wrong_key).chat.completions.create(model=t.openai_model, messages=_user(""))
    except openai.AuthenticationError as exc:
        return f"{exc.status_code} {type(exc).__name__}"
    raise CheckFailed("a wrong key was accepted")


@check(
    "openai.stratus",
    venv=V,
    packages=PKG,
    what="stratus read back: with_raw_response JSON, and completion.stratus (model_extra)",
)
def _stratus(t: Target) -> str:
    raw = _client(t).chat.completions.with_raw_response.create(model=t.openai_model, messages=_user(""))
    body = json.loads(raw.http_response.text)
    note = stratus_note(body.get("stratus"), "raw JSON")
    parsed = raw.parse()
    stratus_note((parsed.model_extra or {}).get("stratus"), "completion.model_extra")
    return note


@check(
    "openai.stream_stratus",
    venv=V,
    packages=PKG,
    what="stratus read back from a stream: some chunk's model_extra carries it",
)
def _stream_stratus(t: Target) -> str:
    with (
        _client(t) as client,
        client.chat.completions.create(model=t.openai_model, messages=_user(""), stream=True) as stream,
    ):
        found = [ch.model_extra["stratus"] for ch in stream if (ch.model_extra or {}).get("stratus")]
    expect(found, "no chunk carried stratus")
    return stratus_note(found[-1], "stream chunk")
