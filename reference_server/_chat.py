"""`POST /v1/chat/completions`: the OpenAI dialect onto the completion service (wire-checklist A, B)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post

from reference_server._catalog import parse_chat_model
from reference_server._chat_decode import body_keys, chat_turn
from reference_server._chat_encode import MOCK_STREAM_ERROR, chat_chunks, chat_response
from reference_server._errors import ApiError
from reference_server._execution import ProviderKeys
from reference_server._frames import sse_answer
from reference_server._json import JSONResponse
from reference_server._limits import check_output_tokens
from reference_server._pipeline import ERRORS_CHAT, admit, headers_of, mock_stream_error, settings_of
from reference_server._service import CompletionService
from reference_server._sse import DONE
from reference_server._wire._chat import ChatCompletionRequest

__all__ = ["chat_completions", "invalid_model"]


def invalid_model(model: str) -> ApiError:
    return ApiError(
        400,
        f"Model '{model}' is not valid. Use stratus-x1ac-{{size}}-{{llm}} with size small, base, large, xl or huge.",
        param="model",
        code="invalid_model",
        type_="invalid_model",
    )


@post("/v1/chat/completions", status_code=200)
async def chat_completions(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a chat completion (non-streaming JSON, or SSE with `stream: true`)."""
    req, account = await admit(
        request, ChatCompletionRequest, statuses=ERRORS_CHAT, model_error=invalid_model
    )
    model = parse_chat_model(req.model)
    if model is None:
        raise invalid_model(req.model)
    check_output_tokens(model.llm, max_tokens=req.max_tokens, max_completion_tokens=req.max_completion_tokens)
    turn = chat_turn(req, max_text_chars=settings_of(request).max_text_chars, body=await request.body())
    fail_after = mock_stream_error(request) if turn.stream else None
    keys = ProviderKeys(headers_of(request), body_keys(req))
    service: CompletionService = request.app.state["stratus_service"]
    if not turn.stream:
        body = await service.complete(
            turn, model, account, keys, lambda result, stratus: chat_response(result, stratus, req.model)
        )
        return JSONResponse(body)
    streamed = await service.stream(turn, model, account, keys)
    frames = chat_chunks(
        streamed.events, streamed.stratus, req.model, include_usage=turn.include_usage is True
    )
    return sse_answer(
        frames,
        settings_of(request),
        live=streamed.live,
        fail_after=fail_after,
        mock_error=MOCK_STREAM_ERROR,
        done=DONE,
    )
