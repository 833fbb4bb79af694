"""The state reader: every notation of the same page gives the same element model, and no input breaks it."""

from __future__ import annotations

import json
import random

import pytest

from reference_server.planner import Planner
from reference_server.planner._elements import Element, PageState, canonical_op, canonical_role
from reference_server.planner._reader import MAX_READ_CHARS, read_state

FROM_BOX = [
    "Current page: [textbox] 'From' visible.",
    "[textbox] From",
    "textbox 'From'",
    'textbox "From"',
    "textbox: From",
    '- textbox "From" [ref=e12]',
    '- main:\n  - textbox "From"',
    "[164] textbox 'From' required: False",
    "[0-164] textbox: From",
    "textField name='From'",
    '<input type="text" placeholder="From">',
    '<label>From <input type="text" name="src"></label>',
    '<label for="f">From</label><input id="f">',
    '<input aria-label="From">',
    "<html><body><form><input type=text placeholder=From></form></body></html>",
    "[8]<input type=text placeholder=From />",
    "*[8]*<input type='text' placeholder='From' />",
    '[8]: <input> "From";',
    '[{"role": "textbox", "name": "From"}]',
    '{"elements": [{"tag": "input", "type": "text", "label": "From"}]}',
    '{"nodes": [{"nodeId": "5", "role": {"type": "role", "value": "textbox"}, "name": {"type": "computedString", "value": "From"}}]}',
    '{"role": "WebArea", "name": "", "children": [{"role": "textbox", "name": "From"}]}',
    'The page shows a text field labelled "From".',
    "There is a text box called From.",
    "You can see the 'From' input field.",
    "Focused element: text field From",
    "The current element is a textbox named From.",
]


@pytest.mark.parametrize("text", FROM_BOX)
def test_every_notation_reads_the_same_text_box(text: str) -> None:
    state = read_state(text)
    targets = [e for e in state.elements if e.actionable]
    assert len(targets) == 1, (text, state)
    e = targets[0]
    assert (e.role, e.name, e.kind) == ("textbox", "From", "entry"), (text, e)


@pytest.mark.parametrize(
    ("text", "role", "name"),
    [
        ("[combobox] 'Sort by'", "combobox", "Sort by"),
        ('<select aria-label="Sort by"><option>Price</option></select>', "combobox", "Sort by"),
        ("drop-down for size", "combobox", "size"),
        ('- combobox "Size": M', "combobox", "Size"),
        ("a search box labelled 'Find a location'", "searchbox", "Find a location"),
        ('<input type="search" placeholder="Find a location">', "searchbox", "Find a location"),
        ("[button] 'Update search'", "button", "Update search"),
        ("<button>Update search</button>", "button", "Update search"),
        ('<div role="button" aria-label="Update search"></div>', "button", "Update search"),
        ("the 'Deals' link", "link", "Deals"),
        ('<a href="/deals">Deals</a>', "link", "Deals"),
        ("Homepage with a Sign in link", "link", "Sign in"),
        ("<span>Boston</span>", "generic", "Boston"),
        ('<div contenteditable="true">Write a comment</div>', "textbox", "Write a comment"),
        ('<textarea placeholder="Message"></textarea>', "textbox", "Message"),
        ('<input type="checkbox" aria-label="Agree">', "checkbox", "Agree"),
    ],
)
def test_roles_and_names(text: str, role: str, name: str) -> None:
    targets = [e for e in read_state(text).elements if e.actionable]
    assert targets, text
    assert (targets[0].role, targets[0].name) == (role, name)


def test_date_picker_and_input_types() -> None:
    (e,) = read_state("date picker").elements
    assert e.kind == "date"
    (e,) = read_state('<input type="date" name="checkin">').elements
    assert (e.kind, e.input_type) == ("date", "date")
    (e,) = read_state('<input type="file" aria-label="Resume">').elements
    assert e.kind == "upload"
    assert read_state('<input type="hidden" name="csrf" value="x">').elements[0].visible is False


def test_whole_page_keeps_every_element_in_order() -> None:
    page = """<!doctype html><html><head><title>T</title><script>var s = "<input>";</script></head>
    <body><nav><a href="/">Home</a><a href="/flights">Flights</a></nav>
    <form><label for="o">From</label><input id="o" type="text"><label>To <input type="text"></label>
    <select aria-label="Passengers"><option>1</option></select><button type="submit">Search</button></form>
    <div style="display:none"><a href="/x">Hidden</a></div></body></html>"""
    els = read_state(page).elements
    assert [(e.role, e.name) for e in els] == [
        ("link", "Home"),
        ("link", "Flights"),
        ("textbox", "From"),
        ("textbox", "To"),
        ("combobox", "Passengers"),
        ("button", "Search"),
        ("link", "Hidden"),
    ]
    assert [e.visible for e in els] == [True] * 6 + [False]


def test_aria_snapshot_states_and_values() -> None:
    snap = '- textbox "Name": Ada [active]\n- checkbox "Agree" [checked]\n- button "Go" [disabled]'
    name, agree, go = read_state(snap).elements
    assert name.value == "Ada"
    assert name.focused
    assert ("checked", "true") in agree.attrs
    assert go.disabled
    assert not go.actionable


