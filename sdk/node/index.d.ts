// Types of imagine-emu's Node helper (index.js). Field names of the control API's answers are its own
// (snake_case, schemas/admin.openapi.yaml); the helper's methods and options are camelCase.

export declare const VERSION: string;
export declare const TERMINAL_STATES: readonly ["succeeded", "failed"];

export type Provider = "apikley" | "evolink" | "xai";
export type TaskState = "waiting" | "queuing" | "generating" | "succeeded" | "failed";

export interface StartOptions {
  /** The binary; else $IMAGINE_EMU_BINARY, else imagine-emu on PATH. */
  binary?: string;
  /** Attach to an emulator already running there instead of starting one. */
  url?: string;
  /** "virtual" (the default: time moves only with advance()) or "real". */
  clock?: "virtual" | "real";
  seed?: number | string;
  /** A config file, or an object written to a temporary file. */
  config?: string | Record<string, unknown>;
  /** --admin-token, also sent as the bearer token on every control-API call. */
  adminToken?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /** More flags by name: {timeScale: 10, selfCheck: true} -> --time-scale 10 --self-check. */
  flags?: Record<string, string | number | boolean | null | undefined>;
  env?: Record<string, string>;
  startupTimeoutMs?: number;
}

export interface Clock { mode: "real" | "virtual"; now_ms: number; time_scale: number; pending_timers: number; }

export interface TaskSummary {
  id: string;
  provider: Provider;
  /** The API key masked to its last 4 characters. */
  key: string;
  model: string;
  state: TaskState;
  progress: number;
  created_ms: number;
  updated_ms: number;
  finished_ms: number | null;
  scenario: string;
  callback_url?: string;
  results: string[];
  [field: string]: unknown;
}

export interface TaskDetail extends TaskSummary {
  history: { state: TaskState; at_ms: number }[];
  request: unknown;
  failure: { reason?: string; code?: string; message?: string } | null;
}

export interface TaskFilters { provider?: Provider; key?: string; model?: string; state?: TaskState; limit?: number; offset?: number; }

export interface ScenarioOptions {
  key?: string;
  /** Act on the first N matching requests only. */
  times?: number;
  provider?: Provider;
  endpoint?: "create" | "query";
  model?: string;
  promptContains?: string;
  /** The rule lapses this many seconds after it was added, on the emulator's clock (for_s). */
  seconds?: number;
  /** Any other option is a parameter of the scenario, e.g. fail_at: "queuing", factor: 3. */
  [param: string]: string | number | boolean | (string | number)[] | undefined;
}

export interface ScenarioRule {
  id: number;
  scenario: string;
  provider?: Provider;
  endpoint?: "create" | "query";
  key?: string;
  model?: string;
  prompt_contains?: string;
  times?: number;
  /** Lapses this many seconds after it was added (emulator's clock). */
  for_s?: number;
  /** Set by the emulator: the outage kind that made it. */
  outage?: "maintenance" | "server_error" | "rate_limited" | "failing";
  expires_at_ms?: number;
  remaining_s?: number;
}

export interface KeyProfile {
  revoked?: boolean;
  credits?: number;
  allowed_models?: string[];
  user_group?: "default" | "vip";
  webhook_hmac_key?: string;
  default_scenario?: string;
  callback_faults?: string;
  rate_limits?: {
    burst?: { count: number; window_s: number };
    models?: Record<string, { concurrent?: number; per_hour?: number }>;
  };
}

export interface KeyAccount { key: string; profile: KeyProfile; balance: { remaining: number; used: number }; }

export interface JournalFilters {
  kind?: "request" | "state" | "callback";
  /** Exact request path, or a prefix ending in *. */
  path?: string;
  /** The full API key. */
  key?: string;
  taskId?: string;
  task_id?: string;
  status?: number;
  /** Only entries with seq greater than this cursor. */
  since?: number;
  /** One page of at most this many; without it, every entry. */
  limit?: number;
}

export interface JournalEntry {
  seq: number;
  kind: "request" | "state" | "callback";
  at_ms: number;
  wall_ms?: number;
  request_id?: string;
  task_id?: string;
  key?: string;
  provider?: string;
  operation?: string;
  method?: string;
  path?: string;
  query?: string;
  request_headers?: Record<string, string>;
  request_body?: string;
  status?: number;
  response_body?: string;
  latency_us?: number;
  scenario?: string;
  state?: unknown;
  callback?: unknown;
}

