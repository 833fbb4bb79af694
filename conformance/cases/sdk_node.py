"""The Node clients of the real-client matrix as cases (spec/DECISIONS.md D-CONF-8): openai-node,
@anthropic-ai/sdk, the Vercel AI SDK (``ai`` with ``@ai-sdk/openai`` chat and ``@ai-sdk/anthropic``)
and @langchain/openai, each run as ``node conformance/clients/node/run.mjs --check ID`` when a
Node >= 22 with the runner's packages is found (``stratus-conformance run --install-node`` installs
them), ``unavailable`` otherwise. ``sdk.node.openai`` and ``sdk.node.anthropic`` are the two stream
helpers (their ids predate the others).
"""

from __future__ import annotations

from conformance._case import Level
from conformance.cases._clients import AUTH_NEEDS, STRATUS_NEEDS, TOOL_NEEDS, Client, client_case

__all__: list[str] = []

MUST, SHOULD = Level.MUST, Level.SHOULD
PLAN_NEEDS = "an answer that validates as Plan (zod: a goal and a non-empty list of steps)"

Row = tuple[str, str, Level, str, str, str, str, tuple[str, ...]]
"""(case id, check id, level, title, sends, needs, requirement, sources)"""


def _add(client: Client, rows: tuple[Row, ...]) -> None:
    for case_id, check, level, title, sends, needs, requirement, sources in rows:
        client_case(
            case_id,
            client=client,
            check=check,
            level=level,
            title=title,
            sends=sends,
            needs=needs,
            requirement=requirement,
            sources=sources,
        )


_add(
    Client("openai-node", "node"),
    (
        (
            "sdk.node.openai",
            "openai.stream_helper",
            MUST,
            "openai-node chat.completions.stream()",
            "openai-node chat.completions.stream(): content events, then finalChatCompletion()",
            "an event stream of chunks with text",
            "The content deltas join to the final completion's text.",
            ("B4", "B7"),
        ),
        (
            "sdk.node.openai.create",
            "openai.create",
            MUST,
            "openai-node chat.completions.create",
            "openai-node chat.completions.create({model, messages})",
            "a completion with text",
            "Text content and finish_reason stop or length.",
            ("A5",),
        ),
        (
            "sdk.node.openai.stream",
            "openai.stream",
            MUST,
            "openai-node create({stream: true})",
            "openai-node chat.completions.create({stream: true}), iterated to the end",
            "an event stream of chunks with text",
            "The deltas carry text and a finish_reason.",
            ("B2", "B7", "B9"),
        ),
        (
            "sdk.node.openai.tools",
            "openai.tools",
            MUST,
            "openai-node tool round trip",
            "create with tools=[get_weather], the tool message back, create again",
            TOOL_NEEDS,
            "A get_weather call with JSON arguments (finish_reason tool_calls), then text with finish_reason stop.",
            ("A8", "L5"),
        ),
        (
            "sdk.node.openai.structured-parse",
            "openai.structured.parse",
            MUST,
            "openai-node parse(zodResponseFormat)",
            "chat.completions.parse({response_format: zodResponseFormat(Plan)})",
            PLAN_NEEDS,
            "message.parsed validates as Plan.",
            ("L1",),
        ),
        (
            "sdk.node.openai.structured-stream",
            "openai.structured.stream",
            MUST,
            "openai-node stream(response_format)",
            "chat.completions.stream({response_format: zodResponseFormat(Plan)}), then finalChatCompletion()",
            PLAN_NEEDS,
            "The final message's parsed value validates as Plan.",
            ("L1", "B4"),
        ),
        (
            "sdk.node.openai.structured-json-schema",
            "openai.structured.json_schema",
            MUST,
            "openai-node response_format json_schema",
            "create({response_format: {type: json_schema, json_schema: {name, schema: Plan, strict: true}}})",
            PLAN_NEEDS,
            "The content is JSON valid against the schema.",
            ("L1",),
        ),
        (
            "sdk.node.openai.structured-json-object",
            "openai.structured.json_object",
            MUST,
            "openai-node response_format json_object",
            "create({response_format: {type: json_object}})",
            "content that is a JSON object",
            "The content is one JSON object.",
            ("L2",),
        ),
        (
            "sdk.node.openai.structured-strict-tool",
            "openai.structured.strict_tool",
            MUST,
            "openai-node zodFunction strict tool",
            "parse({tools: [zodFunction({name: 'record_plan', parameters: Plan})], tool_choice: record_plan})",
            "a record_plan tool call",
            "parsed_arguments validates as Plan.",
            ("L4", "A8"),
        ),
        (
            "sdk.node.openai.auth",
            "openai.auth",
            MUST,
            "openai-node with a wrong key",
            "create(...) with a malformed key",
            AUTH_NEEDS,
            "OpenAI.AuthenticationError (status 401).",
            ("C2", "L6", "D-AUTH-2.1"),
        ),
        (
            "sdk.node.openai.stratus",
            "openai.stratus",
            MUST,
            "openai-node stratus read back",
            "chat.completions.create(...).asResponse() (the raw body), and a parsed completion",
            STRATUS_NEEDS,
            "Both carry `stratus` with action_sequence.",
            ("D-STR-1.1", "L7"),
        ),
        (
            "sdk.node.openai.stream-stratus",
            "openai.stream_stratus",
            MUST,
            "openai-node stratus in a stream",
            "create({stream: true}): the chunks",
            "an event stream whose chunks carry `stratus`",
            "A chunk carries `stratus` with action_sequence.",
            ("D-STR-1.2", "L7"),
        ),
    ),
)

