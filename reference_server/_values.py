"""Values taken from the goal and the plan: what a property's name says it wants, and where to find it.

The instance generator (`_instances.py`) asks this module two things for every leaf it fills:
which *role* a property plays (a place, a date, an e-mail address, a search query, ...), read from
its name first, then its title, then its description; and which values the goal offers for that
role (`Facts`, parsed once per goal). A value found in the goal is *hinted*: optional properties
are only filled when hinted, so arguments carry what the user asked for and nothing invented.
Everything here is a pure function of its inputs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reference_server._memo import memo

__all__ = [
    "FUNCTION_WORDS",
    "Facts",
    "Role",
    "description_example",
    "facts_of",
    "goal_terms",
    "locations",
    "mention_at",
    "mentioned",
    "name_tokens",
    "number_near",
    "role_of",
    "slug",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS = _words(
    "a about an and are at be by can could current for from get how i in is it me my of on or please "
    "that the this to what when where which who why will with would you your"
)
"""Words that carry no content; shared with the executor's tool matching."""

_STOP = FUNCTION_WORDS | _words(
    "all any check currently did do does find give into its let like look need now our search should "
    "show some tell these those today up want we what's whats"
)
_CAP = r"[A-Z][\w.'-]*"
_PLACE = rf"{_CAP}(?:\s+{_CAP})*"
_LOC_RE = re.compile(rf"\b(in|at|near|for|to|from|around)\s+({_PLACE}(?:\s*(?:,|and|&)\s*{_PLACE})*)")
_NUM_RE = re.compile(r"-?\d+(?:\.\d+)?")
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_CALENDAR = frozenset(
    [
        *_MONTHS,
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "tomorrow",
    ]
)
_MONTH_RE = re.compile(
    r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?"
    r"(?:\s*(?:-|to|\u2013)\s*(\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s*(\d{4}))?",
    re.IGNORECASE,
)
_DAY_MONTH_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")(?:,?\s*(\d{4}))?", re.I
)
_TIME_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\b(\d{1,2}):(\d{2})\b", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"https?://[^\s\"'<>)]+")
_PHONE_RE = re.compile(r"\+?\d[\d ()-]{6,}\d")
_IPV4_RE = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_UUID_RE = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")
_QUOTED_RE = re.compile(r"\"([^\"]{1,200})\"|'([^']{1,200})'|\u201c([^\u201d]{1,200})\u201d")
_PATH_RE = re.compile(r"(?<![\w@])(?:~|\.{1,2})?(?:/[\w.@-]+)+/?|\b[\w-]+(?:/[\w.-]+)*\.[A-Za-z0-9]{1,5}\b")
_SLUG_RE = re.compile(r"\b([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)\b")
_NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_ID_RE = re.compile(r"#\w+|\b(?=[\w-]*\d)[A-Za-z0-9][\w-]{2,}\b")
_LIST_RE = re.compile(
    r"\b(\w[\w'-]*(?:\s+\w[\w'-]*)?(?:\s*,\s*\w[\w'-]*(?:\s+\w[\w'-]*)?)*)\s*,?\s+and\s+(\w[\w'-]*)"
)
_EXAMPLE_RE = re.compile(r"(?:e\.g\.|for example|such as|example:)[,:]?\s+(.+)", re.IGNORECASE)
_DURATION_RE = re.compile(r"\b(\d+)\s+(second|minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")

Role = Literal[
    "location",
    "country",
    "timezone",
    "origin",
    "destination",
    "date",
    "datetime",
    "time",
    "duration",
    "email",
    "url",
    "hostname",
    "phone",
    "path",
    "owner",
    "repo",
    "id",
    "uuid",
    "action",
    "query",
    "text",
    "name",
    "none",
]
_ROLE_WORDS: tuple[tuple[Role, frozenset[str]], ...] = (
    ("email", _words("email emails mail mails recipient recipients sender")),
    ("url", _words("url urls uri uris link links href website homepage webpage endpoint")),
    ("hostname", _words("host hostname domain")),
    ("phone", _words("phone telephone mobile tel")),
    ("uuid", frozenset(["uuid", "guid"])),
    ("datetime", _words("datetime timestamp")),
    ("date", _words("date dates checkin checkout birthday dob deadline due since until")),
    ("time", _words("time hour")),
    ("duration", _words("duration interval period ttl")),
    ("timezone", _words("timezone timezones tz zone")),
    ("country", _words("country countries nation")),
    ("origin", _words("origin departure source")),
    ("destination", _words("destination arrival")),
    (
        "location",
        _words("location locations city cities place places address region town venue area"),
    ),
    ("path", _words("path paths file files filename filepath dir directory folder")),
    ("owner", _words("owner org organization organisation namespace")),
    ("repo", _words("repo repository")),
    ("action", _words("action actions step steps")),
    ("id", _words("id ids identifier sku")),
    ("query", _words("query q search keyword keywords term terms topic question")),
    (
        "text",
        _words(
            "text message content body input prompt description note notes comment summary instructions "
            "reason details answer explanation reasoning"
        ),
    ),
    ("name", _words("name names title subject label username user author person customer")),
)
_DESCRIBED = frozenset(["email", "url", "phone", "uuid", "datetime", "date", "location", "path"])
"""Roles a description may give a property whose name says nothing ("q": "The city to search in")."""
_DEFERRING = _words("name value string str val")
"""A last name token that defers to the one before it ("city_name" is a place, "repo_name" a repo)."""
_LATER = _words("end to until checkout out return finish last till stop")
"""Name tokens that pick the second date of a range ("check_out", "end_date")."""


