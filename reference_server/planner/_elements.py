"""The element model every state notation is read into, and the hand-written role semantics.

A state (the system text of a request) is read by `_reader.read_state` into a `PageState`: the page's
elements in document order (`Element`: role, name, value, tag, input type, attributes, visibility,
focus), the previous actions (`PastAction`: operation, element, value) and whatever prose is left.
The encoder and the operation model see only this model, never the notation it came in.

Role semantics here are general knowledge, not fitted: which ARIA roles and HTML tags mean the same
thing (`canonical_role`), what kind of control a role is (`KINDS`: entry, choice, toggle, ...), and
which input types are dates, uploads or text (`INPUT_TYPES`). Sources: WAI-ARIA 1.2 roles, the HTML
standard's implicit ARIA semantics (html-aam) and its input types.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

__all__ = [
    "CONTAINER_ROLES",
    "INPUT_TYPES",
    "KINDS",
    "OPERATIONS",
    "Element",
    "PageState",
    "PastAction",
    "canonical_op",
    "canonical_role",
    "kind_of",
    "norm_name",
]

ENTRY, CHOICE, TOGGLE, DATE, UPLOAD, ACTION, STATIC, DIALOG, MEDIA, NAV, TABLE = (
    "entry",
    "choice",
    "toggle",
    "date",
    "upload",
    "action",
    "static",
    "dialog",
    "media",
    "nav",
    "table",
)

KINDS: dict[str, str] = {
    # text entry
    "textbox": ENTRY,
    "searchbox": ENTRY,
    "spinbutton": ENTRY,
    "input": ENTRY,
    # choosing from a list
    "combobox": CHOICE,
    "listbox": CHOICE,
    # on/off
    "checkbox": TOGGLE,
    "radio": TOGGLE,
    "switch": TOGGLE,
    "menuitemcheckbox": TOGGLE,
    "menuitemradio": TOGGLE,
    "slider": TOGGLE,
    # things one activates
    "button": ACTION,
    "link": ACTION,
    "menuitem": ACTION,
    "tab": ACTION,
    "option": ACTION,
    "treeitem": ACTION,
    "gridcell": ACTION,
    "cell": ACTION,
    "columnheader": ACTION,
    "rowheader": ACTION,
    "row": ACTION,
    "img": ACTION,
    "image": ACTION,
    "figure": ACTION,
    "svg": ACTION,
    # text and structure
    "generic": STATIC,
    "text": STATIC,
    "statictext": STATIC,
    "paragraph": STATIC,
    "heading": STATIC,
    "label": STATIC,
    "listitem": STATIC,
    "list": STATIC,
    "group": STATIC,
    "region": STATIC,
    "article": STATIC,
    "section": STATIC,
    "form": STATIC,
    "main": STATIC,
    "banner": STATIC,
    "contentinfo": STATIC,
    "document": STATIC,
    "rootwebarea": STATIC,
    "webarea": STATIC,
    "status": STATIC,
    "alert": STATIC,
    "tooltip": STATIC,
    "separator": STATIC,
    "note": STATIC,
    "strong": STATIC,
    "emphasis": STATIC,
    # the rest
    "dialog": DIALOG,
    "alertdialog": DIALOG,
    "video": MEDIA,
    "audio": MEDIA,
    "navigation": NAV,
    "menu": NAV,
    "menubar": NAV,
    "tablist": NAV,
    "toolbar": NAV,
    "table": TABLE,
    "grid": TABLE,
    "treegrid": TABLE,
}
"""Canonical role -> kind of control (WAI-ARIA role categories, simplified)."""

_ROLE_ALIASES: dict[str, str] = {
    # HTML tags with an implicit role (html-aam), and names other notations use
    "a": "link",
    "hyperlink": "link",
    "textarea": "textbox",
    "textfield": "textbox",
    "genericcontainer": "generic",
    "comboboxselect": "combobox",
    "comboboxmenubutton": "combobox",
    "menulistpopup": "listbox",
    "menulistoption": "option",
    "listboxoption": "option",
    "inlinetextbox": "text",
    "text_field": "textbox",
    "entry": "textbox",
    "edit": "textbox",
    "search": "form",  # the ARIA `search` landmark, not a search box
    "select": "combobox",
    "popupbutton": "combobox",
    "dropdown": "combobox",
    "pushbutton": "button",
    "togglebutton": "button",
    "menubutton": "button",
    "checkbutton": "checkbox",
    "radiobutton": "radio",
    "img": "img",
    "picture": "img",
    "icon": "img",
    "path": "svg",
    "circle": "svg",
    "use": "svg",
    "g": "svg",
    "rect": "svg",
    "span": "generic",
    "div": "generic",
    "i": "generic",
    "b": "generic",
    "em": "emphasis",
    "strong": "strong",
    "p": "paragraph",
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "li": "listitem",
    "ul": "list",
    "ol": "list",
    "td": "cell",
    "th": "columnheader",
    "tr": "row",
    "nav": "navigation",
    "header": "banner",
    "footer": "contentinfo",
    "labeltext": "label",
    "disclosuretriangle": "button",
    "details": "group",
    "summary": "button",
    "fieldset": "group",
    "legend": "label",
    "iframe": "document",
    "body": "document",
    "html": "document",
    "time": "text",
    "font": "generic",
    "small": "generic",
    "sup": "generic",
    "sub": "generic",
    "mark": "generic",
    "abbr": "generic",
    "code": "text",
    "pre": "text",
    "cite": "text",
    "blockquote": "text",
    "dt": "text",
    "dd": "text",
    "dl": "list",
    "caption": "text",
    "figcaption": "text",
    "output": "status",
    "progress": "status",
    "meter": "status",
    "aside": "region",
    "address": "text",
    "canvas": "img",
    "object": "img",
    "embed": "img",
}

INPUT_TYPES: dict[str, str] = {
    "text": "textbox",
    "search": "searchbox",
    "email": "textbox",
    "tel": "textbox",
    "url": "textbox",
    "password": "textbox",
    "number": "spinbutton",
    "checkbox": "checkbox",
    "radio": "radio",
    "range": "slider",
    "button": "button",
    "submit": "button",
    "reset": "button",
    "image": "button",
    "file": "button",
    "color": "button",
    "date": "textbox",
    "datetime-local": "textbox",
    "datetime": "textbox",
    "month": "textbox",
    "week": "textbox",
    "time": "textbox",
    "hidden": "",
}
"""HTML input type -> the role the input has (html-aam); "" = not rendered."""

CONTAINER_ROLES = frozenset(
    {
        "document",
        "rootwebarea",
        "webarea",
        "main",
        "region",
        "banner",
        "contentinfo",
        "navigation",
        "form",
        "group",
        "list",
        "table",
        "grid",
        "treegrid",
        "toolbar",
        "menubar",
        "menu",
        "tablist",
        "section",
        "article",
        "dialog",
        "alertdialog",
        "status",
        "alert",
        "separator",
    }
)
"""Landmarks and structure: they hold controls but are not what an agent acts on (when unnamed)."""

_DOCUMENTS = frozenset({"document", "rootwebarea", "webarea"})
DATE_TYPES = frozenset({"date", "datetime-local", "datetime", "month", "week", "time"})

OPERATIONS = ("click", "type", "select", "hover", "press", "scroll", "navigate", "other")
_OP_ALIASES: dict[str, str] = {
    "click": "click",
    "clicked": "click",
    "clicking": "click",
    "tap": "click",
    "tapped": "click",
    "press": "press",
    "pressed": "press",
    "enter": "press",
    "submit": "press",
    "submitted": "press",
    "check": "click",
    "checked": "click",
    "uncheck": "click",
    "dblclick": "click",
    "type": "type",
    "typed": "type",
    "typing": "type",
    "fill": "type",
    "filled": "type",
    "input": "type",
    "inputtext": "type",
    "entered": "type",
    "wrote": "type",
    "write": "type",
    "keyboard_type": "type",
    "select": "select",
    "selected": "select",
    "choose": "select",
    "chose": "select",
    "selectoption": "select",
    "select_option": "select",
    "picked": "select",
    "pick": "select",
    "hover": "hover",
    "hovered": "hover",
    "scroll": "scroll",
    "scrolled": "scroll",
    "goto": "navigate",
    "navigate": "navigate",
    "navigated": "navigate",
    "open": "navigate",
    "opened": "navigate",
    "visit": "navigate",
    "visited": "navigate",
}


def canonical_role(raw: str) -> str:
    """The canonical (ARIA) role of a role or tag name in any notation: lowercase, `[brackets]` and
    prefixes such as `AX` removed, HTML tags mapped to their implicit role ("a" -> "link",
    "select" -> "combobox"); unknown names are returned cleaned (at most 40 characters)."""
    return _canonical_role(raw[:48])


@functools.lru_cache(maxsize=1024)  # keys are at most 48 characters
def _canonical_role(raw: str) -> str:
    r = raw.strip().strip("[]<>/").lower()[:40]
    r = r.replace("-", "").replace(" ", "")
    if r.startswith("ax") and (r[2:] in KINDS or r[2:] in _ROLE_ALIASES):  # macOS AX names
        r = r[2:]
    return _ROLE_ALIASES.get(r, r)


def kind_of(role: str, input_type: str = "") -> str:
    """The kind of control of a canonical role (an input type refines it: dates, uploads)."""
    if input_type in DATE_TYPES:
        return DATE
    if input_type == "file":
        return UPLOAD
    return KINDS.get(role, STATIC if role else "")


def canonical_op(raw: str) -> str:
    """A previous action's operation in any spelling ("TYPE", "typed", "fill", "click_element")."""
    w = raw.strip().lower().replace("-", "_")
    if w in _OP_ALIASES:
        return _OP_ALIASES[w]
    head = w.split("_", 1)[0]
    return _OP_ALIASES.get(head, "other")


