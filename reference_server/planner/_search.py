"""Deterministic beam search over the world model, batched over requests.

Score of a partial plan `a_1..a_t`: `J = sum_s gamma^(s-1) * (V(z_s) - V(z_(s-1))) - lam * t` with
`V = cos(z, g)`: discounted progress toward the goal minus a step cost, so the action that makes the most
progress soonest goes first.
Each depth expands every available action of every beam (`_world_model.expand_tiled`), ranks the
candidates by the quantised key `rint(J * 1e6)` with a stable sort (ties: lower beam, then lower action
id), and keeps the top `beam`. A request stops when the best candidate does not beat its best plan so far by
`eps`, when the best plan reaches `V >= tau_goal`, or at the depth limit. Decisions depend only on
integer keys, so float noise below 1e-6 cannot flip a plan and NumPy and CuPy pick the same actions.

The policy head needs `Q(a)`: the best `J` of any expanded sequence starting with `a` (its one-step
`J` if it was pruned). Results come back to the host as NumPy arrays.

Implementation notes (CPU cost is per array call, so a depth is ~25 calls besides the expansion): the
search sorts the negated key `rint(J * -1e6)` ascending (the same order, rint is odd), masks unavailable
candidates by setting their score to -inf (which also silences every child of a dead beam), gathers all
it keeps about the B survivors with one `take` of `Expansion.out`, and keeps per depth only the survivors'
parent slots, actions and values; the best plan is back-tracked and the look-ahead folded into Q on the
host at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from reference_server.planner._world_model import (
    C2_ROW,
    CG_ROW,
    J_ROW,
    KEY_ROW,
    NEED_AVAIL,
    NEED_OPEN,
    OUT_ROWS,
    TRACE_ROWS,
    VALUE_ROW,
    Expansion,
    Goals,
    Tables,
    advance,
    concept_sums,
    expand_tiled,
    magnitude,
    value,
)

__all__ = ["SearchParams", "SearchResult", "beam_search", "goal_tiles", "to_host"]

QUANT = 1e6


@dataclass(frozen=True, slots=True)
class SearchParams:
    beam: int
    depth: int
    lam: float = 0.02
    eps: float = 0.005
    gamma: float = 0.8
    tau_goal: float = 0.55


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Per request (host arrays): best plan, its per-step trace, root Q values and availability."""

    actions: list[list[int]]  # per request, the plan (1..H action ids)
    mags: list[list[float]]  # ||z_t|| per step (float32 values)
    deltas: list[list[float]]  # ||z_t - z_{t-1}||
    values: list[list[float]]  # cos(z_t, g)
    q: npt.NDArray[np.float32]  # (R, A) root Q, -inf where unavailable
    root_avail: npt.NDArray[np.bool_]  # (R, A)
    v0: npt.NDArray[np.float32]  # (R,)
    mag0: npt.NDArray[np.float32]  # (R,)


def to_host(x: Any) -> Any:
    """NumPy copy of a NumPy or CuPy array."""
    get = getattr(x, "get", None)
    return get() if get is not None else x


def _argsort_asc(xp: Any, keys: Any) -> Any:
    if xp is np:
        return keys.argsort(axis=1, kind="stable")
    return xp.argsort(keys, axis=1)  # CuPy's argsort is always stable


ExpandFn = Any  # Callable[[Tables, c, ha (N, A), Goals, base (2, N), need], Expansion]
TopkFn = Any  # Callable[[keys (R, L), b], (R, b) indices of the b largest keys, ties: lower index]


class _Depth(NamedTuple):
    """What one depth leaves for the host (device arrays)."""

    parent: Any  # (R, B) parent slot of each survivor
    act: Any  # (R, B) action of each survivor
    kept: Any  # (OUT_ROWS, R * B) the survivors' rows of `Expansion.out`
    nkey: Any  # (R * W, A) negated quantised keys of the children of every expanded beam (depth >= 1)
    improved: Any  # (R,) this depth improved the request's best plan (a list of one bool for R = 1)


