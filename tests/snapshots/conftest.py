"""Snapshot plumbing: the JSON snapshot extension and the ONE table of volatile fields.

Every answer of the reference server is deterministic (D-STR-4) except the values listed in
`VOLATILE`. Each entry names where the value lives (a regex over syrupy's dotted path, e.g.
`body.id`, `events.3.data.created`, `headers.x-request-id`), the shape the value must have (a regex
over `str(value)`), and the typed placeholder stored instead. A volatile value that does NOT have
its documented shape is left as it is, so the snapshot diff shows it instead of hiding a format change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.matchers import compose_matchers, path_value
from syrupy.types import PropertyMatcher

from tests._corpus import ServerAnswer

__all__ = ["VOLATILE", "Volatile", "answer_document"]

_EVENT = r"events\.\d+\.data"


@dataclass(frozen=True)
class Volatile:
    path: str
    """Regex (full match) over the dotted path of the value in the snapshot document."""
    value: str
    """Regex (full match) over `str(value)`: the shape the volatile value must have."""
    placeholder: str
    types: tuple[type, ...] = (str,)
    why: str = ""


VOLATILE: tuple[Volatile, ...] = (
    Volatile(
        rf"body\.id|{_EVENT}\.id",
        r"stratus-chatcmpl-[0-9a-f]{24}",
        "<chatcmpl-id>",
        why="random per response (D-CHAT-5)",
    ),
    Volatile(rf"body\.id|{_EVENT}\.message\.id", r"msg_[0-9a-f]{24}", "<msg-id>", why="random per response"),
    Volatile(r"body\.id", r"stratus-rollout-[0-9a-f]{12}", "<rollout-id>", why="random per response"),
    Volatile(
        rf"body\.created|{_EVENT}\.created",
        r"[0-9]{10}",
        "<unix-seconds>",
        (int,),
        why="wall clock; /v1/models' catalog dates are constants and are kept",
    ),
    Volatile(
        r".*\.stratus\.(planning_time_ms|execution_time_ms)",
        r"[0-9]+(\.[0-9]+)?(e-?[0-9]+)?",
        "<ms>",
        (int, float),
        why="timings (D-STR-4)",
    ),
    Volatile(
        rf"headers\.(x-request-id|request-id)|body\.request_id|{_EVENT}\.request_id",
        r"req_[0-9a-f]{24}",
        "<request-id>",
        why="random per request (D-HDR-1)",
    ),
    Volatile(
        r"headers\.content-length",
        r"[0-9]+",
        "<bytes>",
        why="follows the length of the timings; the body itself is compared",
    ),
    Volatile(r"headers\.date", r".+", "<http-date>", why="wall clock"),
    Volatile(
        r"body\.brain\.backend",
        r"numpy|numba|cupy",
        "<planner-backend>",
        why="what is installed here (numba, a GPU); the plans are the same bits on numpy and numba",
    ),
    Volatile(r"body\.brain\.device", r"cpu|cuda:[0-9]+ .+", "<planner-device>", why="the machine"),
)


def _replace_with(placeholder: str) -> Any:
    def replacer(data: Any, match: Any) -> Any:
        return placeholder if match else data

    return replacer


def volatile_matcher(table: tuple[Volatile, ...] = VOLATILE) -> PropertyMatcher:
    """One syrupy matcher for the whole table (`path_value` per row, composed)."""
    return compose_matchers(
        *(
            path_value(
                {row.path: row.value}, types=row.types, regex=True, replacer=_replace_with(row.placeholder)
            )
            for row in table
        )
    )


def answer_document(answer: ServerAnswer) -> dict[str, Any]:
    """What is snapshotted: status, every response header (lower-case), and the body or the events."""
    doc: dict[str, Any] = {"status": answer.status, "headers": dict(sorted(answer.headers.items()))}
    if answer.events is None:
        doc["body"] = answer.body
    else:
        doc["events"] = [{"event": e.event, "data": e.data} for e in answer.events]
    return doc


@pytest.fixture
def snapshot_api(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """One pretty JSON file per test, volatile fields replaced by typed placeholders."""
    return snapshot.with_defaults(extension_class=JSONSnapshotExtension, matcher=volatile_matcher())
