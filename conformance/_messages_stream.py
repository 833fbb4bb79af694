"""State machine for the Anthropic event stream (wire-checklist section E, D-MSG-3)."""

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

__all__ = ["STOP_REASONS", "MessagesStream", "analyse_messages_stream"]

_DELTA_FOR = {"text": "text_delta", "tool_use": "input_json_delta", "thinking": "thinking_delta"}
STOP_REASONS = frozenset(
    {
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
    }
)
"""Anthropic's `stop_reason` values, for responses and `message_delta` events alike."""


@dataclass
class MessagesStream:
    exchange: Exchange
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    findings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    text: str = ""
    tool_inputs: list[Any] = field(default_factory=list)
    event_blocks: list[int] = field(default_factory=list)
    """For each event, its index among the stream's events, comments not counted (to highlight it)."""
    missing: CaseFailed | None = None
    """Set when there is nothing to judge: no event stream, or no event in it."""

    def problems(self, rule: str) -> list[str]:
        return self.findings.get(rule, [])

    def of_type(self, name: str) -> list[dict[str, Any]]:
        return [d for n, d in self.events if d.get("type") == name]


def analyse_messages_stream(ex: Exchange) -> MessagesStream:
    st = MessagesStream(exchange=ex)
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
    block_index = -1
    for block in parsed.blocks:
        if block.is_comment:
            continue
        block_index += 1
        names = block.fields("event")
        datas = block.fields("data")
        if not datas:
            f["E9"].append(f"event without data: {block.lines}")
            continue
        payload = "\n".join(datas)
        if payload.strip() == "[DONE]":
            f["E8"].append("data: [DONE] is not part of the Anthropic protocol")
            continue
        try:
            obj = json.loads(payload)
        except ValueError:
            f["E1"].append(f"data is not JSON: {payload[:120]!r}")
            continue
        if not isinstance(obj, dict):
            f["E1"].append(f"data is not an object: {payload[:120]!r}")
            continue
        name = names[-1] if names else ""
        if not names:
            f["E1"].append(f"event {obj.get('type')!r} has no event: line (the SDKs dispatch on it)")
        elif name != obj.get("type"):
            f["E1"].append(f"event: {name!r} but data.type {obj.get('type')!r}")
        st.events.append((name, obj))
        st.event_blocks.append(block_index)
    if parsed.unterminated_tail:
        f["E1"].append(f"stream ends inside an event: {parsed.unterminated_tail[:120]!r}")
    if not st.events:
        body = excerpt(ex.body)
        st.missing = CaseFailed(
            "expected Anthropic events (event: + data: JSON) in the event stream, got none"
            + (f"\n{body}" if body else "")
        )
        return st
    for i, (_, ev) in enumerate(st.events):
        for err in schema_errors("MessagesStreamEvent", ev):
            f["schema"].append(f"event {i} ({ev.get('type')}): {err}")
    # -- grammar --------------------------------------------------------------------------------
    state = "start"
    open_index: int | None = None
    open_type = ""
    next_index = 0
    started: set[int] = set()
    stopped: set[int] = set()
    partial: dict[int, str] = {}
    pings_after_first_block = 0
    for i, (_, ev) in enumerate(st.events):
        t = ev.get("type")
        if t == "ping":
            if ev != {"type": "ping"}:
                f["E9"].append(f"ping data {ev!r}")
            if started:
                pings_after_first_block += 1
            continue
        if t == "error":
            f["E10"].append(f"in-stream error: {ev!r}")
            state = "closed"
            continue
        if state == "start":
            if t != "message_start":
                f["E2"].append(f"event {i}: {t!r} before message_start")
            else:
                _check_message_start(f, ev)
            state = "message"
            continue
        if state == "closed":
            f["E8"].append(f"event {i}: {t!r} after message_stop")
            continue
        if t == "content_block_start":
            idx = ev.get("index")
            if open_index is not None:
                f["E4"].append(f"event {i}: block {idx} starts while block {open_index} is open")
            if idx != next_index:
                f["E4"].append(f"event {i}: block index {idx!r}, expected {next_index}")
            cb = ev.get("content_block") or {}
            open_type = cb.get("type", "")
            if open_type == "tool_use":
                if cb.get("input") != {}:
                    f["E5"].append(
                        f"event {i}: tool_use start carries input {cb.get('input')!r}, expected {{}}"
                    )
                partial[idx if isinstance(idx, int) else -1] = ""
            open_index = idx if isinstance(idx, int) else None
            if isinstance(idx, int):
                started.add(idx)
            next_index += 1
        elif t == "content_block_delta":
            idx = ev.get("index")
            d = ev.get("delta") or {}
            if idx != open_index:
                f["E4"].append(f"event {i}: delta for block {idx!r} while {open_index!r} is open")
            elif d.get("type") != _DELTA_FOR.get(open_type, d.get("type")) and not (
                open_type == "thinking" and d.get("type") == "signature_delta"
            ):
                f["E4"].append(f"event {i}: {d.get('type')!r} inside a {open_type!r} block")
            if d.get("type") == "text_delta":
                st.text += d.get("text") or ""
            if d.get("type") == "input_json_delta" and isinstance(idx, int) and idx in partial:
                partial[idx] += d.get("partial_json") or ""
        elif t == "content_block_stop":
            idx = ev.get("index")
            if idx != open_index:
                f["E4"].append(f"event {i}: stop for block {idx!r} while {open_index!r} is open")
            if isinstance(idx, int):
                stopped.add(idx)
            open_index = None
        elif t == "message_delta":
            if started - stopped:
                f["E6"].append(f"message_delta while blocks {sorted(started - stopped)} are not stopped")
            d = ev.get("delta") or {}
            if d.get("stop_reason") not in STOP_REASONS:
                f["E7"].append(f"message_delta stop_reason {d.get('stop_reason')!r}")
            if "stop_sequence" not in d:
                f["E7"].append("message_delta lacks delta.stop_sequence")
            u = ev.get("usage")
            if not isinstance(u, dict) or not isinstance(u.get("output_tokens"), int):
                f["E7"].append(f"message_delta usage.output_tokens missing: {u!r}")
            if "stratus" not in ev:
                f["D-STR-1"].append("message_delta has no stratus object")
            state = "delta"
        elif t == "message_stop":
            if state != "delta":
                f["E2"].append("message_stop without a preceding message_delta")
            state = "closed"
        elif t == "message_start":
            f["E2"].append(f"event {i}: second message_start")
    if state != "closed":
        f["E8"].append("stream does not end with message_stop")
    if not started:
        f["E11"].append("no content block between message_start and message_delta")
    for idx, text in partial.items():
        try:
            value = json.loads(text) if text else {}
        except ValueError:
            f["E5"].append(f"block {idx}: concatenated partial_json is not JSON: {text[:80]!r}")
            continue
        if not isinstance(value, dict):
            f["E5"].append(f"block {idx}: tool input is not an object")
        st.tool_inputs.append(value)
    if started and pings_after_first_block != 1:
        f["D-MSG-3"].append(f"{pings_after_first_block} ping events after the first block (expected one)")
    h = ex.headers
    if not h.get("content-type", "").startswith("text/event-stream"):
        f["E12"].append(f"content-type {h.get('content-type')!r}")
    if "no-cache" not in h.get("cache-control", "") or h.get("x-accel-buffering", "").lower() != "no":
        f["E12"].append("cache-control: no-cache / x-accel-buffering: no missing")
    if "content-length" in h:
        f["E12"].append("content-length on a stream")
    if not h.get("request-id", "").startswith("req_"):
        f["E12"].append(f"request-id header {h.get('request-id')!r}")
    return st


def _check_message_start(f: dict[str, list[str]], ev: dict[str, Any]) -> None:
    m = ev.get("message")
    if not isinstance(m, dict):
        f["E3"].append("message_start has no message object")
        return
    if m.get("type") != "message" or m.get("role") != "assistant":
        f["E3"].append(f"message_start.message type/role = {m.get('type')!r}/{m.get('role')!r}")
    if m.get("content") != []:
        f["E3"].append(f"message_start.message.content = {m.get('content')!r}, expected []")
    if m.get("stop_reason", "absent") is not None or m.get("stop_sequence", "absent") is not None:
        f["E3"].append("message_start.message needs stop_reason:null and stop_sequence:null")
    u = m.get("usage")
    if not isinstance(u, dict) or not all(
        isinstance(u.get(k), int) for k in ("input_tokens", "output_tokens")
    ):
        f["E3"].append(f"message_start.message.usage = {u!r}")
    if "stratus" not in m:
        f["D-STR-1"].append("message_start.message has no stratus object")
