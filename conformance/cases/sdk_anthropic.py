"""anthropic-sdk-python against the target: create, streams, helpers, tools, errors, retries, models."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from conformance._case import Level, case
from conformance._context import Context
from conformance.cases._common import PROMPT, WEATHER_TOOL_ANTHROPIC, check
from conformance.cases._sdk import Counter, anthropic_client, expect_raises, require

__all__: list[str] = []

P = "sdk"
MSGS: list[dict[str, Any]] = [{"role": "user", "content": PROMPT}]


def _text(msg: Any) -> str:
    return "".join(b.text for b in msg.content if b.type == "text")


@case(
    "sdk.anthropic.create",
    level=Level.MUST,
    profile=P,
    title="messages.create (sync)",
    sends="anthropic.Anthropic().messages.create(...)",
    needs="anthropic-sdk-python installed ([sdk] extra) and answers the SDK parses",
    requirement="A Message with text, stop_reason end_turn, usage, _request_id, and stratus in model_extra.",
    sources=("0.2", "D1", "D4", "D8"),
)
def _create(ctx: Context) -> None:
    m = anthropic_client(ctx).messages.create(model=ctx.target.model, max_tokens=256, messages=MSGS)
    check(_text(m), "no text")
    check(m.stop_reason == "end_turn", f"stop_reason={m.stop_reason!r}")
    check(m.usage.output_tokens > 0, f"usage={m.usage!r}")
    check(m._request_id and m._request_id.startswith("req_"), f"_request_id={m._request_id!r}")
    check("stratus" in (m.model_extra or {}), "no stratus in model_extra")


@case(
    "sdk.anthropic.async-create",
    level=Level.MUST,
    profile=P,
    title="messages.create (async)",
    sends="AsyncAnthropic().messages.create(...)",
    needs="anthropic-sdk-python installed ([sdk] extra) and answers the SDK parses",
    requirement="Returns a Message with text.",
    sources=("0.2",),
)
def _acreate(ctx: Context) -> None:
    async def go() -> Any:
        async with anthropic_client(ctx, async_=True) as c:
            return await c.messages.create(model=ctx.target.model, max_tokens=256, messages=MSGS)

    check(_text(asyncio.run(go())), "no text")


@case(
    "sdk.anthropic.stream-helper",
    level=Level.MUST,
    profile=P,
    title="messages.stream() helper",
    sends="client.messages.stream(...): text_stream, then get_final_message()",
    needs="anthropic-sdk-python installed ([sdk] extra), an event stream and a Message",
    requirement="text_stream yields the text; the final message equals the non-streaming one (text, stop_reason, "
    "usage.output_tokens).",
    sources=("0.2", "E2", "E3", "E7", "J"),
)
def _helper(ctx: Context) -> None:
    c = anthropic_client(ctx)
    with c.messages.stream(model=ctx.target.model, max_tokens=256, messages=MSGS) as s:
        streamed = "".join(s.text_stream)
        final = s.get_final_message()
    plain = c.messages.create(model=ctx.target.model, max_tokens=256, messages=MSGS)
    check(streamed and streamed == _text(final) == _text(plain), "streamed/final/plain texts differ")
    check(
        final.stop_reason == plain.stop_reason, f"stop_reason {final.stop_reason!r} != {plain.stop_reason!r}"
    )
    check(final.usage.output_tokens == plain.usage.output_tokens, "usage.output_tokens differ")


@case(
    "sdk.anthropic.stream-helper-tools",
    level=Level.MUST,
    profile=P,
    title="messages.stream() with tool_use",
    sends="client.messages.stream(tools=[get_weather], tool_choice={'type':'any'})",
    needs="anthropic-sdk-python installed ([sdk] extra) and an event stream with a tool_use block",
    requirement="The final message has a tool_use block with a dict input and stop_reason tool_use.",
    sources=("E4", "E5", "E7"),
)
def _helper_tools(ctx: Context) -> None:
    with anthropic_client(ctx).messages.stream(
        model=ctx.target.model,
        max_tokens=256,
        messages=MSGS,
        tools=[WEATHER_TOOL_ANTHROPIC],
        tool_choice={"type": "any"},
    ) as s:
        final = s.get_final_message()
    blocks = [b for b in final.content if b.type == "tool_use"]
    check(blocks and isinstance(blocks[0].input, dict) and blocks[0].input, f"tool_use blocks={blocks!r}")
    check(final.stop_reason == "tool_use", f"stop_reason={final.stop_reason!r}")


@case(
    "sdk.anthropic.raw-stream",
    level=Level.MUST,
    profile=P,
    title="create(stream=True) raw events",
    sends="client.messages.create(stream=True)",
    needs="anthropic-sdk-python installed ([sdk] extra) and an event stream",
    requirement="The SDK yields message_start ... message_stop (a data-only stream would yield nothing).",
    sources=("E1", "E2", "0.2"),
)
def _raw(ctx: Context) -> None:
    types = [
        e.type
        for e in anthropic_client(ctx).messages.create(
            model=ctx.target.model, max_tokens=256, messages=MSGS, stream=True
        )
    ]
    check(
        types[:1] == ["message_start"] and types[-1:] == ["message_stop"],
        f"event types {types[:3]}...{types[-2:]}",
    )


@case(
    "sdk.anthropic.async-stream",
    level=Level.MUST,
    profile=P,
    title="Async messages.stream()",
    sends="AsyncAnthropic().messages.stream(...)",
    needs="anthropic-sdk-python installed ([sdk] extra) and an event stream",
    requirement="Async text_stream yields the text.",
    sources=("0.2",),
)
def _astream(ctx: Context) -> None:
    async def go() -> str:
        async with (
            anthropic_client(ctx, async_=True) as c,
            c.messages.stream(model=ctx.target.model, max_tokens=256, messages=MSGS) as s,
        ):
            return "".join([t async for t in s.text_stream])

    check(asyncio.run(go()), "no text streamed")


@case(
    "sdk.anthropic.tool-round-trip",
    level=Level.MUST,
    profile=P,
    title="tool_use / tool_result round trip",
    sends="create with a tool (any), then assistant content and a user tool_result",
    needs="anthropic-sdk-python installed ([sdk] extra) and a Message with a tool_use block",
    requirement="The second call succeeds with a text answer.",
    sources=("D5", "G2"),
)
def _round_trip(ctx: Context) -> None:
    c = anthropic_client(ctx)
    m = c.messages.create(
        model=ctx.target.model,
        max_tokens=256,
        messages=MSGS,
        tools=[WEATHER_TOOL_ANTHROPIC],
        tool_choice={"type": "any"},
    )
    tu = next(b for b in m.content if b.type == "tool_use")
    msgs = [
        *MSGS,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tu.id, "content": "18C"}]},
    ]
    m2 = c.messages.create(
        model=ctx.target.model, max_tokens=256, messages=msgs, tools=[WEATHER_TOOL_ANTHROPIC]
    )
    check(_text(m2), "no answer after the tool result")


@case(
    "sdk.anthropic.error-classes",
    level=Level.MUST,
    profile=P,
    title="Exception classes",
    sends="max_tokens 0, a bad key, an unknown model, and mock 413/429/500/529",
    needs="anthropic-sdk-python installed ([sdk] extra) and error answers (mock statuses need X-Stratus-Mock-*)",
    requirement="BadRequestError, AuthenticationError, NotFoundError, RequestTooLargeError, RateLimitError, "
    "InternalServerError, OverloadedError; e.body is the full envelope.",
    sources=("F3", "F2", "J"),
)
def _errors(ctx: Context) -> None:
    anthropic = require("anthropic")
    c = anthropic_client(ctx)
    e = expect_raises(
        anthropic.BadRequestError,
        lambda: c.messages.create(model=ctx.target.model, max_tokens=0, messages=MSGS),
        "max_tokens 0",
    )
    body = getattr(e, "body", None)
    check(isinstance(body, dict) and body.get("type") == "error", f"e.body={body!r}")
    expect_raises(
        anthropic.AuthenticationError,
        lambda: anthropic_client(ctx, api_key="stratus_sk_bad").messages.create(
            model=ctx.target.model, max_tokens=16, messages=MSGS
        ),
        "bad key",
    )
    expect_raises(
        anthropic.NotFoundError,
        lambda: c.messages.create(model="stratus-x1ac-mega-none", max_tokens=16, messages=MSGS),
        "unknown model",
    )
    ctx.require_mock()
    for status, exc in (
        (413, anthropic.RequestTooLargeError),
        (429, anthropic.RateLimitError),
        (500, anthropic.InternalServerError),
        (529, anthropic.OverloadedError),
    ):

        def call(s: int = status) -> Any:
            return c.messages.create(
                model=ctx.target.model,
                max_tokens=16,
                messages=MSGS,
                extra_headers={"X-Stratus-Mock-Status": str(s)},
            )

        expect_raises(exc, call, f"mock {status}")


@case(
    "sdk.anthropic.retries",
    level=Level.MUST,
    profile=P,
    title="529 retried after retry-after",
    sends="mock 529 with X-Stratus-Mock-Retry-After: 1, max_retries=1",
    needs="anthropic-sdk-python installed ([sdk] extra) and a target that honours X-Stratus-Mock-*",
    requirement="Two attempts, honouring retry-after, then OverloadedError.",
    sources=("0.3", "F6"),
)
def _retries(ctx: Context) -> None:
    anthropic = require("anthropic")
    ctx.require_mock()
    counter = Counter()
    c = anthropic_client(ctx, max_retries=1, counter=counter)
    start = time.monotonic()
    expect_raises(
        anthropic.OverloadedError,
        lambda: c.messages.create(
            model=ctx.target.model,
            max_tokens=16,
            messages=MSGS,
            extra_headers={"X-Stratus-Mock-Status": "529", "X-Stratus-Mock-Retry-After": "1"},
        ),
        "mock 529",
    )
    check(counter.count == 2, f"{counter.count} attempts, expected 2")
    if not ctx.target.replaying:
        check(time.monotonic() - start >= 0.9, "retried without waiting retry-after")


@case(
    "sdk.anthropic.stream-error",
    level=Level.MUST,
    profile=P,
    title="event: error raises APIStatusError",
    sends="messages.stream() with X-Stratus-Mock-Stream-Error: 2",
    needs="anthropic-sdk-python installed ([sdk] extra) and a target that honours X-Stratus-Mock-*",
    requirement="The helper raises anthropic.APIStatusError.",
    sources=("E10", "0.2"),
)
def _stream_error(ctx: Context) -> None:
    anthropic = require("anthropic")
    ctx.require_mock()

    def go() -> None:
        with anthropic_client(ctx).messages.stream(
            model=ctx.target.model,
            max_tokens=64,
            messages=MSGS,
            extra_headers={"X-Stratus-Mock-Stream-Error": "2"},
        ) as s:
            s.get_final_message()

    expect_raises(anthropic.APIStatusError, go, "stream error")


@case(
    "sdk.anthropic.models",
    level=Level.MUST,
    profile=P,
    title="models.list() terminates",
    sends="client.models.list(limit=1) iterated to the end",
    needs="anthropic-sdk-python installed ([sdk] extra) and a model list with at least one model",
    requirement="Auto-pagination ends (has_more false) and lists every model once.",
    sources=("H2",),
)
def _models(ctx: Context) -> None:
    c = anthropic_client(ctx)
    ids = []
    for m in c.models.list(limit=1):
        ids.append(m.id)
        check(len(ids) < 500, "pagination does not terminate")
    check(ids and len(set(ids)) == len(ids), f"ids={ids[:5]}")


@case(
    "sdk.anthropic.count-tokens",
    level=Level.SHOULD,
    profile=P,
    title="messages.count_tokens()",
    sends="client.messages.count_tokens(...)",
    needs="anthropic-sdk-python installed ([sdk] extra) and answers the SDK parses",
    requirement="Returns input_tokens > 0.",
    sources=("D9",),
)
def _count(ctx: Context) -> None:
    r = anthropic_client(ctx).messages.count_tokens(model=ctx.target.model, messages=MSGS)
    check(r.input_tokens > 0, f"input_tokens={r.input_tokens!r}")
