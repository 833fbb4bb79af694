"""What the instance generator takes and what it raises: `GoalContext` and `UnsatisfiableSchema`."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["GoalContext", "Kind", "UnsatisfiableSchema"]

Kind = Literal["contradictory", "unsupported", "invalid"]
"""Why no instance came out: the schema admits none, the generator cannot build one, or it is not a schema."""


class GoalContext(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a generated value may depend on; equal contexts give byte-equal values."""

    goal: str = ""
    """The user's goal (the last user text): places, dates, numbers, names and queries come from it."""
    location: str | None = None
    """The place this value is about (one tool call per place); default: the goal's first place."""
    plan_actions: tuple[str, ...] = ()
    """The planner's action sequence: fills `action`/`steps` properties and enums naming actions."""
    confidence: float | None = None
    """The plan's overall confidence: fills a `confidence` number in [0, 1]."""
    include_optional: bool = False
    """Fill every optional property that can be built, not only those the goal names."""


class UnsatisfiableSchema(ValueError):
    """No value can be generated for the schema; `schema_path` points at the keyword that decides it."""

    def __init__(
        self, reason: str, *, schema_path: str = "", instance_path: str = "$", kind: Kind = "contradictory"
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.schema_path = schema_path
        """JSON Pointer into the schema ("" is the root; "/$defs/Hotel/properties/price")."""
        self.instance_path = instance_path
        """Where in the value it failed, JSONPath style ("$.hotels[0].price")."""
        self.kind: Kind = kind

    @property
    def context(self) -> tuple[str, ...]:
        """`schema_path` as segments, the way OpenAI's errors print it (`context=('properties', 'x')`)."""
        segments = self.schema_path.split("/")[1:] if self.schema_path else []
        return tuple(s.replace("~1", "/").replace("~0", "~") for s in segments)

    def __str__(self) -> str:
        where = f" (schema {self.schema_path})" if self.schema_path else ""
        return f"{self.reason}{where}"
