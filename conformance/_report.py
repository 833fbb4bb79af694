"""The typed report of a run, and the one place where verdicts are counted.

``Report`` (a msgspec Struct) is what ``engine.execute`` returns and what every renderer reads: the
console summary, JUnit, HTML and ``report a.json b.json``. ``conformance/report.schema.json`` is
generated from it (:func:`json_schema`; a test keeps the file current). Outcomes, per-profile
verdicts, the run verdict and the exit status are derived here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "REPORT_SCHEMA",
    "SCHEMA_VERSION",
    "CaseResult",
    "Counts",
    "ExchangeRecord",
    "ExitCode",
    "Highlight",
    "Outcome",
    "Preflight",
    "ProfileResult",
    "Report",
    "RequestRecord",
    "ResponseRecord",
    "Selection",
    "TargetInfo",
    "Tool",
    "Verdict",
    "count",
    "decode_report",
    "encode_report",
    "exit_status",
    "json_schema",
    "outcome_of",
    "profile_verdict",
    "run_verdict",
]

SCHEMA_VERSION = 2
REPORT_SCHEMA = Path(__file__).with_name("report.schema.json")
SCHEMA_ID = "https://stratus-conformance.dev/conformance/report.schema.json"

Verdict = Literal["pass", "fail", "skipped", "unavailable", "not-run"]
"""What a case decided; ``not-run`` for cases an interrupt kept from running."""
Outcome = Literal["pass", "fail", "warning", "skipped", "unavailable", "not-run"]
"""How the run counts a verdict: a SHOULD failure without ``--strict`` is a ``warning``."""
ProfileVerdict = Literal["pass", "fail", "incomplete", "not-run"]
RunVerdict = Literal["pass", "fail", "incomplete", "inconclusive", "unreachable", "key-refused"]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Seconds = Annotated[float, msgspec.Meta(ge=0)]


class ExitCode(enum.IntEnum):
    """The exit status of ``stratus-conformance`` (the table in ``--help`` and the README)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    UNREACHABLE = 3
    KEY_REFUSED = 4
    INCONCLUSIVE = 5
    INTERRUPTED = 130
    TERMINATED = 143

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "every selected MUST case passed (SHOULD cases too with --strict); SHOULD failures "
    "without --strict are warnings; `snapshot`: every snapshot matched (or was written with --update)",
    ExitCode.FAILED: "a MUST case failed (or a SHOULD case with --strict); `report`: a case regressed; "
    "`snapshot`: a snapshot changed, is new (without --update) or could not be taken",
    ExitCode.USAGE: "usage error: a bad option, no case matching the selection, an unreadable report, "
    "a corpus or rules file that is not valid",
    ExitCode.UNREACHABLE: "the target could not be reached (preflight: no HTTP answer)",
    ExitCode.KEY_REFUSED: "the target refused the key (preflight: 401 or 403)",
    ExitCode.INCONCLUSIVE: "nothing was judged: every selected case was skipped or unavailable",
    ExitCode.INTERRUPTED: "interrupted by Ctrl-C (SIGINT); reports are written, marked incomplete",
    ExitCode.TERMINATED: "stopped by SIGTERM; reports are written, marked incomplete",
}


