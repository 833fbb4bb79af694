"""Evaluate the planner on human web traces (Mind2Web development split).

    python -m reference_server.planner._evaluate [--data PATH] [--json OUT] [--size base] [--limit N]

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
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_DATA", "build_state", "evaluate", "main", "mind2web_op"]

LABELS = ("CLICK", "TYPE", "SELECT")
DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "mind2web-actions" / "dev.jsonl"
)
ENV_DATA = "STRATUS_MIND2WEB"
PREVIOUS_SHOWN = 3


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


def evaluate(path: Path, size: str = "base", limit: int | None = None) -> dict[str, Any]:
    """Run the planner over every step of the traces in `path`; return the figures as a dict."""
    from reference_server.planner import get_planner

    planner = get_planner(size)
    to_op = {a.name: a.mind2web for a in planner.catalog.actions}
    tasks = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if limit is not None:
        tasks = tasks[:limit]
    gold: list[str] = []
    pred: list[str] = []
    rule: list[str] = []
    confusion: Counter[tuple[str, str]] = Counter()
    edits: list[float] = []
    t0 = time.perf_counter()
    for task in tasks:
        acts = task["actions"]
        for i, step in enumerate(acts):
            plan = planner.plan(build_state(acts, i), task["task"])
            ops = [to_op[a] for a in plan.action_sequence]
            human = [mind2web_op(a["operation"]) for a in acts[i:]]
            g = human[0]
            gold.append(g)
            pred.append(ops[0])
            rule.append(role_rule(step["element_role"]))
            confusion[(g, ops[0])] += 1
            ref = human[: max(len(ops), 1)]
            edits.append(_edit(ops, ref) / max(len(ops), len(ref)))
    elapsed = time.perf_counter() - t0
    return {
        "data": str(path),
        "size": size,
        "tasks": len(tasks),
        "steps": len(gold),
        "planner": _scores(gold, pred),
        "baseline_always_click": _scores(gold, ["CLICK"] * len(gold)),
        "baseline_role_rule": _scores(gold, rule),
        "sequence_normalised_edit_distance": round(sum(edits) / len(edits), 4) if edits else 0.0,
        "confusion_gold_to_pred": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
        "seconds": round(elapsed, 2),
        "fitted": (
            "nothing algorithmically; general lexicon and gate weights hand-tuned while reading dev-split errors"
        ),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--data", type=Path, default=None, help=f"JSONL traces (default ${ENV_DATA} or {DEFAULT_DATA})"
    )
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this JSON file")
    ap.add_argument("--size", default="base")
    ap.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    args = ap.parse_args(argv)
    path = args.data or Path(os.environ.get(ENV_DATA) or DEFAULT_DATA)
    if not path.is_file():
        print(f"Mind2Web traces not found at {path}; pass --data or set ${ENV_DATA}", file=sys.stderr)
        return 2
    res = evaluate(path, args.size, args.limit)
    p, b1, b2 = res["planner"], res["baseline_always_click"], res["baseline_role_rule"]
    print(f"{res['tasks']} tasks, {res['steps']} steps, size {res['size']}, {res['seconds']} s")
    print(f"{'':22}{'accuracy':>10}{'macro-F1':>10}")
    for name, s in (("planner", p), ("always CLICK", b1), ("role rule", b2)):
        print(f"{name:22}{s['accuracy']:>10.4f}{s['macro_f1']:>10.4f}")
    for lab in LABELS:
        c = p["per_class"][lab]
        print(f"  {lab:7} P {c['precision']:.4f}  R {c['recall']:.4f}  F1 {c['f1']:.4f}  n={c['support']}")
    print(f"sequence normalised edit distance: {res['sequence_normalised_edit_distance']}")
    print("confusion (gold->pred):", res["confusion_gold_to_pred"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
