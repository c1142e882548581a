// Real-browser test of the dashboard (GET /_emulator/ui) in Debian's headless Chromium via playwright-core.
//
//   node tests/ui/dashboard_test.mjs <path to imagine-emu> [screenshot folder, or a .png path]
//
// Starts the emulator on a free port with a virtual clock, creates tasks over HTTP with ready keys, an
// unlisted key and a callback to a local receiver, then drives every part of the page at 1280 px: keys told
// apart, row actions that fit, the filters, the task detail pane (history, request, results, callback
// attempts, advance / complete / fail / cancel), the clock, journal rows that open, the export and OpenAPI
// links, reset (one key, all), arming a scenario, outages (take down, restore) and editing a key, each checked
// against the control API.
// With a folder it saves dashboard.png, dashboard-detail.png and dashboard-steer.png there (a .png path
// names the first; the others go beside it). Prints one "ok - ..." / "not ok - ..." line per assertion
// and exits non-zero if any failed (hard limit 400 s). With no /usr/bin/chromium it skips (exit 77) unless
// IMAGINE_UI_TEST_REQUIRED=1.
import nodeHttp from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Emulator } from "../../sdk/node/index.js";  // the repo's own Node helper starts and drives it

const CHROMIUM = "/usr/bin/chromium";
const HARD_LIMIT_MS = 400_000;  // ends a hung run; CTest allows 600 s
const STEP_MS = 30_000;  // the most the page may take to show a change (it polls once a second): a hang, not slowness, fails
const WIDTH = 1280;
const KEY = "ui-test-key";  // unlisted: the server labels it (not secret-looking); the page learns it when typed
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const binary = process.argv[2];
const shotArg = process.argv[3] || "";
const shots = !shotArg ? null : shotArg.endsWith(".png")
  ? { dir: path.dirname(shotArg), main: path.basename(shotArg) } : { dir: shotArg, main: "dashboard.png" };
let passed = 0, failed = 0;
let emu = null, context = null, profileDir = null, receiver = null, slowReceiver = null;

function check(cond, what, detail) {
  if (cond) { passed++; console.log("ok - " + what); }
  else { failed++; console.log("not ok - " + what + (detail ? " (" + detail + ")" : "")); }
  return cond;
}

async function cleanup() {
  if (context) { await context.close().catch(() => {}); context = null; }
  if (profileDir) { fs.rmSync(profileDir, { recursive: true, force: true }); profileDir = null; }
  if (receiver) { receiver.close(); receiver = null; }
  if (slowReceiver) { slowReceiver.closeAllConnections(); slowReceiver.close(); slowReceiver = null; }
  if (emu) { await emu.stop(); }
}

async function finish(code) {
  await cleanup();
  const stderr = emu ? emu.stderrTail(20) : "";
  if (failed > 0 && stderr) console.log("# emulator stderr:\n# " + stderr.split("\n").join("\n# "));
  console.log(`dashboard: ${passed} passed, ${failed} failed`);
  process.exit(code !== undefined ? code : failed > 0 || passed === 0 ? 1 : 0);
}

