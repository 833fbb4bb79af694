"""World model: batched next-state prediction for every (beam, action) pair.

The latent of a beam is `z = [s_c c ; s_h h]`. Action `a` is a gated, sparse, low-rank affine
transition (parameters in `data/actions.json`):

    gate_a(c) = sigmoid(b_a + w_a . c)
    c'_k      = clip(c_k + gate_a * ([c; 1] @ trans[:, (a, k)]), 0, 1)     for the pairs (a, k) it touches
    h'        = normalize(h + gate_a * rho_a * (h_goal - h))                "type" writes the goal text

Because `h` only ever moves toward the goal's hashed vector, every `h_t` lies in span(h_0, h_goal) and
the planner tracks it through one scalar, `ha = h . h_goal`. All values below are exact functions of
(c, ha); nothing of width D is touched during search, so the search costs the same for every size.

The math is written once against an array module `xp` (NumPy or CuPy); the CuPy backend replaces
`expand_tiled` by the fused `expand_score` kernel of `_kernels.py` and tests check the two against each
other.

On the CPU a search step costs per array call, not per element (a few hundred candidates), so the NumPy
code is shaped for cheap calls: operands of one call have the same shape (per-action rows, per-beam
columns and per-request goals are tiled once per batch shape, `Tables.tiles` and `Goals`), constants are
0-d arrays of the backend, and values live in stacked buffers so that one call serves several rows.
Every sum with more than one non-zero term runs in a fixed order (over the concepts in index order, over
an action's pairs in catalogue order), as NumPy's reduction over a middle axis does, never through BLAS,
whose order depends on the build: that is what lets the numba kernels of `_jit` repeat the NumPy
search bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from reference_server.planner._catalog import Catalog
from reference_server.planner._encoder import S_C, S_G, S_H

__all__ = [
    "C2_ROW",
    "CG_ROW",
    "MIN_GATE",
    "NEED_ALL",
    "NEED_AVAIL",
    "NEED_OPEN",
    "OUT_ROWS",
    "TRACE_ROWS",
    "Expansion",
    "Goals",
    "OrderedSums",
    "SegmentSums",
    "Tables",
    "advance",
    "availability",
    "concept_sums",
    "expand",
    "expand_tiled",
    "magnitude",
    "value",
]

Array = Any  # numpy.ndarray or cupy.ndarray (float32 unless stated)

MIN_GATE = np.float32(0.2)
"""An action whose precondition gate is below this is not afforded by the state (masked out)."""
_MIN_LOGIT = np.float32(np.log(MIN_GATE / (1.0 - MIN_GATE)))
_SC2 = np.float32(S_C * S_C)
_SH2 = np.float32(S_H * S_H)
_SHG = np.float32(S_H * S_G)
if np.frexp(_SH2)[0] != 0.5:  # pragma: no cover - the hashed-block shortcut below needs a power of two
    raise ValueError("S_H**2 must be a power of two")

C2_ROW, CG_ROW, DELTA_ROW, MAG_ROW, VALUE_ROW, HA_ROW, J_ROW, KEY_ROW = range(8)
OUT_ROWS = 8
"""Rows of `Expansion.out`: |c'|^2, c'.c_goal, delta, mag, value, ha (world model), then the search's
score and key. The first two are the child's own concept sums, which its expansion starts from."""
TRACE_ROWS = slice(DELTA_ROW, VALUE_ROW + 1)
"""The rows a plan reports per step: change, magnitude, value."""


class Consts(NamedTuple):
    """float32 constants as 0-d arrays of one backend (a 0-d operand keeps NumPy on its fast path)."""

    zero: Array
    one: Array
    two: Array
    half: Array
    sc2: Array
    sh2: Array
    shg: Array
    sh2x2: Array  # 2 * S_H^2
    neg_min_logit: Array
    neg_inf: Array
    pos_inf: Array


class Tiles(NamedTuple):
    """Per-action and per-pair rows repeated for N beams: (N, A) or (N, P), one shape per call."""

    neg_gate_b: Array
    trans_1: Array
    rho: Array
    scale: Array  # (2, N, A): 2 and 2 S_H^2


