// What every Node check shares: the prompt, the tool, the typed answer (as JSON Schema and zod), the
// fetch wrapper that records HTTP error answers, and the failure classes.
export const PROMPT = "Open the browser, search for flights to Paris and book the cheapest one.";
export const TOOL_PROMPT = "What is the weather in Paris right now? Use the get_weather tool.";
export const STRUCTURED_PROMPT = "Plan how to search for flights to Paris and book the cheapest one. Answer in JSON.";
export const TOOL_DESCRIPTION = "Current weather for a city";
export const MAX_TOKENS = 1024;

export class CheckFailed extends Error {}

export function expect(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

export function getWeather(city) {
  return `18 C and sunny in ${city}`;
}

export const WEATHER_SCHEMA = {
  type: "object",
  properties: { city: { type: "string", description: "the city" } },
  required: ["city"],
  additionalProperties: false,
};

// The same Plan as the Python checks: a nested object (so schemas carry definitions) and a non-empty array.
export async function zodShapes() {
  const { z } = await import("zod");
  const Step = z.object({
    action: z.string().describe("what to do, e.g. click or type"),
    target: z.string().describe("the page element or text it applies to"),
  });
  const Plan = z.object({ goal: z.string(), steps: z.array(Step).min(1).describe("the steps, in order") });
  const Weather = z.object({ city: z.string().describe("the city") });
  return { z, Step, Plan, Weather };
}

export async function validatePlan(value) {
  const { Plan } = await zodShapes();
  return Plan.parse(value);
}

export function stratusOk(stratus, where) {
  expect(stratus && typeof stratus === "object", `${where}: stratus=${JSON.stringify(stratus)}`);
  expect(Array.isArray(stratus.action_sequence), `${where}: stratus has no action_sequence`);
  return `${Object.keys(stratus).length} stratus fields`;
}

// Every Node client here calls the global fetch, so wrapping it sees every HTTP error answer.
export const httpLog = {
  errors: [],
  installed: false,
  take() {
    const errors = this.errors;
    this.errors = [];
    return errors;
  },
  install() {
    if (this.installed) return;
    this.installed = true;
    const original = globalThis.fetch;
    const log = this;
    globalThis.fetch = async function fetchWithLog(input, init) {
      const response = await original(input, init);
      if (response.status >= 400) {
        const request = input instanceof Request ? input : new Request(input, init);
        let body;
        try {
          body = await response.clone().text();
        } catch (exc) {
          body = `<body not readable: ${exc?.constructor?.name}>`;
        }
        log.errors.push({
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          body: body.slice(0, 2000),
        });
      }
      return response;
    };
  },
};

// A failure about the answer itself: a check's own expectation, invalid JSON, a schema/zod violation,
// or the AI SDK's "no object generated" / type-validation errors (anywhere in the cause chain).
export function isBadAnswer(error) {
  const names = new Set(["CheckFailed", "ZodError", "SyntaxError", "NoObjectGeneratedError", "TypeValidationError", "JSONParseError", "OutputParserException", "AI_NoObjectGeneratedError", "AI_TypeValidationError", "AI_JSONParseError"]);
  const seen = new Set();
  for (let e = error; e && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof CheckFailed || names.has(e.constructor?.name) || names.has(e.name)) return true;
  }
  return false;
}
