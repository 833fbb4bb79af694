"""Conformance suite for the Stratus X1 API (run it with ``stratus-conformance run``).

The engine's public surface: ``execute(RunOptions(...)) -> Report`` (see ``ARCHITECTURE.md``).
"""

from conformance._case import Case, Level, Verdict, all_cases
from conformance._engine import Result, RunOptions, execute
from conformance._report import ExitCode, Report, Selection

__all__ = [
    "Case",
    "ExitCode",
    "Level",
    "Report",
    "Result",
    "RunOptions",
    "Selection",
    "Verdict",
    "all_cases",
    "execute",
]
