"""HTTP to the LLM providers (D-EXEC-1): one shared client, bounded retries, errors, SSE.

One `httpx.AsyncClient` per app and event loop, with connect/read timeouts. A request is retried
with tenacity before its response starts: on 408/409/429/5xx and on connection errors (connect
timeouts included), after `retry-after-ms` / `retry-after` (seconds or an HTTP date) when the
provider sends one, else after `STRATUS_UPSTREAM_BACKOFF_S` x 2^n; a wait longer than
`STRATUS_UPSTREAM_MAX_RETRY_WAIT_S` ends the retries at once, and there are at most
`STRATUS_UPSTREAM_RETRIES` of them. Server-sent events are read with httpx-sse. Keys are only ever
put in the outgoing headers: log lines name provider, model, status, attempt and time.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import time
from collections.abc import AsyncGenerator, Mapping, MutableMapping
from typing import Any

import httpx
import tenacity
from httpx_sse import EventSource

from reference_server._errors import ApiError
from reference_server._limits import parse_digits
from reference_server._settings import Settings
from reference_server._upstream_route import Route, scrub

__all__ = [
    "client_for",
    "close_clients",
    "provider_message",
    "read_json",
    "send",
    "server_sent_events",
]

_log = logging.getLogger("reference_server.upstream")
_RETRY_STATUSES = frozenset({408, 409, 429})
_STATE_KEY = "stratus_upstream"


def client_for(state: MutableMapping[str, Any], settings: Settings) -> httpx.AsyncClient:
    """The app's shared client for the running event loop (test clients may run several loops)."""
    loop = asyncio.get_running_loop()
    held: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = state.get(_STATE_KEY)
    if held is not None and held[0] is loop and not held[1].is_closed:
        return held[1]
    timeout = httpx.Timeout(
        connect=settings.upstream_connect_timeout_s,
        read=settings.upstream_read_timeout_s,
        write=settings.upstream_read_timeout_s,
        pool=settings.upstream_connect_timeout_s,
    )
    client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)
    state[_STATE_KEY] = (loop, client)
    return client


async def close_clients(app: Any) -> None:
    """Lifespan shutdown hook: close the shared client."""
    held = app.state.get(_STATE_KEY)
    if held is not None and held[0] is asyncio.get_running_loop():
        await held[1].aclose()


# -- errors ----------------------------------------------------------------------------------


