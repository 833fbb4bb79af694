"""Plain-English state descriptions -> elements ("a search box labelled 'Find a location'",
"drop-down for size", "the Deals link", "date picker").

An element is a control noun from `_NOUNS` (general English names of web controls, longest first)
plus, where given, its name: a quoted string right before or after the noun, the words after
"labelled / named / called / titled / that says / for ...", or the words right before the noun
("Sign in button"). Weak nouns ("text", "item", "option") only make an element when a name is given
explicitly. "It is focused" / "has focus" marks the element mentioned last. What no element consumed
is returned as prose for the concept lexicon.
"""

from __future__ import annotations

import itertools
import re

from reference_server.planner._elements import Element, norm_name

__all__ = ["PROSE_NOUNS", "read_prose"]

MAX_PROSE_CHARS = 8192
MAX_PROSE_ELEMENTS = 64

# noun -> (role, input type, strong)
_NOUNS: dict[str, tuple[str, str, bool]] = {}


def _add(role: str, input_type: str, strong: bool, *nouns: str) -> None:
    for n in nouns:
        _NOUNS[n] = (role, input_type, strong)


_add(
    "searchbox",
    "",
    True,
    "search box",
    "search bar",
    "search field",
    "search input",
    "searchbox",
    "search textbox",
    "search text box",
    "searchbar",
)
_add(
    "textbox",
    "",
    True,
    "text field",
    "text box",
    "textbox",
    "text input",
    "input field",
    "input box",
    "entry field",
    "edit box",
    "text area",
    "textarea",
    "form field",
    "field",
    "fields",
    "input",
    "inputs",
    "address bar",
)
_add("spinbutton", "", True, "number field", "number input", "spin box", "spinbox", "spin button", "stepper")
_add(
    "combobox",
    "",
    True,
    "drop-down list",
    "drop-down menu",
    "drop down menu",
    "drop down list",
    "dropdown menu",
    "dropdown list",
    "drop-down",
    "drop down",
    "dropdown",
    "select box",
    "select menu",
    "select list",
    "select field",
    "selection box",
    "selector",
    "combo box",
    "combobox",
    "pull-down menu",
    "pulldown",
    "pull-down",
    "picker",
    "chooser",
)
_add("listbox", "", True, "list box", "listbox", "list of options")
_add(
    "textbox",
    "date",
    True,
    "date picker",
    "datepicker",
    "date field",
    "date input",
    "date selector",
    "calendar",
    "calendar widget",
)
_add("textbox", "time", True, "time picker", "time field")
_add("button", "file", True, "file upload", "file input", "file picker", "upload field")
_add("checkbox", "", True, "checkbox", "check box", "tick box", "tickbox", "checkboxes")
_add("radio", "", True, "radio button", "radio buttons", "radio option", "radio")
_add("switch", "", True, "toggle switch", "toggle", "switch")
_add("button", "", True, "button", "buttons", "btn", "call to action")
_add("link", "", True, "link", "links", "hyperlink", "anchor")
_add("tab", "", False, "tab")
_add("menuitem", "", True, "menu item", "menu entry", "menu option")
_add("img", "", True, "image", "picture", "photo", "thumbnail", "logo", "icon", "svg icon", "svg")
_add("slider", "", True, "slider")
_add("heading", "", False, "heading", "headline", "title")
_add("label", "", False, "label", "caption")
_add("text", "", False, "text", "words", "message")
_add("generic", "", False, "item", "element", "entry", "card", "tile", "area", "section", "span", "div")
_add("option", "", False, "option", "choice", "suggestion")
_add("listitem", "", False, "list item", "bullet")
_add("gridcell", "", False, "cell", "calendar day", "day cell", "date cell")

PROSE_NOUNS = frozenset(w for n in _NOUNS for w in n.split() if len(n.split()) == 1)
"""One-word control nouns: mentions of these are read here, where compounds are known."""

_QUOTED = r"'(?P<qa>[^\n]{0,120}?)'(?=$|[\s.,;:!?)\]])|\"(?P<qb>[^\"\n]{0,120})\"|\u201c(?P<qc>[^\u201d\n]{0,120})\u201d|\u2018(?P<qd>[^\u2019\n]{0,120})\u2019"
_WORD_SPLIT = re.compile(r"([A-Za-z][\w-]*)")
_ASCII_WORD_SPLIT = re.compile(r"([a-z][a-z0-9_-]*)")
"""`_WORD_SPLIT` on lowercase ASCII text (character classes, not the Unicode word test)."""
"""A word (the noun lookup's unit); split with it, the text alternates gap, word, ..., gap."""
_FIRST: dict[str, tuple[int, ...]] = {}
for _noun in _NOUNS:
    _FIRST[_noun.split()[0]] = tuple(
        sorted({*_FIRST.get(_noun.split()[0], ()), len(_noun.split())}, reverse=True)
    )
