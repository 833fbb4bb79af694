"""Records what the Python clients send and receive, whatever client library sent it.

All the Python clients in the matrix talk through httpx or httpx2 (openai and anthropic 3.x/2.x use
httpx2, LangChain/pydantic-ai/instructor go through those SDKs, litellm and llama-index through httpx);
wrapping `Client.send` / `AsyncClient.send` of both catches every transport, aiohttp-backed ones included.
Every HTTP error answer is kept, so a failure is attributed to the server with the status and body it
sent, whatever exception class the client turned it into. With `capture=True` every exchange is kept
too (request, status, headers and the body as the client read it, streams included): the evidence a
conformance case reports.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

from ._result import HttpError, WireExchange

__all__ = ["HttpLog"]


class _Capture:
    """One exchange being recorded; the body grows while the client reads a streamed answer."""

    def __init__(self, request: Any, response: Any, started: float) -> None:
        self.request, self.response, self.started = request, response, started
        self.body = bytearray()
        self.finished = time.monotonic()

    def add(self, chunk: bytes) -> None:
        self.body += chunk
        self.finished = time.monotonic()

    def freeze(self) -> WireExchange:
        try:
            sent = bytes(self.request.content).decode("utf-8", "replace")
        except Exception:  # a streamed request body that was not kept
            sent = ""
        return WireExchange.make(
            method=self.request.method,
            url=str(self.request.url),
            request_headers=dict(self.request.headers),
            request_body=sent,
            status=self.response.status_code,
            response_headers=list(self.response.headers.multi_items()),
            response_body=bytes(self.body).decode("utf-8", "replace"),
            elapsed_s=self.finished - self.started,
        )


@functools.cache
def _tees(module: ModuleType) -> tuple[type, type]:
    """Byte-stream classes of `module` (httpx or httpx2) that copy what the client reads."""

    class Tee(module.SyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any, capture: _Capture) -> None:
            self.inner, self.capture = inner, capture

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.inner:
                self.capture.add(chunk)
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class AsyncTee(module.AsyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any, capture: _Capture) -> None:
            self.inner, self.capture = inner, capture

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self.inner:
                self.capture.add(chunk)
                yield chunk

        async def aclose(self) -> None:
            await self.inner.aclose()

    return Tee, AsyncTee


class HttpLog:
    def __init__(self, *, capture: bool = False) -> None:
        self.capture = capture
        self._errors: list[HttpError] = []
        self._captures: list[_Capture] = []
        self._originals: list[tuple[Any, Any]] = []

    def take(self) -> list[HttpError]:
        """The errors seen since the last call."""
        errors, self._errors = self._errors, []
        return errors

    def take_exchanges(self) -> list[WireExchange]:
        """The exchanges seen since the last call (only with `capture`), in the order they were sent."""
        captures, self._captures = self._captures, []
        return [c.freeze() for c in captures]

    def _record(self, request: Any, response: Any) -> None:
        try:
            body = response.content.decode("utf-8", errors="replace")
        except Exception as exc:  # a body we cannot read still tells the status
            body = f"<body not readable: {type(exc).__name__}>"
        self._errors.append(HttpError.make(request.method, request.url.path, response.status_code, body))

    def _start(self, module: ModuleType, request: Any, response: Any, started: float, *, sync: bool) -> None:
        capture = _Capture(request, response, started)
        self._captures.append(capture)
        try:
            capture.add(response.content)  # already read (a client call without stream=True)
        except module.ResponseNotRead:
            tee, async_tee = _tees(module)
            response.stream = (tee if sync else async_tee)(response.stream, capture)

    def install(self) -> None:
        """Patch `send` on httpx/httpx2 clients (the ones importable here); idempotent."""
        if self._originals:
            return
        for name in ("httpx", "httpx2"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            self._wrap_sync(module)
            self._wrap_async(module)

    def uninstall(self) -> None:
        """Put the original `send` methods back."""
        for cls, original in reversed(self._originals):
            cls.send = original
        self._originals = []

    def _wrap_sync(self, module: ModuleType) -> None:
        cls = module.Client
        original = cls.send
        self._originals.append((cls, original))
        log = self

        @functools.wraps(original)
        def send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            response = original(client, request, *args, **kwargs)
            if log.capture:
                log._start(module, request, response, started, sync=True)
            if response.status_code >= 400:
                response.read()
                log._record(request, response)
            return response

        cls.send = send

    def _wrap_async(self, module: ModuleType) -> None:
        cls = module.AsyncClient
        original = cls.send
        self._originals.append((cls, original))
        log = self

        @functools.wraps(original)
        async def send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            response = await original(client, request, *args, **kwargs)
            if log.capture:
                log._start(module, request, response, started, sync=False)
            if response.status_code >= 400:
                await response.aread()
                log._record(request, response)
            return response

        cls.send = send
