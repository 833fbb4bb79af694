"""The matrix's verdict: each result's outcome against the limitations table, the JSON document, the
readable table, and the exit status."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._limitations import Limitation, limitation_for
from ._result import CheckResult

__all__ = [
    "FAILING_OUTCOMES",
    "REPORT_FORMAT",
    "Row",
    "exit_status",
    "markdown_table",
    "rows_for",
    "to_document",
]

REPORT_FORMAT = "stratus-client-matrix/1"
FAILING_OUTCOMES = frozenset({"fail", "unavailable", "fixed"})
"""`limitation`: a failure the limitations table explains; `fixed`: a listed check that passed (remove its
entry); `fail` and `unavailable` as the runners said."""


@dataclass(frozen=True)
class Row:
    result: CheckResult
    outcome: str
    limitation: Limitation | None

    @property
    def server_caused(self) -> bool:
        return self.outcome == "fail" and self.result.cause in ("server-http", "answer")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.result.id,
            "client": f"{self.result.runtime}.{self.result.client}",
            "outcome": self.outcome,
            "server_caused": self.server_caused,
            "description": self.result.describe(),
            "limitation": self.limitation.reason if self.limitation else None,
            **self.result.to_json(),
        }


def rows_for(results: list[CheckResult]) -> list[Row]:
    rows = []
    for result in results:
        entry = limitation_for(result)
        outcome: str = result.status
        if entry is not None and entry.matches(result):
            outcome = "limitation"
        elif entry is not None and result.status == "pass":
            outcome = "fixed"
        rows.append(Row(result, outcome, entry if outcome in ("limitation", "fixed") else None))
    return rows


def summary(rows: list[Row]) -> dict[str, int]:
    counts = Counter(row.outcome for row in rows)
    out = {name: counts.get(name, 0) for name in ("pass", "fail", "limitation", "unavailable", "fixed")}
    out["total"] = len(rows)
    out["server_caused"] = sum(row.server_caused for row in rows)
    return out


def exit_status(rows: list[Row]) -> int:
    return 1 if not rows or any(row.outcome in FAILING_OUTCOMES for row in rows) else 0


def to_document(rows: list[Row], **meta: Any) -> dict[str, Any]:
    return {"format": REPORT_FORMAT, **meta, "summary": summary(rows), "results": [r.to_json() for r in rows]}


def _cell(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def markdown_table(rows: list[Row]) -> str:
    """One line per check: id, outcome, cause, and the reason (a server error leads with status + body)."""
    lines = ["| check | outcome | cause | reason |", "|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: r.result.id):
        reason = (
            row.limitation.reason if row.outcome == "limitation" and row.limitation else row.result.describe()
        )
        if row.outcome == "fixed":
            reason = "passes now: remove its entry from the limitations table"
        lines.append(f"| {row.result.id} | {row.outcome} | {row.result.cause or ''} | {_cell(reason)} |")
    counts = summary(rows)
    lines += [
        "",
        ", ".join(f"{counts[k]} {k}" for k in ("pass", "fail", "limitation", "unavailable", "fixed"))
        + f" ({counts['server_caused']} failures caused by the server)",
    ]
    return "\n".join(lines) + "\n"


def write(out_dir: Path, rows: list[Row], **meta: Any) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "matrix.json", out_dir / "matrix.md"
    json_path.write_text(json.dumps(to_document(rows, **meta), indent=2, sort_keys=False) + "\n")
    md_path.write_text(markdown_table(rows))
    return json_path, md_path
