"""Action catalog and concept lexicon, loaded from the JSON data files in `data/`.

The catalog is data, not code: `data/actions.json` lists the 67 rollout actions (ids 0..66) with their
world-model parameters, `data/lexicon.json` the concept vocabulary of the state encoder. This module
turns both into dense/sparse float32 tables once per process.

Sparse transition layout (used by both backends): every action `a` touches a few concepts `k`. Each
touched pair `p = (a, k)` gets one column of `S` (shape `(K + 1, P)`), so that the un-gated change of
concept `k` under action `a` is `[c; 1] @ S[:, p]` (effects, minus consumption, plus constant).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ActionSpec", "Catalog", "Lexicon", "load_catalog", "load_lexicon"]

F32 = npt.NDArray[np.float32]
CATEGORIES = ("retrieval", "navigation", "interaction", "system")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One catalog entry (the public, non-numeric part)."""

    id: int
    name: str
    category: str
    base: str
    mind2web: str
    description: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Concept names plus the state and goal phrase tables of the encoder."""

    concepts: tuple[str, ...]
    negations: frozenset[str]
    state_phrases: dict[str, dict[int, float]]
    goal_phrases: dict[str, dict[int, float]]
    history_phrases: dict[str, dict[int, float]]
    goal_default: dict[int, float]
    max_phrase_len: int
    role_concepts: dict[str, dict[str, float]]
    """Role or `kind:<kind>` -> concept weights an element of it adds (hand-written role semantics)."""
    role_affordances: dict[str, dict[str, float]]
    """`kind:<kind>` -> affordance concepts a control of that kind offers (pages with several)."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """Numeric world-model tables derived from `actions.json` (A actions, K concepts, P touched pairs)."""

    actions: tuple[ActionSpec, ...]
    names: tuple[str, ...]
    gate_w: F32
    """(K, A) gate weights, laid out for `c @ gate_w`."""
    gate_b: F32
    """(A,) gate biases."""
    rho: F32
    """(A,) goal-text write coefficient of each action."""
    pair_action: npt.NDArray[np.int32]
    """(P,) action of each touched pair, sorted by action then concept."""
    pair_concept: npt.NDArray[np.int32]
    """(P,) concept of each touched pair."""
    pair_start: npt.NDArray[np.int32]
    """(A + 1,) CSR offsets of each action's pairs."""
    trans: F32
    """(K + 1, P) un-gated change per pair: `[c; 1] @ trans`."""
    pair_to_action: F32
    """(P, A) 0/1 segment-sum matrix."""
    pair_onehot: F32
    """(P, K) 0/1 scatter matrix."""
    requires: F32
    """(K, A) 0/1: the action needs one of these concepts >= 0.5 (if it has any requirement)."""
    has_requirement: npt.NDArray[np.bool_]
    blocks: F32
    """(K, A) 0/1: the action is unavailable while one of these concepts is >= 0.5."""
    plannable: npt.NDArray[np.bool_]

    @property
    def num_actions(self) -> int:
        return len(self.actions)


def _read(name: str) -> Any:
    return json.loads(resources.files("reference_server.planner").joinpath("data", name).read_text("utf-8"))


def _phrase_table(raw: dict[str, dict[str, float]], index: dict[str, int]) -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for phrase, weights in raw.items():
        key = " ".join(phrase.lower().split())
        out[key] = {index[c]: float(w) for c, w in weights.items()}
    return out


@cache
def load_lexicon() -> Lexicon:
    """Parse `data/lexicon.json` (cached per process)."""
    raw = _read("lexicon.json")
    concepts = tuple(raw["concepts"])
    index = {c: i for i, c in enumerate(concepts)}
    state = _phrase_table(raw["state_phrases"], index)
    goal = _phrase_table(raw["goal_phrases"], index)
    history = _phrase_table(raw["history_phrases"], index)
    longest = max(len(p.split()) for p in [*state, *goal, *history])
    return Lexicon(
        concepts=concepts,
        negations=frozenset(raw["negations"]),
        state_phrases=state,
        goal_phrases=goal,
        history_phrases=history,
        goal_default={index[c]: float(w) for c, w in raw["goal_default"].items()},
        max_phrase_len=longest,
        role_concepts={
            str(role): {c: float(w) for c, w in weights.items()}
            for role, weights in raw.get("role_concepts", {}).items()
        },
        role_affordances={
            str(kind): {c: float(w) for c, w in weights.items()}
            for kind, weights in raw.get("role_affordances", {}).items()
        },
    )


