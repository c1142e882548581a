// Real-browser test of the dashboard (GET /_emulator/ui) in Debian's headless Chromium via playwright-core.
//
//   node tests/ui/dashboard_test.mjs <path to imagine-emu> [screenshot.png]
//
// Starts the emulator on a free port with a virtual clock, creates one Evolink and one Apikley task over
// HTTP, then drives the page: both rows appear, "complete" and "fail" end them, "+10 s" moves the clock.
// Prints one "ok - ..." / "not ok - ..." line per assertion and exits non-zero if any failed (hard limit
// 60 s). With no /usr/bin/chromium it skips (exit 0) unless IMAGINE_UI_TEST_REQUIRED=1.
import { spawn } from "node:child_process";
import nodeHttp from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

const CHROMIUM = "/usr/bin/chromium";
const HARD_LIMIT_MS = 60_000;
const STEP_MS = 5_000;  // how long the page may take to show a change (it polls once a second)
const KEY = "ui-test-key";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const binary = process.argv[2];
const screenshot = process.argv[3] || "";
let passed = 0, failed = 0;
let emulator = null, context = null, profileDir = null, emulatorStderr = "";

function check(cond, what, detail) {
  if (cond) { passed++; console.log("ok - " + what); }
  else { failed++; console.log("not ok - " + what + (detail ? " (" + detail + ")" : "")); }
  return cond;
}

async function cleanup() {
  if (context) { await context.close().catch(() => {}); context = null; }
  if (profileDir) { fs.rmSync(profileDir, { recursive: true, force: true }); profileDir = null; }
  if (emulator && emulator.exitCode === null && emulator.signalCode === null) {
    const exited = new Promise((r) => emulator.once("exit", r));
    emulator.kill("SIGTERM");
    const t = setTimeout(() => emulator.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(t);
  }
}

async function finish(code) {
  await cleanup();
  if (failed > 0 && emulatorStderr) console.log("# emulator stderr:\n# " + emulatorStderr.trim().split("\n").slice(-20).join("\n# "));
  console.log(`dashboard: ${passed} passed, ${failed} failed`);
  process.exit(code !== undefined ? code : failed > 0 || passed === 0 ? 1 : 0);
}

// Starts the emulator and resolves with its base URL, read from "listening on http://127.0.0.1:PORT".
function startEmulator() {
  return new Promise((resolve, reject) => {
    emulator = spawn(binary, ["--port", "0", "--clock", "virtual", "--seed", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    emulator.on("error", reject);
    emulator.stderr.on("data", (d) => { emulatorStderr = (emulatorStderr + d).slice(-8000); });
    emulator.on("exit", (code, sig) => reject(new Error(`the emulator exited (${sig || code}) before listening: ${emulatorStderr.trim()}`)));
    const lines = readline.createInterface({ input: emulator.stdout });
    let found = false;
    lines.on("line", (line) => {
      if (found) return;
      const m = line.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { found = true; resolve(m[1].replace(/\/$/, "")); }
    });
  });
}

async function http(base, method, p, body, key = KEY) {
  const headers = { Authorization: "Bearer " + key };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* left null */ }
  return { status: res.status, json, text };
}

// Polls fn() until it returns a truthy value or ms pass; resolves with the last value.
async function eventually(fn, ms = STEP_MS) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; }
    if (last || Date.now() >= end) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  if (!binary) { console.error("usage: node dashboard_test.mjs <imagine-emu binary> [screenshot.png]"); process.exit(2); }
  if (!fs.existsSync(CHROMIUM)) {
    if (process.env.IMAGINE_UI_TEST_REQUIRED !== "1") {
      console.log(`skip - ${CHROMIUM} is missing (apt-get install chromium); set IMAGINE_UI_TEST_REQUIRED=1 to fail instead`);
      process.exit(0);
    }
    check(false, CHROMIUM + " is installed", "IMAGINE_UI_TEST_REQUIRED=1");
    return finish();
  }
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (e) {
    check(false, "playwright-core is installed", "run npm ci in tests/ui: " + e.message);
    return finish();
  }

  const base = await startEmulator();
  check(true, "the emulator listens at " + base);

  // One task per provider, over plain HTTP with the same key.
  const evo = await http(base, "POST", "/v1/videos/generations", { model: "grok-imagine-text-to-video", prompt: "a cat surfing" });
  const evoId = evo.json && evo.json.id;
  check(evo.status === 200 && evoId, "created an Evolink task " + evoId, evo.status + " " + evo.text.slice(0, 200));
  const apk = await http(base, "POST", "/api/v1/jobs/createTask", { model: "grok-imagine/text-to-video", input: { prompt: "a dog skiing" } });
  const apkId = apk.json && apk.json.data && apk.json.data.taskId;
  check(apk.status === 200 && apk.json.code === 200 && apkId, "created an Apikley task " + apkId, apk.status + " " + apk.text.slice(0, 200));
  if (!evoId || !apkId) return finish();

  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-ui-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [], foreign = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("request", (r) => { if (!r.url().startsWith(base + "/_emulator/")) foreign.push(r.url()); });

  const nav = await page.goto(base + "/_emulator/ui");
  check(nav && nav.status() === 200, "GET /_emulator/ui answers 200", nav ? String(nav.status()) : "no response");

  const row = (id) => page.locator(`tr[data-task-id="${id}"]`);
  const stateOf = async (id) => ((await row(id).locator('[data-field="state"]').textContent({ timeout: 500 })) || "").trim();

  for (const [name, id] of [["Evolink", evoId], ["Apikley", apkId]]) {
    const s = await eventually(async () => { const v = await stateOf(id); return /^(waiting|queuing)$/.test(v) && v; });
    check(s, `the ${name} task's row shows state waiting or queuing`, "state " + JSON.stringify(await stateOf(id).catch(() => "(no row)")));
  }

  await row(evoId).locator('button[data-action="complete"]').click({ timeout: STEP_MS });
  const done = await eventually(async () => (await stateOf(evoId)) === "succeeded");
  check(done, "\"complete\" on the Evolink row shows succeeded within 5 s", "state " + JSON.stringify(await stateOf(evoId).catch(() => "?")));
  const evoAfter = await http(base, "GET", "/v1/tasks/" + encodeURIComponent(evoId));
  check(evoAfter.status === 200 && evoAfter.json.status === "completed", "GET /v1/tasks/{id} says completed",
    evoAfter.status + " " + evoAfter.text.slice(0, 200));
  check(await row(evoId).locator("button[data-action]").count() === 0, "a finished row has no action buttons");

  await row(apkId).locator('button[data-action="fail"]').click({ timeout: STEP_MS });
  const fail = await eventually(async () => (await stateOf(apkId)) === "failed");
  check(fail, "\"fail\" on the Apikley row shows failed within 5 s", "state " + JSON.stringify(await stateOf(apkId).catch(() => "?")));
  const apkAfter = await http(base, "GET", "/api/v1/jobs/recordInfo?taskId=" + encodeURIComponent(apkId));
  check(apkAfter.json && apkAfter.json.data && apkAfter.json.data.state === "fail", "recordInfo says fail",
    apkAfter.status + " " + apkAfter.text.slice(0, 200));

  const clockNow = page.locator('[data-field="clock-now"]');
  const before = await eventually(async () => { const t = (await clockNow.textContent()).trim(); return /^\d{4}-/.test(t) && t; });
  await page.locator('button[data-action="advance"][data-seconds="10"]').click({ timeout: STEP_MS });
  const after = await eventually(async () => { const t = (await clockNow.textContent()).trim(); return t !== before && t; });
  check(after && Date.parse(after) - Date.parse(before) === 10_000, "\"+10 s\" moves the clock display by 10 s",
    `${before} -> ${after}`);

  const journalRows = await eventually(async () => (await page.locator("#journal tbody tr").count()) >= 2 && true);
  check(journalRows, "the journal pane shows entries");

  if (screenshot) {
    await decorateForScreenshot(base, page);
    await page.screenshot({ path: screenshot, fullPage: true });
    check(fs.existsSync(screenshot), "saved a screenshot to " + screenshot);
  }

  check(pageErrors.length === 0, "the page raised no script errors", pageErrors.join("; "));
  check(foreign.length === 0, "the page fetched only same-origin /_emulator/* URLs", foreign.slice(0, 3).join(" "));
  return finish();
}

