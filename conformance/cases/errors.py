"""Error envelopes, the status/type table and retry headers (sections C and F, D-ERR-*, D-HDR-2, D-MOCK-1)."""

from __future__ import annotations

import json
import re
from typing import Any

from conformance._case import Level, case
from conformance._context import Context, Exchange
from conformance._expect import error_answer, event_stream, status_answer
from conformance._schema import assert_valid
from conformance._sse import parse_stream
from conformance.cases._common import chat_body, check, messages_body

__all__: list[str] = []

P = "errors"
MOCK = "a target that honours X-Stratus-Mock-* (else skipped)"
OAI_TABLE: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", ""),
    401: ("authentication_error", "invalid_api_key"),
    402: ("insufficient_credits", "insufficient_credits"),
    403: ("permission_error", "permission_denied"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit", "rate_limit_exceeded"),
    500: ("internal_error", "internal_error"),
    502: ("llm_provider_error", "llm_provider_error"),
    503: ("model_not_loaded", "model_not_loaded"),
    504: ("timeout_error", "timeout"),
}
ANT_TABLE: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def oai_error(ex: Exchange, status: int, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """A ``status`` answer in the OpenAI envelope (C1), with ``code``/``param`` when given."""
    body = error_answer(ex, status, "an OpenAI error envelope")
    assert_valid("OpenAIErrorResponse", body, what="error body")
    err = body["error"]
    if code is not None:
        check(
            err.get("code") == code,
            f"error.code={err.get('code')!r}, expected {code!r}",
            at=("error", "code"),
        )
    if param is not None:
        check(
            err.get("param") == param,
            f"error.param={err.get('param')!r}, expected {param!r}",
            at=("error", "param"),
        )
    return dict(err)


def ant_error(ex: Exchange, status: int, etype: str) -> dict[str, Any]:
    """A ``status`` answer in the Anthropic envelope (F1) with ``error.type`` ``etype``."""
    body = error_answer(ex, status, "an Anthropic error envelope")
    assert_valid("AnthropicErrorResponse", body, what="error body")
    check(
        body["error"].get("type") == etype,
        f"error.type={body['error'].get('type')!r}, expected {etype!r}",
        at=("error", "type"),
    )
    return dict(body)


@case(
    "errors.openai.envelope",
    level=Level.MUST,
    profile=P,
    title="Validation error: 400 OpenAI envelope",
    sends="POST /v1/chat/completions with temperature 5",
    needs="a 400 JSON error",
    requirement='400 {"error":{"message","type":"invalid_request_error","param","code"}} (param/code present).',
    sources=(
        "C1",
        "D-ERR-1.2",
        "D-ERR-1.3",
        "D-CHAT-1.1",
        "openapi.yaml#/components/schemas/OpenAIErrorResponse",
    ),
)
def _envelope(ctx: Context) -> None:
    err = oai_error(ctx.post("/v1/chat/completions", chat_body(ctx, temperature=5)), 400)
    check(err.get("type") == "invalid_request_error", f"type={err.get('type')!r}", at=("error", "type"))
    check("param" in err and "code" in err, "param/code keys missing", at=("error",))


@case(
    "errors.openai.validation-not-422",
    level=Level.MUST,
    profile=P,
    title="Validation errors are 400, never 422",
    sends="chat requests with n 0, top_p 2, five stop strings, a bad tool name, a wrong type for messages",
    needs="a 400 JSON error for each request",
    requirement="Each is rejected with 400 invalid_request_error (never 422).",
    sources=("C4", "D-ERR-3.1", "D-CHAT-1.1"),
)
def _not_422(ctx: Context) -> None:
    bad_tool = {"type": "function", "function": {"name": "bad name!", "parameters": {"type": "object"}}}
    for extra in (
        {"n": 0},
        {"top_p": 2},
        {"stop": ["a", "b", "c", "d", "e"]},
        {"tools": [bad_tool]},
        {"messages": "hello"},
        {"presence_penalty": -3},
        {"max_tokens": 0},
    ):
        err = oai_error(ctx.post("/v1/chat/completions", chat_body(ctx, **extra)), 400)
        check(
            err.get("type") == "invalid_request_error",
            f"{extra}: error.type={err.get('type')!r}",
            at=("error", "type"),
        )


@case(
    "errors.openai.invalid-json",
    level=Level.MUST,
    profile=P,
    title="Malformed JSON: 400 invalid_json",
    sends="POST /v1/chat/completions with body '{'",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error, code invalid_json.",
    sources=("C1", "D-ERR-2.3"),
)
def _invalid_json(ctx: Context) -> None:
    ex = ctx.request(
        "POST", "/v1/chat/completions", content=b"{", headers={"Content-Type": "application/json"}
    )
    oai_error(ex, 400, code="invalid_json")


@case(
    "errors.openai.content-type",
    level=Level.MUST,
    profile=P,
    title="Wrong content type: 400 not 415",
    sends="POST /v1/chat/completions with Content-Type text/plain",
    needs="a 400 JSON error",
    requirement="400 invalid_request_error, code invalid_content_type.",
    sources=(
        "D-ERR-4.1",
        "D-ERR-2.3",
    ),
)
def _ctype(ctx: Context) -> None:
    ex = ctx.request(
        "POST",
        "/v1/chat/completions",
        content=json.dumps(chat_body(ctx)).encode(),
        headers={"Content-Type": "text/plain"},
    )
    oai_error(ex, 400, code="invalid_content_type")


@case(
    "errors.openai.unknown-parameter",
    level=Level.MUST,
    profile=P,
    title="Unknown request fields rejected",
    sends="POST /v1/chat/completions with an extra field frobnicate",
    needs="a 400 JSON error",
    requirement="400 unknown_parameter naming the field in param.",
    sources=("D-ERR-5.1", "D-ERR-2.3", "C7"),
)
def _unknown(ctx: Context) -> None:
    oai_error(
        ctx.post("/v1/chat/completions", chat_body(ctx, frobnicate=1)),
        400,
        code="unknown_parameter",
        param="frobnicate",
    )


@case(
    "errors.openai.missing-required",
    level=Level.MUST,
    profile=P,
    title="Missing messages: 400",
    sends="POST /v1/chat/completions without messages",
    needs="a 400 JSON error",
    requirement="400 missing_required_parameter with param messages.",
    sources=("D-ERR-2.3",),
)
def _missing(ctx: Context) -> None:
    oai_error(
        ctx.post("/v1/chat/completions", {"model": ctx.target.model}),
        400,
        code="missing_required_parameter",
        param="messages",
    )


@case(
    "errors.openai.invalid-model",
    level=Level.MUST,
    profile=P,
    title="Bad model on chat: 400 invalid_model",
    sends="chat requests with model stratus-x1ac-mega-gpt-4o and the size-only stratus-x1ac-small",
    needs="a 400 JSON error for each model id",
    requirement='400 type invalid_model, code invalid_model, param "model".',
    sources=("D-MOD-1.2", "D-MOD-2.1"),
)
def _invalid_model(ctx: Context) -> None:
    for model in ("stratus-x1ac-mega-gpt-4o", ctx.target.size_model):
        err = oai_error(
            ctx.post("/v1/chat/completions", chat_body(ctx, model=model)),
            400,
            code="invalid_model",
            param="model",
        )
        check(err.get("type") == "invalid_model", f"{model}: type={err.get('type')!r}")


@case(
    "errors.openai.unknown-route",
    level=Level.MUST,
    profile=P,
    title="Unknown route: 404 unknown_url",
    sends="GET /v1/does-not-exist",
    needs="a 404 JSON error",
    requirement="404 OpenAI envelope, code unknown_url.",
    sources=("D-ERR-1.4", "D-ERR-2.5"),
)
def _route(ctx: Context) -> None:
    oai_error(ctx.request("GET", "/v1/does-not-exist"), 404, code="unknown_url")


@case(
    "errors.openai.status-table",
    level=Level.MUST,
    profile=P,
    title="Status → type/code table (OpenAI dialect)",
    sends="POST /v1/chat/completions with X-Stratus-Mock-Status for each status of D-ERR-2",
    needs=MOCK + ": a JSON error with each status",
    requirement="Each status carries the envelope with the type/code pair of D-ERR-2.",
    sources=("D-ERR-2.1", "C2", "C3", "D-MOCK-1.1"),
)
def _oai_table(ctx: Context) -> None:
    ctx.require_mock()
    for status, (etype, code) in OAI_TABLE.items():
        ex = ctx.post("/v1/chat/completions", chat_body(ctx), headers={"X-Stratus-Mock-Status": str(status)})
        err = oai_error(ex, status)
        check(
            err.get("type") == etype,
            f"{status}: type={err.get('type')!r}, expected {etype!r}",
            at=("error", "type"),
        )
        if code:
            check(
                err.get("code") == code,
                f"{status}: code={err.get('code')!r}, expected {code!r}",
                at=("error", "code"),
            )


@case(
    "errors.openai.insufficient-credits",
    level=Level.SHOULD,
    profile=P,
    title="402 carries credit amounts",
    sends="X-Stratus-Mock-Status: 402 on chat",
    needs=MOCK + ": a 402 JSON error",
    requirement="Top-level required_credits and available_credits numbers.",
    sources=("D-ERR-2.4", "D-MOCK-1.1"),
)
def _credits(ctx: Context) -> None:
    ctx.require_mock()
    ex = ctx.post("/v1/chat/completions", chat_body(ctx), headers={"X-Stratus-Mock-Status": "402"})
    oai_error(ex, 402, code="insufficient_credits")
    b = ex.json()
    check(
        all(isinstance(b.get(k), (int, float)) for k in ("required_credits", "available_credits")),
        f"required_credits={b.get('required_credits')!r} available_credits={b.get('available_credits')!r}",
    )


@case(
    "errors.retry-after",
    level=Level.MUST,
    profile=P,
    title="429/503/529 carry retry-after seconds",
    sends="X-Stratus-Mock-Status 429 and 503 on chat, 429 and 529 on messages",
    needs=MOCK + ": the 429, 503 and 529 answers",
    requirement="A retry-after header in whole seconds >= 1.",
    sources=("D-HDR-2.1", "C6", "F6", "D-MOCK-1.1"),
)
def _retry_after(ctx: Context) -> None:
    ctx.require_mock()
    for path, body, statuses in (
        ("/v1/chat/completions", chat_body(ctx), (429, 503)),
        ("/v1/messages", messages_body(ctx), (429, 529)),
    ):
        for status in statuses:
            ex = ctx.post(path, body, headers={"X-Stratus-Mock-Status": str(status)})
            status_answer(ex, status, f"the mocked {status}")
            ra = ex.headers.get("retry-after", "")
            check(ra.isdigit() and int(ra) >= 1, f"{path} {status}: retry-after={ra!r}")


@case(
    "errors.retry-after-override",
    level=Level.SHOULD,
    profile=P,
    title="X-Stratus-Mock-Retry-After is honoured",
    sends="X-Stratus-Mock-Status: 429 with X-Stratus-Mock-Retry-After: 7",
    needs=MOCK + ": a 429 answer",
    requirement="retry-after: 7.",
    sources=("D-MOCK-1.3",),
)
def _override(ctx: Context) -> None:
    ctx.require_mock()
    ex = ctx.post(
        "/v1/chat/completions",
        chat_body(ctx),
        headers={"X-Stratus-Mock-Status": "429", "X-Stratus-Mock-Retry-After": "7"},
    )
    status_answer(ex, 429, "the mocked 429")
    check(ex.headers.get("retry-after") == "7", f"retry-after={ex.headers.get('retry-after')!r}")


@case(
    "errors.no-retry-hint-on-4xx",
    level=Level.MUST,
    profile=P,
    title="4xx never says x-should-retry: true",
    sends="invalid chat and messages requests",
    needs="a 4xx answer to each invalid request",
    requirement="No x-should-retry: true on client errors.",
    sources=("D-HDR-2.2", "0.3"),
)
def _no_retry(ctx: Context) -> None:
    for ex in (
        ctx.post("/v1/chat/completions", chat_body(ctx, temperature=9)),
        ctx.post("/v1/messages", messages_body(ctx, max_tokens=0)),
    ):
        status_answer(ex, 400, "a validation error")
        check(
            "true"
            not in [v.strip().lower() for v in ex.headers.get_list("x-should-retry", split_commas=True)],
            f"{ex.url}: x-should-retry: true on {ex.status}",
        )


@case(
    "errors.request-id",
    level=Level.SHOULD,
    profile=P,
    title="Error responses carry request ids",
    sends="an invalid chat request and an invalid messages request",
    needs="a 400 answer to each invalid request",
    requirement="x-request-id and request-id headers (req_*) on errors; Anthropic body request_id equals them.",
    sources=("C5", "F1", "D-HDR-1.1", "D-HDR-1.2"),
)
def _rid(ctx: Context) -> None:
    for ex in (
        ctx.post("/v1/chat/completions", chat_body(ctx, temperature=9)),
        ctx.post("/v1/messages", messages_body(ctx, max_tokens=0)),
    ):
        status_answer(ex, 400, "a validation error")
        rid = ex.headers.get("x-request-id", "")
        check(re.fullmatch(r"req_[0-9a-f]{24}", rid), f"{ex.url}: x-request-id={rid!r}")
        check(ex.headers.get("request-id") == rid, f"{ex.url}: request-id differs")
    body = error_answer(ex, 400, "an Anthropic error envelope")
    check(
        body.get("request_id") == rid,
        f"Anthropic body request_id={body.get('request_id')!r} != {rid!r}",
        at=("request_id",) if "request_id" in body else None,
    )


@case(
    "errors.openai.stream-error",
    level=Level.MUST,
    profile=P,
    title="Error after 200: data {error} then [DONE]",
    sends="streaming chat with X-Stratus-Mock-Stream-Error: 2",
    needs=MOCK + ": an event stream (HTTP 200, text/event-stream) that fails",
    requirement='After 2 events: data: {"error":{message,type,param,code}} then data: [DONE], nothing else.',
    sources=("B10", "D-MOCK-1.2"),
)
def _oai_stream_error(ctx: Context) -> None:
    ctx.require_mock()
    ex = ctx.post(
        "/v1/chat/completions",
        chat_body(ctx, stream=True),
        stream=True,
        headers={"X-Stratus-Mock-Stream-Error": "2"},
    )
    event_stream(ex)
    datas = [e.data for e in parse_stream(ex.body).events]
    check(len(datas) >= 2 and datas[-1] == "[DONE]", f"stream does not end with [DONE]: {datas[-2:]!r}")
    err = json.loads(datas[-2]).get("error")
    check(
        isinstance(err, dict) and {"message", "type", "param", "code"} <= set(err),
        f"error event {datas[-2]!r}",
    )
    check(len(datas) == 4, f"expected 2 events, the error and [DONE]; got {len(datas)} data events")


@case(
    "errors.anthropic.envelope",
    level=Level.MUST,
    profile=P,
    title="Validation error: Anthropic envelope",
    sends="POST /v1/messages with max_tokens 0",
    needs="a 400 JSON error",
    requirement='400 {"type":"error","error":{"type":"invalid_request_error","message"},"request_id"}.',
    sources=("F1", "D-ERR-1.1", "D-MSG-1.1", "openapi.yaml#/components/schemas/AnthropicErrorResponse"),
)
def _ant_envelope(ctx: Context) -> None:
    ant_error(ctx.post("/v1/messages", messages_body(ctx, max_tokens=0)), 400, "invalid_request_error")


@case(
    "errors.anthropic.no-openai-envelope",
    level=Level.SHOULD,
    profile=P,
    title="/v1/messages never answers in OpenAI's shape",
    sends="malformed JSON, wrong content type, unknown field and max_tokens 128001 on /v1/messages",
    needs="a 400 JSON error for each request",
    requirement="Every error on /v1/messages uses the Anthropic envelope.",
    sources=("F5", "D-ERR-1.1", "D-MSG-1.1", "I-8"),
)
def _ant_no_oai(ctx: Context) -> None:
    exs = [
        ctx.request("POST", "/v1/messages", content=b"{", headers={"Content-Type": "application/json"}),
        ctx.request(
            "POST",
            "/v1/messages",
            content=json.dumps(messages_body(ctx)).encode(),
            headers={"Content-Type": "text/plain"},
        ),
        ctx.post("/v1/messages", messages_body(ctx, frobnicate=1)),
        ctx.post("/v1/messages", messages_body(ctx, max_tokens=128001)),
        ctx.post("/v1/messages", messages_body(ctx, temperature=2.5)),
    ]
    for ex in exs:
        ant_error(ex, 400, "invalid_request_error")


@case(
    "errors.anthropic.invalid-model",
    level=Level.MUST,
    profile=P,
    title="Bad model on messages: 404 not_found_error",
    sends="POST /v1/messages with model stratus-x1ac-mega-gpt-4o",
    needs="a 404 JSON error",
    requirement="404 not_found_error (Anthropic envelope).",
    sources=("D-MOD-2.2", "F2"),
)
def _ant_model(ctx: Context) -> None:
    ant_error(
        ctx.post("/v1/messages", messages_body(ctx, model="stratus-x1ac-mega-gpt-4o")), 404, "not_found_error"
    )


@case(
    "errors.anthropic.unknown-route",
    level=Level.MUST,
    profile=P,
    title="Unknown route in the Anthropic dialect",
    sends="GET /v1/messages/nope, and GET /v1/nope with anthropic-version",
    needs="a 404 JSON error for each request",
    requirement="404 not_found_error in the Anthropic envelope for both.",
    sources=("D-ERR-1.4",),
)
def _ant_route(ctx: Context) -> None:
    ant_error(ctx.request("GET", "/v1/messages/nope"), 404, "not_found_error")
    ant_error(
        ctx.request("GET", "/v1/nope", headers={"anthropic-version": "2023-06-01"}), 404, "not_found_error"
    )


@case(
    "errors.anthropic.status-table",
    level=Level.MUST,
    profile=P,
    title="Status → error.type table (Anthropic dialect)",
    sends="POST /v1/messages with X-Stratus-Mock-Status for each status of D-ERR-2",
    needs=MOCK + ": a JSON error with each status",
    requirement="Each status carries the Anthropic envelope with the error.type of D-ERR-2.",
    sources=("F2", "D-ERR-2.2", "D-MOCK-1.1"),
)
def _ant_table(ctx: Context) -> None:
    ctx.require_mock()
    for status, etype in ANT_TABLE.items():
        ex = ctx.post("/v1/messages", messages_body(ctx), headers={"X-Stratus-Mock-Status": str(status)})
        ant_error(ex, status, etype)


@case(
    "errors.anthropic.stream-error",
    level=Level.MUST,
    profile=P,
    title="Error after 200: event: error then close",
    sends="streaming messages with X-Stratus-Mock-Stream-Error: 2",
    needs=MOCK + ": an event stream (HTTP 200, text/event-stream) that fails",
    requirement='After 2 events: event: error with {"type":"error","error":{type,message}}; nothing after it.',
    sources=("E10", "D-MOCK-1.2"),
)
def _ant_stream_error(ctx: Context) -> None:
    ctx.require_mock()
    ex = ctx.post(
        "/v1/messages",
        messages_body(ctx, stream=True),
        stream=True,
        headers={"X-Stratus-Mock-Stream-Error": "2"},
    )
    event_stream(ex)
    events = parse_stream(ex.body).events
    check(events and events[-1].event == "error", f"last event is {events[-1].event if events else None!r}")
    data = json.loads(events[-1].data)
    check(
        data.get("type") == "error" and {"type", "message"} <= set(data.get("error") or {}), f"data={data!r}"
    )
    check(len(events) == 3, f"expected 2 events then the error, got {len(events)}")


@case(
    "errors.openai.sdk-only-fields",
    level=Level.MUST,
    profile=P,
    title="SDK-only request fields are rejected",
    sends="a chat request with the Stratus SDKs' request-side stratus object",
    needs="a 400 JSON error",
    requirement="400 unknown_parameter naming the field (not silently ignored).",
    sources=("D-EXT-1.1", "D-ERR-5.1"),
)
def _sdk_only(ctx: Context) -> None:
    for field, value in (("stratus", {"mode": "plan"}),):
        oai_error(
            ctx.post("/v1/chat/completions", chat_body(ctx, **{field: value})),
            400,
            code="unknown_parameter",
            param=field,
        )
