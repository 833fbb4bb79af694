"""HTML fragments and whole pages -> elements, with the standard library's tolerant `html.parser`.

What becomes an element: form controls (`input` of every type, `select`, `textarea`, `button`), links
(`a`), anything with an ARIA `role` or `contenteditable`, images, and, for fragments that hold no
control at all, the text-bearing tags themselves (a lone `<span>Boston</span>` is what an agent meant
to click). The accessible name follows the usual order (html-aam, simplified): `aria-label`, a
`<label for>` or wrapping `<label>`, the element's text, `placeholder`, `title`, `alt`, `value` of a
button, `name`. Scripts, styles, templates and comments are skipped; elements under `hidden`,
`aria-hidden="true"`, `display:none` or `type="hidden"` are kept but marked invisible.

Malformed markup never raises: `html.parser` recovers from unclosed and stray tags, and nesting depth
is bounded by an explicit stack limit.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reference_server.planner._elements import INPUT_TYPES, KINDS, Element, canonical_role, norm_name

__all__ = ["read_html"]

MAX_ELEMENTS = 2000
MAX_DEPTH = 256
MAX_ATTRS = 12

_CONTROLS = frozenset(
    {"input", "select", "textarea", "button", "a", "img", "svg", "video", "audio", "iframe"}
)
_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "meta", "link", "base"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_TEXT_TAGS = frozenset(
    {
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
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_KEEP_ATTRS = (
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
)


class _Open:
    __slots__ = ("attrs", "hidden", "is_element", "label_for", "tag", "text")

    def __init__(self, tag: str, attrs: dict[str, str], hidden: bool, is_element: bool) -> None:
        self.tag = tag
        self.attrs = attrs
        self.hidden = hidden
        self.is_element = is_element
        self.text: list[str] = []
        self.label_for = ""


class _Reader(HTMLParser):
    def __init__(self, all_tags: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.all_tags = all_tags
        self.stack: list[_Open] = []
        self.found: list[tuple[str, dict[str, str], bool, list[str], _Open | None]] = []
        """tag, attrs, hidden, own text, the <label> around it"""
        self.labels: dict[str, str] = {}  # label for=id -> label text
        self.loose_text: list[str] = []
        self.skip = 0

    # -- tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in _SKIP and tag not in _VOID:
                self.skip += 1
            return
        if tag in _SKIP:
            if tag not in _VOID and tag not in ("link", "meta", "base"):
                self.skip = 1
            return
        a = {k.lower(): (v or "") for k, v in attrs[:64]}
        hidden = bool(self.stack and self.stack[-1].hidden) or self._hidden(tag, a)
        element = self._is_element(tag, a)
        node = _Open(tag, a, hidden, element)
        if tag == "label":
            node.label_for = a.get("for", "")
        if element and len(self.found) < MAX_ELEMENTS:
            around = next((n for n in reversed(self.stack) if n.tag == "label"), None)
            self.found.append((tag, a, hidden, node.text, around))
        if tag in _VOID:
            return
        if len(self.stack) >= MAX_DEPTH:  # deeply nested markup: flatten below the limit
            self.stack[-1] = node
            return
        self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in _SKIP:
                self.skip -= 1
            return
        for i in range(len(self.stack) - 1, max(-1, len(self.stack) - 24), -1):
            if self.stack[i].tag == tag:
                closed = self.stack[i:]
                del self.stack[i:]
                for node in closed:
                    if node.tag == "label" and node.label_for:
                        self.labels[node.label_for] = " ".join(node.text)
                return

    def handle_data(self, data: str) -> None:
        if self.skip or not data.strip():
            return
        text = data.strip()
        owner = None
        labelled = False
        for node in reversed(self.stack):  # text belongs to the innermost element and every label above
            if node.is_element and owner is None:
                owner = node
                node.text.append(text)
            elif node.tag == "label":
                node.text.append(text)
                labelled = True
        if owner is None and not labelled:
            self.loose_text.append(text)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _hidden(tag: str, a: dict[str, str]) -> bool:
        return (
            "hidden" in a
            or a.get("aria-hidden", "").lower() == "true"
            or (tag == "input" and a.get("type", "").lower() == "hidden")
            or bool(_HIDDEN_STYLE.search(a.get("style", "")))
        )

    def _is_element(self, tag: str, a: dict[str, str]) -> bool:
        if tag in _CONTROLS or "role" in a or "contenteditable" in a:
            return True
        if "onclick" in a or a.get("tabindex", "-1") not in ("-1", ""):
            return True
        return self.all_tags and (tag in _TEXT_TAGS or canonical_role(tag) in KINDS)


def _element(
    tag: str, a: dict[str, str], hidden: bool, text: list[str], around: _Open | None, labels: dict[str, str]
) -> Element:
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
    own = " ".join(text).strip(" ;\"'")
    label = labels.get(a.get("id", ""), "") if a.get("id") else ""
    if not label and around is not None and around.text is not text:
        label = " ".join(around.text)
    if tag == "select":
        own = ""  # the options' text is the list, not the name
    if tag in ("input",) and input_type in ("submit", "button", "reset"):
        own = a.get("value", "") or input_type
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
    kept = tuple((k, a[k][:80]) for k in _KEEP_ATTRS if k in a)[:MAX_ATTRS]
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
    text-bearing tags as elements, since that tag is what the fragment is about."""
    for all_tags in (False, True):
        r = _Reader(all_tags)
        try:
            r.feed(markup)
            r.close()
        except (AssertionError, ValueError, IndexError):  # pragma: no cover - html.parser is lenient
            pass
        if r.found or all_tags:
            break
    elements = [_element(t, a, h, text, around, r.labels) for t, a, h, text, around in r.found]
    return elements, " ".join(r.loose_text)[:4000]
