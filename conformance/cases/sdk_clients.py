"""The Python clients of the real-client matrix as cases (spec/DECISIONS.md D-CONF-8).

openai-python and anthropic-python add what ``sdk_openai``/``sdk_anthropic`` do not cover already
(structured output in each method, the beta tool runner, ``stratus`` through the stream helper);
LangChain (both chat models), pydantic-ai (both models), instructor, litellm and llama-index run their
plain call, stream, tool round trip, structured-output methods, auth error class and ``stratus``
read back. Checks that cannot mean anything against a deployment are left to the matrix: the client
limitations of ``conformance/clients/_limitations.py`` (a default that calls another endpoint, a
feature refused before any request is sent).
"""

from __future__ import annotations

from conformance._case import Level
from conformance.cases._clients import AUTH_NEEDS, STRATUS_NEEDS, TOOL_NEEDS, Client, client_case

__all__: list[str] = []

MUST, SHOULD = Level.MUST, Level.SHOULD
PLAN = "Plan (a pydantic model: a goal and a non-empty list of steps, so its schema has $defs/$ref)"
PLAN_NEEDS = "an answer that validates as Plan"

OPENAI = Client("openai-python", "python")
ANTHROPIC = Client("anthropic-python", "python")

# -- openai-python: structured output ----------------------------------------------------------------
client_case(
    "sdk.openai.structured-parse",
    client=OPENAI,
    check="openai.structured.parse",
    level=MUST,
    title="chat.completions.parse(response_format=<model>)",
    sends=f"client.chat.completions.parse(response_format={PLAN})",
    needs="a completion whose content parses as Plan",
    requirement="message.parsed is a Plan: the content is JSON valid against the schema the SDK sent.",
    sources=("L1",),
)
client_case(
    "sdk.openai.structured-stream",
    client=OPENAI,
    check="openai.structured.stream",
    level=MUST,
    title="chat.completions.stream(response_format=<model>)",
    sends="client.chat.completions.stream(response_format=Plan), iterated, then get_final_completion()",
    needs="an event stream whose content parses as Plan",
    requirement="The final completion's message.parsed is a Plan.",
    sources=("L1", "B4"),
)
client_case(
    "sdk.openai.structured-json-schema",
    client=OPENAI,
    check="openai.structured.json_schema",
    level=MUST,
    title="create(response_format=json_schema, strict)",
    sends="create(response_format={type: json_schema, json_schema: {name: plan, schema: <Plan>, strict: true}})",
    needs="content that is JSON",
    requirement="The content is JSON valid against the requested schema.",
    sources=("L1",),
)
client_case(
    "sdk.openai.structured-json-object",
    client=OPENAI,
    check="openai.structured.json_object",
    level=MUST,
    title="create(response_format=json_object)",
    sends="create(response_format={type: json_object}) with a prompt that asks for JSON",
    needs="content that is JSON",
    requirement="The content is one JSON object.",
    sources=("L2",),
)
client_case(
    "sdk.openai.structured-strict-tool",
    client=OPENAI,
    check="openai.structured.strict_tool",
    level=MUST,
    title="parse(tools=[pydantic_function_tool(<model>)])",
    sends="parse(tools=[pydantic_function_tool(Plan, name='record_plan')], tool_choice=record_plan)",
    needs="a record_plan tool call",
    requirement="parsed_arguments is a Plan: the arguments validate against the strict tool's schema.",
    sources=("L4", "A8"),
)

