"""Real-client cases the reference server fails today because it does not honour yet what they send
(issue 12: the request surface and its honouring are another round's work).

Each entry names what the server lacks. An official-SDK case listed here runs as SHOULD (a warning:
the reference run stays green, the gap stays visible against every deployment) until its entry is
removed; ``tests/conformance/test_reference_passes.py`` fails once a listed case passes against the
reference server, so the entry goes, and the case's own level (MUST for the official SDKs' core
paths) comes back with it (spec/DECISIONS.md D-CONF-8).
"""

from __future__ import annotations

__all__ = ["AWAITING_SERVER"]

_RESPONSE_FORMAT = "`response_format` (refused today as an unknown parameter)"
_OUTPUT_CONFIG = "`output_config` (refused today as an unknown parameter)"
_MAX_TOKENS = "Anthropic `max_tokens` above 4096 (the client's default; D-MSG-1.1 refuses it)"

AWAITING_SERVER: dict[str, str] = {
    # OpenAI structured output: response_format
    "sdk.openai.structured-parse": _RESPONSE_FORMAT,
    "sdk.openai.structured-stream": _RESPONSE_FORMAT,
    "sdk.openai.structured-json-schema": _RESPONSE_FORMAT,
    "sdk.openai.structured-json-object": _RESPONSE_FORMAT,
    "sdk.node.openai.structured-parse": _RESPONSE_FORMAT,
    "sdk.node.openai.structured-stream": _RESPONSE_FORMAT,
    "sdk.node.openai.structured-json-schema": _RESPONSE_FORMAT,
    "sdk.node.openai.structured-json-object": _RESPONSE_FORMAT,
    "sdk.langchain.structured-json-mode": _RESPONSE_FORMAT,
    "sdk.langchain.structured-json-schema": _RESPONSE_FORMAT,
    "sdk.node.langchain.structured-json-mode": _RESPONSE_FORMAT,
    "sdk.node.langchain.structured-json-schema": _RESPONSE_FORMAT,
    "sdk.pydantic-ai.openai.structured-native": _RESPONSE_FORMAT,
    "sdk.pydantic-ai.openai.structured-prompted": _RESPONSE_FORMAT,
    "sdk.instructor.json": _RESPONSE_FORMAT,
    "sdk.instructor.json-schema": _RESPONSE_FORMAT,
    "sdk.litellm.openai.structured-model": _RESPONSE_FORMAT,
    "sdk.litellm.openai.structured-json-object": _RESPONSE_FORMAT,
    "sdk.node.ai-sdk.openai.structured-output-object": _RESPONSE_FORMAT,
    "sdk.node.ai-sdk.openai.structured-stream-output-object": _RESPONSE_FORMAT,
    "sdk.node.ai-sdk.openai.structured-generate-object": _RESPONSE_FORMAT,
    "sdk.node.ai-sdk.openai.structured-stream-object": _RESPONSE_FORMAT,
    # Anthropic structured output: output_config
    "sdk.anthropic.structured-parse": _OUTPUT_CONFIG,
    "sdk.anthropic.structured-output-config": _OUTPUT_CONFIG,
    "sdk.anthropic.structured-stream": _OUTPUT_CONFIG,
    "sdk.node.anthropic.structured-parse": _OUTPUT_CONFIG,
    "sdk.node.anthropic.structured-output-config": _OUTPUT_CONFIG,
    "sdk.node.anthropic.structured-stream": _OUTPUT_CONFIG,
    "sdk.langchain-anthropic.structured-json-schema": _OUTPUT_CONFIG,
    # Anthropic clients whose default max_tokens is above 4096 (pydantic-ai 16384, AI SDK and litellm 64000)
    "sdk.pydantic-ai.anthropic.structured-native": _MAX_TOKENS,
    "sdk.pydantic-ai.anthropic.structured-prompted": _MAX_TOKENS,
    "sdk.pydantic-ai.anthropic.agent": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.generate-text": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.stream-text": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.tools": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.structured-output-object": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.structured-stream-output-object": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.structured-generate-object": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.structured-stream-object": _MAX_TOKENS,
    "sdk.node.ai-sdk.anthropic.stratus": _MAX_TOKENS,
    "sdk.litellm.anthropic.completion": _MAX_TOKENS,
    "sdk.litellm.anthropic.acompletion": _MAX_TOKENS,
    "sdk.litellm.anthropic.stream": _MAX_TOKENS,
    "sdk.litellm.anthropic.structured-model": _MAX_TOKENS,
    "sdk.litellm.anthropic.structured-json-object": _MAX_TOKENS,
    # Fields and turns of particular clients
    "sdk.node.anthropic.tool-runner": "the `type` of tools the beta tool runner sends (`tools[0].type` refused)",
    "sdk.litellm.anthropic.tools": "the `type` litellm gives Anthropic tools (`tools[0].type` refused)",
    "sdk.node.langchain.tools": "`name` on tool messages, which LangChain.js sends (`messages[2].name` refused)",
    "sdk.instructor.md-json": "a request that asks for JSON only in its prompt (the answer is prose)",
    "sdk.pydantic-ai.openai.agent": "an output tool after a tool result (with `tool_choice: required` and two tools the reference planner calls get_weather again until the request limit)",
}
