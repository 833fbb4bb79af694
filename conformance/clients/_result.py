"""One check's outcome, and the one-JSON-line form both runners (Python and Node) print.

Stdlib only: the runner imports this inside client venvs that have nothing but the client installed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "CAUSES",
    "STATUSES",
    "Cause",
    "CheckFailed",
    "CheckResult",
    "HttpError",
    "ResultLineError",
    "Status",
    "WireExchange",
    "parse_result_line",
    "parse_result_lines",
]

Status = Literal["pass", "fail", "unavailable"]
Cause = Literal["server-http", "answer", "exception", "timeout", "unavailable"]
STATUSES: tuple[str, ...] = ("pass", "fail", "unavailable")
CAUSES: tuple[str, ...] = ("server-http", "answer", "exception", "timeout", "unavailable")
"""Why a check did not pass. `server-http`: the server answered an HTTP error the check did not ask for
(its status and body are in `http_errors`); `answer`: the answer arrived but fails the check (wrong
shape, not JSON, a schema violation); `exception`: the client raised without any HTTP error behind it; `timeout`: the check ran past
its limit; `unavailable`: the client or runtime is not installed."""

_BODY_LIMIT = 2000
EXCHANGE_BODY_LIMIT = 65_536
"""Characters of a body an exchange keeps (the conformance report keeps fewer still)."""
SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "x-openai-key", "x-anthropic-key", "x-google-key", "x-openrouter-key"}
)
"""Request headers whose values never leave the runner (the same set as conformance/_redact.py)."""


class CheckFailed(Exception):
    """Raised by a check whose client returned but not what the check requires."""


class ResultLineError(ValueError):
    """A runner printed a line that is not a check result."""


@dataclass(frozen=True)
class HttpError:
    """An HTTP error answer seen on the wire while a check ran."""

    method: str
    path: str
    status: int
    body: str

    @classmethod
    def make(cls, method: str, path: str, status: int, body: str) -> HttpError:
        return cls(method, path, status, body[:_BODY_LIMIT])

    def summary(self) -> str:
        """`400 POST /v1/chat/completions: <the error message>` (the body's `error.message` if any)."""
        message = self.body
        try:
            decoded = json.loads(self.body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            err = decoded.get("error")
            if isinstance(err, dict) and isinstance(err.get("message"), str):
                message = err["message"]
        return f"{self.status} {self.method} {self.path}: {message}"


@dataclass(frozen=True)
class WireExchange:
    """One HTTP request and its answer as a client saw them while a check ran (runners keep these
    only when asked, `--exchanges`): the evidence a conformance case reports. Secret request headers
    are replaced at the source; bodies are text, cut at `EXCHANGE_BODY_LIMIT` characters."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: str
    elapsed_s: float = 0.0

    @classmethod
    def make(
        cls,
        method: str,
        url: str,
        request_headers: dict[str, str],
        request_body: str,
        status: int,
        response_headers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
        response_body: str,
        elapsed_s: float = 0.0,
    ) -> WireExchange:
        headers = {k: ("REDACTED" if k.lower() in SECRET_HEADERS else v) for k, v in request_headers.items()}
        return cls(
            method,
            url,
            headers,
            request_body[:EXCHANGE_BODY_LIMIT],
            status,
            tuple((str(k), str(v)) for k, v in response_headers),
            response_body[:EXCHANGE_BODY_LIMIT],
            round(elapsed_s, 4),
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["response_headers"] = [list(pair) for pair in self.response_headers]
        return out


@dataclass(frozen=True)
class CheckResult:
    """What one check did. `check` is the runner-local id (`openai.stream`); `id` adds the runtime."""

    check: str
    runtime: str
    status: Status
    reason: str = ""
    cause: Cause | None = None
    http_errors: tuple[HttpError, ...] = ()
    duration_s: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)
    exchanges: tuple[WireExchange, ...] = ()
    """Every HTTP exchange of the check, in order, when the runner was asked to keep them."""

    @property
    def id(self) -> str:
        return f"{self.runtime}.{self.check}"

    @property
    def client(self) -> str:
        return self.check.split(".", 1)[0]

    def describe(self) -> str:
        """The reason as a person reads it; a server-caused failure leads with the status and body."""
        if self.cause == "server-http" and self.http_errors:
            first = self.http_errors[0].summary()
            more = f" (+{len(self.http_errors) - 1} more)" if len(self.http_errors) > 1 else ""
            return f"server answered {first}{more}"
        return self.reason

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["http_errors"] = [asdict(e) for e in self.http_errors]
        del out["exchanges"]
        if self.exchanges:
            out["exchanges"] = [e.to_json() for e in self.exchanges]
        return out

    def to_line(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)


def _field(obj: dict[str, Any], name: str, kind: type | tuple[type, ...], line: str) -> Any:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ResultLineError(f"field {name!r} is {value!r}: {line[:200]}")
    return value


def parse_result_line(line: str) -> CheckResult:
    """Decode one runner line, checking every field; `ResultLineError` names what is wrong."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise ResultLineError(f"not JSON ({exc}): {line[:200]}") from None
    if not isinstance(obj, dict):
        raise ResultLineError(f"not a JSON object: {line[:200]}")
    status = _field(obj, "status", str, line)
    if status not in STATUSES:
        raise ResultLineError(f"status {status!r} is not one of {STATUSES}")
    cause = obj.get("cause")
    if cause is not None and cause not in CAUSES:
        raise ResultLineError(f"cause {cause!r} is not one of {CAUSES}")
    if (status == "pass") != (cause is None):
        raise ResultLineError(f"status {status!r} with cause {cause!r}: {line[:200]}")
    errors = []
    for raw in _field(obj, "http_errors", list, line) if "http_errors" in obj else []:
        if not isinstance(raw, dict):
            raise ResultLineError(f"http_errors item {raw!r}")
        errors.append(
            HttpError(
                method=_field(raw, "method", str, line),
                path=_field(raw, "path", str, line),
                status=_field(raw, "status", int, line),
                body=_field(raw, "body", str, line),
            )
        )
    raw_exchanges = _field(obj, "exchanges", list, line) if "exchanges" in obj else []
    exchanges = [_exchange(raw, line) for raw in raw_exchanges]
    versions = obj.get("versions") or {}
    if not isinstance(versions, dict) or not all(isinstance(v, str) for v in versions.values()):
        raise ResultLineError(f"versions {versions!r}")
    return CheckResult(
        check=_field(obj, "check", str, line),
        runtime=_field(obj, "runtime", str, line),
        status=status,
        reason=str(obj.get("reason") or ""),
        cause=cause,
        http_errors=tuple(errors),
        duration_s=float(_field(obj, "duration_s", (int, float), line)) if "duration_s" in obj else 0.0,
        versions={str(k): v for k, v in versions.items()},
        exchanges=tuple(exchanges),
    )


def _exchange(raw: object, line: str) -> WireExchange:
    if not isinstance(raw, dict):
        raise ResultLineError(f"exchanges item {raw!r:.200}")
    headers = _field(raw, "request_headers", dict, line)
    pairs = _field(raw, "response_headers", list, line)
    if not all(isinstance(v, str) for v in headers.values()) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs
    ):
        raise ResultLineError(f"exchange headers are not strings: {line[:200]}")
    return WireExchange(
        method=_field(raw, "method", str, line),
        url=_field(raw, "url", str, line),
        request_headers={str(k): v for k, v in headers.items()},
        request_body=_field(raw, "request_body", str, line),
        status=_field(raw, "status", int, line),
        response_headers=tuple((p[0], p[1]) for p in pairs),
        response_body=_field(raw, "response_body", str, line),
        elapsed_s=float(_field(raw, "elapsed_s", (int, float), line)) if "elapsed_s" in raw else 0.0,
    )


def parse_result_lines(text: str) -> tuple[list[CheckResult], list[str]]:
    """Every result line in a runner's stdout, and the other (non-empty) lines it printed.

    A result line starts with `{"` and has a `check` field; anything else a client library printed on
    stdout is kept apart, never mistaken for a result."""
    results: list[CheckResult] = []
    noise: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith('{"') and '"check"' in stripped:
            results.append(parse_result_line(stripped))
        else:
            noise.append(stripped)
    return results, noise
