"""`POST /v1/messages` and `/v1/messages/count_tokens`: the Anthropic dialect onto the completion
service (wire-checklist D, E, G)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post

from reference_server._catalog import parse_chat_model
from reference_server._errors import ApiError
from reference_server._execution import ProviderKeys
from reference_server._frames import sse_answer
from reference_server._json import JSONResponse
from reference_server._limits import check_max_tokens
from reference_server._messages_decode import beta_names, messages_turn, prompt_tokens
from reference_server._messages_encode import MOCK_STREAM_ERROR, message_events, messages_response
from reference_server._pipeline import (
    ERRORS_COUNT,
    ERRORS_MESSAGES,
    admit,
    headers_of,
    mock_stream_error,
    settings_of,
)
from reference_server._service import CompletionService
from reference_server._wire._messages import CountTokensRequest, CountTokensResponse, MessagesRequest

__all__ = ["count_message_tokens", "create_message"]


def _not_found(model: str) -> ApiError:
    return ApiError(
        404, f"model: {model} (not a valid Stratus model id; expected stratus-x1ac-{{size}}-{{llm}})"
    )


@post("/v1/messages/count_tokens", status_code=200)
async def count_message_tokens(request: Request[Any, Any, Any]) -> Response[Any]:
    """Count the input tokens of a messages request (D-MSG-4)."""
    req, _ = await admit(request, CountTokensRequest, statuses=ERRORS_COUNT, model_error=_not_found)
    if parse_chat_model(req.model) is None:
        raise _not_found(req.model)
    limit = settings_of(request).max_text_chars
    body = CountTokensResponse(input_tokens=prompt_tokens(req, max_text_chars=limit))
    return JSONResponse(body)


@post("/v1/messages", status_code=200)
async def create_message(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a message (non-streaming JSON, or Anthropic SSE events with `stream: true`)."""
    req, account = await admit(request, MessagesRequest, statuses=ERRORS_MESSAGES, model_error=_not_found)
    model = parse_chat_model(req.model)
    if model is None:
        raise _not_found(req.model)
    check_max_tokens(model, req.max_tokens)  # D-MSG-5
    fail_after = mock_stream_error(request) if req.stream else None
    betas = beta_names(request.headers.getall("anthropic-beta", []))
    turn = messages_turn(req, max_text_chars=settings_of(request).max_text_chars, betas=betas)
    keys = ProviderKeys(headers_of(request))
    service: CompletionService = request.app.state["stratus_service"]
    if not turn.stream:
        body = await service.complete(
            turn, model, account, keys, lambda result, stratus: messages_response(result, stratus, req.model)
        )
        return JSONResponse(body)
    streamed = await service.stream(turn, model, account, keys)
    frames = message_events(streamed.events, streamed.stratus, req.model, prompt_tokens=turn.prompt_tokens)
    return sse_answer(
        frames,
        settings_of(request),
        live=streamed.live,
        fail_after=fail_after,
        mock_error=MOCK_STREAM_ERROR,
        done=None,
    )
