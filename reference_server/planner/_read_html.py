"""HTML fragments and whole pages -> elements, parsed by lxml (libxml2's HTML parser, in recover mode).

What becomes an element: form controls (`input` of every type, `select`, `textarea`, `button`), links
(`a`), anything with an ARIA `role`, `contenteditable`, `onclick` or a `tabindex` >= 0, images, and,
for fragments that hold no such thing, the text-bearing tags themselves (a lone `<span>Boston</span>`
is what an agent meant to act on). The accessible name follows the usual order (html-aam,
simplified): `aria-label`, a `<label for>` or a wrapping `<label>`, the element's text, `placeholder`,
`title`, `alt`, a button's `value`, `name`. Scripts, styles, templates and comments are skipped;
elements under `hidden`, `aria-hidden="true"`, `display:none` / `visibility:hidden` or of
`type="hidden"` are kept but marked invisible.

lxml earns its place here: a 50 KB page parses and is walked in about a millisecond, where the
standard library's pure-Python `html.parser` takes ten times as long. Malformed markup never raises:
libxml2 recovers from unclosed and stray tags and cuts nesting at its depth limit.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree
import lxml.html

from reference_server.planner._elements import INPUT_TYPES, Element, canonical_role, norm_name

__all__ = ["read_html"]

MAX_ELEMENTS = 2000
MAX_ATTRS = 12

_PARSER = lxml.html.HTMLParser(
    recover=True, remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8"
)
_CONTROLS = lxml.etree.XPath(
    "//input|//select|//textarea|//button|//a|//img|//svg|//video|//audio|//iframe"
    "|//*[@role]|//*[@contenteditable]|//*[@onclick]|//*[@tabindex and not(@tabindex='-1')]"
)
_PSEUDO = frozenset(
    [
        "textbox",
        "searchbox",
        "combobox",
        "listbox",
        "spinbutton",
        "checkbox",
        "radio",
        "switch",
        "menuitem",
        "gridcell",
        "tab",
        "slider",
    ]
)
"""ARIA role names written as tags (`[3]: <combobox> "Size"`), read when nothing else is."""
_TEXT_TAGS = [
    "span",
    "div",
    "p",
    "li",
    "td",
    "th",
    "label",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "b",
    "i",
    "em",
    "strong",
    "path",
    "circle",
    "option",
    "summary",
    "dt",
    "dd",
    "small",
    "font",
]
_TEXT = lxml.etree.XPath("|".join(f"//{t}" for t in _TEXT_TAGS))
_MAYBE_HIDDEN = lxml.etree.XPath("//*[@hidden or @aria-hidden or @style or self::input[@type]]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_LABELS = lxml.etree.XPath("//label[@for]")
_LOOSE = lxml.etree.XPath("(//body//text()[normalize-space()])[position() <= 400]")
"""The page's first text nodes; those inside elements, labels or scripts are dropped in Python."""
_NOT_LOOSE = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "a",
        "button",
        "select",
        "textarea",
        "label",
        "option",
        "title",
        "head",
        "svg",
    ]
)
_KEEP_ATTRS = frozenset(
    {
        "id",
        "name",
        "placeholder",
        "aria-label",
        "title",
        "alt",
        "href",
        "value",
        "autocomplete",
        "aria-autocomplete",
        "aria-haspopup",
        "aria-expanded",
        "list",
        "required",
        "checked",
        "selected",
        "multiple",
        "readonly",
    }
)


def _text(node: Any, limit: int = 400) -> str:
    """The text inside `node` (not in scripts), at most `limit` characters, quotes and ; trimmed."""
    return " ".join(node.text_content()[: limit * 2].split())[:limit].strip(" ;\"'")