async function http(base, method, p, body, key = KEY, headers = {}) {
  const h = { Authorization: "Bearer " + key, ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  const res = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
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

const evolinkBody = (prompt) => ({ model: "grok-imagine-text-to-video", prompt });
const apikleyBody = (prompt, extra = {}) => ({ model: "grok-imagine/text-to-video", input: { prompt }, ...extra });
async function createEvolink(base, key, prompt, headers) {
  const r = await http(base, "POST", "/v1/videos/generations", evolinkBody(prompt), key, headers);
  check(r.status === 200 && r.json && r.json.id, `created an Evolink task with ${key}`, r.status + " " + r.text.slice(0, 200));
  return r.json && r.json.id;
}
async function createApikley(base, key, body) {
  const r = await http(base, "POST", "/api/v1/jobs/createTask", body, key);
  const id = r.json && r.json.data && r.json.data.taskId;
  check(r.status === 200 && id, `created an Apikley ${body.model} task with ${key}`, r.status + " " + r.text.slice(0, 200));
  return id;
}

async function main() {
  if (!binary) { console.error("usage: node dashboard_test.mjs <imagine-emu binary> [screenshot folder or .png]"); process.exit(2); }
  if (!fs.existsSync(CHROMIUM)) {
    if (process.env.IMAGINE_UI_TEST_REQUIRED !== "1") {
      console.log(`skip - ${CHROMIUM} is missing (apt-get install chromium); set IMAGINE_UI_TEST_REQUIRED=1 to fail instead`);
      process.exit(77);  // CTest's SKIP_RETURN_CODE: reported as skipped, never as passed
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

  emu = await Emulator.start({ binary, clock: "virtual", seed: 1 });
  const base = emu.url;
  check(true, "the emulator listens at " + base);

  // A local callback receiver (all traffic stays on 127.0.0.1).
  const received = [];
  receiver = nodeHttp.createServer((req, res) => { let b = ""; req.on("data", (c) => { b += c; }); req.on("end", () => { received.push(b); res.end("ok"); }); });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;

  // Tasks of three keys: two ready keys from the config (both mask to "…-key") and an unlisted one.
  const ids = {
    evoDemo: await createEvolink(base, "demo-key", "a cat surfing"),
    apkVip: await createApikley(base, "vip-key", apikleyBody("a dog skiing")),
    evoMine: await createEvolink(base, KEY, "a fox in snow"),
    imgDemo: await createApikley(base, "demo-key", { model: "grok-imagine/text-to-image", input: { prompt: "six red kites" } }),
    hookMine: await createApikley(base, KEY, apikleyBody("a paper boat", { callBackUrl: hook })),
    cancelMine: await createEvolink(base, KEY, "to be cancelled"),
  };
  if (Object.values(ids).some((id) => !id)) return finish();

  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-ui-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: WIDTH, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [], foreign = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("request", (r) => { if (!r.url().startsWith(base + "/_emulator/")) foreign.push(r.url()); });

  const nav = await page.goto(base + "/_emulator/ui");
  check(nav && nav.status() === 200, "GET /_emulator/ui answers 200", nav ? String(nav.status()) : "no response");

  const row = (id) => page.locator(`#tasks tr[data-task-id="${id}"]`);
  const text = async (loc) => ((await loc.textContent({ timeout: 500 })) || "").trim();
  const stateOf = (id) => text(row(id).locator('[data-field="state"]'));
  const keyCell = (id) => text(row(id).locator('[data-field="key"]'));
  const visibleIds = async () => page.locator("#tasks tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.taskId));
  const steer = (name) => page.locator(`button[data-steer="${name}"]`);
  const detailAction = (name) => page.locator(`button[data-detail-action="${name}"]`);
  const apiTask = (id) => emu.task(id);

  for (const [name, id] of Object.entries(ids)) {
    const s = await eventually(async () => { const v = await stateOf(id); return /^(waiting|queuing)$/.test(v) && v; });
    check(s, `the ${name} task's row shows state waiting or queuing`, "state " + JSON.stringify(await stateOf(id).catch(() => "(no row)")));
  }

  // ---- keys told apart: ready keys by name with their profile, an unlisted one as masked + default
  const demoKey = await eventually(async () => { const v = await keyCell(ids.evoDemo); return v.startsWith("demo-key") && v; });
  check(demoKey === "demo-keyconfig", "a demo-key row shows the whole ready key and its profile", JSON.stringify(await keyCell(ids.evoDemo)));
  check(await keyCell(ids.apkVip) === "vip-keyconfig", "a vip-key row shows vip-key, told apart from demo-key", JSON.stringify(await keyCell(ids.apkVip)));
  // The server names each task's key (key_label): an unlisted key that does not look secret shows whole.
  check(await keyCell(ids.evoMine) === KEY + "default", "an unlisted key's row shows its name and the default profile",
    JSON.stringify(await keyCell(ids.evoMine)));

  // ---- actions fit at 1280 px: no horizontal scrolling, every button inside the window
  const fit = await page.evaluate(() => {
    const box = document.querySelector("#tasks-scroll");
    const buttons = [...document.querySelectorAll("#tasks button[data-action]")].map((b) => b.getBoundingClientRect().right);
    return { overflow: box.scrollWidth - box.clientWidth, buttons: buttons.length, right: Math.max(...buttons),
             page: document.documentElement.scrollWidth };
  });
  check(fit.buttons === 12 && fit.overflow <= 0 && fit.right <= WIDTH - 16 && fit.page <= WIDTH,
    `the task table fits ${WIDTH} px with all 12 complete/fail buttons inside the window`, JSON.stringify(fit));

  // ---- row actions: complete and fail
  await row(ids.evoDemo).locator('button[data-action="complete"]').click({ timeout: STEP_MS });
  check(await eventually(async () => (await stateOf(ids.evoDemo)) === "succeeded"), "\"complete\" on a row shows succeeded",
    "state " + JSON.stringify(await stateOf(ids.evoDemo).catch(() => "?")));
  const evoAfter = await http(base, "GET", "/v1/tasks/" + encodeURIComponent(ids.evoDemo), undefined, "demo-key");
  check(evoAfter.status === 200 && evoAfter.json.status === "completed", "GET /v1/tasks/{id} says completed", evoAfter.status + " " + evoAfter.text.slice(0, 200));
  check(await row(ids.evoDemo).locator("button[data-action]").count() === 0, "a finished row has no action buttons");
  await row(ids.apkVip).locator('button[data-action="fail"]').click({ timeout: STEP_MS });
  check(await eventually(async () => (await stateOf(ids.apkVip)) === "failed"), "\"fail\" on a row shows failed",
    "state " + JSON.stringify(await stateOf(ids.apkVip).catch(() => "?")));
  const apkAfter = await http(base, "GET", "/api/v1/jobs/recordInfo?taskId=" + encodeURIComponent(ids.apkVip), undefined, "vip-key");
  check(apkAfter.json && apkAfter.json.data && apkAfter.json.data.state === "fail", "recordInfo says fail", apkAfter.status + " " + apkAfter.text.slice(0, 200));

  // ---- result links are separate: six PNGs read "0.png 1.png 2.png +3" in the row
  await row(ids.imgDemo).locator('button[data-action="complete"]').click({ timeout: STEP_MS });
  const links = await eventually(async () => { const t = await page.locator(`#tasks tr[data-task-id="${ids.imgDemo}"] [data-field="results"]`).innerText(); return t.trim() || false; });
  check(links === "0.png 1.png 2.png +3", "a row's result links are apart and the rest counted", JSON.stringify(links));

  // ---- filters: provider, key, state, text (each against what is known to exist)
  const allIds = Object.values(ids).sort();
  const showsExactly = async (want, what) => {
    const got = await eventually(async () => { const v = (await visibleIds()).sort(); return JSON.stringify(v) === JSON.stringify([...want].sort()) && v; });
    check(got, what, JSON.stringify((await visibleIds()).sort()) + " vs " + JSON.stringify([...want].sort()));
  };
  await page.selectOption("#filter-provider", "apikley");
  await showsExactly([ids.apkVip, ids.imgDemo, ids.hookMine], "the provider filter shows only Apikley tasks");
  await page.selectOption("#filter-provider", "");
  await page.selectOption("#filter-state", "succeeded");
  await showsExactly([ids.evoDemo, ids.imgDemo], "the state filter shows only succeeded tasks");
  await page.selectOption("#filter-state", "");
  await page.selectOption("#filter-key", "key:demo-key");
  await showsExactly([ids.evoDemo, ids.imgDemo], "the key filter shows only demo-key's tasks");
  await page.selectOption("#filter-key", "label:" + KEY);
  await showsExactly([ids.evoMine, ids.hookMine, ids.cancelMine], "the key filter offers the unlisted key by its label and shows its tasks");
  await page.selectOption("#filter-key", "");
  await page.fill("#filter-text", ids.hookMine.slice(0, 10));
  await showsExactly([ids.hookMine], "the text filter matches a task id");
  await page.fill("#filter-text", "text-to-image");
  await showsExactly([ids.imgDemo], "the text filter matches a model");
  await page.click("#filter-clear");
  await showsExactly(allIds, "\"clear\" shows every task again");

  // ---- task detail: history, request, advance, complete, results, callback attempts
  await row(ids.hookMine).locator("a.task-link").click({ timeout: STEP_MS });
  const detailId = await eventually(async () => (await text(page.locator('#detail [data-field="detail-id"]'))) === ids.hookMine);
  check(detailId && page.url().endsWith("#task=" + ids.hookMine), "clicking a task opens its detail pane (and #task=<id>)");
  const req = await eventually(async () => { const t = await text(page.locator("#detail-request")); return t.includes("a paper boat") && t; });
  check(req && JSON.parse(req).callBackUrl === hook, "the detail shows the accepted request", String(req).slice(0, 200));
  check(await eventually(async () => (await page.locator("#history tbody tr").count()) === 1), "the history starts with waiting");
  await detailAction("advance").click();
  check(await eventually(async () => (await text(page.locator('[data-field="detail-state"]'))) === "queuing") &&
        (await apiTask(ids.hookMine)).state === "queuing", "\"advance\" in the detail moves the task to queuing");
  await detailAction("complete").click();
  check(await eventually(async () => (await text(page.locator('[data-field="detail-state"]'))) === "succeeded"), "\"complete\" in the detail shows succeeded");
  // States entered at the same emulated instant collapse into the last one (the clock did not move).
  const apiHook = await apiTask(ids.hookMine);
  const hist = await page.locator("#history tbody tr").evaluateAll((t) => t.map((r) => r.dataset.state).join(","));
  check(hist === apiHook.history.map((h) => h.state).join(",") && hist.endsWith("succeeded"), "the history lists the states of GET /_emulator/tasks/{id}", hist);
  const detailLinks = await page.locator('#detail-results a[data-field="result-link"]').evaluateAll((as) => as.map((a) => a.href));
  check(detailLinks.length === 1 && detailLinks[0] === apiHook.results[0], "the detail links the result", JSON.stringify(detailLinks));
  const delivered = await eventually(async () => (await page.locator('#detail-callbacks details[data-outcome="delivered"]').count()) === 1);
  check(delivered && received.length === 1, "the detail lists the delivered callback attempt", `received ${received.length}`);
  if (delivered) {
    await page.locator("#detail-callbacks details summary").first().click();
    const cbBody = await text(page.locator('#detail-callbacks [data-field="callback-body"]'));
    check(cbBody.includes(ids.hookMine) && cbBody.includes("\"state\": \"success\""), "an attempt opens to show the body sent", cbBody.slice(0, 120));
  }

  // ---- an attempt in flight: a receiver holding its answer is listed as "in flight", then delivered
  const held = [];
  slowReceiver = nodeHttp.createServer((req, res) => { req.resume(); req.on("end", () => held.push(res)); });
  await new Promise((r) => slowReceiver.listen(0, "127.0.0.1", r));
  const slowHook = `http://127.0.0.1:${slowReceiver.address().port}/slow`;
  const slowId = await createApikley(base, KEY, apikleyBody("a slow receiver", { callBackUrl: slowHook }));
  await emu.complete(slowId);
  check(await eventually(() => held.length === 1), "the slow receiver got its callback and holds the answer", `held ${held.length}`);
  const apiFlight = await http(base, "GET", "/_emulator/callbacks?task_id=" + encodeURIComponent(slowId));
  check(apiFlight.json && apiFlight.json.in_flight.length === 1 && apiFlight.json.attempts.length === 0,
    "the control API lists the attempt in flight", apiFlight.text.slice(0, 200));
  const flightRow = page.locator(`#callbacks tbody tr[data-outcome="in-flight"][data-task-id="${slowId}"]`);
  const flightShown = await eventually(async () => (await flightRow.count()) === 1 && /^in flight · .+ of 10 s$/.test(await text(flightRow.locator("td").last())));
  check(flightShown, "the callbacks table lists the attempt in flight with its time so far and deadline",
    await page.locator("#callbacks tbody tr").first().innerText().catch(() => ""));
  await flightRow.locator("a").click({ timeout: STEP_MS }).catch(() => {});
  const flightDetail = await eventually(async () => (await page.locator('#detail-callbacks details[data-outcome="in-flight"]').count()) === 1);
  check(flightDetail && (await text(page.locator('[data-field="detail-id"]'))) === slowId, "its task's detail shows the attempt in flight");
  for (const res of held) res.end("ok");
  const landed = await eventually(async () => (await page.locator('#callbacks tbody tr[data-outcome="in-flight"]').count()) === 0 &&
      (await page.locator(`#callbacks tbody tr[data-outcome="delivered"][data-task-id="${slowId}"]`).count()) === 1 &&
      (await page.locator('#detail-callbacks details[data-outcome="delivered"]').count()) === 1);
  check(landed, "once answered, the attempt is listed as delivered and no longer in flight");

  // detail: fail with a code and message, and cancel
  await page.goto(base + "/_emulator/ui#task=" + ids.evoMine);
  check(await eventually(async () => (await text(page.locator('[data-field="detail-state"]'))) === "waiting"), "#task=<id> in the URL opens that task");
  await page.fill("#fail-code", "E42");
  await page.fill("#fail-message", "the GPU melted");
  await detailAction("fail").click();
  const failure = await eventually(async () => { const t = await text(page.locator('[data-field="detail-failure"]')); return t.includes("E42") && t; });
  check(failure === "generation_failed · E42 · the GPU melted", "\"fail\" with a code and message shows them", JSON.stringify(failure));
  const evoFailed = await http(base, "GET", "/v1/tasks/" + ids.evoMine);
  check(evoFailed.json && evoFailed.json.error && evoFailed.json.error.code === "E42" && evoFailed.json.error.message === "the GPU melted",
    "Evolink reports the code and message given", evoFailed.text.slice(0, 200));
  check(await detailAction("complete").isDisabled(), "a finished task's detail actions are disabled");
  await row(ids.cancelMine).click({ position: { x: 400, y: 5 } });
  check(await eventually(async () => (await text(page.locator('[data-field="detail-state"]'))) === "waiting"), "clicking a row opens its detail");
  await detailAction("cancel").click();
  check(await eventually(async () => /request_cancelled/.test(await text(page.locator('[data-field="detail-failure"]')))),
    "\"cancel\" in the detail fails the task with request_cancelled");
  check((await apiTask(ids.cancelMine)).failure.reason === "request_cancelled", "the control API agrees it was cancelled");

  // ---- the clock
  const clockNow = page.locator('[data-field="clock-now"]');
  const before = await eventually(async () => { const t = (await clockNow.textContent()).trim(); return /^\d{4}-/.test(t) && t; });
  await page.locator('button[data-action="advance"][data-seconds="10"]').click({ timeout: STEP_MS });
  const after = await eventually(async () => { const t = (await clockNow.textContent()).trim(); return t !== before && t; });
  check(after && Date.parse(after) - Date.parse(before) === 10_000, "\"+10 s\" moves the clock display by 10 s", `${before} -> ${after}`);

  // ---- journal rows open to show the bodies
  const createRow = page.locator('#journal tr[data-kind="request"]', { hasText: "/v1/videos/generations" }).first();
  check(await eventually(async () => (await createRow.count()) === 1), "the journal lists the create requests");
  await createRow.click();
  const detailRow = page.locator("#journal tr.journal-detail");
  const reqBody = await eventually(async () => text(detailRow.locator('[data-field="request-body"]')));
  const resBody = await text(detailRow.locator('[data-field="response-body"]')).catch(() => "");
  check(/"prompt": "a cat surfing"/.test(reqBody) && /"id": "task-unified-/.test(resBody), "a journal row opens to its request and response bodies",
    reqBody.slice(0, 80) + " | " + resBody.slice(0, 80));
  await createRow.click();
  check(await detailRow.count() === 0, "clicking it again closes it");
  const stateRow = page.locator('#journal tr[data-kind="state"]').first();
  await stateRow.click();
  check(/"state": "waiting"/.test(await text(page.locator('#journal tr.journal-detail [data-field="state-body"]')).catch(() => "")),
    "a state entry opens to the state recorded");
  await stateRow.click();

  // ---- drift panel (issue 17): without --proxy it says proxy mode is off and lists nothing
  check(await eventually(async () => /proxy mode is off/.test(await text(page.locator("#drift-empty")).catch(() => ""))),
    "the drift panel says proxy mode is off");
  check(await page.locator("#drift tbody tr").count() === 0, "the drift panel lists no findings without --proxy");

  // ---- links: metrics, HAR, JSONL and the three OpenAPI documents
  for (const [name, href, test] of [
    ["metrics", "/_emulator/metrics", (t) => t.includes("imagine_requests_total")],
    ["har", "/_emulator/journal.har", (t) => JSON.parse(t).log.entries.length > 0],
    ["jsonl", "/_emulator/journal.jsonl", (t) => JSON.parse(t.split("\n")[0]).seq >= 1],
    ["openapi-admin", "/_emulator/openapi/admin.yaml", (t) => /^openapi: 3/m.test(t) && t.includes("/_emulator/")],
    ["openapi-apikley", "/_emulator/openapi/apikley.yaml", (t) => /^openapi: 3/m.test(t) && t.includes("/api/v1/jobs/createTask")],
    ["openapi-evolink", "/_emulator/openapi/evolink.yaml", (t) => /^openapi: 3/m.test(t) && t.includes("/v1/videos/generations")],
  ]) {
    const a = page.locator(`a[data-link="${name}"]`);
    const got = await a.getAttribute("href").catch(() => null);
    if (!check(got === href, `the page links ${name} at ${href}`, String(got))) continue;
    const r = await fetch(new URL(got, base));
    const body = await r.text();
    let good = false;
    try { good = r.status === 200 && test(body); } catch { good = false; }
    check(good, `${href} loads`, r.status + " " + body.slice(0, 120));
  }

  // ---- arm a scenario for a key
  await page.selectOption("#arm-scenario", "maintenance");
  check((await text(page.locator("#arm-description"))).includes("maintenance"), "the scenario picker describes the scenario");
  await page.fill("#arm-key", KEY);
  await page.selectOption("#arm-endpoint", "create");
  await page.fill("#arm-times", "1");
  await steer("arm").click();
  const ruleRow = await eventually(async () => (await page.locator("#rules tbody tr").count()) === 1);
  const rules = (await emu.scenarios()).rules;
  check(ruleRow && rules.length === 1 && rules[0].key === KEY && rules[0].scenario === "maintenance" && rules[0].times === 1 && rules[0].endpoint === "create",
    "\"arm\" adds a rule for the key, shown in the rules table", JSON.stringify(rules));
  const refused = await http(base, "POST", "/v1/videos/generations", evolinkBody("during maintenance"), KEY);
  const other = await http(base, "POST", "/v1/videos/generations", evolinkBody("another key"), "demo-key");
  check(refused.status === 503 && other.status === 200, "the armed key's next create answers 503, other keys' 200", `${refused.status} ${other.status}`);

  // ---- edit a key: load, change credits and limits, save; the page now names the key's tasks
  await page.fill("#key-name", KEY);
  await steer("load-key").click();
  const balance = await eventually(async () => { const t = await text(page.locator('[data-field="key-balance"]')); return t.startsWith("balance") && t; });
  const account = await emu.key(KEY);
  check(balance === `balance ${account.balance.remaining} remaining · ${account.balance.used} used` && account.balance.used > 0 &&
        (await page.inputValue("#key-credits")) === "1000" &&
        (await text(page.locator("#key-profile"))) === "profile: default", "\"load\" shows the key's profile and balance", String(balance));
  await page.fill("#key-credits", "7");
  await page.fill("#key-burst-count", "5");
  await page.fill("#key-burst-window", "10");
  await page.fill("#key-faults", "duplicate");
  await steer("save-key").click();
  const saved = await eventually(async () => {
    const a = await emu.key(KEY);
    return a && a.profile.credits === 7 && a.balance.remaining === 7 && a;
  });
  check(saved && saved.profile.rate_limits.burst.count === 5 && saved.profile.rate_limits.burst.window_s === 10 && saved.profile.callback_faults === "duplicate",
    "\"save\" puts the profile: credits, burst limit, callback faults", JSON.stringify(saved));
  check(await eventually(async () => (await text(page.locator("#key-profile"))) === "profile: edited"), "the editor says the profile is edited");
  const named = await eventually(async () => { const v = await keyCell(ids.evoMine); return v === KEY + "edited" && v; });
  check(named, "once typed, the unlisted key's rows show it whole with its edited profile", JSON.stringify(await keyCell(ids.evoMine)));
  check(await page.locator('#filter-key option[value="key:' + KEY + '"]').count() === 1, "the key filter offers the key by name");

  if (shots) await screenshots(base, page, hook);

  // ---- reset one key, clear the rules, reset everything
  await page.fill("#reset-key", "demo-key");
  await steer("reset").click();
  const demoGone = await eventually(async () => (await row(ids.imgDemo).count()) === 0 && (await row(ids.evoMine).count()) === 1);
  const demoLeft = (await emu.tasks({ key: "demo-key" })).length;
  check(demoGone && demoLeft === 0, "reset with a key removes that key's tasks only", `demo-key tasks left ${demoLeft}`);
  await steer("clear-rules").click();
  const noRules = await eventually(async () => (await page.locator("#rules tbody tr").count()) === 0 && !(await page.locator("#rules-empty").isHidden()));
  check(noRules && (await emu.scenarios()).rules.length === 0, "\"clear all rules\" removes the rules");
  // ---- outages: take xAI down for 60 s, then restore it; restore all
  const outageRow = (p) => page.locator(`#outages tr[data-provider="${p}"]`);
  const outageState = (p) => text(outageRow(p).locator('[data-field="outage-state"]'));
  check(await eventually(async () => (await outageRow("xai").count()) === 1 && (await outageState("xai")) === "up"),
    "the outages table has a row per provider, xai's too, each up");
  await outageRow("xai").locator("select").selectOption("server_error");
  await outageRow("xai").locator('input[type="number"]').fill("60");
  await outageRow("xai").locator('button[data-outage="down"]').click();
  const downShown = await eventually(async () => { const t = await outageState("xai"); return /^down: server_error \(60 s left\)$/.test(t) && t; });
  const outs = await emu.outages();
  check(downShown && outs.length === 1 && outs[0].provider === "xai" && outs[0].kind === "server_error" && outs[0].remaining_s === 60,
    "\"take down\" sets the provider's outage for the duration, shown in its row", JSON.stringify(outs) + " " + downShown);
  const xaiDown = await http(base, "POST", "/xai/v1/videos/generations", { model: "grok-imagine-video", prompt: "x" }, "outage-ui-key");
  const evoUp = await http(base, "POST", "/v1/videos/generations", evolinkBody("evolink still up"), "outage-ui-key");
  check(xaiDown.status === 500 && evoUp.status === 200, "xAI answers its 500 while Evolink works", `${xaiDown.status} ${evoUp.status}`);
  await outageRow("xai").locator('button[data-outage="restore"]').click();
  check(await eventually(async () => (await outageState("xai")) === "up") && (await emu.outages()).length === 0, "\"restore\" ends it");
  await outageRow("evolink").locator('button[data-outage="down"]').click();
  check(await eventually(async () => (await outageState("evolink")) === "down: maintenance"), "a kind left as is takes the provider down for maintenance, until restored");
  await steer("restore-all").click();
  check(await eventually(async () => (await outageState("evolink")) === "up") && (await emu.outages()).length === 0, "\"restore all\" ends every outage");

  await page.fill("#reset-key", "");
  await steer("reset").click();
  const emptied = await eventually(async () => (await page.locator("#tasks tbody tr").count()) === 0 && await page.locator("#tasks-empty").isVisible());
  check(emptied && (await emu.tasks()).length === 0, "reset with no key removes every task");
  check(await eventually(async () => (await text(page.locator("#detail-facts"))).includes("is gone")),
    "the open detail says its task is gone");

  check(pageErrors.length === 0, "the page raised no script errors", pageErrors.join("; "));
  check(foreign.length === 0, "the page fetched only same-origin /_emulator/* URLs", foreign.slice(0, 3).join(" "));
  return finish();
}

// More tasks in other states so the pictures show a busy emulator (not assertions), then three shots:
// the whole page with a task open and a journal row expanded, the detail pane, the steer panel. The open
// task ran its whole course on the clock (every state in its history) and called the receiver back.
async function screenshots(base, page, hook) {
  const headers = { Authorization: "Bearer demo-key", "Content-Type": "application/json" };
  const shown = await http(base, "POST", "/api/v1/jobs/createTask", apikleyBody("a lighthouse at night", { callBackUrl: hook }), "signed-key");
  const openId = shown.json && shown.json.data && shown.json.data.taskId;
  await emu.advance(30);
  const created = [];
  for (const [p, body, scenario] of [
    ["/v1/videos/generations", evolinkBody("waves at dusk"), "slow;factor=2"],
    ["/api/v1/jobs/createTask", apikleyBody("a red fox"), ""],
    ["/v1/videos/generations", evolinkBody("city timelapse"), ""],
  ]) {
    const h = scenario ? { ...headers, "X-Emulator-Scenario": scenario } : headers;
    const r = await fetch(base + p, { method: "POST", headers: h, body: JSON.stringify(body) }).then((x) => x.json()).catch(() => null);
    if (r) created.push(r.id || (r.data && r.data.taskId));
  }
  if (created[0]) { await emu.advanceTask(created[0]); await emu.advanceTask(created[0]); }  // generating
  if (created[1]) await emu.advanceTask(created[1]);                                        // queuing
  await emu.scenario("rate_limited", { provider: "evolink", key: "throttled-key", times: 3 });
  await page.goto(base + "/_emulator/ui#task=" + openId);
  await eventually(async () => (await page.locator('#detail-callbacks details').count()) >= 1 && (await page.locator("#tasks tbody tr").count()) >= 8);
  await page.locator("#detail-callbacks details summary").first().click().catch(() => {});
  await page.locator('#journal tr[data-kind="request"]', { hasText: "createTask" }).first().click().catch(() => {});
  await page.waitForTimeout(1200);  // one more poll for progress bars and the journal
  fs.mkdirSync(shots.dir, { recursive: true });
  const main = path.join(shots.dir, shots.main);
  await page.screenshot({ path: main, fullPage: true });
  await page.locator("#detail").screenshot({ path: path.join(shots.dir, "dashboard-detail.png") });
  await page.locator("#steer").screenshot({ path: path.join(shots.dir, "dashboard-steer.png") });
  check(fs.existsSync(main), "saved screenshots to " + shots.dir);
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