"""First word of a noun -> the nouns' lengths in words, longest first."""


def _nouns(text: str) -> list[tuple[int, int, str]]:
    """(start, end, noun) of every control noun, longest first, left to right: the words of the text
    looked up in `_NOUNS` (a dictionary, not one large regex alternation: much faster).

    The text is split once (`parts`: gap, word, gap, word, ..., gap) and offsets are summed only when
    a word can start a noun: no match object per word."""
    if text.isascii():  # lowercasing ASCII changes no length and no word boundary
        parts = _ASCII_WORD_SPLIT.split(text.lower())
        lows = parts[1::2]
    else:
        parts = _WORD_SPLIT.split(text)
        lows = [w.lower() for w in parts[1::2]]
    if _FIRST.keys().isdisjoint(lows):
        return []
    n_words = len(lows)
    ends: list[int] | None = None
    out = []
    free = 0  # the first word not inside an earlier noun
    for i in [i for i, w in enumerate(lows) if w in _FIRST]:
        if i < free:
            continue
        for n in _FIRST[lows[i]]:
            if i + n > n_words:
                continue
            key = lows[i] if n == 1 else " ".join(lows[i : i + n])
            if key in _NOUNS and all(  # the words of a noun are separated by spaces only
                parts[2 * k + 2].isspace() for k in range(i, i + n - 1)
            ):
                if ends is None:
                    ends = list(itertools.accumulate(map(len, parts)))
                out.append((ends[2 * i], ends[2 * (i + n) - 1], key))
                free = i + n
                break
    return out


_AFTER_QUOTED = re.compile(r"\s*(?::\s*)?(?:" + _QUOTED + ")")
_BEFORE_QUOTED = re.compile(r"(?:" + _QUOTED + r")\s*$")
_CLOSING_QUOTES = frozenset("'\"\u201d\u2019")
_LABEL_WORDS = (
    r"label(?:l)?ed(?:\s+as)?|named|called|titled|entitled|marked|captioned|reading|saying|"
    r"that\s+(?:says|reads|shows)|which\s+(?:says|reads)|with\s+the\s+(?:text|label|caption|placeholder|title|name)|"
    r"with\s+(?:text|label|placeholder|caption)|showing|displaying|for(?:\s+the)?|about|to\s+(?:choose|pick|select|enter|type)(?:\s+the)?|"
    r"where\s+you\s+(?:enter|type|choose|pick)(?:\s+the)?|asking\s+for(?:\s+the)?|of"
)
_AFTER_LABEL = re.compile(
    r"\s*,?\s*(?:"
    + _LABEL_WORDS
    + r")\s*:?\s*(?:(?:"
    + _QUOTED
    + r")|(?P<words>[^.,;:!?\n()\"\u201c\u201d]{1,80}))",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(
    r"[ \t]+((?:[A-Z][\w'&$-]*)(?:[ \t]+[A-Za-z0-9][\w'&$-]*){0,5}?)(?=[ \t]*(?:$|[.,;:!?\n()]))"
)
_NOT_NAMES = frozenset(
    [
        "at",
        "on",
        "in",
        "near",
        "below",
        "above",
        "under",
        "with",
        "next",
        "beside",
        "inside",
        "of",
        "is",
        "are",
        "was",
        "and",
        "or",
    ]
)
_CLAUSE_END = re.compile(
    r"\s+(?:and|with|which|that|where|on|at|in|near|below|above|under|next|beside|is|are|has|to\s+the|"
    r"so|but|then|it|visible|shown|available|displayed)\b.*$",
    re.IGNORECASE,
)
_BEFORE_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "with",
        "and",
        "or",
        "has",
        "have",
        "had",
        "shows",
        "show",
        "showing",
        "there",
        "is",
        "are",
        "was",
        "were",
        "its",
        "it",
        "of",
        "for",
        "your",
        "our",
        "their",
        "this",
        "that",
        "these",
        "those",
        "some",
        "one",
        "two",
        "three",
        "plus",
        "also",
        "then",
        "see",
        "can",
        "you",
        "we",
        "i",
        "which",
        "where",
        "below",
        "above",
        "near",
        "beside",
        "there's",
        "here",
        "here's",
        "contains",
        "containing",
        "includes",
        "including",
        "main",
        "primary",
        "big",
        "large",
        "small",
        "little",
        "top",
        "bottom",
        "blue",
        "red",
        "green",
        "grey",
        "gray",
        "new",
        "empty",
        "visible",
        "single",
        "first",
        "second",
        "third",
        "another",
        "other",
        "global",
        "header",
        "sticky",
        "orange",
        "white",
        "black",
        "yellow",
        "only",
        "current",
        "currently",
        "focused",
        "highlighted",
        "active",
        "disabled",
        "greyed",
        "labelled",
        "labeled",
        "named",
        "called",
    ]
)
_FOCUS = re.compile(
    r"\b(?:it\s+is\s+focused|it's\s+focused|is\s+focused|has\s+(?:the\s+)?focus|(?:has|with)\s+the\s+cursor|"
    r"cursor\s+is\s+in\s+it|currently\s+focused|is\s+active|focused)\b",
    re.IGNORECASE,
)
_VALUE = re.compile(
    r"\s*,?\s*(?:that\s+)?(?:contains|containing|holds|holding|with\s+the\s+value|set\s+to|currently\s+(?:shows|showing)|"
    r"filled\s+(?:in\s+)?with|already\s+(?:has|holds))\s+(?:the\s+(?:text|value)\s+)?(?:" + _QUOTED + ")",
    re.IGNORECASE,
)


