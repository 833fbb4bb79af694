"""The completion service with a fake executor: one reserve and exactly one settle or release per
request, on success, on failure and when the client goes away; the `stratus` object; pricing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.datastructures import State

from reference_server import Settings
from reference_server._auth import credits_for
from reference_server._catalog import ModelId, parse_chat_model
from reference_server._chat_encode import MOCK_STREAM_ERROR, chat_chunks
from reference_server._errors import ApiError
from reference_server._execution import (
    Answer,
    ChoiceStarted,
    Event,
    Failed,
    Finished,
    KeySource,
    Opened,
    ProviderKeys,
    Result,
    TextDelta,
    ToolCallOut,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._frames import sse_answer
from reference_server._service import CompletionService, summarize
from reference_server._sse import DONE
from reference_server._store import Account, KeyRecord, account_of, open_store
from reference_server._turn import Message, Text, Turn
from reference_server._wire._common import StratusMetadata
from reference_server.planner import Plan

MODEL = parse_chat_model("stratus-x1ac-small-gpt-4o")
assert MODEL is not None
TURN = Turn(
    conventions="openai",
    messages=(Message(role="user", content=(Text(text="Find hotels in Paris"),)),),
    state="Search page",
    goal="Find hotels in Paris",
    prompt_tokens=12,
    max_tokens=100,
    n=2,
)
USAGE = Usage(input_tokens=12, output_tokens=7, cache_read_tokens=3)
RESULT = Result(
    choices=(
        Answer(text="First line\nsecond", finish="stop"),
        Answer(text="Other", finish="stop"),
    ),
    usage=USAGE,
    executed_by="Fake",
)
EVENTS: list[Event] = [
    Opened(),
    ChoiceStarted(choice=0),
    TextDelta(choice=0, text="Hello"),
    TextDelta(choice=1, text="ignored by the summary"),
    ToolCallStarted(choice=0, call=0, id="call_1", name="lookup"),
    Finished(choice=0, reason="tool_calls"),
    UsageReported(usage=USAGE),
]


class FakeHold:
    def __init__(self, log: list[tuple[str, float]]) -> None:
        self.log = log

    async def settle(self, spent: float) -> None:
        self.log.append(("settle", spent))

    async def release(self) -> None:
        self.log.append(("release", 0.0))


class Ledger:
    """A store that records every reserve / settle / release (holds are not idempotent here: a
    second settle or release would show in the log)."""

    def __init__(self, refuse: bool = False) -> None:
        self.log: list[tuple[str, float]] = []
        self.refuse = refuse

    async def reserve(self, account: Account, credits: float) -> FakeHold:
        if self.refuse:
            raise ApiError(402, "Insufficient credits.")
        self.log.append(("reserve", credits))
        return FakeHold(self.log)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.log]


class FakeExecution:
    def __init__(self, executor: FakeExecutor, key_source: KeySource, budget_tokens: int) -> None:
        self.executor = executor
        self.key_source: KeySource = key_source
        self.executed_by: str | None = "Fake"
        self.budget_tokens = budget_tokens

    async def complete(self, plan: Plan) -> Result:
        self.executor.plans.append(plan)
        if self.executor.fail is not None:
            raise self.executor.fail
        return RESULT

    async def stream(self, plan: Plan) -> AsyncIterator[Event]:
        self.executor.plans.append(plan)
        if self.executor.fail is not None:
            raise self.executor.fail
        return self.executor.events()

    def __repr__(self) -> str:
        return "FakeExecution()"


class FakeExecutor:
    live = False

    def __init__(self, events: list[Event] | None = None, fail: Exception | None = None) -> None:
        self.script = EVENTS if events is None else events
        self.fail = fail
        self.plans: list[Plan] = []
        self.prepared: list[tuple[Turn, ModelId, ProviderKeys]] = []
        self.closed = False

    def prepare(self, turn: Turn, model: ModelId, keys: ProviderKeys) -> FakeExecution:
        self.prepared.append((turn, model, keys))
        return FakeExecution(self, "user" if keys.present else "formation", turn.budget_tokens)

    async def events(self) -> AsyncIterator[Event]:
        try:
            for event in self.script:
                await asyncio.sleep(0)
                yield event
        finally:
            self.closed = True


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def make(executor: FakeExecutor, ledger: Ledger, **settings: Any) -> CompletionService:
    values: dict[str, Any] = {"planner_backend": "numpy", **settings}
    return CompletionService(Settings(**values), State(), store=ledger, executor=executor)  # type: ignore[arg-type]


ACCOUNT = Account(id="k")
NO_KEYS = ProviderKeys({})
RESERVED = credits_for(12 + 100 * 2, "small", pool=True)  # prompt + max_tokens x n, pool price
SETTLED = credits_for(12 + 3 + 7, "small", pool=True)  # provider usage: input + cache + output


def encode(result: Result, stratus: StratusMetadata) -> dict[str, Any]:
    return {"result": result, "stratus": stratus}


async def drain(events: AsyncIterator[Any]) -> list[Any]:
    return [e async for e in events]


# -- whole answers -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_complete_reserves_then_settles_once(ledger: Ledger) -> None:
    executor = FakeExecutor()
    body = await make(executor, ledger).complete(TURN, MODEL, ACCOUNT, NO_KEYS, encode)
    assert ledger.log == [("reserve", RESERVED), ("settle", SETTLED)]
    assert body["result"] is RESULT
    stratus: StratusMetadata = body["stratus"]
    assert stratus.execution_trace[0].response_summary == "First line"
    assert stratus.key_source == "formation"
    assert stratus.formation_markup_applied == 0.25
    assert stratus.stratus_model == "x1ac-small"
    assert stratus.execution_llm == "gpt-4o"
    assert list(stratus.action_sequence) == list(executor.plans[0].action_sequence)
    assert executor.prepared[0][0] is TURN


@pytest.mark.asyncio
async def test_a_users_key_pays_without_markup(ledger: Ledger) -> None:
    keys = ProviderKeys({"x-openai-key": "sk-proj-userKEY000001"})
    body = await make(FakeExecutor(), ledger).complete(TURN, MODEL, ACCOUNT, keys, encode)
    assert ledger.log == [
        ("reserve", credits_for(212, "small", pool=False)),
        ("settle", credits_for(22, "small", pool=False)),
    ]
    assert body["stratus"].key_source == "user"
    assert body["stratus"].formation_markup_applied is None


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["executor", "encoder", "planner"])
async def test_complete_failure_releases_once(ledger: Ledger, where: str) -> None:
    executor = FakeExecutor(fail=ApiError(502, "boom") if where == "executor" else None)
    service = make(executor, ledger, planner_backend="tpu" if where == "planner" else "numpy")

    def broken(result: Result, stratus: StratusMetadata) -> Any:
        raise ApiError(502, "cannot encode")

    with pytest.raises(ApiError) as info:
        await service.complete(TURN, MODEL, ACCOUNT, NO_KEYS, broken if where == "encoder" else encode)
    assert info.value.status == (503 if where == "planner" else 502)
    assert ledger.kinds() == ["reserve", "release"]


@pytest.mark.asyncio
async def test_nothing_is_reserved_when_no_executor_or_credit() -> None:
    class NotConfigured(FakeExecutor):
        def prepare(self, turn: Turn, model: ModelId, keys: ProviderKeys) -> FakeExecution:
            raise ApiError(502, "no key")

    ledger = Ledger()
    with pytest.raises(ApiError):
        await make(NotConfigured(), ledger).complete(TURN, MODEL, ACCOUNT, NO_KEYS, encode)
    assert ledger.log == []
    refusing = Ledger(refuse=True)
    executor = FakeExecutor()
    with pytest.raises(ApiError) as info:
        await make(executor, refusing).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    assert info.value.status == 402
    assert executor.plans == []  # neither planned nor executed
    assert refusing.log == []


# -- streams -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_stream_settles_once_at_the_end(ledger: Ledger) -> None:
    executor = FakeExecutor()
    streamed = await make(executor, ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    assert ledger.kinds() == ["reserve"]
    assert streamed.live is False
    assert streamed.stratus().execution_trace[0].response_summary == "executed by Fake"  # nothing yet
    seen: list[Event] = []
    async for event in streamed.events:
        seen.append(event)
        if isinstance(event, UsageReported):
            assert ledger.kinds() == ["reserve"]  # not before the executor is done
    assert seen == EVENTS
    assert ledger.log == [("reserve", RESERVED), ("settle", SETTLED)]
    # choice 0's tool call names the summary; choice 1's text does not count
    assert streamed.stratus().execution_trace[0].response_summary == "called lookup"
    assert executor.closed


@pytest.mark.asyncio
async def test_stream_with_the_whole_answer_up_front_summarises_it_at_once(ledger: Ledger) -> None:
    answer = Result(
        choices=(
            Answer(
                text="",
                tool_calls=(ToolCallOut(id="c", name="a", arguments="{}", input={}),),
                finish="tool_calls",
            ),
        ),
        usage=USAGE,
    )
    streamed = await make(FakeExecutor([Opened(answer=answer), UsageReported(usage=USAGE)]), ledger).stream(
        TURN, MODEL, ACCOUNT, NO_KEYS
    )
    first = await anext(streamed.events)
    assert isinstance(first, Opened)
    assert streamed.stratus().execution_trace[0].response_summary == "called a"
    await drain(streamed.events)
    assert ledger.kinds() == ["reserve", "settle"]


@pytest.mark.asyncio
async def test_stream_failure_releases_once(ledger: Ledger) -> None:
    failing = [Opened(), ChoiceStarted(choice=0), Failed(kind="llm_provider_error", message="gone")]
    streamed = await make(FakeExecutor(failing), ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    assert [type(e) for e in await drain(streamed.events)] == [Opened, ChoiceStarted, Failed]
    assert ledger.kinds() == ["reserve", "release"]


@pytest.mark.asyncio
async def test_stream_that_cannot_start_releases_once(ledger: Ledger) -> None:
    with pytest.raises(ApiError):
        await make(FakeExecutor(fail=ApiError(504, "timeout")), ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    assert ledger.kinds() == ["reserve", "release"]


@pytest.mark.asyncio
async def test_client_disconnect_releases_once(ledger: Ledger) -> None:
    executor = FakeExecutor()
    streamed = await make(executor, ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    frames = chat_chunks(streamed.events, streamed.stratus, "m", include_usage=False)
    assert (await anext(frames)).startswith(b"data: ")
    await frames.aclose()  # what the server does when the client goes away
    assert ledger.kinds() == ["reserve", "release"]
    assert executor.closed  # and the executor's stream is closed too


@pytest.mark.asyncio
async def test_mock_stream_error_releases_once(ledger: Ledger) -> None:
    executor = FakeExecutor()
    streamed = await make(executor, ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    frames = chat_chunks(streamed.events, streamed.stratus, "m", include_usage=False)
    response = sse_answer(
        frames, Settings(), live=False, fail_after=2, mock_error=MOCK_STREAM_ERROR, done=DONE
    )
    sent = [chunk async for chunk in response.iterator]
    assert len(sent) == 4
    assert sent[-2:] == [MOCK_STREAM_ERROR, DONE]
    assert ledger.kinds() == ["reserve", "release"]
    assert executor.closed


@pytest.mark.asyncio
async def test_chat_stream_of_fake_events(ledger: Ledger) -> None:
    """The events above as chunks: role, text, tool-call header, finish; `stratus` first and last."""
    streamed = await make(FakeExecutor(), ledger).stream(TURN, MODEL, ACCOUNT, NO_KEYS)
    frames = await drain(chat_chunks(streamed.events, streamed.stratus, "m", include_usage=True))
    chunks = [json.loads(f[6:]) for f in frames]
    assert [c["choices"] for c in chunks] == [
        [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": ""},
                "finish_reason": None,
                "logprobs": None,
            }
        ],
        [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": None, "logprobs": None}],
        [
            {
                "index": 1,
                "delta": {"content": "ignored by the summary"},
                "finish_reason": None,
                "logprobs": None,
            }
        ],
        [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "lookup", "arguments": ""},
                        }
                    ]
                },
                "finish_reason": None,
                "logprobs": None,
            }
        ],
        [{"index": 0, "delta": {}, "finish_reason": "tool_calls", "logprobs": None}],
        [],
    ]
    assert chunks[-1]["usage"] == {"prompt_tokens": 15, "completion_tokens": 7, "total_tokens": 22}
    assert all(c["usage"] is None for c in chunks[:-1])
    assert "stratus" in chunks[0]
    assert "stratus" in chunks[-1]
    assert chunks[-1]["stratus"]["execution_trace"][0]["response_summary"] == "called lookup"
    assert not any("stratus" in c for c in chunks[1:-1])
    assert ledger.kinds() == ["reserve", "settle"]


def test_summary() -> None:
    assert summarize("a" * 200, [], None) == "a" * 117 + "..."
    assert summarize("line one\nline two", [], "OpenAI") == "line one"
    assert summarize(None, ["f", "f"], "OpenAI") == "called f, f"
    assert summarize("", [], "OpenAI") == "executed by OpenAI"
    assert summarize("", [], None) == ""


def test_keys_are_never_printed() -> None:
    keys = ProviderKeys({"x-openai-key": "sk-proj-secret000001"}, {"google": "AIzaSecretBodyKey0000000000"})
    assert "secret" not in repr(keys).lower()
    assert keys.for_provider("openai") == "sk-proj-secret000001"
    assert keys.for_provider("google") == "AIzaSecretBodyKey0000000000"
    assert keys.for_provider("anthropic") is None
    assert keys.present
    assert not ProviderKeys({"x-openai-key": "  "}).present


# -- the account store and the real app ----------------------------------------------------------


@pytest.mark.asyncio
async def test_hold_is_settled_or_released_once() -> None:
    key = "stratus_sk_test_serviceHold0001"
    store = open_store(Settings(), [KeyRecord(key=key, credits=1.0)])
    account = account_of(KeyRecord(key=key, credits=1.0))
    with pytest.raises(ApiError) as info:
        await store.reserve(account, 2.0)
    assert info.value.status == 402
    hold = await store.reserve(account, 0.5)
    assert await store.balance(account) == 0.5  # held: a concurrent request cannot spend it
    await hold.settle(0.25)
    assert await store.balance(account) == 0.75  # charged what was spent, the rest returned
    await hold.release()  # after settle, a release does nothing
    await hold.settle(0.5)  # nor does a second settle
    assert await store.balance(account) == 0.75
    released = await store.reserve(account, 0.5)
    await released.release()
    await released.release()
    assert await store.balance(account) == 0.75


def test_embedded_requests_are_charged_what_they_used(tmp_path: Any) -> None:
    from litestar.testing import TestClient

    from reference_server import create_app

    key = "stratus_sk_test_serviceLedger01"
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": [{"key": key, "credits": 10.0}]}))
    app = create_app(Settings(keys_file=str(keys), planner_backend="numpy"))
    store = app.state["stratus_store"]
    account = account_of(KeyRecord(key=key, credits=10.0))

    def balance() -> float | None:
        return asyncio.run(store.balance(account))  # type: ignore[no-any-return]

    chat = {"model": "stratus-x1ac-small-gpt-4o", "messages": [{"role": "user", "content": "Find hotels"}]}
    with TestClient(app) as c:
        c.headers["authorization"] = f"Bearer {key}"
        body = c.post("/v1/chat/completions", json=chat).json()
        spent = credits_for(body["usage"]["total_tokens"], "small", pool=True)
        assert balance() == pytest.approx(10.0 - spent)
        r = c.post(
            "/v1/chat/completions", json={**chat, "stream": True, "stream_options": {"include_usage": True}}
        )
        usage = [json.loads(line[6:]) for line in r.text.split("\n") if line.startswith("data: {")][-1][
            "usage"
        ]
        spent += credits_for(usage["total_tokens"], "small", pool=True)
        assert balance() == pytest.approx(10.0 - spent)
        r = c.post(
            "/v1/chat/completions",
            json={**chat, "stream": True},
            headers={"x-stratus-mock-stream-error": "1"},
        )
        assert "Mock stream error" in r.text
        assert balance() == pytest.approx(10.0 - spent)  # a failed stream is not charged
