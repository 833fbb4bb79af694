"""The official openai SDK against the running reference server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.server.conftest import KEY, MODEL

WEATHER_TOOL: Any = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
STATE_GOAL: Any = [
    {"role": "system", "content": "Current page: Google homepage with search box visible."},
    {"role": "user", "content": "Find hotels in NYC for December 15-18, 2024"},
]


@pytest.fixture
def client(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{base_url}/v1", api_key=KEY, max_retries=0) as client:
        yield client


def test_create(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(model=MODEL, messages=STATE_GOAL, max_tokens=1000)
    assert resp.object == "chat.completion"
    assert resp.id.startswith("stratus-chatcmpl-")
    assert resp.model == MODEL
    assert resp.choices[0].finish_reason == "stop"
    assert "**Action:**" in (resp.choices[0].message.content or "")
    assert resp.usage is not None
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
    stratus = resp.model_extra["stratus"]  # type: ignore[index]
    assert stratus["stratus_model"] == "x1ac-small"
    assert stratus["execution_llm"] == "gpt-4o"
    assert stratus["steps_to_goal"] == len(stratus["action_sequence"])
    assert resp._request_id is not None


def test_stream_raw_and_helper(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model=MODEL, messages=STATE_GOAL, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    with client.chat.completions.stream(
        model=MODEL, messages=STATE_GOAL, stream_options={"include_usage": True}
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.content == text
    assert final.choices[0].message.role == "assistant"
    assert final.usage is not None
    assert final.usage.completion_tokens > 0
    assert final.model_extra is not None
    assert "stratus" in final.model_extra


@pytest.mark.asyncio
async def test_async_create_and_stream(base_url: str) -> None:
    client = openai.AsyncOpenAI(base_url=f"{base_url}/v1", api_key=KEY, max_retries=0)
    resp = await client.chat.completions.create(model=MODEL, messages=STATE_GOAL)
    pieces = []
    stream = await client.chat.completions.create(model=MODEL, messages=STATE_GOAL, stream=True)
    async for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == resp.choices[0].message.content
    await client.close()


def test_tool_round_trip(client: openai.OpenAI) -> None:
    messages: list[Any] = [{"role": "user", "content": "What is the weather like in Boston?"}]
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    msg = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    assert msg.tool_calls
    assert msg.tool_calls[0].function.name == "get_current_weather"
    args = json.loads(msg.tool_calls[0].function.arguments)  # type: ignore[union-attr]
    assert args["location"] == "Boston"
    messages += [msg, {"role": "tool", "tool_call_id": msg.tool_calls[0].id, "content": '{"temp_c": 21}'}]
    second = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert second.choices[0].finish_reason == "stop"
    assert "temp_c" in (second.choices[0].message.content or "")


def test_streamed_tool_calls_helper(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model=MODEL,
        messages=[{"role": "user", "content": "What is the weather in New York and Los Angeles?"}],
        tools=[WEATHER_TOOL],
    ) as stream:
        final = stream.get_final_completion()
    calls = final.choices[0].message.tool_calls or []
    assert [json.loads(c.function.arguments)["location"] for c in calls] == ["New York", "Los Angeles"]  # type: ignore[union-attr]
    assert len({c.id for c in calls}) == 2


def test_error_classes(client: openai.OpenAI, base_url: str) -> None:
    with (
        openai.OpenAI(
            base_url=f"{base_url}/v1", api_key="stratus_sk_test_unknownKey99", max_retries=0
        ) as bad,
        pytest.raises(openai.AuthenticationError) as auth,
    ):
        bad.chat.completions.create(model=MODEL, messages=STATE_GOAL)
    assert auth.value.code == "invalid_api_key"
    with pytest.raises(openai.BadRequestError) as bad_model:
        client.chat.completions.create(model="stratus-x1ac-mega-gpt-4o", messages=STATE_GOAL)
    assert bad_model.value.code == "invalid_model"
    assert bad_model.value.param == "model"
    with pytest.raises(openai.BadRequestError) as bad_param:
        client.chat.completions.create(model=MODEL, messages=STATE_GOAL, temperature=3)
    assert bad_param.value.param == "temperature"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("stratus-x1ac-mega")
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model=MODEL, messages=STATE_GOAL, extra_headers={"X-Stratus-Mock-Status": "503"}
        )


def test_rate_limit_retry_after_is_honoured(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key=KEY, max_retries=1)
    start = time.monotonic()
    with client, pytest.raises(openai.RateLimitError) as err:
        client.chat.completions.create(
            model=MODEL,
            messages=STATE_GOAL,
            extra_headers={"X-Stratus-Mock-Status": "429", "X-Stratus-Mock-Retry-After": "1"},
        )
    assert time.monotonic() - start >= 0.9
    assert err.value.response.headers["retry-after"] == "1"


def test_in_stream_error(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=MODEL, messages=STATE_GOAL, stream=True, extra_headers={"X-Stratus-Mock-Stream-Error": "2"}
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_models(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]
    assert "stratus-x1ac-base-gpt-4o" in ids
    assert "stratus-x1ac-base" in ids
    assert (
        client.models.retrieve("stratus-x1ac-base-deepseek/deepseek-r1").id
        == "stratus-x1ac-base-deepseek/deepseek-r1"
    )


def test_embeddings(client: openai.OpenAI) -> None:
    floats = client.embeddings.create(model="stratus-x1ac-small", input=["a", "b"])
    assert [len(d.embedding) for d in floats.data] == [512, 512]
    encoded = client.embeddings.create(model="stratus-x1ac-small", input="a", encoding_format="base64")
    assert isinstance(encoded.data[0].embedding, str)
