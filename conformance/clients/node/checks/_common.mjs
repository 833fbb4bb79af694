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

// Every Node client here calls the global fetch, so wrapping it sees every HTTP error answer, and with
// `capture` every exchange (the request, and the body as a clone of the answer reads it, streams included).
const SECRET_HEADERS = new Set(["authorization", "x-api-key", "x-openai-key", "x-anthropic-key", "x-google-key", "x-openrouter-key"]);
const EXCHANGE_BODY_LIMIT = 65536;

// The request as sent; a body that is a stream (needs `duplex`) cannot be rebuilt, so fall back to init.
function requestOf(input, init) {
  try {
    return input instanceof Request ? input : new Request(input, init);
  } catch {
    return { method: init?.method ?? "GET", url: String(input?.url ?? input), headers: new Headers(init?.headers ?? {}) };
  }
}

function requestBody(init) {
  const body = init?.body;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return "";
}

export const httpLog = {
  errors: [],
  exchanges: [],
  capture: false,
  installed: false,
  take() {
    const errors = this.errors;
    this.errors = [];
    return errors;
  },
  // The exchanges since the last call, once each answer's body has been read (or `waitMs` passed).
  async takeExchanges(waitMs = 5000) {
    const pending = this.exchanges;
    this.exchanges = [];
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.allSettled(pending.map((p) => p.done)), late]);
    clearTimeout(timer);
    return pending.map((p) => p.record);
  },
  install() {
    if (this.installed) return;
    this.installed = true;
    const original = globalThis.fetch;
    const log = this;
    globalThis.fetch = async function fetchWithLog(input, init) {
      const started = performance.now();
      const response = await original(input, init);
      const request = requestOf(input, init);
      if (log.capture) {
        const headers = {};
        request.headers.forEach((value, name) => {
          headers[name] = SECRET_HEADERS.has(name.toLowerCase()) ? "REDACTED" : value;
        });
        const record = {
          method: request.method,
          url: request.url,
          request_headers: headers,
          request_body: requestBody(init).slice(0, EXCHANGE_BODY_LIMIT),
          status: response.status,
          response_headers: [...response.headers.entries()],
          response_body: "",
          elapsed_s: 0,
        };
        const done = response
          .clone()
          .text()
          .then(
            (text) => {
              record.response_body = text.slice(0, EXCHANGE_BODY_LIMIT);
            },
            (exc) => {
              record.response_body = `<body not readable: ${exc?.constructor?.name}>`;
            },
          )
          .finally(() => {
            record.elapsed_s = Math.round(performance.now() - started) / 1000;
          });
        log.exchanges.push({ record, done });
      }
      if (response.status >= 400) {
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
