// openai-node: create, a raw stream, the stream helper, a tool round trip, every structured-output
// method (parse with zodResponseFormat, the structured stream helper, json_schema, json_object, strict
// zodFunction tools), the auth error class and `stratus` read back.
import {
  expect,
  getWeather,
  PROMPT,
  STRUCTURED_PROMPT,
  stratusOk,
  TOOL_DESCRIPTION,
  TOOL_PROMPT,
  validatePlan,
  WEATHER_SCHEMA,
  zodShapes,
} from "./_common.mjs";

const PKG = ["openai"];

async function client(t, key) {
  const { default: OpenAI } = await import("openai");
  return new OpenAI({ baseURL: t.openaiBase, apiKey: key ?? t.apiKey, maxRetries: 0, timeout: t.timeoutS * 1000 });
}

const user = (text) => [{ role: "user", content: text ?? PROMPT }];
const weatherTool = { type: "function", function: { name: "get_weather", description: TOOL_DESCRIPTION, parameters: WEATHER_SCHEMA } };

function textOf(completion) {
  const content = completion.choices?.[0]?.message?.content;
  expect(typeof content === "string" && content.length > 0, `message.content=${JSON.stringify(content)}`);
  return content;
}

export const checks = {
  "openai.create": {
    what: "chat.completions.create: text and finish_reason",
    packages: PKG,
    async run(t) {
      const c = await (await client(t)).chat.completions.create({ model: t.openaiModel, messages: user() });
      expect(["stop", "length"].includes(c.choices[0].finish_reason), `finish_reason=${c.choices[0].finish_reason}`);
      return `${textOf(c).length} chars`;
    },
  },
  "openai.stream": {
    what: "create({stream: true}): deltas join to text, a finish_reason",
    packages: PKG,
    async run(t) {
      const stream = await (await client(t)).chat.completions.create({ model: t.openaiModel, messages: user(), stream: true });
      let text = "";
      let finish = null;
      for await (const chunk of stream) {
        for (const choice of chunk.choices) {
          text += choice.delta?.content ?? "";
          finish = choice.finish_reason ?? finish;
        }
      }
      expect(text, "the deltas carried no text");
      expect(["stop", "length"].includes(finish), `finish_reason=${finish}`);
      return `${text.length} chars`;
    },
  },
  "openai.stream_helper": {
    what: "chat.completions.stream(): content deltas, finalChatCompletion() equals them",
    packages: PKG,
    async run(t) {
      const runner = (await client(t)).chat.completions.stream({ model: t.openaiModel, messages: user() });
      let text = "";
      runner.on("content", (delta) => {
        text += delta;
      });
      const final = await runner.finalChatCompletion();
      expect(text && text === textOf(final), "final completion text differs from the deltas");
      return `${text.length} chars`;
    },
  },
  "openai.tools": {
    what: "tool round trip: a get_weather call, the tool result sent back, a final text answer",
    packages: PKG,
    async run(t) {
      const c = await client(t);
      const messages = user(TOOL_PROMPT);
      const first = await c.chat.completions.create({ model: t.openaiModel, messages, tools: [weatherTool] });
      const calls = first.choices[0].message.tool_calls ?? [];
      expect(first.choices[0].finish_reason === "tool_calls", `finish_reason=${first.choices[0].finish_reason}`);
      expect(calls[0]?.function?.name === "get_weather", `tool_calls=${JSON.stringify(calls)}`);
      const args = JSON.parse(calls[0].function.arguments);
      expect(typeof args.city === "string", `arguments=${calls[0].function.arguments}`);
      messages.push(first.choices[0].message, { role: "tool", tool_call_id: calls[0].id, content: getWeather(args.city) });
      const final = await c.chat.completions.create({ model: t.openaiModel, messages, tools: [weatherTool] });
      expect(final.choices[0].finish_reason === "stop", `second turn finish_reason=${final.choices[0].finish_reason}`);
      return `city=${args.city}; ${textOf(final).slice(0, 60)}`;
    },
  },
  "openai.structured.parse": {
    what: "chat.completions.parse({response_format: zodResponseFormat(Plan)}): message.parsed",
    packages: PKG,
    async run(t) {
      const { zodResponseFormat } = await import("openai/helpers/zod");
      const { Plan } = await zodShapes();
      const c = await (await client(t)).chat.completions.parse({
        model: t.openaiModel,
        messages: user(STRUCTURED_PROMPT),
        response_format: zodResponseFormat(Plan, "plan"),
      });
      const parsed = c.choices[0].message.parsed;
      expect(parsed, `parsed=${JSON.stringify(parsed)} content=${c.choices[0].message.content}`);
      return `${(await validatePlan(parsed)).steps.length} steps`;
    },
  },
  "openai.structured.stream": {
    what: "chat.completions.stream({response_format: zodResponseFormat(Plan)}): the final parsed message",
    packages: PKG,
    async run(t) {
      const { zodResponseFormat } = await import("openai/helpers/zod");
      const { Plan } = await zodShapes();
      const runner = (await client(t)).chat.completions.stream({
        model: t.openaiModel,
        messages: user(STRUCTURED_PROMPT),
        response_format: zodResponseFormat(Plan, "plan"),
      });
      const final = await runner.finalChatCompletion();
      const parsed = final.choices[0].message.parsed;
      expect(parsed, `parsed=${JSON.stringify(parsed)}`);
      return `${(await validatePlan(parsed)).steps.length} steps`;
    },
  },
  "openai.structured.json_schema": {
    what: "create({response_format: {type: json_schema, strict: true}}): content validates",
    packages: PKG,
    async run(t) {
      const { z, Plan } = await zodShapes();
      const schema = z.toJSONSchema(Plan, { target: "draft-7" });
      const c = await (await client(t)).chat.completions.create({
        model: t.openaiModel,
        messages: user(STRUCTURED_PROMPT),
        response_format: { type: "json_schema", json_schema: { name: "plan", schema, strict: true } },
      });
      return `${(await validatePlan(JSON.parse(textOf(c)))).steps.length} steps`;
    },
  },
  "openai.structured.json_object": {
    what: "create({response_format: {type: json_object}}): content is a JSON object",
    packages: PKG,
    async run(t) {
      const c = await (await client(t)).chat.completions.create({
        model: t.openaiModel,
        messages: user(STRUCTURED_PROMPT),
        response_format: { type: "json_object" },
      });
      const value = JSON.parse(textOf(c));
      expect(value && typeof value === "object" && !Array.isArray(value), `not a JSON object: ${textOf(c)}`);
      return `keys=${Object.keys(value).slice(0, 5)}`;
    },
  },
  "openai.structured.strict_tool": {
    what: "parse({tools: [zodFunction(record_plan)], tool_choice}): parsed_arguments validate",
    packages: PKG,
    async run(t) {
      const { zodFunction } = await import("openai/helpers/zod");
      const { Plan } = await zodShapes();
      const c = await (await client(t)).chat.completions.parse({
        model: t.openaiModel,
        messages: user(STRUCTURED_PROMPT),
        tools: [zodFunction({ name: "record_plan", parameters: Plan })],
        tool_choice: { type: "function", function: { name: "record_plan" } },
      });
      const call = c.choices[0].message.tool_calls?.[0];
      expect(call, "no tool call");
      return `${(await validatePlan(call.function.parsed_arguments)).steps.length} steps`;
    },
  },
  "openai.auth": {
    what: "a wrong key rejects with OpenAI.AuthenticationError (401)",
    packages: PKG,
    expectStatus: [401],
    async run(t) {
      const { default: OpenAI } = await import("openai");
      try {
        await (await client(t, t.wrongKey)).chat.completions.create({ model: t.openaiModel, messages: user() });
      } catch (exc) {
        expect(exc instanceof OpenAI.AuthenticationError, `rejected with ${exc?.constructor?.name}: ${exc?.message}`);
        return `${exc.status} ${exc.constructor.name}`;
      }
      expect(false, "a wrong key was accepted");
    },
  },
  "openai.stratus": {
    what: "stratus read back: the raw response (.asResponse()) and the parsed completion",
    packages: PKG,
    async run(t) {
      const c = await client(t);
      const response = await c.chat.completions.create({ model: t.openaiModel, messages: user() }).asResponse();
      const raw = await response.json();
      stratusOk((await c.chat.completions.create({ model: t.openaiModel, messages: user() })).stratus, "completion");
      return stratusOk(raw.stratus, "raw JSON");
    },
  },
  "openai.stream_stratus": {
    what: "stratus read back from a stream: some chunk carries it",
    packages: PKG,
    async run(t) {
      const stream = await (await client(t)).chat.completions.create({ model: t.openaiModel, messages: user(), stream: true });
      let found;
      for await (const chunk of stream) if (chunk.stratus) found = chunk.stratus;
      return stratusOk(found, "stream chunk");
    },
  },
};