export interface CallbackAttempt {
  task_id: string;
  provider?: string;
  url: string;
  delivery: number;
  attempt: number;
  sent_at_ms: number;
  request_headers?: Record<string, string>;
  request_body?: string;
  status: number;
  response_body?: string;
  latency_us?: number;
  error?: string;
  outcome: "delivered" | "failed" | "forced_failure" | "dropped";
  will_retry?: boolean;
}

/** An error answer of the control API (status 0: the emulator could not be reached or started). */
export declare class EmulatorError extends Error {
  status: number;
  code: string;
  detail: string;
}

/** The binary the release's npm package carries (bin/NAME), or null (the source package carries none). */
export declare function bundledBinary(name?: string): string | null;
export declare function findBinary(binary?: string): string;
export declare function listeningUrl(line: string): string | null;
export declare function terminalSeen(entry: JournalEntry): "succeeded" | "failed" | null;

/** Each provider's own base URL path on the emulator. */
export declare const PROVIDER_BASES: Readonly<Record<Provider, string>>;
/** The kinds the emulator knew when this was written; it answers 400 for one it does not know. */
export type OutageKind = "maintenance" | "server_error" | "rate_limited" | "failing";
export interface OutageOptions {
  /** maintenance (default), server_error, rate_limited: the provider's own error; failing: tasks fail mid-way. */
  kind?: OutageKind;
  /** Ends after this many seconds on the emulator's clock. */
  seconds?: number;
  /** Ends after this many requests (creates and queries; for failing, creates). */
  requests?: number;
}
export interface Outage {
  provider: string;
  kind: OutageKind;
  rule: number;
  scenario: string;
  for_s?: number;
  expires_at_ms?: number;
  remaining_s?: number;
  remaining_requests?: number;
}

export declare class Emulator {
  /** Starts an emulator on a free loopback port (virtual clock by default), or attaches to options.url. */
  static start(options?: StartOptions): Promise<Emulator>;
  /** The base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Stops the emulator this object started; attached: nothing. */
  stop(): Promise<void>;
  stderrTail(lines?: number): string;
  request(method: string, path: string, body?: unknown, query?: Record<string, unknown>): Promise<any>;

  health(): Promise<{ status: "ok"; version: string; tasks: number; [field: string]: unknown }>;
  version(): Promise<string>;
  /** Forgets everything, or one key's tasks, usage and journal; resolves with the number of tasks removed. */
  reset(key?: string): Promise<number>;
  clock(): Promise<Clock>;
  advance(seconds: number): Promise<Clock>;
  isVirtual(): Promise<boolean>;

  scenario(name: string, options?: ScenarioOptions): Promise<ScenarioRule>;
  clearScenarios(): Promise<number>;
  scenarios(): Promise<{ scenarios: unknown[]; rules: ScenarioRule[]; chaos: Record<string, number> }>;
  /** A provider's own base URL, e.g. <url>/xai/v1. */
  baseUrl(provider: Provider): string;
  outage(provider: string, options?: OutageOptions): Promise<{ outage: Outage; rules: ScenarioRule[] }>;
  outages(): Promise<Outage[]>;
  /** Ends one provider's outage, or every provider's; resolves with how many were ended. */
  restore(provider?: string): Promise<number>;
  setKey(key: string, profile?: KeyProfile): Promise<KeyAccount>;
  key(key: string): Promise<KeyAccount>;

  task(id: string): Promise<TaskDetail>;
  tasks(filters?: TaskFilters): Promise<TaskSummary[]>;
  complete(id: string): Promise<TaskDetail>;
  fail(id: string, options?: { code?: string; message?: string; reason?: string }): Promise<TaskDetail>;
  advanceTask(id: string): Promise<TaskDetail>;
  cancel(id: string): Promise<TaskDetail>;
  waitUntilTerminal(id: string, options?: { timeoutMs?: number; advance?: boolean }): Promise<TaskDetail>;

  journal(filters?: JournalFilters): Promise<JournalEntry[]>;
  callbacks(taskId?: string): Promise<CallbackAttempt[]>;

  assertCreated(n: number, filters?: TaskFilters): Promise<void>;
  assertNoQueryAfterTerminal(id: string): Promise<void>;
}

export default Emulator;