# -- anthropic-python: structured output, the tool runner, stratus in the stream helper ---------------
client_case(
    "sdk.anthropic.structured-parse",
    client=ANTHROPIC,
    check="anthropic.structured.parse",
    level=MUST,
    title="messages.parse(output_format=<model>)",
    sends=f"client.messages.parse(output_format={PLAN})",
    needs="a Message whose text parses as Plan",
    requirement="parsed_output is a Plan: the text is JSON valid against the schema the SDK sent.",
    sources=("L3",),
)
client_case(
    "sdk.anthropic.structured-output-config",
    client=ANTHROPIC,
    check="anthropic.structured.output_config",
    level=MUST,
    title="create(output_config={format: json_schema})",
    sends="messages.create(output_config={format: {type: json_schema, schema: <Plan, the SDK's strict form>}})",
    needs="a Message with a text block",
    requirement="The text block is JSON valid against the requested schema.",
    sources=("L3",),
)
client_case(
    "sdk.anthropic.structured-stream",
    client=ANTHROPIC,
    check="anthropic.structured.stream",
    level=MUST,
    title="messages.stream(output_format=<model>)",
    sends="client.messages.stream(output_format=Plan), then get_final_message()",
    needs="an event stream whose text parses as Plan",
    requirement="The final message's parsed_output is a Plan.",
    sources=("L3", "E2"),
)
client_case(
    "sdk.anthropic.structured-forced-tool",
    client=ANTHROPIC,
    check="anthropic.structured.forced_tool",
    level=MUST,
    title="A forced tool as structured output",
    sends="messages.create(tools=[record_plan with Plan's schema], tool_choice={type: tool, name: record_plan})",
    needs="a tool_use block",
    requirement="The tool_use input validates as Plan.",
    sources=("L4", "D5"),
)
client_case(
    "sdk.anthropic.tool-runner",
    client=ANTHROPIC,
    check="anthropic.tool_runner",
    level=SHOULD,
    title="beta.messages.tool_runner with a @beta_tool",
    sends="client.beta.messages.tool_runner(tools=[beta_tool(get_weather)], max_iterations=4).until_done()",
    needs=TOOL_NEEDS,
    requirement="The tool runs and the run ends with a text answer (stop_reason end_turn).",
    sources=("L5", "L8", "D5"),
)
client_case(
    "sdk.anthropic.stream-stratus",
    client=ANTHROPIC,
    check="anthropic.stream_stratus",
    level=MUST,
    title="stratus through messages.stream()",
    sends="client.messages.stream(...): every event, then get_final_message()",
    needs="an event stream whose events carry `stratus`",
    requirement="A stream event's model_extra and the final message carry `stratus` with action_sequence.",
    sources=("D-STR-1.3", "L7"),
)

# -- LangChain -----------------------------------------------------------------------------------------
LC_OPENAI = Client("langchain-openai", "python")
LC_ANTHROPIC = Client("langchain-anthropic", "python")

for method, source in (("function_calling", "L4"), ("json_mode", "L2"), ("json_schema", "L1")):
    client_case(
        f"sdk.langchain.structured-{method.replace('_', '-')}",
        client=LC_OPENAI,
        check=f"langchain_openai.structured.{method}",
        level=SHOULD,
        title=f"ChatOpenAI.with_structured_output(method={method!r})",
        sends=f"ChatOpenAI(...).with_structured_output(Plan, method={method!r}, include_raw=True).invoke(prompt)",
        needs=PLAN_NEEDS,
        requirement="`parsed` is a Plan and `parsing_error` is None.",
        sources=(source,),
    )
