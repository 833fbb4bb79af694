"""Operation model: how likely an element is to be clicked, typed into or selected from.

A multinomial logistic regression over features of the element model (role, kind, tag, input type,
name words, value, focus) and of the previous actions (last operation, whether it acted on the same
element). The weights are fitted, not hand-set: `python -m tests.tools.planner_fit` fits them on
the Mind2Web development split with cross-validation grouped by website and writes
`data/operation_model.json` (see that module for the recipe). At run time this is a sum of the
weights of the features present and a softmax in float64, so the result is deterministic and needs
NumPy-free pure Python only.

The encoder turns the probabilities into the world model's affordance concepts (`text_field`,
`dropdown`, `clickable`); everything else the planner knows about roles stays hand-written in
`_elements`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from reference_server.planner._elements import Element, PastAction

__all__ = ["LABELS", "OperationModel", "features", "load_operation_model"]

LABELS = ("CLICK", "TYPE", "SELECT")
MAX_NAME_WORDS = 10
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_KEEP_ATTRS = frozenset({"autocomplete", "aria-autocomplete", "aria-haspopup", "list", "multiple", "href"})


def _word(w: str) -> str:
    if w.isdigit():
        return "<num>"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def name_words(name: str) -> list[str]:
    """The first `MAX_NAME_WORDS` words of a name, lowercased, numbers as `<num>`, plural s dropped."""
    return [_word(w) for w in _WORD_RE.findall(name.lower()[:160])[:MAX_NAME_WORDS]]


def features(e: Element, history: tuple[PastAction, ...]) -> tuple[str, ...]:
    """The feature names of element `e` after `history` (order-free; duplicates removed)."""
    kind = e.kind or "none"
    f = [f"role={e.role or 'none'}", f"kind={kind}"]
    if e.tag and e.tag != e.role:
        f.append(f"tag={e.tag}")
    if e.input_type:
        f.append(f"type={e.input_type}")
    words = name_words(e.name)
    if words:
        f.extend(f"w={w}" for w in dict.fromkeys(words))
        f.append(f"nwords={min(len(words), 4)}")
    else:
        f.append("noname")
    if e.value:
        f.append("has_value")
    if e.focused:
        f.append("focused")
    f.extend(f"attr={k}" for k, _ in e.attrs if k in _KEEP_ATTRS)
    last = history[-1] if history else None
    if last is None:
        f.append("first")
    else:
        f.append(f"prev={last.op}")
        f.append(f"kind={kind}&prev={last.op}")
        if last.element is not None and last.element.kind:
            f.append(f"prev_kind={last.element.kind}")
        if e.same_as(last.element):
            f.append(f"prev_same={last.op}")
            f.append(f"kind={kind}&prev_same={last.op}")
        elif any(e.same_as(a.element) for a in history[:-1]):
            f.append("seen_before")
    return tuple(dict.fromkeys(f))


@dataclass(frozen=True, slots=True)
class OperationModel:
    """Fitted weights: `intercept` and per-feature weights, one per label of `LABELS`."""

    intercept: tuple[float, float, float]
    weights: dict[str, tuple[float, float, float]]
    meta: dict[str, Any]

    def probabilities(self, feats: tuple[str, ...]) -> tuple[float, float, float]:
        """P(CLICK), P(TYPE), P(SELECT): softmax of the summed weights, in float64, features summed in
        the order given (`features` returns them in a fixed order)."""
        s0, s1, s2 = self.intercept
        w = self.weights
        for name in feats:
            got = w.get(name)
            if got is not None:
                s0 += got[0]
                s1 += got[1]
                s2 += got[2]
        m = max(s0, s1, s2)
        e0, e1, e2 = math.exp(s0 - m), math.exp(s1 - m), math.exp(s2 - m)
        total = e0 + e1 + e2
        return e0 / total, e1 / total, e2 / total

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> OperationModel:
        if list(doc["labels"]) != list(LABELS):
            raise ValueError(f"operation model labels {doc['labels']} != {list(LABELS)}")
        weights = {str(k): (float(v[0]), float(v[1]), float(v[2])) for k, v in doc["weights"].items()}
        b = doc["intercept"]
        return cls((float(b[0]), float(b[1]), float(b[2])), weights, dict(doc.get("meta", {})))


DATA_NAME = "operation_model.json"


def data_path() -> Path:
    """Where the fitted weights live in the source tree (the refit command writes here)."""
    return Path(__file__).with_name("data") / DATA_NAME


@cache
def load_operation_model() -> OperationModel:
    """The shipped fitted model (`data/operation_model.json`), parsed once per process."""
    raw = resources.files("reference_server.planner").joinpath("data", DATA_NAME).read_text("utf-8")
    return OperationModel.from_json(json.loads(raw))
