"""Building official SDK clients against the target (imports are lazy: a missing SDK is `unavailable`).

Every client sends through a recording transport, so the exchanges an SDK case judged are kept as
its evidence like those of the raw-HTTP cases (the SDKs use ``httpx2``; vcrpy patches its
``HTTPTransport``, which the recorder wraps, so ``--record``/``--replay`` still work).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from conformance._case import CaseFailed, CaseUnavailable
from conformance._context import Context, Exchange

__all__ = [
    "Counter",
    "anthropic_client",
    "expect_raises",
    "http_client",
    "openai_client",
    "require",
]


def _exchange(request: Any, response: Any) -> Exchange:
    try:
        content = bytes(request.content)
    except Exception:  # a streamed request body that was not kept
        content = None
    return Exchange(
        method=request.method,
        url=str(request.url),
        request_headers=dict(request.headers),
        request_body=content,
        status=response.status_code,
        headers=httpx.Headers(list(response.headers.multi_items())),
        body=b"",
    )


def _recording_transports(ctx: Context) -> tuple[type, type]:
    """Transport classes (sync, async) that keep every exchange through ``ctx.record``."""
    httpx2 = require("httpx2")

    class Tee(httpx2.SyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any, ex: Exchange, start: float) -> None:
            self.inner, self.ex, self.start = inner, ex, start

        def __iter__(self) -> Iterator[bytes]:
            for chunk in self.inner:
                self.ex.body += chunk
                self.ex.chunks.append((time.perf_counter() - self.start, chunk))
                self.ex.elapsed = time.perf_counter() - self.start
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class AsyncTee(httpx2.AsyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any, ex: Exchange, start: float) -> None:
            self.inner, self.ex, self.start = inner, ex, start

        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for chunk in self.inner:
                self.ex.body += chunk
                self.ex.chunks.append((time.perf_counter() - self.start, chunk))
                self.ex.elapsed = time.perf_counter() - self.start
                yield chunk

        async def aclose(self) -> None:
            await self.inner.aclose()

    class Recording(httpx2.BaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.inner = httpx2.HTTPTransport()

        def handle_request(self, request: Any) -> Any:
            start = time.perf_counter()
            response = self.inner.handle_request(request)
            ex = _exchange(request, response)
            ctx.record(ex)
            response.stream = Tee(response.stream, ex, start)
            return response

        def close(self) -> None:
            self.inner.close()

    class AsyncRecording(httpx2.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.inner = httpx2.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            start = time.perf_counter()
            response = await self.inner.handle_async_request(request)
            ex = _exchange(request, response)
            ctx.record(ex)
            response.stream = AsyncTee(response.stream, ex, start)
            return response

        async def aclose(self) -> None:
            await self.inner.aclose()

    return Recording, AsyncRecording


def http_client(
    ctx: Context, sdk: Any, *, async_: bool = False, hooks: dict[str, list[Any]] | None = None
) -> Any:
    """The SDK's default httpx2 client class, sending through the recording transport."""
    sync_t, async_t = _recording_transports(ctx)
    if async_:
        return sdk.DefaultAsyncHttpxClient(event_hooks=hooks or {}, transport=async_t())
    client = sdk.DefaultHttpxClient(event_hooks=hooks or {}, transport=sync_t())
    ctx.closers.append(client.close)
    return client


def require(module: str, extra: str = "sdk") -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise CaseUnavailable(
            f"{module} is not installed (pip install 'stratus-conformance[{extra}]')"
        ) from None


class Counter:
    """Counts requests through an httpx2 event hook (to observe SDK retries)."""

    def __init__(self) -> None:
        self.count = 0

    def hook(self, request: Any) -> None:
        self.count += 1


def openai_client(
    ctx: Context,
    *,
    async_: bool = False,
    max_retries: int = 0,
    counter: Counter | None = None,
    api_key: str | None = None,
) -> Any:
    openai = require("openai")
    hooks: dict[str, list[Any]] = {"request": [counter.hook]} if counter else {}
    if async_:
        if counter:

            async def ahook(request: Any) -> None:
                counter.count += 1

            hooks = {"request": [ahook]}
        http = http_client(ctx, openai, async_=True, hooks=hooks)
        return openai.AsyncOpenAI(
            base_url=f"{ctx.target.base_url}/v1",
            api_key=api_key or ctx.target.api_key,
            max_retries=max_retries,
            http_client=http,
        )
    http = http_client(ctx, openai, hooks=hooks)
    client = openai.OpenAI(
        base_url=f"{ctx.target.base_url}/v1",
        api_key=api_key or ctx.target.api_key,
        max_retries=max_retries,
        http_client=http,
    )
    ctx.closers.append(client.close)
    return client


def anthropic_client(
    ctx: Context,
    *,
    async_: bool = False,
    max_retries: int = 0,
    counter: Counter | None = None,
    api_key: str | None = None,
) -> Any:
    anthropic = require("anthropic")
    hooks: dict[str, list[Any]] = {"request": [counter.hook]} if counter else {}
    if async_:
        if counter:

            async def ahook(request: Any) -> None:
                counter.count += 1

            hooks = {"request": [ahook]}
        return anthropic.AsyncAnthropic(
            base_url=ctx.target.base_url,
            api_key=api_key or ctx.target.api_key,
            max_retries=max_retries,
            http_client=http_client(ctx, anthropic, async_=True, hooks=hooks),
        )
    http = http_client(ctx, anthropic, hooks=hooks)
    client = anthropic.Anthropic(
        base_url=ctx.target.base_url,
        api_key=api_key or ctx.target.api_key,
        max_retries=max_retries,
        http_client=http,
    )
    ctx.closers.append(client.close)
    return client


def expect_raises(exc_type: type[BaseException], call: Callable[[], Any], what: str) -> BaseException:
    try:
        call()
    except exc_type as exc:
        return exc
    except Exception as exc:
        raise CaseFailed(
            f"{what}: raised {type(exc).__name__}({exc}), expected {exc_type.__name__}"
        ) from None
    raise CaseFailed(f"{what}: no exception, expected {exc_type.__name__}")
