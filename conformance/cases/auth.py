"""Authentication (D-AUTH-1, D-AUTH-2, F4)."""

from __future__ import annotations

from conformance._case import Level, case
from conformance._context import Context
from conformance._expect import error_answer, json_object, status_answer
from conformance.cases._common import chat_body, check, messages_body

__all__: list[str] = []

P = "auth"


def _oai_401(ctx: Context, headers: dict[str, str], what: str) -> None:
    ex = ctx.request("POST", "/v1/chat/completions", json_body=chat_body(ctx), headers=headers, auth=False)
    err = error_answer(ex, 401, f"an authentication error ({what})").get("error")
    check(
        isinstance(err, dict)
        and err.get("type") == "authentication_error"
        and err.get("code") == "invalid_api_key",
        f"{what}: error={err!r}",
        at=("error",),
    )


@case(
    "auth.missing-key",
    level=Level.MUST,
    profile=P,
    title="No key: 401 invalid_api_key",
    sends="POST /v1/chat/completions without credentials",
    needs="a 401 JSON error",
    requirement="401 authentication_error / invalid_api_key in the OpenAI envelope.",
    sources=("D-AUTH-1.3", "D-ERR-2.1", "C2"),
)
def _missing(ctx: Context) -> None:
    _oai_401(ctx, {}, "no key")


@case(
    "auth.missing-key-messages",
    level=Level.MUST,
    profile=P,
    title="No key on /v1/messages: Anthropic 401",
    sends="POST /v1/messages without credentials",
    needs="a 401 JSON error",
    requirement="401 with the Anthropic envelope, error.type authentication_error.",
    sources=("D-AUTH-1.3", "F1", "F2"),
)
def _missing_messages(ctx: Context) -> None:
    ex = ctx.request("POST", "/v1/messages", json_body=messages_body(ctx), auth=False)
    b = error_answer(ex, 401, "an authentication error")
    check(
        b.get("type") == "error" and (b.get("error") or {}).get("type") == "authentication_error",
        f"body={b!r}",
        at=("error",),
    )


@case(
    "auth.bearer",
    level=Level.MUST,
    profile=P,
    title="Authorization: Bearer accepted on both dialects",
    sends="chat and messages requests with Authorization: Bearer <key>",
    needs="a 200 JSON answer on each endpoint",
    requirement="200 on both.",
    sources=("D-AUTH-1.1", "F4"),
)
def _bearer(ctx: Context) -> None:
    for path, body in (("/v1/chat/completions", chat_body(ctx)), ("/v1/messages", messages_body(ctx))):
        json_object(ctx.post(path, body), "an answer to a request with Authorization: Bearer")


@case(
    "auth.x-api-key",
    level=Level.MUST,
    profile=P,
    title="x-api-key accepted on both dialects",
    sends="chat and messages requests with x-api-key: <key> only",
    needs="a 200 JSON answer on each endpoint",
    requirement="200 on both.",
    sources=("D-AUTH-1.1", "F4"),
)
def _xapikey(ctx: Context) -> None:
    for path, body in (("/v1/chat/completions", chat_body(ctx)), ("/v1/messages", messages_body(ctx))):
        ex = ctx.request("POST", path, json_body=body, auth=False, headers={"x-api-key": ctx.target.api_key})
        json_object(ex, "an answer to a request with x-api-key")


@case(
    "auth.conflicting-keys",
    level=Level.MUST,
    profile=P,
    title="Bearer and x-api-key that differ: 401",
    sends="POST /v1/chat/completions with a valid Bearer key and a different x-api-key",
    needs="a 401 JSON error",
    requirement="401 when both headers are present and differ.",
    sources=("D-AUTH-1.2",),
)
def _conflict(ctx: Context) -> None:
    _oai_401(
        ctx,
        {"Authorization": f"Bearer {ctx.target.api_key}", "x-api-key": "stratus_sk_test_different0000"},
        "conflicting keys",
    )


@case(
    "auth.key-grammar",
    level=Level.MUST,
    profile=P,
    title="Malformed keys are rejected",
    sends="keys sk-stratus-abc12345, stratus_sk_prod_abcdefgh, stratus_sk_live_short, empty Bearer",
    needs="a 401 JSON error for each key",
    requirement="Keys not matching ^stratus_sk_(live|test)_[A-Za-z0-9]{8,}$ get 401 invalid_api_key.",
    sources=("D-AUTH-2.1",),
)
def _grammar(ctx: Context) -> None:
    for key in ("sk-stratus-abc12345", "stratus_sk_prod_abcdefgh", "stratus_sk_live_short"):
        _oai_401(ctx, {"Authorization": f"Bearer {key}"}, f"key {key!r}")
    _oai_401(ctx, {"Authorization": "Bearer"}, "empty bearer")


@case(
    "auth.every-endpoint",
    level=Level.MUST,
    profile=P,
    title="Every /v1 endpoint needs a key",
    sends="GET /v1/models, GET /v1/models/{id}, POST embeddings, rollout, count_tokens without credentials",
    needs="a 401 answer on each endpoint",
    requirement="401 on every endpoint except /health.",
    sources=("D-AUTH-1.3",),
)
def _every(ctx: Context) -> None:
    m = ctx.target.model
    calls = [
        ("GET", "/v1/models", None),
        ("GET", f"/v1/models/{m}", None),
        ("POST", "/v1/embeddings", {"model": ctx.target.size_model, "input": "hi"}),
        ("POST", "/v1/rollout", {"goal": "make coffee"}),
        ("POST", "/v1/messages/count_tokens", {"model": m, "messages": [{"role": "user", "content": "hi"}]}),
    ]
    for method, path, body in calls:
        status_answer(ctx.request(method, path, json_body=body, auth=False), 401, "a refusal without a key")


@case(
    "auth.no-retry-hint",
    level=Level.MUST,
    profile=P,
    title="401 never says x-should-retry: true",
    sends="POST /v1/chat/completions without credentials",
    needs="a 401 answer",
    requirement="Client errors never carry x-should-retry: true.",
    sources=("D-HDR-2.2", "0.3"),
)
def _no_retry(ctx: Context) -> None:
    ex = ctx.request("POST", "/v1/chat/completions", json_body=chat_body(ctx), auth=False)
    status_answer(ex, 401, "a refusal without a key")
    check(
        "true" not in [v.strip().lower() for v in ex.headers.get_list("x-should-retry", split_commas=True)],
        "x-should-retry: true on a 401",
    )
