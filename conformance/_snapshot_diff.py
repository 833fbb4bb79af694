"""What differs between a stored snapshot and a new answer, named by JSON path (exact mode).

``differences(stored, new)`` walks two normalised documents and lists each change at the deepest
path that names it (``body.choices.0.finish_reason: "stop" → "done"``); arrays of different lengths
are aligned with ``difflib`` so one inserted event reads as one added item, not as every later
event changed. ``text_diff`` is the unified diff of the two serialized files, as ``git diff`` shows it.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Literal

import msgspec

from conformance._snapshot_rules import json_type

__all__ = ["Difference", "DifferenceKind", "differences", "short", "text_diff"]

DifferenceKind = Literal[
    "changed", "added", "removed", "type", "length", "grammar", "contract", "invariant", "range"
]
MAX_DIFFERENCES = 200
MAX_DIFF_LINES = 600


class Difference(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One difference: where (a dotted path), what kind, and the values or the rule involved."""

    path: str
    kind: DifferenceKind
    before: str = ""
    """The stored value (compact JSON, cut) or what the snapshot/contract expects."""
    after: str = ""
    """The new value, or what came instead."""

    def text(self) -> str:
        where = self.path or "(document)"
        if self.kind == "added":
            return f"+ {where}: {self.after}"
        if self.kind == "removed":
            return f"- {where}: {self.before}"
        if self.kind in ("changed", "type", "length"):
            label = "" if self.kind == "changed" else f"{self.kind} "
            return f"~ {where}: {label}{self.before} → {self.after}"
        if self.kind == "grammar":
            return f"! {where}: the event grammar changed ([-lost-] {{+new+}}): {self.after}"
        return f"! {where}: {self.kind}: {self.before}" + (f" → {self.after}" if self.after else "")


def short(value: Any, width: int = 120) -> str:
    """Compact JSON of ``value``, cut to ``width`` characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _same(a: Any, b: Any) -> bool:
    return json_type(a) == json_type(b) and a == b


def _identity(value: Any) -> str:
    """A coarse key for aligning list items: an event's name, an object's type, else the JSON type."""
    if isinstance(value, dict):
        data = value.get("data") if isinstance(value.get("data"), dict) else value
        for key in ("event", "type", "object", "role", "id"):
            if isinstance(value.get(key), str):
                return f"{key}={value[key]}"
            if isinstance(data, dict) and isinstance(data.get(key), str):
                return f"{key}={data[key]}"
    return json_type(value)


def _align(
    a: list[Any], b: list[Any], path: str, out: list[Difference], at: tuple[int, int], coarse: bool
) -> None:
    """Align two lists item by item (exactly, then by ``_identity`` inside a changed stretch), so an
    inserted or lost event reads as one added or removed item and a changed one as its inner change."""
    matcher = difflib.SequenceMatcher(
        a=[(_identity if coarse else _key)(x) for x in a],
        b=[(_identity if coarse else _key)(y) for y in b],
        autojunk=False,
    )
    ia, jb = at
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" and not coarse:
            continue
        if op in ("equal", "replace") and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                _walk(a[i1 + k], b[j1 + k], f"{path}.{jb + j1 + k}", out)
            continue
        if op == "replace" and not coarse:
            _align(a[i1:i2], b[j1:j2], path, out, (ia + i1, jb + j1), coarse=True)
            continue
        out += [
            Difference(path=f"{path}.{ia + i}", kind="removed", before=short(a[i])) for i in range(i1, i2)
        ]
        out += [Difference(path=f"{path}.{jb + j}", kind="added", after=short(b[j])) for j in range(j1, j2)]


def _lists(a: list[Any], b: list[Any], path: str, out: list[Difference]) -> None:
    if len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{path}.{i}", out)
        return
    _align(a, b, path, out, (0, 0), coarse=False)


def _walk(a: Any, b: Any, path: str, out: list[Difference]) -> None:
    if len(out) >= MAX_DIFFERENCES:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(Difference(path=sub, kind="removed", before=short(a[k])))
            elif k not in a:
                out.append(Difference(path=sub, kind="added", after=short(b[k])))
            else:
                _walk(a[k], b[k], sub, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        _lists(a, b, path, out)
        return
    if not _same(a, b):
        out.append(Difference(path=path, kind="changed", before=short(a), after=short(b)))


def differences(stored: Any, new: Any) -> list[Difference]:
    """Every difference between two documents (at most ``MAX_DIFFERENCES``), by path."""
    out: list[Difference] = []
    _walk(stored, new, "", out)
    return out[:MAX_DIFFERENCES]


def text_diff(stored: str, new: str, *, context: int = 3) -> list[str]:
    """The unified diff of two serialized snapshots (at most ``MAX_DIFF_LINES`` lines)."""
    lines = list(
        difflib.unified_diff(stored.splitlines(), new.splitlines(), "stored", "now", lineterm="", n=context)
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… {len(lines) - MAX_DIFF_LINES} more lines"]
    return lines
