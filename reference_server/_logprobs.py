"""Deterministic log-probabilities of an embedded answer's tokens (OpenAI `logprobs`, D-LOGP-1).

The embedded executor samples nothing, so a token's probability is a stated function of the text:
each token of the answer (`_tokens.split_tokens`, so the entries concatenate to the content) gets a
probability in [0.40, 0.995) from a BLAKE2b digest of the token and the one before it; the
`top_logprobs` alternatives are the token itself first, then spelling variants of it and common
tokens, sharing what is left halved at each step (descending, and the probabilities of a position
sum to less than 1). The same text gives the same numbers on every server and in JSON and streams.
`from_provider` reads a provider's own entries back (upstream mode, D-EXEC-2).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import msgspec

from reference_server._tokens import split_tokens

__all__ = ["TokenLogprob", "TopLogprob", "from_provider", "token_logprobs"]

_COMMON = (
    " the", ",", ".", " and", " to", " of", " a", " in", " is", " for", " on", " that", " with",
    " it", " as", " be", " at", " by", " this", " or", " from", "\n", " I", " you",
)  # fmt: skip
_LOW, _SPAN = 0.40, 0.595


class TopLogprob(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    logprob: float
    bytes: tuple[int, ...] | None


class TokenLogprob(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    logprob: float
    bytes: tuple[int, ...] | None
    top: tuple[TopLogprob, ...]
    """The `top_logprobs` most likely tokens at this position, this token first."""


def _probability(previous: str, token: str) -> float:
    digest = hashlib.blake2b(f"{previous}\x00{token}".encode(), digest_size=8).digest()
    return _LOW + _SPAN * (int.from_bytes(digest, "big") / 2**64)


def _alternatives(token: str) -> list[str]:
    bare = token.strip()
    lead = token[: len(token) - len(token.lstrip())]
    variants = [lead + bare.lower(), lead + bare.capitalize(), lead + bare.upper(), bare]
    variants += [" " + bare if not lead else bare + " ", lead + bare + "s", *_COMMON]
    seen = {token}
    out = []
    for v in variants:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _logprob(p: float) -> float:
    """Six decimals, rounded down: the probabilities of a position still sum to less than 1."""
    return math.floor(math.log(p) * 1e6) / 1e6


def token_logprobs(text: str, top: int) -> tuple[TokenLogprob, ...]:
    """One entry per token of `text`, each with `top` (0-20) most likely tokens."""
    out = []
    previous = ""
    for token in split_tokens(text):
        p = _probability(previous, token)
        entries = [TopLogprob(token=token, logprob=_logprob(p), bytes=tuple(token.encode()))] if top else []
        rest = 1.0 - p
        for alt in _alternatives(token)[: max(top - 1, 0)]:
            rest /= 2
            entries.append(TopLogprob(token=alt, logprob=_logprob(rest), bytes=tuple(alt.encode())))
        out.append(
            TokenLogprob(token=token, logprob=_logprob(p), bytes=tuple(token.encode()), top=tuple(entries))
        )
        previous = token
    return tuple(out)


def _provider_bytes(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in value):
        return tuple(value)
    return None


def _provider_number(value: Any) -> float:
    return min(float(value), 0.0) if isinstance(value, int | float) else 0.0


def from_provider(value: Any) -> tuple[TokenLogprob, ...] | None:
    """A provider's `choices[].logprobs` (OpenAI shape) as entries; None when it sent none."""
    content = value.get("content") if isinstance(value, dict) else None
    if not isinstance(content, list):
        return None
    out = []
    for entry in content:
        if not isinstance(entry, dict):
            continue
        tops = tuple(
            TopLogprob(
                token=str(t.get("token", "")),
                logprob=_provider_number(t.get("logprob")),
                bytes=_provider_bytes(t.get("bytes")),
            )
            for t in entry.get("top_logprobs") or []
            if isinstance(t, dict)
        )
        out.append(
            TokenLogprob(
                token=str(entry.get("token", "")),
                logprob=_provider_number(entry.get("logprob")),
                bytes=_provider_bytes(entry.get("bytes")),
                top=tops,
            )
        )
    return tuple(out)
