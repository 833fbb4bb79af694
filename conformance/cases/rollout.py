"""POST /v1/rollout (D-ROL-1) and POST /v1/embeddings (D-EMB-1)."""

from __future__ import annotations

import base64
import struct
from typing import Any

from conformance._case import Level, case
from conformance._context import Context
from conformance._schema import assert_valid
from conformance.cases._common import check

__all__ = ["rollout_once"]

P = "rollout"
GOAL = "Book the cheapest flight to Paris"
DIMS = {"small": 512, "base": 768, "large": 1024, "xl": 1280, "huge": 1536}


def rollout_once(ctx: Context) -> Any:
    def make() -> Any:
        ex = ctx.post("/v1/rollout", {"model": ctx.target.size_model, "goal": GOAL, "max_steps": 5})
        check(ex.status == 200, f"rollout status {ex.status}: {ex.body[:200]!r}")
        return ex

    return ctx.cached("rollout", make).json()


@case(
    "rollout.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches RolloutResponse",
    sends="POST /v1/rollout with goal and max_steps 5",
    requirement="The body validates against RolloutResponse.",
    sources=("openapi.yaml#/components/schemas/RolloutResponse",),
)
def _schema(ctx: Context) -> None:
    assert_valid("RolloutResponse", rollout_once(ctx))


@case(
    "rollout.summary",
    level=Level.MUST,
    profile=P,
    title="Summary agrees with the steps",
    sends="POST /v1/rollout (plan mode)",
    requirement="summary.total_steps == len(action_sequence); action_path[i] == action_sequence[i].action_name; "
    "outcome follows total_state_change; at most max_steps steps.",
    sources=("D-ROL-1", "RolloutResponse"),
)
def _summary(ctx: Context) -> None:
    b = rollout_once(ctx)
    seq, s = b.get("action_sequence") or [], b.get("summary") or {}
    check(0 < len(seq) <= 5, f"{len(seq)} steps for max_steps 5")
    check(s.get("total_steps") == len(seq), f"total_steps={s.get('total_steps')!r} != {len(seq)}")
    check(
        s.get("action_path") == [a.get("action_name") for a in seq],
        "action_path differs from action_sequence",
    )
    t = s.get("total_state_change", 0)
    want = "Goal likely achieved" if t > 20 else "Significant progress" if t >= 10 else "Minimal progress"
    check(
        s.get("outcome") == want,
        f"outcome={s.get('outcome')!r} for total_state_change {t}, expected {want!r}",
    )
    check(
        len(b.get("predictions") or []) == len(seq),
        "one prediction per step (return_intermediate defaults true)",
    )


@case(
    "rollout.initial-state",
    level=Level.SHOULD,
    profile=P,
    title="Synthesised initial state",
    sends="POST /v1/rollout without initial_state",
    requirement='initial_state is "Goal: <goal>\\nStep: 1".',
    sources=("D-ROL-1",),
)
def _initial(ctx: Context) -> None:
    got = rollout_once(ctx).get("initial_state")
    check(got == f"Goal: {GOAL}\nStep: 1", f"initial_state={got!r}")


@case(
    "rollout.sequence-mode",
    level=Level.MUST,
    profile=P,
    title="Explicit actions are followed",
    sends="POST /v1/rollout with actions [17, 10, 28]",
    requirement="action_sequence ids are exactly 17, 10, 28.",
    sources=("D-ROL-1",),
)
def _sequence(ctx: Context) -> None:
    ex = ctx.post("/v1/rollout", {"model": ctx.target.size_model, "goal": GOAL, "actions": [17, 10, 28]})
    check(ex.status == 200, f"status {ex.status}: {ex.body[:200]!r}")
    ids = [a.get("action_id") for a in ex.json().get("action_sequence") or []]
    check(ids == [17, 10, 28], f"action ids {ids}")


