"""SSE parsing: events through httpx-sse, framing from the raw bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx
from httpx_sse import EventSource, ServerSentEvent

__all__ = ["Block", "ParsedStream", "parse_stream"]

_LINE = re.compile(r"\r\n|\r|\n")


@dataclass
class Block:
    """One raw SSE block (the lines between blank lines)."""

    lines: list[str]

    def fields(self, name: str) -> list[str]:
        out = []
        for line in self.lines:
            if line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            if key == name:
                out.append(value[1:] if value.startswith(" ") else value)
        return out

    @property
    def is_comment(self) -> bool:
        return all(line.startswith(":") for line in self.lines)

    @property
    def field_names(self) -> list[str]:
        return [line.partition(":")[0] for line in self.lines if not line.startswith(":")]


@dataclass
class ParsedStream:
    events: list[ServerSentEvent]
    blocks: list[Block]
    unterminated_tail: str = ""
    line_endings: set[str] = field(default_factory=set)
    decode_error: str | None = None


def parse_stream(body: bytes) -> ParsedStream:
    """Parse ``body`` both ways: the events a spec-compliant client sees, and the raw blocks."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParsedStream(events=[], blocks=[], decode_error=str(exc))
    resp = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    events = list(EventSource(resp).iter_sse())
    endings = set(_LINE.findall(text))
    blocks: list[Block] = []
    current: list[str] = []
    parts = _LINE.split(text)
    # A complete stream ends with a blank line, so the split leaves ["...", "", ""].
    tail = parts.pop() if parts else ""
    for line in parts:
        if line == "":
            if current:
                blocks.append(Block(current))
                current = []
        else:
            current.append(line)
    unterminated = "\n".join([*current, tail]).strip("\n") if (current or tail) else ""
    return ParsedStream(events=events, blocks=blocks, unterminated_tail=unterminated, line_endings=endings)
