"""Bounded connections: uvicorn's h11 protocol with request read timeouts and a connection cap.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but has no limit on how long a
request may take to arrive, and its `limit_concurrency` answers 503 only once a request head is
complete, so a slowloris (2,000 connections each sending half a head) or a body that never ends held
connections for good (issue 11). `GuardedH11Protocol` adds, per connection:

* a **header timeout**: the request head must be complete `header_timeout_s` after the connection
  opens, or after the previous response on a keep-alive connection (idle keep-alive connections are
  still closed after `keepalive_timeout_s`, uvicorn's own timer);
* a **body timeout**: the whole body must arrive within `body_timeout_s` of the head;
* on either, a `408` in the dialect's JSON envelope (`connection: close`) when no response has
  started, else the connection is closed;
* a **connection cap** per worker: beyond `max_connections` open connections a new one gets an
  immediate `503` with `retry-after: 1` and is closed.

uvicorn builds the protocol itself (in each worker process), so the limits come from `STRATUS_*`
variables unless `protocol_for(settings)` made a subclass that carries them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from reference_server._errors import ApiError, Dialect, render
from reference_server._settings import Settings

__all__ = ["GuardedH11Protocol", "Limits", "protocol_for"]

_log = logging.getLogger("reference_server")


class Limits:
    """The connection limits of one protocol class (seconds, and connections per worker)."""

    def __init__(self, settings: Settings) -> None:
        self.header_timeout_s = settings.header_timeout_s
        self.body_timeout_s = settings.body_timeout_s
        self.max_connections = settings.max_connections


@functools.cache
def _env_limits() -> Limits:
    return Limits(Settings.from_env())


def _raw_response(status: int, reason: str, path: str, message: str) -> bytes:
    dialect: Dialect = "anthropic" if path.startswith("/v1/messages") else "openai"
    rid = "req_" + secrets.token_hex(12)
    body, extra = render(ApiError(status, message, code=reason.lower().replace(" ", "_")), dialect, rid)
    if status == 503:
        extra["retry-after"] = "1"
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        f"x-request-id: {rid}",
        f"request-id: {rid}",
        *(f"{k}: {v}" for k, v in extra.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus header/body read timeouts and a per-worker connection cap."""

    limits: Limits | None = None
    """Set by `protocol_for`; None reads `STRATUS_*` once per process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = self.limits or _env_limits()
        self._deadline: asyncio.TimerHandle | None = None
        self._refused = False
        self._partial = False
        """Bytes of a request head have arrived since the head timer was armed."""

    # -- timers ----------------------------------------------------------------------------------
    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._partial = False
        if seconds > 0:
            self._deadline = self.loop.call_later(seconds, self._expired, what, seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self, what: str, seconds: float) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        started = self.cycle is not None and self.cycle.response_started
        path = self.scope["path"] if what == "body" and self.scope is not None else ""
        _log.info("closing a connection: the request %s did not arrive within %g s", what, seconds)
        if what == "head" and not self._partial:
            pass  # an idle connection that never began a request: close it without an answer
        elif not started:
            message = f"Request timeout: the request {what} did not arrive within {seconds:g} s."
            self.transport.write(_raw_response(408, "Request Timeout", path, message))
        if self.cycle is not None:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.close()

    # -- protocol interface ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections:
            self._refused = True
            transport.write(
                _raw_response(
                    503,
                    "Service Unavailable",
                    "",
                    f"Too many open connections: this worker serves at most {self._limits.max_connections}.",
                )
            )
            transport.close()
            return
        self._arm(self._limits.header_timeout_s, "head")

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._partial = True
        super().data_received(data)
        if self._deadline is not None and self.conn.their_state is h11.DONE:
            self._disarm()  # the whole request is in (handle_events consumed the body)

    def handle_events(self) -> None:
        waiting_for_head = self.conn.their_state is h11.IDLE
        super().handle_events()
        state = self.conn.their_state
        if waiting_for_head and state is h11.SEND_BODY:
            self._arm(self._limits.body_timeout_s, "body")
        elif state is h11.DONE or state is h11.ERROR or state is h11.MUST_CLOSE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm(self._limits.header_timeout_s, "head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    """A `GuardedH11Protocol` subclass carrying the limits of `settings` (one process)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": Limits(settings)})