class _Struct(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    pass


class Tool(_Struct, kw_only=True):
    name: Literal["stratus-conformance"] = "stratus-conformance"
    version: str


class TargetInfo(_Struct, kw_only=True):
    """What was judged."""

    base_url: str
    """Root URL of the target (keys redacted); the loopback URL when the reference server was started."""
    model: str
    reference_server: bool
    """True when the suite started the reference server itself (no ``--base-url``)."""
    mode: Literal["live", "record", "replay"]


class Selection(_Struct, kw_only=True):
    """How the cases were chosen: (``profiles`` or ``cases``), then ``keyword``, minus ``exclude``."""

    profiles: list[str] = []
    cases: list[str] = []
    """Case-id prefixes."""
    keyword: str = ""
    """A ``-k`` expression in pytest's syntax."""
    exclude: list[str] = []
    """Case-id prefixes or profile names."""


class RequestRecord(_Struct, kw_only=True):
    method: str
    url: str
    headers: dict[str, str]
    """Secret headers are replaced by REDACTED."""
    body: str
    body_bytes: NonNegative


class ResponseRecord(_Struct, kw_only=True):
    status: int
    headers: dict[str, str]
    body: str
    """The body as text (keys redacted), cut at ``MAX_BODY`` characters."""
    body_bytes: NonNegative
    """The size of the whole body as received."""
    truncated: bool


class ExchangeRecord(_Struct, kw_only=True):
    """One HTTP exchange, kept once and referenced by id from every case that judged it."""

    id: NonNegative
    request: RequestRecord
    response: ResponseRecord
    elapsed_s: Seconds


class Highlight(_Struct, kw_only=True):
    """Where a failure points in its evidence: an exchange, a JSON path in its body, an SSE event."""

    exchange: NonNegative
    path: list[str | int] = []
    event: NonNegative | None = None
    """Index among the stream's events (SSE comments not counted)."""


class CaseResult(_Struct, kw_only=True):
    id: str
    level: Literal["MUST", "SHOULD"]
    profile: str
    title: str
    sends: str
    needs: str
    requirement: str
    sources: list[str]
    verdict: Verdict
    outcome: Outcome
    message: str
    """Why it failed, was skipped or unavailable; for a pass, what the case wants reported (or empty)."""
    duration_s: Seconds
    exchanges: list[NonNegative]
    """Ids (into ``Report.exchanges``) of the exchanges the case judged."""
    highlight: Highlight | None = None
    rerun: str
    """One shell command that reruns just this case with the same verdict rules."""


class Counts(_Struct, kw_only=True):
    total: NonNegative = 0
    passed: NonNegative = 0
    failed: NonNegative = 0
    """Failures that count: MUST cases, and SHOULD cases with --strict."""
    warnings: NonNegative = 0
    """SHOULD failures without --strict."""
    skipped: NonNegative = 0
    unavailable: NonNegative = 0
    not_run: NonNegative = 0


class ProfileResult(_Struct, kw_only=True):
    name: str
    description: str
    verdict: ProfileVerdict
    """``pass`` needs at least one judged case and no counted failure; skipped and unavailable cases
    never make a pass; ``incomplete`` when an interrupt kept some of its cases from running."""
    counts: Counts
    duration_s: Seconds


class Preflight(_Struct, kw_only=True):
    """One cheap authenticated request before the cases: is the target there, does it take the key."""

    status: Literal["ok", "unreachable", "key-refused", "skipped"]
    message: str
    exchange: NonNegative | None = None


class Report(_Struct, kw_only=True):
    """The result of one ``stratus-conformance run``."""

    schema_version: Literal[2] = 2
    tool: Tool
    label: str
    """A name for the run in side-by-side reports (``--label``; default: the target URL)."""
    target: TargetInfo
    selection: Selection
    strict: bool
    started_at: dt.datetime
    duration_s: Seconds
    complete: bool
    """False when the run was interrupted: then some cases have verdict ``not-run``."""
    interrupted: Literal["SIGINT", "SIGTERM"] | None = None
    verdict: RunVerdict
    exit_status: ExitCode
    preflight: Preflight
    summary: Counts
    profiles: list[ProfileResult]
    results: list[CaseResult]
    exchanges: list[ExchangeRecord]


# -- the one place verdicts are counted ----------------------------------------------------------------
def outcome_of(verdict: Verdict, level: str, strict: bool) -> Outcome:
    if verdict == "fail" and level == "SHOULD" and not strict:
        return "warning"
    return verdict


def count(outcomes: Iterable[Outcome]) -> Counts:
    c = Counts()
    field = {
        "pass": "passed",
        "fail": "failed",
        "warning": "warnings",
        "skipped": "skipped",
        "unavailable": "unavailable",
        "not-run": "not_run",
    }
    for o in outcomes:
        c.total += 1
        setattr(c, field[o], getattr(c, field[o]) + 1)
    return c


def profile_verdict(c: Counts) -> ProfileVerdict:
    if c.failed:
        return "fail"
    if c.not_run:
        return "incomplete"
    return "pass" if c.passed or c.warnings else "not-run"


def run_verdict(c: Counts, preflight: str, interrupted: str | None) -> RunVerdict:
    if preflight in ("unreachable", "key-refused"):
        return preflight  # type: ignore[return-value]
    if interrupted:
        return "incomplete"
    if c.failed:
        return "fail"
    return "pass" if c.passed or c.warnings else "inconclusive"


def exit_status(verdict: RunVerdict, interrupted: str | None) -> ExitCode:
    if interrupted == "SIGTERM":
        return ExitCode.TERMINATED
    if interrupted:
        return ExitCode.INTERRUPTED
    return {
        "pass": ExitCode.OK,
        "fail": ExitCode.FAILED,
        "inconclusive": ExitCode.INCONCLUSIVE,
        "unreachable": ExitCode.UNREACHABLE,
        "key-refused": ExitCode.KEY_REFUSED,
        "incomplete": ExitCode.INTERRUPTED,
    }[verdict]


# -- encoding ----------------------------------------------------------------------------------------
def encode_report(report: Report) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report), indent=1) + b"\n"


def decode_report(data: bytes | str) -> Report:
    """A report written by this version (``msgspec.ValidationError`` / ``DecodeError`` otherwise)."""
    return msgspec.json.decode(data, type=Report)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``Report``, as written to ``report.schema.json``."""
    schema = msgspec.json.schema(Report)
    defs = schema.pop("$defs")
    root = defs.pop("Report")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **root,
        "title": "StratusConformanceReport",
        "description": "The JSON report of `stratus-conformance run --report-json`, generated from "
        "`conformance._report.Report` (regenerate with `stratus-conformance catalog`).",
        "$defs": defs,
    }


def render_json_schema() -> str:
    return json.dumps(json_schema(), indent=1, sort_keys=True) + "\n"
