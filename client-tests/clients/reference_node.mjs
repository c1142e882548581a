#!/usr/bin/node
// reference_node.mjs: the conformance suite's reference client in Node.js (18 or later), with no
// dependencies. It follows the contract of client-tests/README.md: reads the IMAGINE_* environment
// variables, creates one Grok Imagine image-to-video task on Apikley or Evolink, waits for it by
// polling or, when IMAGINE_CALLBACK_URL is set, by callback (with a slow fallback poll), downloads
// the result, prints its URL and exits 0; any failure prints the provider's message on stderr and
// exits 1.
//
// To test your own client library instead, keep main() and the Failure handling and replace
// Client.run() with a call into your library (client-tests/README.md, "Wrapping a client library").
import http from 'node:http';
import https from 'node:https';

const MAX_RETRIES = 4;           // retries of a 429/455/5xx answer, per request
const FALLBACK_POLL_FACTOR = 4;  // callback mode polls this many times less often
const LINGER_POLLS = 3;          // callback mode: keep answering deliveries this many poll intervals ...
const MAX_LINGER_MS = 2000;      // ... at most this long, after the outcome is known (a duplicate gets 2xx)

// Ends the run: the message is printed on stderr, the exit status is 1.
class Failure extends Error {}

const now = () => performance.now();
const sleepUntil = (t) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - now())));

function envInt(name, fallback) {
  const text = process.env[name] || '';
  if (!text) return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) throw new Failure(`${name} must be a positive integer (got "${text}")`);
  return Number(text);
}

// One HTTP request; resolves {status, body} (body a Buffer), rejects when nothing answered.
function fetchRaw(url, { method = 'GET', headers = {}, body } = {}, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = (target.protocol === 'https:' ? https : http).request(target, { method, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function parseObject(text) {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

// {terminal, url, state, message} of an Apikley `data` object or an Evolink task.
function taskView(provider, task) {
  task = task && typeof task === 'object' ? task : {};
  if (provider === 'apikley') {
    const state = task.state || '';
    if (state === 'success') {
      const urls = parseObject(task.resultJson || '').resultUrls;  // resultJson is a JSON *string*
      const url = Array.isArray(urls) && typeof urls[0] === 'string' ? urls[0] : '';
      return { terminal: true, url, state, message: url ? '' : 'task succeeded but its resultJson holds no result URL' };
    }
    if (state === 'fail') return { terminal: true, url: '', state, message: task.failMsg || `task failed (failCode ${task.failCode})` };
    return { terminal: false, url: '', state, message: '' };
  }
  const state = task.status || '';
  if (state === 'completed') {
    const url = Array.isArray(task.results) && typeof task.results[0] === 'string' ? task.results[0] : '';
    return { terminal: true, url, state, message: url ? '' : 'task completed without results' };
  }
  if (state === 'failed') return { terminal: true, url: '', state, message: (task.error || {}).message || 'task failed' };
  return { terminal: false, url: '', state, message: '' };
}

// Answers every POST on the callback URL's path with 200 and remembers what arrived.
class Receiver {
  constructor(provider, url) {
    this.provider = provider;
    this.url = new URL(url);
    this.deliveries = new Map();  // task id -> deliveries answered
    this.terminal = new Map();    // task id -> the first terminal delivery's view
    this.waiters = new Set();
    this.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && new URL(req.url, this.url).pathname === this.url.pathname) {
          this.record(Buffer.concat(chunks).toString());
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"code":200,"msg":"success"}');
      });
    });
  }

  start() {
    return new Promise((resolve, reject) => {
      this.server.once('error', (e) => reject(new Failure(`cannot listen on ${this.url.host}: ${e.message}`)));
      this.server.listen(Number(this.url.port) || 80, this.url.hostname, resolve);
    });
  }

  record(text) {
    const body = parseObject(text);
    const task = this.provider === 'apikley' ? body.data : body;
    const taskId = task && (this.provider === 'apikley' ? task.taskId : task.id);
    if (!taskId) return;
    this.deliveries.set(taskId, (this.deliveries.get(taskId) || 0) + 1);
    const view = taskView(this.provider, task);
    if (view.terminal && !this.terminal.has(taskId)) this.terminal.set(taskId, view);  // the first one wins
    for (const wake of this.waiters) wake();
  }

  // Resolves true as soon as predicate() holds, false when `until` (a now() time) passes first.
  waitFor(predicate, until) {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const check = () => predicate() && done(true);
      const timer = setTimeout(() => done(predicate()), Math.max(0, until - now()));
      this.waiters.add(check);
    });
  }

  stop() {
    if (this.server.closeAllConnections) this.server.closeAllConnections();
    this.server.close();
  }
}

