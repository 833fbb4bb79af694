"""The CPU fast paths give exactly what the plain formulations give (bit for bit, not approximately)."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from reference_server.planner._encoder import Encoder, match_concepts, tokenize
from reference_server.planner._policy import masked_softmax, softmax_at
from reference_server.planner._search import SearchParams, _search_batched, beam_search, goal_tiles
from reference_server.planner._world_model import (
    HA_ROW,
    NEED_ALL,
    NEED_AVAIL,
    NEED_OPEN,
    availability,
    concept_sums,
    expand,
    expand_tiled,
)
from tests.planner._helpers import load_cases, numpy_planner
from tests.tools.bench_planner import workload

PAIRS = [(c["state"], c["goal"]) for c in load_cases()]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_expand_tiled_with_shared_goals() -> None:
    """Beams of one request share its goal: tiling the goal gives what one goal per beam gives."""
    p = numpy_planner()
    c0, ha0, cg, gnorm = p._inputs(PAIRS[:3])
    c = np.ascontiguousarray(np.concatenate([c0, c0[::-1], c0]))  # 3 requests x 3 beams
    ha = np.concatenate([ha0, ha0[::-1], ha0])
    order = [0, 1, 2, 0, 1, 2, 0, 1, 2]
    per_beam = expand(p._cpu, c[order], ha[order], cg[order], gnorm[order])
    _, tiled = goal_tiles(p._cpu, cg, gnorm, 3)
    c3 = np.ascontiguousarray(c.reshape(3, 3, -1).transpose(1, 0, 2).reshape(9, -1))  # beams by request
    ha3 = ha.reshape(3, 3).T.reshape(9)
    base = concept_sums(p._cpu, c3, tiled.cg)
    got = expand_tiled(p._cpu, c3, np.repeat(ha3[:, None], p._cpu.num_actions, axis=1), tiled, base)
    ref = expand(p._cpu, c3, ha3, cg[[0, 0, 0, 1, 1, 1, 2, 2, 2]], gnorm[[0, 0, 0, 1, 1, 1, 2, 2, 2]])
    for name in ("new_pairs", "diff", "blocked", "shut"):
        assert _same(getattr(got, name), getattr(ref, name)), name
    world = slice(0, HA_ROW + 1)  # c2, cgd, delta, mag, value, ha (the rest is the search's scratch)
    assert _same(got.out[world], ref.out[world])
    assert _same(per_beam.open_, availability(p._cpu, c[order]))


def test_expand_need_keeps_every_needed_value() -> None:
    p = numpy_planner()
    c0, ha0, cg, gnorm = p._inputs(PAIRS)
    ha = np.repeat(ha0[:, None], p._cpu.num_actions, axis=1)
    one, _ = goal_tiles(p._cpu, cg, gnorm, 1)
    base = concept_sums(p._cpu, c0, cg)
    full = expand_tiled(p._cpu, c0, ha, one, base, NEED_ALL)
    for need, mask in ((NEED_OPEN, full.open_), (NEED_AVAIL, full.avail)):
        got = expand_tiled(p._cpu, c0, ha, one, base, need)
        assert _same(got.blocked, full.blocked)
        assert _same(got.shut, full.shut)
        for row in range(HA_ROW + 1):  # c2, cgd, delta, mag, value, ha
            assert _same(got.out[row][mask], full.out[row][mask]), (need, row)


@pytest.mark.parametrize("size", ["small", "base", "huge"])
def test_one_request_search_is_the_batched_search(size: str) -> None:
    """`beam_search` of one NumPy request takes `_search_one`; it must give the batched path's result."""
    p = numpy_planner(size)
    pairs = PAIRS + workload(150, seed=7) + [("", ""), ("blank", "nothing at all")]
    for state, goal in pairs:
        c0, ha0, cg, gnorm = p._inputs([(state, goal)])
        for params in (p.params, SearchParams(beam=p.params.beam, depth=7)):
            one = beam_search(p._cpu, c0, ha0, cg, gnorm, params)
            ref = _search_batched(p._cpu, c0, ha0, cg, gnorm, params, expand_tiled, None, None)
            assert (one.actions, one.mags, one.deltas, one.values) == (
                ref.actions,
                ref.mags,
                ref.deltas,
                ref.values,
            ), (state, goal)
            for name in ("q", "root_avail", "v0", "mag0"):
                assert _same(getattr(one, name), getattr(ref, name)), (name, state, goal)


