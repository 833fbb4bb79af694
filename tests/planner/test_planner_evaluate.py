"""Smoke test of the Mind2Web evaluation script on a few tasks (the full run is `nox -s planner_eval`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tools.planner_eval import build_state, default_data, main, mind2web_op

TASK = {
    "website": "example",
    "task": "Find a store in Boston and sort by distance",
    "actions": [
        {"operation": "CLICK", "element_role": "[link]", "element_text": "Stores"},
        {"operation": "TYPE: Boston", "element_role": "[searchbox]", "element_text": "Find a location"},
        {"operation": "SELECT: Distance", "element_role": "[combobox]", "element_text": "Sort by"},
        {"operation": "HOVER", "element_role": "[button]", "element_text": "Menu"},
    ],
}


def test_state_uses_only_role_text_and_history() -> None:
    acts = TASK["actions"]
    assert isinstance(acts, list)
    assert build_state(acts, 0) == "Current page: [link] 'Stores' visible."
    s = build_state(acts, 2)
    assert s.startswith(
        "Current page: [combobox] 'Sort by' visible. Previous: CLICK [link] 'Stores'; TYPE [searchbox]"
    )
    assert "Boston" not in s
    assert "Distance" not in s
    assert [mind2web_op(a["operation"]) for a in acts] == ["CLICK", "TYPE", "SELECT", "CLICK"]


def test_script_on_synthetic_traces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "traces.jsonl"
    data.write_text(json.dumps(TASK) + "\n", "utf-8")
    out = tmp_path / "eval.json"
    assert main(["--data", str(data), "--json", str(out)]) == 0
    res = json.loads(out.read_text("utf-8"))
    assert res["steps"] == 4
    assert res["planner"]["accuracy"] == 1.0
    assert "accuracy" in capsys.readouterr().out


@pytest.mark.skipif(
    not default_data().is_file(),
    reason="Mind2Web dev split not present (set $STRATUS_MIND2WEB or put it in ../shared/datasets)",
)
def test_real_traces_smoke(tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    args = ["--data", str(default_data()), "--limit", "25", "--no-cv", "--json", str(out)]
    assert main([*args, "--renderings", "mind2web/0,html/0,prose/1"]) == 0
    res = json.loads(out.read_text("utf-8"))
    assert res["steps"] > 100
    assert res["planner"]["accuracy"] > res["baseline_always_click"]["accuracy"]
    for notation in ("mind2web", "html", "prose"):
        figures = res["notations"][notation]
        assert figures["planner"]["accuracy"] >= figures["baseline_role_rule"]["accuracy"] - 0.02, notation


def test_every_rendering_reads_back_to_its_element() -> None:
    """Each renderer's output, read by the state reader, names the step's element (no data needed)."""
    from reference_server.planner._reader import read_state
    from tests.tools.planner_fit import target_of
    from tests.tools.planner_formats import RENDERINGS, render, steps_of

    actions = TASK["actions"]
    assert isinstance(actions, list)
    for step in steps_of(actions, "example"):
        for r in RENDERINGS:
            text = render(step, *r)
            state = read_state(text)
            e = target_of(state, step.text)
            assert e is not None, (r, text)
            assert e.name == step.text, (r, text, e)
            assert len(state.history) == len(step.previous), (r, text, state.history)


def test_fit_on_synthetic_rows() -> None:
    pytest.importorskip("sklearn")
    from tests.tools.planner_fit import Row, fit_model, predict

    rows = [Row(("role=textbox", "w=from"), "TYPE", "a", ("x", 0), 1.0)] * 5
    rows += [Row(("role=button", "w=go"), "CLICK", "b", ("x", 0), 1.0)] * 5
    rows += [Row(("role=combobox", "w=size"), "SELECT", "c", ("x", 0), 1.0)] * 5
    model = fit_model(rows, 1.0, None)
    assert predict(model, rows) == [r.label for r in rows]
    assert model.probabilities(("role=textbox",))[1] > 0.5


def test_missing_data(tmp_path: Path) -> None:
    assert main(["--data", str(tmp_path / "nope.jsonl")]) == 2
