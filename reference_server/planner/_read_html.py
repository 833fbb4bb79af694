"""HTML fragments and whole pages -> elements, parsed by lxml (libxml2's HTML parser, in recover mode).

What becomes an element: form controls (`input` of every type, `select`, `textarea`, `button`), links
(`a`), anything with an ARIA `role`, `contenteditable`, `onclick` or a `tabindex` >= 0, images, and,
for fragments that hold no such thing, the text-bearing tags themselves (a lone `<span>Boston</span>`
is what an agent meant to act on). The accessible name follows the usual order (html-aam,
simplified): `aria-label`, a `<label for>` or a wrapping `<label>`, the element's text, `placeholder`,
`title`, `alt`, a button's `value`, `name`. Scripts, styles, templates and comments are skipped;
elements under `hidden`, `aria-hidden="true"`, `display:none` / `visibility:hidden` or of
`type="hidden"` are kept but marked invisible.

lxml earns its place here: a 50 KB page parses in about half a millisecond, where the standard
library's pure-Python `html.parser` takes ten times as long. Malformed markup never raises: libxml2
recovers from unclosed and stray tags and cuts nesting at its depth limit.

Speed (a page has hundreds of controls): the tree holds plain `lxml.etree` elements (lxml.html's
element classes are looked up in Python for every node touched); controls are found by `iter` over
their tags (filtered in C) and `//@attr/..` XPath steps (one walk in C each; predicates evaluated per
node are ten times slower); an element's text is serialised in C and its attributes read once; the
common element (a link, an image, a button) is built in one loop.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree

from reference_server.planner._elements import INPUT_TYPES, Element, canonical_role, norm_name

__all__ = ["read_html"]

MAX_ELEMENTS = 2000
MAX_ATTRS = 12

_PARSER = lxml.etree.HTMLParser(
    recover=True,
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    encoding="utf-8",
    collect_ids=False,  # no id table: nothing here looks elements up by id
)
_CONTROL_TAGS = ("input", "select", "textarea", "button", "a", "img", "svg", "video", "audio", "iframe")
_CONTROLS = lxml.etree.XPath(
    "//input|//select|//textarea|//button|//a|//img|//svg|//video|//audio|//iframe"
    "|//@role/..|//@contenteditable/..|//@onclick/..|//@tabindex[.!='-1']/.."
)
"""Controls in document order: those tags, and the elements with `role`, `contenteditable`,
`onclick` or a `tabindex` other than -1 (as `//*[@role]`, found several times faster)."""
_ATTR_CONTROLS = lxml.etree.XPath("//@role/..|//@contenteditable/..|//@onclick/..|//@tabindex[.!='-1']/..")
_PLAIN_TAG = re.compile(r"[a-z][a-z0-9-]*")
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
_MAYBE_HIDDEN = lxml.etree.XPath("//@hidden/..|//@aria-hidden/..|//@style/..|//input[@type]")
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
    """The text inside `node` (scripts' too), at most `limit` characters, quotes and ; trimmed."""
    if len(node):  # XPath string(), serialised in C
        text = _tostring(node, method="text", encoding="unicode", with_tail=False)
    else:  # no child element: the text is the element's own
        text = node.text
        if not text:
            return ""
    return " ".join(text[: limit * 2].split())[:limit].strip(" ;\"'")


_tostring = lxml.etree.tostring


def _element(node: Any, hidden: bool, labels: dict[str, str]) -> Element:
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    items = node.items()
    a = dict(items)  # one read of the attributes; `get` on the element costs a C call per name
    if len(a) != len(items):  # a repeated attribute: the first one counts, as for `node.get`
        a = dict(reversed(items))
    get = a.get
    input_type = get("type", "").strip().lower() if tag in ("input", "button") else ""
    role_attr = a["role"].split(" ")[0] if get("role") else ""
    if role_attr:
        role = canonical_role(role_attr)
    elif tag == "input":
        role = INPUT_TYPES.get(input_type or "text", "textbox") or "textbox"  # no type: text (HTML default)
        if input_type in ("", "text", "search", "email", "tel", "url") and get("list"):
            role = "combobox"  # html-aam: a text input with a datalist is a combobox
    elif tag == "select":
        role = "listbox" if "multiple" in a or get("size", "1") not in ("", "0", "1") else "combobox"
    elif "contenteditable" in a and a["contenteditable"].lower() != "false":
        role = "textbox"
    else:
        role = canonical_role(tag)
    own = "" if tag in ("select", "input", "textarea") else _text(node)
    if tag == "input" and input_type in ("submit", "button", "reset"):
        own = get("value", "") or input_type
    label = labels.get(a["id"], "") if get("id") else ""
    if not label and tag in ("input", "select", "textarea"):
        wrap = next(node.iterancestors("label"), None)
        if wrap is not None:
            label = _text(wrap)
    name = (
        get("aria-label")
        or label
        or own
        or get("placeholder")
        or get("title")
        or get("alt")
        or get("name")
        or ""
    )
    value = (
        get("value", "") if tag in ("input", "textarea") and input_type not in ("submit", "button") else ""
    )
    kept = () if _KEEP_ATTRS.isdisjoint(a) else _kept(items)
    return Element(
        role,
        norm_name(name),
        norm_name(value, 80) if value else "",
        tag,
        input_type if tag == "input" else "",
        kept,
        not hidden,
        "autofocus" in a or get("data-focused", "") == "true",
        "disabled" in a or get("aria-disabled", "").lower() == "true",
    )


_SPECIAL = frozenset({"input", "select", "textarea"})
"""Tags whose role, name or value depends on more than the tag and the common attributes (a
button's `type` matters to `_element` for an `input` only)."""
_TAG_ROLES: dict[str, str] = {}


def _elements(nodes: list[Any], hidden: set[Any], labels: dict[str, str]) -> list[Element]:
    """`_element` of every node; the common case (a link, an image, a heading: no form tag, `role`
    or `contenteditable`) inline, in one loop (a page has hundreds)."""
    out: list[Element] = []
    for node in nodes:
        tag = node.tag.lower()
        items = node.items()
        a = dict(items)
        if tag in _SPECIAL or "role" in a or "contenteditable" in a or len(a) != len(items):
            out.append(_element(node, node in hidden, labels))
            continue
        get = a.get
        role = _TAG_ROLES.get(tag)
        if role is None:
            role = canonical_role(tag)
            if len(_TAG_ROLES) < 1024:
                _TAG_ROLES[tag] = role
        name = get("aria-label") or (labels.get(a["id"], "") if get("id") else "")
        if not name:
            name = _text(node)
            if name and name.isascii():  # `_text` collapsed its spaces: its `norm_name` is a cut
                name = name[:200]
            else:
                name = norm_name(
                    name or get("placeholder") or get("title") or get("alt") or get("name") or ""
                )
        else:
            name = " ".join(name[:800].split())[:200] if name.isascii() else norm_name(name)
        if _KEEP_ATTRS.isdisjoint(a):
            kept: tuple[tuple[str, str], ...] = ()
        elif len(items) == 1:  # the one attribute, and it is kept (`href` of a link)
            kept = ((items[0][0], items[0][1][:80]),)
        else:
            kept = _kept(items)
        out.append(
            Element(
                role,
                name,
                "",
                tag,
                "",
                kept,
                node not in hidden,
                "autofocus" in a or get("data-focused", "") == "true",
                "disabled" in a or get("aria-disabled", "").lower() == "true",
            )
        )
    return out


def _kept(items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple([(k, v[:80]) for k, v in items if k in _KEEP_ATTRS][:MAX_ATTRS])


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
    nodes = _controls(root)
    if not nodes:
        nodes = [n for n in root.iter() if isinstance(n.tag, str) and n.tag.lower() in _PSEUDO]
        nodes = nodes or _TEXT(root)
        nodes = [n for n in nodes if not any(isinstance(c.tag, str) for c in n)] or nodes  # innermost
    nodes = [n for n in nodes if isinstance(n.tag, str)][:MAX_ELEMENTS]
    hidden = _hidden(root) if nodes else set()
    labels = {lab.get("for", ""): _text(lab) for lab in _LABELS(root)} if nodes else {}
    return _elements(nodes, hidden, labels), _loose_text(root)[:4000]


def _controls(root: Any) -> list[Any]:
    """`_CONTROLS(root)`: the tagged ones by `iter` (filtered in C), merged in document order with
    the few found by attribute, through one more `iter` over the tags those have."""
    if root.getprevious() is not None or root.getnext() is not None:  # `iter` sees one tree only
        return list(_CONTROLS(root))
    by_attr = _ATTR_CONTROLS(root)
    if not by_attr:
        return list(root.iter(*_CONTROL_TAGS))
    tags = {n.tag for n in by_attr}.difference(_CONTROL_TAGS)
    if not all(isinstance(t, str) and _PLAIN_TAG.fullmatch(t) for t in tags):  # names iter may not take
        return list(_CONTROLS(root))
    wanted = set(by_attr)
    return [n for n in root.iter(*_CONTROL_TAGS, *tags) if n.tag in _CONTROL_SET or n in wanted]


_CONTROL_SET = frozenset(_CONTROL_TAGS)


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
    outside: dict[Any, bool] = {}  # element -> text right inside it is outside elements
    parts = []
    for t in _LOOSE(root):
        node = t.getparent()
        if t.is_tail:
            node = node.getparent()
        ok = outside.get(node)
        if ok is None:
            ok = _outside(node, outside)
        if ok:
            parts.append(t)
    return " ".join(" ".join(parts).split())


def _outside(node: Any, outside: dict[Any, bool]) -> bool:
    """Whether text right inside `node` is outside elements: no ancestor of it (itself included) is a
    script, style, control, label ... or has a `role`. Judged up to the first element judged before,
    and remembered for every element on the way."""
    path = []
    ok = True
    while node is not None:
        known = outside.get(node)
        if known is not None:
            ok = known
            break
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in _NOT_LOOSE or node.get("role") is not None:
            ok = False
            break
        path.append(node)
        node = node.getparent()
    if node is not None:
        outside[node] = ok
    for n in path:
        outside[n] = ok
    return ok
