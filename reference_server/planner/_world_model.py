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
`expand` by the fused `expand_score` kernel of `_kernels.py` and tests check the two against each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reference_server.planner._catalog import Catalog
from reference_server.planner._encoder import S_C, S_G, S_H

__all__ = ["MIN_GATE", "Expansion", "Tables", "advance", "availability", "expand", "magnitude", "value"]

Array = Any  # numpy.ndarray or cupy.ndarray (float32 unless stated)


@dataclass(frozen=True, slots=True)
class Tables:
    """Catalog tables resident on one backend (`xp`)."""

    xp: Any
    gate_w: Array
    gate_b: Array
    rho: Array
    trans: Array
    trans_c: Array
    trans_1: Array
    write_idx: Array
    write_rho: Array
    pair_action: Array
    pair_concept: Array
    pair_start: Array
    pair_to_action: Array
    pair_onehot: Array
    requires: Array
    has_requirement: Array
    blocks: Array
    plannable: Array
    avail_w: Array
    avail_b: Array
    num_actions: int
    num_concepts: int

    @classmethod
    def build(cls, xp: Any, cat: Catalog) -> Tables:
        return cls(
            xp=xp,
            gate_w=xp.asarray(cat.gate_w),
            gate_b=xp.asarray(cat.gate_b),
            rho=xp.asarray(cat.rho),
            trans=xp.asarray(cat.trans),
            trans_c=xp.asarray(np.ascontiguousarray(cat.trans[:-1])),
            trans_1=xp.asarray(np.ascontiguousarray(cat.trans[-1])),
            write_idx=xp.asarray(np.flatnonzero(cat.rho > 0)),
            write_rho=xp.asarray(cat.rho[cat.rho > 0]),
            pair_action=xp.asarray(cat.pair_action),
            pair_concept=xp.asarray(cat.pair_concept),
            pair_start=xp.asarray(cat.pair_start),
            pair_to_action=xp.asarray(cat.pair_to_action),
            pair_onehot=xp.asarray(cat.pair_onehot),
            requires=xp.asarray(cat.requires),
            has_requirement=xp.asarray(cat.has_requirement),
            blocks=xp.asarray(cat.blocks),
            plannable=xp.asarray(cat.plannable),
            avail_w=xp.asarray(cat.requires - np.float32(1000.0) * cat.blocks),
            avail_b=xp.asarray(
                np.where(cat.has_requirement, 0.0, 0.5).astype(np.float32)
                - np.where(cat.plannable, 0.0, 1000.0).astype(np.float32)
            ),
            num_actions=cat.num_actions,
            num_concepts=cat.gate_w.shape[0],
        )


@dataclass(frozen=True, slots=True)
class Expansion:
    """Every candidate (beam n, action a) of one search depth; arrays are (N, A) unless stated."""

    new_pairs: Array
    """(N, P) predicted value of each touched concept."""
    ha: Array
    """Predicted `h' . h_goal`."""
    mag: Array
    """Predicted `||z'||`."""
    value: Array
    """Predicted `cos(z', g)`."""
    delta: Array
    """`||z' - z||`."""
    avail: Array
    """(N, A) bool: the action is available and afforded (gate >= MIN_GATE): the search expands these."""
    open_: Array
    """(N, A) bool: the action is available (catalog masks only): the policy softmax runs over these."""


MIN_GATE = np.float32(0.2)
"""An action whose precondition gate is below this is not afforded by the state (masked out)."""
_MIN_LOGIT = np.float32(np.log(MIN_GATE / (1.0 - MIN_GATE)))
_SC2 = np.float32(S_C * S_C)
_SH2 = np.float32(S_H * S_H)
_SHG = np.float32(S_H * S_G)


def magnitude(xp: Any, c: Array) -> Array:
    """`||z||` of states with concept block `c` (last axis)."""
    return xp.sqrt(_SC2 * (c * c).sum(axis=-1) + _SH2)


def value(xp: Any, c: Array, ha: Array, cg: Array, gnorm: Array) -> Array:
    """`cos(z, g)` of states (c, ha) against goals (cg, gnorm)."""
    return (_SC2 * (c * cg).sum(axis=-1) + _SHG * ha) / (magnitude(xp, c) * gnorm)


