"""Conformance suite for the Stratus X1 API (run it with ``stratus-conformance run``)."""

from conformance._case import Case, Level, Verdict, all_cases
from conformance._engine import Result

__all__ = ["Case", "Level", "Result", "Verdict", "all_cases"]
