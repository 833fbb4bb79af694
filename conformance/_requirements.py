"""The requirements cases cite: ``spec/REQUIREMENTS.md`` entries and ``openapi.yaml#/...`` pointers.

``resolve`` says whether a case's source exists inside the repository (a test requires that of
every source); ``describe_source`` gives its text for reports; ``catalog_link`` its Markdown link
for ``CATALOG.md``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from conformance import _spec

__all__ = ["Requirement", "catalog_link", "describe_source", "expand", "requirements", "resolve"]

_ENTRY = re.compile(
    r'^(?P<indent>\s*)- <a id="(?P<id>[^"]+)"></a>\*\*(?P=id)\*\* '
    r"(?P<level>MUST|SHOULD|MAY|NOTE|SUITE|UNCHECKED|RULES) · (?P<text>.+)$"
)
_RANGE = re.compile(r"^([A-H])(\d+)-\1(\d+)$")
OPENAPI = "openapi.yaml"


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    text: str
    parent: str | None
    """For a rule of a decision (``D-STR-3.1``), the decision (``D-STR-3``)."""


@functools.cache
def requirements() -> dict[str, Requirement]:
    """Every entry of ``spec/REQUIREMENTS.md`` by id, in file order."""
    out: dict[str, Requirement] = {}
    parent: str | None = None
    for line in (_spec.spec_dir() / "REQUIREMENTS.md").read_text(encoding="utf-8").splitlines():
        m = _ENTRY.match(line)
        if not m:
            continue
        rid, nested = m.group("id"), bool(m.group("indent"))
        if rid in out:
            raise ValueError(f"REQUIREMENTS.md defines {rid} twice")
        out[rid] = Requirement(rid, m.group("level"), m.group("text"), parent if nested else None)
        if not nested:
            parent = rid
    return out


def expand(source: str) -> list[str]:
    """``A1-A8`` -> ``A1`` ... ``A8``; any other source is itself."""
    m = _RANGE.match(source)
    if not m:
        return [source]
    return [f"{m.group(1)}{i}" for i in range(int(m.group(2)), int(m.group(3)) + 1)]


def _pointer(source: str) -> str | None:
    if source == OPENAPI:
        return ""
    if source.startswith(OPENAPI + "#/"):
        return source[len(OPENAPI) + 2 :]
    return None


def resolve(source: str) -> bool:
    """Whether ``source`` names something inside the repository."""
    pointer = _pointer(source)
    if pointer is not None:
        node: object = _spec.load_openapi_bundled()
        for part in filter(None, pointer.split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True
    reqs = requirements()
    return all(s in reqs for s in expand(source))


def describe_source(source: str) -> str:
    """``B2 (MUST): Each event is ...``, or where an OpenAPI pointer leads."""
    pointer = _pointer(source)
    if pointer is not None:
        return (
            f"{source}: the contract in spec/openapi.yaml"
            if pointer
            else "spec/openapi.yaml, the whole contract"
        )
    reqs = requirements()
    parts = [reqs[s] for s in expand(source) if s in reqs]
    if not parts:
        return f"{source}: not found in spec/REQUIREMENTS.md"
    if len(parts) > 1:
        return f"{source}: " + "; ".join(f"{r.id} ({r.level})" for r in parts)
    r = parts[0]
    text = re.sub(r"<[^>]+>|\*\*|`", "", r.text)
    return f"{r.id} ({r.level}): {text}"


def catalog_link(source: str) -> str:
    """A Markdown link from ``conformance/CATALOG.md`` to where the source is written down."""
    pointer = _pointer(source)
    if pointer is not None:
        name = pointer.rsplit("/", 1)[-1] if pointer else ""
        if (
            pointer.startswith("components/schemas/")
            and (_spec.spec_dir() / "schemas" / f"{name}.json").is_file()
        ):
            return f"[{name}](../spec/schemas/{name}.json)"
        return f"[{source}](../spec/openapi.yaml)"
    first = expand(source)[0]
    return f"[{source}](../spec/REQUIREMENTS.md#{first})"