def beam_search(
    t: Tables,
    c0: Any,
    ha0: Any,
    cg: Any,
    gnorm: Any,
    params: SearchParams,
    expand_fn: ExpandFn = expand_tiled,
    topk_fn: TopkFn = None,
    goals: tuple[Goals, Goals] | None = None,
) -> SearchResult:
    """Plan for R requests at once: `c0` (R, K), `ha0` (R,), `cg` (R, K), `gnorm` (R,) on backend `t.xp`.

    `goals` may pass `goal_tiles(t, cg, gnorm, beam)` precomputed (the planner caches it per goal text).

    Per depth only the B survivors are recorded (parent slot, action, change, magnitude, value); the best
    candidate of a depth is always survivor slot 0, so the best plan is rebuilt on the host at the end
    by following parent slots back from (best depth, slot 0).
    One NumPy request takes `_search_one`, which gives the same result bit for bit with fewer calls.
    """
    if c0.shape[0] == 1 and t.xp is np and expand_fn is expand_tiled and topk_fn is None:
        return _search_one(t, c0, ha0, gnorm, params, goals or goal_tiles(t, cg, gnorm, params.beam))
    return _search_batched(t, c0, ha0, cg, gnorm, params, expand_fn, topk_fn, goals)


def _search_batched(
    t: Tables,
    c0: Any,
    ha0: Any,
    cg: Any,
    gnorm: Any,
    params: SearchParams,
    expand_fn: ExpandFn,
    topk_fn: TopkFn,
    goals: tuple[Goals, Goals] | None,
) -> SearchResult:
    xp = t.xp
    k = t.k
    r_n = c0.shape[0]
    a_n = t.num_actions
    b_n, h_n = params.beam, params.depth
    sc = _consts(t, params)
    rows = xp.arange(r_n)[:, None] if r_n > 1 else None
    goals_1, goals_b = goal_tiles(t, cg, gnorm, b_n) if goals is None else goals
    tiles = goals_1
    c = c0
    ha = xp.repeat(ha0[:, None], a_n, axis=1)  # (N, A): every per-beam input is tiled over the actions
    base = concept_sums(t, c0, cg)  # (2, N); below the root, the survivors' own rows of `out`
    v_par = jl_par = None
    thr: Any = k.pos_inf if rows is not None else np.float32(np.inf)  # at the root: any available action
    live: Any = True
    width = 1  # beams per request at this depth (1 at the root)
    recs: list[_Depth] = []
    q = root_avail = v0 = mag0 = None
    for depth in range(h_n):
        # the root's Q needs every open action's score, deeper depths only the unblocked ones
        ex: Expansion = expand_fn(t, c, ha, tiles, base, NEED_AVAIL if depth else NEED_OPEN)
        out = ex.out
        j = out[J_ROW]
        if depth == 0:  # root: the request's own magnitude and value, from its concept sums
            mag0 = magnitude(base)
            v0 = value(base, ha0, gnorm)
            xp.subtract(ex.value, v0[:, None], out=j)  # gamma^0 = 1
            j -= sc.lam  # the partial-plan score is 0 at the root
            root_avail = ~ex.shut  # policy head: every available action, one-step score until refined
            q = xp.where(ex.shut, k.neg_inf, j)
        else:
            xp.subtract(ex.value, v_par, out=j)
            j *= sc.gamma[depth]
            j += jl_par  # -inf for the children of a dead beam
        xp.copyto(j, k.neg_inf, where=ex.blocked)
        nkey = out[KEY_ROW]
        xp.multiply(j, sc.nquant, out=nkey)
        xp.rint(nkey, out=nkey)  # -rint(J * 1e6); +inf where unavailable
        flat = nkey.reshape(r_n, width * a_n)
        order = _argsort_asc(xp, flat)[:, :b_n] if topk_fn is None else topk_fn(-flat, b_n)
        cflat = (order if rows is None else order + rows * (width * a_n)).reshape(-1)
        kept = out.reshape(OUT_ROWS, -1).take(cflat, axis=1)  # (OUT_ROWS, R * B) of the survivors
        split = t.split(width)
        parent = split[0].take(order)
        act = split[1].take(order)
        # a request improves when its best candidate (slot 0) sorts below thr = -(best key + eps); it
        # stays live while it improves and its best plan is below the goal value (never NaN)
        if rows is None:  # one request: the same tests on host float32 scalars
            ntop = kept[KEY_ROW, 0]
            improved = [bool(ntop < thr) and live]
            recs.append(_Depth(parent, act, kept, nkey if depth else None, improved))
            if depth == h_n - 1:
                break
            live = improved[0] and bool(kept[VALUE_ROW, 0] < sc.tau_f)
            if not live:
                break
            thr = ntop - sc.eps_f
        else:
            ntop = kept[KEY_ROW, ::b_n]
            improved = ntop < thr
            if depth:
                improved &= live
            recs.append(_Depth(parent, act, kept, nkey if depth else None, improved))
            if depth == h_n - 1:
                break
            live = improved & (kept[VALUE_ROW, ::b_n] < sc.tau)
            if not bool(live.any()):
                break
            if depth == 0:
                thr = ntop - sc.eps_q
            else:
                xp.copyto(thr, ntop - sc.eps_q, where=improved)
        pflat = (parent if rows is None else parent + rows * width).reshape(-1)
        c = advance(t, c, ex.diff, pflat, act.reshape(-1))
        base = kept[C2_ROW : CG_ROW + 1]
        kept[J_ROW] -= sc.lam
        tiled = kept[VALUE_ROW : J_ROW + 1].repeat(a_n, axis=1).reshape(3, -1, a_n)
        v_par = tiled[0]
        ha = tiled[1]
        jl_par = tiled[2]
        if width == 1:
            tiles = goals_b
            width = b_n
    return _finish(recs, to_host(q), to_host(root_avail), to_host(v0), to_host(mag0), h_n, b_n)


