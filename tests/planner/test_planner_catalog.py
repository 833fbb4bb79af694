"""The action catalog and lexicon data files."""

from __future__ import annotations

import json
from importlib import resources

from reference_server.planner._catalog import load_catalog, load_lexicon


def test_catalog_is_a_data_file_with_67_actions() -> None:
    raw = json.loads(
        resources.files("reference_server.planner").joinpath("data", "actions.json").read_text("utf-8")
    )
    actions = raw["actions"]
    assert [a["id"] for a in actions] == list(range(67))
    cat = load_catalog()
    assert cat.num_actions == 67
    assert len(set(cat.names)) == 67
    assert {a.category for a in cat.actions} == {"retrieval", "navigation", "interaction", "system"}
    assert {a.mind2web for a in cat.actions} <= {"CLICK", "TYPE", "SELECT"}
    for name in ("click", "type", "select", "scroll", "navigate", "wait", "press_enter", "go_back"):
        assert name in cat.names


def test_tables_are_consistent() -> None:
    cat = load_catalog()
    lex = load_lexicon()
    k = len(lex.concepts)
    assert cat.gate_w.shape == (k, 67)
    assert cat.trans.shape[0] == k + 1
    assert list(cat.pair_start) == sorted(cat.pair_start)
    assert int(cat.pair_start[-1]) == cat.trans.shape[1]
    assert (cat.pair_to_action.sum(axis=1) == 1).all()
