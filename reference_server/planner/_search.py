"""Deterministic beam search over the world model, batched over requests.

Score of a partial plan `a_1..a_t`: `J = sum_s gamma^(s-1) * (V(z_s) - V(z_(s-1))) - lam * t` with
`V = cos(z, g)`: discounted progress toward the goal minus a step cost, so the action that makes the most
progress soonest goes first.
Each depth expands every available action of every beam (`_world_model.expand`), ranks the candidates
by the quantised key `rint(J * 1e6)` with a stable sort (ties: lower beam, then lower action id), and
keeps the top `beam`. A request stops when the best candidate does not beat its best plan so far by
`eps`, when the best plan reaches `V >= tau_goal`, or at the depth limit. Decisions depend only on
integer keys, so float noise below 1e-6 cannot flip a plan and NumPy and CuPy pick the same actions.

The policy head needs `Q(a)`: the best `J` of any expanded sequence starting with `a` (its one-step
`J` if it was pruned). Results come back to the host as NumPy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from reference_server.planner._world_model import Expansion, Tables, advance, expand, magnitude, value

__all__ = ["SearchParams", "SearchResult", "beam_search", "to_host"]

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

    length: npt.NDArray[np.int64]  # (R,)
    actions: npt.NDArray[np.int64]  # (R, H)
    mags: npt.NDArray[np.float32]  # (R, H) ||z_t||
    deltas: npt.NDArray[np.float32]  # (R, H) ||z_t - z_{t-1}||
    values: npt.NDArray[np.float32]  # (R, H) cos(z_t, g)
    q: npt.NDArray[np.float32]  # (R, A) root Q, -inf where unavailable
    root_avail: npt.NDArray[np.bool_]  # (R, A)
    v0: npt.NDArray[np.float32]  # (R,)
    mag0: npt.NDArray[np.float32]  # (R,)


def to_host(x: Any) -> Any:
    """NumPy copy of a NumPy or CuPy array."""
    get = getattr(x, "get", None)
    return get() if get is not None else x


def _argsort_desc(xp: Any, keys: Any) -> Any:
    if xp is np:
        return np.argsort(-keys, axis=1, kind="stable")
    return xp.argsort(-keys, axis=1)  # CuPy's argsort is always stable


ExpandFn = Any  # Callable[[Tables, c, ha, cg, gnorm], Expansion]


def beam_search(
    t: Tables,
    c0: Any,
    ha0: Any,
    cg: Any,
    gnorm: Any,
    params: SearchParams,
    expand_fn: ExpandFn = expand,
    topk_fn: Any = None,
) -> SearchResult:
    """Plan for R requests at once: `c0` (R, K), `ha0` (R,), `cg` (R, K), `gnorm` (R,) on backend `t.xp`.

    Per depth only the B survivors are recorded (parent slot, action, magnitude, change, value); the best
    candidate of a depth is always survivor slot 0, so the best plan is rebuilt on the host at the end
    by following parent slots back from (best depth, slot 0).
    """
    xp = t.xp
    r_n = c0.shape[0]
    a_n = t.num_actions
    b_n, h_n = params.beam, params.depth
    rows = xp.arange(r_n)
    v0 = value(xp, c0, ha0, cg, gnorm)
    mag0 = magnitude(xp, c0)
    c, ha, cg_n, gnorm_n = c0, ha0, cg, gnorm
    v_par = v0[:, None]  # value of each beam's state
    j_par = xp.zeros((r_n, 1), np.float32)  # score of each beam's partial plan
    width = 1  # beams per request at this depth (1 at the root)
    alive = None
    eps_q = np.float32(round(params.eps * QUANT))
    quant = np.float32(QUANT)
    tau = np.float32(params.tau_goal)
    best_key = xp.full(r_n, -np.inf, np.float32)
    best_depth = xp.zeros(r_n, np.int64)
    done = xp.zeros(r_n, dtype=bool)
    recs: list[_Depth] = []
    q = root_avail = first = None
    for depth in range(h_n):
        ex: Expansion = expand_fn(t, c, ha, cg_n, gnorm_n)
        ok = ex.avail if alive is None else ex.avail & alive[:, None]
        j = ex.value - v_par
        j *= np.float32(params.gamma**depth)
        j += j_par - np.float32(params.lam)
        keys = xp.rint(j * quant)
        keys[~ok] = -np.inf
        child = None
        if depth == 0:  # policy head: every available action, with its one-step score until refined
            root_avail = ex.open_
            q = xp.where(root_avail, j, np.float32(-np.inf))
        else:
            child = keys.max(axis=1).reshape(r_n, width) / quant  # best quantised J per beam
        flat_keys = keys.reshape(r_n, width * a_n)
        order = _argsort_desc(xp, flat_keys)[:, :b_n] if topk_fn is None else topk_fn(flat_keys, b_n)
        top = flat_keys[rows[:, None], order]
        improved = top[:, 0] > -np.inf
        if depth > 0:
            improved &= (top[:, 0] > best_key + eps_q) & ~done
        cflat = (rows[:, None] * (width * a_n) + order).reshape(-1)
        parent, act = order // a_n, order % a_n
        recs.append(
            _Depth(
                parent,
                act,
                ex.mag.reshape(-1)[cflat].reshape(r_n, -1),
                ex.delta.reshape(-1)[cflat].reshape(r_n, -1),
                ex.value.reshape(-1)[cflat].reshape(r_n, -1),
                first,
                child,
                improved,
            )
        )
        best_key = xp.where(improved, top[:, 0], best_key)
        best_depth = xp.where(improved, depth, best_depth)
        done = done | ~improved | (improved & (recs[-1].val[:, 0] >= tau))
        if depth == h_n - 1 or bool(done.all()):
            break
        pflat = (rows[:, None] * width + parent).reshape(-1)
        c = advance(t, c, ex.new_pairs, pflat, act.reshape(-1))
        ha = ex.ha.reshape(-1)[cflat]
        v_par = ex.value.reshape(-1)[cflat][:, None]
        j_par = j.reshape(-1)[cflat][:, None]
        first = act if first is None else first[rows[:, None], parent]
        alive = (top > -np.inf).reshape(-1)
        if width == 1:
            cg_n = xp.repeat(cg, b_n, axis=0)
            gnorm_n = xp.repeat(gnorm, b_n)
            width = b_n
    return _finish(
        recs, to_host(best_depth), to_host(q), to_host(root_avail), to_host(v0), to_host(mag0), h_n
    )


@dataclass(frozen=True, slots=True)
class _Depth:
    parent: Any  # (R, B) parent slot of each survivor
    act: Any  # (R, B) action of each survivor
    mag: Any
    dl: Any
    val: Any
    first: Any  # (R, B') root action of each parent beam (None at depth 0)
    child: Any  # (R, B') best quantised child J of each parent beam (None at depth 0)
    improved: Any  # (R,) this depth improved the request's best plan


def _finish(
    recs: list[_Depth], best_depth: Any, q: Any, root_avail: Any, v0: Any, mag0: Any, h_n: int
) -> SearchResult:
    """Host side: back-track the best plan of every request and fold look-ahead values into Q."""
    host = [
        _Depth(
            *(
                None if x is None else to_host(x)
                for x in (d.parent, d.act, d.mag, d.dl, d.val, d.first, d.child, d.improved)
            )
        )
        for d in recs
    ]
    r_n = q.shape[0]
    q = q.copy()
    for d in host[1:]:
        for row in np.flatnonzero(d.improved):
            np.maximum.at(q[row], d.first[row], d.child[row])
    length = best_depth.astype(np.int64) + 1
    actions = np.zeros((r_n, h_n), np.int64)
    mags = np.zeros((r_n, h_n), np.float32)
    dels = np.zeros((r_n, h_n), np.float32)
    vals = np.zeros((r_n, h_n), np.float32)
    for r in range(r_n):
        slot: int = 0
        for depth in range(int(length[r]) - 1, -1, -1):
            d = host[depth]
            actions[r, depth] = d.act[r, slot]
            mags[r, depth] = d.mag[r, slot]
            dels[r, depth] = d.dl[r, slot]
            vals[r, depth] = d.val[r, slot]
            slot = int(d.parent[r, slot].item())
    return SearchResult(length, actions, mags, dels, vals, q, root_avail, v0, mag0)
