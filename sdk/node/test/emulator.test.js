// The Node helper against the real binary ($IMAGINE_EMU_BINARY):  node --test test/emulator.test.js
// Imported by its package name (the package's own "exports" map), as a user's test would.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Emulator, EmulatorError, VERSION, bundledBinary, findBinary, listeningUrl, terminalSeen } from "imagine-emu";
import * as client from "./client.js";

const KEY = "sdk-test-key";

describe("starting, attaching, stopping", () => {
  test("starts on a free loopback port with a virtual clock and stops", async () => {
    const emu = await Emulator.start({ seed: 3 });
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await emu.clock()).mode, "virtual");
    assert.equal((await emu.health()).status, "ok");
    const child = emu._child;
    await emu.stop();
    assert.ok(child.exitCode !== null || child.signalCode !== null, "stop() ends the process");
    await assert.rejects((await Emulator.start({ url: emu.url })).health(),
      (e) => e instanceof EmulatorError && e.status === 0 && e.code === "unreachable");
  });

  test("flags and a config object reach the command line", async () => {
    const config = { accounts: { keys: { "seven-credits": { credits: 7 } } } };
    const emu = await Emulator.start({ clock: "real", flags: { timeScale: 10 }, config });
    try {
      const clock = await emu.clock();
      assert.deepEqual([clock.mode, clock.time_scale], ["real", 10]);
      assert.equal((await emu.key("seven-credits")).balance.remaining, 7);
      assert.ok(fs.existsSync(emu._tmpDir));
    } finally {
      const dir = emu._tmpDir;
      await emu.stop();
      assert.ok(!fs.existsSync(dir), "the temporary config is removed on stop");
    }
  });

  test("a bad flag fails to start with the emulator's message", async () => {
    await assert.rejects(Emulator.start({ clock: "sideways" }), (e) =>
      e instanceof EmulatorError && e.code === "start_failed" && /exited with status 2/.test(e.message) && /sideways/.test(e.message));
    await assert.rejects(Emulator.start({ colck: "real" }), /unknown option\(s\): colck/);
  });

  test("the source package bundles no binary, so PATH is next", () => {
    // The release's npm package carries bin/imagine-emu, found before PATH (tests/packaging/test-release).
    assert.equal(bundledBinary(), null);
    assert.equal(bundledBinary("imagine-conform"), null);
  });

  test("the binary is found from the argument, the environment or PATH", () => {
    const binary = process.env.IMAGINE_EMU_BINARY;
    const saved = { env: binary, path: process.env.PATH };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-emu-path-"));
    try {
      assert.equal(findBinary(binary), binary);
      assert.equal(findBinary(), binary);
      assert.throws(() => findBinary(path.join(dir, "nope")), /binary ".*nope" is not an executable file/);
      delete process.env.IMAGINE_EMU_BINARY;
      process.env.PATH = dir;
      assert.throws(() => findBinary(), /not on PATH/);
      fs.symlinkSync(binary, path.join(dir, "imagine-emu"));
      assert.equal(findBinary(), path.join(dir, "imagine-emu"));
    } finally {
      process.env.IMAGINE_EMU_BINARY = saved.env;
      process.env.PATH = saved.path;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the admin token is sent on every call", async () => {
    const emu = await Emulator.start({ adminToken: "s3cret" });
    try {
      assert.deepEqual(await emu.tasks(), []);
      await assert.rejects((await Emulator.start({ url: emu.url })).tasks(), (e) => e.status === 401);
    } finally {
      await emu.stop();
    }
  });

  test("the start-up line is read as text or JSON", () => {
    assert.equal(listeningUrl("imagine-emu 0.1.0 listening on http://127.0.0.1:4321 (public url http://x:1, clock virtual, seed 1)"),
      "http://127.0.0.1:4321");
    assert.equal(listeningUrl('{"msg":"listening","url":"http://127.0.0.1:99","public_url":"http://a:1"}'), "http://127.0.0.1:99");
    assert.equal(listeningUrl("seed 1"), null);
  });
});

