// imagine-emu for Node tests: start the emulator on a free loopback port (or attach to a running one)
// and drive its control API (/_emulator/). No dependencies; Node 18 or newer. Types: index.d.ts.
import assert from "node:assert";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

export const VERSION = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8")).version;
export const TERMINAL_STATES = Object.freeze(["succeeded", "failed"]);

const RULE_FIELDS = ["key", "times", "provider", "endpoint", "model", "promptContains", "seconds"];
/** Each provider's own base URL on the emulator (what a client's base URL takes as is). */
export const PROVIDER_BASES = Object.freeze({ apikley: "/apikley", evolink: "/evolink", xai: "/xai/v1" });
// The operations of the providers' status queries (Apikley and Evolink: getTaskDetail; xAI: getVideoGeneration).
const QUERY_OPERATIONS = ["getTaskDetail", "getVideoGeneration"];
const LISTENING = /listening on (https?:\/\/[^\s"]+)/;
const agentOptions = { keepAlive: false };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

/** An error answer of the control API (status 0: the emulator could not be reached or started). */
export class EmulatorError extends Error {
  constructor(status, code, message, where = "") {
    super((where ? where + ": " : "") + status + " " + code + ": " + message);
    this.name = "EmulatorError";
    this.status = status;
    this.code = code;
    this.detail = message;
  }
}

function isFile(p) {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

function onPath(name) {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try { fs.accessSync(candidate, fs.constants.X_OK); if (isFile(candidate)) return candidate; } catch { /* next */ }
  }
  return null;
}

/** The binary this package carries (bin/NAME beside index.js in the release's npm package), or null. */
export function bundledBinary(name = "imagine-emu") {
  const candidate = path.join(path.dirname(fileURLToPath(import.meta.url)), "bin", name);
  try { fs.accessSync(candidate, fs.constants.X_OK); return isFile(candidate) ? candidate : null; } catch { return null; }
}

/** The emulator to run: `binary`, else $IMAGINE_EMU_BINARY, else the bundled one, else `imagine-emu` on PATH. */
export function findBinary(binary) {
  for (const [candidate, origin] of [[binary, "binary"], [process.env.IMAGINE_EMU_BINARY, "IMAGINE_EMU_BINARY"]]) {
    if (!candidate) continue;
    const found = candidate.includes("/") ? (isFile(candidate) ? candidate : null) : onPath(candidate);
    if (!found) throw new Error(`${origin} ${JSON.stringify(candidate)} is not an executable file`);
    return found;
  }
  const found = bundledBinary() ?? onPath("imagine-emu");
  if (!found) throw new Error("imagine-emu is not on PATH: pass {binary} or set IMAGINE_EMU_BINARY");
  return found;
}

/** The base URL in the start-up line: text ("... listening on http://127.0.0.1:PORT (...)") or JSON. */
export function listeningUrl(line) {
  if (line.startsWith("{")) {
    let obj = null;
    try { obj = JSON.parse(line); } catch { /* not JSON after all */ }
    if (obj && typeof obj === "object") {
      for (const k of ["url", "listening", "listen_url", "address"]) {
        if (typeof obj[k] === "string" && obj[k].startsWith("http")) return obj[k];
      }
      const m = LISTENING.exec(String(obj.msg || obj.message || ""));
      return m ? m[1] : null;
    }
  }
  const m = LISTENING.exec(line);
  return m ? m[1] : null;
}

/** The terminal state a status query's journaled answer showed ("succeeded"/"failed"), or null. */
export function terminalSeen(entry) {
  if (entry.kind !== "request" || !QUERY_OPERATIONS.includes(entry.operation)) return null;
  let body;
  try { body = JSON.parse(entry.response_body || ""); } catch { return null; }
  if (!body || typeof body !== "object") return null;
  if (entry.provider === "apikley") {
    const state = body.code === 200 && body.data && typeof body.data === "object" ? body.data.state : null;
    return { success: "succeeded", fail: "failed" }[state] || null;
  }
  if (entry.provider === "xai") return { done: "succeeded", failed: "failed", expired: "failed" }[body.status] || null;
  return { completed: "succeeded", failed: "failed" }[body.status] || null;
}

/** "slow" + {factor: 3} -> "slow;factor=3"; an array value is joined with commas. */
function scenarioSpec(name, params) {
  return [name, ...Object.entries(params).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`)].join(";");
}

/** {timeScale: 10, selfCheck: true} -> ["--time-scale", "10", "--self-check"]. */
function flagArgs(flags) {
  const args = [];
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || value === null || value === false) continue;
    const option = "--" + name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()).replace(/_/g, "-");
    if (value === true) args.push(option);
    else args.push(option, String(value));
  }
  return args;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Emulator {
  /**
   * Starts an emulator, or attaches to `url`. Options: binary, url, clock ("virtual" by default), seed,
   * config (a file name or an object, written to a temporary JSON file, which YAML reads), adminToken
   * (also sent on every call), args (extra command-line arguments), flags (more flags by name, e.g.
   * {timeScale: 10, selfCheck: true}), env, startupTimeoutMs (10 000).
   */
  static async start(options = {}) {
    const { binary, url, clock = "virtual", seed, config, adminToken, args = [], flags = {}, env,
            startupTimeoutMs = 10_000, ...unknown } = options;
    if (Object.keys(unknown).length) throw new TypeError("unknown option(s): " + Object.keys(unknown).join(", "));
    const emu = new Emulator(adminToken);
    if (url) {
      const extra = Object.keys(options).filter((k) => !["url", "adminToken"].includes(k) && options[k] !== undefined);
      if (extra.length) throw new TypeError("url attaches to a running emulator; it takes no " + extra.join(", "));
      emu.url = url.replace(/\/+$/, "");
      return emu;
    }
    let configFile = config;
    if (config && typeof config === "object") {
      emu._tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-emu-"));
      configFile = path.join(emu._tmpDir, "config.yaml");
      fs.writeFileSync(configFile, JSON.stringify(config));
    }
    const command = findBinary(binary);
    const argv = [...flagArgs({ host: "127.0.0.1", port: 0, clock, seed, config: configFile, adminToken, ...flags }), ...args];
    try {
      emu.url = await emu._spawn(command, argv, env, startupTimeoutMs);
    } catch (e) {
      await emu.stop();
      throw e;
    }
    return emu;
  }

  constructor(adminToken) {
    this.url = null;
    this._token = adminToken || null;
    this._child = null;
    this._stderr = [];
    this._virtual = null;
    this._tmpDir = null;
    this._onExit = null;
  }

  _spawn(command, argv, env, startupTimeoutMs) {
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : process.env });
      this._child = child;
      this._onExit = () => { try { child.kill("SIGKILL"); } catch { /* gone */ } };
      process.once("exit", this._onExit);
      const fail = (why) => reject(new EmulatorError(0, "start_failed",
        `${command} ${argv.join(" ")} ${why}: ${this.stderrTail() || "(no output on stderr)"}`));
      const timer = setTimeout(() => fail(`did not listen within ${startupTimeoutMs} ms`), startupTimeoutMs);
      child.on("error", (e) => { clearTimeout(timer); fail("could not start (" + e.message + ")"); });
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (d) => {
        this._stderr.push(...d.split("\n").filter(Boolean));
        if (this._stderr.length > 200) this._stderr.splice(0, this._stderr.length - 200);
      });
      let found = false;
      readline.createInterface({ input: child.stdout }).on("line", (line) => {
        if (found) return;
        const url = listeningUrl(line.trim());
        if (url) { found = true; clearTimeout(timer); resolve(url.replace(/\/+$/, "")); }
      });
      child.once("close", (code, signal) => {  // exited, and its stdout and stderr are read to the end
        if (found) return;
        clearTimeout(timer);
        fail(`exited with ${signal ? "signal " + signal : "status " + code}`);
      });
    });
  }

  /** The emulator's last lines on stderr (its request log), when this object started it. */
  stderrTail(lines = 20) { return this._stderr.slice(-lines).join("\n"); }

  /** Stops the emulator this object started (SIGTERM, then SIGKILL after 5 s); attached: nothing. */
  async stop() {
    const child = this._child;
    this._child = null;
    if (this._onExit) { process.removeListener("exit", this._onExit); this._onExit = null; }
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (this._tmpDir) { fs.rmSync(this._tmpDir, { recursive: true, force: true }); this._tmpDir = null; }
  }

  /** One control-API call; resolves with the decoded JSON. POST and PUT always send a body ({} by default). */
  request(method, p, body, query = {}) {
    const url = new URL(this.url + p);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const headers = { Accept: "application/json" };
    let data = null;
    if (method === "POST" || method === "PUT" || body !== undefined) {
      data = Buffer.from(JSON.stringify(body === undefined ? {} : body));
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(data.length);
    }
    if (this._token) headers.Authorization = "Bearer " + this._token;
    const where = method + " " + p;
    return new Promise((resolve, reject) => {
      const lib = url.protocol === "https:" ? https : http;
      const req = lib.request(url, { method, headers, agent: agents[url.protocol] }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
          if (res.statusCode >= 200 && res.statusCode < 300) return resolve(json);
          const err = json && json.error;
          if (err && typeof err === "object") reject(new EmulatorError(res.statusCode, err.code || "", err.message || "", where));
          else reject(new EmulatorError(res.statusCode, "http_error", typeof err === "string" ? err : text.slice(0, 200), where));
        });
        res.on("error", (e) => reject(new EmulatorError(0, "unreachable", e.message, where)));
      });
      req.on("error", (e) => reject(new EmulatorError(0, "unreachable", e.message, where)));
      req.end(data);
    });
  }

  _taskPath(id, action) { return "/_emulator/tasks/" + encodeURIComponent(id) + (action ? "/" + action : ""); }

  // ---- emulator -------------------------------------------------------------------------------------
  health() { return this.request("GET", "/_emulator/health"); }
  /** The running emulator's version string. */
  async version() { return (await this.request("GET", "/_emulator/version")).version; }
  /** Forgets everything, or one key's tasks, usage and journal; resolves with the number of tasks removed. */
  async reset(key) { return (await this.request("POST", "/_emulator/reset", key === undefined ? {} : { key })).removed_tasks; }
  clock() { return this.request("GET", "/_emulator/clock"); }
  /** Moves a virtual clock forward; resolves with clock(). */
  advance(seconds) { return this.request("POST", "/_emulator/clock", { advance_seconds: seconds }); }
  async isVirtual() {
    if (this._virtual === null) this._virtual = (await this.clock()).mode === "virtual";
    return this._virtual;
  }

  // ---- scenarios and keys ---------------------------------------------------------------------------
  /**
   * Arms a scenario with a run-time rule: scenario("maintenance", {key: "k", times: 2}). key, times, provider,
   * endpoint, model and promptContains narrow the rule, seconds bounds it in time (it lapses then); every other option is a scenario parameter
   * (scenario("generation_failed", {fail_at: "queuing"})). Resolves with the rule and its id.
   */
  scenario(name, options = {}) {
    const params = { ...options };
    const rule = {};
    for (const f of RULE_FIELDS) {
      if (params[f] !== undefined) rule[{ promptContains: "prompt_contains", seconds: "for_s" }[f] || f] = params[f];
      delete params[f];
    }
    return this.request("POST", "/_emulator/scenarios/rules", { scenario: scenarioSpec(name, params), ...rule });
  }
  /** Removes every scenario rule; resolves with how many. */
  async clearScenarios() { return (await this.request("DELETE", "/_emulator/scenarios/rules")).removed; }
  scenarios() { return this.request("GET", "/_emulator/scenarios"); }

  // ---- outages --------------------------------------------------------------------------------------
  /** A provider's own base URL: apikley -> <url>/apikley, evolink -> <url>/evolink, xai -> <url>/xai/v1. */
  baseUrl(provider) {
    if (!Object.hasOwn(PROVIDER_BASES, provider)) {
      throw new TypeError(`provider must be one of ${Object.keys(PROVIDER_BASES).join(", ")} (got ${JSON.stringify(provider)})`);
    }
    return this.url + PROVIDER_BASES[provider];
  }
  /**
   * Takes one provider down while the others work: outage("evolink", {seconds: 60}). kind is maintenance
   * (default), server_error or rate_limited (every create and status query answers that error in the
   * provider's own words) or failing (creates are accepted, their tasks fail while generating). It ends after
   * seconds on the emulator's clock and/or requests requests, else at restore(); it replaces the provider's
   * earlier outage. Resolves with {outage, rules: [the scenario rule it made]}.
   */
  outage(provider, { kind = "maintenance", seconds, requests } = {}) {
    const body = { provider, kind };
    if (seconds !== undefined && seconds !== null) body.for_s = seconds;
    if (requests !== undefined && requests !== null) body.times = requests;
    return this.request("POST", "/_emulator/outages", body);
  }
  /** The active outages: [{provider, kind, rule, scenario, remaining_s?, remaining_requests?, ...}]. */
  async outages() { return (await this.request("GET", "/_emulator/outages")).outages; }
  /** Ends one provider's outage, or every provider's; resolves with how many were ended. */
  async restore(provider) {
    const path = "/_emulator/outages" + (provider === undefined ? "" : "/" + encodeURIComponent(provider));
    return (await this.request("DELETE", path)).removed;
  }

  /** Replaces a key's profile (credits, revoked, allowed_models, user_group, ...) and resets its balance. */
  setKey(key, profile = {}) { return this.request("PUT", "/_emulator/keys/" + encodeURIComponent(key), profile); }
  /** {key, profile, balance: {remaining, used}}. */
  key(key) { return this.request("GET", "/_emulator/keys/" + encodeURIComponent(key)); }

  // ---- tasks ----------------------------------------------------------------------------------------
  task(id) { return this.request("GET", this._taskPath(id)); }
  /** Task summaries; filters: provider, key (the full API key), model, state, limit (1000). */
  async tasks(filters = {}) {
    return (await this.request("GET", "/_emulator/tasks", undefined, { limit: 1000, ...filters })).tasks;
  }
  complete(id) { return this.request("POST", this._taskPath(id, "complete")); }
  /** Ends the task now with a failure; {code, message} override the provider's words, reason is neutral. */
  fail(id, { code, message, reason } = {}) {
    const body = {};
    if (reason !== undefined) body.reason = reason;
    if (code !== undefined) body.code = code;
    if (message !== undefined) body.message = message;
    return this.request("POST", this._taskPath(id, "fail"), body);
  }
  advanceTask(id) { return this.request("POST", this._taskPath(id, "advance")); }
  cancel(id) { return this.request("POST", this._taskPath(id, "cancel")); }

  /**
   * Resolves with task() once it has succeeded or failed. On a virtual clock (unless advance: false) it
   * moves the clock to the task's planned finish; otherwise it polls. Rejects after timeoutMs (30 000,
   * real time) if the task is still running (stuck, or a clock nobody moves).
   */
  async waitUntilTerminal(id, { timeoutMs = 30_000, advance = true } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.task(id);
      if (TERMINAL_STATES.includes(task.state)) return task;
      if (advance && task.finished_ms !== null && await this.isVirtual()) {
        const now = (await this.clock()).now_ms;
        await this.advance(Math.max(task.finished_ms - now, 1) / 1000);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new Error(`task ${id} is still ${task.state} after ${timeoutMs} ms` +
          (task.finished_ms === null ? " (no planned finish: stuck?)" : ""));
      }
      await sleep(50);
    }
  }

  // ---- journal and callbacks ------------------------------------------------------------------------
  /**
   * Journal entries, oldest first. Filters: kind, path (exact, or a prefix ending in *), key (the full API
   * key), taskId (or task_id), status, since (a seq cursor), limit. Without limit it pages through all.
   */
  async journal(filters = {}) {
    const query = {};
    for (const [k, v] of Object.entries(filters)) query[k === "taskId" ? "task_id" : k] = v;
    if (query.limit !== undefined) return (await this.request("GET", "/_emulator/journal", undefined, query)).entries;
    const entries = [];
    const page = 1000;
    for (;;) {
      const r = await this.request("GET", "/_emulator/journal", undefined, { ...query, limit: page });
      entries.push(...r.entries);
      if (r.entries.length < page) return entries;
      query.since = r.next_cursor;
    }
  }
  /** Callback attempts (headers, body, status, outcome, ...), oldest first. */
  async callbacks(taskId) {
    return (await this.request("GET", "/_emulator/callbacks", undefined, { task_id: taskId })).attempts;
  }

  // ---- assertions -----------------------------------------------------------------------------------
  /** Rejects with an assert.AssertionError unless exactly n tasks exist for these filters since the last reset. */
  async assertCreated(n, filters = {}) {
    const tasks = await this.tasks(filters);
    if (tasks.length !== n) {
      const which = Object.entries(filters).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(", ");
      const listed = tasks.slice(0, 10).map((t) => `${t.id} ${t.model} ${t.state}`).join("; ");
      throw assertion(`expected ${n} task(s) created${which ? " for " + which : ""}, found ${tasks.length}` +
        (listed ? ": " + listed : ""));
    }
  }
  /**
   * Rejects if a status query for the task came after the first one whose answer showed it succeeded or
   * failed (the conformance suite's no_query_after_terminal). Holds when no query saw it.
   */
  async assertNoQueryAfterTerminal(id) {
    const queries = (await this.journal({ kind: "request", task_id: id })).filter((e) => QUERY_OPERATIONS.includes(e.operation));
    const i = queries.findIndex((e) => terminalSeen(e));
    if (i < 0) return;
    const after = queries.slice(i + 1);
    if (after.length) {
      throw assertion(`${after.length} status quer${after.length === 1 ? "y" : "ies"} for task ${id} after seq ` +
        `${queries[i].seq} saw it ${terminalSeen(queries[i])} (first: seq ${after[0].seq} ${after[0].method} ${after[0].path})`);
    }
  }
}

const assertion = (message) => new assert.AssertionError({ message });

export default Emulator;
