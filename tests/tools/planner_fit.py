"""Fit the operation model on the Mind2Web development split (a developer tool, not used at run time).

    python -m tests.tools.planner_fit [--data PATH] [--out reference_server/planner/data/operation_model.json]

Needs scikit-learn (in the `[dev]` extra); the server only reads the JSON it writes.

Recipe (the same every time, so a refit on the same data gives the same file):

1. Every step of every task is rendered in each fitting rendering of `planner_formats.RENDERINGS` (all but
   `planner_formats.HELD_OUT`) and read back with `_reader.read_state`; the features of the target element
   (`_opmodel.features`) are one row, labelled with the human operation (CLICK/TYPE/SELECT, HOVER and
   ENTER folded into CLICK). Rows of one step share its website and weigh 1/(number of renderings),
   so every step counts once.
2. Multinomial logistic regression (scikit-learn `LogisticRegression`, lbfgs, L2), binary features.
   The inverse regularisation `C` and the class weighting are chosen by 5-fold cross-validation
   grouped by website (`GroupKFold`: no website is in both the training and the test part of a fold),
   scoring the mean of accuracy and macro-F1 on the held-out websites.
3. Refit on every website with the chosen settings; weights rounded to 1e-5, features whose three
   weights all round to 0 dropped, keys sorted; written with the settings, the CV figures and the
   data's SHA-256 in `meta`.

Data: Mind2Web (Deng et al., NeurIPS 2023), CC BY 4.0, https://osu-nlp-group.github.io/Mind2Web/ —
only the fitted weights are shipped, see `data/operation_model.json`'s `meta.attribution`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_server.planner._elements import Element, PageState
from reference_server.planner._opmodel import LABELS, OperationModel, data_path, features
from reference_server.planner._reader import read_state
from tests.tools.planner_formats import HELD_OUT, RENDERINGS, Step, render, steps_of

__all__ = ["Row", "fit_model", "grouped_folds", "main", "rows_for", "target_of"]

C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0)
CLASS_WEIGHTS = (None, "balanced")
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Row:
    feats: tuple[str, ...]
    label: str
    website: str
    rendering: tuple[str, int]
    weight: float


def op_label(operation: str) -> str:
    op = operation.split(":", 1)[0].strip().upper()
    return op if op in ("TYPE", "SELECT") else "CLICK"


def target_of(state: PageState, text: str) -> Element | None:
    """The element a one-element rendering is about: the candidate named like the step, else the
    last candidate."""
    cands = [e for e in state.elements if e.actionable]
    low = text.lower()
    for e in cands:
        if e.name.lower() == low:
            return e
    return cands[-1] if cands else None


def row_features(state: PageState, text: str) -> tuple[str, ...]:
    e = target_of(state, text)
    return features(e, state.history) if e is not None else ("no_element",)


def load_tasks(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def task_steps(tasks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[Step]]]:
    return [(t, steps_of(t["actions"], f"{t['website']}|{n}")) for n, t in enumerate(tasks)]


def rows_for(tasks: list[dict[str, Any]], renderings: list[tuple[str, int]]) -> list[Row]:
    out = []
    w = 1.0 / len(renderings)
    for task, steps in task_steps(tasks):
        for act, step in zip(task["actions"], steps, strict=True):
            label = op_label(act["operation"])
            for r in renderings:
                state = read_state(render(step, *r))
                out.append(Row(row_features(state, step.text), label, task["website"], r, w))
    return out


def grouped_folds(websites: list[str], k: int = FOLDS) -> list[list[int]]:
    """Fold number -> indices of the tasks held out, grouped by website (scikit-learn `GroupKFold`)."""
    from sklearn.model_selection import GroupKFold

    idx = list(range(len(websites)))
    return [list(test) for _, test in GroupKFold(n_splits=k).split(idx, groups=websites)]


def fit_model(
    rows: list[Row], c: float, class_weight: str | None, meta: dict[str, Any] | None = None
) -> OperationModel:
    """Multinomial logistic regression on `rows` -> an `OperationModel` (weights rounded to 1e-5)."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([dict.fromkeys(r.feats, 1.0) for r in rows])
    y = np.array([LABELS.index(r.label) for r in rows])
    sw = np.array([r.weight for r in rows])
    lr = LogisticRegression(C=c, class_weight=class_weight, max_iter=5000, tol=1e-8)
    lr.fit(x, y, sample_weight=sw)
    coef = np.zeros((3, x.shape[1]))
    coef[lr.classes_] = lr.coef_
    icpt = np.full(3, -30.0)  # a label never seen in training is never predicted
    icpt[lr.classes_] = lr.intercept_
    weights: dict[str, tuple[float, float, float]] = {}
    for j, name in enumerate(vec.get_feature_names_out()):
        w0, w1, w2 = (round(float(v), 5) + 0.0 for v in coef[:, j])
        if w0 or w1 or w2:
            weights[str(name)] = (w0, w1, w2)
    b0, b1, b2 = (round(float(v), 5) + 0.0 for v in icpt)
    return OperationModel(
        (b0, b1, b2),
        dict(sorted(weights.items())),
        meta or {},
    )