describe("one emulator, reset before each test", () => {
  let emu;
  before(async () => { emu = await Emulator.start({ seed: 1 }); });
  after(async () => { await emu.stop(); });
  beforeEach(async () => { await emu.reset(); });

  test("attaching to a url sees the same emulator and does not stop it", async () => {
    const id = await client.createEvolink(emu.url, KEY);
    const attached = await Emulator.start({ url: emu.url + "/" });
    assert.equal(attached.url, emu.url);
    assert.equal((await attached.task(id)).id, id);
    await attached.stop();
    assert.equal((await emu.health()).status, "ok");
    await assert.rejects(Emulator.start({ url: emu.url, seed: 1 }), /url attaches to a running emulator; it takes no seed/);
    await assert.rejects(Emulator.start({ url: emu.url, clock: "real" }), /it takes no clock/);
  });

  test("assertCreated counts tasks and reset forgets one key or all", async () => {
    await client.createEvolink(emu.url, KEY);
    await client.createApikley(emu.url, KEY);
    await client.createEvolink(emu.url, "other-key");
    await emu.assertCreated(2, { key: KEY });
    await emu.assertCreated(1, { key: KEY, provider: "apikley" });
    await emu.assertCreated(3);
    await assert.rejects(emu.assertCreated(1, { key: KEY }),
      (e) => e instanceof assert.AssertionError && /expected 1 task\(s\) created for key=sdk-test-key, found 2/.test(e.message));
    assert.equal(await emu.reset(KEY), 2);
    await emu.assertCreated(0, { key: KEY });
    await emu.assertCreated(1);
    assert.equal(await emu.reset(), 1);
    await emu.assertCreated(0);
  });

  test("advance moves the virtual clock", async () => {
    const before = (await emu.clock()).now_ms;
    assert.equal((await emu.advance(10)).now_ms, before + 10_000);
    assert.equal((await emu.clock()).now_ms, before + 10_000);
  });

  test("waitUntilTerminal advances a virtual clock to the planned finish", async () => {
    const id = await client.createEvolink(emu.url, KEY);
    assert.equal((await emu.task(id)).state, "waiting");
    const task = await emu.waitUntilTerminal(id, { timeoutMs: 5000 });
    assert.equal(task.state, "succeeded");
    assert.deepEqual(task.history.map((h) => h.state), ["waiting", "queuing", "generating", "succeeded"]);
    assert.match(task.results[0], /\.mp4$/);
    assert.equal((await client.queryEvolink(emu.url, KEY, id)).status, "completed");
  });

  test("waitUntilTerminal gives up on a stuck task", async () => {
    const id = await client.createEvolink(emu.url, KEY, { "X-Emulator-Scenario": "stuck" });
    await assert.rejects(emu.waitUntilTerminal(id, { timeoutMs: 300 }), /still waiting after 300 ms \(no planned finish: stuck\?\)/);
  });

  test("complete, fail, advanceTask and cancel act on running tasks", async () => {
    const done = await client.createEvolink(emu.url, KEY);
    assert.equal((await emu.complete(done)).state, "succeeded");
    const failed = await client.createApikley(emu.url, KEY);
    const task = await emu.fail(failed, { code: "E42", message: "the GPU melted" });
    assert.equal(task.state, "failed");
    assert.deepEqual([task.failure.code, task.failure.message], ["E42", "the GPU melted"]);
    const record = (await client.queryApikley(emu.url, KEY, failed)).data;
    assert.deepEqual([record.state, record.failCode, record.failMsg], ["fail", "E42", "the GPU melted"]);
    const stepped = await client.createEvolink(emu.url, KEY);
    assert.equal((await emu.advanceTask(stepped)).state, "queuing");
    assert.equal((await emu.cancel(stepped)).state, "failed");
    assert.equal((await emu.task(stepped)).failure.reason, "request_cancelled");
    await assert.rejects(emu.complete(done), (e) => e.status === 409);
    await assert.rejects(emu.task("no-such-task"), (e) => e.status === 404 && e.code === "not_found");
  });

  test("scenario arms a rule for one key and the first n requests", async () => {
    const rule = await emu.scenario("maintenance", { key: KEY, times: 1, endpoint: "create" });
    assert.ok(rule.id >= 1);
    assert.deepEqual([rule.scenario, rule.times, rule.key], ["maintenance", 1, KEY]);
    const body = { model: "grok-imagine-text-to-video", prompt: "x" };
    assert.equal((await client.call(emu.url, "POST", "/v1/videos/generations", "other-key", body)).status, 200);
    assert.equal((await client.call(emu.url, "POST", "/v1/videos/generations", KEY, body)).status, 503);
    assert.equal((await client.call(emu.url, "POST", "/v1/videos/generations", KEY, body)).status, 200);
    await emu.assertCreated(1, { key: KEY });
  });

  test("other scenario options are the scenario's parameters", async () => {
    const rule = await emu.scenario("generation_failed", { key: KEY, fail_at: "queuing" });
    assert.equal(rule.scenario, "generation_failed;fail_at=queuing");
    const task = await emu.waitUntilTerminal(await client.createEvolink(emu.url, KEY));
    assert.equal(task.state, "failed");
    assert.deepEqual(task.history.map((h) => h.state), ["waiting", "queuing", "failed"]);
    assert.equal(await emu.clearScenarios(), 1);
    assert.deepEqual((await emu.scenarios()).rules, []);
  });

  test("setKey replaces the profile and the balance", async () => {
    const account = await emu.setKey(KEY, { credits: 5, user_group: "vip" });
    assert.deepEqual([account.profile.user_group, account.balance.remaining], ["vip", 5]);
    const r = await client.call(emu.url, "POST", "/api/v1/jobs/createTask", KEY, { model: "grok-imagine/text-to-video", input: { prompt: "x" } });
    assert.equal(r.json.code, 402);  // text-to-video costs 10
    await emu.assertCreated(0, { key: KEY });
    assert.equal((await emu.key(KEY)).balance.remaining, 5);
    await assert.rejects(emu.setKey(KEY, { credits: -1 }), (e) => e.status === 400);
  });

  test("journal filters and pages", async () => {
    const id = await client.createEvolink(emu.url, KEY);
    await client.createEvolink(emu.url, "other-key");
    for (let i = 0; i < 3; i++) await client.queryEvolink(emu.url, KEY, id);
    const requests = await emu.journal({ kind: "request", key: KEY });
    assert.deepEqual(requests.map((e) => e.operation), ["createVideoGeneration", "getTaskDetail", "getTaskDetail", "getTaskDetail"]);
    assert.ok(requests.every((e) => e.key === "…-key" && e.task_id === id));
    assert.deepEqual((await emu.journal({ kind: "state", taskId: id })).map((e) => e.state.state), ["waiting"]);
    assert.equal((await emu.journal({ limit: 2 })).length, 2);
    assert.deepEqual(await emu.journal({ since: requests[requests.length - 1].seq, key: KEY }), []);
  });

  test("callbacks lists the attempts of a task", async () => {
    const bodies = [];
    const receiver = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => { bodies.push(JSON.parse(Buffer.concat(chunks))); res.end("ok"); });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
      const id = await client.createApikley(emu.url, KEY, hook);
      const other = await client.createApikley(emu.url, KEY, hook);
      await emu.complete(id);
      await emu.complete(other);
      const deadline = Date.now() + 10_000;  // delivery runs on the emulator's worker threads
      while ((await emu.callbacks()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const attempts = await emu.callbacks(id);
      assert.deepEqual(attempts.map((a) => [a.task_id, a.url, a.outcome, a.status]), [[id, hook, "delivered", 200]]);
      assert.equal((await emu.callbacks()).length, 2);
      assert.ok(bodies.some((b) => b.data.taskId === id));
    } finally {
      receiver.close();
    }
  });

  test("assertNoQueryAfterTerminal", async () => {
    const id = await client.createApikley(emu.url, KEY);
    await client.queryApikley(emu.url, KEY, id);   // not finished: fine
    await emu.complete(id);
    await emu.assertNoQueryAfterTerminal(id);      // no query saw it yet
    await client.queryApikley(emu.url, KEY, id);   // sees success: the last query a client needs
    await emu.assertNoQueryAfterTerminal(id);
    await client.queryApikley(emu.url, KEY, id);   // one too many
    await assert.rejects(emu.assertNoQueryAfterTerminal(id),
      (e) => e instanceof assert.AssertionError && /^1 status query for task \w+ after seq \d+ saw it succeeded/.test(e.message));
    const evo = await client.createEvolink(emu.url, KEY);
    await emu.fail(evo);
    for (let i = 0; i < 3; i++) await client.queryEvolink(emu.url, KEY, evo);
    await assert.rejects(emu.assertNoQueryAfterTerminal(evo), /2 status queries .* saw it failed/);
  });

  test("the package version is the emulator's", async () => {
    let expected = process.env.IMAGINE_EMU_EXPECTED_VERSION;
    if (!expected) {  // run by hand in the repo: CMake's project(VERSION)
      const cmake = fs.readFileSync(new URL("../../../CMakeLists.txt", import.meta.url), "utf8");
      expected = /project\(imagine-emu VERSION ([0-9.]+)/.exec(cmake)[1];
    }
    assert.equal(VERSION, expected);
    assert.equal(await emu.version(), expected);
  });
});

test("terminalSeen reads both providers' answers", () => {
  const query = (provider, body, operation = "getTaskDetail") =>
    ({ kind: "request", operation, provider, response_body: JSON.stringify(body) });
  assert.equal(terminalSeen(query("apikley", { code: 200, data: { state: "success" } })), "succeeded");
  assert.equal(terminalSeen(query("apikley", { code: 200, data: { state: "generating" } })), null);
  assert.equal(terminalSeen(query("apikley", { code: 422, msg: "recordInfo is null", data: null })), null);
  assert.equal(terminalSeen(query("evolink", { status: "failed" })), "failed");
  assert.equal(terminalSeen(query("evolink", { status: "processing" })), null);
  assert.equal(terminalSeen(query("evolink", { status: "completed" }, "createVideoGeneration")), null);
});
