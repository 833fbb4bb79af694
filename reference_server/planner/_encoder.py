"""State encoder: text -> latent z = [s_c * c ; s_h * h].

* `c` (K floats in [0, 1]) is the interpretable concept block: phrases of `data/lexicon.json`, matched
  longest-first on NFKC-lowercased tokens, a phrase skipped when a negation occurs within the two
  tokens before it.
* `h` (D - K floats, unit norm) is signed feature hashing of word unigrams (weight 1.0) and bigrams
  (0.7). Buckets come from `zlib.crc32`, so the encoding is identical across processes, platforms and
  `PYTHONHASHSEED` values.

So `||z||^2 = s_c^2 ||c||^2 + s_h^2`: a page that names nothing the lexicon knows has `||z|| = s_h`
("Low"), richer pages climb into the "Medium" (> 10) and "High" (> 15) bands of the contract.
Encodings are cached per text digest in dicts whose entry limits come from a byte budget
(`_cachekey`); texts over 64 KiB are not cached. No output depends on iteration order.
"""

from __future__ import annotations

import itertools
import math
import re
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reference_server.planner._cachekey import LONG_FEATURE, LONG_TEXT_UNCACHED, digest, entries_for
from reference_server.planner._catalog import Lexicon, load_lexicon
from reference_server.planner._elements import Element, PageState, kind_of
from reference_server.planner._opmodel import OperationModel, features, load_operation_model
from reference_server.planner._reader import read_state

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
_OP_CACHE_LIMIT = 8192
MAX_ENCODED_ELEMENTS = 1000
"""Elements of one state that reach the concept block (a whole page is cut here; bounded time)."""
_HASHED_ELEMENTS = 48
_MODELLED = 64
"""On a page with several candidates, the operation model refines the entry and choice controls'
affordances (a combobox one types into) for this many of them; the others keep their kind's."""
_NAME_TOKENS = 16
_HISTORY_USED = 8
_UNKNOWN_PAGE = 0.6
"""`landing` of a state whose words name nothing the lexicon or the reader knows."""
_TOKEN_RE = re.compile(r"\[[a-z][a-z0-9]*\]|[a-z0-9$]+")
_WORD_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789$" else 32 for c in range(256))
"""`_TOKEN_RE` on lowercase ASCII text without "[": the runs of [a-z0-9$], found by mapping every other
byte to a space (`bytes.translate`) and splitting, twice as fast as the regex."""


def _words(low: str) -> list[str]:
    """`_TOKEN_RE.findall(low)` of lowercased text."""
    if low.isascii() and "[" not in low:
        return low.encode().translate(_WORD_BYTES).decode().split()
    return _TOKEN_RE.findall(low)


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
    return _words(norm)[:limit]


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


def match_concepts(
    tokens: list[str],
    table: dict[str, dict[int, float]],
    lex: Lexicon,
    out: F32 | list[float],
    starts: dict[str, tuple[int, ...]] | None = None,
) -> None:
    """Add the weights of every phrase of `table` found in `tokens` to `out` (longest match first).

    `starts` (`phrase_starts(table)`) only skips the lengths that cannot match: same result, faster.
    """
    for k, w in phrase_weights(tokens, table, lex, starts):
        out[k] += w


def phrase_weights(
    tokens: Sequence[str],
    table: dict[str, dict[int, float]],
    lex: Lexicon,
    starts: dict[str, tuple[int, ...]] | None = None,
) -> list[tuple[int, float]]:
    """The (concept, weight) additions of `match_concepts`, in the order it makes them."""
    if starts is None:
        starts = phrase_starts(table)
    n = len(tokens)
    negations = lex.negations
    adds: list[tuple[int, float]] = []
    free = 0  # the first position not inside an earlier match
    for i, token in enumerate(tokens):
        lengths = starts.get(token)
        if lengths is None or i < free:  # other tokens start no phrase
            continue
        for length in lengths:
            if length == 1:
                weights = table.get(token)
            elif length > n - i:
                continue
            else:
                weights = table.get(" ".join(tokens[i : i + length]))
            if weights is not None:  # negated when one of the two tokens before is a negation
                if i == 0 or (tokens[i - 1] not in negations and (i == 1 or tokens[i - 2] not in negations)):
                    adds.extend(weights.items())
                free = i + length
                break
    return adds


