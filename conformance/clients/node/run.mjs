// The Node runner of the real-client matrix: runs checks and prints one JSON line per check, in the
// same shape as the Python runner (conformance/clients/_result.py):
//   node run.mjs --check openai.stream --base-url URL [--api-key KEY]   (or STRATUS_API_KEY)
//   node run.mjs --all --base-url URL
//   node run.mjs --list
//   node run.mjs --check openai.stream --base-url URL --exchanges   (every HTTP exchange in the line)
//   node run.mjs --serve --base-url URL --exchanges   (check ids on stdin, one result line each)
// Exit status: 0 when every check passed, 1 when one did not, 2 on a usage error.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { CheckFailed, httpLog, isBadAnswer } from "./checks/_common.mjs";

const MODULES = ["openai", "anthropic", "ai_sdk", "langchain_openai"];
const DEFAULTS = {
  openaiModel: "stratus-x1ac-base-gpt-4o",
  anthropicModel: "stratus-x1ac-base-claude-sonnet-4-5",
  wrongKey: "stratus_sk_test_notissued0000wrong",
};

function usage(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function packageVersion(name) {
  try {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, "utf8")).version;
  } catch {
    return undefined;
  }
}

async function loadChecks() {
  const all = new Map();
  for (const name of MODULES) {
    const mod = await import(`./checks/${name}.mjs`);
    for (const [id, spec] of Object.entries(mod.checks)) {
      if (all.has(id)) throw new Error(`duplicate check id ${id}`);
      all.set(id, spec);
    }
  }
  return all;
}

function describe(error) {
  const name = error?.constructor?.name ?? typeof error;
  const text = `${name}: ${error?.message ?? String(error)}`.split(/\s+/).join(" ");
  return text.length <= 600 ? text : `${text.slice(0, 600)}…`;
}

async function runCheck(id, spec, target) {
  const versions = {};
  for (const name of spec.packages) {
    const version = packageVersion(name);
    if (version) versions[name] = version;
  }
  const base = { check: id, runtime: "node", versions, http_errors: [] };
  httpLog.take();
  await httpLog.takeExchanges(0);
  const started = performance.now();
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`still running after ${target.timeoutS} s`)), target.timeoutS * 1000);
  });
  let note;
  let error;
  try {
    note = await Promise.race([spec.run(target), timeout]);
  } catch (exc) {
    error = exc ?? new Error("rejected without a reason");
  } finally {
    clearTimeout(timer);
  }
  const duration_s = Math.round(performance.now() - started) / 1000;
  const expected = new Set(spec.expectStatus ?? []);
  const unexpected = httpLog.take().filter((e) => !expected.has(e.status));
  const exchanges = httpLog.capture ? await httpLog.takeExchanges() : [];
  if (exchanges.length) base.exchanges = exchanges;
  if (error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") {
    return { ...base, status: "unavailable", cause: "unavailable", reason: describe(error), duration_s };
  }
  if (error === undefined) {
    return { ...base, status: "pass", cause: null, reason: note ? String(note) : "", duration_s };
  }
  const reason = error instanceof CheckFailed ? error.message : describe(error);
  let cause = "exception";
  if (unexpected.length) cause = "server-http";
  else if (error instanceof TimeoutError) cause = "timeout";
  else if (isBadAnswer(error)) cause = "answer";
  return { ...base, status: "fail", cause, reason, http_errors: unexpected, duration_s };
}

class TimeoutError extends Error {}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        check: { type: "string", multiple: true },
        all: { type: "boolean" },
        list: { type: "boolean" },
        "base-url": { type: "string" },
        "api-key": { type: "string" },
        "wrong-key": { type: "string" },
        "openai-model": { type: "string" },
        "anthropic-model": { type: "string" },
        timeout: { type: "string", default: "60" },
        exchanges: { type: "boolean" },
        serve: { type: "boolean" },
      },
    }));
  } catch (exc) {
    usage(exc.message);
  }
  const checks = await loadChecks();
  if (values.list) {
    for (const [id, spec] of checks) process.stdout.write(`${JSON.stringify({ check: id, what: spec.what })}\n`);
    return 0;
  }
  if (!values.check && !values.all && !values.serve) usage("pick checks: --check ID (repeatable), --all, --serve or --list");
  const ids = values.all ? [...checks.keys()] : (values.check ?? []);
  const unknown = ids.filter((id) => !checks.has(id));
  if (unknown.length) usage(`unknown check id(s): ${unknown.join(", ")}`);
  const baseUrl = values["base-url"] ?? process.env.STRATUS_BASE_URL;
  const apiKey = values["api-key"] ?? process.env.STRATUS_API_KEY;
  if (!baseUrl || !apiKey) usage("a base URL and an API key are needed (--base-url/--api-key or STRATUS_*)");
  const target = {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey,
    wrongKey: values["wrong-key"] ?? DEFAULTS.wrongKey,
    openaiModel: values["openai-model"] ?? DEFAULTS.openaiModel,
    anthropicModel: values["anthropic-model"] ?? DEFAULTS.anthropicModel,
    timeoutS: Number(values.timeout),
  };
  target.openaiBase = `${target.baseUrl}/v1`;
  httpLog.capture = Boolean(values.exchanges);
  httpLog.install();
  // A client that leaves a promise rejected after its check ended must not take the other checks down.
  process.on("unhandledRejection", (reason) => process.stderr.write(`unhandled rejection: ${reason?.stack ?? reason}\n`));
  if (values.serve) {
    for await (const line of createInterface({ input: process.stdin })) {
      const id = line.trim();
      if (!id) continue;
      const result = checks.has(id)
        ? await runCheck(id, checks.get(id), target)
        : { check: id, runtime: "node", status: "fail", cause: "exception", reason: `unknown check id ${id}`, http_errors: [], versions: {} };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    return 0;
  }
  let failed = false;
  for (const id of ids) {
    const result = await runCheck(id, checks.get(id), target);
    failed ||= result.status !== "pass";
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (exc) => {
    process.stderr.write(`${exc?.stack ?? exc}\n`);
    process.exit(2);
  },
);
