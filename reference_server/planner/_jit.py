"""CPU kernels compiled by numba: the one-request search of `_search._search_one`, bit for bit.

On the CPU the NumPy search costs per array call (some two hundred calls of ~0.8 us per plan), not per
element. `JitSearch.search` runs the same search as one compiled loop nest, with every float32 operation of
`_world_model.expand_tiled` in the same order: sums over the concepts in index order and segment sums
over an action's pairs in catalogue order (the terms NumPy leaves out or pads with are zeros, and zero
terms change none of these sums; see `expand_tiled`), the gate in float64 rounded once, ties broken by
the lower candidate index as NumPy's stable argsort does. `tests/planner/test_planner_jit.py` holds it
to the NumPy search bit for bit. numba is optional (`pip install 'stratus-conformance[jit]'`); without
it the NumPy path runs, with the same results.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Any, NamedTuple

import numpy as np

from reference_server.planner._backend import numba_or_none
from reference_server.planner._search import QUANT, SearchParams
from reference_server.planner._world_model import (
    _SC2,
    _SH2,
    _SHG,
    C2_ROW,
    CG_ROW,
    DELTA_ROW,
    HA_ROW,
    J_ROW,
    MAG_ROW,
    OUT_ROWS,
    VALUE_ROW,
    Tables,
)

__all__ = ["JitSearch", "compile_in_background", "wait"]

numba = numba_or_none()

_F = np.float32
_ZERO = _F(0.0)
_ONE = _F(1.0)
_TWO = _F(2.0)
_HALF = _F(0.5)
_SH2X2 = _F(2.0) * _SH2
_NEG_INF = _F(-np.inf)
_POS_INF = _F(np.inf)
_QUANT = _F(QUANT)


def _expand(  # pragma: no cover - compiled by numba
    c: Any,
    base: Any,
    ha: Any,
    cg: Any,
    cgp: Any,
    gnorm: Any,
    tab: Any,
    out: Any,
    blocked: Any,
    shut: Any,
    diff: Any,
) -> None:
    """`expand_tiled` for N beams of one request: fills the world-model rows of `out`, `blocked`,
    `shut` (N, A) and `diff` (N, P)."""
    neg_w, neg_b, trans_c, trans_1, rho, avail_w, avail_thr, pair_action, pair_concept, pair_start = tab[:10]
    neg_min_logit = tab[10]
    n_beams, k_n = c.shape
    a_n = neg_w.shape[1]
    p_n = trans_c.shape[1]
    nz = np.empty(a_n, np.float32)
    on_sum = np.empty(a_n, np.float32)
    gate = np.empty(a_n, np.float32)
    tr = np.empty(p_n, np.float32)
    parts = np.empty((3, p_n), np.float32)
    for n in range(n_beams):
        cn = c[n]
        nz[:] = _ZERO
        on_sum[:] = _ZERO
        tr[:] = _ZERO
        for k in range(k_n):  # every sum over the concepts in index order; zero terms change nothing
            ck = cn[k]
            if ck != _ZERO:
                for a in range(a_n):
                    nz[a] += ck * neg_w[k, a]
                for p in range(p_n):
                    tr[p] += ck * trans_c[k, p]
            if ck >= _HALF:
                for a in range(a_n):
                    on_sum[a] += avail_w[k, a]
        none = True
        for a in range(a_n):
            z = nz[a] + neg_b[a]
            nz[a] = z
            gate[a] = np.float32(1.0 / (math.exp(np.float64(z)) + 1.0))
            sh = not on_sum[a] > avail_thr[a]
            shut[n, a] = sh
            bl = sh or z > neg_min_logit
            blocked[n, a] = bl
            if not bl:
                none = False
        if none:  # nothing afforded: every available action
            for a in range(a_n):
                blocked[n, a] = shut[n, a]
        for p in range(p_n):
            old = cn[pair_concept[p]]
            new = (tr[p] + trans_1[p]) * gate[pair_action[p]] + old
            new = min(max(new, _ZERO), _ONE)
            d = new - old
            diff[n, p] = d
            parts[0, p] = (new + old) * d
            parts[1, p] = cgp[p] * d
            parts[2, p] = d * d
        h0 = ha[n]
        for a in range(a_n):
            start, stop = pair_start[a], pair_start[a + 1]
            for r in range(3):  # rows C2, CG, DELTA: the segment sums, plus the beam's own sums
                acc = _ZERO if start == stop else parts[r, start]
                for p in range(start + 1, stop):
                    acc += parts[r, p]
                if r < 2:
                    acc += base[r, n]
                out[C2_ROW + r, n, a] = acc
            mag = out[C2_ROW, n, a] * _SC2
            val = out[CG_ROW, n, a] * _SC2
            delta = out[DELTA_ROW, n, a] * _SC2
            mag += _SH2
            hn = h0
            if rho[a] > _ZERO:
                w = gate[a] * rho[a]
                we = w * (_ONE - h0)
                t0 = (_ONE - w) * _TWO
                t1 = (_ONE - we) * _SH2X2
                t0 *= we
                u = math.sqrt(_ONE - t0)
                hn = (h0 + we) / u
                gap = _SH2X2 - t1 / u
                delta += max(gap, _ZERO)
            delta = math.sqrt(delta)
            mag = math.sqrt(mag)
            out[DELTA_ROW, n, a] = delta
            out[MAG_ROW, n, a] = mag
            out[HA_ROW, n, a] = hn
            val += _SHG * hn
            out[VALUE_ROW, n, a] = val / (mag * gnorm)


def _smallest(keys: Any, b: int) -> Any:  # pragma: no cover - compiled by numba
    """The `b` smallest keys and their indices, ties to the lower index: NumPy's stable argsort[:b]."""
    top_k = np.empty(b, np.float32)
    top_i = np.empty(b, np.int64)
    cnt = 0
    for i in range(keys.shape[0]):
        key = keys[i]
        if cnt < b or key < top_k[cnt - 1]:
            pos = cnt if cnt < b else b - 1
            if cnt < b:
                cnt += 1
            while pos > 0 and top_k[pos - 1] > key:
                top_k[pos] = top_k[pos - 1]
                top_i[pos] = top_i[pos - 1]
                pos -= 1
            top_k[pos] = key
            top_i[pos] = i
    return top_k, top_i


