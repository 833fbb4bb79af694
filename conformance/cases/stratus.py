"""The `stratus` object: placement (D-STR-1), semantic rules (D-STR-2..4) and BYOK (D-AUTH-3)."""

from __future__ import annotations

from typing import Any

from conformance._case import CaseFailed, Level, case
from conformance._context import Context, Exchange
from conformance._expect import json_object
from conformance._schema import assert_valid
from conformance.cases._common import (
    chat_body,
    chat_once,
    chat_stream,
    check,
    messages_body,
    messages_once,
    messages_stream,
    no_findings,
)

__all__: list[str] = []

P = "stratus-metadata"
SPEC = "openapi.yaml#/components/schemas/StratusMetadata"
TIMINGS = {"planning_time_ms", "execution_time_ms"}
BYOK_HEADERS = ("X-OpenAI-Key", "X-Anthropic-Key", "X-Google-Key", "X-OpenRouter-Key")
BYOK_BODY = ("openai_key", "anthropic_key", "gemini_key", "openrouter_key")
FAKE_PROVIDER_KEY = "sk-provider-conformance-0000000000"
CHAT = "a 200 JSON chat completion with a stratus object"
MSG = "a 200 JSON Message with a stratus object"


def stratus_of(ex: Exchange, subject: str) -> dict[str, Any]:
    """The ``stratus`` object of a 200 JSON answer; an answer without one is a missing subject."""
    s = json_object(ex, subject).get("stratus")
    if not isinstance(s, dict):
        raise CaseFailed(
            f"expected a stratus object on {subject}, got stratus={s!r}",
            at=("stratus",) if s is not None else None,
        )
    return dict(s)


def chat_stratus(ctx: Context) -> dict[str, Any]:
    return stratus_of(chat_once(ctx), "the chat completion")


def messages_stratus(ctx: Context) -> dict[str, Any]:
    return stratus_of(messages_once(ctx), "the Message")


def _content(body: dict[str, Any]) -> Any:
    choices = body.get("choices")
    first = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    return (first.get("message") or {}).get("content")


def _stable(s: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in s.items() if k not in TIMINGS}
    if isinstance(out.get("execution_trace"), list):
        out["execution_trace"] = [
            {k: v for k, v in step.items() if k != "response_summary"} if isinstance(step, dict) else step
            for step in out["execution_trace"]
        ]
    return out


def _semantics(s: dict[str, Any]) -> list[str]:
    problems = []
    seq = s.get("action_sequence") or []
    n = len(seq)
    for key in ("predicted_state_changes", "confidence_labels"):
        if isinstance(s.get(key), list) and len(s[key]) != n:
            problems.append(f"len({key})={len(s[key])} != len(action_sequence)={n}")
    if "steps_to_goal" in s and s["steps_to_goal"] != n:
        problems.append(f"steps_to_goal={s['steps_to_goal']} != len(action_sequence)={n}")
    return problems


@case(
    "stratus.chat.present",
    level=Level.MUST,
    profile=P,
    title="stratus on every chat completion",
    sends="POST /v1/chat/completions",
    needs=CHAT,
    requirement="A top-level stratus object that matches StratusMetadata.",
    sources=("D-STR-1.1", SPEC, "A14"),
)
def _chat_present(ctx: Context) -> None:
    assert_valid("StratusMetadata", chat_stratus(ctx), what="stratus", at=("stratus",))


@case(
    "stratus.messages.present",
    level=Level.MUST,
    profile=P,
    title="stratus on every messages response",
    sends="POST /v1/messages",
    needs=MSG,
    requirement="A top-level stratus object that matches StratusMetadata.",
    sources=("D-STR-1.1", SPEC),
)
def _msg_present(ctx: Context) -> None:
    assert_valid("StratusMetadata", messages_stratus(ctx), what="stratus", at=("stratus",))