_add(
    Client("anthropic-sdk-typescript", "node"),
    (
        (
            "sdk.node.anthropic",
            "anthropic.stream_helper",
            MUST,
            "anthropic-sdk-typescript messages.stream()",
            "@anthropic-ai/sdk messages.stream(): text events, then finalMessage()",
            "an event stream with text deltas",
            "The text events join to the final message's text.",
            ("E1", "E2", "E7"),
        ),
        (
            "sdk.node.anthropic.create",
            "anthropic.create",
            MUST,
            "anthropic-sdk-typescript messages.create",
            "messages.create({model, max_tokens, messages})",
            "a Message with a text block",
            "A text block and stop_reason end_turn or max_tokens.",
            ("D1", "D2"),
        ),
        (
            "sdk.node.anthropic.stream",
            "anthropic.stream",
            MUST,
            "anthropic-sdk-typescript create({stream: true})",
            "messages.create({stream: true}), iterated to the end",
            "an event stream with text deltas",
            "message_start … text_delta … message_stop, the deltas carrying text.",
            ("E1", "E2"),
        ),
        (
            "sdk.node.anthropic.tools",
            "anthropic.tools",
            MUST,
            "anthropic-sdk-typescript tool round trip",
            "create with tools=[get_weather], a tool_result back, create again",
            TOOL_NEEDS,
            "A get_weather tool_use (stop_reason tool_use), then text with stop_reason end_turn.",
            ("D5", "L5"),
        ),
        (
            "sdk.node.anthropic.tool-runner",
            "anthropic.tool_runner",
            SHOULD,
            "anthropic-sdk-typescript beta toolRunner",
            "beta.messages.toolRunner({tools: [betaZodTool(get_weather)], max_iterations: 4})",
            TOOL_NEEDS,
            "The tool runs and the run ends with text (stop_reason end_turn).",
            ("L5", "L8", "D5"),
        ),
        (
            "sdk.node.anthropic.structured-parse",
            "anthropic.structured.parse",
            MUST,
            "anthropic-sdk-typescript messages.parse",
            "messages.parse({output_config: {format: zodOutputFormat(Plan)}})",
            PLAN_NEEDS,
            "parsed_output validates as Plan.",
            ("L3",),
        ),
        (
            "sdk.node.anthropic.structured-output-config",
            "anthropic.structured.output_config",
            MUST,
            "anthropic-sdk-typescript output_config json_schema",
            "messages.create({output_config: {format: {type: json_schema, schema: Plan}}})",
            PLAN_NEEDS,
            "The text is JSON valid against the schema.",
            ("L3",),
        ),
        (
            "sdk.node.anthropic.structured-stream",
            "anthropic.structured.stream",
            MUST,
            "anthropic-sdk-typescript stream(output_config)",
            "messages.stream({output_config: {format: zodOutputFormat(Plan)}}), then finalMessage()",
            PLAN_NEEDS,
            "The final message's parsed output validates as Plan.",
            ("L3", "E2"),
        ),
        (
            "sdk.node.anthropic.structured-forced-tool",
            "anthropic.structured.forced_tool",
            MUST,
            "anthropic-sdk-typescript forced tool",
            "messages.create({tools: [record_plan], tool_choice: {type: tool, name: record_plan}})",
            "a tool_use block",
            "The tool_use input validates as Plan.",
            ("L4", "D5"),
        ),
        (
            "sdk.node.anthropic.count-tokens",
            "anthropic.count_tokens",
            SHOULD,
            "anthropic-sdk-typescript countTokens",
            "messages.countTokens({model, messages, tools})",
            "a count_tokens answer",
            "input_tokens is an integer > 0.",
            ("D9", "D-MSG-4.1"),
        ),
        (
            "sdk.node.anthropic.auth",
            "anthropic.auth",
            MUST,
            "anthropic-sdk-typescript with a wrong key",
            "messages.create(...) with a malformed key",
            AUTH_NEEDS,
            "Anthropic.AuthenticationError (status 401).",
            ("F3", "L6", "D-AUTH-2.1"),
        ),
        (
            "sdk.node.anthropic.stratus",
            "anthropic.stratus",
            MUST,
            "anthropic-sdk-typescript stratus read back",
            "messages.create(...).asResponse() (the raw body), and a parsed message",
            STRATUS_NEEDS,
            "Both carry `stratus` with action_sequence.",
            ("D-STR-1.1", "L7"),
        ),
        (
            "sdk.node.anthropic.stream-stratus",
            "anthropic.stream_stratus",
            MUST,
            "anthropic-sdk-typescript stratus in a stream",
            "messages.create({stream: true}): the events",
            "an event stream whose events carry `stratus`",
            "An event (or message_start's message) carries `stratus` with action_sequence.",
            ("D-STR-1.3", "L7"),
        ),
    ),
)

