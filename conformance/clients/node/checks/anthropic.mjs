// @anthropic-ai/sdk: create, a raw stream, the stream helper, a tool round trip, the beta tool runner,
// every structured-output method (messages.parse with zodOutputFormat, output_config on create, the
// structured stream helper, a forced tool), countTokens, the auth error class and `stratus` read back.
import {
  expect,
  getWeather,
  MAX_TOKENS,
  PROMPT,
  STRUCTURED_PROMPT,
  stratusOk,
  TOOL_DESCRIPTION,
  TOOL_PROMPT,
  validatePlan,
  WEATHER_SCHEMA,
  zodShapes,
} from "./_common.mjs";

const PKG = ["@anthropic-ai/sdk"];

async function client(t, key) {
  const { default: Anthropic } = await import("@anthropic-ai/sdk");
  return new Anthropic({ baseURL: t.baseUrl, apiKey: key ?? t.apiKey, maxRetries: 0, timeout: t.timeoutS * 1000 });
}

const user = (text) => [{ role: "user", content: text ?? PROMPT }];
const args = (t, extra = {}) => ({ model: t.anthropicModel, max_tokens: MAX_TOKENS, messages: user(), ...extra });
const weatherTool = { name: "get_weather", description: TOOL_DESCRIPTION, input_schema: WEATHER_SCHEMA };

function textOf(message) {
  const texts = message.content.filter((b) => b.type === "text").map((b) => b.text);
  expect(texts.length && texts[0], `no text block: ${JSON.stringify(message.content)}`);
  return texts.join("");
}

async function planJsonSchema() {
  const { z, Plan } = await zodShapes();
  return z.toJSONSchema(Plan, { target: "draft-7" });
}

