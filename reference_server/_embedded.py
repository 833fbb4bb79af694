"""The embedded executor behind the `Executor` interface: offline, deterministic, no keys.

`_executor.py` writes each choice from the plan; this module gives it the `Turn` in its terms and
hands the answer back as a `Result`, or as the events a stream sends: text in pieces of 4 tokens,
tool-call arguments in pieces of 16 characters, choice after choice (wire-checklist B4, B6, E4-E6).
Around the text: a thinking block first when asked (`_thinking`, D-THINK-1), the text's
log-probabilities when asked (`_logprobs`, D-LOGP-1), and the deployment's `system_fingerprint`
(D-SEED-1).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import AsyncIterator
from importlib import resources

import msgspec

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
    ThinkingDelta,
    ThinkingOut,
    ThinkingSigned,
    ToolArgumentsDelta,
    ToolCallOut,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._executor import Completion, Conversation, ToolSpec, execute
from reference_server._limits import MESSAGES_BUDGET
from reference_server._logprobs import token_logprobs
from reference_server._memo import BoundedCache
from reference_server._structured import output_format
from reference_server._thinking import thinking_for
from reference_server._tokens import split_tokens
from reference_server._turn import AllowedTools, ForcedTool, Turn
from reference_server.planner import Plan

__all__ = ["EmbeddedExecutor", "fingerprint"]

_TEXT_PIECE_TOKENS = 4
_ARG_PIECE_CHARS = 16


def output_limit(turn: Turn) -> int | None:
    """The most tokens one choice gets: `max_tokens`, and on messages at most the Stratus page's
    4096-token budget however high the family limit lets a client ask (D-MSG-5)."""
    if turn.conventions == "anthropic":
        return min(turn.max_tokens or MESSAGES_BUDGET, MESSAGES_BUDGET)
    return turn.max_tokens


@functools.cache
def _planner_data_digest() -> bytes:
    """A digest of the planner's shipped data (actions, lexicon, operation model)."""
    h = hashlib.blake2b(digest_size=16)
    for entry in sorted(
        resources.files("reference_server.planner").joinpath("data").iterdir(), key=lambda e: e.name
    ):
        if entry.name.endswith(".json"):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.digest()


def fingerprint(model: ModelId) -> str:
    """`system_fingerprint`: what decides an embedded answer besides the request (the planner's data
    and the model's world-model size), the same with or without `seed` (D-SEED-1). Not the package
    version, so a release that changes no answer changes no stored snapshot."""
    digest = hashlib.blake2b(_planner_data_digest() + model.size.encode(), digest_size=6).hexdigest()
    return "fp_" + digest


def conversation(turn: Turn, limit: int | None = None) -> Conversation:
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
        max_tokens=limit if limit is not None else output_limit(turn),
        stops=list(turn.stop),
        output=output_format(turn),
    )


def _answer(done: Completion, turn: Turn, thinking: ThinkingOut | None) -> Answer:
    calls = tuple(
        ToolCallOut(id=c.id, name=c.name, arguments=c.arguments, input=c.input) for c in done.tool_calls
    )
    logprobs = token_logprobs(done.text or "", turn.top_logprobs or 0) if turn.logprobs else None
    return Answer(
        text=done.text,
        tool_calls=calls,
        finish=done.finish,
        stop_sequence=done.stop_sequence,
        thinking=(thinking,) if thinking is not None else (),
        logprobs=logprobs,
    )


_ANSWERS = BoundedCache(entries=1024, max_bytes=8 * 2**20)
"""Answers to repeated requests by (turn source, model id), with the plan each was written from."""
_PLAN_BYTES = 2048
"""What holding a plan costs, at most (a few steps of names and numbers; `weigh` would take longer
than the answer it saves)."""


class _Embedded:
    """One request on the embedded executor."""

    def __init__(self, turn: Turn, key_source: KeySource, model: ModelId) -> None:
        self.turn = turn
        self.model = model
        self.key_source: KeySource = key_source
        self.executed_by: str | None = None
        limit = output_limit(turn)
        self.budget_tokens = (limit if limit is not None else 1024) * (turn.n or 1)

    async def complete(self, plan: Plan) -> Result:
        source = self.turn.source
        if source is None:
            return self._result(plan)
        # a repeated request (same body, same model, same plan object from the plan cache) has the
        # same answer: everything below is a function of the turn, the plan and the model
        key = (source, self.model.id)
        found, kept = _ANSWERS.get(key)
        if found and kept[0] is plan:
            return kept[1]  # type: ignore[no-any-return]
        result = self._result(plan)
        _ANSWERS.put(key, (plan, result), 4 * len(msgspec.json.encode(result)) + _PLAN_BYTES)
        return result

    def _result(self, plan: Plan) -> Result:
        limit = output_limit(self.turn)
        thinking = thinking_for(self.turn, plan, limit)
        spent = thinking.tokens if thinking is not None else 0
        conv = conversation(self.turn, None if limit is None else limit - spent)
        done = [execute(conv, plan, index=i, dialect=self.turn.conventions) for i in range(self.turn.n or 1)]
        output = sum(d.completion_tokens + spent for d in done)
        return Result(
            choices=tuple(_answer(d, self.turn, thinking) for d in done),
            usage=Usage(input_tokens=self.turn.prompt_tokens, output_tokens=output),
            system_fingerprint=fingerprint(self.model),
        )

    async def stream(self, plan: Plan) -> AsyncIterator[Event]:
        return _events(await self.complete(plan))


async def _events(result: Result) -> AsyncIterator[Event]:
    usage = result.usage
    yield Opened(
        usage=Usage(input_tokens=usage.input_tokens, output_tokens=min(1, usage.output_tokens)),
        answer=result,
        system_fingerprint=result.system_fingerprint,
    )
    for i, answer in enumerate(result.choices):
        yield ChoiceStarted(choice=i)
        for block in answer.thinking:
            reasoning = split_tokens(block.text)
            for j in range(0, len(reasoning), _TEXT_PIECE_TOKENS):
                yield ThinkingDelta(choice=i, text="".join(reasoning[j : j + _TEXT_PIECE_TOKENS]))
            yield ThinkingSigned(choice=i, signature=block.signature)
        tokens = split_tokens(answer.text or "")
        for j in range(0, len(tokens), _TEXT_PIECE_TOKENS):
            piece = answer.logprobs[j : j + _TEXT_PIECE_TOKENS] if answer.logprobs is not None else None
            yield TextDelta(choice=i, text="".join(tokens[j : j + _TEXT_PIECE_TOKENS]), logprobs=piece)
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
        return _Embedded(turn, "user" if keys.present else "formation", model)
