"""What a case sees: the target, an HTTP client that keeps evidence, and shared caches."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance._case import CaseFailed, CaseSkipped
from conformance._expect import missing

__all__ = ["DEFAULT_MODEL", "Context", "Exchange", "Target", "TransportFailed"]

DEFAULT_MODEL = "stratus-x1ac-small-gpt-4o"
"""The model id the suite sends unless told otherwise (the one place it is written)."""


@dataclass(frozen=True)
class Target:
    """Where the suite points: base URL is the host root (no ``/v1``)."""

    base_url: str
    api_key: str
    model: str = DEFAULT_MODEL
    replaying: bool = False
    recording: bool = False

    @property
    def size_model(self) -> str:
        """The size-only id used by embeddings and rollout (D-MOD-1)."""
        parts = self.model.split("-")
        return "-".join(parts[:3]) if len(parts) >= 3 else self.model


@dataclass
class Exchange:
    """One HTTP request/response pair, with raw body bytes and read timing for streams."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    headers: httpx.Headers
    body: bytes
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", ""))

    def json(self) -> Any:
        """The body as JSON (whatever the status); a body that is not JSON fails the case."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise missing("a JSON body", self) from None


class TransportFailed(CaseFailed):
    """The request never got an HTTP answer (connection refused, timeout, reset)."""


def _transport_error(exc: httpx.HTTPError) -> str:
    """``ConnectError: [Errno 111] Connection refused`` without the exception's repr noise."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Context:
    """Per-run state shared by cases. ``cache`` lets cases share one exchange (disabled under
    record/replay so every case's cassette is self-contained)."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.BaseTransport | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.options: dict[str, Any] = dict(options or {})
        self.client = httpx.Client(base_url=target.base_url, timeout=httpx.Timeout(30.0), transport=transport)
        self.exchanges: list[Exchange] = []
        self.notes: list[str] = []
        self.closers: list[Any] = []
        self.run_closers: list[Any] = []
        """Called by :meth:`close`: what lives as long as the run (a client runner process)."""
        self._cache: dict[str, Any] = {}
        self.use_cache = not (target.recording or target.replaying)

    def close(self) -> None:
        for close in reversed(self.run_closers):
            with contextlib.suppress(Exception):
                close()
        self.run_closers = []
        self.client.close()

    def begin_case(self) -> None:
        self.exchanges = []
        self.notes = []
        self.closers = []

    def end_case(self) -> None:
        for close in getattr(self, "closers", []):
            with contextlib.suppress(Exception):
                close()
        self.closers = []

    # -- headers --------------------------------------------------------------------------
    def auth_headers(self, *, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.target.api_key}"}

    # -- requests ---------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        stream: bool = False,
    ) -> Exchange:
        hdrs: dict[str, str] = {}
        if auth:
            hdrs.update(self.auth_headers())
        if json_body is not None:
            content = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        hdrs = {k: v for k, v in hdrs.items() if v != ""}
        start = time.perf_counter()
        chunks: list[tuple[float, bytes]] = []
        req = self.client.build_request(method, path, content=content, headers=hdrs)
        try:
            resp = self.client.send(req, stream=True)
        except httpx.HTTPError as exc:
            raise TransportFailed(f"{method} {path}: {_transport_error(exc)}") from None
        try:
            if stream:
                for raw in resp.iter_raw():
                    chunks.append((time.perf_counter() - start, raw))
                body = b"".join(c for _, c in chunks)
            else:
                body = resp.read()
        except httpx.HTTPError as exc:
            raise TransportFailed(f"{method} {path}: the body broke off ({_transport_error(exc)})") from None
        finally:
            resp.close()
        ex = Exchange(
            method=method,
            url=str(req.url),
            request_headers=dict(req.headers),
            request_body=content,
            status=resp.status_code,
            headers=resp.headers,
            body=body,
            chunks=chunks,
            elapsed=time.perf_counter() - start,
        )
        self.exchanges.append(ex)
        return ex

    def record(self, exchange: Exchange) -> None:
        """Keep an exchange made outside :meth:`request` (an official SDK's) as evidence."""
        self.exchanges.append(exchange)

    def post(self, path: str, body: Any, **kw: Any) -> Exchange:
        return self.request("POST", path, json_body=body, **kw)

    def cached(self, key: str, make: Any) -> Any:
        """Return ``make()`` once per run for ``key`` (per case under record/replay)."""
        if not self.use_cache:
            return make()
        if key not in self._cache:
            self._cache[key] = make()
        else:
            value = self._cache[key]
            ex = value if isinstance(value, Exchange) else getattr(value, "exchange", None)
            if isinstance(ex, Exchange):
                self.exchanges.append(ex)
        return self._cache[key]

    # -- capabilities -----------------------------------------------------------------------
    def require_mock(self) -> None:
        """Skip unless the target honours ``X-Stratus-Mock-Status`` (D-MOCK-1)."""

        def probe() -> bool:
            ex = self.request("GET", "/v1/models", headers={"X-Stratus-Mock-Status": "503"})
            return ex.status == 503

        if not self.cached("mock-probe", probe):
            raise CaseSkipped(
                "the target ignores X-Stratus-Mock-Status (D-MOCK-1), so this error path cannot be triggered"
            )