export const checks = {
  "anthropic.create": {
    what: "messages.create: a text block and stop_reason",
    packages: PKG,
    async run(t) {
      const m = await (await client(t)).messages.create(args(t));
      expect(["end_turn", "max_tokens"].includes(m.stop_reason), `stop_reason=${m.stop_reason}`);
      return `${textOf(m).length} chars`;
    },
  },
  "anthropic.stream": {
    what: "create({stream: true}): message_start … text_delta … message_stop",
    packages: PKG,
    async run(t) {
      const stream = await (await client(t)).messages.create(args(t, { stream: true }));
      const kinds = [];
      let text = "";
      for await (const event of stream) {
        kinds.push(event.type);
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
      }
      expect(kinds[0] === "message_start" && kinds.at(-1) === "message_stop", `events ${kinds.slice(0, 3)}…${kinds.slice(-2)}`);
      expect(text, "no text_delta carried text");
      return `${kinds.length} events`;
    },
  },
  "anthropic.stream_helper": {
    what: "messages.stream(): text events join to finalMessage()'s text",
    packages: PKG,
    async run(t) {
      const stream = (await client(t)).messages.stream(args(t));
      let text = "";
      stream.on("text", (delta) => {
        text += delta;
      });
      const final = await stream.finalMessage();
      expect(text && text === textOf(final), "text events differ from the final message");
      return `${text.length} chars`;
    },
  },
  "anthropic.tools": {
    what: "tool round trip: tool_use get_weather, a tool_result back, a final text answer",
    packages: PKG,
    async run(t) {
      const c = await client(t);
      const messages = user(TOOL_PROMPT);
      const first = await c.messages.create(args(t, { messages, tools: [weatherTool] }));
      const use = first.content.find((b) => b.type === "tool_use");
      expect(first.stop_reason === "tool_use", `stop_reason=${first.stop_reason}`);
      expect(use?.name === "get_weather" && typeof use.input?.city === "string", `tool_use=${JSON.stringify(use)}`);
      messages.push({ role: "assistant", content: first.content });
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: getWeather(use.input.city) }] });
      const final = await c.messages.create(args(t, { messages, tools: [weatherTool] }));
      expect(final.stop_reason === "end_turn", `second turn stop_reason=${final.stop_reason}`);
      return `city=${use.input.city}; ${textOf(final).slice(0, 60)}`;
    },
  },
  "anthropic.tool_runner": {
    what: "beta.messages.toolRunner with a betaZodTool: the tool runs, the run ends in text",
    packages: PKG,
    async run(t) {
      const { betaZodTool } = await import("@anthropic-ai/sdk/helpers/beta/zod");
      const { Weather } = await zodShapes();
      const calls = [];
      const tool = betaZodTool({
        name: "get_weather",
        description: TOOL_DESCRIPTION,
        inputSchema: Weather,
        run: ({ city }) => {
          calls.push(city);
          return getWeather(city);
        },
      });
      const final = await (await client(t)).beta.messages.toolRunner({
        model: t.anthropicModel,
        max_tokens: MAX_TOKENS,
        messages: user(TOOL_PROMPT),
        tools: [tool],
        max_iterations: 4,
      });
      expect(calls.length, "the tool never ran");
      expect(final.stop_reason === "end_turn", `final stop_reason=${final.stop_reason}`);
      return `tool ran for ${calls}; ${textOf(final).slice(0, 60)}`;
    },
  },
  "anthropic.structured.parse": {
    what: "messages.parse({output_config: {format: zodOutputFormat(Plan)}}): parsed_output",
    packages: PKG,
    async run(t) {
      const { zodOutputFormat } = await import("@anthropic-ai/sdk/helpers/zod");
      const { Plan } = await zodShapes();
      const m = await (await client(t)).messages.parse(
        args(t, { messages: user(STRUCTURED_PROMPT), output_config: { format: zodOutputFormat(Plan) } }),
      );
      expect(m.parsed_output, `parsed_output=${JSON.stringify(m.parsed_output)}`);
      return `${(await validatePlan(m.parsed_output)).steps.length} steps`;
    },
  },
  "anthropic.structured.output_config": {
    what: "create({output_config: {format: {type: json_schema}}}): the text validates",
    packages: PKG,
    async run(t) {
      const format = { type: "json_schema", schema: await planJsonSchema() };
      const m = await (await client(t)).messages.create(args(t, { messages: user(STRUCTURED_PROMPT), output_config: { format } }));
      return `${(await validatePlan(JSON.parse(textOf(m)))).steps.length} steps`;
    },
  },
  "anthropic.structured.stream": {
    what: "messages.stream({output_config: {format: zodOutputFormat(Plan)}}): the final parsed_output",
    packages: PKG,
    async run(t) {
      const { zodOutputFormat } = await import("@anthropic-ai/sdk/helpers/zod");
      const { Plan } = await zodShapes();
      const stream = (await client(t)).messages.stream(
        args(t, { messages: user(STRUCTURED_PROMPT), output_config: { format: zodOutputFormat(Plan) } }),
      );
      const final = await stream.finalMessage();
      const parsed = final.parsed_output ?? JSON.parse(textOf(final));
      return `${(await validatePlan(parsed)).steps.length} steps`;
    },
  },
  "anthropic.structured.forced_tool": {
    what: "tools: [record_plan], tool_choice {type: tool}: the tool_use input validates",
    packages: PKG,
    async run(t) {
      const tool = { name: "record_plan", description: "Record the plan", input_schema: await planJsonSchema() };
      const m = await (await client(t)).messages.create(
        args(t, { messages: user(STRUCTURED_PROMPT), tools: [tool], tool_choice: { type: "tool", name: "record_plan" } }),
      );
      const use = m.content.find((b) => b.type === "tool_use");
      expect(use, `no tool_use block: ${JSON.stringify(m.content)}`);
      return `${(await validatePlan(use.input)).steps.length} steps`;
    },
  },
  "anthropic.count_tokens": {
    what: "messages.countTokens: input_tokens > 0",
    packages: PKG,
    async run(t) {
      const counted = await (await client(t)).messages.countTokens({ model: t.anthropicModel, messages: user(), tools: [weatherTool] });
      expect(Number.isInteger(counted.input_tokens) && counted.input_tokens > 0, JSON.stringify(counted));
      return `input_tokens=${counted.input_tokens}`;
    },
  },
  "anthropic.auth": {
    what: "a wrong key rejects with Anthropic.AuthenticationError (401)",
    packages: PKG,
    expectStatus: [401],
    async run(t) {
      const { default: Anthropic } = await import("@anthropic-ai/sdk");
      try {
        await (await client(t, t.wrongKey)).messages.create(args(t));
      } catch (exc) {
        expect(exc instanceof Anthropic.AuthenticationError, `rejected with ${exc?.constructor?.name}: ${exc?.message}`);
        return `${exc.status} ${exc.constructor.name}`;
      }
      expect(false, "a wrong key was accepted");
    },
  },
  "anthropic.stratus": {
    what: "stratus read back: the raw response (.asResponse()) and the parsed message",
    packages: PKG,
    async run(t) {
      const c = await client(t);
      const raw = await (await c.messages.create(args(t)).asResponse()).json();
      stratusOk((await c.messages.create(args(t))).stratus, "message");
      return stratusOk(raw.stratus, "raw JSON");
    },
  },
  "anthropic.stream_stratus": {
    what: "stratus read back from a raw stream: an event carries it",
    packages: PKG,
    async run(t) {
      const stream = await (await client(t)).messages.create(args(t, { stream: true }));
      let found;
      for await (const event of stream) found = event.stratus ?? event.message?.stratus ?? found;
      return stratusOk(found, "stream event");
    },
  },
};