@case(
    "rollout.return-intermediate-false",
    level=Level.SHOULD,
    profile=P,
    title="return_intermediate false",
    sends="POST /v1/rollout with actions [1,2,3] and return_intermediate false",
    requirement="Only the last prediction is returned.",
    sources=("D-ROL-1",),
)
def _last_only(ctx: Context) -> None:
    ex = ctx.post(
        "/v1/rollout",
        {"model": ctx.target.size_model, "goal": GOAL, "actions": [1, 2, 3], "return_intermediate": False},
    )
    check(ex.status == 200, f"status {ex.status}")
    preds = ex.json().get("predictions") or []
    check(
        len(preds) == 1 and preds[0].get("step") == 3, f"predictions steps {[p.get('step') for p in preds]}"
    )


@case(
    "rollout.validation",
    level=Level.MUST,
    profile=P,
    title="Invalid rollouts: 400 not 422",
    sends="rollouts without goal, with action 99, with max_steps 51",
    requirement="400 invalid_request_error in the OpenAI envelope (the legacy 422 is replaced).",
    sources=("D-ERR-3", "D-ROL-1"),
)
def _validation(ctx: Context) -> None:
    for body in ({"max_steps": 3}, {"goal": GOAL, "actions": [99]}, {"goal": GOAL, "max_steps": 51}):
        ex = ctx.post("/v1/rollout", body)
        check(ex.status == 400, f"{body}: status {ex.status}")
        check(
            (ex.json().get("error") or {}).get("type") == "invalid_request_error",
            f"{body}: {ex.body[:160]!r}",
        )


def _embed(ctx: Context, **extra: Any) -> Any:
    body = {"model": ctx.target.size_model, "input": ["make coffee", "book a flight"], **extra}
    ex = ctx.post("/v1/embeddings", body)
    check(ex.status == 200, f"embeddings status {ex.status}: {ex.body[:200]!r}")
    return ex.json()


@case(
    "embeddings.schema",
    level=Level.MUST,
    profile="embeddings",
    title="Response matches EmbeddingsResponse",
    sends="POST /v1/embeddings with two inputs",
    requirement="Valid EmbeddingsResponse; data index 0,1 in order; dimension per model size.",
    sources=("openapi.yaml#/components/schemas/EmbeddingsResponse", "D-EMB-1"),
)
def _emb(ctx: Context) -> None:
    b = _embed(ctx)
    assert_valid("EmbeddingsResponse", b)
    data = b.get("data") or []
    check([d.get("index") for d in data] == [0, 1], "indexes are not 0,1")
    dims = DIMS.get(ctx.target.size_model.rsplit("-", 1)[-1])
    check(all(len(d.get("embedding") or []) == dims for d in data), f"dimension is not {dims}")


@case(
    "embeddings.base64",
    level=Level.MUST,
    profile="embeddings",
    title="base64 is little-endian float32",
    sends="POST /v1/embeddings twice, float and base64",
    requirement="The base64 string decodes (float32 LE) to the float embedding.",
    sources=("D-EMB-1",),
)
def _b64(ctx: Context) -> None:
    floats = _embed(ctx)["data"][0]["embedding"]
    raw = base64.b64decode(_embed(ctx, encoding_format="base64")["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    check(len(decoded) == len(floats), f"{len(decoded)} floats decoded, {len(floats)} expected")
    check(all(abs(a - b) < 1e-5 for a, b in zip(decoded, floats, strict=True)), "decoded values differ")


@case(
    "embeddings.validation",
    level=Level.MUST,
    profile="embeddings",
    title="Invalid embeddings requests: 400",
    sends="empty input, an empty string in the list, and a chat model id",
    requirement="400 in the OpenAI envelope (invalid_request_error, or invalid_model for the model).",
    sources=("D-EMB-1", "D-MOD-1", "D-ERR-2"),
)
def _emb_bad(ctx: Context) -> None:
    for body in (
        {"model": ctx.target.size_model, "input": []},
        {"model": ctx.target.size_model, "input": ["a", ""]},
        {"model": ctx.target.model, "input": "hi"},
    ):
        ex = ctx.post("/v1/embeddings", body)
        check(ex.status == 400, f"{body}: status {ex.status}")
        check("error" in ex.json(), f"{body}: no error envelope")
