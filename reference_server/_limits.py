"""Request limits that keep client input from costing a 5xx, unbounded memory or unbounded CPU.

All figures are documented in the README ("Limits"):

* JSON bodies nest at most `MAX_JSON_DEPTH` levels (objects and arrays, free-form JSON such as tool
  `parameters`, `input_schema` and `tool_use.input` included); deeper is a 400 naming the parameter.
* Output tokens are bounded by the model family's output limit (`FAMILY_LIMITS`, one table for both
  dialects), each dialect in its API's words: chat `max_tokens` / `max_completion_tokens` as OpenAI
  says it (`max_tokens is too large: N. This model supports at most M completion tokens ...`, D-LIM-2),
  messages `max_tokens` as Anthropic says it (`max_tokens: N > M, which is the maximum allowed number
  of output tokens for <model>`, D-MSG-5). On messages the embedded executor still generates within
  the Stratus page's `MESSAGES_BUDGET` (4096) and credits are reserved for that.
* The request's text (what `prompt_tokens` counts) is at most `Settings.max_text_chars` characters
  (413 beyond); an embedded answer is at most `MAX_ANSWER_CHARS` characters (cut, `length`).
* Numbers in headers and query strings are ASCII digits only (`"²".isdigit()` is true in Python).
"""

from __future__ import annotations

import re

import numpy as np

from reference_server._catalog import ModelId
from reference_server._errors import ApiError

__all__ = [
    "CLAUDE_LIMITS",
    "FAMILY_LIMITS",
    "MAX_ANSWER_CHARS",
    "MAX_JSON_DEPTH",
    "MAX_OUTPUT_TOKENS",
    "MESSAGES_BUDGET",
    "check_json_depth",
    "check_max_tokens",
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

MAX_OUTPUT_TOKENS = 128_000
"""The largest output limit of any model family we route (Claude Opus 4.6+, Sonnet 4.6+ and the 5
family, `gpt-5`): the schemas' `maximum` for `max_tokens`, and the limit of an LLM the table does not
know."""
MESSAGES_BUDGET = 4096
"""Tokens the embedded executor generates at most on `/v1/messages` (the Stratus page's 1-4096,
D-MSG-5); credits are reserved for these, not for the family limit asked."""

CLAUDE_LIMITS: tuple[tuple[str, int], ...] = (
    (r"claude-3-(haiku|opus|sonnet)-", 4096),
    (r"claude-3-5-", 8192),
    (r"claude-3-7-", 64000),
    (r"(claude-opus-4(-[01])?(-[0-9]{8})?$|claude-4-opus)", 32000),
    (r"(claude-sonnet-4(-0)?(-[0-9]{8})?$|claude-4-sonnet)", 64000),
    (r"claude-(opus|sonnet|haiku)-4-5(-[0-9]{8})?$", 64000),
)
"""Anthropic's published limits: Claude 3 Haiku/Opus/Sonnet 4K, 3.5 8K, Sonnet 3.7 64K, Opus 4 and
4.1 32K, Sonnet 4 64K, the 4.5 models 64K; newer families (Opus 4.6+, Sonnet 4.6+, 5.x) 128K, the
`claude-` row below. The patterns are mutually exclusive, so spec/schemas/MessagesRequest.json states
them as `allOf` if/then rules on `model` (a test keeps the two equal)."""

FAMILY_LIMITS: tuple[tuple[str, int], ...] = (
    *CLAUDE_LIMITS,
    (r"claude-", MAX_OUTPUT_TOKENS),
    (r"gpt-4o", 16_384),
    (r"chatgpt-4o", 16_384),
    (r"gpt-4\.1", 32_768),
    (r"gpt-4-turbo", 4_096),
    (r"gpt-4", 8_192),
    (r"gpt-3\.5", 4_096),
    (r"gpt-5", 128_000),
    (r"o1-mini", 65_536),
    (r"o[1-9]", 100_000),
    (r"gemini-", 65_536),
)
"""(pattern matched at the start of the LLM part of the model id, output-token limit), first match
wins; anything else `MAX_OUTPUT_TOKENS`. One table for both dialects (D-LIM-2, D-MSG-5): OpenAI's
published maxima, Anthropic's per Claude family, Google's for Gemini."""

_COMPILED = tuple((re.compile(pattern), limit) for pattern, limit in FAMILY_LIMITS)


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
    """The most output tokens the model family `llm` (`gpt-4o`, `claude-sonnet-4-5-20250929`) may be
    asked for, in either dialect."""
    for pattern, limit in _COMPILED:
        if pattern.match(llm):
            return limit
    return MAX_OUTPUT_TOKENS


def check_output_tokens(llm: str, **requested: object) -> None:
    """Chat: 400 in OpenAI's wording when a `max_tokens`-like parameter exceeds the model's output
    limit (D-LIM-2)."""
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


def check_max_tokens(model: ModelId, max_tokens: int) -> None:
    """Messages: Anthropic's 400 when `max_tokens` is above the model family's limit (D-MSG-5)."""
    limit = output_token_limit(model.llm)
    if max_tokens > limit:
        raise ApiError(
            400,
            f"max_tokens: {max_tokens} > {limit}, which is the maximum allowed number of output tokens "
            f"for {model.id}",
            param="max_tokens",
        )


def check_text_size(text: str, limit: int) -> None:
    """413 when the request's text (what the prompt-token count covers) exceeds `limit` characters."""
    if len(text) > limit:
        raise ApiError(
            413,
            f"Request text too large: {len(text)} characters; the limit is {limit} characters.",
        )