def _search_one(
    t: Tables, c0: Any, ha0: Any, gnorm: Any, params: SearchParams, goals: tuple[Goals, Goals]
) -> SearchResult:
    """`beam_search` for one request on NumPy: the same float32 operations on the same shapes, with the
    per-request scalars (root magnitude and value, stop tests) as host float32 scalars, survivors'
    parent and action gathered by one `take`, and the best plan tracked on the host."""
    k = t.k
    a_n = t.num_actions
    b_n, h_n = params.beam, params.depth
    sc = _consts(t, params)
    tiles, goals_b = goals
    c = c0
    base = concept_sums(t, c0, tiles.cg)
    ex = expand_tiled(t, c0, ha0.repeat(a_n).reshape(1, a_n), tiles, base, NEED_OPEN)
    mag0 = magnitude(base)
    v0 = value(base, ha0, gnorm)
    out = ex.out
    j = out[J_ROW]
    np.subtract(ex.value, v0, j)  # gamma^0 = 1
    j -= sc.lam
    root_avail = ~ex.shut
    q = np.where(ex.shut, k.neg_inf, j)
    thr = np.float32(np.inf)
    width = 1
    recs: list[tuple[list[list[int]], Any, Any]] = []  # per depth: [parents, actions], kept, nkey
    improved: list[bool] = []
    for depth in range(h_n):
        np.copyto(j, k.neg_inf, where=ex.blocked)
        nkey = out[KEY_ROW]
        np.multiply(j, sc.nquant, nkey)
        np.rint(nkey, nkey)  # -rint(J * 1e6); +inf where unavailable
        order = nkey.reshape(-1).argsort(kind="stable")[:b_n]
        kept = out.reshape(OUT_ROWS, -1).take(order, axis=1)  # (OUT_ROWS, B) of the survivors
        pa = t.split_stacked(width).take(order, axis=1)  # (2, B): parent slot, action
        ntop = kept[KEY_ROW, 0]
        improved.append(bool(ntop < thr))  # a depth is reached only after one that improved
        recs.append((pa.tolist(), kept, nkey if depth else None))
        if depth == h_n - 1 or not improved[-1] or not kept[VALUE_ROW, 0] < sc.tau_f:
            break
        thr = ntop - sc.eps_f
        c = advance(t, c, ex.diff, pa[0], pa[1])
        base = kept[C2_ROW : CG_ROW + 1]
        kept[J_ROW] -= sc.lam
        v_par, ha, jl_par = kept[VALUE_ROW : J_ROW + 1].repeat(a_n, axis=1).reshape(3, -1, a_n)
        if width == 1:
            tiles = goals_b
            width = b_n
        ex = expand_tiled(t, c, ha, tiles, base, NEED_AVAIL)
        out = ex.out
        j = out[J_ROW]
        np.subtract(ex.value, v_par, j)
        j *= sc.gamma[depth + 1]
        j += jl_par  # -inf for the children of a dead beam
    # Q(a) = max(Q(a), best child J of the beams rooted at a) for the depths that improved the plan
    q_r = q[0]
    roots = recs[0][0][1]
    for depth in range(1, len(recs)):
        if improved[depth]:
            child = (-np.minimum.reduce(recs[depth][2], 1) / np.float32(QUANT)).tolist()
            for a, v in zip(roots, child, strict=True):
                if v > q_r[a]:
                    q_r[a] = v
        roots = [roots[p] for p in recs[depth][0][0]]
    best = 0  # the last depth that improved the plan (the root if none did)
    for depth in range(len(recs) - 1, 0, -1):
        if improved[depth]:
            best = depth
            break
    seq = [0] * (best + 1)
    deltas, mags, values = trace = [[0.0] * (best + 1) for _ in range(3)]  # per step
    slot = 0
    for depth in range(best, -1, -1):
        (parents, acts), kept, _ = recs[depth]
        seq[depth] = acts[slot]
        for row, x in zip(trace, kept[TRACE_ROWS, slot].tolist(), strict=True):
            row[depth] = x
        slot = parents[slot]
    return SearchResult(
        [seq],
        [mags],
        [deltas],
        [values],
        q,
        root_avail,
        v0,
        mag0,
    )


