"""The embedded executor's text answer: a short natural reply to conversation, and for tasks the plan's
steps written as a person would take them.

`compose` is what `_executor` calls. Conversation (`planner._intent.conversation_kind`: greetings,
thanks, small talk, questions about the assistant) gets a short reply and no step list. A task gets an
opener and up to three steps, each named after what it acts on: the page's elements as the planner's
state reader found them (`planner._reader.read_state`: any notation), and what the goal asks for
(the value to type, the dates to pick, the section to open). Consecutive steps never read the same.
Deterministic: the same request gives the same text; `index` (the choice number) varies the opener.
"""

from __future__ import annotations

import math
import re

from reference_server._arguments import goal_terms, locations
from reference_server._memo import memo
from reference_server.planner import Plan
from reference_server.planner._elements import Element
from reference_server.planner._intent import conversation_kind
from reference_server.planner._reader import read_state

__all__ = ["compose", "describe_steps", "goal_clause"]

_REPLIES = {
    "greeting": (
        "Hello! What would you like to do? Tell me your goal and the page you are on, and I'll plan the steps.",
        'Hi there! Give me a task, such as "find flights to Paris", and I\'ll plan how to do it.',
    ),
    "thanks": ("You're welcome! Anything else I can help with?", "Glad to help. What's next?"),
    "farewell": ("Goodbye! Come back any time you have a task.", "See you later!"),
    "wellbeing": (
        "I'm doing well, thanks for asking. What can I help you with?",
        "All good here. What would you like to do?",
    ),
    "identity": (
        "I'm the Stratus X1 planner: describe the page you are on and tell me your goal, and I'll plan "
        "the browser actions to reach it.",
        "I plan web tasks: give me a goal and the current page, and I'll say what to click, type or select.",
    ),
    "acknowledgement": (
        "Okay. Tell me when you have a task for me.",
        "Sure. What would you like to do next?",
    ),
}
_OPENERS = ("Here's how I'll {goal}.", "I'll {goal}.", "Plan to {goal}.", "Let's {goal}.")
_REQUEST_PREFIX = re.compile(
    r"^(?:please\s+|i(?:\s+would|'d)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+|help\s+me\s+(?:to\s+)?"
    r"|(?:can|could|would|will)\s+you\s+(?:please\s+)?)",
    re.IGNORECASE,
)
_GOAL_MARKER = re.compile(r"\bgoal:\s*(.+)", re.IGNORECASE)
_QUESTION = frozenset(
    [
        "what",
        "who",
        "where",
        "when",
        "why",
        "how",
        "which",
        "is",
        "are",
        "can",
        "could",
        "do",
        "does",
        "will",
        "would",
        "should",
    ]
)
_QUOTED = re.compile(r"[\"\u201c']([^\"\u201d']{1,60})[\"\u201d']")
_URL = re.compile(
    r"\b(?:https?://)?((?:[\w-]+\.)+(?:com|org|net|io|dev|edu|gov|co|uk|de|fr|app|ai)(?:/\S*)?)", re.I
)
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATES = re.compile(
    rf"\b(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:-|to|until|and)\s*(?:{_MONTH}\.?\s+)?\d{{1,2}}(?:st|nd|rd|th)?)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|\d{{4}}-\d{{2}}-\d{{2}}|today|tomorrow|tonight|this\s+weekend|next\s+(?:week|weekend|month|\w+day))\b",
    re.IGNORECASE,
)
_DESTINATION = re.compile(r"\bto\s+((?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*){0,3})")
_GREETING = re.compile(r"^(?:hi|hello|hey|good\s+(?:morning|afternoon|evening))\b[\s,!.]*", re.IGNORECASE)
_VERBS = frozenset(
    [
        "book",
        "find",
        "search",
        "buy",
        "purchase",
        "order",
        "get",
        "show",
        "look",
        "check",
        "reserve",
        "rent",
        "add",
        "open",
        "go",
        "visit",
        "navigate",
        "browse",
        "compare",
        "read",
        "sign",
        "log",
        "register",
        "subscribe",
        "select",
        "choose",
        "pick",
        "set",
        "sort",
        "filter",
        "play",
        "watch",
        "download",
        "upload",
        "make",
        "create",
        "send",
        "write",
        "post",
        "apply",
        "track",
        "view",
        "see",
        "list",
        "locate",
        "hire",
        "schedule",
        "plan",
    ]
)
_SMALL = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "me",
        "i",
        "to",
        "for",
        "in",
        "on",
        "at",
        "of",
        "and",
        "or",
        "with",
        "from",
        "by",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "please",
        "new",
        "cheapest",
        "best",
        "top",
        "first",
        "next",
        "last",
        "all",
        "one",
        "two",
        "three",
        "it",
        "its",
        "them",
        "there",
        "here",
        "something",
        "now",
        "then",
        "proceed",
        "also",
    ]
)
_CLICKABLE = ("action", "toggle", "static", "date")
_SUBMIT = (
    "search",
    "go",
    "submit",
    "find",
    "continue",
    "book",
    "next",
    "done",
    "apply",
    "show",
    "update",
    "confirm",
)