_SPACE_RE = re.compile(r"\s+")


def norm_name(text: str, limit: int = 200) -> str:
    """An element name as compared and encoded: NFKC, whitespace collapsed, at most `limit` chars."""
    text = text[: limit * 4]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())[:limit]


class Element(msgspec.Struct, frozen=True, gc=False):
    """One element of a page, whatever notation described it (a msgspec Struct: a page makes
    hundreds, and a Struct is built ten times faster than a frozen dataclass)."""

    role: str
    """Canonical role (`canonical_role`): "textbox", "combobox", "button", "link", "generic", ..."""
    name: str = ""
    """Accessible name: label, aria-label, placeholder, text content or alt text."""
    value: str = ""
    """Current value (typed text, selected option), if the notation gives one."""
    tag: str = ""
    """The HTML tag or the notation's own role word, when it says more than `role` ("span", "select")."""
    input_type: str = ""
    """HTML input type ("text", "date", "checkbox", ...), lowercase."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Other attributes and states the notation gave, in the order given (bounded)."""
    visible: bool = True
    focused: bool = False
    disabled: bool = False

    @property
    def kind(self) -> str:
        return kind_of(self.role, self.input_type)

    @property
    def actionable(self) -> bool:
        """A visible, enabled element that is not an unnamed container: a candidate target."""
        if not self.visible or self.disabled or self.role in _DOCUMENTS:
            return False
        return bool(self.name) or self.role not in CONTAINER_ROLES

    def same_as(self, other: Element | None) -> bool:
        """The same control: same kind and the same name (case-insensitive), names non-empty."""
        return (
            other is not None
            and bool(self.name)
            and self.kind == other.kind
            and self.name.lower() == other.name.lower()
        )


class PastAction(msgspec.Struct, frozen=True, gc=False):
    """One previous action of the agent (or person)."""

    op: str
    """One of `OPERATIONS`."""
    element: Element | None = None
    value: str = ""


class PageState(msgspec.Struct, frozen=True, gc=False):
    """A state description read into the element model."""

    elements: tuple[Element, ...] = ()
    """The page's elements in document order (visible or not; see `Element.visible`)."""
    history: tuple[PastAction, ...] = ()
    """Previous actions, oldest first."""
    text: str = ""
    """Prose that described no element ("Travel site home page", "Page is still loading")."""
    notation: str = "prose"
    """The notation the page part was read as (for diagnostics only; nothing keys on it)."""

    @property
    def last_action(self) -> PastAction | None:
        return self.history[-1] if self.history else None
