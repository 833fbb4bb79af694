"""`create_app(settings)`: the Litestar application, its routes and its error rendering."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.types import Message, Scope

from reference_server._chat import chat_completions
from reference_server._endpoints import create_embeddings, create_rollout, get_model, health, list_models
from reference_server._errors import ApiError, Dialect, render
from reference_server._messages import count_message_tokens, create_message
from reference_server._pipeline import request_id
from reference_server._service import CompletionService
from reference_server._settings import Settings
from reference_server._store import Store, open_store
from reference_server._upstream_http import close_clients
from reference_server.planner import PlannerBackendError, get_planner

__all__ = ["create_app"]

_log = logging.getLogger("reference_server")


def _dialect(request: Request[Any, Any, Any]) -> Dialect:
    """D-ERR-1: Anthropic's envelope under /v1/messages or with `anthropic-version`, else OpenAI's."""
    if request.url.path.startswith("/v1/messages") or "anthropic-version" in request.headers:
        return "anthropic"
    return "openai"


_NOT_STRATUS = {
    "responses": " The Responses API is not part of the Stratus API, which serves chat completions: "
    "use POST /v1/chat/completions.",
    "completions": " The legacy Completions API is not part of the Stratus API, which serves chat completions: "
    "use POST /v1/chat/completions.",
}
"""OpenAI routes Stratus does not serve, with the hint their 404 carries (D-SURF-5)."""


def _respond(
    request: Request[Any, Any, Any], err: ApiError, extra: dict[str, str] | None = None
) -> Response[Any]:
    body, headers = render(err, _dialect(request), request_id(request.scope))
    return Response(
        body, status_code=err.status, media_type="application/json", headers={**headers, **(extra or {})}
    )


def _api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return _respond(request, exc)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    method, path = request.method, request.url.path
    extra = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    if status == 404:
        hint = _NOT_STRATUS.get(path.rstrip("/").split("/")[2] if path.startswith("/v1/") else "")
        err = ApiError(404, f"Unknown request URL: {method} {path}.{hint or ''}", code="unknown_url")
    elif status == 405:
        err = ApiError(405, f"Method {method} is not allowed for {path}.", code="method_not_allowed")
    elif status == 413:
        err = ApiError(413, "Request body too large.")
    elif status < 500:
        err = ApiError(status, f"Invalid request: {exc.detail}.", code="invalid_value")
    else:
        err = ApiError(status, "The server had an error while processing your request.")
    return _respond(request, err, extra)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    _log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _respond(request, ApiError(500, "The server had an error while processing your request."))


async def _add_request_id(message: Message, scope: Scope) -> None:
    """Put `x-request-id` and `request-id` (same value) on every response (D-HDR-1)."""
    if message["type"] == "http.response.start":
        rid = request_id(scope).encode()
        headers = list(message.get("headers", []))
        headers.append((b"x-request-id", rid))
        headers.append((b"request-id", rid))
        message["headers"] = headers


def _start_planner(app: Litestar) -> None:
    """Build the default planner as the server starts, which starts compiling its numba kernels on a
    background thread (requests meanwhile get the NumPy search's identical plans)."""
    settings: Settings = app.state["stratus_settings"]
    with contextlib.suppress(PlannerBackendError):  # every request that plans reports it
        get_planner("base", settings.planner_backend)


async def _close_store(app: Litestar) -> None:
    store: Store = app.state["stratus_store"]
    await store.close()


def create_app(settings: Settings | None = None, store: Store | None = None) -> Litestar:
    """The reference server as an ASGI app. `settings` defaults to `Settings.from_env()`; `store` to
    the one `settings.store` names (`open_store`)."""
    settings = settings or Settings.from_env()
    state = State({"stratus_settings": settings, "stratus_store": store or open_store(settings)})
    state["stratus_service"] = CompletionService(settings, state, store=state["stratus_store"])
    return Litestar(
        route_handlers=[
            chat_completions,
            create_message,
            count_message_tokens,
            list_models,
            get_model,
            health,
            create_embeddings,
            create_rollout,
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        before_send=[_add_request_id],
        on_startup=[_start_planner],
        on_shutdown=[close_clients, _close_store],
        state=state,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=None,
        debug=False,
    )
