"""State reader: the notations agents and people write a page in -> one `PageState`.

    read_state("- textbox \\"From\\" [ref=e12]\\nPrevious: click link 'Flights'")

Notations read (any of them may be mixed with prose, and any may be followed by a history section):

* Mind2Web tags, `[textbox] 'From'`, and bare ARIA roles, `textbox 'From'`, `textbox: From`;
* accessibility trees: Playwright aria snapshots (`- textbox "From" [ref=e12]`, nested YAML), the
  WebArena/BrowserGym and Stagehand outlines (`[164] textbox 'Search' focused: True`,
  `[0-12] button: Submit`), Chrome's text dumps (`textField name='From'`) and CDP
  `Accessibility.getFullAXTree` / Puppeteer snapshot JSON;
* HTML fragments and whole pages (`_read_html`);
* indexed DOM lists as browser agents print them (`[12]<input type=text placeholder=From />`,
  `*[13]*<button>Go</button>`, `[3]: <input> "From";`);
* JSON element lists (`[{"role": "textbox", "name": "From"}]`, `{"elements": [...], "history": [...]}`);
* plain English (`_read_prose`).

Previous actions ("Previous: CLICK [link] 'Deals'", "Action history: 1. clicked the Deals link",
`click_element_by_index(12)`, JSON action lists) are read with the same element readers.

Bounded: at most `MAX_READ_CHARS` characters are read, element and history counts are capped, JSON
depth is bounded, and no input raises (a state that cannot be read becomes prose).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from reference_server.planner._elements import (
    KINDS,
    Element,
    PageState,
    PastAction,
    canonical_op,
    canonical_role,
    norm_name,
)
from reference_server.planner._read_html import read_html
from reference_server.planner._read_prose import PROSE_NOUNS, read_prose

__all__ = ["MAX_READ_CHARS", "read_state"]

MAX_READ_CHARS = 262_144
MAX_ELEMENTS = 2000
MAX_HISTORY = 32
MAX_JSON_DEPTH = 48

# -- role words -----------------------------------------------------------------------------------
_EXTRA_ROLE_WORDS = {
    "textarea",
    "select",
    "img",
    "span",
    "div",
    "hyperlink",
    "textfield",
    "pushbutton",
    "popupbutton",
    "togglebutton",
    "menubutton",
    "labeltext",
    "genericcontainer",
    "comboboxselect",
    "comboboxmenubutton",
    "menulistpopup",
    "menulistoption",
    "listboxoption",
    "inlinetextbox",
    "checkbutton",
    "radiobutton",
    "disclosuretriangle",
    "svg",
    "path",
    "li",
    "td",
    "th",
    "a",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "input",
}
_ROLE_WORDS = frozenset(KINDS) | _EXTRA_ROLE_WORDS
_CONTROL_ROLES = frozenset(
    r for r, k in KINDS.items() if k in ("entry", "choice", "toggle", "action", "dialog", "media")
) | {"text", "statictext", "heading", "img", "textfield", "pushbutton", "popupbutton"}
_COLON_PROSE = frozenset(
    [
        "note",
        "status",
        "alert",
        "main",
        "form",
        "section",
        "article",
        "list",
        "group",
        "region",
        "document",
        "banner",
        "figure",
        "time",
        "summary",
        "address",
        "caption",
        "output",
        "details",
        "code",
        "label",
        "text",
        "menu",
        "table",
        "row",
        "cell",
        "option",
        "tab",
        "image",
        "heading",
    ]
)
"""Role words that also open prose lines ("Note: ...", "Status: ..."): `word: x` is an element only
with a bullet or an index before it."""

_Q = r"'(?P<qa>[^\n]{0,200}?)'(?=$|[\s.,;:!?)\]\[])|\"(?P<qb>(?:[^\"\\\n]|\\.){0,200})\"|\u201c(?P<qc>[^\u201d\n]{0,200})\u201d"
_LEAD = re.compile(
    r"^[\s\-*•+|`├└─│>]*(?:\*?\[(?P<id>[\w.:#-]{1,16})\]\*?\s*:?\s*|(?P<num>\d{1,5})[.):]\s+)?",
)
_ROLE_HEAD = re.compile(r"(?P<role>[A-Za-z][\w-]{0,30})\b")
_NAME_AFTER = re.compile(r"\s*(?:" + _Q + r")")
_NAME_COLON = re.compile(r"\s*:\s*(?:(?:" + _Q + r")|(?P<rest>[^\n\[]*))")
_NAME_ATTR = re.compile(r"\bname\s*=\s*(?:" + _Q + r"|(?P<bare>[^\s,]+))")
_VALUE_PROP = re.compile(r"\bvalue\s*[:=]\s*(?:" + _Q + r"|(?P<bare>[^\s,\]]+))", re.IGNORECASE)
_PROP_TRUE = re.compile(
    r"\b(focused|checked|selected|disabled|expanded|required|active|hidden)\b(?:\s*[:=]\s*(\w+))?",
    re.IGNORECASE,
)
_REF = re.compile(r"\[ref=([\w-]{1,16})\]")
_SIMPLE_REF = re.compile(r" \[ref=([a-z]?[0-9]{1,15})\]")
_ARIA_LINE = re.compile(
    r"^[ \t]*- (?P<role>[A-Za-z][\w-]{0,30})(?: \"(?P<name>(?:[^\"\\\n]|\\.){0,300})\")?"
    r"(?P<states>(?: \[[^\]\n]{0,40}\])*)(?::(?: (?P<value>[^\n]*))?)?[ \t]*$"
)
"""The common shape of a Playwright aria snapshot line, read without the general path."""
_WRAPPER_ROLES = (
    "generic",
    "group",
    "none",
    "presentation",
    "list",
    "region",
    "main",
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "form",
    "document",
    "section",
    "article",
    "rowgroup",
    "table",
    "row",
    "grid",
    "toolbar",
    "menubar",
    "tablist",
    "search",
)
_WRAPPER = re.compile(rf"^[ \t]*- (?:{'|'.join(_WRAPPER_ROLES)})(?: \[[^\]\n]{{0,40}}\])*:[ \t]*$")
"""An unnamed structural node of an aria snapshot with children: skipped (a dialog is kept: it says a
modal is open)."""
_WRAPPER_SET = frozenset(_WRAPPER_ROLES)
_OUTLINE = re.compile(
    r"(?P<a>^[ \t]*- (?P<role>[A-Za-z][\w-]{0,30})(?: \"(?P<name>[^\"\\\n]*+(?:\\.[^\"\\\n]*+)*+)\")?"
    r"(?: \[ref=(?P<ref>[a-z]?[0-9]{1,15})\])?(?P<colon>:(?: (?P<value>[^\n]*))?)?[ \t]*$)"
    r"|(?P<o>^.*$)",
    re.MULTILINE,
)
"""One line of an outline per match: an aria snapshot line with at most a plain ref (`_ARIA_LINE`
with `_SIMPLE_REF` states; its name not bounded here), or any other line. Used where lines end at
"\n" only, as `splitlines` then splits them."""
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Line boundaries of `str.splitlines` besides "\n"."""
_VALUE_AFTER = re.compile(r"\s*(?:\[[^\]]*\]\s*)*:\s*(.+)$")
_TRAILING_STATES = re.compile(r"(?:\s*\[[^\]\n]{0,40}\])+\s*$")
_STATE_BRACKETS = re.compile(
    r"(?:\s*\[(?:ref|level|cursor|url|checked|disabled|selected|expanded|pressed|active|focused|required)\b[^\]\n]{0,40}\])+"
)
_BRACKET_TAG = re.compile(r"\[(?P<role>[A-Za-z][\w-]{0,30})\]")
_INLINE = re.compile(
    r"\[(?P<role>[A-Za-z][\w-]{0,30})\]|(?<![\w\[<'\"])(?P<bare>[A-Za-z][\w-]{0,30})\s+(?=[\"'\u201c])"
)
_HTML_TAG = re.compile(r"<[a-zA-Z][\w:-]*(?:\s|/?>)")
_INDEXED_HTML = re.compile(r"^[\s\-*•|]*\*?\[[\w.-]{1,16}\]\*?\s*:?\s*<[a-zA-Z]", re.MULTILINE)
_HEADER_PHRASES = (
    r"(?:<(?:previous_actions|history|action_history)>|(?:(?:previous|prior|past|earlier|last)\s+"
    r"(?:actions?|steps?|operations?|interactions?)|action\s+history|history|previous(?:ly)?|actions?\s+(?:so\s+far|taken)|"
    r"steps?\s+(?:so\s+far|taken)|done\s+so\s+far|already\s+done)\s*(?:\([^)]*\))?\s*[:\-][ \t]*)"
)
_HISTORY = re.compile(r"(?:^|\n|(?<=[.!?;])\s|^\s*)\s*(?:#+\s*)?" + _HEADER_PHRASES, re.IGNORECASE)
_PROSE_PHRASES = (
    r"(?:before\s+(?:this|that)|so\s+far|earlier|previously|already),?\s+"
    r"(?=(?:i|we|you|the\s+(?:agent|user))\s+(?:have\s+|had\s+)?\w)"
)
_HISTORY_PROSE = re.compile(r"(?:^|(?<=[.!?;])\s+)" + _PROSE_PHRASES, re.IGNORECASE)
_HEADER_REST = r"(?:(?<=\n)|\s)\s*+(?:#++\s*+)?(?=[<paehsdl])" + _HEADER_PHRASES
_HISTORY_AFTER = re.compile(r"[\n.!?;]" + _HEADER_REST, re.IGNORECASE)
_HISTORY_SCAN = re.compile(
    rf"[\n.!?;](?:(?P<h>{_HEADER_REST})|(?P<p>(?<=[.!?;])\s++{_PROSE_PHRASES}))", re.IGNORECASE
)
"""`_HISTORY` and `_HISTORY_PROSE` after the start of the text, from the character before their
match (a newline or `.!?;`; a header's own match starts at the newline, or one character later):
the same matches, found in one scan that skips to those characters, with no backtracking into
whitespace and a header's first letter checked before its words."""
_HISTORY_WORDS = (
    "previous",
    "prior",
    "past",
    "earlier",
    "last",
    "history",
    "action",
    "step",
    "done",
    "before th",
    "so far",
    "already",
)
_HISTORY_CLOSE = re.compile(r"</(?:previous_actions|history|action_history)>", re.IGNORECASE)
_ACTION_SPLIT = re.compile(
    r"\s*(?:\n|;|\s->\s|\s→\s|\s\|\s|,?\s+then\s+|(?<=\))\s*,\s*|(?:^|\s)\d{1,3}[.)]\s+)\s*"
)
_OP_HEAD = re.compile(
    r"^\W*(?:(?:i|we|the\s+(?:agent|user))\s+)?(?P<op>[A-Za-z][A-Za-z_]*)(?:\s*\(|\s*:|\b)", re.IGNORECASE
)
_INDEX_REF = re.compile(
    r"(?:index|ref|mmid|bid|\bid)\s*[=:(]\s*['\"]?(?P<ref>[\w-]{1,16})|\[(?P<br>\d{1,6}|e\d{1,6})\]",
    re.IGNORECASE,
)
_OP_VALUE = (
    re.compile(r"(?:text|value|option|label|with)\s*[=:]?\s*(?:" + _Q + r")", re.IGNORECASE),
    re.compile(r"^\W*[A-Za-z_]+\s*(?::\s*)?(?:" + _Q + r")"),
)
_LOCATOR = re.compile(
    r"get_?by_?(?P<how>role|placeholder|label|text|alt_?text|title)\(\s*['\"](?P<a>[^'\"]{0,120})['\"]"
    r"(?:\s*,\s*\{?\s*name\s*[:=]\s*['\"](?P<b>[^'\"]{0,120})['\"])?",
    re.IGNORECASE,
)
_METHOD = re.compile(r"\)\s*\.\s*([A-Za-z_]+)\s*\(")
_LOCATOR_ROLES = {
    "placeholder": "textbox",
    "label": "textbox",
    "text": "text",
    "alttext": "img",
    "alt_text": "img",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_CONTROL_TABLE = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F], " ")
