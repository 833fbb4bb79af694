"""State encoder: text -> latent z = [s_c * c ; s_h * h].

* `c` (K floats in [0, 1]) is the interpretable concept block: phrases of `data/lexicon.json`, matched
  longest-first on NFKC-lowercased tokens, a phrase skipped when a negation occurs within the two
  tokens before it.
* `h` (D - K floats, unit norm) is signed feature hashing of word unigrams (weight 1.0) and bigrams
  (0.7). Buckets come from `zlib.crc32`, so the encoding is identical across processes, platforms and
  `PYTHONHASHSEED` values.

So `||z||^2 = s_c^2 ||c||^2 + s_h^2`: a page that names nothing the lexicon knows has `||z|| = s_h`
("Low"), richer pages climb into the "Medium" (> 10) and "High" (> 15) bands of the contract.
Encodings are cached per text (a bounded dict; no output depends on iteration order).
"""

from __future__ import annotations

import itertools
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reference_server.planner._cachekey import LONG_FEATURE, LONG_TEXT_UNCACHED, entries_for, text_key
from reference_server.planner._catalog import Lexicon, load_lexicon

__all__ = ["S_C", "S_G", "S_H", "Encoded", "Encoder", "tokenize"]

F32 = npt.NDArray[np.float32]

S_C = 6.0
"""Scale of the concept block."""
S_H = 8.0
"""Scale of the hashed block (its norm, since `h` is unit length)."""
S_G = 3.0
"""Scale of the hashed block in the goal vector `g = [s_c c_g ; s_g h_g]`: goal text counts less than
the desired progress concepts, so copying goal words into the state is not a goal in itself."""
MAX_STATE_TOKENS = 96
MAX_GOAL_TOKENS = 48
MAX_CHARS = 2048
_CACHE_LIMIT = 16384
_TOKEN_RE = re.compile(r"\[[a-z][a-z0-9]*\]|[a-z0-9$]+")
_HISTORY_RE = re.compile(
    r"\b(?:previous|previously|history)(?:\s+(?:actions|steps|operations))?\s*:", re.IGNORECASE
)
_BIGRAM_WEIGHT = 0.7


@dataclass(frozen=True, slots=True)
class Encoded:
    """One encoded text: concept block `c` (K,) and unit hashed block `h` (D - K,)."""

    c: F32
    h: F32


