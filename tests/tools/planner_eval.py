"""Evaluate the planner on human web traces (Mind2Web development split).

    python -m tests.tools.planner_eval [--data PATH] [--json OUT] [--size base] [--limit N]

For every step of every task: goal = the task text; state = ONLY the target element's role and text
plus the previous operations, e.g. "Current page: searchbox 'Find a location' visible. Previous: CLICK
[link] 'Deals'". The planner's first action is mapped to a Mind2Web operation through the catalog's
`mind2web` field (HOVER and ENTER fold into CLICK, as Mind2Web scores them) and compared with the human
operation: accuracy, macro-F1 and per-class precision/recall over CLICK/TYPE/SELECT, next to the
always-CLICK and role-rule baselines. The planned sequence is compared with the rest of the human
sequence by normalised edit distance over the same three labels.

No parameter is fitted by an algorithm and nothing is specific to a task or website: the lexicon
(role tags, general "entry" words such as search/from/city and "choice" words such as sort/time/size)
and the catalog's gate weights are general hand-written tables. They were, however, hand-tuned while
reading this development split's errors, so treat these as development figures; the held-out
unseen-website split is the clean test.
Data: Mind2Web (Deng et al., NeurIPS 2023), CC BY 4.0 — see the dataset's README for attribution.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_DATA", "build_state", "default_data", "evaluate", "main", "mind2web_op"]

LABELS = ("CLICK", "TYPE", "SELECT")
_RELATIVE = Path("shared") / "datasets" / "mind2web-actions" / "dev.jsonl"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / _RELATIVE
ENV_DATA = "STRATUS_MIND2WEB"


def default_data() -> Path:
    """`$STRATUS_MIND2WEB`, else the first of `../shared/...` and `../../shared/...` beside the
    checkout that exists (a worktree sits one level deeper than a clone)."""
    env = os.environ.get(ENV_DATA)
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2]
    for up in (root.parent, root.parent.parent):
        if (up / _RELATIVE).is_file():
            return up / _RELATIVE
    return DEFAULT_DATA


PREVIOUS_SHOWN = 3
TARGET_ACCURACY = 0.93
TARGET_MACRO_F1 = 0.85


def mind2web_op(operation: str) -> str:
    """ "TYPE: Boston" -> "TYPE"; HOVER and ENTER fold into CLICK."""
    op = operation.split(":", 1)[0].strip().upper()
    return op if op in ("TYPE", "SELECT") else "CLICK"


def _describe(step: dict[str, Any]) -> str:
    text = " ".join(step["element_text"].split())[:60]
    return f"{step['element_role']} '{text}'" if text else step["element_role"]


def build_state(actions: list[dict[str, Any]], i: int) -> str:
    """State text of step `i` from the element role/text and the previous operations only."""
    cur = actions[i]
    parts = [f"Current page: {_describe(cur)} visible."]
    if i > 0:
        prev = actions[i - 1]
        same = prev["element_role"] == cur["element_role"] and prev["element_text"] == cur["element_text"]
        if same and cur["element_text"].strip() and mind2web_op(prev["operation"]) == "CLICK":
            parts.append("It is focused.")
        shown = actions[max(0, i - PREVIOUS_SHOWN) : i]
        parts.append("Previous: " + "; ".join(f"{mind2web_op(a['operation'])} {_describe(a)}" for a in shown))
    return " ".join(parts)


def role_rule(role: str) -> str:
    if role in ("[textbox]", "[searchbox]"):
        return "TYPE"
    return "SELECT" if role == "[combobox]" else "CLICK"


def _edit(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def _scores(gold: list[str], pred: list[str]) -> dict[str, Any]:
    n = len(gold)
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / n if n else 0.0
    per: dict[str, dict[str, float]] = {}
    f1s = []
    for lab in LABELS:
        tp = sum(g == lab and p == lab for g, p in zip(gold, pred, strict=True))
        fp = sum(g != lab and p == lab for g, p in zip(gold, pred, strict=True))
        fn = sum(g == lab and p != lab for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        f1s.append(f1)
        per[lab] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    return {"accuracy": round(acc, 4), "macro_f1": round(sum(f1s) / len(f1s), 4), "per_class": per}


@dataclass
class _Tally:
    gold: list[str] = field(default_factory=list)
    pred: list[str] = field(default_factory=list)
    rule: list[str] = field(default_factory=list)
    rule_tag: list[str] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, gold: str, pred: str, rule: str, rule_tag: str, edit: float) -> None:
        self.gold.append(gold)
        self.pred.append(pred)
        self.rule.append(rule)
        self.rule_tag.append(rule_tag)
        self.edits.append(edit)
        self.confusion[(gold, pred)] += 1

    def extend(self, other: _Tally) -> None:
        for name in ("gold", "pred", "rule", "rule_tag", "edits"):
            getattr(self, name).extend(getattr(other, name))
        self.confusion.update(other.confusion)

    def report(self) -> dict[str, Any]:
        n = len(self.gold)
        return {
            "steps": n,
            "planner": _scores(self.gold, self.pred),
            "baseline_always_click": _scores(self.gold, ["CLICK"] * n),
            "baseline_role_rule": _scores(self.gold, self.rule),
            "baseline_role_rule_mind2web_tags": _scores(self.gold, self.rule_tag),
            "sequence_normalised_edit_distance": round(sum(self.edits) / n, 4) if n else 0.0,
            "confusion_gold_to_pred": {f"{g}->{p}": c for (g, p), c in sorted(self.confusion.items())},
        }


def _read_role_rule(state_text: str, element_text: str) -> str:
    """The role rule on the role the reader found (the same information the planner gets)."""
    from reference_server.planner._reader import read_state
    from tests.tools.planner_fit import target_of

    e = target_of(read_state(state_text), element_text)
    return role_rule(f"[{e.role}]") if e is not None else "CLICK"


def _run(
    planner: Any,
    tasks: list[tuple[dict[str, Any], list[Any]]],
    renderings: list[tuple[str, int]],
    out: dict[tuple[str, int], _Tally],
    by_site: dict[str, _Tally],
) -> None:
    from tests.tools.planner_formats import render

    to_op = {a.name: a.mind2web for a in planner.catalog.actions}
    for task, steps in tasks:
        acts = task["actions"]
        human_all = [mind2web_op(a["operation"]) for a in acts]
        site = by_site.setdefault(task["website"], _Tally())
        for i, step in enumerate(steps):
            human = human_all[i:]
            rule_tag = role_rule(acts[i]["element_role"])
            for r in renderings:
                text = render(step, *r)
                plan = planner.plan(text, task["task"])
                ops = [to_op[a] for a in plan.action_sequence]
                ref = human[: max(len(ops), 1)]
                edit = _edit(ops, ref) / max(len(ops), len(ref))
                rule = _read_role_rule(text, step.text)
                out.setdefault(r, _Tally()).add(human[0], ops[0], rule, rule_tag, edit)
                site.add(human[0], ops[0], rule, rule_tag, edit)


def evaluate(
    path: Path,
    size: str = "base",
    limit: int | None = None,
    renderings: list[tuple[str, int]] | None = None,
    cv: bool = True,
) -> dict[str, Any]:
    """Plan every step of the traces in `path` in every rendering; return the figures as a dict.

    With `cv` (and at least `FOLDS` websites), each fold's websites are planned with an operation
    model fitted on the other websites only (`planner_fit`, the shipped model's settings), so every figure
    is for websites the model never saw; otherwise the shipped model is used (in-sample)."""
    from reference_server.planner import Planner
    from reference_server.planner._backend import numba_or_none
    from reference_server.planner._opmodel import load_operation_model
    from tests.tools.planner_fit import FOLDS, fit_model, grouped_folds, rows_for, task_steps
    from tests.tools.planner_formats import HELD_OUT, RENDERINGS

    backend = "numba" if numba_or_none() is not None else "numpy"
    planner = Planner(size, backend=backend)
    planner.wait_for_kernels()
    tasks = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if limit is not None:
        tasks = tasks[:limit]
    chosen = list(renderings or RENDERINGS)
    steps = task_steps(tasks)
    websites = sorted({t["website"] for t in tasks})
    shipped = load_operation_model()
    per: dict[tuple[str, int], _Tally] = {}
    by_site: dict[str, _Tally] = {}
    t0 = time.perf_counter()
    cross = cv and len(websites) >= FOLDS
    if cross:
        fitting = [r for r in RENDERINGS if r not in HELD_OUT]
        folds = grouped_folds(websites)
        c, cw = float(shipped.meta.get("C", 1.0)), shipped.meta.get("class_weight")
        for fold, test_idx in enumerate(folds):
            out = {websites[i] for i in test_idx}
            train = [t for t in tasks if t["website"] not in out]
            planner.encoder.use_operation_model(fit_model(rows_for(train, fitting), c, cw))
            _run(planner, [ts for ts in steps if ts[0]["website"] in out], chosen, per, by_site)
            print(
                f"  fold {fold + 1}/{len(folds)}: {len(out)} websites held out", file=sys.stderr, flush=True
            )
        planner.encoder.use_operation_model(shipped)
    else:
        _run(planner, steps, chosen, per, by_site)
    elapsed = time.perf_counter() - t0
    notations: dict[str, _Tally] = {}
    held = _Tally()
    for (notation, phrasing), tally in per.items():
        notations.setdefault(notation, _Tally()).extend(tally)
        if (notation, phrasing) in HELD_OUT:
            held.extend(tally)
    native = per.get(("mind2web", 0)) or next(iter(per.values()))
    res = native.report()
    return {
        "data": str(path),
        "size": size,
        "backend": backend,
        "tasks": len(tasks),
        **res,
        "cross_validated": cross,
        "notations": {n: t.report() for n, t in notations.items()},
        "renderings": {
            f"{n}/{ph}": {**t.report(), "held_out": (n, ph) in HELD_OUT} for (n, ph), t in per.items()
        },
        "held_out_renderings": held.report() if held.gold else None,
        "websites": {w: by_site[w].report() for w in sorted(by_site)},
        "seconds": round(elapsed, 2),
        "fitted": (
            f"operation model: {shipped.meta.get('algorithm', '?')}, C={shipped.meta.get('C')}, "
            f"{'refitted per fold on the other websites' if cross else 'the shipped weights (in-sample)'}; "
            "everything else hand-written"
        ),
    }


def _line(name: str, s: dict[str, Any], flag: bool = True) -> str:
    p, b1, b2 = s["planner"], s["baseline_always_click"], s["baseline_role_rule"]
    per = "  ".join(f"{lab[0]} {p['per_class'][lab]['f1']:.3f}" for lab in LABELS)
    ok = (
        "ok"
        if p["accuracy"] >= max(TARGET_ACCURACY, b2["accuracy"]) and p["macro_f1"] >= TARGET_MACRO_F1
        else "BELOW"
    )
    return (
        f"{name:24}{s['steps']:>7}{p['accuracy']:>9.4f}{p['macro_f1']:>9.4f}   {per}"
        f"{b1['accuracy']:>9.4f}{b1['macro_f1']:>8.4f}{b2['accuracy']:>9.4f}{b2['macro_f1']:>8.4f}"
        + (f"  {ok}" if flag else "")
    )


def print_report(res: dict[str, Any]) -> None:
    mode = "website-grouped CV" if res["cross_validated"] else "shipped model (in-sample)"
    print(f"{res['tasks']} tasks, size {res['size']}, backend {res['backend']}, {mode}, {res['seconds']} s")
    head = (
        f"{'':24}{'steps':>7}{'acc':>9}{'mF1':>9}   {'F1 per class (C/T/S)':<29}"
        f"{'CLICK acc':>9}{'mF1':>8}{'rule acc':>9}{'mF1':>8}"
    )
    print("\nper notation (all phrasings)\n" + head)
    for n, s in res["notations"].items():
        print(_line(n, s))
    print("\nper rendering (* = held out of fitting)\n" + head)
    for n, s in res["renderings"].items():
        print(_line(("* " if s["held_out"] else "  ") + n, s))
    if res["held_out_renderings"]:
        print(_line("held-out renderings", res["held_out_renderings"]))
    print("\nper held-out website (all renderings)\n" + head)
    for w, s in res["websites"].items():
        print(_line(w[:24], s, flag=False))  # a website may lack TYPE or SELECT steps: no target
    accs = [s["planner"]["accuracy"] for s in res["websites"].values()]
    if accs:
        print(f"websites: min accuracy {min(accs):.4f}, median {statistics.median(accs):.4f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--data", type=Path, default=None, help=f"JSONL traces (default ${ENV_DATA} or ../shared/...)"
    )
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this JSON file")
    ap.add_argument("--size", default="base")
    ap.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    ap.add_argument("--renderings", default=None, help="comma-separated notation/phrasing (default: all)")
    ap.add_argument("--no-cv", action="store_true", help="use the shipped model on every website (in-sample)")
    args = ap.parse_args(argv)
    path = args.data or default_data()
    if not path.is_file():
        print(f"Mind2Web traces not found at {path}; pass --data or set ${ENV_DATA}", file=sys.stderr)
        return 2
    chosen = None
    if args.renderings:
        chosen = [(r.split("/")[0], int(r.split("/")[1])) for r in args.renderings.split(",")]
    res = evaluate(path, args.size, args.limit, chosen, cv=not args.no_cv)
    print_report(res)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