"""`_CONTROL`'s ASCII characters: `str.translate` replaces them in long ASCII text five times faster."""
_IT_HAS_FOCUS = re.compile(
    r"\b(?:it\s+is|it's|is\s+now)\s+focused\b|\bhas\s+(?:the\s+)?focus\b", re.IGNORECASE
)


def _quoted(m: re.Match[str]) -> str | None:
    for g in ("qa", "qb", "qc"):
        v = m.group(g)
        if v is not None:
            return v.replace('\\"', '"') if g == "qb" else v
    return None


def _role(word: str) -> str:
    return canonical_role(word)


def _props(rest: str, base: dict[str, Any]) -> dict[str, Any]:
    """States and attributes after a name: `[checked]`, `focused: True`, `value: "x"`, `[ref=e12]`."""
    if not rest.strip():
        return base
    for m in _PROP_TRUE.finditer(rest):
        val = (m.group(2) or "true").lower()
        if val in ("true", "1", "yes", "mixed"):
            base[m.group(1).lower()] = True
    v = _VALUE_PROP.search(rest)
    if v is not None:
        base["value"] = _quoted(v) or v.group("bare") or ""
    r = _REF.search(rest)
    if r is not None:
        base["ref"] = r.group(1)
    return base


def _make(role_word: str, name: str, info: dict[str, Any], ref: str = "") -> Element:
    ref = ref or info.get("ref", "")
    attrs: tuple[tuple[str, str], ...] = (("ref", ref),) if ref else ()
    if len(info) > ("ref" in info):
        attrs += tuple(
            (key, "true") for key in ("checked", "selected", "expanded", "required") if info.get(key)
        )
    tag, role = _tag_and_role(role_word)
    value = info.get("value", "")
    return Element(
        role,
        norm_name(name) if name else "",
        "" if value == "" else norm_name(str(value), 80),
        tag,
        "",
        attrs,
        not info.get("hidden", False),
        bool(info.get("focused") or info.get("active")),
        bool(info.get("disabled")),
    )


