"""The completion service: one path from a `Turn` to an answer, for both dialects and executors.

    prepare (executor + key) ─► reserve ─► plan ─► execute ─► `stratus` ─► encode ─► settle
                                   └──────────── release on any failure ──────────────┘

Credits are reserved once, before the planner runs, for the prompt plus the output budget
(`max_tokens`, default 1024, x `n`; the embedded executor's messages budget is at most 4096 per
choice, D-MSG-5: `Execution.budget_tokens`), on the pool price unless the request's own provider key pays
(x1.25, `key_source`). They are settled once with the executor's usage when the answer is complete;
an answer that fails, or a stream that ends early (a provider error, a mock error, a client that went
away), releases the hold and is not charged. Holds live in the account store (`_store`: this
process's memory, or Redis shared by every worker), so concurrent requests cannot spend the same
credits twice. The service knows no dialect: handlers give it a
`Turn` and an encoder; streams come back as events for the dialect's stream encoder.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, MutableMapping
from typing import Any, TypeVar

from reference_server._auth import credits_for
from reference_server._catalog import ModelId
from reference_server._embedded import EmbeddedExecutor
from reference_server._execution import (
    Answer,
    Event,
    Execution,
    Executor,
    Failed,
    Opened,
    ProviderKeys,
    Result,
    TextDelta,
    ToolCallStarted,
    Usage,
    UsageReported,
)
from reference_server._settings import Settings
from reference_server._store import Account, Reservation, Store
from reference_server._stratus import plan_for, stratus_metadata
from reference_server._turn import Turn
from reference_server._upstream import UpstreamExecutor
from reference_server._wire._common import StratusMetadata
from reference_server.planner import Plan

__all__ = ["CompletionService", "Streamed", "summarize"]

T = TypeVar("T")
_EMBEDDED = EmbeddedExecutor()


def summarize(text: str | None, tool_names: list[str], executed_by: str | None) -> str:
    """`execution_trace[].response_summary`: the tools called, or the answer's first line (120 chars),
    or which provider executed it when it wrote nothing."""
    if tool_names:
        return "called " + ", ".join(tool_names)
    first = (text or "").split("\n", 1)[0]
    if first:
        return first if len(first) <= 120 else first[:117] + "..."
    return f"executed by {executed_by}" if executed_by else ""


def _summary_of(answer: Answer | None, executed_by: str | None) -> str:
    if answer is None:
        return summarize(None, [], executed_by)
    return summarize(answer.text, [c.name for c in answer.tool_calls], executed_by)


class _Run:
    """One request between reserve and settle: its plan, timing, key and what it has produced."""

    def __init__(self, model: ModelId, execution: Execution, plan: Plan, planning_ms: float) -> None:
        self.model, self.execution = model, execution
        self.plan, self.planning_ms = plan, planning_ms
        self.t0 = time.perf_counter()
        self.usage = Usage()
        self.known: str | None = None
        """The summary, when the executor gave the whole answer up front."""
        self.text: list[str] = []
        self.tool_names: list[str] = []

    @property
    def pool(self) -> bool:
        return self.execution.key_source == "formation"

    def credits(self, usage: Usage) -> float:
        return credits_for(usage.prompt_tokens + usage.output_tokens, self.model.size, pool=self.pool)

    def observe(self, event: Event) -> None:
        """Follow the stream: choice 0's text and tool calls (the summary), the final usage."""
        if isinstance(event, TextDelta) and event.choice == 0:
            self.text.append(event.text)
        elif isinstance(event, ToolCallStarted) and event.choice == 0:
            self.tool_names.append(event.name)
        elif isinstance(event, UsageReported):
            self.usage = event.usage
        elif isinstance(event, Opened) and event.answer is not None and event.answer.choices:
            self.known = _summary_of(event.answer.choices[0], self.execution.executed_by)

    def stratus(self, summary: str | None = None) -> StratusMetadata:
        """The `stratus` object as of now (its `execution_time_ms` runs from the executor's start)."""
        if summary is None:
            summary = self.known
        if summary is None:
            summary = summarize("".join(self.text), self.tool_names, self.execution.executed_by)
        return stratus_metadata(
            self.plan,
            self.model,
            byok=not self.pool,
            planning_ms=self.planning_ms,
            execution_ms=(time.perf_counter() - self.t0) * 1e3,
            summary=summary,
        )


class Streamed:
    """A started stream: its events (accounting runs as they are read) and the `stratus` source."""

    def __init__(self, events: AsyncGenerator[Event, None], run: _Run, *, live: bool) -> None:
        self.events = events
        self.stratus: Callable[[], StratusMetadata] = run.stratus
        self.live = live
        """True for an upstream stream (keep-alives), False for an embedded one (paced)."""


class CompletionService:
    """Owns accounting, planning, the choice of executor and the `stratus` object."""

    def __init__(
        self,
        settings: Settings,
        state: MutableMapping[str, Any],
        *,
        store: Store,
        executor: Executor | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.store = store
        """Where credits are held and settled (`_store`: this process's memory, or Redis)."""
        self._executor = executor

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            if self.settings.executor == "upstream":  # D-EXEC-1
                self._executor = UpstreamExecutor(self.settings, self.state)
            else:
                self._executor = _EMBEDDED
        return self._executor

    async def _start(
        self, turn: Turn, model: ModelId, account: Account, keys: ProviderKeys
    ) -> tuple[Execution, Reservation, Plan, float]:
        execution = self.executor.prepare(turn, model, keys)
        pool = execution.key_source == "formation"
        hold = await self.store.reserve(
            account, credits_for(turn.prompt_tokens + execution.budget_tokens, model.size, pool=pool)
        )
        try:
            plan, planning_ms = plan_for(model.size, turn.state, turn.goal, self.settings.planner_backend)
        except BaseException:
            await hold.release()
            raise
        return execution, hold, plan, planning_ms

    async def complete(
        self,
        turn: Turn,
        model: ModelId,
        account: Account,
        keys: ProviderKeys,
        encode: Callable[[Result, StratusMetadata], T],
    ) -> T:
        """The whole answer, encoded by `encode(result, stratus)`; settled once it is encoded."""
        execution, hold, plan, planning_ms = await self._start(turn, model, account, keys)
        run = _Run(model, execution, plan, planning_ms)
        try:
            result = await execution.complete(plan)
            first = result.choices[0] if result.choices else None
            body = encode(result, run.stratus(_summary_of(first, result.executed_by)))
        except BaseException:
            await hold.release()
            raise
        await hold.settle(run.credits(result.usage))
        return body

    async def stream(self, turn: Turn, model: ModelId, account: Account, keys: ProviderKeys) -> Streamed:
        """Start the answer (failures before it starts raise, released); its events come back."""
        execution, hold, plan, planning_ms = await self._start(turn, model, account, keys)
        run = _Run(model, execution, plan, planning_ms)
        try:
            events = await execution.stream(plan)
        except BaseException:
            await hold.release()
            raise
        return Streamed(_accounted(events, run, hold), run, live=self.executor.live)


async def _accounted(
    events: AsyncIterator[Event], run: _Run, hold: Reservation
) -> AsyncGenerator[Event, None]:
    """`events`, settling the hold when they run to their end, releasing it on anything else."""
    finished = False
    try:
        failed = False
        async for event in events:
            run.observe(event)
            failed = failed or isinstance(event, Failed)
            yield event
        if not failed:
            finished = True
            await hold.settle(run.credits(run.usage))
    finally:
        if not finished:
            await hold.release()
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
