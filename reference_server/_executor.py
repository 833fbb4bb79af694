"""The embedded deterministic executor's answers: writes the assistant turn from the plan.

`_embedded.py` (the `Executor` interface) turns a `Turn` into a `Conversation`; `execute()` returns
one `Completion` per choice. No network, no keys, no randomness: the same request gives the same
answer. Limits are applied in generation order: a stop sequence that completes within the first
`max_tokens` tokens wins (`stop`, stop text removed); otherwise the text is cut to `max_tokens`
tokens (`length`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

import msgspec

from reference_server import _wording
from reference_server._arguments import (
    FUNCTION_WORDS,
    UnsatisfiableSchema,
    arguments_for,
    locations,
    tool_schema_error,
)
from reference_server._limits import MAX_ANSWER_CHARS
from reference_server._memo import memo
from reference_server._structured import OutputFormat, structured_text
from reference_server._tokens import count_tokens, split_tokens
from reference_server.planner import Plan

__all__ = ["Completion", "Conversation", "ToolCallOut", "ToolSpec", "execute"]

ToolMode = Literal["none", "auto", "required", "named"]
Finish = Literal["stop", "length", "tool_calls"]

_SYNONYMS = {
    "find": "search",
    "look": "search",
    "lookup": "search",
    "query": "search",
    "searching": "search",
    "forecast": "weather",
    "temperature": "weather",
    "reserve": "book",
    "booking": "book",
    "mail": "email",
    "e-mail": "email",
    "cost": "price",
    "prices": "price",
    "stock": "price",
}
_NOISE = FUNCTION_WORDS | frozenset(
    [
        "data",
        "given",
        "information",
        "set",
        "specific",
    ]
)


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    parameters: dict[str, Any] | None
    index: int | None = None
    """Its place in the client's `tools` when other tools precede it; None: its place here."""


class Conversation(msgspec.Struct, kw_only=True):
    """A chat or messages request, in the executor's terms."""

    state: str
    """System and developer text: the world model's current state."""
    goal: str
    """The last user text: the world model's goal."""
    tools: list[ToolSpec]
    tool_mode: ToolMode
    forced_tool: str | None
    parallel: bool
    tool_results: list[tuple[str, str]]
    """(tool name, result text) for tool results after the last user text: answer from them."""
    max_tokens: int | None
    stops: list[str]
    output: OutputFormat | None = None
    """JSON asked for (`response_format`, `output_config.format`, a schema in the prompt): the text
    answer is that JSON (`_structured`)."""


class ToolCallOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    arguments: str
    """Compact JSON text of `input`."""
    input: dict[str, Any]


class Completion(msgspec.Struct, kw_only=True):
    text: str
    """The assistant text ("" when only tools are called, unless `preface` was asked for)."""
    tool_calls: list[ToolCallOut]
    finish: Finish
    stop_sequence: str | None
    completion_tokens: int