def test_shut_cache_is_the_availability_formula() -> None:
    p = numpy_planner()
    t = p._cpu
    c0, _, _, _ = p._inputs(PAIRS)
    rng = np.random.default_rng(3)
    flips = []  # one concept flipped at a time: patterns one bit apart must not share an entry
    for k in range(t.num_concepts):
        c = c0[:1].copy()
        c[0, k] = 1.0 - c[0, k]
        flips.append(c)
    for c in (
        c0,
        c0[:1],
        np.ascontiguousarray(c0[::-1]),
        rng.random((5, t.num_concepts), np.float32),
        *flips,
    ):
        for _ in range(2):  # a miss, then a hit
            got = t.shut(c)
            assert _same(got, ~availability(t, c))
            assert not got.flags.writeable


def test_hashed_block_is_the_plain_feature_sum() -> None:
    """Packed per-feature records summed by `bincount` are the plain signed feature hashing."""
    enc = Encoder(768)
    texts = [s for s, _ in PAIRS] + ["a a a a", "b b", "x"]
    for text in texts:
        tokens = tokenize(text, 96)
        if not tokens:
            continue
        feats = [(f"u:{t}", 1.0) for t in tokens] + [
            (f"b:{a} {b}", 0.7) for a, b in itertools.pairwise(tokens)
        ]
        h = np.zeros(enc.hdim, np.float64)
        for feature, weight in feats:
            code = zlib.crc32(feature.encode())
            h[code % enc.hdim] += weight if code >> 31 else -weight
        assert _same(enc._hashed(tokens, "e:<x>"), (h / np.sqrt(h @ h)).astype(np.float32)), text


def test_softmax_at_is_masked_softmax() -> None:
    p = numpy_planner()
    for state, goal in PAIRS:
        res = p._search([(state, goal)], p.params, gpu=False)
        q, avail = res.q[0], res.root_avail[0]
        probs = masked_softmax(q, avail)
        for a in (res.actions[0][0], int(np.argmax(probs)), int(np.flatnonzero(avail)[0])):
            assert softmax_at(q, a) == float(probs[a])
    assert softmax_at(np.full(67, -np.inf, np.float32), 3) == 0.0


def test_phrase_index_is_only_a_shortcut() -> None:
    p = numpy_planner()
    lex = p.encoder.lexicon
    texts = [s for s, _ in PAIRS] + [g for _, g in PAIRS] + ["not a search box, never sign in: no cart"]
    for text in texts:
        tokens = tokenize(text, 96)
        for table in (lex.state_phrases, lex.goal_phrases, lex.history_phrases):
            a = np.zeros(len(lex.concepts), np.float32)
            b = np.zeros(len(lex.concepts), np.float32)
            match_concepts(tokens, table, lex, a)  # builds its own index
            _reference_match(tokens, table, lex.negations, lex.max_phrase_len, b)
            assert _same(a, b), text


def _reference_match(
    tokens: list[str],
    table: dict[str, dict[int, float]],
    negations: frozenset[str],
    longest: int,
    out: np.ndarray,
) -> None:
    """The plain longest-match-first scan (every length at every position)."""
    n, i = len(tokens), 0
    while i < n:
        hit = 0
        for length in range(min(longest, n - i), 0, -1):
            weights = table.get(" ".join(tokens[i : i + length]))
            if weights is not None:
                if not any(t in negations for t in tokens[max(0, i - 2) : i]):
                    for k, w in weights.items():
                        out[k] += w
                hit = length
                break
        i += hit or 1


def _sequential(terms: list[np.float32]) -> np.float32:
    acc = np.float32(0.0)
    for term in terms:
        acc = np.float32(acc + term)
    return acc


def test_ordered_sums_add_in_row_order() -> None:
    """`OrderedSums` (gate, transition) is `x @ w` summed over each column's non-zero rows in order."""
    t = numpy_planner()._cpu
    rng = np.random.default_rng(9)
    for sums, w in ((t.gate_sums, t.neg_gate_w), (t.trans_sums, t.trans_c)):
        for n in (1, 4, 40):
            x = (rng.random((n, w.shape[0])) * (rng.random((n, w.shape[0])) < 0.5)).astype(np.float32)
            got = sums(np, x)
            for i in range(n):
                for col in range(w.shape[1]):
                    rows = np.flatnonzero(w[:, col])
                    want = _sequential([np.float32(x[i, k] * w[k, col]) for k in rows])
                    assert got[i, col] == want, (n, i, col)


def test_segment_sums_add_each_actions_pairs_in_order() -> None:
    t = numpy_planner()._cpu
    seg = t.segment_sums
    starts = t.pair_start.tolist()
    rng = np.random.default_rng(10)
    for r in (3, 12, 120):
        cols = np.zeros((seg.width, r), np.float32)
        cols[: starts[-1]] = rng.normal(size=(starts[-1], r)).astype(np.float32)
        out = np.empty((r, t.num_actions), np.float32)
        seg(np, cols, out.T)
        for i in range(r):
            for a in range(t.num_actions):
                assert out[i, a] == _sequential(list(cols[starts[a] : starts[a + 1], i])), (r, i, a)