class Client {
  constructor(env) {
    this.provider = env.IMAGINE_PROVIDER || '';
    if (this.provider !== 'apikley' && this.provider !== 'evolink') {
      throw new Failure(`IMAGINE_PROVIDER must be apikley or evolink (got "${this.provider}")`);
    }
    this.baseUrl = (env.IMAGINE_BASE_URL || '').replace(/\/+$/, '');
    this.apiKey = env.IMAGINE_API_KEY || '';
    this.model = env.IMAGINE_MODEL || '';
    for (const [name, value] of [['IMAGINE_BASE_URL', this.baseUrl], ['IMAGINE_API_KEY', this.apiKey], ['IMAGINE_MODEL', this.model]]) {
      if (!value) throw new Failure(`${name} is not set`);
    }
    this.prompt = env.IMAGINE_PROMPT || '';
    this.imageUrl = env.IMAGINE_IMAGE_URL || '';
    this.callbackUrl = env.IMAGINE_CALLBACK_URL || '';
    this.pollMs = envInt('IMAGINE_POLL_INTERVAL_MS', 2000);
    this.retryMs = envInt('IMAGINE_RETRY_BASE_MS', 1000);
    this.maxWaitS = envInt('IMAGINE_MAX_WAIT_S', 600);
    this.deadline = now() + this.maxWaitS * 1000;
    this.lastSent = this.lastAnswer = now();
    this.taskId = '';
  }

  // One request; resolves {verdict: ok|retry|not_ready|fatal, code, body, message}.
  async send(create) {
    const headers = { Authorization: `Bearer ${this.apiKey}` };
    let path;
    let body;
    if (create) {
      headers['Content-Type'] = 'application/json';
      if (this.provider === 'apikley') {
        path = '/api/v1/jobs/createTask';
        body = { model: this.model, input: { prompt: this.prompt, image_urls: [this.imageUrl] } };
        if (this.callbackUrl) body.callBackUrl = this.callbackUrl;
      } else {
        path = '/v1/videos/generations';
        body = { model: this.model, prompt: this.prompt, image_urls: [this.imageUrl] };
        if (this.callbackUrl) body.callback_url = this.callbackUrl;
      }
    } else {
      const id = encodeURIComponent(this.taskId);
      path = this.provider === 'apikley' ? `/api/v1/jobs/recordInfo?taskId=${id}` : `/v1/tasks/${id}`;
    }
    this.lastSent = now();
    let res;
    try {
      res = await fetchRaw(this.baseUrl + path, { method: create ? 'POST' : 'GET', headers, body: create ? JSON.stringify(body) : undefined });
    } catch (e) {
      this.lastAnswer = now();
      return { verdict: 'retry', code: 0, body: {}, message: `no answer from ${this.baseUrl}: ${e.message}` };
    }
    this.lastAnswer = now();
    const answer = parseObject(res.body.toString());
    const status = res.status;
    if (this.provider === 'apikley') {
      // Apikley answers HTTP 200 even for errors: the body's code is the outcome.
      const hasCode = Number.isInteger(answer.code);
      const code = hasCode ? answer.code : status;
      const message = answer.msg || `HTTP ${status}, code ${code}`;
      if (code === 200 && status === 200) return { verdict: 'ok', code, body: answer, message: '' };
      if (!create && code === 422 && answer.msg === 'recordInfo is null') {
        return { verdict: 'not_ready', code, body: answer, message };  // a live quirk right after creation
      }
      const retry = code === 429 || code === 455 || code === 500 || (!hasCode && status >= 500);
      return { verdict: retry ? 'retry' : 'fatal', code, body: answer, message };
    }
    const message = (answer.error || {}).message || `HTTP ${status}`;
    if (status === 200) return { verdict: 'ok', code: status, body: answer, message: '' };
    if (!create && status === 404) return { verdict: 'not_ready', code: status, body: answer, message };  // not visible yet
    return { verdict: status === 429 || status >= 500 ? 'retry' : 'fatal', code: status, body: answer, message };
  }