def tokenize(text: str, limit: int) -> list[str]:
    """NFKC, lowercase, split into `[role]` tags and `[a-z0-9$]+` words; keep the first `limit` tokens."""
    text = text[:MAX_CHARS]
    norm = (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower()  # ASCII is NFKC
    return _TOKEN_RE.findall(norm)[:limit]


_crc_cache: dict[str, int] = {}
_CRC_CACHE_LIMIT = 32_768  # per cache: ~5 MB of features at most, full within minutes of unique text


def _crc(feature: str) -> int:
    v = _crc_cache.get(feature)
    if v is None:
        v = zlib.crc32(feature.encode("utf-8"))
        if len(_crc_cache) < _CRC_CACHE_LIMIT and len(feature) <= LONG_FEATURE:
            _crc_cache[feature] = v
    return v


_FEATURE = np.dtype([("bucket", np.int64), ("weight", np.float64)])
_PACK = struct.Struct("<qd")


def _signed(code: int, hdim: int, weight: float) -> bytes:
    """Bucket and signed weight of a feature with crc32 `code` (bit 31 set -> +weight, else -weight),
    packed as one `_FEATURE` record so that a text's features reach NumPy as one buffer."""
    return _PACK.pack(code % hdim, weight if (code >> 31) & 1 else -weight)


def phrase_starts(table: dict[str, dict[int, float]]) -> dict[str, tuple[int, ...]]:
    """First word of the phrases of `table` -> their lengths in words, longest first."""
    starts: dict[str, set[int]] = {}
    for key in table:
        words = key.split(" ")
        starts.setdefault(words[0], set()).add(len(words))
    return {w: tuple(sorted(ls, reverse=True)) for w, ls in starts.items()}


def _history(text: str) -> re.Match[str] | None:
    """`_HISTORY_RE.search(text)`; ASCII text that names neither word cannot match (a quick test)."""
    if text.isascii():
        low = text.lower()
        if "previous" not in low and "history" not in low:
            return None
    return _HISTORY_RE.search(text)


def match_concepts(
    tokens: list[str],
    table: dict[str, dict[int, float]],
    lex: Lexicon,
    out: F32,
    starts: dict[str, tuple[int, ...]] | None = None,
) -> None:
    """Add the weights of every phrase of `table` found in `tokens` to `out` (longest match first).

    `starts` (`phrase_starts(table)`) only skips the lengths that cannot match: same result, faster.
    """
    if starts is None:
        starts = phrase_starts(table)
    n = len(tokens)
    negations = lex.negations
    free = 0  # the first position not inside an earlier match
    for i in [i for i, t in enumerate(tokens) if t in starts]:  # other tokens start no phrase
        if i < free:
            continue
        for length in starts[tokens[i]]:
            if length > n - i:
                continue
            key = tokens[i] if length == 1 else " ".join(tokens[i : i + length])
            weights = table.get(key)
            if weights is not None:
                if negations.isdisjoint(tokens[max(0, i - 2) : i]):
                    for k, w in weights.items():
                        out[k] += w
                free = i + length
                break


class Encoder:
    """Text encoder for one model size (`dim` = K + hashed width)."""

    def __init__(self, dim: int) -> None:
        self.lexicon = load_lexicon()
        self.k = len(self.lexicon.concepts)
        self.dim = dim
        self.hdim = dim - self.k
        if self.hdim < 64:
            raise ValueError(f"embedding width {dim} too small for {self.k} concepts")
        self._states: dict[str | bytes, Encoded] = {}
        self._unigrams: dict[str, bytes] = {}
        self._bigrams: dict[tuple[str, str], bytes] = {}
        self._goals: dict[str | bytes, Encoded] = {}
        self._cache_limit = min(_CACHE_LIMIT, entries_for(4 * dim + 2 * 112))
        goal_default = np.zeros(self.k, np.float32)
        for k, w in self.lexicon.goal_default.items():
            goal_default[k] = w
        self._goal_default = goal_default
        self._history = self.lexicon.concepts.index("history")
        self._starts = {
            name: phrase_starts(getattr(self.lexicon, name))
            for name in ("state_phrases", "goal_phrases", "history_phrases")
        }

    def _hashed(self, tokens: list[str], empty_feature: str) -> F32:
        """Unit hashed block: unigrams ("u:<token>", weight 1) then bigrams ("b:<a> <b>", weight 0.7),
        each added to bucket crc32 % (D - K) with the sign of crc32 bit 31, summed in float64 in that
        order (`np.bincount`), normalised, float32. Bucket and signed weight are cached per feature."""
        if tokens:
            feats: list[bytes | None] = list(map(self._unigrams.get, tokens))
            feats += map(self._bigrams.get, itertools.pairwise(tokens))
            if None in feats:  # features not seen before
                n = len(tokens)
                for i, feat in enumerate(feats):
                    if feat is None:
                        feats[i] = (
                            self._unigram(tokens[i])
                            if i < n
                            else self._bigram(tokens[i - n], tokens[i - n + 1])
                        )
        else:
            feats = [_signed(_crc(empty_feature), self.hdim, 1.0)]
        rec = np.frombuffer(b"".join(feats), _FEATURE)  # type: ignore[arg-type]
        h: npt.NDArray[np.float64] = np.bincount(rec["bucket"], rec["weight"], self.hdim)  # type: ignore[assignment]
        norm = float(np.sqrt(h @ h))
        if norm < 1e-8:  # every feature cancelled out: fall back to the empty-text feature
            one = np.frombuffer(_signed(_crc(empty_feature), self.hdim, 1.0), _FEATURE)
            h = np.bincount(one["bucket"], one["weight"], self.hdim)  # type: ignore[assignment]
            norm = 1.0
        return (h / norm).astype(np.float32)

    def _unigram(self, token: str) -> bytes:
        v = _signed(zlib.crc32(f"u:{token}".encode()), self.hdim, 1.0)
        if len(self._unigrams) < _CRC_CACHE_LIMIT and len(token) <= LONG_FEATURE:
            self._unigrams[token] = v
        return v

    def _bigram(self, a: str, b: str) -> bytes:
        v = _signed(zlib.crc32(f"b:{a} {b}".encode()), self.hdim, _BIGRAM_WEIGHT)
        if len(self._bigrams) < _CRC_CACHE_LIMIT and len(a) + len(b) <= LONG_FEATURE:
            self._bigrams[a, b] = v
        return v

    def encode_state(self, text: str) -> Encoded:
        """Encode a state description (the system message); cached per text."""
        key = text_key(text)
        hit = self._states.get(key)
        if hit is not None:
            return hit
        # "Previous: ..." describes the past, not the page: only the history table applies there
        split = _history(text)
        page = text if split is None else text[: split.start()]
        tokens = tokenize(page, MAX_STATE_TOKENS)
        c = np.zeros(self.k, np.float32)
        match_concepts(tokens, self.lexicon.state_phrases, self.lexicon, c, self._starts["state_phrases"])
        if split is not None:
            past = tokenize(text[split.end() :], MAX_STATE_TOKENS - len(tokens))
            match_concepts(
                past, self.lexicon.history_phrases, self.lexicon, c, self._starts["history_phrases"]
            )
            c[self._history] = 1.0
            tokens = tokens + past
        if not tokens and split is None:  # nothing on screen at all: treat as a blank tab
            c[self.lexicon.concepts.index("blank")] = 1.0
        enc = Encoded(np.minimum(c, 1.0), self._hashed(tokens, "e:<empty-state>"))
        if len(text) > LONG_TEXT_UNCACHED:
            return enc
        if len(self._states) >= self._cache_limit:
            self._states.clear()
        self._states[key] = enc
        return enc

    def encode_goal(self, text: str) -> Encoded:
        """Encode a goal (the user message): desired progress concepts plus hashed text; cached."""
        key = text_key(text)
        hit = self._goals.get(key)
        if hit is not None:
            return hit
        tokens = tokenize(text, MAX_GOAL_TOKENS)
        c = self._goal_default.copy()
        match_concepts(tokens, self.lexicon.goal_phrases, self.lexicon, c, self._starts["goal_phrases"])
        enc = Encoded(np.minimum(c, 1.5).astype(np.float32), self._hashed(tokens, "e:<empty-goal>"))
        if len(text) > LONG_TEXT_UNCACHED:
            return enc
        if len(self._goals) >= self._cache_limit:
            self._goals.clear()
        self._goals[key] = enc
        return enc

    def embed(self, texts: list[str]) -> F32:
        """Latent state vectors `[s_c c ; s_h h]`, float32 `(n, dim)`, norm on the 0..25 scale."""
        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            e = self.encode_state(t)
            out[i, : self.k] = np.float32(S_C) * e.c
            out[i, self.k :] = np.float32(S_H) * e.h
        return out
