"""The real-client matrix: checks that drive the client libraries people use (Python and Node)
against any deployment, one JSON line per check. `nox -s clients` runs the whole matrix against a
fresh reference server; see ARCHITECTURE.md."""

from __future__ import annotations

from ._result import CheckResult, HttpError, parse_result_line, parse_result_lines
from ._target import Target

__all__ = ["CheckResult", "HttpError", "Target", "parse_result_line", "parse_result_lines"]
