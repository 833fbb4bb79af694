"""`Planner`: ties encoder, world model, search and policy head together; one instance per size."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from reference_server.planner._backend import (
    PlannerBackendError,
    cupy_or_none,
    numba_or_none,
    resolve_backend,
)
from reference_server.planner._batcher import MicroBatcher
from reference_server.planner._cachekey import LONG_TEXT_UNCACHED, entries_for, text_key
from reference_server.planner._catalog import Catalog, load_catalog
from reference_server.planner._encoder import S_C, S_G, Encoder
from reference_server.planner._intent import conversation_kind
from reference_server.planner._policy import (
    BETA,
    confidence_label,
    conversation_plan,
    make_plan,
    masked_softmax,
    softmax_at,
)
from reference_server.planner._search import SearchParams, SearchResult, beam_search, goal_tiles
from reference_server.planner._types import (
    Plan,
    Rollout,
    RolloutAction,
    RolloutPrediction,
    RolloutState,
    RolloutSummary,
)
from reference_server.planner._world_model import (
    C2_ROW,
    CG_ROW,
    Tables,
    advance,
    concept_sums,
    expand,
    magnitude,
    value,
)

__all__ = ["SIZES", "Planner", "PlannerBackendError", "SizeConfig", "backend_info", "get_planner"]

SIZES = ("small", "base", "large", "xl", "huge")
MAX_ROLLOUT_STEPS = 50
GPU_MIN_BATCH = 32
_GOAL_CACHE_LIMIT = 16384
_GOAL_TILES_LIMIT = 512
"""Below this many requests `plan_batch` stays on the CPU even with the CuPy backend."""


@dataclass(frozen=True, slots=True)
class SizeConfig:
    dim: int
    beam: int
    depth: int


SIZE_CONFIG = {
    "small": SizeConfig(512, 2, 3),
    "base": SizeConfig(768, 4, 4),
    "large": SizeConfig(1024, 6, 5),
    "xl": SizeConfig(1280, 8, 5),
    "huge": SizeConfig(1536, 12, 6),
}


def _magnitude_band(m: float) -> str:
    return "very high" if m > 20 else "high" if m > 15 else "medium" if m >= 10 else "low"


def _change_band(d: float) -> str:
    return "Major" if d > 15 else "Significant" if d > 10 else "Moderate" if d >= 5 else "Minor"


def _outcome(total: float) -> str:
    return (
        "Goal likely achieved"
        if total > 20
        else "Significant progress"
        if total >= 10
        else "Minimal progress"
    )


class Planner:
    """World-model planner of one size on one backend. Thread-safe; use `get_planner(size)`."""

    def __init__(self, size: str = "base", backend: str | None = None) -> None:
        if size not in SIZE_CONFIG:
            raise ValueError(f"unknown planner size {size!r}; expected one of: {', '.join(SIZES)}")
        self.size = size
        self.config = SIZE_CONFIG[size]
        self.backend, self.device = resolve_backend(backend)
        self.catalog: Catalog = load_catalog()
        self._wait = self.catalog.names.index("wait")
        self.encoder = Encoder(self.config.dim)
        self.params = SearchParams(beam=self.config.beam, depth=self.config.depth)
        self._cpu = Tables.build(np, self.catalog)
        self._gpu: Tables | None = None
        self._kernels: Any = None
        if self.backend == "cupy":
            from reference_server.planner import _kernels

            cp = cupy_or_none()
            self._gpu = Tables.build(cp, self.catalog)
            self._kernels = _kernels.make_expand(self._gpu)
        # numba CPU kernels (the numba backend, and CuPy's CPU requests): set once they are compiled
        self._jit_ready: threading.Event | None = None
        self._jit_searches: dict[SearchParams, Any] = {}
        if self.backend != "numpy" and numba_or_none() is not None:
            from reference_server.planner import _jit

            self._jit_ready = _jit.compile_in_background(self._cpu)
        self._batcher: Any = None
        self._lock = threading.Lock()
        self._goals: dict[
            str | bytes, tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], np.float32]
        ] = {}
        self._goal_tiles: dict[str | bytes, tuple[Any, Any]] = {}
        self._goals_limit = min(_GOAL_CACHE_LIMIT, entries_for(4 * self.config.dim + 3 * 112))

    def wait_for_kernels(self, timeout: float | None = None) -> bool:
        """Block until the numba kernels are compiled (True), or say there are none to wait for (False).
        Until then `plan` runs the NumPy search, which gives the same results."""
        if self._jit_ready is None:
            return False
        from reference_server.planner import _jit

        return _jit.wait(timeout)

    @property
    def dim(self) -> int:
        return self.config.dim

    # -- encoding -------------------------------------------------------------------------------
    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """State-encoder embeddings, float32 `(len(texts), dim)`; L2 norm on the 0..25 magnitude scale."""
        return self.encoder.embed(texts)

    def _goal(self, goal: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], np.float32]:
        """Encoded goal: concept block `c_g` (K,), hashed block `h_g`, and `||g||` (cached per text)."""
        key = text_key(goal)
        hit = self._goals.get(key)
        if hit is None:
            g = self.encoder.encode_goal(goal)
            cg = g.c[None, :]
            gnorm = np.sqrt(np.float32(S_C * S_C) * (cg * cg).sum(axis=1) + np.float32(S_G * S_G))
            hit = (g.c, g.h, gnorm.astype(np.float32)[0])
            if len(goal) <= LONG_TEXT_UNCACHED:
                if len(self._goals) >= self._goals_limit:
                    self._goals.clear()
                self._goals[key] = hit
        return hit

    def _inputs(self, pairs: list[tuple[str, str]]) -> tuple[Any, ...]:
        if len(pairs) == 1:  # one request: views of the cached encodings, no copies
            state, goal = pairs[0]
            s = self.encoder.encode_state(state)
            cg1, hg, gn = self._goal(goal)
            return s.c[None, :], np.dot(s.h, hg).reshape(1), cg1[None, :], gn.reshape(1)
        k = self.encoder.k
        r = len(pairs)
        c0 = np.empty((r, k), np.float32)
        cg = np.empty((r, k), np.float32)
        ha0 = np.empty(r, np.float32)
        gnorm = np.empty(r, np.float32)
        for i, (state, goal) in enumerate(pairs):
            s = self.encoder.encode_state(state)
            c0[i] = s.c
            cg[i], hg, gnorm[i] = self._goal(goal)
            ha0[i] = np.dot(s.h, hg)
        return c0, ha0, cg, gnorm

    # -- planning -------------------------------------------------------------------------------
    def _search(self, pairs: list[tuple[str, str]], params: SearchParams, gpu: bool) -> SearchResult:
        return self._search_encoded(pairs, self._inputs(pairs), params, gpu)

    def _search_encoded(
        self, pairs: list[tuple[str, str]], inputs: tuple[Any, ...], params: SearchParams, gpu: bool
    ) -> SearchResult:
        c0, ha0, cg, gnorm = inputs
        if gpu and self._gpu is not None:
            xp = self._gpu.xp
            k = self._kernels
            return beam_search(
                self._gpu,
                xp.asarray(c0),
                xp.asarray(ha0),
                xp.asarray(cg),
                xp.asarray(gnorm),
                params,
                k.expand_tiled,
                k.topk,
            )
        if self._jit_ready is not None and self._jit_ready.is_set():
            return self._search_jit(params, c0, ha0, cg, gnorm)
        goals = None
        if len(pairs) == 1 and params == self.params:  # the goal's tiles, cached per goal text
            goal = text_key(pairs[0][1])
            goals = self._goal_tiles.get(goal)
            if goals is None:
                goals = goal_tiles(self._cpu, cg, gnorm, params.beam)
                if len(pairs[0][1]) <= LONG_TEXT_UNCACHED:
                    if len(self._goal_tiles) >= _GOAL_TILES_LIMIT:
                        self._goal_tiles.clear()
                    self._goal_tiles[goal] = goals
        return beam_search(self._cpu, c0, ha0, cg, gnorm, params, goals=goals)

    def _search_jit(self, params: SearchParams, c0: Any, ha0: Any, cg: Any, gnorm: Any) -> SearchResult:
        """The numba search, one request at a time (the same results as the NumPy search, bit for bit)."""
        search = self._jit_search(params).search
        r_n = c0.shape[0]
        a_n = self._cpu.num_actions
        cgp = cg.take(self._cpu.pair_concept, axis=1)
        q = np.empty((r_n, a_n), np.float32)
        root_avail = np.empty((r_n, a_n), np.bool_)
        v0 = np.empty(r_n, np.float32)
        mag0 = np.empty(r_n, np.float32)
        actions, deltas, mags, values = [], [], [], []
        for r in range(r_n):
            seq, trace, q[r], root_avail[r], v0[r], mag0[r] = search(c0[r], ha0[r], cg[r], cgp[r], gnorm[r])
            actions.append(seq.tolist())
            d, m, v = trace.tolist()
            deltas.append(d)
            mags.append(m)
            values.append(v)
        return SearchResult(actions, mags, deltas, values, q, root_avail, v0, mag0)

    def _jit_search(self, params: SearchParams) -> Any:
        """The kernels' packed tables for `params` (the planner's own, and one per rollout depth)."""
        got = self._jit_searches.get(params)
        if got is None:
            from reference_server.planner._jit import JitSearch

            got = self._jit_searches[params] = JitSearch.build(self._cpu, params)
        return got

    def _plans(self, res: SearchResult, elapsed_ms: float, goals: list[str], gpu: bool = False) -> list[Plan]:
        out = []
        probs_all = None
        if gpu and self._kernels is not None:  # policy head on the device, one thread per request
            xp = self._kernels.cp
            probs_all = self._kernels.softmax(xp.asarray(res.q), xp.asarray(res.root_avail), BETA).get()
        for r, actions in enumerate(res.actions):
            if conversation_kind(goals[r]) is not None:  # conversation: no page action is wanted
                n_open = int(np.count_nonzero(res.root_avail[r]))
                out.append(
                    conversation_plan(
                        self.catalog.names,
                        self._wait,
                        float(res.mag0[r]),
                        float(res.v0[r]),
                        n_open,
                        elapsed_ms,
                    )
                )
                continue
            conf = softmax_at(res.q[r], actions[0]) if probs_all is None else float(probs_all[r, actions[0]])
            out.append(
                make_plan(
                    self.catalog.names,
                    actions,
                    res.mags[r],
                    res.deltas[r],
                    res.values[r],
                    conf,
                    float(res.v0[r]),
                    self.params.tau_goal,
                    elapsed_ms,
                )
            )
        return out

    def plan(self, state: str, goal: str) -> Plan:
        """Plan for one request (CPU path). `state` = system message text (may be ""), `goal` = user text."""
        t0 = time.perf_counter_ns()
        res = self._search([(state, goal)], self.params, gpu=False)
        return self._plans(res, (time.perf_counter_ns() - t0) / 1e6, [goal])[0]

    def plan_batch(self, pairs: list[tuple[str, str]]) -> list[Plan]:
        """Plan many requests in one batched search (on the GPU when the backend is CuPy and the batch
        is large enough). Each plan's `planning_time_ms` is the wall time of the batch."""
        if not pairs:
            return []
        t0 = time.perf_counter_ns()
        gpu = self._kernels is not None and len(pairs) >= GPU_MIN_BATCH
        res = self._search(list(pairs), self.params, gpu=gpu)
        return self._plans(res, (time.perf_counter_ns() - t0) / 1e6, [g for _, g in pairs], gpu)

    # -- micro-batching -------------------------------------------------------------------------
    def submit(self, state: str, goal: str) -> Future[Plan]:
        """Queue one request for the micro-batcher (requests arriving within ~1 ms share one batch)."""
        if self._batcher is None:
            with self._lock:
                if self._batcher is None:
                    self._batcher = MicroBatcher(self.plan_batch)
        batcher: MicroBatcher = self._batcher
        return batcher.submit(state, goal)

    async def plan_async(self, state: str, goal: str) -> Plan:
        """`plan` for async servers: micro-batched on the GPU backend, a direct call on NumPy."""
        if self._kernels is None:
            return self.plan(state, goal)
        return await asyncio.wrap_future(self.submit(state, goal))

    # -- rollout --------------------------------------------------------------------------------
    def _action(self, step: int, a: int) -> RolloutAction:
        spec = self.catalog.actions[a]
        return RolloutAction(step=step, action_id=a, action_name=spec.name, action_category=spec.category)

    def rollout(
        self,
        goal: str,
        *,
        max_steps: int = 5,
        actions: list[int] | None = None,
        initial_state: str | None = None,
    ) -> Rollout:
        """Simulate a plan (or the explicit `actions`) from `initial_state` (default "Goal: <goal>\\nStep: 1")."""
        n_act = self.catalog.num_actions
        if (
            isinstance(max_steps, bool)
            or not isinstance(max_steps, int)
            or not 1 <= max_steps <= MAX_ROLLOUT_STEPS
        ):
            raise ValueError(f"max_steps must be an integer from 1 to {MAX_ROLLOUT_STEPS}, got {max_steps!r}")
        if actions is not None:
            if not actions:
                raise ValueError("actions must be a non-empty list of action ids (omit it to plan)")
            bad = [a for a in actions if isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < n_act]
            if bad:
                raise ValueError(f"invalid action id(s) {bad}: action ids are integers from 0 to {n_act - 1}")
        init = initial_state if initial_state is not None else f"Goal: {goal}\nStep: 1"
        inputs = c0, ha0, cg, gnorm = self._inputs([(init, goal)])
        if actions is None:
            params = SearchParams(beam=self.config.beam, depth=max_steps)
            ids = self._search_encoded([(init, goal)], inputs, params, gpu=False).actions[0]
        else:
            ids = list(actions)
        t = self._cpu
        c, ha = c0, ha0
        base = concept_sums(t, c0, cg)  # then each step's own sums, as the search carries them
        preds: list[RolloutPrediction] = []
        mag_prev = float(magnitude(base)[0])
        v_prev = float(value(base, ha0, gnorm)[0])
        for step, a in enumerate(ids, start=1):
            ex = expand(t, c, ha, cg, gnorm, base)
            probs = masked_softmax((ex.value[0] - v_prev) - np.float32(self.params.lam), ex.open_[0])
            mag, delta, val = float(ex.mag[0, a]), float(ex.delta[0, a]), float(ex.value[0, a])
            act = self._action(step, a)
            preds.append(
                RolloutPrediction(
                    step=step,
                    action=act,
                    current_state=RolloutState(
                        step=step - 1,
                        magnitude=round(mag_prev, 4),
                        confidence=confidence_label(round(mag_prev, 4)),
                    ),
                    predicted_state=RolloutState(
                        step=step, magnitude=round(mag, 4), confidence=confidence_label(round(mag, 4))
                    ),
                    state_change=round(delta, 4),
                    interpretation=(
                        f"{_change_band(delta)} state change after {act.action_name}; predicted state magnitude "
                        f"{_magnitude_band(mag)} ({mag:.2f})"
                    ),
                    brain_confidence=round(float(probs[a]), 6),
                    brain_goal_proximity=round(min(1.0, max(-1.0, val)), 6),
                )
            )
            c = advance(t, c, ex.diff, np.zeros(1, np.int64), np.asarray([a]))
            ha = ex.ha[:, a].copy()
            base = ex.out[C2_ROW : CG_ROW + 1, :, a].copy()
            mag_prev, v_prev = mag, val
        total = round(sum(p.state_change for p in preds), 4)
        return Rollout(
            goal=goal,
            initial_state=init,
            action_sequence=[p.action for p in preds],
            predictions=preds,
            summary=RolloutSummary(
                total_steps=len(preds),
                initial_magnitude=preds[0].current_state.magnitude,
                final_magnitude=preds[-1].predicted_state.magnitude,
                total_state_change=total,
                outcome=_outcome(total),
                planner="brain",
                action_path=[p.action.action_name for p in preds],
            ),
        )


_PLANNERS: dict[tuple[str, str], Planner] = {}
_PLANNERS_LOCK = threading.Lock()


def get_planner(size: str = "base", backend: str | None = None) -> Planner:
    """The cached planner for `size` on `backend` (`auto|numpy|numba|cupy`; `None` is `auto`)."""
    backend, _ = resolve_backend(backend)
    key = (size, backend)
    p = _PLANNERS.get(key)
    if p is None:
        with _PLANNERS_LOCK:
            p = _PLANNERS.get(key)
            if p is None:
                p = _PLANNERS[key] = Planner(size, backend)
    return p


def backend_info(backend: str | None = None) -> dict[str, object]:
    """Planner facts for `GET /health` (`brain` object) on `backend` (`None` is `auto`)."""
    backend, device = resolve_backend(backend)
    cat = load_catalog()
    return {
        "backend": backend,
        "device": device,
        "num_actions": cat.num_actions,
        "num_concepts": int(cat.gate_w.shape[0]),
        "random_baseline_nats": round(float(np.log(cat.num_actions)), 4),
        "sizes": {s: {"dim": c.dim, "beam": c.beam, "depth": c.depth} for s, c in SIZE_CONFIG.items()},
        "policy_beta": BETA,
    }
