"""instructor over the OpenAI client (modes TOOLS, JSON, JSON_SCHEMA, MD_JSON) and the Anthropic client
(ANTHROPIC_TOOLS), a partial stream, a plain call, `stratus` through `create_with_completion`, and the
auth error class (instructor wraps the SDK's AuthenticationError in InstructorRetryException).

Runs in a venv of its own: instructor pins an older openai than the other clients."""

from __future__ import annotations

from typing import Any

from .._registry import check, expect, require, stratus_note
from .._result import CheckFailed
from .._target import Target

__all__: list[str] = []

V = "instructor"
PKG = ("instructor", "openai", "anthropic")


def _openai(t: Target, mode: str, key: str | None = None) -> Any:
    instructor, openai = require("instructor"), require("openai")
    client = openai.OpenAI(
        base_url=t.openai_base, api_key=key or t.api_key, max_retries=0, timeout=t.timeout_s
    )
    return instructor.from_openai(client, mode=getattr(instructor.Mode, mode))


def _anthropic(t: Target, mode: str) -> Any:
    instructor, anthropic = require("instructor"), require("anthropic")
    client = anthropic.Anthropic(
        base_url=t.anthropic_base, api_key=t.api_key, max_retries=0, timeout=t.timeout_s
    )
    return instructor.from_anthropic(client, mode=getattr(instructor.Mode, mode))


def _messages(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def _mode(mode: str) -> Any:
    def run(t: Target) -> str:
        from .._shapes import STRUCTURED_PROMPT, Plan

        if mode.startswith("ANTHROPIC"):
            plan = _anthropic(t, mode).messages.create(
                model=t.anthropic_model,
                max_tokens=1024,
                messages=_messages(STRUCTURED_PROMPT),
                response_model=Plan,
                max_retries=0,
            )
        else:
            plan = _openai(t, mode).chat.completions.create(
                model=t.openai_model,
                messages=_messages(STRUCTURED_PROMPT),
                response_model=Plan,
                max_retries=0,
            )
        expect(isinstance(plan, Plan), f"{plan!r}")
        return f"{len(plan.steps)} steps"

    return run


for _mode_name in ("TOOLS", "JSON", "JSON_SCHEMA", "MD_JSON", "ANTHROPIC_TOOLS"):
    check(
        f"instructor.{_mode_name.lower()}",
        venv=V,
        packages=PKG,
        what=f"create(response_model=Plan) in Mode.{_mode_name}: the model comes back validated",
    )(_mode(_mode_name))


@check("instructor.plain", venv=V, packages=PKG, what="create(response_model=None): the raw completion")
def _plain(t: Target) -> str:
    from .._shapes import PROMPT

    completion = _openai(t, "TOOLS").chat.completions.create(
        model=t.openai_model, messages=_messages(PROMPT), response_model=None
    )
    content = completion.choices[0].message.content
    expect(isinstance(content, str) and content, f"content={content!r}")
    return f"{len(content)} chars"


@check(
    "instructor.partial",
    venv=V,
    packages=PKG,
    what="create_partial(response_model=Plan) in Mode.TOOLS: a stream of partial models ending complete",
)
def _partial(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Plan

    partials = list(
        _openai(t, "TOOLS").chat.completions.create_partial(
            model=t.openai_model, messages=_messages(STRUCTURED_PROMPT), response_model=Plan, max_retries=0
        )
    )
    expect(partials, "no partial model")
    final = Plan.model_validate(partials[-1].model_dump())
    return f"{len(partials)} partials, {len(final.steps)} steps"


@check(
    "instructor.stratus",
    venv=V,
    packages=PKG,
    what="create_with_completion(response_model=<flat model>): the raw ChatCompletion carries stratus",
)
def _stratus(t: Target) -> str:
    from .._shapes import STRUCTURED_PROMPT, Summary

    _, completion = _openai(t, "TOOLS").chat.completions.create_with_completion(
        model=t.openai_model, messages=_messages(STRUCTURED_PROMPT), response_model=Summary, max_retries=0
    )
    stratus = (completion.model_extra or {}).get("stratus")
    return stratus_note(stratus, "stratus")


@check(
    "instructor.auth",
    venv=V,
    packages=PKG,
    what="a wrong key raises InstructorRetryException caused by openai.AuthenticationError",
    expect_status=(401,),
)
def _auth(t: Target) -> str:
    from .._shapes import PROMPT, Plan

    retry_error = require("instructor.core.exceptions").InstructorRetryException
    openai = require("openai")
    try:
        _openai(t, "TOOLS", key=t.wrong_key).chat.completions.create(
            model=t.openai_model, messages=_messages(PROMPT), response_model=Plan, max_retries=0
        )
    except retry_error as exc:
        expect(isinstance(exc.__cause__, openai.AuthenticationError), f"caused by {exc.__cause__!r}")
        return f"InstructorRetryException <- {type(exc.__cause__).__name__}"
    raise CheckFailed("a wrong key was accepted")
