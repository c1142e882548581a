// Every call of docs/sdk.md's table, with each option it documents, against the real binary:
// one test per documented call, and one test that the table and this file list the same calls, so a
// call documented later without a test here fails (issue 24: Python's documented journal(path=...)
// raised a TypeError; Node's journal({path}) worked, and neither was tested that way).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { Emulator, EmulatorError } from "imagine-emu";
import * as client from "./client.js";

const DOC = new URL("../../../docs/sdk.md", import.meta.url);
const KEY = "documented-calls-key";
const XAI_BODY = { model: "grok-imagine-video", prompt: "a cat surfing" };
const EVOLINK_BODY = { model: "grok-imagine-text-to-video", prompt: "a cat surfing" };

async function stopped(url) {
  await assert.rejects((await Emulator.start({ url })).health(), (e) => e instanceof EmulatorError && e.status === 0);
}

const CALLS = {
  url: async (emu) => assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/),
  stop: async () => {
    const started = await Emulator.start({ seed: 2 });
    await started.stop();
    await stopped(started.url);
  },
  reset: async (emu) => {
    await client.createEvolink(emu.url, KEY);
    await client.createEvolink(emu.url, "other-key");
    assert.equal(await emu.reset(KEY), 1);
    assert.equal(await emu.reset(), 1);
  },
  clock: async (emu) => assert.equal((await emu.clock()).mode, "virtual"),
  advance: async (emu) => {
    const before = (await emu.clock()).now_ms;
    assert.equal((await emu.advance(2.5)).now_ms, before + 2500);
  },
  scenario: async (emu) => {
    const rule = await emu.scenario("slow", { key: KEY, times: 2, provider: "evolink", endpoint: "create",
      model: "grok-imagine-text-to-video", promptContains: "cat", factor: 3 });
    assert.deepEqual([rule.scenario, rule.key, rule.times, rule.provider, rule.endpoint, rule.model, rule.prompt_contains],
      ["slow;factor=3", KEY, 2, "evolink", "create", "grok-imagine-text-to-video", "cat"]);
    const timed = await emu.scenario("maintenance", { provider: "apikley", seconds: 30 });
    assert.deepEqual([timed.for_s, timed.remaining_s], [30, 30]);
  },
  clearScenarios: async (emu) => {
    await emu.scenario("maintenance", { key: KEY });
    assert.equal(await emu.clearScenarios(), 1);
  },
  setKey: async (emu) => {
    const account = await emu.setKey(KEY, { credits: 7, user_group: "vip" });
    assert.deepEqual([account.profile.credits, account.balance.remaining], [7, 7]);
  },
  key: async (emu) => {
    await emu.setKey(KEY, { credits: 9 });
    assert.equal((await emu.key(KEY)).balance.remaining, 9);
  },
  task: async (emu) => {
    const id = await client.createEvolink(emu.url, KEY);
    assert.equal((await emu.task(id)).id, id);
  },
  tasks: async (emu) => {
    const evo = await client.createEvolink(emu.url, KEY);
    await client.createApikley(emu.url, KEY);
    const found = await emu.tasks({ provider: "evolink", key: KEY, model: "grok-imagine-text-to-video", state: "waiting", limit: 10 });
    assert.deepEqual(found.map((t) => t.id), [evo]);
  },
  complete: async (emu) => assert.equal((await emu.complete(await client.createEvolink(emu.url, KEY))).state, "succeeded"),
  fail: async (emu) => {
    const task = await emu.fail(await client.createEvolink(emu.url, KEY), { code: "E1", message: "no" });
    assert.deepEqual([task.state, task.failure.code, task.failure.message], ["failed", "E1", "no"]);
  },
  advanceTask: async (emu) => assert.equal((await emu.advanceTask(await client.createEvolink(emu.url, KEY))).state, "queuing"),
  cancel: async (emu) => assert.equal((await emu.cancel(await client.createEvolink(emu.url, KEY))).failure.reason, "request_cancelled"),
  waitUntilTerminal: async (emu) => {
    const task = await emu.waitUntilTerminal(await client.createEvolink(emu.url, KEY), { timeoutMs: 30_000 });
    assert.equal(task.state, "succeeded");
  },
  journal: async (emu) => {
    const id = await client.createEvolink(emu.url, KEY);
    await client.queryEvolink(emu.url, KEY, id);
    const path = "/v1/tasks/" + id;
    const entries = await emu.journal({ kind: "request", path, key: KEY, taskId: id, status: 200, since: 0, limit: 10 });
    assert.deepEqual(entries.map((e) => e.path), [path]);
    assert.deepEqual((await emu.journal({ path: "/v1/*" })).map((e) => e.path), ["/v1/videos/generations", path]);
  },
  callbacks: async (emu) => {
    const id = await client.createApikley(emu.url, KEY, "http://127.0.0.1:9/hook");
    await emu.complete(id);
    const deadline = Date.now() + 60_000;  // delivery runs on the emulator's workers; the cap only ends a hang
    while ((await emu.callbacks(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual((await emu.callbacks(id)).map((a) => a.task_id), [id]);
    assert.ok((await emu.callbacks()).some((a) => a.task_id === id));
  },
  assertCreated: async (emu) => {
    await client.createEvolink(emu.url, KEY);
    await emu.assertCreated(1, { key: KEY });
    await assert.rejects(emu.assertCreated(2, { key: KEY }), assert.AssertionError);
  },
  assertNoQueryAfterTerminal: async (emu) => {
    const id = await client.createEvolink(emu.url, KEY);
    await emu.complete(id);
    await client.queryEvolink(emu.url, KEY, id);
    await emu.assertNoQueryAfterTerminal(id);
    // xAI's status queries too (getVideoGeneration, status done): a second query after "done" is caught.
    const xaiId = (await client.call(emu.baseUrl("xai"), "POST", "/videos/generations", KEY, XAI_BODY)).json.request_id;
    await emu.complete(xaiId);
    await client.call(emu.baseUrl("xai"), "GET", "/videos/" + xaiId, KEY);
    await emu.assertNoQueryAfterTerminal(xaiId);
    await client.call(emu.baseUrl("xai"), "GET", "/videos/" + xaiId, KEY);
    await assert.rejects(emu.assertNoQueryAfterTerminal(xaiId), assert.AssertionError);
  },
  outage: async (emu) => {
    const made = await emu.outage("evolink", { kind: "maintenance", seconds: 60, requests: 2 });
    assert.deepEqual([made.outage.provider, made.outage.kind, made.outage.remaining_s, made.outage.remaining_requests],
      ["evolink", "maintenance", 60, 2]);
    assert.equal(made.rules[0].outage, "maintenance");
    const down = await client.call(emu.baseUrl("evolink"), "POST", "/v1/videos/generations", KEY, EVOLINK_BODY);
    assert.deepEqual([down.status, down.json.error.code], [503, "service_unavailable"]);
    await client.createApikley(emu.url, KEY);  // the other providers work
    await emu.outage("xai", { kind: "failing" });
    // Listed before the wait below moves the virtual clock through an xAI task (36-54 s).
    assert.deepEqual((await emu.outages()).map((o) => o.provider), ["evolink", "xai"]);
    const created = await client.call(emu.baseUrl("xai"), "POST", "/videos/generations", KEY, XAI_BODY);
    assert.equal(created.status, 200);
    assert.equal((await emu.waitUntilTerminal(created.json.request_id)).state, "failed");
    await assert.rejects(emu.outage("acme"), (e) => e instanceof EmulatorError && e.status === 400 && e.code === "invalid_argument");
  },
  outages: async (emu) => {
    await emu.outage("apikley", { kind: "server_error", seconds: 30 });
    await emu.advance(10);
    const [listed] = await emu.outages();
    assert.deepEqual([listed.provider, listed.kind, listed.remaining_s], ["apikley", "server_error", 20]);
    await emu.advance(20);
    assert.deepEqual(await emu.outages(), []);
  },
  restore: async (emu) => {
    await emu.outage("apikley");
    await emu.outage("evolink", { kind: "rate_limited" });
    assert.equal(await emu.restore("apikley"), 1);
    assert.deepEqual((await emu.outages()).map((o) => o.provider), ["evolink"]);
    assert.equal(await emu.restore(), 1);
    assert.deepEqual(await emu.outages(), []);
  },
  baseUrl: async (emu) => {
    assert.equal(emu.baseUrl("xai"), emu.url + "/xai/v1");
    assert.equal(emu.baseUrl("apikley"), emu.url + "/apikley");
    const r = await client.call(emu.baseUrl("xai"), "POST", "/videos/generations", KEY, XAI_BODY);
    assert.ok(r.status === 200 && r.json.request_id);
    assert.throws(() => emu.baseUrl("acme"), TypeError);
  },
};

/** The call names in one column of docs/sdk.md's SDK table (0: Python, 1: Node). */
function documentedCalls(column) {
  const text = fs.readFileSync(DOC, "utf8");
  const start = text.indexOf("| Python (`Emulator(");
  assert.ok(start >= 0, "docs/sdk.md has the SDK table");
  const rows = text.slice(start).split("\n\n")[0].split("\n").slice(2);
  const names = new Set();
  for (const row of rows) {
    const cell = row.replace(/^\||\|$/g, "").split(" | ")[column];
    for (const m of cell.matchAll(/`(\w+)/g)) names.add(m[1]);
  }
  return names;
}

test("the table documents exactly the calls tested here", () => {
  assert.deepEqual([...documentedCalls(1)].sort(), Object.keys(CALLS).sort());
});

describe("documented calls", () => {
  let emu;
  before(async () => { emu = await Emulator.start({ seed: 1 }); });
  after(() => emu.stop());
  beforeEach(() => emu.reset());
  for (const [name, call] of Object.entries(CALLS)) test(name, () => call(emu));
});
