"""State machine for the OpenAI chunk stream (wire-checklist section B).

``analyse_chat_stream`` turns one exchange into findings keyed by rule (``B2``, ``B4``, ...);
each case then asserts that its rule has no findings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from conformance._case import CaseFailed
from conformance._context import Exchange
from conformance._expect import excerpt, is_event_stream, missing
from conformance._schema import schema_errors
from conformance._sse import parse_stream

__all__ = ["ChatStream", "analyse_chat_stream"]


@dataclass
class ChatStream:
    exchange: Exchange
    chunks: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    findings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    chunk_events: list[int] = field(default_factory=list)
    """For each chunk, its index among the stream's events, comments not counted (to highlight it)."""
    missing: CaseFailed | None = None
    """Set when there is nothing to judge: no event stream, or no chunk in it."""

    def problems(self, rule: str) -> list[str]:
        return self.findings.get(rule, [])


def analyse_chat_stream(ex: Exchange, request: dict[str, Any]) -> ChatStream:
    st = ChatStream(exchange=ex)
    f = st.findings
    if ex.status != 200 or not is_event_stream(ex.content_type) or not ex.body.strip():
        st.missing = missing("an event stream (HTTP 200, text/event-stream)", ex)
        return st
    parsed = parse_stream(ex.body)
    if parsed.decode_error:
        st.missing = CaseFailed(
            f"expected a UTF-8 event stream, got undecodable bytes ({parsed.decode_error})"
        )
        return st
    # -- framing (B2, B9) -------------------------------------------------------------------
    after_done = False
    event_index = -1
    for block in parsed.blocks:
        if block.is_comment:
            continue
        event_index += 1
        datas = block.fields("data")
        if after_done:
            f["B9"].append(f"event after data: [DONE]: {block.lines[:2]}")
        if not datas:
            f["B2"].append(f"event without data (openai-python raises JSONDecodeError): {block.lines}")
            continue
        if len(datas) > 1:
            f["B2"].append("one event spans several data: lines (JSON must be on one line)")
        payload = "\n".join(datas)
        if payload == "[DONE]":
            st.done = True
            after_done = True
            continue
        try:
            obj = json.loads(payload)
        except ValueError:
            f["B2"].append(f"data is not JSON: {payload[:120]!r}")
            continue
        if not isinstance(obj, dict):
            f["B2"].append(f"data is not a JSON object: {payload[:120]!r}")
            continue
        if obj.get("error"):
            st.errors.append(obj)
            continue
        st.chunks.append(obj)
        st.chunk_events.append(event_index)
    if parsed.unterminated_tail:
        f["B2"].append(f"stream ends inside an event (no blank line): {parsed.unterminated_tail[:120]!r}")
    if not st.done:
        f["B9"].append("stream does not end with data: [DONE]")
    if not st.chunks:
        body = excerpt(ex.body)
        st.missing = CaseFailed(
            "expected chat.completion.chunk events in the event stream, got none"
            + (f"\n{body}" if body else "")
        )
        return st
    # -- schema ---------------------------------------------------------------------------------
    for i, ch in enumerate(st.chunks):
        for err in schema_errors("ChatCompletionChunk", ch):
            f["schema"].append(f"chunk {i}: {err}")
    # -- B3: constant identity ------------------------------------------------------------------
    first = st.chunks[0]
    for i, ch in enumerate(st.chunks):
        for key in ("id", "created", "model"):
            if ch.get(key) != first.get(key):
                f["B3"].append(f"chunk {i} {key}={ch.get(key)!r} differs from chunk 0 ({first.get(key)!r})")
        if ch.get("object") != "chat.completion.chunk":
            f["B3"].append(f"chunk {i} object={ch.get('object')!r}")
    created = first.get("created")
    if not isinstance(created, int) or isinstance(created, bool) or created > 10**11:
        f["A3"].append(f"created={created!r} is not integer Unix seconds")
    # -- per-choice state machine (B4-B8, B11) --------------------------------------------------
    include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    n = int(request.get("n") or 1)
    seen_role: dict[int, int] = {}
    finished: dict[int, str] = {}
    tool_state: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    last_tool_index: dict[int, int] = {}
    first_indexes = [c.get("index") for c in first.get("choices") or [] if isinstance(c, dict)]
    if first.get("choices") and 0 not in first_indexes:
        f["B11"].append(f"first chunk holds choices {first_indexes}, not index 0")
    usage_chunks = []
    for i, ch in enumerate(st.chunks):
        choices = ch.get("choices")
        if "usage" in ch and ch["usage"] is not None:
            usage_chunks.append(i)
        elif include_usage and "usage" not in ch:
            f["B8"].append(f"chunk {i} lacks usage:null although include_usage is true")
        if choices == [] and ch.get("usage") is None:
            f["B8"].append(f"chunk {i} has choices:[] without usage")
        if not isinstance(choices, list):
            f["A15"].append(f"chunk {i} choices={choices!r}")
            continue
        for c in choices:
            if not isinstance(c, dict):
                continue
            idx = c.get("index")
            for key in ("index", "delta", "finish_reason", "logprobs"):
                if key not in c:
                    f["B5"].append(f"chunk {i}: choice lacks {key!r}")
            if not isinstance(idx, int):
                f["B5"].append(f"chunk {i}: choice index {idx!r}")
                continue
            delta = c.get("delta") or {}
            if idx in finished:
                f["B7"].append(f"chunk {i}: choice {idx} continues after finish_reason {finished[idx]!r}")
            if "role" in delta:
                if idx in seen_role:
                    f["B4"].append(
                        f"chunk {i}: role repeated for choice {idx} (first in chunk {seen_role[idx]})"
                    )
                elif delta["role"] != "assistant":
                    f["B4"].append(f"chunk {i}: role={delta['role']!r}")
                seen_role.setdefault(idx, i)
            elif idx not in seen_role:
                f["B4"].append(f"chunk {i}: first delta of choice {idx} lacks role:assistant")
                seen_role[idx] = i
            for tc in delta.get("tool_calls") or []:
                _tool_fragment(f, i, idx, tc, tool_state[idx], last_tool_index)
            fr = c.get("finish_reason")
            if fr is not None:
                finished[idx] = fr
                if delta:
                    f["B7"].append(f"chunk {i}: finish chunk of choice {idx} has a non-empty delta {delta!r}")
                if fr not in ("stop", "length", "tool_calls", "content_filter", "function_call"):
                    f["A5"].append(f"chunk {i}: finish_reason {fr!r} outside the enum")
    for idx in range(n):
        if idx not in finished:
            f["B7"].append(f"choice {idx} never received a finish_reason")
    for idx, calls in tool_state.items():
        for tci, state in calls.items():
            try:
                json.loads(state["arguments"] or "{}")
            except ValueError:
                f["B6"].append(f"choice {idx} tool call {tci}: concatenated arguments are not JSON")
        if sorted(calls) != list(range(len(calls))):
            f["B6"].append(f"choice {idx}: tool call indexes {sorted(calls)} are not 0-based contiguous")
    last = st.chunks[-1]
    if include_usage:
        if not usage_chunks:
            f["B8"].append("include_usage is true but no chunk carries usage")
        elif usage_chunks != [len(st.chunks) - 1]:
            f["B8"].append(f"usage appears on chunks {usage_chunks}, expected only on the last")
        if last.get("choices") != []:
            f["B8"].append("the usage chunk must have choices:[]")
        u = last.get("usage") or {}
        if isinstance(u, dict) and u.get("total_tokens") != (u.get("prompt_tokens") or 0) + (
            u.get("completion_tokens") or 0
        ):
            f["A7"].append(f"usage total_tokens != prompt + completion: {u}")
    elif usage_chunks:
        f["B8"].append(f"usage sent on chunks {usage_chunks} without stream_options.include_usage")
    # -- stratus placement (D-STR-1) --------------------------------------------------------------
    if "stratus" not in first:
        f["D-STR-1"].append("the first chunk has no stratus object")
    if "stratus" not in last:
        f["D-STR-1"].append("the last chunk before [DONE] has no stratus object")
    # -- headers (B1) -----------------------------------------------------------------------------
    h = ex.headers
    if not h.get("content-type", "").startswith("text/event-stream"):
        f["B1"].append(f"content-type {h.get('content-type')!r}")
    if "no-cache" not in h.get("cache-control", ""):
        f["B1"].append(f"cache-control {h.get('cache-control')!r} lacks no-cache")
    if h.get("x-accel-buffering", "").lower() != "no":
        f["B1"].append("x-accel-buffering: no is missing")
    if "content-length" in h:
        f["B1"].append("content-length on a stream (must be chunked)")
    if h.get("content-encoding", "identity") not in ("identity", ""):
        f["B1"].append(f"content-encoding {h.get('content-encoding')!r} on SSE")
    return st


