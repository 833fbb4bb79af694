"""GET /v1/models (section H, D-MOD-*) and GET /health."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance._expect import error_answer, json_object, status_answer
from conformance._schema import assert_valid
from conformance.cases._common import check

__all__: list[str] = []

_SIZE = r"(small|base|large|xl|huge)"
_SEG = r"[a-z0-9][a-z0-9._:-]*"
MODEL_ID = re.compile(rf"^stratus-x1ac-{_SIZE}(-{_SEG}(/{_SEG})?)?$")
LIST = "a 200 JSON model list with at least one model"


def _list(ctx: Context, query: str = "", headers: dict[str, str] | None = None) -> Any:
    body = json_object(ctx.request("GET", f"/v1/models{query}", headers=headers), "a model list")
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(m, dict) for m in data):
        raise CaseFailed(f"expected a data list of model objects, got data={data!r}", at=("data",))
    if not data and not query:
        raise CaseFailed("expected at least one model in data, got none", at=("data",))
    return body


@case(
    "models.list-openai",
    level=Level.MUST,
    profile="models",
    title="OpenAI list shape",
    sends="GET /v1/models",
    needs=LIST,
    requirement='{"object":"list","data":[{id, object:"model", created int, owned_by}]} matching ModelList.',
    sources=("H1", "D-MOD-4.1", "openapi.yaml#/components/schemas/ModelList"),
)
def _openai(ctx: Context) -> None:
    body = _list(ctx)
    assert_valid("ModelList", body)
    check(body.get("object") == "list", f"object={body.get('object')!r}", at=("object",))
    for i, m in enumerate(body["data"]):
        check(
            m.get("object") == "model"
            and isinstance(m.get("created"), int)
            and isinstance(m.get("owned_by"), str),
            f"model entry {m!r}",
            at=("data", i),
        )


@case(
    "models.list-anthropic",
    level=Level.MUST,
    profile="models",
    title="Anthropic fields and explicit has_more",
    sends="GET /v1/models with anthropic-version",
    needs=LIST,
    requirement="Each entry has type model, display_name, RFC 3339 created_at; has_more is an explicit boolean; "
    "first_id/last_id match the page.",
    sources=("H2", "H3", "D-MOD-4.2"),
)
def _anthropic(ctx: Context) -> None:
    body = _list(ctx, headers={"anthropic-version": "2023-06-01"})
    check(
        isinstance(body.get("has_more"), bool),
        f"has_more={body.get('has_more', '<absent>')!r}",
        at=("has_more",) if "has_more" in body else None,
    )
    data = body["data"]
    for i, m in enumerate(data):
        check(
            m.get("type") == "model" and isinstance(m.get("display_name"), str),
            f"entry {m!r}",
            at=("data", i),
        )
        try:
            datetime.fromisoformat(str(m.get("created_at")).replace("Z", "+00:00"))
        except ValueError:
            raise CaseFailed(
                f"created_at={m.get('created_at')!r} is not RFC 3339", at=("data", i, "created_at")
            ) from None
    check(
        body.get("first_id") == data[0].get("id") and body.get("last_id") == data[-1].get("id"),
        f"first_id={body.get('first_id')!r} last_id={body.get('last_id')!r} do not name the page's first and last ids",
        at=("first_id",),
    )


@case(
    "models.pagination",
    level=Level.MUST,
    profile="models",
    title="limit/after_id paging terminates",
    sends="GET /v1/models?limit=1, then after_id=last_id until has_more is false",
    needs="a 200 JSON model list for each page",
    requirement="Pages of one, no repeats, has_more false on the last page, union equals the full list.",
    sources=("H2", "D-MOD-4.3"),
)
def _paging(ctx: Context) -> None:
    full = [m["id"] for m in _list(ctx)["data"]]
    seen: list[str] = []
    query = "?limit=1"
    for _ in range(len(full) + 2):
        page = _list(ctx, query)
        ids = [m["id"] for m in page.get("data") or []]
        check(len(ids) <= 1, f"limit=1 returned {len(ids)} models")
        seen += ids
        if page.get("has_more") is not True:
            check(page.get("has_more") is False, f"has_more={page.get('has_more')!r}")
            break
        query = f"?limit=1&after_id={page['last_id']}"
    else:
        raise CaseFailed(f"paging with limit=1 did not end after {len(full) + 2} pages")
    check(seen == full, f"paged ids {seen[:5]}... differ from the full list {full[:5]}...")


@case(
    "models.retrieve",
    level=Level.MUST,
    profile="models",
    title="GET /v1/models/{id}",
    sends="GET /v1/models/<first listed id>",
    needs=LIST + " and a 200 JSON Model",
    requirement="200 with the single Model object for that id.",
    sources=("H1", "H2", "openapi.yaml#/components/schemas/Model"),
)
def _retrieve(ctx: Context) -> None:
    mid = _list(ctx)["data"][0].get("id")
    body = json_object(ctx.request("GET", f"/v1/models/{mid}"), "a Model")
    assert_valid("Model", body)
    check(body.get("id") == mid, f"id={body.get('id')!r}", at=("id",))


@case(
    "models.retrieve-unknown",
    level=Level.MUST,
    profile="models",
    title="Unknown model id: 404 model_not_found",
    sends="GET /v1/models/stratus-x1ac-mega-nothing",
    needs="a 404 JSON error",
    requirement="404 invalid_request_error / model_not_found.",
    sources=("H1", "D-ERR-2.5"),
)
def _unknown(ctx: Context) -> None:
    body = error_answer(
        ctx.request("GET", "/v1/models/stratus-x1ac-mega-nothing"), 404, "a model_not_found error"
    )
    err = body.get("error")
    check(
        isinstance(err, dict) and err.get("code") == "model_not_found",
        f"error={err!r}",
        at=("error",),
    )


@case(
    "models.id-grammar",
    level=Level.SHOULD,
    profile="models",
    title="Listed ids follow the model grammar",
    sends="GET /v1/models",
    needs=LIST,
    requirement="Every id matches stratus-x1ac-{size}[-{llm}] (D-MOD-1).",
    sources=("D-MOD-1.1",),
)
def _grammar(ctx: Context) -> None:
    bad = [m.get("id") for m in _list(ctx)["data"] if not MODEL_ID.match(str(m.get("id")))]
    check(not bad, f"ids outside the grammar: {bad[:5]}")


@case(
    "health.ok",
    level=Level.MUST,
    profile="health",
    title="GET /health without a key",
    sends="GET /health with no credentials",
    needs="a 200 JSON health document",
    requirement='200 matching Health with status "healthy".',
    sources=("D-AUTH-1.3", "openapi.yaml#/components/schemas/Health"),
)
def _health(ctx: Context) -> None:
    body = json_object(ctx.request("GET", "/health", auth=False), "a health document")
    assert_valid("Health", body)
    check(body.get("status") == "healthy", f"status={body.get('status')!r}", at=("status",))


@case(
    "health.request-id",
    level=Level.SHOULD,
    profile="health",
    title="Every response carries request ids",
    sends="GET /health",
    needs="a 200 answer",
    requirement="x-request-id and request-id headers with the same req_<24 hex> value.",
    sources=("D-HDR-1.1",),
)
def _health_rid(ctx: Context) -> None:
    ex = ctx.request("GET", "/health", auth=False)
    status_answer(ex, 200, "the health document")
    rid = ex.headers.get("x-request-id", "")
    check(
        re.fullmatch(r"req_[0-9a-f]{24}", rid) and ex.headers.get("request-id") == rid,
        f"x-request-id={rid!r} request-id={ex.headers.get('request-id')!r}",
    )
