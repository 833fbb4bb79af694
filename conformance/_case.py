"""Case model: stable IDs, levels, profiles, verdicts, and the registry."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance._context import Context

__all__ = [
    "PROFILES",
    "Case",
    "CaseFailed",
    "CaseSkipped",
    "CaseUnavailable",
    "JsonPath",
    "Level",
    "Verdict",
    "all_cases",
    "case",
]


class Level(enum.StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    UNAVAILABLE = "unavailable"


PROFILES: dict[str, str] = {
    "openai-chat": "OpenAI Chat Completions, non-streaming",
    "openai-stream": "OpenAI Chat Completions, SSE streaming",
    "anthropic-messages": "Anthropic Messages, non-streaming",
    "anthropic-stream": "Anthropic Messages, SSE streaming",
    "auth": "Authentication and key grammar",
    "errors": "Error envelopes, status codes and retry headers",
    "models": "GET /v1/models for both SDKs",
    "health": "GET /health",
    "stratus-metadata": "The `stratus` object: placement, ranges and semantic rules",
    "embeddings": "POST /v1/embeddings",
    "rollout": "POST /v1/rollout",
    "sdk": "Official SDKs and popular client libraries (Python and Node) against the target",
    "fuzz": "Schema-driven fuzzing (schemathesis)",
}


JsonPath = tuple[str | int, ...]


class CaseFailed(AssertionError):
    """The target violates the case's requirement (or the subject the case needs never arrived).

    ``at`` is the JSON path of the offending value in the judged body and ``event`` the index of the
    offending SSE data event, when known: the HTML report highlights them in the evidence.
    """

    def __init__(self, message: str, *, at: JsonPath | None = None, event: int | None = None) -> None:
        super().__init__(message)
        self.at = at
        self.event = event


class CaseSkipped(Exception):
    """A precondition is absent (the reason says which)."""


class CaseUnavailable(Exception):
    """The suite cannot run the case here (for example an SDK is not installed)."""


CaseFunc = Callable[["Context"], None]


@dataclass(frozen=True)
class Case:
    """One requirement check.

    ``sends`` says what the suite sends, ``needs`` the subject it must get back before it can judge
    anything (a 200 JSON body, an event stream, a tool call, ...; when it never arrives the case
    fails saying what came instead), ``requirement`` what the target must do, and ``sources`` where
    the requirement comes from (ids of ``spec/REQUIREMENTS.md`` and ``spec/DECISIONS.md``, or
    ``openapi.yaml#/...`` pointers).
    """

    id: str
    level: Level
    profile: str
    title: str
    sends: str
    needs: str
    requirement: str
    sources: tuple[str, ...]
    func: CaseFunc = field(repr=False, compare=False)
    live_only: bool = False


_REGISTRY: dict[str, Case] = {}


def case(
    id: str,
    *,
    level: Level | str,
    profile: str,
    title: str,
    sends: str,
    needs: str,
    requirement: str,
    sources: Iterable[str],
    live_only: bool = False,
) -> Callable[[CaseFunc], CaseFunc]:
    """Register a case function under a stable ID."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")

    def register(func: CaseFunc) -> CaseFunc:
        if id in _REGISTRY:
            raise ValueError(f"duplicate case id {id!r}")
        _REGISTRY[id] = Case(
            id=id,
            level=Level(level),
            profile=profile,
            title=title,
            sends=sends,
            needs=needs,
            requirement=requirement,
            sources=tuple(sources),
            func=func,
            live_only=live_only,
        )
        return func

    return register


def all_cases() -> list[Case]:
    """Every registered case, sorted by ID."""
    from conformance import cases  # noqa: F401  (registers the cases on import)

    return sorted(_REGISTRY.values(), key=lambda c: c.id)