@case(
    "stratus.chat.stream-placement",
    level=Level.MUST,
    profile=P,
    title="stratus on the first and last chunk",
    sends="POST /v1/chat/completions (stream:true), and with include_usage",
    needs="event streams (HTTP 200, text/event-stream) of chat.completion.chunk events, with and without include_usage",
    requirement="stratus rides on the first chunk and on the last chunk before [DONE] (the usage chunk when requested).",
    sources=("D-STR-1.2", "0.1"),
)
def _chat_stream(ctx: Context) -> None:
    for variant in ("basic", "usage"):
        st = chat_stream(ctx, variant)
        no_findings(st, "D-STR-1")
        for ch in (st.chunks[0], st.chunks[-1]):
            assert_valid("StratusMetadata", ch["stratus"], what=f"stratus on a {variant} chunk")


@case(
    "stratus.messages.stream-placement",
    level=Level.MUST,
    profile=P,
    title="stratus on message_start and message_delta",
    sends="POST /v1/messages (stream:true)",
    needs="an event stream (HTTP 200, text/event-stream) of Anthropic events",
    requirement="stratus rides on message_start.message and, final, on message_delta.",
    sources=("D-STR-1.3",),
)
def _msg_stream(ctx: Context) -> None:
    no_findings(messages_stream(ctx), "D-STR-1")


@case(
    "stratus.lengths",
    level=Level.MUST,
    profile=P,
    title="Plan lengths agree",
    sends="POST /v1/chat/completions and /v1/messages",
    needs=CHAT + " and " + MSG,
    requirement="steps_to_goal == len(action_sequence) == len(predicted_state_changes) == len(confidence_labels).",
    sources=("D-STR-3.1",),
)
def _lengths(ctx: Context) -> None:
    for s in (chat_stratus(ctx), messages_stratus(ctx)):
        check(
            isinstance(s.get("action_sequence"), list),
            f"action_sequence={s.get('action_sequence')!r}",
            at=("stratus",),
        )
        problems = _semantics(s)
        check(not problems, "; ".join(problems), at=("stratus",))


@case(
    "stratus.brain-signal",
    level=Level.MUST,
    profile=P,
    title="brain_signal agrees with the plan",
    sends="POST /v1/chat/completions",
    needs=CHAT,
    requirement="brain_signal.action_type == action_sequence[0]; plan_ahead == action_sequence[1:3].",
    sources=(
        "D-STR-3.2",
        "D-STR-3.3",
    ),
)
def _brain(ctx: Context) -> None:
    s = chat_stratus(ctx)
    b = s.get("brain_signal")
    if not isinstance(b, dict):
        raise CaseFailed(f"brain_signal={b!r}")
    seq = s.get("action_sequence") or []
    check(seq, f"action_sequence={s.get('action_sequence')!r}", at=("stratus", "action_sequence"))
    check(
        b.get("action_type") == seq[0],
        f"action_type={b.get('action_type')!r}, plan {seq[:3]}",
        at=("stratus", "brain_signal", "action_type"),
    )
    check(
        b.get("plan_ahead") == seq[1:3],
        f"plan_ahead={b.get('plan_ahead')!r}, expected {seq[1:3]!r}",
        at=("stratus", "brain_signal", "plan_ahead"),
    )


@case(
    "stratus.ranges",
    level=Level.MUST,
    profile=P,
    title="Confidences and proximity in range",
    sends="POST /v1/chat/completions and /v1/messages",
    needs=CHAT + " and " + MSG,
    requirement="overall_confidence and brain_signal.confidence in [0,1]; goal_proximity in [-1,1]; labels in "
    "High|Medium|Low; predicted_state_changes >= 0.",
    sources=("D-STR-3.4", "D-STR-2", SPEC),
)
def _ranges(ctx: Context) -> None:
    for s in (chat_stratus(ctx), messages_stratus(ctx)):
        oc = s.get("overall_confidence")
        check(isinstance(oc, (int, float)) and 0 <= oc <= 1, f"overall_confidence={oc!r}")
        b = s.get("brain_signal") or {}
        if "confidence" in b:
            check(0 <= b["confidence"] <= 1, f"brain_signal.confidence={b['confidence']!r}")
        if "goal_proximity" in b:
            check(-1 <= b["goal_proximity"] <= 1, f"goal_proximity={b['goal_proximity']!r}")
        labels = s.get("confidence_labels") or []
        check(set(labels) <= {"High", "Medium", "Low"}, f"labels={labels!r}")
        check(all(x >= 0 for x in s.get("predicted_state_changes") or []), "negative predicted_state_changes")


