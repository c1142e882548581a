// docs/sdk.md's node:test example, run as written (in a child node --test) against a stand-in for my-client.js,
// in a project as `npm init -y` makes it (no "type": "module", so my-client.js is CommonJS), under the file
// name the docs give (issue 24: saved as a .js file there it failed with "Cannot use import statement
// outside a module").
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const sdk = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const doc = fs.readFileSync(path.join(sdk, "..", "..", "docs", "sdk.md"), "utf8");

const MY_CLIENT = `
const http = require("node:http");
const agent = new http.Agent({ keepAlive: false });
function call(url, key, method, p, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : null;
    const req = http.request(url + p, { method, agent, headers: { Authorization: "Bearer " + key,
      "Content-Type": "application/json", ...(data ? { "Content-Length": Buffer.byteLength(data) } : {}) } }, (res) => {
      let text = "";
      res.on("data", (c) => { text += c; });
      res.on("end", () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(data);
  });
}
exports.create = async function create(url, key, prompt) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await call(url, key, "POST", "/v1/videos/generations", { model: "grok-imagine-text-to-video", prompt });
    if (r.status !== 503) return r.json.id;
  }
  throw new Error("still under maintenance");
};
exports.wait = async function wait(url, key, id) {
  for (;;) {
    const task = (await call(url, key, "GET", "/v1/tasks/" + id)).json;
    if (task.status === "completed") return task.results[0];
    await new Promise((r) => setTimeout(r, 10));
  }
};
`;

test("docs/sdk.md's node:test example passes in a project made by npm init -y", () => {
  const m = /<!-- example: node(?: file=(\S+))?[^>]*-->\n```\w+\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, "docs/sdk.md has no <!-- example: node --> block");
  const file = m[1] || "video.test.js";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-emu-readme-"));
  try {
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(sdk, path.join(dir, "node_modules", "imagine-emu"));  // as npm install ./sdk/node does
    // What `npm init -y` writes: no "type", so .js files are CommonJS.
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "my-app", version: "1.0.0", main: "index.js",
      scripts: { test: "node --test" }, license: "ISC" }, null, 2));
    fs.writeFileSync(path.join(dir, "my-client.js"), MY_CLIENT);
    fs.writeFileSync(path.join(dir, file), m[2]);
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;  // set by the outer runner: the inner one would report in its binary protocol
    // Node 18 (the oldest supported) never guesses a module's type from its syntax; newer ones do unless told not to.
    const detect = process.allowedNodeEnvironmentFlags.has("--no-experimental-detect-module") ? ["--no-experimental-detect-module"] : [];
    const run = spawnSync(process.execPath, [...detect, "--test", file], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# pass 1\n/);
    assert.match(run.stdout, /# fail 0\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