HISTORIES = [
    "Current page: [textbox] 'To' visible. Previous: CLICK [link] 'Flights'; TYPE [textbox] 'From'",
    "- textbox \"To\"\nPrevious actions:\n- click link 'Flights'\n- type textbox 'From'",
    "Previous actions:\nclicked link 'Flights'\ntyped 'Paris' into textbox 'From'\n\n- textbox \"To\"",
    "<input placeholder=To>\nPrevious actions:\nCLICK <a href=#>Flights</a>\nTYPE <input placeholder=From>",
    "- textbox \"To\"\nPrevious actions:\nawait page.getByRole('link', { name: 'Flights' }).click()\n"
    "await page.getByPlaceholder('From').fill('Paris')",
    "The page shows a text field labelled \"To\". Before this I clicked the link 'Flights', then typed into the text field 'From'.",
    json.dumps(
        {
            "elements": [{"role": "textbox", "name": "To"}],
            "previous_actions": [
                {"action": "click", "element": {"role": "link", "name": "Flights"}},
                {"action": "type", "element": {"role": "textbox", "name": "From"}, "value": "Paris"},
            ],
        }
    ),
]


@pytest.mark.parametrize("text", HISTORIES)
def test_previous_actions_in_every_notation(text: str) -> None:
    state = read_state(text)
    assert [(e.role, e.name) for e in state.elements if e.actionable] == [("textbox", "To")]
    got = [
        (a.op, a.element.role if a.element else "", a.element.name if a.element else "")
        for a in state.history
    ]
    assert got == [("click", "link", "Flights"), ("type", "textbox", "From")], got


def test_index_references_resolve_to_page_elements() -> None:
    state = read_state(
        "[12]<input type=text placeholder=Search />\nPrevious actions: click_element_by_index(12)"
    )
    (a,) = state.history
    assert a.op == "click"
    assert a.element is not None
    assert a.element.name == "Search"


def test_vocabulary() -> None:
    assert canonical_role("[a]") == "link"
    assert canonical_role("AXTextField") == "textbox"
    assert canonical_role("select") == "combobox"
    assert canonical_op("input_text") == "type"
    assert canonical_op("select_dropdown_option") == "select"
    assert canonical_op("click_element_by_index") == "click"


def _junk(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n)).decode("latin-1")


BAD = {
    "binary": _junk(20_000, 1),
    "binary-utf8-errors": bytes(range(256)).decode("utf-8", "replace") * 40,
    "one-megabyte": "lorem ipsum dolor sit amet " * 40_000,
    "one-megabyte-one-line-of-brackets": "[" * 1_000_000,
    "nested-html": "<div>" * 100_000 + "x" + "</div>" * 100_000,
    "nested-json": "[" * 100_000 + "]" * 100_000,
    "unclosed-quotes": "textbox 'From" + " x" * 50_000,
    "japanese": "ページには「出発地」というテキストボックスがあります。検索ボタン。",
    "arabic": "تحتوي الصفحة على مربع بحث بعنوان 'المدينة'",
    "mixed-scripts-html": '<input placeholder="Ciudad de origen"><button>Поиск</button><a>検索</a>',
    "lone-surrogate": "textbox 'From\ud800'",
    "nul-bytes": "\x00" * 5000 + "[textbox] 'From'",
    "many-lines": "\n".join(f'- link "L{i}"' for i in range(50_000)),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_reads_and_plans(name: str, planner: Planner) -> None:
    text = BAD[name]
    state = read_state(text)
    assert isinstance(state, PageState)
    assert all(isinstance(e, Element) for e in state.elements)
    plan = planner.plan(text, "Find flights from Boston")
    assert plan.steps_to_goal == len(plan.action_sequence) >= 1
    assert 0.0 <= plan.overall_confidence <= 1.0
    assert planner.plan(text[:MAX_READ_CHARS], "x").action_sequence  # the goal may be anything too


AGENT_PAGES = {
    "playwright-mcp": (
        '- generic [ref=e2]:\n  - banner [ref=e3]:\n    - link "Home" [ref=e4] [cursor=pointer]:\n'
        '      - /url: /\n  - main [ref=e5]:\n    - heading "Find a flight" [level=1] [ref=e6]\n'
        '    - textbox "From" [ref=e7]\n    - button "Search" [ref=e9] [cursor=pointer]'
    ),
    "webarena": (
        "Tab 0 (current): Shop\n[1] RootWebArea 'Shop' focused: True\n\t[12] link 'Home'\n"
        "\t[14] heading 'Find a flight'\n\t[15] textbox 'From' required: False\n\t[16] button 'Search'"
    ),
    "browser-use": (
        "[Start of page]\n[0]<a >Home />\n\t[1]<h1 >Find a flight />\n"
        "\t[2]<input type='text' placeholder='From' />\n\t[3]<button >Search />\n[End of page]"
    ),
}


@pytest.mark.parametrize("name", sorted(AGENT_PAGES))
def test_agent_framework_pages(name: str) -> None:
    els = [(e.role, e.name) for e in read_state(AGENT_PAGES[name]).elements if e.actionable]
    assert els == [("link", "Home"), ("heading", "Find a flight"), ("textbox", "From"), ("button", "Search")]


def test_search_landmark_is_not_a_search_box() -> None:
    (form,) = read_state("<form role='search'></form>").elements
    assert form.role == "form"
    assert not form.actionable