def _search(  # pragma: no cover - compiled by numba
    c0: Any,
    ha0: Any,
    cg: Any,
    cgp: Any,
    gnorm: Any,
    tab: Any,
    consts: Any,
    gammas: Any,
    beam: int,
    depth: int,
) -> Any:
    """`_search._search_one`: returns (actions, trace (3, steps), q, root_avail, v0, mag0)."""
    lam, nquant, eps, tau = consts[0], consts[1], consts[2], consts[3]
    a_n = tab[0].shape[1]
    p_n = tab[2].shape[1]
    k_n = c0.shape[0]
    pair_concept, pair_start = tab[8], tab[9]
    # root: the request's own concept sums, magnitude and value
    c2 = _ZERO
    cgd = _ZERO
    for k in range(k_n):
        ck = c0[k]
        if ck != _ZERO:
            c2 += ck * ck
            cgd += cg[k] * ck
    mag0 = math.sqrt(c2 * _SC2 + _SH2)
    v0 = (cgd * _SC2 + _SHG * ha0) / (mag0 * gnorm)
    c = np.empty((1, k_n), np.float32)
    c[0] = c0
    base = np.empty((2, 1), np.float32)
    base[0, 0] = c2
    base[1, 0] = cgd
    ha = np.empty(1, np.float32)
    ha[0] = ha0
    v_par = np.zeros(1, np.float32)
    jl_par = np.zeros(1, np.float32)
    q = np.empty(a_n, np.float32)
    root_avail = np.empty(a_n, np.bool_)
    parents = np.zeros((depth, beam), np.int64)
    acts = np.zeros((depth, beam), np.int64)
    trace = np.zeros((depth, 3), np.float32)  # slot 0 of each depth is all the back-track needs ...
    traces = np.zeros((depth, beam, 3), np.float32)  # ... of the slots it passes through
    child_best = np.zeros((depth, beam), np.float32)
    improved = np.zeros(depth, np.bool_)
    thr = _POS_INF
    width = 1
    n_depths = 0
    for d in range(depth):
        out = np.empty((OUT_ROWS, width, a_n), np.float32)
        blocked = np.empty((width, a_n), np.bool_)
        shut = np.empty((width, a_n), np.bool_)
        diff = np.empty((width, p_n), np.float32)
        _expand_jit(c, base, ha, cg, cgp, gnorm, tab, out, blocked, shut, diff)
        keys = np.empty(width * a_n, np.float32)
        gamma = gammas[d]
        for n in range(width):
            row_min = _POS_INF
            for a in range(a_n):
                if d == 0:
                    j = out[VALUE_ROW, n, a] - v0
                    j -= lam
                    q[a] = _NEG_INF if shut[n, a] else j
                    root_avail[a] = not shut[n, a]
                else:
                    j = (out[VALUE_ROW, n, a] - v_par[n]) * gamma
                    j += jl_par[n]
                if blocked[n, a]:
                    j = _NEG_INF
                key = np.rint(j * nquant)
                out[J_ROW, n, a] = j
                keys[n * a_n + a] = key
                row_min = min(row_min, key)
            child_best[d, n] = -row_min / _QUANT
        top_k, top_i = _smallest_jit(keys, beam)
        for s in range(beam):
            parents[d, s] = top_i[s] // a_n
            acts[d, s] = top_i[s] % a_n
            traces[d, s, 0] = out[DELTA_ROW, parents[d, s], acts[d, s]]
            traces[d, s, 1] = out[MAG_ROW, parents[d, s], acts[d, s]]
            traces[d, s, 2] = out[VALUE_ROW, parents[d, s], acts[d, s]]
        ntop = top_k[0]
        improved[d] = ntop < thr
        n_depths = d + 1
        if d == depth - 1 or not improved[d] or not traces[d, 0, 2] < tau:
            break
        thr = ntop - eps
        new_c = np.empty((beam, k_n), np.float32)
        new_base = np.empty((2, beam), np.float32)
        new_ha = np.empty(beam, np.float32)
        new_v = np.empty(beam, np.float32)
        new_jl = np.empty(beam, np.float32)
        for s in range(beam):
            par = parents[d, s]
            act = acts[d, s]
            new_c[s] = c[par]
            for p in range(pair_start[act], pair_start[act + 1]):
                new_c[s, pair_concept[p]] += diff[par, p]
            new_base[0, s] = out[C2_ROW, par, act]
            new_base[1, s] = out[CG_ROW, par, act]
            new_ha[s] = out[HA_ROW, par, act]
            new_v[s] = out[VALUE_ROW, par, act]
            new_jl[s] = out[J_ROW, par, act] - lam
        c, base, ha, v_par, jl_par = new_c, new_base, new_ha, new_v, new_jl
        width = beam
    # Q(a) = max(Q(a), best child J of the beams rooted at a) for the depths that improved the plan
    roots = acts[0].copy()
    for d in range(1, n_depths):
        if improved[d]:
            for s in range(beam):
                v = child_best[d, s]
                if v > q[roots[s]]:
                    q[roots[s]] = v
        nxt = np.empty(beam, np.int64)
        for s in range(beam):
            nxt[s] = roots[parents[d, s]]
        roots = nxt
    best = 0
    for d in range(n_depths - 1, 0, -1):
        if improved[d]:
            best = d
            break
    seq = np.empty(best + 1, np.int64)
    slot = 0
    for d in range(best, -1, -1):
        seq[d] = acts[d, slot]
        trace[d] = traces[d, slot]
        slot = parents[d, slot]
    return seq, trace[: best + 1].T.copy(), q, root_avail, v0, mag0