def goal_tiles(t: Tables, cg: Any, gnorm: Any, beam: int) -> tuple[Goals, Goals]:
    """The requests' goals tiled for the root (one beam each) and for `beam` beams each."""
    one = Goals.build(t, cg, gnorm)
    return one, one.repeat(beam)


class _SearchConsts(NamedTuple):
    lam: Any
    nquant: Any
    eps_q: Any
    tau: Any
    gamma: list[Any]  # gamma^depth
    eps_f: np.float32  # eps_q and tau as host scalars (the one-request path)
    tau_f: np.float32


def _consts(t: Tables, params: SearchParams) -> _SearchConsts:
    """The search constants as 0-d float32 arrays of the backend (cached per tables and parameters)."""
    got: _SearchConsts | None = t.cache.get(params)
    if got is not None:
        return got

    def make() -> _SearchConsts:
        xp = t.xp

        def c0d(v: float) -> Any:
            return xp.asarray(np.array(v, np.float32))

        return _SearchConsts(
            c0d(params.lam),
            c0d(-QUANT),
            c0d(round(params.eps * QUANT)),
            c0d(params.tau_goal),
            [c0d(params.gamma**d) for d in range(params.depth)],
            np.float32(round(params.eps * QUANT)),
            np.float32(params.tau_goal),
        )

    return t.cached(params, make)  # type: ignore[no-any-return]


def _finish(
    recs: list[_Depth], q: Any, root_avail: Any, v0: Any, mag0: Any, h_n: int, b_n: int
) -> SearchResult:
    """Host side: back-track the best plan of every request and fold look-ahead values into Q."""
    r_n = q.shape[0]
    parents = [to_host(d.parent).tolist() for d in recs]
    acts = [to_host(d.act).tolist() for d in recs]
    improved = [d.improved if isinstance(d.improved, list) else to_host(d.improved).tolist() for d in recs]
    # Q(a) = max(Q(a), best child J of the beams rooted at a), for the depths that improved the plan,
    # in the reference order (depth, request, beam); J = -(min negated key) / 1e6 in float32
    q = q.copy()
    roots = acts[0]  # root action of every survivor of the previous depth
    for depth in range(1, len(recs)):
        imp = improved[depth]
        if any(imp):
            child = (-to_host(recs[depth].nkey.min(axis=1)) / np.float32(QUANT)).reshape(r_n, -1).tolist()
            for r in range(r_n):
                if imp[r]:
                    q_r = q[r]
                    for a, v in zip(roots[r], child[r], strict=True):
                        if v > q_r[a]:
                            q_r[a] = v
        roots = [[root[p] for p in par] for root, par in zip(roots, parents[depth], strict=True)]
    kept = [to_host(d.kept[TRACE_ROWS]).tolist() for d in recs]
    actions: list[list[int]] = []
    trace: list[list[list[float]]] = [[], [], []]  # delta, mag, value: per request, per step
    for r in range(r_n):
        best = 0  # the last depth that improved the plan (the root if none did)
        for depth in range(len(recs) - 1, 0, -1):
            if improved[depth][r]:
                best = depth
                break
        seq = [0] * (best + 1)
        steps = [[0.0] * (best + 1) for _ in trace]
        slot = 0
        for depth in range(best, -1, -1):
            seq[depth] = acts[depth][r][slot]
            col = r * b_n + slot
            for row, values in zip(steps, kept[depth], strict=True):
                row[depth] = values[col]
            slot = parents[depth][r][slot]
        actions.append(seq)
        for per_request, values in zip(trace, steps, strict=True):
            per_request.append(values)
    return SearchResult(actions, trace[1], trace[0], trace[2], q, root_avail, v0, mag0)