def _lower_words(text: str) -> list[str]:
    return [w.strip(".,;:!?\"'()[]{}") for w in text.lower().split()]


@memo(entries=4096, max_bytes=8 * 2**20)
def goal_terms(goal: str) -> str:
    """The content words of `goal`, in order ("hotels NYC December 15-18 2024")."""
    words = [w.strip(".,;:!?\"'()[]") for w in goal.split()]
    return " ".join(w for w in words if w and w.lower() not in _STOP)


def locations(goal: str) -> list[str]:
    """Places named after "in", "at", "for", ... ("weather in Boston and Paris" -> both)."""
    return list(_locations(goal))


@memo(entries=4096, max_bytes=4 * 2**20)
def _locations(goal: str) -> tuple[str, ...]:
    """Places after "in", "at", "near", "to", "from", "around"; after "for" only when there are none
    ("weather for Boston", but "a table in Paris for Ana Lima" names a person)."""
    found: dict[bool, list[str]] = {True: [], False: []}
    for m in _LOC_RE.finditer(goal):
        for part in re.split(r"\s*(?:,|\band\b|&)\s*", m.group(2)):
            place = part.strip(" .'")
            words = place.lower().split()
            if place and place.lower() not in _STOP and not (words and words[0] in _CALENDAR):
                bucket = found[m.group(1) != "for"]
                if place not in bucket:
                    bucket.append(place)
    return tuple(found[True] or found[False])


@memo(entries=4096, max_bytes=4 * 2**20)
def name_tokens(name: str) -> tuple[str, ...]:
    """`checkInDate` / `check_in_date` / `check-in date` -> ("check", "in", "date")."""
    spaced = _CAMEL_RE.sub(r"\1 \2", name)
    return tuple(t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t)


def _role_in(tokens: Sequence[str]) -> Role | None:
    if not tokens:
        return None
    joined = "".join(tokens)
    order = list(reversed(tokens))
    if len(order) > 1 and order[0] in _DEFERRING:
        order = order[1:] + order[:1]
    for token in [joined, *order]:
        for role, words in _ROLE_WORDS:
            if token in words:
                return role
    return None


@memo(entries=8192, max_bytes=4 * 2**20)
def role_of(name: str, title: str = "", description: str = "", fmt: str = "") -> Role:
    """What a string property holds, from its format, then its name, title and description."""
    by_format: dict[str, Role] = {
        "date": "date",
        "date-time": "datetime",
        "time": "time",
        "duration": "duration",
        "email": "email",
        "idn-email": "email",
        "uri": "url",
        "iri": "url",
        "uri-reference": "url",
        "iri-reference": "url",
        "hostname": "hostname",
        "idn-hostname": "hostname",
        "uuid": "uuid",
    }
    if fmt in by_format:
        return by_format[fmt]
    tokens = name_tokens(name)
    role = _role_in(tokens) or _role_in(name_tokens(title))
    if role is None and description:
        words = name_tokens(" ".join(description.split()[:8]))
        role = next((r for r, ws in _ROLE_WORDS if r in _DESCRIBED and set(words) & ws), None)
    if role in ("location", "date", "datetime") and tokens and tokens[0] in ("from", "to"):
        role = "origin" if tokens[0] == "from" and role == "location" else role
        role = "destination" if tokens[0] == "to" and role == "location" else role
    return role or "none"


def later(name: str) -> bool:
    """The name asks for the second of two dates ("end_date", "checkOut")."""
    return bool(set(name_tokens(name)) & _LATER)