def provider_message(body: bytes) -> str:
    """The human part of a provider's error body (at most 300 characters)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:300]
    if isinstance(data, list) and data:
        data = data[0]
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict) and err.get("message"):
        return str(err["message"])[:300]
    if isinstance(err, str):
        return err[:300]
    return json.dumps(data)[:300]


def _provider_error(route: Route, status: int, body: bytes, retry_after: str | None) -> ApiError:
    """502 `llm_provider_error` naming the provider (FACTS §11's example wording)."""
    detail = scrub(provider_message(body), route.key)
    message = f"LLM provider error: {route.name} answered {status}" + (f": {detail}" if detail else ".")
    whole = (retry_after or "").split(".", 1)[0]
    retry = parse_digits(whole) if whole else None
    return ApiError(502, message, retry_after=retry)


def _timeout_error(route: Route, settings: Settings) -> ApiError:
    return ApiError(
        504,
        f"LLM provider timeout: {route.name} did not answer within {settings.upstream_read_timeout_s:g} s.",
    )


def _unreachable(route: Route, exc: Exception) -> ApiError:
    return ApiError(502, f"LLM provider error: could not reach {route.name} ({type(exc).__name__}).")


# -- sending, with retries -------------------------------------------------------------------


class _Retry(Exception):
    """A failed attempt that may be retried after `wait` seconds; `error` is what the client gets
    when it is the last."""

    def __init__(self, error: ApiError, wait: float, reason: str) -> None:
        super().__init__(reason)
        self.error, self.wait, self.reason = error, wait, reason


def _retry_after(headers: httpx.Headers) -> float | None:
    """The provider's `retry-after-ms` / `retry-after` (seconds or an HTTP date), in seconds."""
    raw_ms = headers.get("retry-after-ms")
    raw = headers.get("retry-after")
    try:
        if raw_ms is not None:
            return _seconds(raw_ms) / 1e3
        if raw is not None:
            return _seconds(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw) if raw else None
        except (ValueError, TypeError):  # neither seconds nor an HTTP date: the default backoff
            when = None
        return when.timestamp() - time.time() if when is not None else None
    return None


def _seconds(raw: str) -> float:
    """A finite number written in ASCII (`float` also reads "١٢", "nan" and "inf"); else ValueError."""
    value = float(raw) if raw.isascii() else math.nan
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


async def _attempt(
    client: httpx.AsyncClient, route: Route, request: httpx.Request, settings: Settings, attempt: int
) -> httpx.Response:
    """One attempt: a 200 response (body unread), or `_Retry` / `ApiError`."""
    backoff = settings.upstream_backoff_s * (2**attempt)
    t0 = time.perf_counter()
    try:
        resp = await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        if not isinstance(exc, httpx.ConnectTimeout):
            raise _timeout_error(route, settings) from None
        raise _Retry(_timeout_error(route, settings), backoff, "connect timeout") from None
    except httpx.TransportError as exc:
        raise _Retry(_unreachable(route, exc), backoff, type(exc).__name__) from None
    ms = (time.perf_counter() - t0) * 1e3
    _log.info(
        "upstream %s %s: %d in %.0f ms (attempt %d)",
        route.name,
        route.model,
        resp.status_code,
        ms,
        attempt + 1,
    )
    if resp.status_code == 200:
        return resp
    try:
        body = await resp.aread()
    except httpx.HTTPError:
        body = b""
    finally:
        await resp.aclose()
    error = _provider_error(route, resp.status_code, body, resp.headers.get("retry-after"))
    if resp.status_code not in _RETRY_STATUSES and resp.status_code < 500:
        raise error
    asked = _retry_after(resp.headers)
    wait = max(0.0, backoff if asked is None else asked)
    if wait > settings.upstream_max_retry_wait_s:
        raise error  # waiting less than asked would fail again
    raise _Retry(error, wait, f"status {resp.status_code}")


def _wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    return exc.wait if isinstance(exc, _Retry) else 0.0


def _log_retry(route: Route) -> Any:
    def log(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retry):
            _log.warning(
                "upstream %s %s: %s, retry %d in %.2f s",
                route.name,
                route.model,
                exc.reason,
                state.attempt_number,
                exc.wait,
            )

    return log


async def send(
    client: httpx.AsyncClient,
    route: Route,
    payload: dict[str, Any],
    settings: Settings,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST `payload` to the provider; return its 200 response with the body unread (a stream).
    `extra_headers`: what the request adds for the provider (Anthropic's `anthropic-beta`)."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        **(extra_headers or {}),
        **route.headers(),
        "content-type": "application/json",
        "accept": "application/json",
    }
    if payload.get("stream"):
        headers["accept"] = "text/event-stream"
    retrying = tenacity.AsyncRetrying(
        retry=tenacity.retry_if_exception_type(_Retry),
        stop=tenacity.stop_after_attempt(settings.upstream_retries + 1),
        wait=_wait,
        before_sleep=_log_retry(route),
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                request = client.build_request("POST", route.url, content=body, headers=headers)
                number = attempt.retry_state.attempt_number - 1
                return await _attempt(client, route, request, settings, number)
    except _Retry as last:
        raise last.error from None
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover


async def read_json(resp: httpx.Response, route: Route, settings: Settings) -> Any:
    """The whole body of a 200 response as JSON; 504 on a read timeout, 502 otherwise."""
    try:
        raw = await resp.aread()
    except httpx.TimeoutException:
        raise _timeout_error(route, settings) from None
    except httpx.HTTPError as exc:
        raise _unreachable(route, exc) from None
    finally:
        await resp.aclose()
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(
            502, f"LLM provider error: {route.name} answered with a body that is not JSON."
        ) from None


async def server_sent_events(resp: httpx.Response) -> AsyncGenerator[tuple[str, str], None]:
    """(event name, data) of each server-sent event with data; comments (`: keep-alive`) are skipped.
    The response is closed when the iteration ends or is closed."""
    try:
        async for sse in EventSource(resp).aiter_sse():
            if sse.data:
                yield sse.event, sse.data
    finally:
        await resp.aclose()
