"""anthropic-python: create (sync/async), raw streams, the stream helper, a tool round trip, the beta
tool runner, every structured-output method (`messages.parse`, `output_config` on create, the
structured stream helper, a forced tool), count_tokens, the auth error class and `stratus` read back."""

from __future__ import annotations

import json
from typing import Any

from .._registry import check, expect, require, stratus_note
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "sdk"
PKG = ("anthropic",)
MAX_TOKENS = 1024


def _client(t: Target, *, async_: bool = False, key: str | None = None) -> Any:
    anthropic = require("anthropic")
    cls = anthropic.AsyncAnthropic if async_ else anthropic.Anthropic
    return cls(base_url=t.anthropic_base, api_key=key or t.api_key, max_retries=0, timeout=t.timeout_s)


def _user(text: str = "") -> list[dict[str, Any]]:
    from .._shapes import PROMPT

    return [{"role": "user", "content": text or PROMPT}]


def _weather_tool() -> dict[str, Any]:
    from .._shapes import TOOL_DESCRIPTION, weather_schema

    return {"name": "get_weather", "description": TOOL_DESCRIPTION, "input_schema": weather_schema()}


def _text_of(message: Any) -> str:
    texts = [b.text for b in message.content if b.type == "text"]
    expect(texts and texts[0], f"no text block: {message.content!r}")
    return "".join(texts)


def _args(t: Target, **extra: Any) -> dict[str, Any]:
    return {"model": t.anthropic_model, "max_tokens": MAX_TOKENS, "messages": _user(), **extra}


@check("anthropic.create", venv=V, packages=PKG, what="messages.create (sync): a text block and stop_reason")
def _create(t: Target) -> str:
    m = _client(t).messages.create(**_args(t))
    expect(m.stop_reason in ("end_turn", "max_tokens"), f"stop_reason={m.stop_reason}")
    return f"{len(_text_of(m))} chars"


@check("anthropic.async_create", venv=V, packages=PKG, what="AsyncAnthropic messages.create")
async def _async_create(t: Target) -> str:
    async with _client(t, async_=True) as client:
        m = await client.messages.create(**_args(t))
    return f"{len(_text_of(m))} chars"


@check(
    "anthropic.stream",
    venv=V,
    packages=PKG,
    what="create(stream=True): message_start … text_delta … message_stop, deltas join to text",
)
def _stream(t: Target) -> str:
    kinds: list[str] = []
    parts: list[str] = []
    with _client(t) as client, client.messages.create(**_args(t), stream=True) as events:
        for event in events:
            kinds.append(event.type)
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                parts.append(event.delta.text)
    expect(
        kinds[:1] == ["message_start"] and kinds[-1:] == ["message_stop"], f"events {kinds[:3]}…{kinds[-2:]}"
    )
    expect("".join(parts), "no text_delta carried text")
    return f"{len(kinds)} events"


@check(
    "anthropic.stream_helper",
    venv=V,
    packages=PKG,
    what="messages.stream(): text_stream joins to get_final_message()'s text",
)
def _stream_helper(t: Target) -> str:
    with _client(t) as client, client.messages.stream(**_args(t)) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    expect(text and text == _text_of(final), "text_stream differs from the final message")
    return f"{len(text)} chars"


@check("anthropic.async_stream", venv=V, packages=PKG, what="AsyncAnthropic messages.stream()")
async def _async_stream(t: Target) -> str:
    async with _client(t, async_=True) as client, client.messages.stream(**_args(t)) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    expect(text and text == _text_of(final), "text_stream differs from the final message")
    return f"{len(text)} chars"


@check(
    "anthropic.tools",
    venv=V,
    packages=PKG,
    what="tool round trip: tool_use get_weather, a tool_result sent back, a final text answer",
)
def _tools(t: Target) -> str:
    from .._shapes import TOOL_PROMPT, get_weather

    client = _client(t)
    messages = _user(TOOL_PROMPT)
    first = client.messages.create(**_args(t, messages=messages, tools=[_weather_tool()]))
    uses = [b for b in first.content if b.type == "tool_use"]
    expect(first.stop_reason == "tool_use", f"stop_reason={first.stop_reason}")
    expect(uses and uses[0].name == "get_weather" and isinstance(uses[0].input.get("city"), str), f"{uses!r}")
    messages.append(
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]}
    )
    result = {"type": "tool_result", "tool_use_id": uses[0].id, "content": get_weather(uses[0].input["city"])}
    messages.append({"role": "user", "content": [result]})
    final = client.messages.create(**_args(t, messages=messages, tools=[_weather_tool()]))
    expect(final.stop_reason == "end_turn", f"second turn stop_reason={final.stop_reason}")
    return f"city={uses[0].input['city']!r}; {_text_of(final)[:60]!r}"