class Encoder:
    """Text encoder for one model size (`dim` = K + hashed width)."""

    def __init__(self, dim: int) -> None:
        self.lexicon = load_lexicon()
        self.k = len(self.lexicon.concepts)
        self.dim = dim
        self.hdim = dim - self.k
        if self.hdim < 64:
            raise ValueError(f"embedding width {dim} too small for {self.k} concepts")
        self._states: dict[bytes, Encoded] = {}
        self._unigrams: dict[str, bytes] = {}
        self._bigrams: dict[tuple[str, str], bytes] = {}
        self._goals: dict[bytes, Encoded] = {}
        self._cache_limit = min(_CACHE_LIMIT, entries_for(4 * dim + 2 * 112))
        goal_default = np.zeros(self.k, np.float32)
        for k, w in self.lexicon.goal_default.items():
            goal_default[k] = w
        self._goal_default = goal_default
        index = self.lexicon.concepts.index
        self._history = index("history")
        self._blank = index("blank")
        self._landing = index("landing")
        self._focused = index("focused")
        self._text_entered = index("text_entered")
        self._affordances = [index("clickable"), index("text_field"), index("dropdown")]
        """Concepts set from P(CLICK), P(TYPE), P(SELECT) of the operation model (`LABELS` order)."""
        self._role_concepts = {
            key: tuple((index(c), float(w)) for c, w in weights.items())
            for key, weights in self.lexicon.role_concepts.items()
        }
        aff_names = ("clickable", "text_field", "dropdown")
        self._role_affordances = {
            key: tuple(float(weights.get(name, 0.0)) for name in aff_names)
            for key, weights in self.lexicon.role_affordances.items()
        }
        self.operation_model = load_operation_model()
        self._op_cache: dict[tuple[str, ...], tuple[float, float, float]] = {}
        self._roles: dict[tuple[str, str], tuple[str, tuple[tuple[int, float], ...], bool, bool]] = {}
        self._names: dict[str, tuple[tuple[str, ...], tuple[tuple[int, float], ...]]] = {}
        """Lowercased element name -> its words and the concept additions of its phrases (names recur
        on a page and from one page to the next)."""
        self._starts = {
            name: phrase_starts(getattr(self.lexicon, name))
            for name in ("state_phrases", "goal_phrases", "history_phrases")
        }
        starts = self._starts["state_phrases"]
        self._single = {
            w: tuple(self.lexicon.state_phrases[w].items())
            for w, lengths in starts.items()
            if lengths == (1,)
        }
        """State phrases of one word that begin no longer phrase: where a name holds only these (and no
        negation), `match_concepts` adds each one's weights in turn, with nothing skipped."""
        self._not_single = frozenset(starts).difference(self._single) | self.lexicon.negations
        self._start_words = frozenset(starts)

    def _hashed(self, tokens: list[str], empty_feature: str) -> F32:
        """Unit hashed block: unigrams ("u:<token>", weight 1) then bigrams ("b:<a> <b>", weight 0.7),
        each added to bucket crc32 % (D - K) with the sign of crc32 bit 31, summed in float64 in that
        order (`np.bincount`), normalised, float32. Bucket and signed weight are cached per feature."""
        if tokens:
            feats: list[bytes | None] = list(map(self._unigrams.get, tokens))
            feats += map(self._bigrams.get, itertools.pairwise(tokens))
            n = len(tokens)
            i = -1
            while True:  # features not seen before
                try:
                    i = feats.index(None, i + 1)
                except ValueError:
                    break
                feats[i] = (
                    self._unigram(tokens[i]) if i < n else self._bigram(tokens[i - n], tokens[i - n + 1])
                )
        else:
            feats = [_signed(_crc(empty_feature), self.hdim, 1.0)]
        rec = np.frombuffer(b"".join(feats), _FEATURE)  # type: ignore[arg-type]
        h: npt.NDArray[np.float64] = np.bincount(rec["bucket"], rec["weight"], self.hdim)  # type: ignore[assignment]
        norm = math.sqrt(h @ h)  # `np.sqrt` rounds the same: IEEE square roots are exact to the bit
        if norm < 1e-8:  # every feature cancelled out: fall back to the empty-text feature
            one = np.frombuffer(_signed(_crc(empty_feature), self.hdim, 1.0), _FEATURE)
            h = np.bincount(one["bucket"], one["weight"], self.hdim)  # type: ignore[assignment]
            norm = 1.0
        np.divide(h, norm, out=h)
        return h.astype(np.float32)

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
        """Encode a state description (the system message), in any notation `read_state` reads;
        cached per text digest (a bounded dict: the key is 16 bytes whatever the text's size)."""
        key = digest(text)
        hit = self._states.get(key)
        if hit is not None:
            return hit
        c, tokens = self.state_concepts(read_state(text))
        enc = Encoded(np.minimum(c, 1.0), self._hashed(tokens, "e:<empty-state>"))
        if len(text) > LONG_TEXT_UNCACHED:
            return enc
        if len(self._states) >= self._cache_limit:
            self._states.clear()
        self._states[key] = enc
        return enc

    def state_concepts(self, state: PageState) -> tuple[F32, list[str]]:
        """Concept block and hashed-block tokens of a state read into the element model.

        Prose goes through the phrase lexicon. Each element adds the hand-written concepts of its
        role and kind (`role_concepts`) and the lexicon concepts of its name (except the three
        affordances). The affordances `clickable`, `text_field`, `dropdown`: with one candidate
        element (visible, enabled, not an unnamed container), its P(CLICK), P(TYPE), P(SELECT) from
        the fitted operation model, since the question is how to act on it; with several, per
        affordance the largest of those probabilities and of what each element's kind offers
        (`role_affordances`), since the question is then which element, and the goal decides that.
        Prose that says more wins. Previous actions feed the history table. Tokens: `[role]` and
        name words of the elements, the prose, then the history."""
        lex = self.lexicon
        c = np.zeros(self.k, np.float32)
        prose = tokenize(state.text, MAX_STATE_TOKENS)
        match_concepts(prose, lex.state_phrases, lex, c, self._starts["state_phrases"])
        aff = [0.0, 0.0, 0.0]
        el_tokens: list[str] = []
        named = [0.0] * self.k  # what the elements' names and roles add, summed in element order
        roles = self._roles
        names = self._names
        history = state.history[-_HISTORY_USED:]
        candidates: list[tuple[Element, str]] = []
        starts = self._starts["state_phrases"]
        start_words = self._start_words
        single = self._single
        for n, e in enumerate(state.elements[:MAX_ENCODED_ELEMENTS]):
            if not e.visible:
                continue
            role_info = roles.get((e.role, e.input_type))
            if role_info is None:
                role_info = self._role_info(e.role, e.input_type)
            kind, adds, candidate_named, candidate_unnamed = role_info
            for k, w in adds:  # the role's concepts, then its kind's
                named[k] += w
            name = e.name
            if name:
                low = name.lower()  # all that is read of a name (a link and its image often differ in case)
                name_info = names.get(low)
                if name_info is None:  # the name's words and the concepts of its phrases, cached
                    words = tuple(  # `_words`, inline; names are NFKC
                        low.encode().translate(_WORD_BYTES).decode().split()[:_NAME_TOKENS]
                        if low.isascii() and "[" not in low
                        else _TOKEN_RE.findall(low)[:_NAME_TOKENS]
                    )
                    if start_words.isdisjoint(words):
                        adds = ()
                    elif self._not_single.isdisjoint(words):  # one-word phrases, nothing negated
                        adds = tuple([add for w in words if w in single for add in single[w]])
                    else:
                        adds = tuple(phrase_weights(words, lex.state_phrases, lex, starts))
                    if len(names) >= _CACHE_LIMIT:
                        names.clear()
                    names[low] = name_info = (words, adds)
                words, adds = name_info
                if n < _HASHED_ELEMENTS:
                    el_tokens.append(f"[{e.role}]")
                    el_tokens.extend(words)
                for k, w in adds:  # the name's phrases
                    named[k] += w
                if candidate_named and not e.disabled:
                    candidates.append((e, kind))
            else:
                if n < _HASHED_ELEMENTS:
                    el_tokens.append(f"[{e.role}]")
                if candidate_unnamed and not e.disabled:
                    candidates.append((e, kind))
            if e.focused:
                c[self._focused] = 1.0
            if e.value and kind == "entry":
                c[self._text_entered] = 1.0
        for k in self._affordances:  # names say what a page is about, not what its controls afford
            named[k] = 0.0
        c += np.asarray(named, np.float32)
        if len(candidates) == 1:  # how to act on the one element: the fitted model says
            aff = list(self._operation(features(candidates[0][0], history)))
        elif candidates:  # which element: the goal says (a maximum: the order of its terms is free)
            for kind in dict.fromkeys(kind for _, kind in candidates):
                prior = self._role_affordances.get(f"kind:{kind}", (0.0, 0.0, 0.0))
                aff = [max(a, r) for a, r in zip(aff, prior, strict=True)]
            modelled = 0
            for e, kind in candidates:
                if kind in ("entry", "choice"):  # typed or chosen: the model says
                    probs = self._operation(features(e, history))
                    aff = [max(a, p) for a, p in zip(aff, probs, strict=True)]
                    modelled += 1
                    if modelled == _MODELLED:
                        break
        for k, p in zip(self._affordances, aff, strict=True):
            c[k] = max(c[k], np.float32(p))
        if candidates:
            c[self._landing] = 0.0  # the page's controls are listed: it is not a page of unknown content
        elif not c.any() and (prose or el_tokens):
            c[self._landing] = _UNKNOWN_PAGE  # words but nothing known: a page with links, as most are
        past: list[str] = []
        if history:
            for a in history:
                past.append(a.op)
                if a.element is not None:
                    past.append(f"[{a.element.role}]")
                    past.extend(tokenize(a.element.name, _NAME_TOKENS))
            match_concepts(past, lex.history_phrases, lex, c, self._starts["history_phrases"])
            c[self._history] = 1.0
        tokens = (el_tokens + prose)[:MAX_STATE_TOKENS]
        tokens += past[: MAX_STATE_TOKENS - len(tokens)]
        if not tokens and not state.elements and not history:  # nothing on screen at all: a blank tab
            c[self._blank] = 1.0
        return c, tokens

    def _role_info(self, role: str, input_type: str) -> tuple[str, tuple[tuple[int, float], ...], bool, bool]:
        """Kind of control of (role, input type), the concepts its role then its kind add, and whether
        an element of it (visible, enabled) is a candidate target with a name and without (cached)."""
        kind = kind_of(role, input_type)
        rc = self._role_concepts
        info = (
            kind,
            rc.get(role, ()) + rc.get(f"kind:{kind}", ()),
            Element(role, "x").actionable,
            Element(role).actionable,
        )
        if len(self._roles) >= _OP_CACHE_LIMIT:
            self._roles.clear()
        self._roles[role, input_type] = info
        return info

    def _operation(self, feats: tuple[str, ...]) -> tuple[float, float, float]:
        """The operation model's probabilities for one feature tuple (cached; names are capped, so
        a key is at most a few hundred bytes)."""
        got = self._op_cache.get(feats)
        if got is None:
            got = self.operation_model.probabilities(feats)
            if len(self._op_cache) >= _OP_CACHE_LIMIT:
                self._op_cache.clear()
            self._op_cache[feats] = got
        return got

    def use_operation_model(self, model: OperationModel) -> None:
        """Swap the operation model (the evaluation's cross-validation folds); clears the caches."""
        self.operation_model = model
        self._op_cache.clear()
        self._states.clear()

    def encode_goal(self, text: str) -> Encoded:
        """Encode a goal (the user message): desired progress concepts plus hashed text; cached per
        text digest."""
        key = digest(text)
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
