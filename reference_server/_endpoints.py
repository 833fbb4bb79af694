"""`GET /v1/models[/{id}]`, `GET /health`, `POST /v1/embeddings`, `POST /v1/rollout`."""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

import numpy as np
from litestar import Request, Response, get, post
from litestar.params import FromPath

from reference_server import __version__
from reference_server._auth import credits_for
from reference_server._catalog import all_models, find_model, parse_size_model
from reference_server._errors import ApiError
from reference_server._json import JSONResponse
from reference_server._limits import check_text_size, parse_digits
from reference_server._pipeline import ERRORS_MODEL, ERRORS_MODELS, ERRORS_WORLD, admit, settings_of, store_of
from reference_server._stratus import rollout_wire, unavailable
from reference_server._tokens import count_tokens
from reference_server._wire._other import (
    BrainHealth,
    Embedding,
    EmbeddingsRequest,
    EmbeddingsResponse,
    EmbeddingsUsage,
    Health,
    ModelList,
    RolloutRequest,
    RolloutResponse,
    RolloutUsage,
)
from reference_server.planner import SIZES, PlannerBackendError, backend_info, get_planner

__all__ = ["create_embeddings", "create_rollout", "get_model", "health", "list_models"]


def _json(body: Any) -> Response[Any]:
    return JSONResponse(body)


