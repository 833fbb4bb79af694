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
from conformance._redact import redact_body, redact_headers, redact_url

__all__ = ["Context", "Exchange", "Target"]

_EXCERPT = 1500


@dataclass(frozen=True)
class Target:
    """Where the suite points: base URL is the host root (no ``/v1``)."""

    base_url: str
    api_key: str
    model: str = "stratus-x1ac-small-gpt-4o"
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
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise CaseFailed(
                f"{self.method} {self.url}: body is not JSON ({exc}): {self.body[:200]!r}"
            ) from None

    def evidence(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "url": redact_url(self.url),
                "headers": redact_headers(self.request_headers),
                "body": redact_body(self.request_body)[:_EXCERPT],
            },
            "response": {
                "status": self.status,
                "headers": redact_headers(dict(self.headers)),
                "body": redact_body(self.body)[:_EXCERPT],
            },
        }


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
        self._cache: dict[str, Any] = {}
        self.use_cache = not (target.recording or target.replaying)

    def close(self) -> None:
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
            raise CaseFailed(f"{method} {path}: transport error {exc!r}") from None
        try:
            if stream:
                for raw in resp.iter_raw():
                    chunks.append((time.perf_counter() - start, raw))
                body = b"".join(c for _, c in chunks)
            else:
                body = resp.read()
        except httpx.HTTPError as exc:
            raise CaseFailed(f"{method} {path}: error while reading the body {exc!r}") from None
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
