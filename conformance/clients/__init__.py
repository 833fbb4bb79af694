"""The real-client matrix: checks that drive the client libraries people use (Python and Node)
against any deployment, one JSON line per check. `nox -s clients` runs the whole matrix against a
fresh reference server; see ARCHITECTURE.md.

For a conformance case: `run_python_check(id, target)` runs a Python check in this process (its client
must be importable, else the result is `unavailable`); Node checks run as
`node conformance/clients/node/run.mjs --check ID --base-url URL` with the key in STRATUS_API_KEY,
which prints one line for `parse_result_line`."""

from __future__ import annotations

from ._result import CheckResult, HttpError, parse_result_line, parse_result_lines
from ._target import Target

__all__ = [
    "CheckResult",
    "HttpError",
    "Target",
    "parse_result_line",
    "parse_result_lines",
    "python_check_ids",
    "run_python_check",
]


def python_check_ids() -> list[str]:
    """Every Python check id (runner-local, e.g. `openai.stream`), without importing any client."""
    from . import checks as _checks
    from ._registry import CHECKS

    del _checks
    return list(CHECKS)


def run_python_check(check_id: str, target: Target) -> CheckResult:
    """Run one Python check here; `KeyError` for an unknown id."""
    from . import checks as _checks
    from ._registry import CHECKS, run_check

    del _checks
    return run_check(CHECKS[check_id], target)
