"""Renderers for the evaluation: one Mind2Web step written the ways agents and people write pages.

Every rendering carries the same information as `planner_eval.build_state` (the target element's role and
text, whether the previous action clicked that same element, the last three operations and their
elements) in another notation and wording. `RENDERINGS` maps `(notation, phrasing)` to a renderer;
`HELD_OUT` lists the renderings the operation model is never fitted on (whole phrasings, and the CDP
JSON notation entirely), so the evaluation reports how the planner reads wordings it was not fitted to.

Role words follow each notation's own vocabulary: an accessibility tree says `combobox` for a Mind2Web
`[select]` and `generic` for a `[span]`, as browsers do, so some distinctions of the original tags are
lost in some notations, just as they are in the real ones.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["HELD_OUT", "NOTATIONS", "RENDERINGS", "Step", "render", "steps_of"]

PREVIOUS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Shown:
    op: str  # CLICK / TYPE / SELECT (HOVER and ENTER already folded into CLICK)
    tag: str  # Mind2Web tag without brackets: "textbox"
    text: str


@dataclass(frozen=True, slots=True)
class Step:
    """What every rendering of one step may use."""

    tag: str
    text: str
    focused: bool
    previous: tuple[Shown, ...]
    key: int  # a stable number per step, to vary wording deterministically


def _op(operation: str) -> str:
    op = operation.split(":", 1)[0].strip().upper()
    return op if op in ("TYPE", "SELECT") else "CLICK"


def steps_of(actions: list[dict[str, Any]], task_key: str) -> list[Step]:
    """The steps of one task, with the information `build_state` uses."""
    out = []
    for i, cur in enumerate(actions):
        text = " ".join(cur["element_text"].split())[:60]
        focused = False
        if i > 0:
            prev = actions[i - 1]
            same = prev["element_role"] == cur["element_role"] and prev["element_text"] == cur["element_text"]
            focused = same and bool(cur["element_text"].strip()) and _op(prev["operation"]) == "CLICK"
        shown = tuple(
            Shown(
                _op(a["operation"]), a["element_role"].strip("[]"), " ".join(a["element_text"].split())[:60]
            )
            for a in actions[max(0, i - PREVIOUS_SHOWN) : i]
        )
        key = zlib.crc32(f"{task_key}|{i}".encode())
        out.append(Step(cur["element_role"].strip("[]"), text, focused, shown, key))
    return out


# -- vocabulary ---------------------------------------------------------------------------------
_AX_ROLE = {
    "span": "generic",
    "div": "generic",
    "a": "link",
    "select": "combobox",
    "svg": "img",
    "path": "img",
    "circle": "img",
    "use": "img",
    "i": "generic",
    "b": "generic",
    "em": "emphasis",
    "strong": "strong",
    "li": "listitem",
    "p": "paragraph",
    "label": "LabelText",
    "input": "textbox",
    "text": "StaticText",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "td": "cell",
    "th": "columnheader",
}
_ENGLISH = {
    "textbox": ("text field", "text box", "input field"),
    "searchbox": ("search box", "search field", "search bar"),
    "combobox": ("combo box", "drop-down", "drop-down menu"),
    "select": ("drop-down list", "select box", "drop-down"),
    "listbox": ("list box", "list of options", "list box"),
    "spinbutton": ("number field", "spin box", "number input"),
    "input": ("input", "input", "form input"),
    "button": ("button", "button", "button"),
    "link": ("link", "link", "hyperlink"),
    "a": ("link", "link", "link"),
    "checkbox": ("checkbox", "tick box", "check box"),
    "radio": ("radio button", "radio option", "radio button"),
    "option": ("option", "option", "list option"),
    "tab": ("tab", "tab", "tab"),
    "menuitem": ("menu item", "menu entry", "menu item"),
    "heading": ("heading", "title", "heading"),
    "gridcell": ("cell", "calendar day", "cell"),
    "img": ("image", "picture", "image"),
    "svg": ("icon", "icon", "svg icon"),
    "path": ("icon", "icon", "icon"),
    "label": ("label", "label", "caption"),
    "li": ("list item", "list item", "item"),
    "listitem": ("list item", "list item", "item"),
}
_STATIC_NOUNS = ("text", "item", "element")


def _english(tag: str, k: int) -> str:
    got = _ENGLISH.get(tag)
    return got[k % 3] if got else _STATIC_NOUNS[k % 3]


def _verb(op: str, k: int) -> str:
    table = {
        "CLICK": ("clicked", "clicked on", "pressed"),
        "TYPE": ("typed into", "filled in", "entered text in"),
        "SELECT": ("selected an option in", "chose from", "picked a value in"),
    }
    return table[op][k % 3]


def _q(text: str, k: int) -> str:
    return f'"{text}"' if k % 2 else f"'{text}'"


# -- notations ----------------------------------------------------------------------------------
def _mind2web(s: Step, p: int) -> str:
    def d(tag: str, text: str) -> str:
        return f"[{tag}] '{text}'" if text else f"[{tag}]"

    if p == 0:  # exactly build_state
        parts = [f"Current page: {d(s.tag, s.text)} visible."]
        if s.previous:
            if s.focused:
                parts.append("It is focused.")
            parts.append("Previous: " + "; ".join(f"{a.op} {d(a.tag, a.text)}" for a in s.previous))
        return " ".join(parts)
    lines = [f"Element: [{s.tag}] {s.text}".rstrip()]
    if s.previous:
        lines.append("Previous actions:")
        lines += [f"{a.op} [{a.tag}] {a.text}".rstrip() for a in s.previous]
    return "\n".join(lines)


def _bare(s: Step, p: int) -> str:
    tag = "textbox" if s.tag == "input" else s.tag
    if p == 0:
        page = f"{tag} {_q(s.text, s.key)}" if s.text else tag
        hist = "; ".join(f"{a.op.lower()} {a.tag} {_q(a.text, s.key)}".rstrip() for a in s.previous)
        return page + (" (focused)" if s.focused else "") + (f"\nPrevious actions: {hist}" if hist else "")
    page = f"{tag}: {s.text}" if s.text else tag
    hist = "\n".join(f"- {a.op.lower()} {a.tag}: {a.text}" for a in s.previous)
    return (f"History:\n{hist}\n\n" if hist else "") + page


def _ax_role(tag: str) -> str:
    return _AX_ROLE.get(tag, tag)


def _aria_yaml(s: Step, p: int) -> str:
    role = _ax_role(s.tag)
    ref = f"e{s.key % 97 + 2}"
    if role in ("generic", "StaticText", "paragraph", "listitem", "LabelText", "emphasis", "strong"):
        node = f"- {'text' if role == 'StaticText' else role}: {s.text}" if s.text else f"- {role}"
    else:
        node = f'- {role} "{s.text}"' if s.text else f"- {role}"
    if s.focused:
        node += " [active]" if p == 0 else " [focused]"
    node += f" [ref={ref}]" if p == 0 else ""
    if p == 0:
        page = f"- main:\n  {node}"
        hist = "\n".join(
            f"await page.getByRole('{_ax_role(a.tag)}', {{ name: '{a.text}' }}).{'fill' if a.op == 'TYPE' else 'selectOption' if a.op == 'SELECT' else 'click'}()"
            for a in s.previous
        )
        return page + (f"\nPrevious actions:\n{hist}" if hist else "")
    hist = "; ".join(f"{a.op.lower()} {_ax_role(a.tag)} {_q(a.text, 1)}" for a in s.previous)
    return ("Previous: " + hist + "\n" if hist else "") + f"- document:\n  - region:\n    {node}"


def _ax_text(s: Step, p: int) -> str:
    role = _ax_role(s.tag)
    bid = 100 + s.key % 900
    if p == 0:  # WebArena / BrowserGym
        line = f"[{bid}] {role} {_q(s.text, 0)}" if s.text else f"[{bid}] {role} ''"
        if s.focused:
            line += " focused: True"
        if role in ("textbox", "searchbox", "combobox"):
            line += " required: False"
        page = f"[1] RootWebArea 'Page', focused\n\t{line}"
        hist = "\n".join(
            f"{a.op.lower()} [{_ax_role(a.tag)} {_q(a.text, 0)}]"
            if a.text
            else f"{a.op.lower()} [{_ax_role(a.tag)}]"
            for a in s.previous
        )
        return page + (f"\nPREVIOUS ACTIONS:\n{hist}" if hist else "")
    line = f"[0-{bid}] {role}: {s.text}" if s.text else f"[0-{bid}] {role}"  # Stagehand
    hist = ", then ".join(f"{_verb(a.op, 0)} the {_ax_role(a.tag)} {_q(a.text, 1)}" for a in s.previous)
    return ("Accessibility Tree:\n" + line) + (f"\nActions so far: {hist}" if hist else "")


_HTML_TAG = {
    "span": "span",
    "div": "div",
    "generic": "div",
    "p": "p",
    "li": "li",
    "label": "label",
    "heading": "h2",
    "h1": "h1",
    "h2": "h2",
    "h3": "h3",
    "b": "b",
    "i": "i",
    "em": "em",
    "strong": "strong",
    "td": "td",
}


def _html(tag: str, text: str, focused: bool, p: int) -> str:
    t = text.replace('"', "&quot;").replace("<", "&lt;")
    f = " autofocus" if focused else ""
    if tag == "textbox":
        return (
            f'<input type="text" placeholder="{t}"{f}>'
            if p == 0
            else f'<label>{t} <input type="text" name="q"{f}></label>'
            if p == 1
            else f'<input aria-label="{t}" type="text"{f}/>'
        )
    if tag == "searchbox":
        return (
            f'<input type="search" placeholder="{t}"{f}>'
            if p != 1
            else f'<input role="searchbox" aria-label="{t}"{f}>'
        )
    if tag == "combobox":
        return (
            f'<input role="combobox" aria-label="{t}" aria-expanded="false"{f}>'
            if p != 1
            else f'<div role="combobox" aria-label="{t}"{f}></div>'
        )
    if tag == "select":
        return (
            f'<select aria-label="{t}"{f}><option>…</option></select>'
            if p != 1
            else f"<label>{t}<select{f}></select></label>"
        )
    if tag == "input":
        return f'<input name="{t}"{f}>' if t else f"<input{f}>"
    if tag == "spinbutton":
        return f'<input type="number" aria-label="{t}"{f}>'
    if tag == "listbox":
        return f'<ul role="listbox" aria-label="{t}"></ul>'
    if tag in ("checkbox", "radio"):
        return (
            f'<input type="{tag}" aria-label="{t}">' if p != 1 else f'<label><input type="{tag}"> {t}</label>'
        )
    if tag == "button":
        return f"<button>{t}</button>" if p != 2 or not t else f'<button aria-label="{t}"></button>'
    if tag in ("link", "a"):
        return f'<a href="#">{t}</a>' if tag == "link" else f"<a>{t}</a>"
    if tag == "img":
        return f'<img alt="{t}" src="x.png">'
    if tag in ("svg", "path", "circle", "use"):
        return f'<svg aria-label="{t}"></svg>' if t else "<svg></svg>"
    if tag in ("option", "tab", "menuitem", "gridcell", "row", "heading", "listitem", "dialog"):
        el = {"gridcell": "td", "heading": "h2", "option": "li", "listitem": "li"}.get(tag, "div")
        return f'<{el} role="{tag}">{t}</{el}>'
    plain = _HTML_TAG.get(tag)
    if plain:
        return f"<{plain}>{t}</{plain}>"
    return f'<div role="{tag}">{t}</div>'


def _html_fragment(s: Step, p: int) -> str:
    page = _html(s.tag, s.text, s.focused, p)
    if p == 2:  # a page around it
        page = f"<html><body><main>{page}</main></body></html>"
    if not s.previous:
        return page
    hist = "\n".join(f"{a.op} {_html(a.tag, a.text, False, p)}" for a in s.previous)
    return f"{page}\nPrevious actions:\n{hist}"


def _indexed(s: Step, p: int) -> str:
    i = s.key % 40 + 1
    if p == 0:  # browser-use
        tag = s.tag
        el = _html(tag, s.text, False, 0)
        el = el.replace('"', "'").replace("></input>", " />")
        page = f"[Start of page]\n*[{i}]*{el}" if s.focused else f"[Start of page]\n[{i}]{el}"
        hist = "\n".join(
            f"{'input_text' if a.op == 'TYPE' else 'select_dropdown_option' if a.op == 'SELECT' else 'click_element'}: {_html(a.tag, a.text, False, 0)}"
            for a in s.previous
        )
        return page + (f"\nPrevious actions:\n{hist}" if hist else "")
    html_tag = {"textbox": "input", "searchbox": "input", "combobox": "input", "link": "a", "svg": "svg"}.get(
        s.tag, _HTML_TAG.get(s.tag, s.tag)
    )
    kind = {"textbox": ' type="text"', "searchbox": ' type="search"', "combobox": ' role="combobox"'}.get(
        s.tag, ""
    )
    page = f'[{i}]: <{html_tag}{kind}> "{s.text}";'  # WebVoyager-style text observation
    hist = "; ".join(f"{_verb(a.op, 1)} <{a.tag}> {_q(a.text, 1)}" for a in s.previous)
    return page + (f"\nPrevious: {hist}" if hist else "")


def _json_el(tag: str, text: str, p: int) -> dict[str, Any]:
    if p == 0:
        return {"role": _ax_role(tag), "name": text}
    html = {"textbox": ("input", "text"), "searchbox": ("input", "search"), "spinbutton": ("input", "number")}
    if tag in html:
        return {"tag": html[tag][0], "type": html[tag][1], "label": text}
    return {
        "tag": _HTML_TAG.get(tag, tag),
        "text": text,
        "attributes": {"role": tag} if tag in _ENGLISH else {},
    }


def _json(s: Step, p: int) -> str:
    el = _json_el(s.tag, s.text, p)
    if s.focused:
        el["focused"] = True
    hist = [{"action": a.op.lower(), "element": _json_el(a.tag, a.text, p)} for a in s.previous]
    if p == 0:
        return json.dumps({"elements": [el], "previous_actions": hist}, ensure_ascii=False)
    return json.dumps({"page": {"interactive": [el]}, "history": hist}, ensure_ascii=False)


def _cdp(s: Step, p: int) -> str:
    """CDP `Accessibility.getFullAXTree`-shaped JSON, or (phrasing 1) Puppeteer's
    `page.accessibility.snapshot()` tree; both held out of fitting."""
    if p == 1:
        leaf: dict[str, Any] = {"role": _ax_role(s.tag), "name": s.text}
        if s.focused:
            leaf["focused"] = True
        tree: dict[str, Any] = {"role": "WebArea", "name": "Page", "children": [leaf]}
        if s.previous:
            tree["history"] = [
                {"type": a.op.lower(), "target": {"role": _ax_role(a.tag), "name": a.text}}
                for a in s.previous
            ]
        return json.dumps(tree, ensure_ascii=False)
    node: dict[str, Any] = {
        "nodeId": str(40 + s.key % 500),
        "ignored": False,
        "role": {"type": "role", "value": _ax_role(s.tag)},
        "name": {"type": "computedString", "value": s.text},
        "properties": [{"name": "focused", "value": {"type": "booleanOrUndefined", "value": True}}]
        if s.focused
        else [],
    }
    root = {
        "nodeId": "1",
        "ignored": False,
        "role": {"type": "role", "value": "RootWebArea"},
        "name": {"type": "computedString", "value": "Page"},
    }
    doc: dict[str, Any] = {"nodes": [root, node]}
    if s.previous:
        doc["previous_actions"] = [f"{a.op} {_ax_role(a.tag)} {_q(a.text, 1)}" for a in s.previous]
    return json.dumps(doc, ensure_ascii=False)


def _prose(s: Step, p: int) -> str:
    noun = _english(s.tag, s.key + p)
    name = s.text
    if p == 0:
        page = f'The page shows a {noun} labelled "{name}".' if name else f"The page shows a {noun}."
    elif p == 1:
        page = f"There is a {noun} that says '{name}'." if name else f"There is an unlabelled {noun}."
    else:
        page = f"You can see the “{name}” {noun}." if name else f"You can see a {noun} without a label."
    if s.focused:
        page += " It has focus." if p != 1 else " The cursor is in it."
    if not s.previous:
        return page
    parts = [
        f"{_verb(a.op, s.key + j)} the {_english(a.tag, s.key)} '{a.text}'"
        if a.text
        else f"{_verb(a.op, s.key + j)} a {_english(a.tag, s.key)}"
        for j, a in enumerate(s.previous)
    ]
    lead = ("Before this I ", "Previously: I ", "So far I have ")[p]
    return f"{page} {lead}{', then '.join(parts)}."


Renderer = Callable[[Step, int], str]
NOTATIONS: dict[str, tuple[Renderer, int]] = {
    "mind2web": (_mind2web, 2),
    "bare-role": (_bare, 2),
    "aria-yaml": (_aria_yaml, 2),
    "ax-text": (_ax_text, 2),
    "html": (_html_fragment, 3),
    "indexed-dom": (_indexed, 2),
    "json": (_json, 2),
    "cdp-json": (_cdp, 2),
    "prose": (_prose, 3),
}
"""notation -> (renderer, number of phrasings)."""
RENDERINGS: tuple[tuple[str, int], ...] = tuple((n, p) for n, (_, k) in NOTATIONS.items() for p in range(k))
HELD_OUT: frozenset[tuple[str, int]] = frozenset(
    {
        ("cdp-json", 0),
        ("cdp-json", 1),
        ("prose", 2),
        ("html", 2),
        ("aria-yaml", 1),
        ("ax-text", 1),
        ("indexed-dom", 1),
    }
)
"""Renderings the operation model is not fitted on: reported apart as unseen renderings."""


def render(step: Step, notation: str, phrasing: int) -> str:
    fn, _ = NOTATIONS[notation]
    return fn(step, phrasing)
