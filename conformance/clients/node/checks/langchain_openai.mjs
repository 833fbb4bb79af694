// @langchain/openai ChatOpenAI: invoke, stream, a tool round trip through ToolMessage, every
// withStructuredOutput method (functionCalling, jsonMode, jsonSchema) and the auth error class.
// LangChain keeps no raw response, so there is no `stratus` check.
import { expect, getWeather, PROMPT, STRUCTURED_PROMPT, TOOL_DESCRIPTION, TOOL_PROMPT, validatePlan, zodShapes } from "./_common.mjs";

const PKG = ["@langchain/openai", "@langchain/core", "openai"];

async function model(t, key) {
  const { ChatOpenAI } = await import("@langchain/openai");
  return new ChatOpenAI({
    model: t.openaiModel,
    apiKey: key ?? t.apiKey,
    configuration: { baseURL: t.openaiBase },
    maxRetries: 0,
    timeout: t.timeoutS * 1000,
  });
}

function structured(method) {
  return {
    packages: PKG,
    what: `withStructuredOutput(Plan, {method: "${method}", includeRaw: true}): parsed validates`,
    async run(t) {
      const { Plan } = await zodShapes();
      const out = await (await model(t)).withStructuredOutput(Plan, { method, includeRaw: true }).invoke(STRUCTURED_PROMPT);
      expect(out.parsed, `parsed=${JSON.stringify(out.parsed)} raw content=${JSON.stringify(out.raw?.content)?.slice(0, 200)}`);
      return `${(await validatePlan(out.parsed)).steps.length} steps`;
    },
  };
}

export const checks = {
  "langchain_openai.invoke": {
    packages: PKG,
    what: "invoke(prompt): an AIMessage with text",
    async run(t) {
      const msg = await (await model(t)).invoke(PROMPT);
      expect(typeof msg.content === "string" && msg.content, `content=${JSON.stringify(msg.content)}`);
      return `${msg.content.length} chars`;
    },
  },
  "langchain_openai.stream": {
    packages: PKG,
    what: "stream(prompt): chunks with text",
    async run(t) {
      let text = "";
      let count = 0;
      for await (const chunk of await (await model(t)).stream(PROMPT)) {
        text += chunk.content;
        count += 1;
      }
      expect(text, `${count} chunks, no text`);
      return `${count} chunks`;
    },
  },
  "langchain_openai.tools": {
    packages: PKG,
    what: "bindTools([get_weather]): a tool call, a ToolMessage back, a final text answer",
    async run(t) {
      const { tool } = await import("@langchain/core/tools");
      const { HumanMessage } = await import("@langchain/core/messages");
      const { Weather } = await zodShapes();
      const weather = tool(async ({ city }) => getWeather(city), { name: "get_weather", description: TOOL_DESCRIPTION, schema: Weather });
      const m = (await model(t)).bindTools([weather]);
      const history = [new HumanMessage(TOOL_PROMPT)];
      const first = await m.invoke(history);
      expect(first.tool_calls?.[0]?.name === "get_weather", `tool_calls=${JSON.stringify(first.tool_calls)}`);
      history.push(first, await weather.invoke(first.tool_calls[0]));
      const final = await m.invoke(history);
      expect(!final.tool_calls?.length, `second turn called tools again: ${JSON.stringify(final.tool_calls)}`);
      expect(typeof final.content === "string" && final.content, "second turn has no text");
      return `args=${JSON.stringify(first.tool_calls[0].args)}; ${final.content.slice(0, 60)}`;
    },
  },
  "langchain_openai.structured.function_calling": structured("functionCalling"),
  "langchain_openai.structured.json_mode": structured("jsonMode"),
  "langchain_openai.structured.json_schema": structured("jsonSchema"),
  "langchain_openai.auth": {
    packages: PKG,
    what: "a wrong key rejects with AuthenticationError (status 401, lc_error_code MODEL_AUTHENTICATION)",
    expectStatus: [401],
    async run(t) {
      try {
        await (await model(t, t.wrongKey)).invoke(PROMPT);
      } catch (exc) {
        expect(exc?.status === 401 && exc?.lc_error_code === "MODEL_AUTHENTICATION", `rejected with ${exc?.constructor?.name} ${exc?.status} ${exc?.lc_error_code}: ${exc?.message}`);
        return `${exc.status} ${exc.constructor.name} ${exc.lc_error_code}`;
      }
      expect(false, "a wrong key was accepted");
    },
  },
};
