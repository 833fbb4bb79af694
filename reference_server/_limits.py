"""Request limits that keep client input from costing a 5xx, unbounded memory or unbounded CPU.

All figures are documented in the README ("Limits"):

* JSON bodies nest at most `MAX_JSON_DEPTH` levels (objects and arrays, free-form JSON such as tool
  `parameters`, `input_schema` and `tool_use.input` included); deeper is a 400 naming the parameter.
* Chat `max_tokens` / `max_completion_tokens` are bounded by the model family's output limit, as
  OpenAI does (`max_tokens is too large: N. This model supports at most M completion tokens ...`).
* The request's text (what `prompt_tokens` counts) is at most `Settings.max_text_chars` characters
  (413 beyond); an embedded answer is at most `MAX_ANSWER_CHARS` characters (cut, `length`).
* Numbers in headers and query strings are ASCII digits only (`"²".isdigit()` is true in Python).
"""

from __future__ import annotations

import re

import numpy as np

from reference_server._errors import ApiError

__all__ = [
    "MAX_ANSWER_CHARS",
    "MAX_JSON_DEPTH",
    "check_json_depth",
    "check_output_tokens",
    "check_text_size",
    "output_token_limit",
    "parse_digits",
]

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays in a request body (the body itself is level 1)."""
MAX_ANSWER_CHARS = 32 * 1024
"""Longest embedded answer text; a longer one is cut there (finish `length` / `max_tokens`)."""

_OPENERS = frozenset(b"[{")
_DELETE_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:,]', re.S)
_FREE_FORM_ROOT = re.compile(
    r"^(?:tools\[\d+\]\.(?:function\.parameters|input_schema)"
    r"|messages\[\d+\]\.content\[\d+\]\.(?:input|content)"
    r"|messages\[\d+\]\.tool_calls\[\d+\]\.function"
    r"|response_format\.json_schema\.schema|metadata|tool_choice|[a-z_]+)"
)

# Output-token limits per LLM family (OpenAI's published maxima; other providers' long-output
# models); the first prefix that matches wins.
_OUTPUT_LIMITS: tuple[tuple[str, int], ...] = (
    ("gpt-4o", 16_384),
    ("chatgpt-4o", 16_384),
    ("gpt-4.1", 32_768),
    ("gpt-4-turbo", 4_096),
    ("gpt-4", 8_192),
    ("gpt-3.5", 4_096),
    ("gpt-5", 128_000),
    ("o1-mini", 65_536),
    ("o", 100_000),
    ("claude-", 64_000),
    ("gemini-", 65_536),
)
_DEFAULT_OUTPUT_LIMIT = 128_000


def parse_digits(raw: str) -> int | None:
    """`int(raw)` for a non-empty string of ASCII digits, else None (`"²"`, `"-1"`, `"1.5"`, `""`)."""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _depth(raw: bytes) -> int:
    """Deepest nesting of objects/arrays in the JSON text `raw` (strings skipped)."""
    brackets = _STRING.sub(b"", raw).translate(None, _DELETE_ALL_BUT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int64)
    return int(np.cumsum(steps).max())


def _deep_path(raw: bytes, limit: int) -> str:
    """The path (`tools[0].function.parameters.a`) of the first container nested deeper than `limit`."""
    frames: list[list[object]] = []  # [kind, key or index]
    last_string: bytes | None = None
    for m in _TOKEN.finditer(raw):
        tok = m.group()
        first = tok[0]
        if first in _OPENERS:
            frames.append([tok, None if tok == b"{" else 0])
            if len(frames) > limit:
                break
        elif tok in (b"]", b"}"):
            if frames:
                frames.pop()
        elif tok == b":":
            if frames:
                frames[-1][1] = (last_string or b'""')[1:-1].decode("utf-8", "replace")
        elif tok == b",":
            if frames and frames[-1][0] == b"[":
                frames[-1][1] = int(str(frames[-1][1])) + 1
        else:
            last_string = tok
    path = ""
    for kind, key in frames[:-1]:
        if kind == b"[":
            path += f"[{key}]"
        elif key is not None:
            path += f".{key}" if path else str(key)
    return path


def check_json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """400 naming the parameter when `raw` nests objects/arrays deeper than `limit` levels.

    Deep nesting would otherwise end in a RecursionError (a 500) in the decoder, the integral-float
    fix-up or the encoder; the common case (fewer brackets than the limit) is two `bytes.count`s.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit or _depth(raw) <= limit:
        return
    path = _deep_path(raw, limit)
    root = _FREE_FORM_ROOT.match(path)
    param = root.group() if root else (path or None)
    where = f"'{param}'" if param else "the request body"
    raise ApiError(
        400,
        f"Invalid value for {where}: JSON nested deeper than {limit} levels (objects and arrays).",
        param=param,
        code="invalid_value",
    )


def output_token_limit(llm: str) -> int:
    """The most completion tokens the model family `llm` (`gpt-4o`, `claude-…`) may be asked for."""
    for prefix, limit in _OUTPUT_LIMITS:
        if llm.startswith(prefix):
            return limit
    return _DEFAULT_OUTPUT_LIMIT


def check_output_tokens(llm: str, **requested: object) -> None:
    """400 in OpenAI's wording when a `max_tokens`-like parameter exceeds the model's output limit."""
    limit = output_token_limit(llm)
    for name, value in requested.items():
        if isinstance(value, int) and not isinstance(value, bool) and value > limit:
            raise ApiError(
                400,
                f"{name} is too large: {value}. This model supports at most {limit} completion tokens, "
                f"whereas you provided {value}.",
                param=name,
                code="invalid_value",
            )


def check_text_size(text: str, limit: int) -> None:
    """413 when the request's text (what the prompt-token count covers) exceeds `limit` characters."""
    if len(text) > limit:
        raise ApiError(
            413,
            f"Request text too large: {len(text)} characters; the limit is {limit} characters.",
        )