client_case(
    "sdk.langchain.auth",
    client=LC_OPENAI,
    check="langchain_openai.auth",
    level=SHOULD,
    title="ChatOpenAI with a wrong key",
    sends="ChatOpenAI(api_key=<malformed key>).invoke(prompt)",
    needs=AUTH_NEEDS,
    requirement="openai.AuthenticationError reaches the caller through LangChain.",
    sources=("C2", "L6", "D-AUTH-2.1"),
)
client_case(
    "sdk.langchain-anthropic.invoke",
    client=LC_ANTHROPIC,
    check="langchain_anthropic.invoke",
    level=SHOULD,
    title="ChatAnthropic.invoke",
    sends="langchain_anthropic.ChatAnthropic(...).invoke(prompt)",
    needs="a Message with text",
    requirement="Returns an AIMessage with text.",
    sources=("D1", "L8"),
)
client_case(
    "sdk.langchain-anthropic.stream",
    client=LC_ANTHROPIC,
    check="langchain_anthropic.stream",
    level=SHOULD,
    title="ChatAnthropic.stream",
    sends="ChatAnthropic(...).stream(prompt)",
    needs="an event stream with text deltas",
    requirement="The chunks carry the text.",
    sources=("E1", "E2", "L8"),
)
client_case(
    "sdk.langchain-anthropic.tools",
    client=LC_ANTHROPIC,
    check="langchain_anthropic.tools",
    level=SHOULD,
    title="ChatAnthropic.bind_tools round trip",
    sends="ChatAnthropic(...).bind_tools([get_weather]).invoke(...), a ToolMessage back, invoke again",
    needs=TOOL_NEEDS,
    requirement="A get_weather tool call, then text without further tool calls.",
    sources=("D5", "L5"),
)
for method, source in (("function_calling", "L4"), ("json_schema", "L3")):
    client_case(
        f"sdk.langchain-anthropic.structured-{method.replace('_', '-')}",
        client=LC_ANTHROPIC,
        check=f"langchain_anthropic.structured.{method}",
        level=SHOULD,
        title=f"ChatAnthropic.with_structured_output(method={method!r})",
        sends=f"ChatAnthropic(...).with_structured_output(Plan, method={method!r}, include_raw=True).invoke(prompt)",
        needs=PLAN_NEEDS,
        requirement="`parsed` is a Plan and `parsing_error` is None.",
        sources=(source,),
    )
client_case(
    "sdk.langchain-anthropic.auth",
    client=LC_ANTHROPIC,
    check="langchain_anthropic.auth",
    level=SHOULD,
    title="ChatAnthropic with a wrong key",
    sends="ChatAnthropic(api_key=<malformed key>).invoke(prompt)",
    needs=AUTH_NEEDS,
    requirement="anthropic.AuthenticationError reaches the caller through LangChain.",
    sources=("F3", "L6", "D-AUTH-2.1"),
)

# -- pydantic-ai -----------------------------------------------------------------------------------------
for provider, label, plain, stream, tool, native, prompted, auth in (
    ("openai", "OpenAIChatModel", "A5", "B4", "A8", "L1", ("L9", "L2"), "C2"),
    ("anthropic", "AnthropicModel", "D1", "E2", "D5", "L3", ("L9",), "F3"),
):
    client = Client(f"pydantic-ai ({label})", "python")
    prefix, check = f"sdk.pydantic-ai.{provider}", f"pydantic_ai.{provider}"
    rows = (
        (
            "run",
            "run",
            "Agent.run(prompt)",
            "a completion with text",
            "The run's output is text.",
            (plain, "L8"),
        ),
        (
            "stream",
            "stream",
            "Agent.run_stream(prompt).stream_text(delta=True)",
            "an event stream with text",
            "The streamed text is not empty.",
            (stream, "L8"),
        ),
        (
            "tools",
            "tools",
            "Agent(tools=[get_weather]).run(prompt asking for the weather)",
            TOOL_NEEDS,
            "The tool runs and the run ends with a text output.",
            (tool, "L5"),
        ),
        (
            "structured-tool",
            "structured.tool",
            "Agent(output_type=ToolOutput(Plan)).run(prompt)",
            PLAN_NEEDS,
            "The output is a Plan (from the output tool's arguments).",
            ("L4",),
        ),
        (
            "structured-native",
            "structured.native_profile" if provider == "anthropic" else "structured.native",
            "Agent(output_type=NativeOutput(Plan)).run(prompt)"
            + (" with the Claude model profile" if provider == "anthropic" else ""),
            PLAN_NEEDS,
            "The output is a Plan (from the answer's JSON text).",
            (native,),
        ),
        (
            "structured-prompted",
            "structured.prompted",
            "Agent(output_type=PromptedOutput(Plan)).run(prompt)",
            PLAN_NEEDS,
            "The output is a Plan (from JSON the prompt asked for).",
            prompted,
        ),
        (
            "agent",
            "agent",
            "Agent(output_type=Plan, tools=[get_weather]).run(prompt asking for both)",
            "a get_weather tool call, then the output tool's call",
            "The tool runs and the output is a Plan, within 6 requests.",
            ("L4", "L5"),
        ),
        (
            "auth",
            "auth",
            "Agent(model with a malformed key).run(prompt)",
            AUTH_NEEDS,
            "pydantic_ai.ModelAuthenticationError is raised.",
            (auth, "L6", "D-AUTH-2.1"),
        ),
    )
    for suffix, check_suffix, sends, needs, requirement, sources in rows:
        client_case(
            f"{prefix}.{suffix}",
            client=client,
            check=f"{check}.{check_suffix}",
            level=SHOULD,
            title=f"pydantic-ai {label}: {suffix}",
            sends=sends,
            needs=needs,
            requirement=requirement,
            sources=sources,
        )

