"""schemathesis against spec/openapi.yaml, in-process (ASGI): no 500s, responses match the spec."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from conformance.cases.fuzz import fuzz_spec
from reference_server import Settings, create_app
from tests.server.conftest import KEY

APP = create_app(Settings(max_body_bytes=256 * 1024))
AUTH = {"Authorization": f"Bearer {KEY}"}
MESSAGES = "^/v1/messages"


def _schema(*, messages: bool) -> Any:
    """The spec as fuzzed (`fuzz_spec`: not-offered features left out) for the messages operations or
    for the others. The coverage phase enumerates every property of every union member: on the
    messages operations (the anthropic SDK's whole surface) that is thousands of cases, so they get
    the examples and the random phase only, like the conformance `--fuzz` run."""
    loaded = schemathesis.openapi.from_dict(fuzz_spec())
    loaded.app = APP
    if messages:
        loaded.config.phases.coverage.enabled = False
        return loaded.include(path_regex=MESSAGES)
    return loaded.exclude(path_regex=MESSAGES)


schema = _schema(messages=False)
messages_schema = _schema(messages=True)


# 400s for rules the spec states in prose or decisions only, by a fragment of their message.
SEMANTIC_RULES = {
    "is not among the request's tools": "a named tool_choice must be among `tools`",
    "not supported with this model": "features a deployment does not offer (D-SURF-2)",
    "does not support audio output": "D-SURF-2",
    "this deployment stores no files": "D-SURF-2",
    "this deployment produces no audio": "D-SURF-2",
    "Invalid schema for": "schema-valued parameters must be valid JSON Schema (D-SURF-3)",
    "JSON schema is invalid": "D-SURF-3",
    "does not match any of the expected tags": "server tools and their blocks (D-SURF-4)",
    "not available on this deployment": "D-SURF-4",
    "maximum allowed number of output tokens": "max_tokens above the model family's limit (D-MSG-5)",
    "must be set to true when 'top_logprobs' is used": "top_logprobs needs logprobs (dependentSchemas)",
    ".custom.input_schema: ": "a called tool's schema no value satisfies (D-GEN-3, Anthropic's wording; "
    "OpenAI's is 'Invalid schema for function')",
    "completion tokens, whereas you provided": "max_tokens above the model family's limit (D-LIM-2)",
    "must be greater than `thinking.budget_tokens`": "extended thinking's budget below max_tokens (D-THINK-1)",
    "Thinking may not be enabled when tool_choice forces tool use": "D-THINK-1",
    "when thinking is enabled or in adaptive mode": "thinking takes no sampling modifications (D-THINK-3)",
    "must contain the word 'json' in some form": "json_object needs JSON in the messages (D-GEN-5)",
    "cannot be satisfied": "a JSON Schema in the prompt no value satisfies (D-GEN-6)",
}


def _semantic_rejection(response: Any) -> bool:
    """A 400 for a rule the spec states in prose or decisions only (`SEMANTIC_RULES`): a named
    tool_choice must be among `tools`; a tool the answer calls must have a parameters schema that is
    a JSON Schema some value satisfies (D-GEN-3; the spec types it as any object); ..."""
    if response.status_code != 400:
        return False
    body = json.loads(response.content)
    message = (body.get("error") or {}).get("message", "")
    return any(fragment in message for fragment in SEMANTIC_RULES)


def _conforms(case: Any) -> None:
    for name in list(case.headers or {}):
        if name.lower().startswith("x-stratus-mock"):
            del case.headers[name]
    response = case.call(headers=AUTH)
    excluded = [positive_data_acceptance] if _semantic_rejection(response) else []
    case.validate_response(response, headers=AUTH, excluded_checks=excluded)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms(case: Any) -> None:
    _conforms(case)


@pytest.mark.slow
@messages_schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_messages_api_conforms(case: Any) -> None:
    _conforms(case)