@dataclass(frozen=True, slots=True)
class Facts:
    """What a goal names, in order of appearance."""

    goal: str
    terms: str
    locations: tuple[str, ...]
    dates: tuple[str, ...]
    times: tuple[str, ...]
    durations: tuple[str, ...]
    emails: tuple[str, ...]
    urls: tuple[str, ...]
    phones: tuple[str, ...]
    ipv4s: tuple[str, ...]
    uuids: tuple[str, ...]
    quoted: tuple[str, ...]
    paths: tuple[str, ...]
    slugs: tuple[tuple[str, str], ...]
    names: tuple[str, ...]
    ids: tuple[str, ...]
    listed: tuple[str, ...]
    """Items of the first "A, B and C" enumeration."""

    def for_role(self, role: Role, name: str = "") -> tuple[str, ...]:
        """The goal's values for `role`, best first (empty when the goal names none)."""
        if role in ("location", "origin", "destination", "country"):
            places = self.locations
            if role in ("destination", "country") and len(places) > 1:
                return places[-1:]
            return places
        if role == "date":
            return self.dates[1:] + self.dates[:1] if later(name) and len(self.dates) > 1 else self.dates
        if role == "datetime":
            days = self.for_role("date", name)
            clock = self.times[0] if self.times else "00:00:00"
            return tuple(f"{d}T{clock}Z" for d in days)
        if role == "time":
            return tuple(t + "Z" for t in self.times)
        by_role: dict[str, tuple[str, ...]] = {
            "duration": self.durations,
            "email": self.emails,
            "url": self.urls,
            "hostname": tuple(re.sub(r"^https?://([^/:]+).*", r"\1", u) for u in self.urls),
            "phone": self.phones,
            "uuid": self.uuids,
            "path": self.paths,
            "owner": tuple(s[0] for s in self.slugs),
            "repo": tuple(s[1] for s in self.slugs),
            "id": self.ids,
            "query": self.quoted,
            "name": self.names,
        }
        return by_role.get(role, ())


def _dates(goal: str) -> list[str]:
    found = [m.group(0) for m in _ISO_DATE_RE.finditer(goal)]
    for m in _MONTH_RE.finditer(goal):
        month = _MONTHS.index(m.group(1).lower()) + 1
        year = int(m.group(4)) if m.group(4) else 2026
        found.extend(
            f"{year:04d}-{month:02d}-{int(day):02d}"
            for day in (m.group(2), m.group(3))
            if day and 1 <= int(day) <= 28
        )
    for m in _DAY_MONTH_RE.finditer(goal):
        month = _MONTHS.index(m.group(2).lower()) + 1
        year = int(m.group(3)) if m.group(3) else 2026
        if 1 <= int(m.group(1)) <= 28:
            found.append(f"{year:04d}-{month:02d}-{int(m.group(1)):02d}")
    return list(dict.fromkeys(found))


def _times(goal: str) -> list[str]:
    out = []
    for m in _TIME_RE.finditer(goal):
        if m.group(3):
            hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "pm" else 0)
            minute = int(m.group(2) or 0)
        else:
            hour, minute = int(m.group(4)), int(m.group(5))
        if hour < 24 and minute < 60:
            out.append(f"{hour:02d}:{minute:02d}:00")
    return out


def _durations(goal: str) -> list[str]:
    out = []
    for m in _DURATION_RE.finditer(goal):
        n, unit = int(m.group(1)), m.group(2).lower()
        if unit in ("hour", "minute", "second"):
            out.append(f"PT{n}{unit[0].upper()}")
        else:
            out.append(f"P{n}{unit[0].upper()}")
    return out


def _names(goal: str, places: Sequence[str]) -> list[str]:
    out = []
    for m in _NAME_RE.finditer(goal):
        name = m.group(1)
        if name not in places and name.lower() not in _STOP and name.split()[0].lower() not in _CALENDAR:
            out.append(name)
    return list(dict.fromkeys(out))


def _listed(goal: str) -> list[str]:
    m = _LIST_RE.search(goal)
    if not m:
        return []
    head = [p.strip() for p in m.group(1).split(",")]
    items = [*head, m.group(2)]
    # "weather in Boston and Paris": the enumeration starts after the last function word.
    first = items[0].split()
    if len(first) > 1 and first[0].lower() in _STOP:
        items[0] = " ".join(first[1:])
    return [i for i in items if i and i.lower() not in _STOP]