@functools.lru_cache(maxsize=1024)  # role words are at most 31 characters (the patterns' limit)
def _tag_and_role(role_word: str) -> tuple[str, str]:
    """The notation's own role word (when it says more than the role) and the canonical role."""
    raw = role_word.lower().replace("-", "")
    role = _role(role_word)
    return (raw if raw != role else ""), role


_ROLE_WORD_INFO: dict[str, tuple[bool, str, str]] = {}


def _role_word_info(role_word: str) -> tuple[bool, str, str]:
    """Whether a word is a role word (`_ROLE_WORDS`), and its `_tag_and_role` (cached)."""
    info = (role_word.lower() in _ROLE_WORDS, *_tag_and_role(role_word))
    if len(_ROLE_WORD_INFO) < 4096:
        _ROLE_WORD_INFO[role_word] = info
    return info


def _plain_aria(role_word: str, quoted: str | None, ref: str | None, value: str | None) -> Element:
    """An aria snapshot line with no state but a plain ref and no value besides its name: the common
    line (`- link "Deals" [ref=e5]`, `- text: Boston`), as `_line_element` reads it."""
    name = ((quoted if quoted is not None else value) or "").replace('\\"', '"')
    tag, role = _tag_and_role(role_word)
    attrs = () if ref is None else (("ref", ref),)
    return Element(role, norm_name(name) if name else "", "", tag, "", attrs, True, False, False)