def availability(t: Tables, c: Array) -> Array:
    """(N, A) bool availability mask from the 0.5-thresholded concepts of each beam.

    One matmul: `on @ avail_w + avail_b > 0.25`, where `avail_w = requires - 1000 * blocks` and
    `avail_b` is 0.5 for actions without a requirement and -1000 for unplannable ones.
    """
    on = (c >= np.float32(0.5)).astype(np.float32)
    score = on @ t.avail_w
    score += t.avail_b
    return score > np.float32(0.25)


def expand(t: Tables, c: Array, ha: Array, cg: Array, gnorm: Array) -> Expansion:
    """Predict the next state of every (beam, action): `c` (N, K), `ha` (N,), `cg` (N, K), `gnorm` (N,).

    Written as few array operations as possible: on the CPU the cost is per call, not per element.
    Only the pairs each action touches change, so magnitude, goal dot product and change are the
    beam's own values plus per-action segment sums over those pairs.
    """
    xp = t.xp
    one = np.float32(1.0)
    z = c @ t.gate_w
    z += t.gate_b
    gate = xp.negative(z)
    xp.exp(gate, out=gate)
    gate += one
    xp.reciprocal(gate, out=gate)
    old = xp.take(c, t.pair_concept, axis=1)
    new = c @ t.trans_c
    new += t.trans_1
    new *= xp.take(gate, t.pair_action, axis=1)
    new += old
    xp.clip(new, np.float32(0.0), one, out=new)
    n = c.shape[0]
    parts = xp.empty((3, n, new.shape[1]), np.float32)
    xp.subtract(new, old, out=parts[0])
    xp.add(new, old, out=parts[1])
    parts[2] = xp.take(cg, t.pair_concept, axis=1)
    parts[1:] *= parts[0]
    parts[0] *= parts[0]
    sums = (parts.reshape(3 * n, -1) @ t.pair_to_action).reshape(3, n, -1)  # |dc|^2, d|c|^2, dc.cg
    base = (xp.stack([c, cg]) * c).sum(axis=2)  # (2, N): |c|^2, c.cg
    # hashed block: only the few actions with rho > 0 move it (h' = normalize(h + w (h_g - h)))
    h0 = ha[:, None]
    w = xp.take(gate, t.write_idx, axis=1)
    w *= t.write_rho
    we = w * (one - h0)
    u = one - np.float32(2.0) * (one - w) * we
    xp.sqrt(u, out=u)
    ha_new = xp.repeat(h0, t.num_actions, axis=1)
    ha_new[:, t.write_idx] = (h0 + we) / u
    hd_gap = np.float32(2.0) - np.float32(2.0) * (one - we) / u  # ||h' - h||^2 = 2 - 2 h'.h
    mag = sums[1]
    mag += base[0][:, None]
    mag *= _SC2
    mag += _SH2
    xp.sqrt(mag, out=mag)
    val = sums[2]
    val += base[1][:, None]
    val *= _SC2
    val += _SHG * ha_new
    val /= mag * gnorm[:, None]
    dl = sums[0]
    dl *= _SC2
    dl[:, t.write_idx] += _SH2 * xp.maximum(hd_gap, np.float32(0.0))
    xp.sqrt(dl, out=dl)
    open_ = availability(t, c)
    afforded = open_ & (z >= _MIN_LOGIT)
    # a beam where nothing is afforded falls back to every available action
    avail = xp.where(afforded.any(axis=1, keepdims=True), afforded, open_)
    return Expansion(new, ha_new, mag, val, dl, avail, open_)


def advance(t: Tables, c: Array, new_pairs: Array, parent: Array, action: Array) -> Array:
    """Concept blocks of the chosen children: `c[parent]` with action `action`'s touched pairs updated."""
    base = c[parent]
    sel = t.pair_to_action.T[action]  # (M, P) 0/1 pairs of the chosen action
    return base + ((new_pairs[parent] - base[:, t.pair_concept]) * sel) @ t.pair_onehot
