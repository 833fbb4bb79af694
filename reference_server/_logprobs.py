"""Deterministic log-probabilities of an embedded answer's tokens (OpenAI `logprobs`, D-LOGP-1).

The embedded executor samples nothing, so a token's probability is a stated function of the text:
each token of the answer (`_tokens.split_tokens`, so the entries concatenate to the content) gets a
probability in [0.40, 0.995) from a BLAKE2b digest of the token and the one before it; the
`top_logprobs` alternatives are the token itself first, then spelling variants of it and common
tokens, sharing what is left halved at each step (descending, and the probabilities of a position
sum to less than 1). The same text gives the same numbers on every server and in JSON and streams.
"""

from __future__ import annotations

import hashlib
import math

import msgspec

from reference_server._tokens import split_tokens

__all__ = ["TokenLogprob", "TopLogprob", "token_logprobs"]

_COMMON = (
    " the", ",", ".", " and", " to", " of", " a", " in", " is", " for", " on", " that", " with",
    " it", " as", " be", " at", " by", " this", " or", " from", "\n", " I", " you",
)  # fmt: skip
_LOW, _SPAN = 0.40, 0.595


class TopLogprob(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    logprob: float
    bytes: tuple[int, ...]


class TokenLogprob(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    logprob: float
    bytes: tuple[int, ...]
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