# -- instructor (its own venv) ---------------------------------------------------------------------------
INSTRUCTOR = Client("instructor", "python", "instructor")
for mode, mode_sources in (
    ("TOOLS", ("L4",)),
    ("JSON", ("L2",)),
    ("JSON_SCHEMA", ("L1",)),
    ("MD_JSON", ("L9",)),
    ("ANTHROPIC_TOOLS", ("L4", "D5")),
):
    client_case(
        f"sdk.instructor.{mode.lower().replace('_', '-')}",
        client=INSTRUCTOR,
        check=f"instructor.{mode.lower()}",
        level=SHOULD,
        title=f"instructor Mode.{mode}",
        sends=f"instructor.from_{'anthropic' if mode.startswith('ANTHROPIC') else 'openai'}(client, "
        f"mode=Mode.{mode}).create(response_model=Plan)",
        needs=PLAN_NEEDS,
        requirement="The response model comes back validated as a Plan.",
        sources=mode_sources,
    )
for suffix, check, title, sends, needs, requirement, sources in (
    (
        "plain",
        "instructor.plain",
        "instructor without a response model",
        "create(response_model=None)",
        "a completion with text",
        "The raw completion has text.",
        ("A5", "L8"),
    ),
    (
        "partial",
        "instructor.partial",
        "instructor create_partial",
        "create_partial(response_model=Plan) in Mode.TOOLS (a streamed tool call)",
        "an event stream with a tool call",
        "The partial models end in a complete Plan.",
        ("B6", "L4"),
    ),
    (
        "stratus",
        "instructor.stratus",
        "stratus through create_with_completion",
        "create_with_completion(response_model=<a flat model>)",
        STRATUS_NEEDS,
        "The raw ChatCompletion carries `stratus` with action_sequence.",
        ("D-STR-1.1", "L7"),
    ),
    (
        "auth",
        "instructor.auth",
        "instructor with a wrong key",
        "create(response_model=Plan) with a malformed key",
        AUTH_NEEDS,
        "InstructorRetryException caused by openai.AuthenticationError.",
        ("C2", "L6", "D-AUTH-2.1"),
    ),
):
    client_case(
        f"sdk.instructor.{suffix}",
        client=INSTRUCTOR,
        check=check,
        level=SHOULD,
        title=title,
        sends=sends,
        needs=needs,
        requirement=requirement,
        sources=sources,
    )

