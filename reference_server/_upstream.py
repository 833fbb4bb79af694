"""Upstream execution (D-EXEC-1): the plan-enriched turn executed by the real LLM provider.

`STRATUS_EXECUTOR=upstream` puts this executor behind the completion service. The provider is chosen
by the model's LLM part and the key by D-AUTH-3 (`_upstream_route.py`); the `Turn` becomes the
provider's request with the plan as a system note (`_upstream_request.py`); the call goes through the
shared client with retries (`_upstream_http.py`); the answer comes back as a `Result` or as events
(`_upstream_openai.py`, `_upstream_anthropic.py`), which the dialect encoders turn into the client's
wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx

from reference_server._catalog import ModelId
from reference_server._errors import ApiError
from reference_server._execution import Event, KeySource, ProviderKeys, Result
from reference_server._settings import Settings
from reference_server._turn import Turn
from reference_server._upstream_anthropic import anthropic_events, result_from_anthropic
from reference_server._upstream_http import client_for, read_json, send, server_sent_events
from reference_server._upstream_openai import openai_events, result_from_openai
from reference_server._upstream_request import check_carried, plan_note, request_body
from reference_server._upstream_route import Route, provider_for, route_for
from reference_server.planner import Plan

__all__ = ["UpstreamExecutor"]


class _Upstream:
    """One request executed by a provider."""

    def __init__(
        self, turn: Turn, model: ModelId, route: Route, settings: Settings, state: MutableMapping[str, Any]
    ) -> None:
        self.turn, self.model, self.route, self.settings, self.state = turn, model, route, settings, state
        self.key_source: KeySource = route.key_source
        self.executed_by: str | None = route.name
        self.budget_tokens = turn.budget_tokens
        """The provider writes up to `max_tokens` (default 1024) per choice."""

    def _body(self, plan: Plan) -> dict[str, Any]:
        return request_body(self.turn, self.route, plan_note(plan, self.model.size))

    def _headers(self) -> dict[str, str]:
        """The client's `anthropic-beta` names go on to an Anthropic provider (D-THINK-5)."""
        if self.route.wire != "anthropic" or not self.turn.betas:
            return {}
        return {"anthropic-beta": ",".join(self.turn.betas)}

    async def _send(self, body: dict[str, Any]) -> httpx.Response:
        client = client_for(self.state, self.settings)
        return await send(client, self.route, body, self.settings, self._headers())

    async def complete(self, plan: Plan) -> Result:
        body = self._body(plan)
        resp = await self._send(body)
        data = await read_json(resp, self.route, self.settings)
        try:
            if self.route.wire == "anthropic":
                return result_from_anthropic(data, self.route)
            return result_from_openai(data, self.route)
        except (ValueError, TypeError, AttributeError):
            raise ApiError(
                502, f"LLM provider error: {self.route.name} answered with an unexpected body."
            ) from None

    async def stream(self, plan: Plan) -> AsyncIterator[Event]:
        body = self._body(plan)
        resp = await self._send(body)
        source = server_sent_events(resp)
        if self.route.wire == "anthropic":
            return anthropic_events(source, self.route)
        return openai_events(source, self.route, self.turn.n or 1)


class UpstreamExecutor:
    """Executes turns on the provider named by the model id; one per app (the client is per loop)."""

    live = True

    def __init__(self, settings: Settings, state: MutableMapping[str, Any]) -> None:
        self.settings = settings
        self.state = state

    def prepare(self, turn: Turn, model: ModelId, keys: ProviderKeys) -> _Upstream:
        check_carried(turn, "anthropic" if provider_for(model.llm) == "anthropic" else "openai")
        return _Upstream(turn, model, route_for(model.llm, self.settings, keys), self.settings, self.state)
