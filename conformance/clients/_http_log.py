"""Records every HTTP error answer the Python clients receive, whatever client library sent it.

All the Python clients in the matrix talk through httpx or httpx2 (openai and anthropic 3.x/2.x use
httpx2, LangChain/pydantic-ai/instructor go through those SDKs, litellm and llama-index through httpx);
wrapping `Client.send` / `AsyncClient.send` of both catches every transport, aiohttp-backed ones included.
A failure is then attributed to the server with the status and body it sent, whatever exception class the
client turned it into.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from ._result import HttpError

__all__ = ["HttpLog"]


class HttpLog:
    def __init__(self) -> None:
        self._errors: list[HttpError] = []
        self._originals: list[tuple[Any, Any]] = []

    def take(self) -> list[HttpError]:
        """The errors seen since the last call."""
        errors, self._errors = self._errors, []
        return errors

    def _record(self, request: Any, response: Any) -> None:
        try:
            body = response.content.decode("utf-8", errors="replace")
        except Exception as exc:  # a body we cannot read still tells the status
            body = f"<body not readable: {type(exc).__name__}>"
        self._errors.append(HttpError.make(request.method, request.url.path, response.status_code, body))

    def install(self) -> None:
        """Patch `send` on httpx/httpx2 clients (the ones importable here); idempotent."""
        if self._originals:
            return
        for name in ("httpx", "httpx2"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            self._wrap_sync(module.Client)
            self._wrap_async(module.AsyncClient)

    def uninstall(self) -> None:
        """Put the original `send` methods back."""
        for cls, original in reversed(self._originals):
            cls.send = original
        self._originals = []

    def _wrap_sync(self, cls: Any) -> None:
        original = cls.send
        self._originals.append((cls, original))
        log = self

        @functools.wraps(original)
        def send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = original(client, request, *args, **kwargs)
            if response.status_code >= 400:
                response.read()
                log._record(request, response)
            return response

        cls.send = send

    def _wrap_async(self, cls: Any) -> None:
        original = cls.send
        self._originals.append((cls, original))
        log = self

        @functools.wraps(original)
        async def send(client: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            response = await original(client, request, *args, **kwargs)
            if response.status_code >= 400:
                await response.aread()
                log._record(request, response)
            return response

        cls.send = send
