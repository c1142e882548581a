// A minimal provider client for the helper's own tests: what "the code under test" would send.
import http from "node:http";

const agent = new http.Agent({ keepAlive: false });  // node 20 keeps sockets alive by default; stop() would wait

export function call(base, method, path, key, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const h = { Authorization: "Bearer " + key, ...headers };
    if (data) { h["Content-Type"] = "application/json"; h["Content-Length"] = String(data.length); }
    const req = http.request(base + path, { method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, json: text ? JSON.parse(text) : null });
      });
    });
    req.on("error", reject);
    req.end(data);
  });
}

export async function createEvolink(base, key, headers = {}) {
  const r = await call(base, "POST", "/v1/videos/generations", key, { model: "grok-imagine-text-to-video", prompt: "a cat surfing" }, headers);
  if (r.status !== 200) throw new Error("create: " + r.status + " " + JSON.stringify(r.json));
  return r.json.id;
}

export async function createApikley(base, key, callBackUrl) {
  const body = { model: "grok-imagine/text-to-video", input: { prompt: "a dog skiing" } };
  if (callBackUrl) body.callBackUrl = callBackUrl;
  const r = await call(base, "POST", "/api/v1/jobs/createTask", key, body);
  if (r.status !== 200 || r.json.code !== 200) throw new Error("createTask: " + JSON.stringify(r.json));
  return r.json.data.taskId;
}

export const queryEvolink = async (base, key, id) => (await call(base, "GET", "/v1/tasks/" + id, key)).json;
export const queryApikley = async (base, key, id) => (await call(base, "GET", "/api/v1/jobs/recordInfo?taskId=" + id, key)).json;