def predict(model: OperationModel, rows: list[Row]) -> list[str]:
    out = []
    for r in rows:
        p = model.probabilities(r.feats)
        out.append(LABELS[max(range(3), key=lambda i: (p[i], -i))])
    return out


def scores(gold: list[str], pred: list[str]) -> tuple[float, float]:
    n = len(gold)
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0
    f1s = []
    for lab in LABELS:
        tp = sum(g == lab == p for g, p in zip(gold, pred, strict=True))
        fp = sum(p == lab != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == lab != p for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return acc, sum(f1s) / len(f1s)


def cross_validate(
    tasks: list[dict[str, Any]], rows: list[Row], c: float, cw: str | None
) -> tuple[float, float]:
    websites = sorted({t["website"] for t in tasks})
    folds = grouped_folds(websites)
    gold: list[str] = []
    pred: list[str] = []
    for held in folds:
        out = {websites[i] for i in held}
        train = [r for r in rows if r.website not in out]
        test = [r for r in rows if r.website in out]
        m = fit_model(train, c, cw)
        gold += [r.label for r in test]
        pred += predict(m, test)
    return scores(gold, pred)


def to_json(model: OperationModel) -> str:
    doc: dict[str, Any] = {
        "labels": list(LABELS),
        "intercept": list(model.intercept),
        "meta": model.meta,
        "weights": {k: list(v) for k, v in model.weights.items()},
    }
    lines = [
        "{",
        f'  "labels": {json.dumps(doc["labels"])},',
        f'  "intercept": {json.dumps(doc["intercept"])},',
    ]
    lines.append(f'  "meta": {json.dumps(doc["meta"], sort_keys=True, ensure_ascii=False)},')
    lines.append('  "weights": {')
    items = list(doc["weights"].items())
    for i, (k, v) in enumerate(items):
        lines.append(
            f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" + ("," if i < len(items) - 1 else "")
        )
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from tests.tools.planner_eval import ENV_DATA, default_data

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--data", type=Path, default=None, help=f"Mind2Web JSONL (default ${ENV_DATA} or the shared copy)"
    )
    ap.add_argument("--out", type=Path, default=data_path())
    args = ap.parse_args(argv)
    path = args.data or default_data()
    if not path.is_file():
        print(f"Mind2Web traces not found at {path}; pass --data or set ${ENV_DATA}", file=sys.stderr)
        return 2
    tasks = load_tasks(path)
    fitting = [r for r in RENDERINGS if r not in HELD_OUT]
    rows = rows_for(tasks, fitting)
    print(f"{len(tasks)} tasks, {len(rows)} rows from {len(fitting)} renderings", flush=True)
    best: tuple[float, float, str | None, tuple[float, float]] | None = None
    grid = {}
    for cw in CLASS_WEIGHTS:
        for c in C_GRID:
            acc, f1 = cross_validate(tasks, rows, c, cw)
            grid[f"C={c},class_weight={cw}"] = {"accuracy": round(acc, 4), "macro_f1": round(f1, 4)}
            print(f"  C={c:<5} class_weight={cw!s:9} CV accuracy {acc:.4f} macro-F1 {f1:.4f}", flush=True)
            score = (acc + f1) / 2
            if best is None or score > best[0] + 1e-9:
                best = (score, c, cw, (acc, f1))
    assert best is not None
    _, c, cw, (acc, f1) = best
    meta = {
        "fitted_by": "python -m tests.tools.planner_fit",
        "algorithm": "multinomial logistic regression (scikit-learn LogisticRegression, lbfgs, L2)",
        "C": c,
        "class_weight": cw,
        "selection": f"{FOLDS}-fold cross-validation grouped by website (GroupKFold), mean of accuracy and macro-F1",
        "cv_accuracy": round(acc, 4),
        "cv_macro_f1": round(f1, 4),
        "grid": grid,
        "renderings": [f"{n}/{p}" for n, p in fitting],
        "rows": len(rows),
        "tasks": len(tasks),
        "data_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "attribution": "Fitted on Mind2Web (Deng et al., NeurIPS 2023), CC BY 4.0, https://osu-nlp-group.github.io/Mind2Web/",
    }
    model = fit_model(rows, c, cw, meta)
    args.out.write_text(to_json(model), "utf-8")
    print(
        f"chose C={c} class_weight={cw}: CV accuracy {acc:.4f}, macro-F1 {f1:.4f}; {len(model.weights)} features -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