  // send(), retrying 429/455/5xx at most MAX_RETRIES times with growing delays (from
  // IMAGINE_RETRY_BASE_MS, doubling; each gap also 1.5x the one before), never past the deadline.
  async sendWithRetry(create) {
    let delay = this.retryMs;
    let gap = 0;
    let previousSent = 0;
    for (let retry = 0; ; retry++) {
      const answer = await this.send(create);
      if (answer.verdict !== 'retry') return answer;
      if (retry === MAX_RETRIES) return { ...answer, verdict: 'fatal', message: `${answer.message} (still failing after ${MAX_RETRIES} retries)` };
      if (retry > 0) gap = this.lastSent - previousSent;
      const wake = Math.max(this.lastAnswer + delay, this.lastSent + gap * 1.5);
      if (wake > this.deadline) return { ...answer, verdict: 'fatal', message: `${answer.message} (no time left to retry within IMAGINE_MAX_WAIT_S)` };
      await sleepUntil(wake);
      previousSent = this.lastSent;
      delay *= 2;
    }
  }

  async download(url) {
    let res;
    try {
      res = await fetchRaw(url, {}, 60000);
    } catch (e) {
      throw new Failure(`downloading ${url} failed: ${e.message}`);
    }
    if (res.status !== 200 || res.body.length === 0) {
      throw new Failure(`downloading ${url} answered HTTP ${res.status} with ${res.body.length} bytes`);
    }
  }

  async run() {
    const receiver = this.callbackUrl ? new Receiver(this.provider, this.callbackUrl) : null;
    if (receiver) await receiver.start();
    try {
      const created = await this.sendWithRetry(true);
      if (created.verdict !== 'ok') throw new Failure(created.message);
      this.taskId = (this.provider === 'apikley' ? (created.body.data || {}).taskId : created.body.id) || '';
      if (!this.taskId) throw new Failure('the create answer carries no task id');
      const interval = this.pollMs * (receiver ? FALLBACK_POLL_FACTOR : 1);
      let lastState = 'created';
      let lastMessage = '';
      let view;
      for (;;) {
        const nextQuery = Math.min(this.lastAnswer + interval, this.deadline);
        if (receiver && (await receiver.waitFor(() => receiver.terminal.has(this.taskId), nextQuery))) {
          view = receiver.terminal.get(this.taskId);
          break;
        }
        await sleepUntil(nextQuery);
        if (now() >= this.deadline) {
          throw new Failure(`gave up after ${this.maxWaitS} s waiting for task ${this.taskId} (last state: ${lastState})` +
                            (lastMessage ? `: ${lastMessage}` : ''));
        }
        const answer = await this.sendWithRetry(false);
        if (answer.verdict === 'fatal') throw new Failure(answer.message);
        if (answer.verdict === 'not_ready') {
          lastMessage = answer.message;
          continue;
        }
        view = taskView(this.provider, this.provider === 'apikley' ? answer.body.data : answer.body);
        lastMessage = '';
        lastState = view.state || lastState;
        if (view.terminal) break;
      }
      if (!view.url) throw new Failure(view.message);
      try {
        await this.download(view.url);
      } catch (e) {
        throw new Failure(`task ${this.taskId} succeeded but ${e.message}`);
      }
      process.stdout.write(`${view.url}\n`);
      return 0;
    } finally {
      if (receiver) {  // answer the callback (and a duplicate) before leaving
        const linger = Math.min(MAX_LINGER_MS, this.pollMs * LINGER_POLLS);
        if (this.taskId) await receiver.waitFor(() => (receiver.deliveries.get(this.taskId) || 0) >= 2, now() + linger);
        receiver.stop();
      }
    }
  }
}

async function main() {
  try {
    return await new Client(process.env).run();
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Failure ? e.message : e.stack}\n`);
    return 1;
  }
}

process.exit(await main());