def _element(node: Any, hidden: bool, labels: dict[str, str]) -> Element:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    a = node.attrib
    input_type = a.get("type", "").strip().lower() if tag in ("input", "button") else ""
    role_attr = a.get("role", "").split(" ")[0] if a.get("role") else ""
    if role_attr:
        role = canonical_role(role_attr)
    elif tag == "input":
        role = INPUT_TYPES.get(input_type or "text", "textbox") or "textbox"  # no type: text (HTML default)
        if input_type in ("", "text", "search", "email", "tel", "url") and a.get("list"):
            role = "combobox"  # html-aam: a text input with a datalist is a combobox
    elif tag == "select":
        role = "listbox" if "multiple" in a or a.get("size", "1") not in ("", "0", "1") else "combobox"
    elif "contenteditable" in a and a.get("contenteditable", "").lower() != "false":
        role = "textbox"
    else:
        role = canonical_role(tag)
    own = "" if tag in ("select", "input", "textarea") else _text(node)
    if tag == "input" and input_type in ("submit", "button", "reset"):
        own = a.get("value", "") or input_type
    label = labels.get(a.get("id", ""), "") if a.get("id") else ""
    if not label and tag in ("input", "select", "textarea"):
        wrap = next(node.iterancestors("label"), None)
        if wrap is not None:
            label = _text(wrap)
    name = (
        a.get("aria-label")
        or label
        or own
        or a.get("placeholder")
        or a.get("title")
        or a.get("alt")
        or a.get("name")
        or ""
    )
    value = (
        a.get("value", "") if tag in ("input", "textarea") and input_type not in ("submit", "button") else ""
    )
    kept = tuple((k, v[:80]) for k, v in a.items() if k in _KEEP_ATTRS)[:MAX_ATTRS]
    return Element(
        role=role,
        name=norm_name(name),
        value=norm_name(value, 80),
        tag=tag,
        input_type=input_type if tag == "input" else "",
        attrs=kept,
        visible=not hidden,
        focused="autofocus" in a or a.get("data-focused", "") == "true",
        disabled="disabled" in a or a.get("aria-disabled", "").lower() == "true",
    )


def read_html(markup: str) -> tuple[list[Element], str]:
    """The elements of an HTML fragment or page in document order, and its text outside elements.

    A fragment without any control or ARIA role (`<span>Boston</span>`) is read again with its
    text-bearing tags (and tags named like ARIA roles, `<combobox>`) as elements."""
    try:
        root = lxml.etree.fromstring(markup.encode("utf-8", "replace"), _PARSER)
    except (lxml.etree.LxmlError, ValueError):  # pragma: no cover - recover mode rarely gives up
        root = None
    if root is None:
        return [], ""
    nodes = _CONTROLS(root)
    if not nodes:
        nodes = [n for n in root.iter() if isinstance(n.tag, str) and n.tag.lower() in _PSEUDO]
        nodes = nodes or _TEXT(root)
        nodes = [n for n in nodes if not any(isinstance(c.tag, str) for c in n)] or nodes  # innermost
    nodes = [n for n in nodes if isinstance(n.tag, str)][:MAX_ELEMENTS]
    hidden = _hidden(root) if nodes else set()
    labels = {lab.get("for", ""): _text(lab) for lab in _LABELS(root)} if nodes else {}
    elements = [_element(n, n in hidden, labels) for n in nodes]
    return elements, _loose_text(root)[:4000]


def _hidden(root: Any) -> set[Any]:
    """Elements not rendered: `hidden`, `aria-hidden="true"`, hidden by style, or `type=hidden`,
    with everything inside them."""
    out: set[Any] = set()
    for n in _MAYBE_HIDDEN(root):
        a = n.attrib
        if (
            "hidden" in a
            or a.get("aria-hidden", "").lower() == "true"
            or (n.tag == "input" and a.get("type", "").lower() == "hidden")
            or ("style" in a and _HIDDEN_STYLE.search(a["style"]) is not None)
        ):
            out.update(n.iter())
    return out


def _loose_text(root: Any) -> str:
    """Text outside elements: what the page says besides its controls (headings, messages)."""
    parts = []
    for t in _LOOSE(root):
        node = t.getparent()
        if t.is_tail:
            node = node.getparent()
        ok = True
        while node is not None:
            tag = node.tag.lower() if isinstance(node.tag, str) else ""
            if tag in _NOT_LOOSE or "role" in node.attrib:
                ok = False
                break
            node = node.getparent()
        if ok:
            parts.append(t)
    return " ".join(" ".join(parts).split())
