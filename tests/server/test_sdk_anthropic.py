"""The official anthropic SDK against the running reference server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from tests.server.conftest import KEY, MODEL

TOOL: Any = {
    "name": "get_weather",
    "description": "Get weather for a location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}
SYSTEM = "Current state: User is on the homepage with login button visible"
USER: Any = [{"role": "user", "content": "What happens if I click login?"}]


@pytest.fixture
def client(base_url: str) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=base_url, api_key=KEY, max_retries=0) as client:
        yield client


def test_create(client: anthropic.Anthropic) -> None:
    msg = client.messages.create(model=MODEL, max_tokens=1024, system=SYSTEM, messages=USER)
    assert msg.type == "message"
    assert msg.role == "assistant"
    assert msg.id.startswith("msg_")
    assert msg.stop_reason == "end_turn"
    assert msg.content[0].type == "text"
    assert msg.usage.input_tokens > 0
    assert msg.usage.output_tokens > 0
    assert msg.model_extra is not None
    assert msg.model_extra["stratus"]["stratus_model"] == "x1ac-small"
    assert msg._request_id is not None
    assert msg._request_id.startswith("req_")


def test_stream_raw_and_helper(client: anthropic.Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=1024, messages=USER, stream=True))
    kinds = [e.type for e in events]
    assert kinds[0] == "message_start"
    assert kinds[-1] == "message_stop"
    assert kinds[-2] == "message_delta"
    with client.messages.stream(model=MODEL, max_tokens=1024, system=SYSTEM, messages=USER) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert final.content[0].type == "text"
    assert final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


@pytest.mark.asyncio
async def test_async_stream(base_url: str) -> None:
    client = anthropic.AsyncAnthropic(base_url=base_url, api_key=KEY, max_retries=0)
    async with client.messages.stream(model=MODEL, max_tokens=1024, messages=USER) as stream:
        final = await stream.get_final_message()
    direct = await client.messages.create(model=MODEL, max_tokens=1024, messages=USER)
    assert final.content[0].text == direct.content[0].text  # type: ignore[union-attr]
    await client.close()


def test_tool_round_trip_streamed(client: anthropic.Anthropic) -> None:
    messages: list[Any] = [{"role": "user", "content": "What is the weather in San Francisco?"}]
    with client.messages.stream(model=MODEL, max_tokens=1024, tools=[TOOL], messages=messages) as stream:
        first = stream.get_final_message()
    assert first.stop_reason == "tool_use"
    tool_use = next(b for b in first.content if b.type == "tool_use")
    assert tool_use.input == {"location": "San Francisco"}  # type: ignore[union-attr]
    messages += [
        {"role": "assistant", "content": first.content},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "18C, foggy"}],
        },  # type: ignore[union-attr]
    ]
    second = client.messages.create(model=MODEL, max_tokens=1024, tools=[TOOL], messages=messages)
    assert second.stop_reason == "end_turn"
    assert "18C, foggy" in second.content[0].text  # type: ignore[union-attr]


def test_stop_sequence_and_max_tokens(client: anthropic.Anthropic) -> None:
    stopped = client.messages.create(model=MODEL, max_tokens=1024, messages=USER, stop_sequences=["**Action"])
    assert stopped.stop_reason == "stop_sequence"
    assert stopped.stop_sequence == "**Action"
    assert "**Action" not in stopped.content[0].text  # type: ignore[union-attr]
    cut = client.messages.create(model=MODEL, max_tokens=3, messages=USER)
    assert cut.stop_reason == "max_tokens"
    assert cut.usage.output_tokens == 3


def test_error_classes(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as nf:
        client.messages.create(model="stratus-x1ac-mega-gpt-4o", max_tokens=10, messages=USER)
    assert nf.value.type == "not_found_error"  # type: ignore[attr-defined]
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=0, messages=USER)
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model=MODEL, max_tokens=10, messages=USER, extra_headers={"X-Stratus-Mock-Status": "529"}
        )
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(
            model=MODEL, max_tokens=10, messages=USER, extra_headers={"X-Stratus-Mock-Status": "429"}
        )
    with pytest.raises(anthropic.RequestTooLargeError):
        client.messages.create(
            model=MODEL, max_tokens=10, messages=[{"role": "user", "content": "x" * 70_000}]
        )
    with (
        anthropic.Anthropic(base_url=str(client.base_url), api_key="nope", max_retries=0) as bad,
        pytest.raises(anthropic.AuthenticationError),
    ):
        bad.messages.create(model=MODEL, max_tokens=10, messages=USER)


def test_in_stream_error(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.APIStatusError) as err:
        for _ in client.messages.create(
            model=MODEL,
            max_tokens=100,
            messages=USER,
            stream=True,
            extra_headers={"X-Stratus-Mock-Stream-Error": "3"},
        ):
            pass
    assert err.value.type == "overloaded_error"  # type: ignore[attr-defined]


def test_count_tokens_and_models(client: anthropic.Anthropic) -> None:
    counted = client.messages.count_tokens(model=MODEL, messages=USER, system=SYSTEM)
    created = client.messages.create(model=MODEL, max_tokens=10, messages=USER, system=SYSTEM)
    assert counted.input_tokens == created.usage.input_tokens
    ids = [m.id for m in client.models.list(limit=50)]
    assert len(ids) == len(set(ids)) > 50
