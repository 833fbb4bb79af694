"""Response validation against the spec's JSON Schemas (``spec/schemas/*.json``)."""

from __future__ import annotations

import functools
from typing import Any

from conformance import _spec
from conformance._case import CaseFailed

__all__ = ["assert_valid", "first_error_path", "schema_errors"]

_MAX_ERRORS = 5


@functools.cache
def _validator(component: str) -> Any:
    return _spec.validator_for(component)


def schema_errors(component: str, instance: Any) -> list[str]:
    """Human-readable violations of ``openapi.yaml#/components/schemas/<component>``."""
    errors = sorted(_validator(component).iter_errors(instance), key=lambda e: list(e.absolute_path))
    out = []
    for err in errors[:_MAX_ERRORS]:
        path = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{component} at {path}: {err.message[:300]}")
    if len(errors) > _MAX_ERRORS:
        out.append(f"... and {len(errors) - _MAX_ERRORS} more")
    return out


def first_error_path(component: str, instance: Any) -> tuple[str | int, ...] | None:
    """The JSON path of the first violation (the one the report highlights), or None if valid."""
    errors = sorted(_validator(component).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return tuple(errors[0].absolute_path) if errors else None


def assert_valid(
    component: str, instance: Any, *, what: str = "response body", at: tuple[str | int, ...] = ()
) -> None:
    """Fail unless ``instance`` validates; ``at`` is where ``instance`` sits in the judged body."""
    errs = schema_errors(component, instance)
    if errs:
        path = first_error_path(component, instance) or ()
        raise CaseFailed(f"{what} violates {component}: " + "; ".join(errs), at=(*at, *path))
