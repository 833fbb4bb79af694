"""The reference server's deterministic tokenizer (documented in ARCHITECTURE.md).

A token is a run of at most 4 word characters, or one other non-space character, together with
the whitespace in front of it; trailing whitespace is one more token. Concatenating the tokens of
a text gives the text back, so "the first N tokens" is an exact prefix and `max_tokens` can be
honoured exactly.
"""

from __future__ import annotations

import re

from reference_server._memo import memo

__all__ = ["count_tokens", "split_tokens"]

_TOKEN_RE = re.compile(r"\s*(?:\w{1,4}|[^\w\s])|\s+")


def split_tokens(text: str) -> list[str]:
    """Split `text` into tokens; `"".join(split_tokens(t)) == t`."""
    return list(_split(text))


@memo(entries=4096, max_bytes=16 * 2**20)
def _split(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(text))


@memo(entries=8192, max_bytes=2 * 2**20)
def count_tokens(text: str) -> int:
    """Number of tokens in `text`."""
    return sum(1 for _ in _TOKEN_RE.finditer(text))
