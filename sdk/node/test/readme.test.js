// The README's node:test example, run as written (in a child node --test) against a stand-in for my-client.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const sdk = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const readme = fs.readFileSync(path.join(sdk, "..", "..", "README.md"), "utf8");

const MY_CLIENT = `
import http from "node:http";
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
export async function create(url, key, prompt) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await call(url, key, "POST", "/v1/videos/generations", { model: "grok-imagine-text-to-video", prompt });
    if (r.status !== 503) return r.json.id;
  }
  throw new Error("still under maintenance");
}
export async function wait(url, key, id) {
  for (;;) {
    const task = (await call(url, key, "GET", "/v1/tasks/" + id)).json;
    if (task.status === "completed") return task.results[0];
    await new Promise((r) => setTimeout(r, 10));
  }
}
`;

test("the README's node:test example passes", () => {
  const m = /<!-- example: node .*?-->\n```\w+\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "README.md has no <!-- example: node --> block");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "imagine-emu-readme-"));
  try {
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(sdk, path.join(dir, "node_modules", "imagine-emu"));  // as npm install ./sdk/node does
    fs.writeFileSync(path.join(dir, "package.json"), '{"type": "module"}');
    fs.writeFileSync(path.join(dir, "my-client.js"), MY_CLIENT);
    fs.writeFileSync(path.join(dir, "video.test.js"), m[1]);
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;  // set by the outer runner: the inner one would report in its binary protocol
    const run = spawnSync(process.execPath, ["--test", "video.test.js"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# pass 1\n/);
    assert.match(run.stdout, /# fail 0\n/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