def _quoted(m: re.Match[str]) -> str:
    for g in ("qa", "qb", "qc", "qd"):
        v = m.group(g)
        if v is not None:
            return v
    return ""


_BEFORE_WORDS = re.compile(r"[\w$&+'/-]+|[^\w\s]")
_NAME_CHAR = re.compile(r"[\w$&+'/-]")


def _words_before(prefix: str) -> str:
    """Up to four name words right before a noun ("Sign in" button), stopping at function words."""
    words = _BEFORE_WORDS.findall(prefix[-60:])
    out: list[str] = []
    for w in reversed(words):
        if not _NAME_CHAR.match(w) or w.lower() in _BEFORE_STOP or len(out) == 4:
            break
        out.append(w)
    return " ".join(reversed(out))


def _may_say_focus(text: str) -> bool:
    """False when `_FOCUS` cannot match: each of its phrases holds "focus", "cursor" or "active", and
    on ASCII text a case-insensitive match is a match in the lowercased text (a quick test)."""
    if not text.isascii():
        return True
    low = text.lower()
    return "focus" in low or "cursor" in low or "active" in low


def read_prose(text: str) -> tuple[list[Element], str]:
    """Elements described in English, in order, and the prose left over."""
    text = text[:MAX_PROSE_CHARS]
    elements: list[Element] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for start, end, noun in _nouns(text):
        if len(elements) >= MAX_PROSE_ELEMENTS:
            break
        if start < pos:
            continue
        role, input_type, strong = _NOUNS[noun]
        name = ""
        lo = max(pos, start - 124)
        # a quoted name right before the noun ends with a closing quote (then only spaces)
        before = (
            _BEFORE_QUOTED.search(text, lo, start)
            if text[lo:start].rstrip()[-1:] in _CLOSING_QUOTES
            else None
        )
        after = _AFTER_QUOTED.match(text, end)
        if after is not None:
            name, end = _quoted(after), after.end()
        elif before is not None and before.end() == start:
            name, start = _quoted(before), before.start()
        else:
            lab = _AFTER_LABEL.match(text, end)
            if lab is not None:
                name = _quoted(lab) or _CLAUSE_END.sub("", lab.group("words") or "").strip()
                end = lab.end() if name else end
            if not name:
                cap = _CAPITALISED.match(text, end)
                if strong and cap is not None and cap.group(1).split()[0].lower() not in _NOT_NAMES:
                    # "textbox From", "a link Deals": a title-case name right after the noun
                    name, end = _CLAUSE_END.sub("", cap.group(1)).strip(), cap.end()
            if not name:
                name = _words_before(text[pos:start])
                if name:
                    start = text.rfind(name, pos, start)
        if not strong and not name:
            continue
        if not name and role == "searchbox":
            name = "Search"  # "a search bar": what it is for is its label
        value = ""
        val = _VALUE.match(text, end)
        if val is not None:
            value, end = _quoted(val), val.end()
        elements.append(
            Element(role=role, name=norm_name(name), value=norm_name(value, 80), input_type=input_type)
        )
        spans.append((start, end))
        pos = end
    if elements and _may_say_focus(text):
        focus = list(_FOCUS.finditer(text))
        for f in focus:  # focus applies to the element mentioned last before it
            idx = max((i for i, (s, _) in enumerate(spans) if s <= f.start()), default=-1)
            if idx >= 0:
                e = elements[idx]
                elements[idx] = Element(
                    role=e.role, name=e.name, value=e.value, input_type=e.input_type, focused=True
                )
    rest: list[str] = []
    last = 0
    for begin, stop in spans:
        rest.append(text[last:begin])
        last = stop
    rest.append(text[last:])
    return elements, " ".join(" ".join(rest).split())