# -- litellm (its own venv) -----------------------------------------------------------------------------
LITELLM = Client("litellm", "python", "litellm")
# The anthropic/ route sends response_format=<model> as a forced tool and json_object only as prompt text.
for route, plain, stream, tool, structured, json_object, auth in (
    ("openai", "A5", "B4", "A8", ("L1",), ("L2",), "C2"),
    ("anthropic", "D1", "E2", "D5", ("L4",), ("L9",), "F3"),
):
    model = f"model='{route}/…'"
    for suffix, check, sends, needs, requirement, sources in (
        (
            "completion",
            "completion",
            f"completion({model})",
            "a completion with text",
            "Text comes back.",
            (plain, "L8"),
        ),
        (
            "acompletion",
            "acompletion",
            f"acompletion({model})",
            "a completion with text",
            "Text comes back.",
            (plain, "L8"),
        ),
        (
            "stream",
            "stream",
            f"completion({model}, stream=True)",
            "an event stream with text",
            "The chunks carry text.",
            (stream, "L8"),
        ),
        (
            "tools",
            "tools",
            f"completion({model}, tools=[get_weather]), the tool message back",
            TOOL_NEEDS,
            "A get_weather call, then text without another call.",
            (tool, "L5"),
        ),
        (
            "structured-model",
            "structured.model",
            f"completion({model}, response_format=Plan)",
            PLAN_NEEDS,
            "The text validates as Plan.",
            structured,
        ),
        (
            "structured-json-object",
            "structured.json_object",
            f"completion({model}, response_format={{type: json_object}})",
            "content that is a JSON object",
            "The text is one JSON object.",
            json_object,
        ),
        (
            "auth",
            "auth",
            f"completion({model}) with a malformed key",
            AUTH_NEEDS,
            "litellm.AuthenticationError is raised.",
            (auth, "L6", "D-AUTH-2.1"),
        ),
    ):
        client_case(
            f"sdk.litellm.{route}.{suffix}",
            client=LITELLM,
            check=f"litellm.{route}.{check}",
            level=SHOULD,
            title=f"litellm {route}/ route: {suffix}",
            sends=sends,
            needs=needs,
            requirement=requirement,
            sources=sources,
        )
client_case(
    "sdk.litellm.openai.stratus",
    client=LITELLM,
    check="litellm.openai.stratus",
    level=SHOULD,
    title="litellm openai/ route: stratus",
    sends="completion(model='openai/…') and the ModelResponse's stratus attribute",
    needs=STRATUS_NEEDS,
    requirement="The ModelResponse keeps the top-level `stratus` object.",
    sources=("D-STR-1.1", "L7"),
)

# -- llama-index OpenAILike (its own venv) ----------------------------------------------------------------
LLAMA = Client("llama-index OpenAILike", "python", "llama_index")
for suffix, check, sends, needs, requirement, sources in (
    (
        "chat",
        "chat",
        "OpenAILike(is_chat_model=True).chat(...)",
        "a completion with text",
        "Text comes back.",
        ("A5", "L8"),
    ),
    (
        "stream-chat",
        "stream_chat",
        "stream_chat(...)",
        "an event stream with text",
        "The deltas join to the text.",
        ("B4", "L8"),
    ),
    (
        "complete",
        "complete_chat_model",
        "complete(prompt) with is_chat_model=True",
        "a completion with text",
        "Text comes back.",
        ("A5", "L8"),
    ),
    (
        "tools",
        "tools",
        "chat_with_tools([get_weather]), a tool message back",
        TOOL_NEEDS,
        "A tool call, then text.",
        ("A8", "L5"),
    ),
    (
        "structured-function-calling",
        "structured.function_calling",
        "structured_predict(Plan) with is_function_calling_model=True",
        PLAN_NEEDS,
        "structured_predict returns a Plan.",
        ("L4",),
    ),
    (
        "structured-llm",
        "structured.structured_llm",
        "as_structured_llm(Plan).chat(...)",
        PLAN_NEEDS,
        "response.raw is a Plan.",
        ("L4",),
    ),
    (
        "auth",
        "auth",
        "chat(...) with a malformed key",
        AUTH_NEEDS,
        "openai.AuthenticationError is raised.",
        ("C2", "L6", "D-AUTH-2.1"),
    ),
    (
        "stratus",
        "stratus",
        "chat(...) and ChatResponse.raw",
        STRATUS_NEEDS,
        "ChatResponse.raw carries `stratus`.",
        ("D-STR-1.1", "L7"),
    ),
):
    client_case(
        f"sdk.llama-index.{suffix}",
        client=LLAMA,
        check=f"llama_index.{check}",
        level=SHOULD,
        title=f"llama-index OpenAILike: {suffix}",
        sends=sends,
        needs=needs,
        requirement=requirement,
        sources=sources,
    )