@case(
    "stratus.confidence-alias",
    level=Level.SHOULD,
    profile=P,
    title="Legacy confidence equals overall_confidence",
    sends="POST /v1/chat/completions",
    needs=CHAT,
    requirement="confidence, when sent, equals overall_confidence.",
    sources=("D-STR-3.5",),
)
def _alias(ctx: Context) -> None:
    s = chat_stratus(ctx)
    if "confidence" in s:
        check(
            s["confidence"] == s.get("overall_confidence"),
            f"{s['confidence']!r} != {s.get('overall_confidence')!r}",
        )


@case(
    "stratus.model-fields",
    level=Level.SHOULD,
    profile=P,
    title="stratus_model and execution_llm follow the id",
    sends="POST /v1/chat/completions",
    needs=CHAT,
    requirement="stratus_model is x1ac-<size> and execution_llm the {llm} part of the requested id.",
    sources=(SPEC, "D-MOD-1", "D-MOD-5.1"),
)
def _model_fields(ctx: Context) -> None:
    s = chat_stratus(ctx)
    parts = ctx.target.model.split("-", 3)
    check(s.get("stratus_model") == f"x1ac-{parts[2]}", f"stratus_model={s.get('stratus_model')!r}")
    check(
        s.get("execution_llm") == parts[3], f"execution_llm={s.get('execution_llm')!r}, expected {parts[3]!r}"
    )


@case(
    "stratus.key-source-formation",
    level=Level.MUST,
    profile=P,
    title="No BYOK: formation pool with markup",
    sends="POST /v1/chat/completions without provider keys",
    needs=CHAT,
    requirement='key_source "formation" and formation_markup_applied 0.25.',
    sources=("D-AUTH-3.3",),
)
def _formation(ctx: Context) -> None:
    s = chat_stratus(ctx)
    check(s.get("key_source") == "formation", f"key_source={s.get('key_source')!r}")
    check(
        s.get("formation_markup_applied") == 0.25,
        f"formation_markup_applied={s.get('formation_markup_applied')!r}",
    )


@case(
    "stratus.key-source-byok-headers",
    level=Level.MUST,
    profile=P,
    title="BYOK headers: key_source user",
    sends="POST /v1/chat/completions with each of X-OpenAI-Key, X-Anthropic-Key, X-Google-Key, X-OpenRouter-Key",
    needs=CHAT + " for each BYOK header",
    requirement='key_source "user" and formation_markup_applied null; the provider key is never echoed; '
    "the answer is otherwise the one given without the header (a BYOK header alone sends nothing upstream).",
    sources=("D-AUTH-3.1", "D-AUTH-3.4", "D-EXEC-1.1"),
)
def _byok_headers(ctx: Context) -> None:
    plain = _content(chat_once(ctx).json())
    for h in BYOK_HEADERS:
        ex = ctx.post("/v1/chat/completions", chat_body(ctx), headers={h: FAKE_PROVIDER_KEY})
        s = stratus_of(ex, f"the chat completion sent with {h}")
        check(s.get("key_source") == "user", f"{h}: key_source={s.get('key_source')!r}")
        check(
            s.get("formation_markup_applied", "absent") is None,
            f"{h}: formation_markup_applied={s.get('formation_markup_applied', '<absent>')!r}",
        )
        check(
            FAKE_PROVIDER_KEY.encode() not in ex.body + str(ex.headers).encode(), f"{h}: provider key echoed"
        )
        got = _content(ex.json())
        check(got == plain, f"{h}: the answer changed with the BYOK header ({got!r:.80} != {plain!r:.80})")