def _tool_fragment(
    f: dict[str, list[str]],
    i: int,
    idx: int,
    tc: Any,
    calls: dict[int, dict[str, Any]],
    last_index: dict[int, int],
) -> None:
    if not isinstance(tc, dict) or not isinstance(tc.get("index"), int):
        f["B6"].append(f"chunk {i}: tool call fragment without integer index: {tc!r}")
        return
    tci = tc["index"]
    fn = tc.get("function") or {}
    if tci not in calls:
        if tci in calls or (idx in last_index and tci < last_index[idx]):
            f["B6"].append(f"chunk {i}: tool call {tci} restarts after a later index")
        if not (isinstance(tc.get("id"), str) and tc["id"]):
            f["B6"].append(f"chunk {i}: first fragment of tool call {tci} lacks id")
        if tc.get("type") != "function":
            f["B6"].append(f"chunk {i}: first fragment of tool call {tci} lacks type:function")
        if not (isinstance(fn.get("name"), str) and fn["name"]):
            f["B6"].append(f"chunk {i}: first fragment of tool call {tci} lacks function.name")
        calls[tci] = {"arguments": fn.get("arguments") or ""}
        last_index[idx] = tci
        return
    if last_index.get(idx) != tci:
        f["B6"].append(f"chunk {i}: tool call {tci} resumes after index {last_index.get(idx)} started")
    for key in ("id", "type"):
        if key in tc:
            f["B6"].append(f"chunk {i}: later fragment of tool call {tci} repeats {key!r}")
    if "name" in fn:
        f["B6"].append(f"chunk {i}: later fragment of tool call {tci} repeats function.name")
    calls[tci]["arguments"] += fn.get("arguments") or ""