@memo(entries=4096, max_bytes=8 * 2**20)
def _words(text: str) -> frozenset[str]:
    out = set()
    for raw in re.split(r"[^a-zA-Z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text)):
        w = raw.lower()
        if len(w) < 2 or w in _NOISE:
            continue
        w = _SYNONYMS.get(w, w)
        out.add(w[:-1] if w.endswith("s") and len(w) > 3 else w)
    return frozenset(out)


def _select_tools(conv: Conversation, plan: Plan) -> list[ToolSpec]:
    """Tools that match the goal and plan (auto), best first; ties within 75 % are called together."""
    goal = _words(conv.goal) | _words(" ".join(plan.action_sequence))
    scored: list[tuple[int, int, ToolSpec]] = []
    for i, tool in enumerate(conv.tools):
        score = 2 * len(_words(tool.name) & goal) + len(_words(tool.description) & goal)
        if score > 0:
            scored.append((score, -i, tool))
    if not scored:
        return []
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    best = scored[0][0]
    return [t for s, _, t in scored if s * 4 >= best * 3]


def _call_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return f"{prefix}{digest}"


def _tool_calls(
    conv: Conversation, plan: Plan, index: int, id_prefix: str, dialect: Literal["openai", "anthropic"]
) -> list[ToolCallOut]:
    by_name = {t.name: t for t in conv.tools}
    if conv.tool_mode == "none" or not conv.tools:
        return []
    if conv.tool_mode == "named" and conv.forced_tool in by_name:
        chosen = [by_name[conv.forced_tool]]
    else:
        if conv.tool_mode == "auto" and conv.tool_results:
            return []
        chosen = _select_tools(conv, plan)
        if conv.tool_results:  # required after results: move on to a tool not called yet, so a loop ends
            answered = {name for name, _ in conv.tool_results}
            fresh = [t for t in conv.tools if t.name not in answered]
            chosen = [t for t in chosen if t.name not in answered] or fresh[:1] or chosen[:1]
        if not chosen and conv.tool_mode == "required":
            chosen = [conv.tools[0]]
    if not chosen:
        return []
    if not conv.parallel:
        chosen = chosen[:1]
    calls: list[tuple[ToolSpec, str | None]] = []
    places = locations(conv.goal)
    for tool in chosen:
        props = (tool.parameters or {}).get("properties") or {}
        has_location = any(k in str(p).lower() for p in props for k in ("location", "city", "place"))
        if conv.parallel and has_location and len(places) > 1 and len(chosen) == 1:
            calls.extend((tool, place) for place in places)
        else:
            calls.append((tool, None))
    out = []
    for n, (tool, place) in enumerate(calls):
        try:
            args = arguments_for(
                tool.parameters, conv.goal, location=place, plan_actions=plan.action_sequence
            )
        except UnsatisfiableSchema as exc:
            at = tool.index if tool.index is not None else conv.tools.index(tool)
            raise tool_schema_error(exc, index=at, name=tool.name, dialect=dialect) from exc
        text = msgspec.json.encode(args).decode()
        out.append(
            ToolCallOut(
                id=_call_id(id_prefix, conv.goal, tool.name, str(index), str(n)),
                name=tool.name,
                arguments=text,
                input=args,
            )
        )
    return out


def _compose(conv: Conversation, plan: Plan, index: int, tools: list[ToolCallOut]) -> str:
    names = [t.name for t in tools]
    return _wording.compose(conv.goal, conv.state, plan, index, names, conv.tool_results)


def _limit(text: str, max_tokens: int | None, stops: list[str]) -> tuple[str, Finish, str | None, int]:
    capped = len(text) > MAX_ANSWER_CHARS  # text caps: a 1 MB goal must not become a 1 MB answer
    text = text[:MAX_ANSWER_CHARS]
    if not stops and not capped:  # the common answer: whole, counted from the (cached) count alone
        total = count_tokens(text)
        if max_tokens is None or max_tokens >= total:
            return text, "stop", None, total
    tokens = split_tokens(text)
    budget = len(tokens) if max_tokens is None else min(max_tokens, len(tokens))
    prefix = "".join(tokens[:budget])
    best: tuple[int, int, str] | None = None
    for stop in stops:
        at = prefix.find(stop)
        if at >= 0 and (best is None or at + len(stop) < best[0] + len(best[2])):
            best = (at, 0, stop)
    if best is not None:
        kept = prefix[: best[0]]
        return kept, "stop", best[2], count_tokens(kept)
    if budget < len(tokens) or capped:
        return prefix, "length", None, budget
    return text, "stop", None, len(tokens)


def execute(
    conv: Conversation, plan: Plan, *, index: int = 0, dialect: Literal["openai", "anthropic"] = "openai"
) -> Completion:
    """The assistant turn for choice `index`."""
    prefix = "toolu_" if dialect == "anthropic" else "call_"
    calls = _tool_calls(conv, plan, index, prefix, dialect)
    over_cap = sum(len(c.arguments) for c in calls) > MAX_ANSWER_CHARS  # arguments quoting a huge goal
    if calls and not over_cap:
        call_tokens = sum(count_tokens(c.name) + count_tokens(c.arguments) for c in calls)
        preface = _compose(conv, plan, index, calls) if dialect == "anthropic" else ""
        total = call_tokens + count_tokens(preface)
        if conv.max_tokens is not None and total > conv.max_tokens:
            preface, total = "", call_tokens
        if conv.max_tokens is None or total <= conv.max_tokens:
            return Completion(
                text=preface,
                tool_calls=calls,
                finish="tool_calls",
                stop_sequence=None,
                completion_tokens=total,
            )
    if conv.output is not None:
        text = structured_text(conv.output, goal=conv.goal, state=conv.state, plan=plan, dialect=dialect)
    else:
        text = _compose(conv, plan, index, [])
    kept, finish, matched, used = _limit(text, conv.max_tokens, conv.stops)
    if over_cap and finish == "stop" and matched is None:
        finish = "length"  # the answer (the tool calls) did not fit the answer cap
    return Completion(text=kept, tool_calls=[], finish=finish, stop_sequence=matched, completion_tokens=used)