def _int_param(request: Request[Any, Any, Any], name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = parse_digits(raw)
    if value is None or not lo <= value <= hi:
        raise ApiError(400, f"Invalid value for '{name}': expected an integer {lo}-{hi}.", param=name)
    return value


def _size_model_error(model: str) -> ApiError:
    return ApiError(
        400,
        f"Model '{model}' is not valid here: use a size-only id stratus-x1ac-{{size}} (no LLM suffix).",
        param="model",
        code="invalid_model",
        type_="invalid_model",
    )


@get("/v1/models")
async def list_models(request: Request[Any, Any, Any]) -> Response[Any]:
    """The catalog in the OpenAI+Anthropic superset shape, paged by limit/after_id/before_id (D-MOD-4)."""
    await admit(request, None, statuses=ERRORS_MODELS)
    models = list(all_models())
    ids = [m.id for m in models]
    after = request.query_params.get("after_id")
    before = request.query_params.get("before_id")
    limit = _int_param(request, "limit", len(models), 1, 1000)
    for name, value in (("after_id", after), ("before_id", before)):
        if value == "":
            raise ApiError(400, f"Invalid value for '{name}': expected a model id.", param=name)
    # An id that is not in the catalog pages from the end (after_id) or the start (before_id).
    if after is not None:
        start = ids.index(after) + 1 if after in ids else len(models)
        rest = models[start:]
        has_more, page = len(rest) > limit, rest[:limit]
    elif before is not None:
        earlier = models[: ids.index(before)] if before in ids else []
        has_more, page = len(earlier) > limit, earlier[-limit:]
    else:
        has_more, page = len(models) > limit, models[:limit]
    body = ModelList(
        object="list",
        data=page,
        has_more=has_more,
        first_id=page[0].id if page else None,
        last_id=page[-1].id if page else None,
    )
    return _json(body)


@get("/v1/models/{model_id:path}")
async def get_model(request: Request[Any, Any, Any], model_id: FromPath[str]) -> Response[Any]:
    """One model; 404 `model_not_found` for an id outside the grammar and catalog."""
    await admit(request, None, statuses=ERRORS_MODEL)
    model = find_model(model_id.lstrip("/"))
    if model is None:
        raise ApiError(
            404, f"The model '{model_id.lstrip('/')}' does not exist.", param="model", code="model_not_found"
        )
    return _json(model)


@get("/health")
async def health(request: Request[Any, Any, Any]) -> Response[Any]:
    """Service status (FACTS §10); no authentication."""
    info = backend_info(settings_of(request).planner_backend)
    brain = BrainHealth(
        loaded=True,
        checkpoint=str(info.get("checkpoint", "embedded")),
        device=str(info.get("device", "cpu")),
        backend=str(info.get("backend", "numpy")),
        num_actions=int(str(info.get("num_actions", 67))),
        random_baseline_nats=float(str(info.get("random_baseline_nats", 4.2047))),
        sentence_transformers=False,
        tool_matching=str(info.get("tool_matching", "keyword")),
    )
    body = Health(
        status="healthy",
        stratus_models_loaded=list(SIZES),
        llm_providers=["openai", "anthropic", "google", "openrouter"],
        vault="disabled",
        brain=brain,
        version=__version__,
        git_sha="reference",
    )
    return _json(body)


@post("/v1/embeddings", status_code=200)
async def create_embeddings(request: Request[Any, Any, Any]) -> Response[Any]:
    """State embeddings from the planner; `base64` is little-endian float32 (D-EMB-1)."""
    req, account = await admit(
        request, EmbeddingsRequest, statuses=ERRORS_WORLD, model_error=_size_model_error
    )
    size = parse_size_model(req.model)
    if size is None:
        raise _size_model_error(req.model)
    texts = [req.input] if isinstance(req.input, str) else req.input
    check_text_size("".join(texts), settings_of(request).max_text_chars)
    tokens = sum(count_tokens(t) for t in texts)
    cost = credits_for(
        max(1, tokens), size, pool=False
    )  # input tokens at the size's rate (DECISIONS: billed endpoints)
    hold = await store_of(request).reserve(account, cost)
    try:
        vectors = get_planner(size, settings_of(request).planner_backend).embed(texts)
    except PlannerBackendError as exc:
        await hold.release()
        raise unavailable(size, exc) from None
    except BaseException:
        await hold.release()
        raise
    await hold.settle(cost)
    data: list[Embedding] = []
    for i, row in enumerate(np.asarray(vectors, dtype="<f4")):
        value: list[float] | str
        value = base64.b64encode(row.tobytes()).decode() if req.encoding_format == "base64" else row.tolist()
        data.append(Embedding(object="embedding", index=i, embedding=value))
    return _json(
        EmbeddingsResponse(
            object="list",
            data=data,
            model=req.model,
            usage=EmbeddingsUsage(prompt_tokens=tokens, total_tokens=tokens),
        )
    )


@post("/v1/rollout", status_code=200)
async def create_rollout(request: Request[Any, Any, Any]) -> Response[Any]:
    """Multi-step world-model prediction (D-ROL-1)."""
    req, account = await admit(request, RolloutRequest, statuses=ERRORS_WORLD, model_error=_size_model_error)
    model = req.model if isinstance(req.model, str) else "stratus-x1ac-base"
    size = parse_size_model(model)
    if size is None:
        raise _size_model_error(model)
    actions = req.actions if isinstance(req.actions, list) else None
    initial = req.initial_state if isinstance(req.initial_state, str) else ""
    check_text_size(req.goal + initial, settings_of(request).max_text_chars)
    mode = req.mode or ("sequence" if actions is not None else "plan")
    if mode == "sequence" and actions is None:
        raise ApiError(
            400, "mode 'sequence' needs 'actions'.", param="actions", code="missing_required_parameter"
        )
    steps = req.max_steps or 5
    given = count_tokens(req.goal) + count_tokens(initial)
    # goal and state tokens plus one per predicted step, at the size's rate (DECISIONS: billed endpoints)
    hold = await store_of(request).reserve(account, credits_for(max(1, given + steps), size, pool=False))
    try:
        result = get_planner(size, settings_of(request).planner_backend).rollout(
            req.goal,
            max_steps=req.max_steps or 5,
            actions=actions if mode == "sequence" else None,
            initial_state=req.initial_state if isinstance(req.initial_state, str) else None,
        )
        sequence, predictions, summary = rollout_wire(result, final_only=req.return_intermediate is False)
        prompt = count_tokens(req.goal) + count_tokens(result.initial_state)
    except PlannerBackendError as exc:
        await hold.release()
        raise unavailable(size, exc) from None
    except BaseException:
        await hold.release()
        raise
    await hold.settle(credits_for(max(1, prompt + len(predictions)), size, pool=False))
    body = RolloutResponse(
        id="stratus-rollout-" + secrets.token_hex(6),
        object="rollout.prediction",
        created=int(time.time()),
        model=model,
        goal=result.goal,
        initial_state=result.initial_state,
        action_sequence=sequence,
        predictions=predictions,
        summary=summary,
        usage=RolloutUsage(
            prompt_tokens=prompt, completion_tokens=len(predictions), total_tokens=prompt + len(predictions)
        ),
    )
    return _json(body)