@dataclass(frozen=True, slots=True)
class Tables:
    """Catalog tables resident on one backend (`xp`)."""

    xp: Any
    gate_w: Array
    gate_b: Array
    neg_gate_w: Array
    neg_gate_b: Array
    rho: Array
    trans_c: Array
    trans_1: Array
    pair_action: Array
    pair_concept: Array
    pair_start: Array
    pair_to_action_t: Array
    pair_onehot: Array
    gate_sums: OrderedSums
    trans_sums: OrderedSums
    segment_sums: SegmentSums
    requires: Array
    has_requirement: Array
    blocks: Array
    plannable: Array
    avail_w: Array
    avail_b: Array
    avail_thr: Array
    writers: Array
    write_rho: Array
    scale: Array
    k: Consts
    num_actions: int
    num_concepts: int
    num_writers: int
    clip: Any  # the backend's clip as one call: `clip(x, lo, hi, out)`
    dot: Any  # 2-D matrix product into `out` (NumPy: `np.dot`; only for sums with one non-zero term)
    sum_last: Any  # `add.reduce` (NumPy: `ndarray.sum` without its wrapper)
    all_last: Any  # `logical_and.reduce` likewise
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Derived constants of this backend, keyed by shape or parameters (`tiles`, `split`, the search)."""
    shut_cache: dict[bytes, Array] = field(default_factory=dict, repr=False, compare=False)
    """`shut` answers by concept pattern (NumPy only)."""

    @classmethod
    def build(cls, xp: Any, cat: Catalog) -> Tables:
        avail_b = np.where(cat.has_requirement, 0.0, 0.5).astype(np.float32) - np.where(
            cat.plannable, 0.0, 1000.0
        ).astype(np.float32)

        def c0(v: float | np.floating[Any]) -> Array:
            return xp.asarray(np.array(v, np.float32))

        return cls(
            xp=xp,
            gate_w=xp.asarray(cat.gate_w),
            gate_b=xp.asarray(cat.gate_b),
            neg_gate_w=xp.asarray(-cat.gate_w),
            neg_gate_b=xp.asarray(-cat.gate_b),
            rho=xp.asarray(cat.rho),
            trans_c=xp.asarray(np.ascontiguousarray(cat.trans[:-1])),
            trans_1=xp.asarray(np.ascontiguousarray(cat.trans[-1])),
            pair_action=xp.asarray(cat.pair_action),
            pair_concept=xp.asarray(cat.pair_concept),
            pair_start=xp.asarray(cat.pair_start),
            pair_to_action_t=xp.asarray(np.ascontiguousarray(cat.pair_to_action.T)),
            pair_onehot=xp.asarray(cat.pair_onehot),
            gate_sums=OrderedSums.build(xp, -cat.gate_w),
            trans_sums=OrderedSums.build(xp, cat.trans[:-1]),
            segment_sums=SegmentSums.build(xp, cat.pair_start),
            requires=xp.asarray(cat.requires),
            has_requirement=xp.asarray(cat.has_requirement),
            blocks=xp.asarray(cat.blocks),
            plannable=xp.asarray(cat.plannable),
            avail_w=xp.asarray(cat.requires - np.float32(1000.0) * cat.blocks),
            avail_b=xp.asarray(avail_b),
            avail_thr=xp.asarray(np.float32(0.25) - avail_b),
            writers=xp.asarray(np.flatnonzero(cat.rho > 0)),
            write_rho=xp.asarray(cat.rho[cat.rho > 0]),
            scale=xp.asarray(np.array([2.0, 2.0 * _SH2], np.float32).reshape(2, 1, 1)),
            k=Consts(
                c0(0.0),
                c0(1.0),
                c0(2.0),
                c0(0.5),
                c0(_SC2),
                c0(_SH2),
                c0(_SHG),
                c0(2 * _SH2),
                c0(-_MIN_LOGIT),
                c0(-np.inf),
                c0(np.inf),
            ),
            num_actions=cat.num_actions,
            num_concepts=cat.gate_w.shape[0],
            num_writers=int(np.count_nonzero(cat.rho > 0)),
            clip=np._core.umath.clip if xp is np else xp.clip,
            dot=np.dot if xp is np else xp.matmul,
            sum_last=xp.add.reduce if xp is np else _reduce_with(xp.sum),
            all_last=xp.logical_and.reduce if xp is np else _reduce_with(xp.all),
        )

    def cached(self, key: Any, make: Any) -> Any:
        """`self.cache[key]`, made by `make()` on first use (bounded; a handful of keys in practice)."""
        got = self.cache.get(key)
        if got is None:
            got = make()
            if len(self.cache) >= 256:
                self.cache.clear()
            self.cache[key] = got
        return got

    def shut(self, c: Array) -> Array:
        """(N, A) bool `~availability(c)`. It depends only on which concepts are on (>= 0.5), so NumPy
        answers come from a cache keyed by that pattern (read-only arrays; a few hundred patterns)."""
        if self.xp is not np:
            return ~availability(self, c)
        key = (c >= self.k.half).tobytes()
        got = self.shut_cache.get(key)
        if got is None:
            got = ~availability(self, c)
            got.flags.writeable = False
            if len(self.shut_cache) >= 4096:
                self.shut_cache.clear()
            self.shut_cache[key] = got
        return got

    def tiles(self, n: int) -> Tiles:
        """The per-action rows tiled to `n` beams."""
        got: Tiles | None = self.cache.get(n)
        if got is None:
            got = self.cached(n, lambda: self._make_tiles(n))
        return got

    def _make_tiles(self, n: int) -> Tiles:
        xp = self.xp
        a = self.num_actions
        scale = xp.empty((2, n, a), np.float32)
        scale[0] = self.k.two
        scale[1] = self.k.sh2x2

        def tile(row: Array) -> Array:
            return xp.ascontiguousarray(xp.broadcast_to(row, (n, row.shape[0])))

        return Tiles(tile(self.neg_gate_b), tile(self.trans_1), tile(self.rho), scale)

    def split_stacked(self, width: int) -> Array:
        """`split(width)` as one (2, width * A) array: parent slot and action of a flat index."""
        got: Array | None = self.cache.get(("split", width))
        if got is None:
            got = self.cached(("split", width), lambda: self.xp.stack(self.split(width)))
        return got

    def split(self, width: int) -> tuple[Array, Array]:
        """Look-up tables `(i // A, i % A)` for the flat candidate index `i` of `width` beams."""
        got: tuple[Array, Array] | None = self.cache.get(-width)
        if got is None:
            i = self.xp.arange(width * self.num_actions)
            got = self.cached(-width, lambda: (i // self.num_actions, i % self.num_actions))
        return got


class OrderedSums(NamedTuple):
    """`x @ w` for a sparse (K, M) `w`, each column summed over its non-zero rows in row order.

    Terms with a zero weight are left out (adding ±0 changes no sum here; see `expand_tiled`), and the
    rest are gathered into a (N, L, M) array whose middle axis NumPy reduces row by row: the l-th
    non-zero of every column, padded with zero weights. BLAS would sum in an order that depends on the
    build; this order is the one the numba kernels repeat.
    """

    index: Array  # (L, M) row of each column's l-th non-zero weight (0 where padded)
    weight: Array  # (L, M) that weight (0.0 where padded)

    @staticmethod
    def build(xp: Any, w: np.ndarray[Any, Any]) -> OrderedSums:
        depth = max(1, int(np.count_nonzero(w, axis=0).max()))
        index = np.zeros((depth, w.shape[1]), np.int64)
        weight = np.zeros((depth, w.shape[1]), np.float32)
        for col in range(w.shape[1]):
            rows = np.flatnonzero(w[:, col])
            index[: rows.size, col] = rows
            weight[: rows.size, col] = w[rows, col]
        return OrderedSums(xp.asarray(index), xp.asarray(weight))

    def __call__(self, xp: Any, x: Array) -> Array:
        """(N, M) sums for the rows of `x` (N, K)."""
        terms = x.take(self.index, axis=1)
        terms *= self.weight
        return xp.add.reduce(terms, 1)


class SegmentSums(NamedTuple):
    """Per-action sums of per-pair values, each over the action's pairs in catalogue order.

    The values sit in `width` slots: the P pairs, then one slot per long action, then a zero. Long
    actions (more than L pairs; a few) are summed first, level by level over a (L_long, M_long, R)
    gather, into their slots; then one (L, A, R) gather sums every action: a short one over its pairs,
    a long one over its own finished sum, each padded with the zero column (adding it changes nothing).
    So one long action does not widen the gather of every other.
    """

    index: Array  # (L, A) columns summed for each action, padded with the zero column
    long_index: Array | None  # (L_long, M_long) the long actions' pair columns, or None
    long_out: slice  # their columns in the row
    width: int  # columns of a row: P + M_long + 1

    @staticmethod
    def build(xp: Any, pair_start: np.ndarray[Any, Any]) -> SegmentSums:
        counts = np.diff(pair_start)
        p_n, a_n = int(pair_start[-1]), counts.size
        top = max(1, int(counts.max()))

        def cost(depth: int) -> int:  # elements gathered, plus a row's worth for the second gather's calls
            longer = int(np.count_nonzero(counts > depth))
            return depth * a_n + (top * longer + a_n if longer else 0)

        depth = min(range(1, top + 1), key=cost)
        longer = np.flatnonzero(counts > depth)
        width = p_n + longer.size + 1
        zero = width - 1
        index = np.full((depth, a_n), zero, np.int64)
        long_index = np.full((top, longer.size), zero, np.int64)
        for a in range(a_n):
            start, count = int(pair_start[a]), int(counts[a])
            if count > depth:
                j = int(np.searchsorted(longer, a))
                long_index[:count, j] = np.arange(start, start + count)
                index[0, a] = p_n + j
            else:
                index[:count, a] = np.arange(start, start + count)
        return SegmentSums(
            xp.asarray(index),
            xp.asarray(long_index) if longer.size else None,
            slice(p_n, p_n + longer.size),
            width,
        )

    def __call__(self, xp: Any, cols: Array, out: Array) -> None:
        """`out` (A, R) = the segment sums of `cols` (width, R): R rows of values stored column by
        column, so that a gather moves whole rows of R and the sums run over the leading axis."""
        if self.long_index is not None:
            xp.add.reduce(cols.take(self.long_index, axis=0), 0, None, cols[self.long_out])
        xp.add.reduce(cols.take(self.index, axis=0), 0, None, out)


def _reduce_with(fn: Any) -> Any:
    def reduce(x: Array, axis: int, dtype: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return fn(x, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    return reduce


class Goals(NamedTuple):
    """The goal of every beam, tiled to the beam's rows: `cg` (N, K), `cgp` = cg at the touched pairs
    (N, P), `gnorm` = ||g|| (N, A)."""

    cg: Array
    cgp: Array
    gnorm: Array

    @staticmethod
    def build(t: Tables, cg: Array, gnorm: Array) -> Goals:
        """Goals of R requests, one beam each: `cg` (R, K), `gnorm` (R,)."""
        xp = t.xp
        return Goals(cg, cg.take(t.pair_concept, axis=1), xp.repeat(gnorm[:, None], t.num_actions, axis=1))

    def repeat(self, w: int) -> Goals:
        """The same goals for `w` consecutive beams per request."""
        return Goals(*(x.repeat(w, axis=0) for x in self))


class Expansion(NamedTuple):
    """Every candidate (beam n, action a) of one search depth; arrays are (N, A) unless stated.

    The per-candidate values live in one stacked buffer `out` (`OUT_ROWS`, N, A) so that the search
    gathers everything it keeps about its survivors with a single `take`; `delta`, `mag`, `value` and
    `ha` are views of its rows, and rows `J_ROW`, `KEY_ROW` are left for the search's score and key.
    The masks are stored negated (what the search uses); `avail` and `open_` give the positive form.
    """

    new_pairs: Array
    """(N, P) predicted value of each touched concept."""
    diff: Array
    """(N, P) `new_pairs - c[:, pair_concept]`: the change `advance` applies to a chosen child."""
    out: Array
    """(OUT_ROWS, N, A) float32: rows delta, mag, value, ha, then scratch for the search."""
    blocked: Array
    """(N, A) bool: `~avail`, the search does not expand these."""
    shut: Array
    """(N, A) bool: `~open_`."""

    @property
    def avail(self) -> Array:
        """(N, A) bool: the action is available and afforded (gate >= MIN_GATE): the search expands these."""
        return ~self.blocked

    @property
    def open_(self) -> Array:
        """(N, A) bool: the action is available (catalog masks only): the policy softmax runs over these."""
        return ~self.shut

    @property
    def delta(self) -> Array:
        """`||z' - z||`."""
        return self.out[DELTA_ROW]

    @property
    def mag(self) -> Array:
        """Predicted `||z'||`."""
        return self.out[MAG_ROW]

    @property
    def value(self) -> Array:
        """Predicted `cos(z', g)`."""
        return self.out[VALUE_ROW]

    @property
    def ha(self) -> Array:
        """Predicted `h' . h_goal`."""
        return self.out[HA_ROW]


def concept_sums(t: Tables, c: Array, cg: Array) -> Array:
    """(2, N) `|c|^2` and `c . c_goal` of N states, each summed over the concepts in index order."""
    xp = t.xp
    sq = xp.empty((c.shape[0], c.shape[1], 2), np.float32)
    xp.multiply(c, c, sq[:, :, 0])
    xp.multiply(cg, c, sq[:, :, 1])
    return t.sum_last(sq, 1).T  # a sum over a middle axis runs in index order


def magnitude(base: Array) -> Array:
    """`||z||` from `concept_sums`: `sqrt(|c|^2 SC2 + SH2)`."""
    out: Array = np.sqrt(base[0] * _SC2 + _SH2)
    return out


def value(base: Array, ha: Array, gnorm: Array) -> Array:
    """`cos(z, g)` from `concept_sums` and `ha = h . h_goal`."""
    out: Array = (base[1] * _SC2 + _SHG * ha) / (magnitude(base) * gnorm)
    return out


def availability(t: Tables, c: Array) -> Array:
    """(N, A) bool availability mask from the 0.5-thresholded concepts of each beam.

    One matmul: `on @ avail_w + avail_b > 0.25`, where `avail_w = requires - 1000 * blocks` and
    `avail_b` is 0.5 for actions without a requirement and -1000 for unplannable ones. Every term is a
    small integer or a half, so the sum is exact in any order, and the bias folds into the threshold
    (`on @ avail_w > 0.25 - avail_b`, also exact).
    """
    return ((c >= t.k.half) @ t.avail_w) > t.avail_thr


def expand(t: Tables, c: Array, ha: Array, cg: Array, gnorm: Array, base: Array | None = None) -> Expansion:
    """Predict the next state of every (beam, action): `c` (N, K), `ha` (N,), one goal per beam
    `cg` (N, K), `gnorm` (N,), and the beams' `concept_sums` (computed when not given). The reference
    entry point; the search calls `expand_tiled`."""
    ha_t = t.xp.repeat(ha[:, None], t.num_actions, axis=1)
    if base is None:
        base = concept_sums(t, c, cg)
    return expand_tiled(t, c, ha_t, Goals.build(t, cg, gnorm), base)


NEED_ALL, NEED_OPEN, NEED_AVAIL = 0, 1, 2
"""`expand_tiled(need=...)`: which candidates' values the caller reads (all; open ones; unblocked ones).
With less than all, the values of the other candidates may differ from the reference."""


def expand_tiled(
    t: Tables, c: Array, ha: Array, goals: Goals, base: Array, need: int = NEED_ALL
) -> Expansion:
    """`expand` with the beams' `ha` tiled to (N, A), their goals tiled by `Goals` and their concept
    sums `base` (2, N) given (`concept_sums` at the root, a parent's `C2_ROW`/`CG_ROW` below it).

    Only the pairs each action touches change, so magnitude, goal dot product and change are the
    beam's own values plus per-action segment sums over those pairs. Every sum runs in one fixed
    order: over the concepts in index order, over an action's pairs in catalogue order (the pairs'
    sum first, then the beam's own value). The float32 operations, in this order (the golden test
    freezes their results bit for bit, and the numba kernels of `_jit` repeat them exactly):

        z = sum_k c_k gate_w[k] + gate_b;  gate = f32(1 / (1 + exp(-z)))   (exp and 1/x in float64)
        old = c[:, pair_concept];  new = clip((sum_k c_k trans_c[k] + trans_1) * gate[:, pair_action] + old, 0, 1)
        d = new - old;  S = segment sums of [(new + old) * d; cg[pair_concept] * d; d * d]
        c2 = S0 + |c|^2;  cgd = S1 + c . cg            (the child's own concept sums)
        w = gate * rho;  we = w * (1 - ha);  u = sqrt(1 - 2 (1 - w) * we)
        ha' = (ha + we) / u;  gap = 2 - 2 (1 - we) / u
        delta = sqrt(S2 * SC2 + SH2 * max(gap, 0));  mag = sqrt(c2 * SC2 + SH2)
        value = (cgd * SC2 + SHG * ha') / (mag * ||g||)

    Zero terms change none of these sums (`OrderedSums` leaves zero weights out and pads with zeros,
    the numba kernels skip zero concepts): `x + 0 = x`, and the only other effect, the sign of a zero
    sum, never reaches an output (`c >= 0`, so `|c|^2`, `c . cg` and the squares are `+0` or more, and
    a `±0` logit or transition gives the same gate and the same clipped value). The hashed-block update
    runs over every action: for rho = 0 it leaves `ha` and the change exactly as they are. `-z` comes
    from negated weights (exact), and `SH2 * max(gap, 0)` from operands scaled by 2 SH2 instead of 2 (a
    power of two: the same float32 values). Outputs are written positionally (`ufunc(a, b, out)`).
    With `need` other than `NEED_ALL`, the hashed-block update is skipped when no writing action
    (rho > 0) is needed.
    """
    xp = t.xp
    k = t.k
    mul, add = xp.multiply, xp.add
    n = c.shape[0]
    a_n = t.num_actions
    p_n = t.pair_concept.shape[0]
    tl = t.tiles(n)
    nz = t.gate_sums(xp, c)  # -z: negating the weights flips the sign of every term
    nz += tl.neg_gate_b
    e = xp.exp(nz, dtype=np.float64)
    e += 1.0
    gate = xp.empty((n, a_n), np.float32)
    xp.reciprocal(e, gate, casting="same_kind")  # 1 / (1 + exp(-z)) in float64, rounded once
    old = c.take(t.pair_concept, axis=1)
    new = t.trans_sums(xp, c)
    new += tl.trans_1
    new *= gate.take(t.pair_action, axis=1)
    new += old
    t.clip(new, k.zero, k.one, new)  # max with 0, then min with 1, in one call
    diff = new - old
    seg = t.segment_sums
    parts = xp.zeros((seg.width, 3, n), np.float32)  # pair-major: d|c|^2, dc.cg, |dc|^2 (see SegmentSums)
    p0 = parts[:p_n, 0].T
    add(new, old, p0)
    p0 *= diff
    mul(goals.cgp, diff, parts[:p_n, 1].T)
    mul(diff, diff, parts[:p_n, 2].T)
    out = xp.empty((OUT_ROWS, n, a_n), np.float32)
    sums = out[C2_ROW : DELTA_ROW + 1]  # segment sums, then the child's c2 and cgd, and delta, in place
    seg(xp, parts.reshape(seg.width, 3 * n), sums.reshape(3 * n, a_n).T)
    sums[:2] += base[:, :, None]
    mul(sums[:2], k.sc2, out[MAG_ROW : VALUE_ROW + 1])
    out[DELTA_ROW] *= k.sc2
    mag = out[MAG_ROW]
    mag += k.sh2
    shut = t.shut(c)  # not available; see `availability`
    blocked = nz > k.neg_min_logit  # not afforded (gate < MIN_GATE)
    blocked |= shut
    # a beam where nothing is afforded falls back to every available action
    none = t.all_last(blocked, 1)
    if xp.count_nonzero(none):
        blocked = xp.where(none[:, None], shut, blocked)
    # hashed block, h' = normalize(h + w (h_g - h)) with w = gate * rho (0 for most actions); it leaves
    # every other action exactly as it is, so it is skipped when the caller needs no writer's values
    ha_new = out[HA_ROW]
    if (
        need
        and int(xp.count_nonzero((shut if need == NEED_OPEN else blocked).take(t.writers, axis=1)))
        == n * t.num_writers
    ):
        xp.copyto(ha_new, ha)
    elif n < _NARROW_FROM:  # every action at once: no gather or scatter (calls are what cost here)
        hb = out[HA_ROW : HA_ROW + 2]  # ha' and, in the search's score row, the change of h
        _hashed_block(xp, k, gate, tl.rho, ha, tl.scale, hb)
        out[DELTA_ROW] += hb[1]
    else:  # large batches: only the writing actions' columns (elements are what cost here)
        hb = xp.empty((2, n, t.writers.shape[0]), np.float32)
        _hashed_block(
            xp, k, gate.take(t.writers, axis=1), t.write_rho, ha.take(t.writers, axis=1), t.scale, hb
        )
        xp.copyto(ha_new, ha)
        ha_new[:, t.writers] = hb[0]
        out[DELTA_ROW][:, t.writers] += hb[1]
    dm = out[DELTA_ROW : MAG_ROW + 1]
    xp.sqrt(dm, dm)  # delta, mag
    val = out[VALUE_ROW]
    val += k.shg * ha_new
    val /= mag * goals.gnorm
    return Expansion(new, diff, out, blocked, shut)


_NARROW_FROM = 32
"""From this many beams on, the hashed-block update runs on the writing actions' columns only."""


def _hashed_block(xp: Any, k: Consts, gate: Array, rho: Array, ha: Array, scale: Array, hb: Array) -> None:
    """`hb[0] = ha'`, `hb[1] = S_H^2 max(||h' - h||^2, 0)` for the columns given (see `expand_tiled`)."""
    wt = xp.empty((2, *gate.shape), np.float32)
    we = wt[1]
    xp.multiply(gate, rho, wt[0])
    xp.multiply(wt[0], xp.subtract(k.one, ha), we)  # we = w (1 - h.h_g)
    ha_new, gap = hb[0], hb[1]
    xp.subtract(k.one, wt, hb)
    hb *= scale  # 2 (1 - w), 2 S_H^2 (1 - we)
    ha_new *= we
    u = xp.subtract(k.one, ha_new)
    xp.sqrt(u, u)
    xp.add(ha, we, ha_new)
    ha_new /= u  # ha' = (h.h_g + we) / u
    gap /= u
    xp.subtract(k.sh2x2, gap, gap)  # S_H^2 ||h' - h||^2 = S_H^2 (2 - 2 (1 - we) / u)
    xp.maximum(gap, k.zero, out=gap)


def advance(t: Tables, c: Array, diff: Array, parent: Array, action: Array) -> Array:
    """Concept blocks of the chosen children: `c[parent]` plus action `action`'s change on its touched
    pairs (`diff` from `Expansion.diff`). The matmul scatters one non-zero term per concept: exact."""
    sel = t.pair_to_action_t.take(action, axis=0)  # (M, P) 0/1 pairs of the chosen action
    sel *= diff.take(parent, axis=0)
    out = t.dot(sel, t.pair_onehot)
    out += c.take(parent, axis=0)
    return out