for provider, package, plain, stream, tool, structured, auth in (
    ("openai", "@ai-sdk/openai chat", "A5", "B4", "A8", ("L1",), "C2"),
    ("anthropic", "@ai-sdk/anthropic", "D1", "E2", "D5", ("L3",), "F3"),
):
    prefix, check = f"sdk.node.ai-sdk.{provider}", f"ai_sdk.{provider}"
    structured_rows: tuple[Row, ...] = tuple(
        (
            f"{prefix}.structured-{name.replace('_', '-')}",
            f"{check}.structured.{name}",
            SHOULD,
            f"AI SDK ({package}): {call}",
            f"{call} with the zod Plan",
            PLAN_NEEDS,
            "The output validates as Plan.",
            structured,
        )
        for name, call in (
            ("output_object", "generateText({output: Output.object({schema: Plan})})"),
            ("stream_output_object", "streamText({output: Output.object({schema: Plan})})"),
            ("generate_object", "generateObject({schema: Plan})"),
            ("stream_object", "streamObject({schema: Plan})"),
        )
    )
    _add(
        Client(f"Vercel AI SDK ({package})", "node"),
        (
            (
                f"{prefix}.generate-text",
                f"{check}.generate_text",
                SHOULD,
                f"AI SDK ({package}): generateText",
                "generateText({model, prompt})",
                "an answer with text",
                "Text and finishReason stop or length.",
                (plain, "L8"),
            ),
            (
                f"{prefix}.stream-text",
                f"{check}.stream_text",
                SHOULD,
                f"AI SDK ({package}): streamText",
                "streamText({model, prompt}): the fullStream",
                "an event stream with text",
                "text-delta parts join to text and no error part arrives.",
                (stream, "L8"),
            ),
            (
                f"{prefix}.tools",
                f"{check}.tools",
                SHOULD,
                f"AI SDK ({package}): a tool loop",
                "generateText({tools: {get_weather}, stopWhen: stepCountIs(4)})",
                TOOL_NEEDS,
                "The tool runs and the loop ends with text (finishReason stop).",
                (tool, "L5"),
            ),
            *structured_rows,
            (
                f"{prefix}.auth",
                f"{check}.auth",
                SHOULD,
                f"AI SDK ({package}): a wrong key",
                "generateText(...) with a malformed key",
                AUTH_NEEDS,
                "APICallError with statusCode 401.",
                (auth, "L6", "D-AUTH-2.1"),
            ),
            (
                f"{prefix}.stratus",
                f"{check}.stratus",
                SHOULD,
                f"AI SDK ({package}): stratus read back",
                "generateText({include: {responseBody: true}}): response.body",
                STRATUS_NEEDS,
                "response.body carries `stratus` with action_sequence.",
                ("D-STR-1.1", "L7"),
            ),
        ),
    )

_add(
    Client("@langchain/openai", "node"),
    (
        (
            "sdk.node.langchain.invoke",
            "langchain_openai.invoke",
            SHOULD,
            "@langchain/openai ChatOpenAI.invoke",
            "new ChatOpenAI({...}).invoke(prompt)",
            "a completion with text",
            "An AIMessage with text.",
            ("A5", "A15", "L8"),
        ),
        (
            "sdk.node.langchain.stream",
            "langchain_openai.stream",
            SHOULD,
            "@langchain/openai ChatOpenAI.stream",
            "ChatOpenAI.stream(prompt)",
            "an event stream with text",
            "The chunks carry the text.",
            ("B4", "L8"),
        ),
        (
            "sdk.node.langchain.tools",
            "langchain_openai.tools",
            SHOULD,
            "@langchain/openai bindTools round trip",
            "ChatOpenAI.bindTools([get_weather]).invoke(...), a ToolMessage back, invoke again",
            TOOL_NEEDS,
            "A get_weather tool call, then text without further tool calls.",
            ("A8", "L5", "L8"),
        ),
        *(
            (
                f"sdk.node.langchain.structured-{name.replace('_', '-')}",
                f"langchain_openai.structured.{name}",
                SHOULD,
                f"@langchain/openai withStructuredOutput({method})",
                f"ChatOpenAI.withStructuredOutput(Plan, {{method: '{method}', includeRaw: true}}).invoke(prompt)",
                PLAN_NEEDS,
                "parsed validates as Plan.",
                (source,),
            )
            for name, method, source in (
                ("function_calling", "functionCalling", "L4"),
                ("json_mode", "jsonMode", "L2"),
                ("json_schema", "jsonSchema", "L1"),
            )
        ),
        (
            "sdk.node.langchain.auth",
            "langchain_openai.auth",
            SHOULD,
            "@langchain/openai with a wrong key",
            "ChatOpenAI({apiKey: <malformed key>}).invoke(prompt)",
            AUTH_NEEDS,
            "An error with status 401 and lc_error_code MODEL_AUTHENTICATION reaches the caller.",
            ("C2", "L6", "D-AUTH-2.1"),
        ),
    ),
)