def _line_element(line: str) -> Element | None:
    """An outline line that starts (after bullets and an index) with a role word: aria snapshot,
    AX outlines, bare roles and Mind2Web tags alone on a line."""
    fast = _ARIA_LINE.match(line)
    if fast is not None and fast.group("role").lower() in _ROLE_WORDS:
        role_word, quoted, states, value = fast.groups()
        simple = _SIMPLE_REF.fullmatch(states) if states else None  # `[ref=e12]` alone: just a ref
        if (simple is not None or not states) and (quoted is None or not value):
            return _plain_aria(role_word, quoted, None if simple is None else simple.group(1), value)
        info: dict[str, Any] = {}
        if states:
            info = {"ref": simple.group(1)} if simple is not None else _props(states, info)
        if quoted is None and value:  # `- text: Boston`, `- generic: Boston`: the text is the name
            quoted, value = value, ""
        if value:
            tail = _TRAILING_STATES.search(value)
            if tail is not None:  # `- textbox "Name": Ada [active]`
                _props(tail.group(0), info)
                value = value[: tail.start()]
            info.setdefault("value", value.strip().strip('"'))
        return _make(role_word, (quoted or "").replace('\\"', '"'), info)
    lead = _LEAD.match(line)
    pos = lead.end() if lead else 0
    ref = (lead.group("id") or "") if lead else ""
    if ref.lower().replace("-", "") in _ROLE_WORDS and lead is not None:  # `[textbox] 'From'`: a tag
        pos, ref = line.index("[", lead.start()), ""
    bracket = _BRACKET_TAG.match(line, pos)
    if bracket is not None and bracket.group("role").lower().replace("-", "") in _ROLE_WORDS:
        role_word, pos = bracket.group("role"), bracket.end()
    else:
        head = _ROLE_HEAD.match(line, pos)
        if head is None or head.group("role").lower().replace("-", "") not in _ROLE_WORDS:
            return None
        role_word, pos = head.group("role"), head.end()
    rest = line[pos:]
    if "[" in rest and any(b.group("role").lower() in _ROLE_WORDS for b in _BRACKET_TAG.finditer(rest)):
        return None  # several tagged elements on one line: `_inline` reads them
    info = {}
    name: str | None = None
    q = _NAME_AFTER.match(rest)
    if q is not None:
        name, rest = _quoted(q), rest[q.end() :]
    else:
        na = _NAME_ATTR.search(rest)
        if na is not None:
            name = _quoted(na) or na.group("bare")
        else:
            colon = _NAME_COLON.match(rest)
            role_ok = ref or role_word.lower() not in _COLON_PROSE or line.lstrip().startswith("-")
            if colon is not None and role_ok:
                name = _quoted(colon) if colon.group("rest") is None else colon.group("rest").strip()
                rest = rest[colon.end() :]
            elif bracket is not None and rest.strip() and not rest.lstrip().startswith("["):
                name, rest = rest.strip(), ""
            elif (
                rest.strip()
                and not rest.lstrip().startswith(("[", "("))
                and not _PROP_TRUE.match(rest.strip())
            ):
                return None  # "Search results page ..." is prose, not a role line
    _props(rest, info)
    if name is None:
        name = ""
    # Playwright: `- textbox "From": Paris` gives the value after the colon
    after = _VALUE_AFTER.match(rest)
    if after is not None and not info.get("value") and q is not None:
        info["value"] = _TRAILING_STATES.sub("", after.group(1)).strip().strip('"')
    if ref and not re.fullmatch(r"[\w.-]+", ref):
        ref = ""
    return _make(role_word, name, info, ref)