// Extra tasks in other states, and a callback to a local receiver whose first attempt a fault fails, so
// the screenshot shows a busy emulator; not assertions. All traffic stays on 127.0.0.1.
async function decorateForScreenshot(base, page) {
  const receiver = nodeHttp.createServer((req, res) => { req.resume(); req.on("end", () => res.end("ok")); });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  try {
    const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
    await http(base, "PUT", "/_emulator/keys/hooks-key", { callback_faults: "fail_first=1" });
    for (const key of ["hooks-key", "demo-key"]) {
      const cb = await http(base, "POST", "/api/v1/jobs/createTask",
        { model: "grok-imagine/text-to-video", callBackUrl: hook, input: { prompt: "a paper boat" } }, key);
      const cbId = cb.json && cb.json.data && cb.json.data.taskId;
      if (cbId) await http(base, "POST", `/_emulator/tasks/${cbId}/complete`, {});
    }
    await eventually(async () => {  // both sent, no retry pending
      const a = (await http(base, "GET", "/_emulator/callbacks")).json.attempts;
      return a.length >= 2 && !a.some((x) => x.will_retry);
    }, 3000);
  } finally {
    receiver.close();
  }
  const created = [];
  for (const [p, body, scenario] of [
    ["/v1/videos/generations", { model: "grok-imagine-text-to-video", prompt: "waves at dusk" }, "slow;factor=2"],
    ["/api/v1/jobs/createTask", { model: "grok-imagine/text-to-image", input: { prompt: "a red fox" } }, ""],
    ["/v1/videos/generations", { model: "grok-imagine-text-to-video", prompt: "city timelapse" }, ""],
  ]) {
    const headers = { Authorization: "Bearer demo-key", "Content-Type": "application/json" };
    if (scenario) headers["X-Emulator-Scenario"] = scenario;
    const r = await fetch(base + p, { method: "POST", headers, body: JSON.stringify(body) }).then((x) => x.json()).catch(() => null);
    if (r) created.push(r.id || (r.data && r.data.taskId));
  }
  const advance = (id) => fetch(`${base}/_emulator/tasks/${encodeURIComponent(id)}/advance`, { method: "POST", body: "{}",
    headers: { "Content-Type": "application/json" } }).catch(() => {});
  if (created[0]) { await advance(created[0]); await advance(created[0]); }  // generating
  if (created[1]) { await advance(created[1]); }                             // queuing
  await http(base, "GET", "/v1/tasks/" + created[2], undefined, "demo-key");
  await eventually(async () => (await page.locator("#tasks tbody tr").count()) >= 5);
  await page.waitForTimeout(1500);  // one more poll for the journal and progress bars
}

const hardLimit = setTimeout(() => {
  check(false, `the test finished within ${HARD_LIMIT_MS / 1000} s`);
  setTimeout(() => process.exit(1), 5000).unref();  // even if closing the browser hangs
  finish(1);
}, HARD_LIMIT_MS);

main().catch((e) => {
  const text = (e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e)).replace(/\x1b\[[0-9;]*m/g, "");
  check(false, "the test ran to its end", text);
  return finish(1);
}).finally(() => clearTimeout(hardLimit));
