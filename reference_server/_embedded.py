"""The embedded executor behind the `Executor` interface: offline, deterministic, no keys.

`_executor.py` writes each choice from the plan; this module gives it the `Turn` in its terms and
hands the answer back as a `Result`, or as the events a stream sends: text in pieces of 4 tokens,
tool-call arguments in pieces of 16 characters, choice after choice (wire-checklist B4, B6, E4-E6).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from reference_server._catalog import ModelId
from reference_server._execution import (
    Answer,
    ChoiceStarted,
    Event,
    Finished,
    KeySource,
    Opened,
    ProviderKeys,
    Result,
    TextDelta,
    ToolArgumentsDelta,
    ToolCallOut,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._executor import Completion, Conversation, ToolSpec, execute
from reference_server._limits import MESSAGES_BUDGET
from reference_server._structured import output_format
from reference_server._tokens import split_tokens
from reference_server._turn import AllowedTools, ForcedTool, Turn
from reference_server.planner import Plan

__all__ = ["EmbeddedExecutor"]

_TEXT_PIECE_TOKENS = 4
_ARG_PIECE_CHARS = 16


def output_limit(turn: Turn) -> int | None:
    """The most tokens one choice gets: `max_tokens`, and on messages at most the Stratus page's
    4096-token budget however high the family limit lets a client ask (D-MSG-5)."""
    if turn.conventions == "anthropic":
        return min(turn.max_tokens or MESSAGES_BUDGET, MESSAGES_BUDGET)
    return turn.max_tokens


def conversation(turn: Turn) -> Conversation:
    """The executor's view of a turn: the function tools (the client runs `wire_tools`)."""
    tools = [
        ToolSpec(name=t.name, description=t.description or "", parameters=t.parameters or None, index=t.index)
        for t in turn.tools
    ]
    choice = turn.tool_choice
    forced: str | None = None
    if isinstance(choice, ForcedTool):
        mode, forced = "named", choice.name
    elif isinstance(choice, AllowedTools):
        mode = choice.mode
    elif choice is None:
        mode = "auto" if tools else "none"
    else:
        mode = choice
    return Conversation(
        state=turn.state,
        goal=turn.goal,
        tools=tools,
        tool_mode=mode,  # type: ignore[arg-type]
        forced_tool=forced,
        parallel=turn.parallel_tool_calls is not False,
        tool_results=[(r.name, r.text) for r in turn.tool_results],
        max_tokens=output_limit(turn),
        stops=list(turn.stop),
        output=output_format(turn),
    )


def _answer(done: Completion) -> Answer:
    calls = tuple(
        ToolCallOut(id=c.id, name=c.name, arguments=c.arguments, input=c.input) for c in done.tool_calls
    )
    return Answer(text=done.text, tool_calls=calls, finish=done.finish, stop_sequence=done.stop_sequence)


class _Embedded:
    """One request on the embedded executor."""

    def __init__(self, turn: Turn, key_source: KeySource) -> None:
        self.turn = turn
        self.key_source: KeySource = key_source
        self.executed_by: str | None = None
        limit = output_limit(turn)
        self.budget_tokens = (limit if limit is not None else 1024) * (turn.n or 1)

    async def complete(self, plan: Plan) -> Result:
        conv = conversation(self.turn)
        done = [execute(conv, plan, index=i, dialect=self.turn.conventions) for i in range(self.turn.n or 1)]
        output = sum(d.completion_tokens for d in done)
        return Result(
            choices=tuple(_answer(d) for d in done),
            usage=Usage(input_tokens=self.turn.prompt_tokens, output_tokens=output),
        )

    async def stream(self, plan: Plan) -> AsyncIterator[Event]:
        return _events(await self.complete(plan))


async def _events(result: Result) -> AsyncIterator[Event]:
    usage = result.usage
    yield Opened(
        usage=Usage(input_tokens=usage.input_tokens, output_tokens=min(1, usage.output_tokens)), answer=result
    )
    for i, answer in enumerate(result.choices):
        yield ChoiceStarted(choice=i)
        tokens = split_tokens(answer.text or "")
        for j in range(0, len(tokens), _TEXT_PIECE_TOKENS):
            yield TextDelta(choice=i, text="".join(tokens[j : j + _TEXT_PIECE_TOKENS]))
        for k, call in enumerate(answer.tool_calls):
            yield ToolCallStarted(choice=i, call=k, id=call.id, name=call.name)
            for j in range(0, len(call.arguments), _ARG_PIECE_CHARS):
                yield ToolArgumentsDelta(choice=i, call=k, fragment=call.arguments[j : j + _ARG_PIECE_CHARS])
        yield Finished(choice=i, reason=answer.finish, stop_sequence=answer.stop_sequence)
    yield UsageReported(usage=usage)


class EmbeddedExecutor:
    """The offline executor: a BYOK key only decides `key_source` (D-AUTH-3, D-EXEC-1)."""

    live = False

    def prepare(self, turn: Turn, model: ModelId, keys: ProviderKeys) -> _Embedded:
        return _Embedded(turn, "user" if keys.present else "formation")