def _inline(text: str) -> tuple[list[Element], str]:
    """Role mentions inside a line of prose ("Current page: [textbox] 'From' visible.",
    "a textbox 'From'"), then English descriptions in what is left."""
    elements: list[tuple[int, Element]] = []
    rest: list[str] = []
    last = 0
    tagged = "[" in text or "'" in text or '"' in text or "\u201c" in text  # what every match holds
    for m in _INLINE.finditer(text) if tagged else ():
        if m.start() < last:
            continue
        word = m.group("role") or m.group("bare")
        low = word.lower().replace("-", "")
        if low not in _ROLE_WORDS or (m.group("bare") and low in PROSE_NOUNS):
            continue  # English nouns ("menu", "link") are the prose reader's: it knows compounds
        pos = m.end()
        q = _NAME_AFTER.match(text, pos)
        info: dict[str, Any] = {}
        if q is not None:
            name = _quoted(q) or ""
            pos = q.end()
        elif m.group(0).startswith("["):
            unq = re.match(
                r"\s*([^\[\n;]*?)(?=\s*(?:$|[\n;]|\.(?:\s|$)|\s+(?:visible|is|and|with)\b|\[))", text[pos:]
            )
            name = unq.group(1) if unq else ""
            pos += unq.end() if unq else 0
        else:
            continue
        props = _STATE_BRACKETS.match(text, pos)
        if props is not None:
            _props(props.group(0), info)
            pos = props.end()
        rest.append(text[last : m.start()])
        elements.append((m.start(), _make(word, name, info)))
        last = pos
    rest.append(text[last:])
    prose_elements, prose = read_prose(" ".join(rest))
    if prose_elements and elements:  # keep document order: the prose ones after the tagged ones
        return [e for _, e in elements] + prose_elements, prose
    return [e for _, e in elements] or prose_elements, prose


def _focus_last(elements: list[Element], prose: str) -> list[Element]:
    if elements and (not prose.isascii() or "focus" in prose.lower()) and _IT_HAS_FOCUS.search(prose):
        e = elements[-1]
        if not e.focused:
            elements[-1] = Element(
                e.role, e.name, e.value, e.tag, e.input_type, e.attrs, e.visible, True, e.disabled
            )
    return elements


def _outline_line(line: str, elements: list[Element], prose: list[str]) -> int:
    """Read one line of an outline into `elements` or `prose`; 1 when it is an outline line."""
    if not line.strip():
        return 0
    if _WRAPPER.match(line):  # `- generic [ref=e2]:` holds the next lines and says nothing itself
        return 1
    one = _line_element(line)
    if one is not None:
        elements.append(one)
        return 1
    found, rest = _inline(line)
    elements.extend(found)
    if rest:
        prose.append(rest)
    return 0


