"""Client input never costs a 5xx (issue 11): each reproducer of the issue, in both envelopes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from reference_server import Settings, create_app
from reference_server._errors import ApiError
from reference_server._limits import MAX_ANSWER_CHARS, MAX_JSON_DEPTH, check_json_depth, parse_digits
from reference_server._tokens import count_tokens

KEY = "stratus_sk_test_no5xxKey0001"
AUTH = {"Authorization": f"Bearer {KEY}"}
JSON = {**AUTH, "content-type": "application/json"}
CHAT_MODEL = "stratus-x1ac-small-gpt-4o"
BODY_ROUTES = [
    "/v1/chat/completions",
    "/v1/messages",
    "/v1/messages/count_tokens",
    "/v1/embeddings",
    "/v1/rollout",
]


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(Settings()), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://reference", timeout=30) as c:
        yield c


def _envelope_ok(route: str, response: httpx.Response) -> None:
    body = response.json()
    if route.startswith("/v1/messages"):
        assert body["type"] == "error"
        assert body["error"]["type"] == "invalid_request_error"
    else:
        assert body["error"]["type"] == "invalid_request_error"


@pytest.mark.asyncio
@pytest.mark.parametrize("route", BODY_ROUTES)
async def test_invalid_model_with_broken_json_is_400(client: httpx.AsyncClient, route: str) -> None:
    response = await client.post(route, content=b'{"model":"x","messages":[', headers=JSON)
    assert response.status_code == 400, response.text
    _envelope_ok(route, response)
    assert "JSON" in response.text


def _nest(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("route", "template", "param"),
    [
        (
            "/v1/chat/completions",
            '{"model":"%s","messages":[{"role":"user","content":"hi"}],'
            '"tools":[{"type":"function","function":{"name":"f","parameters":%s}}]}',
            "tools[0].function.parameters",
        ),
        (
            "/v1/messages",
            '{"model":"%s","max_tokens":50,"messages":[{"role":"user","content":"hi"}],'
            '"tools":[{"name":"f","input_schema":%s}]}',
            "tools[0].input_schema",
        ),
        (
            "/v1/messages",
            '{"model":"%s","max_tokens":50,"messages":[{"role":"assistant","content":'
            '[{"type":"tool_use","id":"toolu_1","name":"f","input":%s}]}]}',
            "messages[0].content[0].input",
        ),
        (
            "/v1/messages/count_tokens",
            '{"model":"%s","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":%s}]}',
            "tools[0].input_schema",
        ),
    ],
)
@pytest.mark.parametrize("depth", [1000, 5000])
async def test_deep_nesting_is_400_naming_the_parameter(
    client: httpx.AsyncClient, route: str, template: str, param: str, depth: int
) -> None:
    body = template % (CHAT_MODEL, _nest(depth))
    response = await client.post(route, content=body.encode(), headers=JSON)
    assert response.status_code == 400, response.text[:500]
    _envelope_ok(route, response)
    assert f"'{param}'" in response.text
    assert str(MAX_JSON_DEPTH) in response.text
    if route == "/v1/chat/completions":
        assert response.json()["error"]["param"] == param


def _chat_with_parameters(schema: str, extra: str = "") -> bytes:
    head = '{"model":"' + CHAT_MODEL + '",' + extra + '"messages":[{"role":"user","content":"hi"}],'
    return (
        head + '"tools":[{"type":"function","function":{"name":"f","parameters":' + schema + "}}]}"
    ).encode()


@pytest.mark.asyncio
async def test_500_deep_with_a_whole_number_float_is_400(client: httpx.AsyncClient) -> None:
    """The integral-float fix-up recursed too: 500 levels were enough with `max_tokens: 5.0`."""
    body = _chat_with_parameters(_nest(500), '"max_tokens":5.0,')
    response = await client.post("/v1/chat/completions", content=body, headers=JSON)
    assert response.status_code == 400, response.text[:500]


@pytest.mark.asyncio
async def test_nesting_at_the_limit_is_accepted(client: httpx.AsyncClient) -> None:
    # body (1) > tools (2) > tool (3) > function (4) > parameters (5) > properties (6) > 58 more: 64
    schema = '{"type":"object","properties":{"a":' + _nest(MAX_JSON_DEPTH - 6) + "}}"
    response = await client.post("/v1/chat/completions", content=_chat_with_parameters(schema), headers=JSON)
    assert response.status_code == 200, response.text[:500]
    deeper = '{"type":"object","properties":{"a":' + _nest(MAX_JSON_DEPTH - 5) + "}}"
    response = await client.post("/v1/chat/completions", content=_chat_with_parameters(deeper), headers=JSON)
    assert response.status_code == 400, response.text[:500]


def test_depth_scanner_skips_brackets_inside_strings() -> None:
    check_json_depth(('{"a":"' + "[" * 500 + '\\"{{{"}').encode())
    with pytest.raises(ApiError) as raised:
        check_json_depth(('{"x":[1,2,{"k\\"ey":' + _nest(100) + "}]}").encode())
    assert raised.value.param == "x"
    assert "x[2]" not in raised.value.message


@pytest.mark.parametrize(("raw", "value"), [("12", 12), ("0", 0), ("²", None), ("", None), ("-1", None)])
def test_parse_digits_is_ascii_only(raw: str, value: int | None) -> None:
    assert parse_digits(raw) == value


@pytest.mark.asyncio
async def test_superscript_digit_in_models_limit_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/models?limit=%C2%B2", headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "limit"


# "²" is 0xB2 in Latin-1, the encoding of HTTP header values.
@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {"x-stratus-mock-status": b"\xb2\xb2\xb2"},
        {"x-stratus-mock-status": b"4\xb22"},
        {"x-stratus-mock-status": b"429", "x-stratus-mock-retry-after": b"\xb2"},
    ],
)
async def test_superscript_digit_in_mock_headers_is_400(
    client: httpx.AsyncClient, headers: dict[str, Any]
) -> None:
    response = await client.get("/v1/models", headers={**AUTH, **headers})
    assert response.status_code == 400, response.text


@pytest.mark.asyncio
async def test_superscript_digit_in_mock_stream_error_is_400(client: httpx.AsyncClient) -> None:
    body = {"model": CHAT_MODEL, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    response = await client.post(
        "/v1/chat/completions", json=body, headers={**AUTH, "x-stratus-mock-stream-error": b"\xb2"}
    )
    assert response.status_code == 400, response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["max_tokens", "max_completion_tokens"])
@pytest.mark.parametrize("value", [2**63, 10**30, 128_001])
async def test_huge_max_tokens_is_400(client: httpx.AsyncClient, name: str, value: int) -> None:
    body = {"model": CHAT_MODEL, name: value, "messages": [{"role": "user", "content": "hi"}]}
    response = await client.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == name


@pytest.mark.asyncio
async def test_max_tokens_is_bounded_by_the_model_family(client: httpx.AsyncClient) -> None:
    def body(model: str, n: int) -> dict[str, Any]:
        return {"model": model, "max_tokens": n, "messages": [{"role": "user", "content": "hi"}]}

    ok = await client.post("/v1/chat/completions", json=body(CHAT_MODEL, 16_384), headers=AUTH)
    assert ok.status_code == 200, ok.text
    over = await client.post("/v1/chat/completions", json=body(CHAT_MODEL, 16_385), headers=AUTH)
    assert over.status_code == 400
    error = over.json()["error"]
    assert error["param"] == "max_tokens"
    assert error["message"] == (
        "max_tokens is too large: 16385. This model supports at most 16384 completion tokens, "
        "whereas you provided 16385."
    )
    claude = await client.post(
        "/v1/chat/completions", json=body("stratus-x1ac-small-claude-sonnet-4", 60_000), headers=AUTH
    )
    assert claude.status_code == 200, claude.text


@pytest.mark.asyncio
async def test_request_text_over_the_cap_is_413() -> None:
    transport = httpx.ASGITransport(app=create_app(Settings(max_text_chars=1000)))
    async with httpx.AsyncClient(transport=transport, base_url="http://reference") as c:
        chat = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "x" * 1001}]}
        response = await c.post("/v1/chat/completions", json=chat, headers=AUTH)
        assert response.status_code == 413, response.text
        msg = {"model": CHAT_MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": "x" * 1001}]}
        response = await c.post("/v1/messages", json=msg, headers=AUTH)
        assert response.status_code == 413
        assert response.json()["error"]["type"] == "request_too_large"
        emb = {"model": "stratus-x1ac-small", "input": ["y" * 600, "y" * 600]}
        assert (await c.post("/v1/embeddings", json=emb, headers=AUTH)).status_code == 413
        roll = {"model": "stratus-x1ac-small", "goal": "g" * 1001}
        assert (await c.post("/v1/rollout", json=roll, headers=AUTH)).status_code == 413


@pytest.mark.asyncio
async def test_a_huge_goal_gives_a_capped_answer(client: httpx.AsyncClient) -> None:
    goal = "find " + " ".join(f"w{i}" for i in range(20_000))
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": goal}]}
    response = await client.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    choice = response.json()["choices"][0]
    # the wording quotes at most 400 characters of the goal; the cap bounds whatever it writes
    assert len(choice["message"]["content"]) <= MAX_ANSWER_CHARS
    assert len(response.content) < len(goal) // 4


def test_an_answer_longer_than_the_cap_is_cut_with_length() -> None:
    from reference_server._executor import _limit

    text = "word " * (MAX_ANSWER_CHARS // 2)
    kept, finish, stop, used = _limit(text, None, [])
    assert len(kept) <= MAX_ANSWER_CHARS
    assert text.startswith(kept)
    assert (finish, stop) == ("length", None)
    assert used == count_tokens(kept)
    assert _limit("short answer", None, []) == ("short answer", "stop", None, count_tokens("short answer"))


@pytest.mark.asyncio
async def test_a_huge_goal_gives_no_huge_tool_arguments(client: httpx.AsyncClient) -> None:
    """Arguments quote the goal (its words are the query): past the answer cap the call is not made,
    the answer is text cut at the cap (`length`), as a call that does not fit `max_tokens`."""
    goal = "search hotels in Paris " + " ".join(f"w{i}" for i in range(20_000))
    tool = {
        "type": "function",
        "function": {
            "name": "search_hotels",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
            },
        },
    }
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": goal}], "tools": [tool]}
    response = await client.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    choice = response.json()["choices"][0]
    assert not choice["message"].get("tool_calls")
    assert len(choice["message"]["content"]) <= MAX_ANSWER_CHARS
    assert choice["finish_reason"] == "length"
    short = {**body, "messages": [{"role": "user", "content": "search hotels in Paris"}]}
    called = (await client.post("/v1/chat/completions", json=short, headers=AUTH)).json()["choices"][0]
    assert called["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("raw", ["²", "abc", "", "Wed, 99 Foo 2015", "١٢", "nan", "inf"])
def test_provider_retry_after_of_any_shape_is_no_crash(raw: str) -> None:
    """A provider's `retry-after` is parsed with the same care (`_upstream_http`): never a ValueError;
    a value that is not ASCII seconds or an HTTP date leaves the default backoff (`None`)."""
    from reference_server._upstream_http import _provider_error, _retry_after
    from reference_server._upstream_route import Route

    route = Route(provider="openai", model="gpt-4o", url="http://127.0.0.1:9/v1", key_source="user")
    err = _provider_error(route, 429, b'{"error":{"message":"slow down"}}', raw)
    assert err.status == 502
    assert err.retry_after is None
    for header in ("retry-after", "retry-after-ms"):
        assert _retry_after(httpx.Headers({header: raw.encode("utf-8")})) is None


def test_provider_retry_after_in_seconds_is_kept() -> None:
    from reference_server._upstream_http import _provider_error, _retry_after
    from reference_server._upstream_route import Route

    route = Route(provider="openai", model="gpt-4o", url="http://127.0.0.1:9/v1", key_source="user")
    assert _provider_error(route, 429, b"", "7.5").retry_after == 7
    assert _retry_after(httpx.Headers({"retry-after": "7.5"})) == 7.5
    assert _retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
