"""Is the user's message a task for the browser agent, or conversation?

Greetings, thanks, farewells, small talk and questions about the assistant itself ask for no action on
any page. The planner answers them with an honest one-step plan (see `Planner.plan` and
spec/DECISIONS.md D-PLAN-1) and the executor with a short natural reply. A closed list of phrasings
(hand-written, English), matched on the whole message after punctuation and filler words are removed:
"hi there!" and "thanks a lot" are conversation, "hi, find me flights to Paris" is a task.
"""

from __future__ import annotations

import functools
import re

__all__ = ["conversation_kind"]

_KINDS: dict[str, tuple[str, ...]] = {
    "greeting": (
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "yo",
        "greetings",
        "good morning",
        "good afternoon",
        "good evening",
        "hello world",
        "hey hey",
        "hi hi",
        "sup",
        "whats up",
        "hallo",
        "bonjour",
        "hola",
        "ciao",
        "salut",
        "guten tag",
        "hej",
    ),
    "thanks": (
        "thanks",
        "thank you",
        "thx",
        "ty",
        "cheers",
        "much appreciated",
        "thanks a lot",
        "many thanks",
        "great thanks",
        "ok thanks",
        "thank you so much",
        "merci",
        "danke",
        "gracias",
    ),
    "farewell": (
        "bye",
        "goodbye",
        "see you",
        "see ya",
        "good night",
        "later",
        "bye bye",
        "ciao for now",
        "take care",
    ),
    "wellbeing": (
        "how are you",
        "how are you doing",
        "hows it going",
        "how is it going",
        "how do you do",
        "are you there",
        "you there",
    ),
    "identity": (
        "who are you",
        "what are you",
        "what can you do",
        "what do you do",
        "what is your name",
        "whats your name",
        "help",
        "what can i ask you",
        "how can you help",
        "how do you work",
        "are you a bot",
        "are you human",
    ),
    "acknowledgement": (
        "ok",
        "okay",
        "k",
        "cool",
        "great",
        "nice",
        "awesome",
        "sure",
        "yes",
        "no",
        "got it",
        "sounds good",
        "alright",
        "perfect",
        "lol",
        "hmm",
        "test",
        "testing",
    ),
}
_FILLER = frozenset(
    {
        "there",
        "again",
        "stratus",
        "assistant",
        "bot",
        "friend",
        "please",
        "so",
        "very",
        "much",
        "all",
        "everyone",
        "buddy",
        "mate",
        "you",
        "team",
    }
)
_LOOKUP = {phrase: kind for kind, phrases in _KINDS.items() for phrase in phrases}
_WORD = re.compile(r"[a-z]+")


def conversation_kind(message: str) -> str | None:
    """ "greeting", "thanks", "farewell", "wellbeing", "identity" or "acknowledgement" when the
    message is conversation and not a task; None for anything else (tasks, questions about pages)."""
    if len(message) > 120:
        return None
    return _conversation_kind(message)


@functools.lru_cache(maxsize=4096)  # messages are at most 120 characters here; a goal recurs every step
def _conversation_kind(message: str) -> str | None:
    words = _WORD.findall(message.lower().replace("'", ""))
    if not words or len(words) > 8:
        return None
    for drop_filler in (False, True):
        ws = [w for w in words if not (drop_filler and w in _FILLER)] if drop_filler else words
        kind = _LOOKUP.get(" ".join(ws))
        if kind is not None:
            return kind
        # "hi! how are you?" -> the greeting and the small talk are both conversation
        for cut in range(1, len(ws)):
            a, b = _LOOKUP.get(" ".join(ws[:cut])), _LOOKUP.get(" ".join(ws[cut:]))
            if a is not None and b is not None:
                return a
    return None