@check(
    "anthropic.tool_runner",
    venv=V,
    packages=PKG,
    what="beta.messages.tool_runner with a @beta_tool: the tool runs, the run ends in text",
)
def _tool_runner(t: Target) -> str:
    from .._shapes import TOOL_PROMPT
    from .._shapes import get_weather as plain

    anthropic = require("anthropic")
    calls: list[str] = []

    def get_weather(city: str) -> str:
        """Current weather for a city.

        Args:
            city: the city
        """
        calls.append(city)
        return plain(city)

    tool = anthropic.beta_tool(get_weather)
    runner = _client(t).beta.messages.tool_runner(
        model=t.anthropic_model,
        max_tokens=MAX_TOKENS,
        messages=_user(TOOL_PROMPT),
        tools=[tool],
        max_iterations=4,
    )
    final = runner.until_done()
    expect(calls, "the tool never ran")
    expect(final.stop_reason == "end_turn", f"final stop_reason={final.stop_reason}")
    return f"tool ran for {calls}; {_text_of(final)[:60]!r}"


@check(
    "anthropic.structured.parse",
    venv=V,
    packages=PKG,
    what="messages.parse(output_format=<pydantic model>): parsed_output is the model",
)
def _parse(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    m = _client(t).messages.parse(**_args(t, messages=_user(STRUCTURED_PROMPT)), output_format=Plan)
    expect(isinstance(m.parsed_output, Plan), f"parsed_output={m.parsed_output!r}")
    return f"{len(m.parsed_output.steps)} steps"


@check(
    "anthropic.structured.output_config",
    venv=V,
    packages=PKG,
    what="create(output_config={format: json_schema}): the text validates against the schema",
)
def _output_config(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, plan_schema, validate_plan_json

    fmt = {"format": {"type": "json_schema", "schema": _strict(plan_schema())}}
    m = _client(t).messages.create(**_args(t, messages=_user(STRUCTURED_PROMPT)), output_config=fmt)
    return f"{len(validate_plan_json(_text_of(m)).steps)} steps"


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The SDK's own strict transform where it has one (what `parse` sends), else the schema as is."""
    try:
        transform = require("anthropic.lib._parse._transform").transform_schema
    except Exception:
        return schema
    return dict(transform(schema))


@check(
    "anthropic.structured.stream",
    venv=V,
    packages=PKG,
    what="messages.stream(output_format=<model>): the final message's parsed_output",
)
def _parse_stream(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    with (
        _client(t) as client,
        client.messages.stream(**_args(t, messages=_user(STRUCTURED_PROMPT)), output_format=Plan) as s,
    ):
        final = s.get_final_message()
    expect(isinstance(final.parsed_output, Plan), f"parsed_output={final.parsed_output!r}")
    return f"{len(final.parsed_output.steps)} steps"


@check(
    "anthropic.structured.forced_tool",
    venv=V,
    packages=PKG,
    what="tools=[record_plan], tool_choice={type: tool}: the tool_use input validates against the schema",
)
def _forced_tool(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan, plan_schema

    tool = {"name": "record_plan", "description": "Record the plan", "input_schema": plan_schema()}
    m = _client(t).messages.create(
        **_args(t, messages=_user(STRUCTURED_PROMPT)),
        tools=[tool],
        tool_choice={"type": "tool", "name": "record_plan"},
    )
    uses = [b for b in m.content if b.type == "tool_use"]
    expect(uses, f"no tool_use block: {m.content!r}")
    return f"{len(Plan.model_validate(uses[0].input).steps)} steps"


@check("anthropic.count_tokens", venv=V, packages=PKG, what="messages.count_tokens: input_tokens > 0")
def _count_tokens(t: Target) -> str:
    counted = _client(t).messages.count_tokens(
        model=t.anthropic_model, messages=_user(), tools=[_weather_tool()]
    )
    expect(isinstance(counted.input_tokens, int) and counted.input_tokens > 0, f"{counted!r}")
    return f"input_tokens={counted.input_tokens}"


@check(
    "anthropic.auth",
    venv=V,
    packages=PKG,
    what="a wrong key raises anthropic.AuthenticationError (401)",
    expect_status=(401,),
)
def _auth(t: Target) -> str:
    anthropic = require("anthropic")
    try:
        _client(t, key=t.wrong_key).messages.create(**_args(t))
    except anthropic.AuthenticationError as exc:
        return f"{exc.status_code} {type(exc).__name__}"
    raise CheckFailed("a wrong key was accepted")


@check(
    "anthropic.stratus",
    venv=V,
    packages=PKG,
    what="stratus read back: with_raw_response JSON, and message.stratus (model_extra)",
)
def _stratus(t: Target) -> str:
    raw = _client(t).messages.with_raw_response.create(**_args(t))
    note = stratus_note(json.loads(raw.http_response.text).get("stratus"), "raw JSON")
    stratus_note((raw.parse().model_extra or {}).get("stratus"), "message.model_extra")
    return note


@check(
    "anthropic.stream_stratus",
    venv=V,
    packages=PKG,
    what="stratus read back from messages.stream(): an event's model_extra, and the final message",
)
def _stream_stratus(t: Target) -> str:
    found: list[Any] = []
    # the client is closed here, not left to the GC: a pooled socket finalised first is a ResourceWarning
    with _client(t) as client, client.messages.stream(**_args(t)) as stream:
        for event in stream:
            extra = getattr(event, "model_extra", None) or {}
            if extra.get("stratus"):
                found.append(extra["stratus"])
        final = stream.get_final_message()
    expect(found, "no stream event carried stratus")
    stratus_note((final.model_extra or {}).get("stratus"), "final message")
    return stratus_note(found[-1], "stream event")