@case(
    "stratus.key-source-byok-body",
    level=Level.MUST,
    profile=P,
    title="BYOK body keys: key_source user",
    sends="POST /v1/chat/completions with each body key openai_key, anthropic_key, gemini_key, openrouter_key",
    needs=CHAT + " for each BYOK body key",
    requirement='key_source "user", formation_markup_applied null; the key is never echoed.',
    sources=(
        "D-AUTH-3.2",
        "D-AUTH-3.4",
    ),
)
def _byok_body(ctx: Context) -> None:
    for k in BYOK_BODY:
        ex = ctx.post("/v1/chat/completions", chat_body(ctx, **{k: FAKE_PROVIDER_KEY}))
        s = stratus_of(ex, f"the chat completion sent with body key {k}")
        check(
            s.get("key_source") == "user" and s.get("formation_markup_applied", "absent") is None,
            f"{k}: key_source={s.get('key_source')!r} markup={s.get('formation_markup_applied', '<absent>')!r}",
        )
        check(FAKE_PROVIDER_KEY.encode() not in ex.body, f"{k}: provider key echoed")


@case(
    "stratus.key-source-byok-messages",
    level=Level.MUST,
    profile=P,
    title="BYOK header on /v1/messages",
    sends="POST /v1/messages with X-Anthropic-Key",
    needs=MSG,
    requirement='key_source "user", formation_markup_applied null.',
    sources=("D-AUTH-3.1",),
)
def _byok_messages(ctx: Context) -> None:
    ex = ctx.post("/v1/messages", messages_body(ctx), headers={"X-Anthropic-Key": FAKE_PROVIDER_KEY})
    s = stratus_of(ex, "the Message sent with X-Anthropic-Key")
    check(
        s.get("key_source") == "user" and s.get("formation_markup_applied", "absent") is None,
        f"key_source={s.get('key_source')!r} markup={s.get('formation_markup_applied', '<absent>')!r}",
    )


@case(
    "stratus.determinism",
    level=Level.MUST,
    profile=P,
    title="Identical requests, identical plans",
    sends="the same chat request twice and the same messages request twice",
    needs="two 200 JSON chat completions and two 200 JSON Messages, each with a stratus object",
    requirement="Every stratus field except the timings is identical.",
    sources=("D-STR-4.1",),
)
def _determinism(ctx: Context) -> None:
    for path, body in (("/v1/chat/completions", chat_body(ctx)), ("/v1/messages", messages_body(ctx))):
        a, b = (stratus_of(ctx.post(path, body), f"the {path} answer") for _ in range(2))
        diff = sorted(k for k in set(_stable(a)) | set(_stable(b)) if _stable(a).get(k) != _stable(b).get(k))
        check(not diff, f"{path}: fields differ between identical requests: {diff}")


@case(
    "stratus.stream-matches-non-streaming",
    level=Level.SHOULD,
    profile=P,
    title="Final streamed stratus equals the non-streaming one",
    sends="the same chat request with and without stream:true",
    needs="an event stream of chunks and " + CHAT,
    requirement="The stratus on the last chunk equals the non-streaming stratus (timings aside).",
    sources=("D-STR-1", "D-STR-4.2"),
)
def _stream_same(ctx: Context) -> None:
    streamed = _stable(chat_stream(ctx).chunks[-1].get("stratus") or {})
    plain = _stable(chat_stratus(ctx))
    diff = sorted(k for k in set(streamed) | set(plain) if streamed.get(k) != plain.get(k))
    check(not diff, f"fields differ: {diff}")


@case(
    "stratus.rollout-labels",
    level=Level.MUST,
    profile=P,
    title="Rollout labels follow magnitudes",
    sends="POST /v1/rollout (plan mode, max_steps 5)",
    needs="a 200 JSON rollout with predictions",
    requirement="Each state's confidence is High above 15, Medium above 10, else Low.",
    sources=("D-STR-2.1",),
)
def _labels(ctx: Context) -> None:
    from conformance.cases.rollout import rollout_once

    predictions = rollout_once(ctx).get("predictions")
    check(isinstance(predictions, list) and predictions, f"predictions={predictions!r}", at=("predictions",))
    for p in predictions:
        for key in ("current_state", "predicted_state"):
            st = p.get(key) or {}
            m = st.get("magnitude", 0)
            want = "High" if m > 15 else "Medium" if m > 10 else "Low"
            check(
                st.get("confidence") == want,
                f"step {p.get('step')} {key}: magnitude {m} labelled "
                f"{st.get('confidence')!r}, expected {want!r}",
            )