def goal_clause(goal: str) -> str:
    """The goal as a verb phrase that reads after "I'll ..." ("book a flight to Paris")."""
    return _goal_clause(goal[:400])


@memo(entries=1024, max_bytes=2 * 2**20)  # keys are at most 400 characters
def _goal_clause(goal: str) -> str:
    text = " ".join(goal.split())
    marked = _GOAL_MARKER.search(text)
    if marked:
        text = marked.group(1)
    text = _GREETING.sub("", text.rstrip(".!?")).strip()
    text = _REQUEST_PREFIX.sub("", text).strip()
    text = re.sub(r"[\s,]+please$", "", text)
    if not text:
        return "get this done"
    first = text.split()[0]
    if first.lower() in _QUESTION:
        return f"answer: {text}"
    if first.isupper() or any(c.isupper() for c in first[1:]):
        return text
    return text[0].lower() + text[1:]


def _words(text: str) -> list[str]:
    out = []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        out.append(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def _topic(goal: str) -> str:
    """The thing the goal is about, as a section name: "Book a flight to Paris" -> "Flights"."""
    words = [
        w for w in re.findall(r"[A-Za-z]+", _DATES.sub(" ", goal)) if w.lower() not in _SMALL | _FURNITURE
    ]
    for i, w in enumerate(words):
        if w.lower() in _VERBS and i + 1 < len(words) and words[i + 1].lower() not in _VERBS:
            noun: str = words[i + 1]
            return noun if noun[:1].isupper() else noun.capitalize() + ("" if noun.endswith("s") else "s")
    rest = [w for w in words if w.lower() not in _VERBS and w.lower() not in _QUESTION]
    return rest[0].capitalize() if rest else ""


_FURNITURE = frozenset(
    [
        "cart",
        "carts",
        "basket",
        "page",
        "pages",
        "site",
        "website",
        "button",
        "link",
        "form",
        "result",
        "results",
        "checkout",
        "account",
    ]
)
"""Words that name parts of a page, not what a goal is about."""
_PLACE_FIELDS = frozenset(
    [
        "from",
        "to",
        "where",
        "destination",
        "city",
        "location",
        "going",
        "origin",
        "arrival",
        "departure",
        "airport",
        "station",
        "address",
        "zip",
        "region",
        "country",
    ]
)
_SECRET_FIELDS = {"password": "your password", "passcode": "your password", "pin": "your PIN"}
_ID_FIELDS = {"email": "your email address", "username": "your username", "user": "your username"}


def _value(goal: str, field: Element | None = None) -> str:
    """What to type into `field`: a quoted string; your credentials into a login field; a place into
    a place field ("to Paris"); else the goal's content words (a search query)."""
    q = _QUOTED.search(goal)
    if q:
        return q.group(1)
    fw = set(_words(field.name)) if field is not None else set()
    for key, what in (*_SECRET_FIELDS.items(), *_ID_FIELDS.items()):
        if key in fw:
            return what
    undated = _DATES.sub(" ", goal)
    origin = _ORIGIN.search(undated)
    if origin and fw & _FROM_FIELDS:
        return origin.group(1)
    terms = [w for w in goal_terms(undated).split() if w.lower() not in _VERBS and w.lower() not in _SMALL]
    if field is not None and field.kind == "entry" and not fw & _PLACE_FIELDS and field.role == "searchbox":
        return " ".join(terms[:6])
    if field is None or not fw & _PLACE_FIELDS:
        if not _DESTINATION.search(undated) and not locations(undated):
            return " ".join(terms[:6])
        if field is not None and field.role == "searchbox":
            return " ".join(terms[:6])
    dest = _DESTINATION.search(undated)
    if dest and not re.fullmatch(_MONTH, dest.group(1), re.IGNORECASE):
        return dest.group(1)
    places = [p for p in locations(undated) if not re.fullmatch(_MONTH, p, re.IGNORECASE)]
    if places:
        return places[0]
    return " ".join(terms[:6])


def _best(elements: list[Element], goal_words: set[str], kinds: tuple[str, ...]) -> Element | None:
    best: tuple[int, int, Element] | None = None
    for n, e in enumerate(elements):
        if e.kind not in kinds or not e.actionable:
            continue
        score = len(goal_words & set(_words(e.name)))
        if best is None or score > best[0]:
            best = (score, -n, e)
    return best[2] if best else None


_TO_FIELDS = frozenset(["to", "destination", "arrival", "where", "going", "arrive"])
_FROM_FIELDS = frozenset(["from", "origin", "departure", "depart", "leaving"])
_ORIGIN = re.compile(r"\bfrom\s+((?:[A-Z][\w'-]*)(?:\s+[A-Z][\w'-]*){0,3})")


def _field(goal: str, elements: list[Element], goal_words: set[str]) -> Element | None:
    """The entry field a typing step fills: the destination field when the goal names one ("to
    Paris"), the origin field for "from Boston", else the field that shares most words with the goal."""
    fields = [e for e in elements if e.kind == "entry" and e.actionable]
    for pattern, names in ((_DESTINATION, _TO_FIELDS), (_ORIGIN, _FROM_FIELDS)):
        if pattern.search(goal):
            hit = next((e for e in fields if set(_words(e.name)) & names), None)
            if hit is not None:
                return hit
    return _best(fields, goal_words, ("entry",))


def _named(e: Element | None, fallback: str) -> str:
    return f'"{e.name}"' if e is not None and e.name else fallback


@memo(entries=2048, max_bytes=4 * 2**20)  # a repeated request words its cached plan once
def describe_steps(goal: str, state: str, actions: tuple[str, ...]) -> tuple[str, ...]:
    """One instruction per planned action, each naming its target; no two in a row the same."""
    elements = [e for e in read_state(state[:20000]).elements if e.visible][:200]
    gw = set(_words(goal))
    dates = [m.group(0) for m in _DATES.finditer(goal)]
    url = _URL.search(goal)
    topic = _topic(goal)
    out: list[str] = []
    typed = False
    used_fields: list[Element] = []
    for i, action in enumerate(actions):
        prev = actions[i - 1] if i else None
        a = action.lower()
        if a in ("type", "paste_text"):
            field = _field(goal, [e for e in elements if e not in used_fields], gw)
            if field is not None:
                used_fields.append(field)
            target = _named(field, "the search box" if not typed else "the next field")
            value = _value(goal, field)
            quoted = value if value.startswith("your ") else f"'{value}'"
            text = f"Type {quoted} into {target}" if value else f"Type your query into {target}"
            typed = True
        elif a == "select":
            box = _best(elements, gw, ("choice",))
            value = _value(goal, box)
            text = (
                f"Select the option for '{value}' in {_named(box, 'the drop-down')}"
                if value
                else f"Choose the matching option in {_named(box, 'the drop-down')}"
            )
        elif a == "pick_date":
            text = f"Pick the dates ({', '.join(dates)})" if dates else "Pick the dates"
        elif a in ("press_enter", "submit_form"):
            text = "Press Enter to search" if a == "press_enter" else "Submit the form"
        elif a in ("click", "open_link", "add_to_cart", "confirm"):
            if prev in ("type", "select", "pick_date", "check_box", "paste_text") or (typed and a == "click"):
                button = next(
                    (
                        e
                        for e in elements
                        if e.kind == "action" and e.actionable and any(s in _words(e.name) for s in _SUBMIT)
                    ),
                    None,
                )
                text = f"Click {_named(button, 'the search button')}"
            else:
                used = " ".join(out)
                el = _best([e for e in elements if f'"{e.name}"' not in used], gw, _CLICKABLE)
                if el is not None and el.name and (gw & set(_words(el.name)) or len(elements) == 1):
                    text = f'Click "{el.name}"'
                elif {"add", "cart"} <= gw and "add to cart" not in used.lower():
                    text = 'Click "Add to cart"'
                elif "checkout" in gw or ("check" in gw and "out" in gw):
                    text = "Go to checkout" if out or not topic else f'Click "{topic}"'
                elif topic and f'"{topic}"' not in used:
                    text = f'Click "{topic}"'
                elif a == "add_to_cart":
                    text = "Add the item to the cart"
                else:
                    text = "Open the most relevant result" if out else "Click the most relevant link"
        elif a in ("navigate", "search_web"):
            site = f"a website for {topic.lower()}" if topic else "the right website"
            text = f"Go to {url.group(1)}" if url else f"Open {site}"
        elif a == "scroll":
            text = f"Scroll down to find {topic.lower() or 'what you need'}"
        elif a == "wait":
            text = "Wait for the page to finish loading"
        elif a == "go_back":
            text = "Go back to the previous page"
        elif a in ("close_modal", "press_escape"):
            text = "Close the pop-up"
        elif a == "accept_cookies":
            text = "Accept the cookie banner"
        elif a in (
            "extract_text",
            "read_page",
            "read_table",
            "check_price",
            "summarize_page",
            "read_reviews",
        ):
            text = "Read the answer off the page"
        else:
            text = action.replace("_", " ").strip().capitalize() or "Continue"
        if out and text == out[-1]:
            text = "Then " + text[0].lower() + text[1:] + " again" if a != "click" else "Open the next result"
        out.append(text)
    return tuple(out)


def compose(
    goal: str,
    state: str,
    plan: Plan,
    index: int,
    tools: list[str],
    tool_results: list[tuple[str, str]],
) -> str:
    """The assistant text for choice `index` (tools already chosen: `tools`; results to answer from:
    `tool_results`)."""
    if tools:
        return f"I'll use {', '.join(dict.fromkeys(tools))} to {goal_clause(goal)}."
    if tool_results:
        name, result = tool_results[-1]
        snippet = " ".join(result.split())
        snippet = snippet if len(snippet) <= 240 else snippet[:237] + "..."
        return f"Based on the result from {name}: {snippet}"  # the answer is the result: no steps after it
    return _prose(goal, state, tuple(plan.action_sequence[:3]), index % _VARIANTS)


_VARIANTS = math.lcm(len(_OPENERS), *(len(replies) for replies in _REPLIES.values()))
"""Choice `index` words its answer as choice `index % _VARIANTS` does."""


@memo(entries=2048, max_bytes=4 * 2**20)  # a repeated request words its cached plan once
def _prose(goal: str, state: str, actions: tuple[str, ...], index: int) -> str:
    """The answer of a turn with no tool calls and no tool results: a reply to conversation, or the
    goal and the first planned steps."""
    kind = conversation_kind(goal)
    if kind is not None:
        replies = _REPLIES[kind]
        return replies[index % len(replies)]
    head = _OPENERS[index % len(_OPENERS)].format(goal=goal_clause(goal))
    steps = describe_steps(goal, state, actions)
    labels = ("**Action:**", "**Next:**", "**Then:**")
    body = "\n".join(f"{label} {step}" for label, step in zip(labels, steps, strict=False))
    return head + ("\n\n" + body if body else "")