@cache
def load_catalog() -> Catalog:
    """Parse `data/actions.json` into the world-model tables (cached per process)."""
    lex = load_lexicon()
    index = {c: i for i, c in enumerate(lex.concepts)}
    k = len(lex.concepts)
    raw = _read("actions.json")["actions"]
    specs: list[ActionSpec] = []
    n = len(raw)
    gate_w = np.zeros((k, n), np.float32)
    gate_b = np.zeros(n, np.float32)
    rho = np.zeros(n, np.float32)
    requires = np.zeros((k, n), np.float32)
    blocks = np.zeros((k, n), np.float32)
    plannable = np.zeros(n, np.bool_)
    pairs: list[tuple[int, int, dict[int, float]]] = []  # (action, concept, {source_row: weight})
    for a, entry in enumerate(raw):
        if entry["id"] != a:
            raise ValueError(f"actions.json: entry {a} has id {entry['id']}; ids must be 0..A-1 in order")
        if entry["category"] not in CATEGORIES:
            raise ValueError(f"actions.json: {entry['name']!r} has unknown category {entry['category']!r}")
        specs.append(
            ActionSpec(
                a, entry["name"], entry["category"], entry["base"], entry["mind2web"], entry["description"]
            )
        )
        gate_b[a] = entry["gate"]["bias"]
        for c, w in entry["gate"]["weights"].items():
            gate_w[index[c], a] = w
        rho[a] = entry["write_goal_text"]
        for c in entry["requires_any"]:
            requires[index[c], a] = 1.0
        for c in entry["blocked_by"]:
            blocks[index[c], a] = 1.0
        plannable[a] = entry["plannable"]
        rows: dict[int, dict[int, float]] = {}
        for target, source, w in entry["effects"]:
            row = k if source == "1" else index[source]
            col = rows.setdefault(index[target], {})
            col[row] = col.get(row, 0.0) + float(w)
        for c, kappa in entry["consumes"].items():
            col = rows.setdefault(index[c], {})
            col[index[c]] = col.get(index[c], 0.0) - float(kappa)
        pairs.extend((a, t, rows[t]) for t in sorted(rows))
    p = len(pairs)
    trans = np.zeros((k + 1, p), np.float32)
    pair_action = np.zeros(p, np.int32)
    pair_concept = np.zeros(p, np.int32)
    for j, (a, t, col) in enumerate(pairs):
        pair_action[j] = a
        pair_concept[j] = t
        for row, w in col.items():
            trans[row, j] = w
    pair_start = np.searchsorted(pair_action, np.arange(n + 1)).astype(np.int32)
    pair_to_action = np.zeros((p, n), np.float32)
    pair_to_action[np.arange(p), pair_action] = 1.0
    pair_onehot = np.zeros((p, k), np.float32)
    pair_onehot[np.arange(p), pair_concept] = 1.0
    names = tuple(s.name for s in specs)
    if len(set(names)) != len(names):
        raise ValueError("actions.json: action names must be unique")
    return Catalog(
        actions=tuple(specs),
        names=names,
        gate_w=gate_w,
        gate_b=gate_b,
        rho=rho,
        pair_action=pair_action,
        pair_concept=pair_concept,
        pair_start=pair_start,
        trans=trans,
        pair_to_action=pair_to_action,
        pair_onehot=pair_onehot,
        requires=requires,
        has_requirement=requires.sum(axis=0) > 0,
        blocks=blocks,
        plannable=plannable,
    )
