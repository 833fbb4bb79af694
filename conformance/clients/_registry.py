"""The Python checks: a registry filled by `@check`, and `run_check`, which turns one into a result.

A check is a function of a `Target` (sync or async). It passes by returning (optionally a note),
fails with `CheckFailed` when the client returned the wrong thing, and is `unavailable` when
`require()` cannot import its client. Any other exception fails it; the HTTP log says whether the
server's answer was behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from types import FrameType
from typing import Any

from ._http_log import HttpLog
from ._result import Cause, CheckFailed, CheckResult, HttpError, Status
from ._target import Target

__all__ = [
    "CHECKS",
    "ClientUnavailable",
    "PyCheck",
    "check",
    "expect",
    "require",
    "run_check",
    "stratus_note",
]

CheckFn = Callable[[Target], Any]


class ClientUnavailable(Exception):
    """The client library a check needs is not installed in this interpreter."""


class CheckTimeout(Exception):
    pass


@dataclass(frozen=True)
class PyCheck:
    id: str
    venv: str
    packages: tuple[str, ...]
    what: str
    fn: CheckFn
    expect_status: frozenset[int]


CHECKS: dict[str, PyCheck] = {}


def check(
    check_id: str, *, venv: str, packages: tuple[str, ...], what: str, expect_status: tuple[int, ...] = ()
) -> Callable[[CheckFn], CheckFn]:
    """Register a check. `packages`: the distributions whose versions the result reports;
    `expect_status`: HTTP errors the check provokes on purpose (not blamed on the server)."""

    def register(fn: CheckFn) -> CheckFn:
        if check_id in CHECKS:
            raise ValueError(f"duplicate check id {check_id}")
        CHECKS[check_id] = PyCheck(check_id, venv, packages, what, fn, frozenset(expect_status))
        return fn

    return register


def require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ClientUnavailable(f"{module} is not importable here ({exc})") from None


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _versions(packages: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """SIGALRM in the main thread interrupts a blocked socket read; elsewhere there is no limit."""
    try:
        previous = signal.getsignal(signal.SIGALRM)
    except (AttributeError, ValueError):
        yield
        return

    def fire(signum: int, frame: FrameType | None) -> None:
        raise CheckTimeout(f"still running after {seconds:.0f} s")

    try:
        signal.signal(signal.SIGALRM, fire)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_bad_answer(exc: BaseException) -> bool:
    """A check's own failure, or a client's parse/validation error about the answer (pydantic's
    ValidationError, a JSON decode error), found anywhere in the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CheckFailed | json.JSONDecodeError):
            return True
        if type(current).__name__ == "ValidationError" and type(current).__module__.startswith("pydantic"):
            return True
        if "validation error for " in str(current):  # pydantic's message, re-raised as text by a client
            return True
        current = current.__cause__ or current.__context__
    return False


def _describe(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}".split())
    return text if len(text) <= 600 else text[:600] + "…"


def run_check(spec: PyCheck, target: Target, log: HttpLog | None = None) -> CheckResult:
    """Run one check in this process and say what happened (never raises for a check's failure).

    Without a `log`, the HTTP clients are patched for this call only; a runner passes one long-lived log.
    A log made with `capture=True` puts every exchange of the check into the result."""
    own_log = log is None
    log = log or HttpLog()
    log.install()
    log.take()
    log.take_exchanges()
    started = time.monotonic()
    versions = _versions(spec.packages)
    note: Any = None
    error: BaseException | None = None
    try:
        with _deadline(target.timeout_s):
            outcome = spec.fn(target)
            note = asyncio.run(outcome) if inspect.iscoroutine(outcome) else outcome
    except Exception as exc:
        error = exc
    elapsed = round(time.monotonic() - started, 3)
    unexpected = tuple(e for e in log.take() if e.status not in spec.expect_status)
    exchanges = tuple(log.take_exchanges())
    if own_log:
        log.uninstall()

    def result(
        status: Status, cause: Cause | None, reason: str, errors: tuple[HttpError, ...] = ()
    ) -> CheckResult:
        return CheckResult(spec.id, "python", status, reason, cause, errors, elapsed, versions, exchanges)

    if isinstance(error, ClientUnavailable):
        return result("unavailable", "unavailable", str(error))
    if error is None:
        return result("pass", None, str(note or ""))
    reason = str(error) if isinstance(error, CheckFailed) else _describe(error)
    cause: Cause
    if unexpected:
        cause = "server-http"
    elif isinstance(error, CheckTimeout):
        cause = "timeout"
    elif _is_bad_answer(error):
        cause = "answer"
    else:
        cause = "exception"
    return result("fail", cause, reason, unexpected)


def stratus_note(stratus: object, where: str) -> str:
    """Check a `stratus` object read back through a client; a short note on success."""
    expect(isinstance(stratus, dict), f"{where}: stratus={stratus!r}")
    assert isinstance(stratus, dict)
    expect(isinstance(stratus.get("action_sequence"), list), f"{where}: stratus has no action_sequence")
    return f"{len(stratus)} stratus fields"
