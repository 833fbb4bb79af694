// The Vercel AI SDK (`ai`) with @ai-sdk/openai (chat completions: `openai.chat(id)`) and @ai-sdk/anthropic:
// generateText, streamText, a tool loop, every structured-output method (generateText/streamText with
// Output.object, and the deprecated generateObject/streamObject), the auth error class (APICallError
// 401) and `stratus` from the raw response body. `openai.responses_default` records what the default
// `openai(id)` provider (POST /v1/responses) gets from a chat-completions-only deployment.
import { expect, getWeather, PROMPT, STRUCTURED_PROMPT, stratusOk, TOOL_DESCRIPTION, TOOL_PROMPT, validatePlan, zodShapes } from "./_common.mjs";

const PROVIDERS = {
  openai: {
    packages: ["ai", "@ai-sdk/openai"],
    async model(t, key) {
      const { createOpenAI } = await import("@ai-sdk/openai");
      return createOpenAI({ baseURL: t.openaiBase, apiKey: key ?? t.apiKey }).chat(t.openaiModel);
    },
  },
  anthropic: {
    packages: ["ai", "@ai-sdk/anthropic"],
    async model(t, key) {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return createAnthropic({ baseURL: t.openaiBase, apiKey: key ?? t.apiKey })(t.anthropicModel);
    },
  },
};

// streamText turns errors into stream parts; collect them and throw the first, so the failure is seen.
async function drain(result, errors) {
  let text = "";
  for await (const part of result.fullStream) {
    if (part.type === "text-delta") text += part.text ?? part.delta ?? "";
    if (part.type === "error") errors.push(part.error);
  }
  if (errors.length) throw errors[0];
  return text;
}

function providerChecks(name, provider) {
  const base = { packages: provider.packages };
  const id = (s) => `ai_sdk.${name}.${s}`;
  const ai = () => import("ai");
  return {
    [id("generate_text")]: {
      ...base,
      what: "generateText: text and finishReason",
      async run(t) {
        const { generateText } = await ai();
        const r = await generateText({ model: await provider.model(t), prompt: PROMPT, maxRetries: 0 });
        expect(r.text, "no text");
        expect(["stop", "length"].includes(r.finishReason), `finishReason=${r.finishReason}`);
        return `${r.text.length} chars`;
      },
    },
    [id("stream_text")]: {
      ...base,
      what: "streamText: text-delta parts join to text",
      async run(t) {
        const { streamText } = await ai();
        const errors = [];
        const r = streamText({ model: await provider.model(t), prompt: PROMPT, maxRetries: 0, onError: () => {} });
        const text = await drain(r, errors);
        expect(text, "no text deltas");
        return `${text.length} chars`;
      },
    },
    [id("tools")]: {
      ...base,
      what: "generateText with a get_weather tool and stopWhen: the tool runs, text ends the loop",
      async run(t) {
        const { generateText, tool, stepCountIs } = await ai();
        const { Weather } = await zodShapes();
        const calls = [];
        const get_weather = tool({
          description: TOOL_DESCRIPTION,
          inputSchema: Weather,
          execute: async ({ city }) => {
            calls.push(city);
            return getWeather(city);
          },
        });
        const r = await generateText({
          model: await provider.model(t),
          prompt: TOOL_PROMPT,
          tools: { get_weather },
          stopWhen: stepCountIs(4),
          maxRetries: 0,
        });
        expect(calls.length, `the tool never ran (finishReason=${r.finishReason})`);
        expect(r.finishReason === "stop" && r.text, `ended with finishReason=${r.finishReason} after ${r.steps.length} steps`);
        return `tool ran for ${calls}; ${r.text.slice(0, 60)}`;
      },
    },
    [id("structured.output_object")]: {
      ...base,
      what: "generateText({output: Output.object({schema: Plan})}): output validates",
      async run(t) {
        const { generateText, Output } = await ai();
        const { Plan } = await zodShapes();
        const r = await generateText({ model: await provider.model(t), prompt: STRUCTURED_PROMPT, output: Output.object({ schema: Plan }), maxRetries: 0 });
        return `${(await validatePlan(r.output)).steps.length} steps`;
      },
    },
    [id("structured.stream_output_object")]: {
      ...base,
      what: "streamText({output: Output.object({schema: Plan})}): the final output validates",
      async run(t) {
        const { streamText, Output } = await ai();
        const { Plan } = await zodShapes();
        const errors = [];
        const r = streamText({
          model: await provider.model(t),
          prompt: STRUCTURED_PROMPT,
          output: Output.object({ schema: Plan }),
          maxRetries: 0,
          onError: () => {},
        });
        await drain(r, errors);
        return `${(await validatePlan(await r.output)).steps.length} steps`;
      },
    },
    [id("structured.generate_object")]: {
      ...base,
      what: "generateObject({schema: Plan}) (deprecated, still exported): object validates",
      async run(t) {
        const { generateObject } = await ai();
        const { Plan } = await zodShapes();
        const r = await generateObject({ model: await provider.model(t), prompt: STRUCTURED_PROMPT, schema: Plan, maxRetries: 0 });
        return `${(await validatePlan(r.object)).steps.length} steps`;
      },
    },
    [id("structured.stream_object")]: {
      ...base,
      what: "streamObject({schema: Plan}) (deprecated, still exported): the final object validates",
      async run(t) {
        const { streamObject } = await ai();
        const { Plan } = await zodShapes();
        const errors = [];
        const r = streamObject({ model: await provider.model(t), prompt: STRUCTURED_PROMPT, schema: Plan, maxRetries: 0, onError: ({ error }) => errors.push(error) });
        for await (const _ of r.partialObjectStream);
        if (errors.length) throw errors[0];
        return `${(await validatePlan(await r.object)).steps.length} steps`;
      },
    },
    [id("auth")]: {
      ...base,
      what: "a wrong key rejects with APICallError, statusCode 401",
      expectStatus: [401],
      async run(t) {
        const { generateText, APICallError } = await ai();
        try {
          await generateText({ model: await provider.model(t, t.wrongKey), prompt: PROMPT, maxRetries: 0 });
        } catch (exc) {
          expect(APICallError.isInstance(exc) && exc.statusCode === 401, `rejected with ${exc?.constructor?.name} ${exc?.statusCode}: ${exc?.message}`);
          return `APICallError ${exc.statusCode}`;
        }
        expect(false, "a wrong key was accepted");
      },
    },
    [id("stratus")]: {
      ...base,
      what: "stratus read back from generateText's response.body (include: {responseBody: true})",
      async run(t) {
        const { generateText } = await ai();
        const model = await provider.model(t);
        const r = await generateText({ model, prompt: PROMPT, maxRetries: 0, include: { responseBody: true } });
        return stratusOk(r.response?.body?.stratus, "response.body");
      },
    },
  };
}

export const checks = {
  ...providerChecks("openai", PROVIDERS.openai),
  ...providerChecks("anthropic", PROVIDERS.anthropic),
  "ai_sdk.openai.responses_default": {
    packages: ["ai", "@ai-sdk/openai"],
    what: "generateText with the default openai(id) provider (POST /v1/responses): text",
    async run(t) {
      const { generateText } = await import("ai");
      const { createOpenAI } = await import("@ai-sdk/openai");
      const model = createOpenAI({ baseURL: t.openaiBase, apiKey: t.apiKey })(t.openaiModel);
      const r = await generateText({ model, prompt: PROMPT, maxRetries: 0 });
      expect(r.text, "no text");
      return `${r.text.length} chars`;
    },
  },
};
