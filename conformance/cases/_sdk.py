"""Building official SDK clients against the target (imports are lazy: a missing SDK is `unavailable`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from conformance._case import CaseFailed, CaseUnavailable
from conformance._context import Context

__all__ = ["Counter", "anthropic_client", "expect_raises", "openai_client", "require"]


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
        http = openai.DefaultAsyncHttpxClient(event_hooks=hooks)
        return openai.AsyncOpenAI(
            base_url=f"{ctx.target.base_url}/v1",
            api_key=api_key or ctx.target.api_key,
            max_retries=max_retries,
            http_client=http,
        )
    http = openai.DefaultHttpxClient(event_hooks=hooks)
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
            http_client=anthropic.DefaultAsyncHttpxClient(event_hooks=hooks),
        )
    http = anthropic.DefaultHttpxClient(event_hooks=hooks)
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
