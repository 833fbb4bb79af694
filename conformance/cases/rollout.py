"""POST /v1/rollout (D-ROL-1) and POST /v1/embeddings (D-EMB-1)."""

from __future__ import annotations

import base64
import struct
from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context
from conformance._expect import error_answer, json_object
from conformance._schema import assert_valid
from conformance.cases._common import check

__all__ = ["rollout_once"]

P = "rollout"
GOAL = "Book the cheapest flight to Paris"
DIMS = {"small": 512, "base": 768, "large": 1024, "xl": 1280, "huge": 1536}
ROLLOUT = "a 200 JSON rollout"


def rollout_once(ctx: Context) -> Any:
    def make() -> Any:
        ex = ctx.post("/v1/rollout", {"model": ctx.target.size_model, "goal": GOAL, "max_steps": 5})
        json_object(ex, "a rollout")
        return ex

    return ctx.cached("rollout", make).json()


@case(
    "rollout.schema",
    level=Level.MUST,
    profile=P,
    title="Response matches RolloutResponse",
    sends="POST /v1/rollout with goal and max_steps 5",
    needs=ROLLOUT,
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
    needs=ROLLOUT + " with steps",
    requirement="summary.total_steps == len(action_sequence); action_path[i] == action_sequence[i].action_name; "
    "outcome follows total_state_change; at most max_steps steps.",
    sources=("D-ROL-1.5", "openapi.yaml#/components/schemas/RolloutResponse"),
)
def _summary(ctx: Context) -> None:
    b = rollout_once(ctx)
    seq, s = b.get("action_sequence"), b.get("summary")
    if not isinstance(seq, list) or not isinstance(s, dict):
        raise CaseFailed(
            f"expected action_sequence and summary, got {seq!r} and {s!r}", at=("action_sequence",)
        )
    check(0 < len(seq) <= 5, f"{len(seq)} steps for max_steps 5", at=("action_sequence",))
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
    needs=ROLLOUT,
    requirement='initial_state is "Goal: <goal>\\nStep: 1".',
    sources=("D-ROL-1.4",),
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
    needs=ROLLOUT,
    requirement="action_sequence ids are exactly 17, 10, 28.",
    sources=("D-ROL-1.1",),
)
def _sequence(ctx: Context) -> None:
    ex = ctx.post("/v1/rollout", {"model": ctx.target.size_model, "goal": GOAL, "actions": [17, 10, 28]})
    seq = json_object(ex, "a rollout").get("action_sequence")
    ids = [a.get("action_id") for a in seq if isinstance(a, dict)] if isinstance(seq, list) else seq
    check(ids == [17, 10, 28], f"action ids {ids}", at=("action_sequence",))


@case(
    "rollout.return-intermediate-false",
    level=Level.SHOULD,
    profile=P,
    title="return_intermediate false",
    sends="POST /v1/rollout with actions [1,2,3] and return_intermediate false",
    needs=ROLLOUT,
    requirement="Only the last prediction is returned.",
    sources=("D-ROL-1.2",),
)
def _last_only(ctx: Context) -> None:
    ex = ctx.post(
        "/v1/rollout",
        {"model": ctx.target.size_model, "goal": GOAL, "actions": [1, 2, 3], "return_intermediate": False},
    )
    preds = json_object(ex, "a rollout").get("predictions")
    steps = [p.get("step") for p in preds if isinstance(p, dict)] if isinstance(preds, list) else preds
    check(steps == [3], f"predictions steps {steps}, expected [3]", at=("predictions",))


@case(
    "rollout.validation",
    level=Level.MUST,
    profile=P,
    title="Invalid rollouts: 400 not 422",
    sends="rollouts without goal, with action 99, with max_steps 51",
    needs="a 400 JSON error for each request",
    requirement="400 invalid_request_error in the OpenAI envelope (the legacy 422 is replaced).",
    sources=("D-ERR-3.1", "D-ROL-1.3"),
)
def _validation(ctx: Context) -> None:
    for body in ({"max_steps": 3}, {"goal": GOAL, "actions": [99]}, {"goal": GOAL, "max_steps": 51}):
        err = error_answer(ctx.post("/v1/rollout", body), 400, f"a validation error for {body}").get("error")
        check(
            isinstance(err, dict) and err.get("type") == "invalid_request_error",
            f"{body}: error={err!r}",
            at=("error",),
        )


def _embed(ctx: Context, **extra: Any) -> Any:
    body = {"model": ctx.target.size_model, "input": ["make coffee", "book a flight"], **extra}
    b = json_object(ctx.post("/v1/embeddings", body), "an embeddings answer")
    data = b.get("data")
    if not isinstance(data, list) or not data or not all(isinstance(d, dict) for d in data):
        raise CaseFailed(f"expected a data list of embeddings, got data={data!r}", at=("data",))
    return b


@case(
    "embeddings.schema",
    level=Level.MUST,
    profile="embeddings",
    title="Response matches EmbeddingsResponse",
    sends="POST /v1/embeddings with two inputs",
    needs="a 200 JSON embeddings answer",
    requirement="Valid EmbeddingsResponse; data index 0,1 in order; dimension per model size.",
    sources=("openapi.yaml#/components/schemas/EmbeddingsResponse", "D-EMB-1.2"),
)
def _emb(ctx: Context) -> None:
    b = _embed(ctx)
    assert_valid("EmbeddingsResponse", b)
    data = b.get("data") or []
    check([d.get("index") for d in data] == [0, 1], "indexes are not 0,1", at=("data",))
    dims = DIMS.get(ctx.target.size_model.rsplit("-", 1)[-1])
    check(all(len(d.get("embedding") or []) == dims for d in data), f"dimension is not {dims}")


@case(
    "embeddings.base64",
    level=Level.MUST,
    profile="embeddings",
    title="base64 is little-endian float32",
    sends="POST /v1/embeddings twice, float and base64",
    needs="two 200 JSON embeddings answers (float and base64)",
    requirement="The base64 string decodes (float32 LE) to the float embedding.",
    sources=("D-EMB-1.1",),
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
    needs="a 400 JSON error for each request",
    requirement="400 in the OpenAI envelope (invalid_request_error, or invalid_model for the model).",
    sources=("D-EMB-1.3", "D-MOD-1.3", "D-ERR-2"),
)
def _emb_bad(ctx: Context) -> None:
    for body in (
        {"model": ctx.target.size_model, "input": []},
        {"model": ctx.target.size_model, "input": ["a", ""]},
        {"model": ctx.target.model, "input": "hi"},
    ):
        b = error_answer(ctx.post("/v1/embeddings", body), 400, "a validation error")
        check(isinstance(b.get("error"), dict), f"{body}: no error envelope", at=())
