"""Smoke test of the Mind2Web evaluation script on a few tasks (the full run is `nox -s planner_eval`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference_server.planner._evaluate import DEFAULT_DATA, build_state, main, mind2web_op

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


@pytest.mark.skipif(not DEFAULT_DATA.is_file(), reason="Mind2Web dev split not present")
def test_real_traces_smoke(tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    assert main(["--data", str(DEFAULT_DATA), "--limit", "25", "--json", str(out)]) == 0
    res = json.loads(out.read_text("utf-8"))
    assert res["steps"] > 100
    assert res["planner"]["accuracy"] > res["baseline_always_click"]["accuracy"]


def test_missing_data(tmp_path: Path) -> None:
    assert main(["--data", str(tmp_path / "nope.jsonl")]) == 2