def _read_page(text: str) -> tuple[list[Element], str, str]:
    """Elements, leftover prose and the notation of the page part of a state."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        got = _read_json(stripped)
        if got is not None:
            els, _hist, loose_text = got
            return els, loose_text, "json"
    elements: list[Element] = []
    prose: list[str] = []
    if "[" in text and "<" in text and _INDEXED_HTML.search(text):
        for line in text.splitlines():
            lead = _LEAD.match(line)
            ref = lead.group("id") if lead and lead.group("id") else ""
            body = line[lead.end() :] if lead else line
            if ref and body.lstrip().startswith("<"):
                found, loose = read_html(body)
                if found:
                    e = found[0]
                    name = e.name.removesuffix("/>").strip(" ;\"'") or norm_name(loose.strip(" ;/>\"'"))
                    attrs = (("ref", ref), *e.attrs)
                    elements.append(
                        Element(
                            e.role,
                            name,
                            e.value,
                            e.tag,
                            e.input_type,
                            attrs,
                            e.visible,
                            e.focused,
                            e.disabled,
                        )
                    )
                    continue
            if line.strip():
                prose.append(line.strip())
            if len(elements) >= MAX_ELEMENTS:
                break
        return elements, " ".join(prose), "indexed-dom"
    if _HTML_TAG.search(text):
        els, loose = read_html(text)
        if els:
            return els, loose, "html"
    outline = 0
    if _OTHER_BREAKS.search(text) is None:  # lines end at "\n": one scan of `_OUTLINE` splits and reads
        for m in _OUTLINE.finditer(text):
            if m.lastgroup == "a":
                role_word, quoted, ref, colon, value = m.group("role", "name", "ref", "colon", "value")
                if (
                    role_word in _WRAPPER_SET
                    and quoted is None
                    and colon is not None
                    and (not value or not value.strip(" \t"))
                ):
                    outline += 1  # `_WRAPPER`: `- generic [ref=e2]:` holds the next lines, says nothing
                    continue
                known = _ROLE_WORD_INFO.get(role_word) or _role_word_info(role_word)
                if known[0] and (quoted is None or (not value and len(quoted) <= 300)):
                    # `_plain_aria`, inline: a page has hundreds of these lines
                    name = ((quoted if quoted is not None else value) or "").replace('\\"', '"')
                    if name:
                        name = " ".join(name[:800].split())[:200] if name.isascii() else norm_name(name)
                    elements.append(
                        Element(known[2], name, "", known[1], "", () if ref is None else (("ref", ref),))
                    )
                    outline += 1
                    if len(elements) >= MAX_ELEMENTS:
                        break
                    continue
            outline += _outline_line(m.group(), elements, prose)
            if len(elements) >= MAX_ELEMENTS:
                break
    else:
        for line in text.splitlines():
            outline += _outline_line(line, elements, prose)
            if len(elements) >= MAX_ELEMENTS:
                break
    text_rest = " ".join(prose)
    return _focus_last(elements, text_rest), text_rest, "outline" if outline else "prose"


# -- JSON ---------------------------------------------------------------------------------------
_EL_ROLE_KEYS = (
    "role",
    "element_role",
    "tag",
    "tagname",
    "tag_name",
    "nodename",
    "localname",
    "element_type",
    "kind",
)
_EL_NAME_KEYS = (
    "name",
    "label",
    "aria-label",
    "aria_label",
    "arialabel",
    "accessible_name",
    "text",
    "element_text",
    "innertext",
    "inner_text",
    "content",
    "placeholder",
    "title",
    "alt",
    "description",
)
_HISTORY_KEYS = frozenset(
    {
        "previous_actions",
        "history",
        "previous",
        "action_history",
        "past_actions",
        "actions_taken",
        "steps_taken",
    }
)
_TEXT_KEYS = frozenset({"url", "page_title", "page", "summary", "status", "page_description", "observation"})


def _scalar(v: Any) -> str:
    if isinstance(v, dict):  # CDP: {"type": "computedString", "value": "From"}
        v = v.get("value", "")
    return v if isinstance(v, str) else "" if v is None or isinstance(v, (dict, list)) else str(v)


def _json_element(d: dict[str, Any]) -> Element | None:
    low = {str(k).lower(): v for k, v in d.items()}
    role_raw = next((_scalar(low[k]) for k in _EL_ROLE_KEYS if k in low and _scalar(low[k])), "")
    type_raw = _scalar(low.get("type", ""))
    if not role_raw and type_raw.lower() in _ROLE_WORDS:
        role_raw, type_raw = type_raw, ""
    if not role_raw:
        return None
    raw_attrs = low.get("attributes")
    attrs = {str(k).lower(): _scalar(v) for k, v in raw_attrs.items()} if isinstance(raw_attrs, dict) else {}
    props: dict[str, Any] = {}
    for p in low.get("properties") or []:  # CDP AXProperty list
        if isinstance(p, dict):
            props[str(p.get("name", "")).lower()] = _scalar(p.get("value"))
    name = next((_scalar(low[k]) for k in _EL_NAME_KEYS if _scalar(low.get(k, ""))), "")
    name = (
        name
        or attrs.get("aria-label")
        or attrs.get("placeholder")
        or attrs.get("title")
        or attrs.get("name", "")
    )
    tag_like = role_raw.lower().strip("[]")
    input_type = (type_raw or attrs.get("type", "")).lower() if tag_like == "input" else ""
    if tag_like == "input":
        from reference_server.planner._elements import INPUT_TYPES

        role = attrs.get("role") or INPUT_TYPES.get(input_type or "text", "textbox") or "textbox"
    else:
        role = attrs.get("role") or role_raw
    role_c = _role(role)

    def flag(key: str) -> bool:
        v = low.get(key, props.get(key, attrs.get(key, "")))
        return v is True or str(v).lower() in ("true", "1", "yes")

    ref = _scalar(low.get("index", low.get("ref", low.get("nodeid", low.get("id", "")))))
    raw = tag_like.replace("-", "")
    visible = (
        not (flag("ignored") or flag("hidden"))
        and low.get("visible", low.get("is_visible", True)) is not False
    )
    return Element(
        role=role_c,
        name=norm_name(name),
        value=norm_name(_scalar(low.get("value", props.get("value", attrs.get("value", "")))), 80),
        tag=raw if raw != role_c else "",
        input_type=input_type,
        attrs=(("ref", ref[:16]),) if ref else (),
        visible=visible,
        focused=flag("focused") or flag("active"),
        disabled=flag("disabled"),
    )


def _json_action(item: Any) -> PastAction | None:
    if isinstance(item, str):
        return _read_action(item)
    if not isinstance(item, dict):
        return None
    low = {str(k).lower(): v for k, v in item.items()}
    op_raw = next(
        (
            _scalar(low[k])
            for k in ("operation", "op", "action", "action_type", "type", "name")
            if _scalar(low.get(k, ""))
        ),
        "",
    )
    if not op_raw and len(low) == 1:  # browser-use: {"click_element": {"index": 12}}
        op_raw, inner = next(iter(low.items()))
        low = {**low, **({str(k).lower(): v for k, v in inner.items()} if isinstance(inner, dict) else {})}
    op_word = op_raw.split(":", 1)[0]
    target = low.get("element") or low.get("target")
    element = (
        _json_element(target)
        if isinstance(target, dict)
        else _json_element({k: v for k, v in low.items() if k != "type"})
    )
    value = _scalar(low.get("value", low.get("text", ""))) or (
        op_raw.split(":", 1)[1].strip() if ":" in op_raw else ""
    )
    return PastAction(canonical_op(op_word), element, norm_name(value, 80))


def _read_json(text: str) -> tuple[list[Element], list[PastAction], str] | None:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return None
    elements: list[Element] = []
    history: list[PastAction] = []
    prose: list[str] = []
    todo: list[tuple[Any, int]] = [(doc, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_JSON_DEPTH or len(elements) >= MAX_ELEMENTS:
            continue
        if isinstance(node, list):
            todo.extend((x, depth + 1) for x in reversed(node[:MAX_ELEMENTS]))
        elif isinstance(node, dict):
            el = _json_element(node)
            if el is not None:
                elements.append(el)
            kids = []
            for k, v in node.items():
                key = str(k).lower()
                if key in _HISTORY_KEYS and isinstance(v, list):
                    history.extend(a for a in (_json_action(x) for x in v[:MAX_HISTORY]) if a is not None)
                elif key in _HISTORY_KEYS and isinstance(v, str):
                    history.extend(_read_history(v))
                elif key in _TEXT_KEYS and isinstance(v, str):
                    prose.append(v[:500])
                elif isinstance(v, (dict, list)) and key not in (
                    "attributes",
                    "properties",
                    "role",
                    "name",
                    "value",
                ):
                    kids.append((v, depth + 1))
            todo.extend(reversed(kids))
    if not elements and not history:
        return None
    return elements, history[-MAX_HISTORY:], " ".join(prose)


# -- history ------------------------------------------------------------------------------------
def _read_action(text: str) -> PastAction | None:
    text = text.strip().strip(",.").strip()
    if not text:
        return None
    if text[:1] == "{":
        try:
            return _json_action(json.loads(text))
        except (ValueError, RecursionError):
            pass
    m = _OP_HEAD.match(text)
    if m is None:
        return None
    op = canonical_op(m.group("op"))
    body = text[m.end() :]
    call = _METHOD.search(text)
    if op == "other" and call is not None:  # page.getByRole(...).selectOption()
        op = canonical_op(call.group(1))
    if op == "other":  # "the Deals link was clicked"
        for word in re.findall(r"[A-Za-z_]+", text):
            if canonical_op(word) != "other":
                op = canonical_op(word)
                break
    value = ""
    if op in ("type", "select"):
        v = _OP_VALUE[1].match(text) or _OP_VALUE[0].search(text)
        value = (_quoted(v) or "") if v is not None else ""
    loc = _LOCATOR.search(text)
    if loc is not None:  # Playwright: page.getByRole('link', { name: 'Deals' }).click()
        how, a, b = loc.group("how").lower(), loc.group("a") or "", loc.group("b") or ""
        role = a if how == "role" else _LOCATOR_ROLES.get(how, "generic")
        els = [Element(role=canonical_role(role), name=norm_name(b if how == "role" else a))]
    else:
        els, _, _ = _read_page(body)
    element = els[0] if els else None
    if op == "press" and element is not None and element.role:
        op = "click"  # "pressed the Search button": keys are pressed, buttons clicked
    if element is None:
        ref = _INDEX_REF.search(text)
        if ref is not None:
            element = Element(role="", attrs=(("ref", ref.group("ref") or ref.group("br")),))
    elif value and element.name == value and len(els) > 1:
        element = els[1]
    return PastAction(op, element, norm_name(value, 80))


def _read_history(text: str) -> list[PastAction]:
    close = _HISTORY_CLOSE.search(text)
    if close is not None:
        text = text[: close.start()]
    out = []
    for part in _ACTION_SPLIT.split(text[:20000]):
        a = _read_action(part)
        if a is not None:
            out.append(a)
    return out[-MAX_HISTORY:]


def _history_first(past: str) -> tuple[str, str]:
    """(page, history) of a state that starts with its history: the rest of the header's line, or
    the lines up to a blank line or to the first line that reads as no action."""
    first, _, rest = past.partition("\n")
    if first.strip():
        return rest, first
    head, blank, tail = rest.partition("\n\n")
    if blank:
        return tail, head
    lines = rest.split("\n")
    n = 0
    while n < len(lines) and (a := _read_action(lines[n])) is not None and a.op != "other":
        n += 1
    return "\n".join(lines[n:]), "\n".join(lines[:n])


def _resolve(history: list[PastAction], elements: list[Element]) -> list[PastAction]:
    """Previous actions that name an element by index or ref get that element of the page."""
    if not history:
        return []
    by_ref = {v: e for e in elements for k, v in e.attrs if k == "ref"}
    out = []
    for a in history:
        e = a.element
        if e is not None and not e.role and e.attrs:
            e = by_ref.get(e.attrs[0][1], e)
        out.append(PastAction(a.op, e, a.value))
    return out


def _history_span(text: str) -> tuple[int, int] | None:
    """Where the history header is: the first match of `_HISTORY`, else of `_HISTORY_PROSE`, when
    the text holds one of `_HISTORY_WORDS` (lowercased).

    On ASCII text a `_HISTORY` match always holds one of those words, so that test (one scan of the
    text per word) is only made when `_HISTORY_PROSE` matched ("before  this", two spaces, holds
    none); and after the start of the text both patterns are searched as `_HISTORY_SCAN`."""
    if not text.isascii():
        low = text.lower()
        if not any(w in low for w in _HISTORY_WORDS):
            return None
        m = _HISTORY.search(text) or _HISTORY_PROSE.search(text)
        return None if m is None else m.span()
    m = _HISTORY.match(text)
    if m is not None:
        return m.span()
    m = _HISTORY_SCAN.search(text)
    prose = None
    if m is not None:
        if m.lastgroup == "h":
            return m.start() + (text[m.start()] != "\n"), m.end()
        header = _HISTORY_AFTER.search(text, m.start() + 1)  # a header further on comes first
        if header is not None:
            return header.start() + (text[header.start()] != "\n"), header.end()
        prose = m.start() + 1, m.end()
    m = _HISTORY_PROSE.match(text)
    if m is not None:
        prose = m.span()
    if prose is None:
        return None
    low = text.lower()
    return prose if any(w in low for w in _HISTORY_WORDS) else None


def read_state(text: str) -> PageState:
    """Read a state description in any supported notation into the element model (never raises)."""
    text = text[:MAX_READ_CHARS]
    text = text.translate(_CONTROL_TABLE) if len(text) > 512 and text.isascii() else _CONTROL.sub(" ", text)
    stripped = text.strip()
    if stripped[:1] in "[{":
        got = _read_json(stripped)
        if got is not None:
            els, hist, prose = got
            return PageState(tuple(els), tuple(_resolve(hist, els)), prose, "json")
    split = _history_span(text)
    page, past = (text, "") if split is None else (text[: split[0]], text[split[1] :])
    if split is not None and not page.strip() and "\n" in past.strip():  # the history comes first
        page, past = _history_first(past)
    elements, prose, notation = _read_page(page)
    history = _read_history(past) if past else []
    return PageState(tuple(elements), tuple(_resolve(history, elements)), prose[:4000], notation)