@memo(entries=1024, max_bytes=16 * 2**20)
def facts_of(goal: str) -> Facts:
    """Everything `goal` names that a property could want (cached: goals repeat across tools)."""
    places = _locations(goal)
    quoted = tuple(next(g for g in m.groups() if g) for m in _QUOTED_RE.finditer(goal))
    urls = tuple(u.rstrip(".,;") for u in _URL_RE.findall(goal))
    emails = tuple(_EMAIL_RE.findall(goal))
    without_links = _URL_RE.sub(" ", _EMAIL_RE.sub(" ", goal))
    return Facts(
        goal=goal.strip(),
        terms=goal_terms(goal),
        locations=places,
        dates=tuple(_dates(goal)),
        times=tuple(_times(goal)),
        durations=tuple(_durations(goal)),
        emails=emails,
        urls=urls,
        phones=tuple(p.strip() for p in _PHONE_RE.findall(without_links) if sum(c.isdigit() for c in p) >= 7),
        ipv4s=tuple(_IPV4_RE.findall(goal)),
        uuids=tuple(_UUID_RE.findall(goal)),
        quoted=quoted,
        paths=tuple(p for p in _PATH_RE.findall(without_links) if not _NUM_RE.fullmatch(p.replace(".", ""))),
        slugs=tuple((a, b) for a, b in _SLUG_RE.findall(without_links) if not (a.isdigit() or b.isdigit())),
        names=tuple(_names(goal, places)),
        ids=tuple(i.lstrip("#") for i in _ID_RE.findall(without_links) if not _ISO_DATE_RE.fullmatch(i)),
        listed=tuple(_listed(goal)),
    )


_SYNONYMS = {
    "age": ("years", "year", "old"),
    "guests": ("people", "persons", "adults", "guest"),
    "adults": ("people", "persons", "guests"),
    "price": ("$", "usd", "dollars", "eur", "euros"),
    "amount": ("$", "usd", "dollars", "eur", "euros"),
    "quantity": ("items", "units", "pieces", "tickets"),
    "nights": ("night",),
}
_GENERIC_NUMBER_WORDS = _words("max min num number count total amount value limit n k top")


def number_near(goal: str, name: str) -> float | None:
    """A number written next to a word of the property's name ("for 3 days" -> `days`: 3)."""
    tokens = [t for t in name_tokens(name) if len(t) > 2 and t not in _GENERIC_NUMBER_WORDS]
    tokens = tokens or [t for t in name_tokens(name) if len(t) > 2]
    stems = {t.rstrip("s") for t in tokens}
    for t in tokens:
        stems.update(_SYNONYMS.get(t, ()))
    if not stems:
        return None
    words = _lower_words(goal.replace(",", " "))

    def number_at(i: int) -> float | None:
        if 0 <= i < len(words):
            text = words[i].lstrip("$")
            if _NUM_RE.fullmatch(text):
                return float(text)
        return None

    for j, word in enumerate(words):
        if not word or not (
            word.rstrip("s") in stems or any(word.startswith(s) for s in stems if len(s) > 3)
        ):
            continue
        # "for 3 days" puts the number before a plural noun; "budget 250" after a label.
        offsets = (-1, 1, -2, 2) if word.endswith("s") or word in ("old",) else (1, -1, 2, -2)
        for offset in offsets:
            number = number_at(j + offset)
            if number is not None:
                return number
    return None


def mentioned(option: str, goal: str) -> bool:
    """`option` appears in `goal` as a word or phrase ("in_progress" also as "in progress")."""
    return mention_at(option, goal) is not None


def mention_at(option: str, goal: str) -> int | None:
    """Where `option` first appears in `goal` as a word or phrase, or None."""
    text = goal.lower()
    needle = option.lower().strip()
    if not needle:
        return None
    found = []
    for variant in dict.fromkeys([needle, needle.replace("_", " "), needle.replace("-", " ")]):
        m = re.search(rf"(?<!\w){re.escape(variant)}(?!\w)", text)
        if m:
            found.append(m.start())
    return min(found) if found else None


def description_example(description: str) -> str | None:
    """The example a description gives ("The city, e.g. San Francisco, CA" -> "San Francisco, CA")."""
    m = _EXAMPLE_RE.search(description)
    if not m:
        return None
    rest = m.group(1).strip()
    quoted = _QUOTED_RE.match(rest) or re.match(r"`([^`]{1,80})`", rest)
    if quoted:
        return next(g for g in quoted.groups() if g)
    value = re.split(r"\.(?:\s|$)|[;)\n]", rest, maxsplit=1)[0].strip()
    return value if 0 < len(value) <= 60 else None


def slug(text: str, sep: str = "-") -> str:
    """Lower-case words joined by `sep` ("Red Shoes!" -> "red-shoes")."""
    return sep.join(re.findall(r"[a-z0-9]+", text.lower()))
