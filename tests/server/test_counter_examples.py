"""Every request counter-example in spec/examples/counter.yaml is refused by the server, naming the
parameter where the entry says which (`param`).

The drift test checks that the msgspec decoder rejects most of them; the rules it cannot express
(model grammar, `stream_options` without `stream`, `tool_choice` without tools, ...) are enforced
after decoding, and this test is where that is checked, through the real HTTP surface.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from conformance import _spec
from reference_server import Settings, create_app

KEY = "stratus_sk_test_counterExample01"
ROUTES = {
    "ChatCompletionRequest": "/v1/chat/completions",
    "MessagesRequest": "/v1/messages",
    "CountTokensRequest": "/v1/messages/count_tokens",
    "EmbeddingsRequest": "/v1/embeddings",
    "RolloutRequest": "/v1/rollout",
}


def _requests() -> list[tuple[str, str, Any, str | None]]:
    with (_spec.spec_dir() / "examples" / "counter.yaml").open(encoding="utf-8") as fh:
        entries = yaml.safe_load(fh)["counter_examples"]
    return [
        (e["id"], ROUTES[e["component"]], e["instance"], e.get("param"))
        for e in entries
        if e["component"] in ROUTES
    ]


CASES = _requests()


def test_there_are_request_counter_examples_for_every_route() -> None:
    assert {route for _, route, _, _ in CASES} >= set(ROUTES.values()) - {"/v1/messages/count_tokens"}


@pytest.mark.asyncio
@pytest.mark.parametrize(("example_id", "route", "body", "param"), CASES, ids=[c[0] for c in CASES])
async def test_counter_example_is_refused(example_id: str, route: str, body: Any, param: str | None) -> None:
    transport = httpx.ASGITransport(app=create_app(Settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://reference") as client:
        response = await client.post(route, json=body, headers={"Authorization": f"Bearer {KEY}"})
    # Messages answer a bad model with 404 not_found_error (D-MOD-2); everything else is 400.
    assert response.status_code in ((400, 404) if route.startswith("/v1/messages") else (400,)), response.text
    envelope = "AnthropicErrorResponse" if route.startswith("/v1/messages") else "OpenAIErrorResponse"
    assert list(_spec.validator_for(envelope).iter_errors(response.json())) == []
    if param is not None:
        # The 400 names the parameter: OpenAI's `error.param`, or the text of Anthropic's message.
        error = response.json()["error"]
        if route.startswith("/v1/messages"):
            assert param in error["message"], error["message"]
        else:
            assert error["param"] == param, error