# cached on disk (`__pycache__`, or numba's user cache directory): compiling takes seconds the first
# time, loading the cache a fraction of one
_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}
_smallest_jit: Any = numba.njit(**_OPTIONS)(_smallest) if numba is not None else None
_expand_jit: Any = numba.njit(**_OPTIONS)(_expand) if numba is not None else None
_search_jit: Any = numba.njit(**_OPTIONS)(_search) if numba is not None else None
_READY = threading.Event()  # compiled: the planner may call the kernels
_DONE = threading.Event()  # compiled, or failed to
_START = threading.Lock()
_started = False
_log = logging.getLogger("reference_server.planner")


def wait(timeout: float | None = None) -> bool:
    """Wait until compiling has ended; True when the kernels are ready (False: failed, or timed out)."""
    _DONE.wait(timeout)
    return _READY.is_set()


def compile_in_background(t: Tables) -> threading.Event:
    """Compile the kernels once per process on a daemon thread, from a search on `t`; until the
    returned event is set the planner runs the NumPy search, which gives the same results."""
    global _started
    with _START:
        if not _started and _search_jit is not None:
            _started = True
            threading.Thread(target=_compile, args=(t,), name="stratus-planner-jit", daemon=True).start()
    return _READY


def _compile(t: Tables) -> None:
    js = JitSearch.build(t, SearchParams(beam=2, depth=2))
    k = t.num_concepts
    try:
        js.search(
            np.zeros(k, np.float32),
            np.float32(0.0),
            np.zeros(k, np.float32),
            np.zeros(t.pair_concept.shape[0], np.float32),
            np.float32(3.0),
        )
        _READY.set()
    except Exception:  # pragma: no cover - the NumPy search keeps serving, with the same results
        _log.warning("the planner's numba kernels did not compile; the NumPy search serves", exc_info=True)
    finally:
        _DONE.set()


class JitSearch(NamedTuple):
    """The tables and constants the compiled search reads, packed once per (tables, search parameters)."""

    tab: tuple[Any, ...]
    consts: Any
    gammas: Any
    beam: int
    depth: int

    @classmethod
    def build(cls, t: Tables, params: SearchParams) -> JitSearch:
        tab = (
            np.ascontiguousarray(t.neg_gate_w, np.float32),
            np.ascontiguousarray(t.neg_gate_b, np.float32),
            np.ascontiguousarray(t.trans_c, np.float32),
            np.ascontiguousarray(t.trans_1, np.float32),
            np.ascontiguousarray(t.rho, np.float32),
            np.ascontiguousarray(t.avail_w, np.float32),
            np.ascontiguousarray(t.avail_thr, np.float32),
            np.ascontiguousarray(t.pair_action, np.int64),
            np.ascontiguousarray(t.pair_concept, np.int64),
            np.ascontiguousarray(t.pair_start, np.int64),
            np.float32(t.k.neg_min_logit),
        )
        # the float32 values of `_search._consts`: lam, -QUANT, the quantised eps, tau
        consts = np.array([params.lam, -QUANT, round(params.eps * QUANT), params.tau_goal], np.float32)
        gammas = np.array([params.gamma**d for d in range(params.depth)], np.float32)
        return cls(tab, consts, gammas, params.beam, params.depth)

    def search(self, c0: Any, ha0: Any, cg: Any, cgp: Any, gnorm: Any) -> Any:
        return _search_jit(c0, ha0, cg, cgp, gnorm, self.tab, self.consts, self.gammas, self.beam, self.depth)
