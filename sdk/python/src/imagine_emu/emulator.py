"""The Emulator class: one imagine-emu process (or a running one at a URL) and its control API."""
import collections
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref

TERMINAL_STATES = ("succeeded", "failed")

# Rule fields of POST /_emulator/scenarios/rules other than the scenario itself and `times`.
_RULE_MATCHERS = ("provider", "endpoint", "model", "prompt_contains")
# Each provider's own base URL on the emulator (what a client's base URL takes as is).
PROVIDER_BASES = {"apikley": "/apikley", "evolink": "/evolink", "xai": "/xai/v1"}
# The operations of the providers' status queries (Apikley and Evolink: getTaskDetail; xAI: getVideoGeneration).
_QUERY_OPERATIONS = ("getTaskDetail", "getVideoGeneration")
_LISTENING = re.compile(r"listening on (https?://[^\s\"]+)")


class EmulatorError(Exception):
    """An error answer of the control API (``status`` 0: the emulator could not be reached or started)."""

    def __init__(self, status, code, message, method="", path=""):
        self.status, self.code, self.message = status, code, message
        where = (method + " " + path + ": ") if method else ""
        super().__init__("%s%s %s: %s" % (where, status, code, message))


def bundled_binary(name="imagine-emu"):
    """The binary the platform wheel carries (imagine_emu/_bundle/bin/NAME), or None (the sdist carries none)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bundle", "bin", name)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def find_binary(binary=None):
    """The emulator to run: ``binary``, else $IMAGINE_EMU_BINARY, else the one the wheel bundles,
    else ``imagine-emu`` on PATH."""
    for candidate, origin in ((binary, "binary="), (os.environ.get("IMAGINE_EMU_BINARY"), "IMAGINE_EMU_BINARY")):
        if candidate:
            path = shutil.which(candidate) or (candidate if os.path.isfile(candidate) else None)
            if not path:
                raise FileNotFoundError("%s %r is not an executable file" % (origin, candidate))
            return path
    path = bundled_binary() or shutil.which("imagine-emu")
    if not path:
        raise FileNotFoundError("imagine-emu is not on PATH: pass binary=... or set IMAGINE_EMU_BINARY")
    return path


def _flag_args(flags):
    """{"time_scale": 10, "self_check": True} -> ["--time-scale", "10", "--self-check"]."""
    args = []
    for name, value in flags.items():
        if value is None or value is False:
            continue
        option = "--" + name.replace("_", "-")
        args += [option] if value is True else [option, str(value)]
    return args


def _scenario_spec(name, params):
    """"slow" + {"factor": 3} -> "slow;factor=3"; a list value is joined with commas (progress=[10, 50])."""
    parts = [name]
    for key, value in params.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        parts.append("%s=%s" % (key, value))
    return ";".join(parts)


def terminal_seen(entry):
    """The terminal state a status query's journaled answer showed ("succeeded"/"failed"), or None."""
    if entry.get("kind") != "request" or entry.get("operation") not in _QUERY_OPERATIONS:
        return None
    try:
        body = json.loads(entry.get("response_body") or "")
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if entry.get("provider") == "apikley":
        data = body.get("data")
        state = data.get("state") if body.get("code") == 200 and isinstance(data, dict) else None
        return {"success": "succeeded", "fail": "failed"}.get(state)
    if entry.get("provider") == "xai":
        return {"done": "succeeded", "failed": "failed", "expired": "failed"}.get(body.get("status"))
    return {"completed": "succeeded", "failed": "failed"}.get(body.get("status"))


def _terminate(process):
    """SIGTERM, then SIGKILL after 5 s; closes the pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        stream.close()


class Emulator:
    """An imagine-emu for a test: started on a free loopback port, or attached to at ``url``.

    ``flags`` become command-line flags (``time_scale=10`` -> ``--time-scale 10``, ``self_check=True`` ->
    ``--self-check``); the clock is virtual unless ``clock="real"``. ``config`` may be a file name or a
    dict (written to a temporary JSON file, which YAML reads). ``admin_token`` is also sent on every call.
    Use it as a context manager, or call ``stop()``.
    """

    def __init__(self, binary=None, url=None, *, args=(), env=None, startup_timeout=10.0, http_timeout=30.0,
                 **flags):
        self._token = flags.get("admin_token")
        self._http_timeout = http_timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        self._process = None
        self._config_file = None
        self._stderr = collections.deque(maxlen=200)
        self._virtual = None
        if url is not None:
            extra = sorted(set(flags) - {"admin_token"})
            if extra or args or binary:
                raise TypeError("url= attaches to a running emulator; it takes no binary, args or flags "
                                "but admin_token (got %s)" % ", ".join(extra + (["args"] if args else [])
                                                                       + (["binary"] if binary else [])))
            self.url = url.rstrip("/")
            return
        self.url = None
        self._start(find_binary(binary), list(args), env, startup_timeout, flags)

    # ---- process ---------------------------------------------------------------------------------------
    def _start(self, binary, args, env, startup_timeout, flags):
        flags = dict(flags)
        flags.setdefault("host", "127.0.0.1")
        flags.setdefault("port", 0)
        flags.setdefault("clock", "virtual")
        config = flags.pop("config", None)
        if isinstance(config, dict):
            fd, self._config_file = tempfile.mkstemp(prefix="imagine-emu-", suffix=".yaml")
            with os.fdopen(fd, "w") as f:
                json.dump(config, f)
            config = self._config_file
        flags["config"] = config
        command = [binary] + _flag_args(flags) + args
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, env=None if env is None else dict(os.environ, **env))
        # Never outlive the test process, even when stop() is forgotten.
        self._finalizer = weakref.finalize(self, _terminate, self._process)
        listening = threading.Event()
        found = []
        process, stderr_lines = self._process, self._stderr  # the threads must not keep self alive

        def read_stdout():
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").strip()
                if not found:
                    url = Emulator._listening_url(line)
                    if url:
                        found.append(url)
                        listening.set()
            listening.set()  # the process closed stdout (exited) without saying where it listens

        def read_stderr():
            for raw in process.stderr:
                stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

        readers = [threading.Thread(target=t, name="imagine-emu-" + t.__name__, daemon=True)
                   for t in (read_stdout, read_stderr)]
        for reader in readers:
            reader.start()
        if not listening.wait(startup_timeout) or not found:
            code = process.poll()
            if listening.is_set():  # stdout closed: the process is exiting; take its status and last words
                try:
                    code = process.wait(5)
                except subprocess.TimeoutExpired:
                    pass
                readers[1].join(5)
            self.stop()
            raise EmulatorError(0, "start_failed", "%s %s within %s s: %s" % (
                " ".join(command), "exited with status %s" % code if code is not None else "did not listen",
                startup_timeout, self.stderr_tail() or "(no output on stderr)"))
        self.url = found[0].rstrip("/")

    @staticmethod
    def _listening_url(line):
        """The base URL in the start-up line: text ("... listening on http://127.0.0.1:PORT (...)") or JSON."""
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                for key in ("url", "listening", "listen_url", "address"):
                    if isinstance(obj.get(key), str) and obj[key].startswith("http"):
                        return obj[key]
                text = obj.get("msg") or obj.get("message") or ""
                match = _LISTENING.search(text) if isinstance(text, str) else None
                return match.group(1) if match else None
        match = _LISTENING.search(line)
        return match.group(1) if match else None

    def stderr_tail(self, lines=20):
        """The emulator's last lines on stderr (its request log), when this object started it."""
        return "\n".join(list(self._stderr)[-lines:])

    def stop(self):
        """Stops the emulator this object started (SIGTERM, then SIGKILL after 5 s); attached: nothing."""
        process, self._process = self._process, None
        if process is not None:
            self._finalizer.detach()
            _terminate(process)
        if self._config_file:
            os.unlink(self._config_file)
            self._config_file = None

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return "Emulator(url=%r)" % self.url

    # ---- HTTP --------------------------------------------------------------------------------------------
    def request(self, method, path, /, body=None, **query):
        """One control-API call; answers the decoded JSON. POST and PUT always send a body ({} by default).
        ``method`` and ``path`` are positional only, so ``path`` (the journal's filter) can be a query parameter."""
        query = {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items() if v is not None}
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Accept": "application/json"}
        data = None
        if method in ("POST", "PUT") or body is not None:
            data = json.dumps({} if body is None else body).encode()
            headers["Content-Type"] = "application/json"
        if self._token:
            headers["Authorization"] = "Bearer " + self._token
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=self._http_timeout) as res:
                text = res.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            try:
                err = json.loads(text).get("error")
            except (ValueError, AttributeError):
                err = None
            if isinstance(err, dict):
                raise EmulatorError(e.code, err.get("code", ""), err.get("message", ""), method, path) from None
            raise EmulatorError(e.code, "http_error", err if isinstance(err, str) else text[:200], method, path) from None
        except (urllib.error.URLError, OSError) as e:
            raise EmulatorError(0, "unreachable", str(getattr(e, "reason", e)), method, path) from None
        return json.loads(text) if text else None

    def _task_path(self, task_id, action=""):
        return "/_emulator/tasks/" + urllib.parse.quote(task_id, safe="") + ("/" + action if action else "")

    # ---- emulator ----------------------------------------------------------------------------------------
    def health(self):
        return self.request("GET", "/_emulator/health")

    def version(self):
        """The running emulator's version string."""
        return self.request("GET", "/_emulator/version")["version"]

    def reset(self, key=None):
        """Forgets everything (tasks, usage, journal, callbacks, run-time rules and profiles), or one key's
        tasks, usage and journal. Answers the number of tasks removed. The clock is not reset."""
        return self.request("POST", "/_emulator/reset", {} if key is None else {"key": key})["removed_tasks"]

    def clock(self):
        """{"mode", "now_ms", "time_scale", "pending_timers"}."""
        return self.request("GET", "/_emulator/clock")

    def advance(self, seconds):
        """Moves a virtual clock forward (timers, tasks and callback retries fire on the way); answers clock()."""
        return self.request("POST", "/_emulator/clock", {"advance_seconds": seconds})

    def is_virtual(self):
        if self._virtual is None:
            self._virtual = self.clock()["mode"] == "virtual"
        return self._virtual

    # ---- scenarios and keys ------------------------------------------------------------------------------
    def scenario(self, name, key=None, times=None, *, provider=None, endpoint=None, model=None,
                 prompt_contains=None, seconds=None, **params):
        """Arms a scenario with a run-time rule: ``scenario("maintenance", key="k", times=2)``,
        ``scenario("generation_failed", fail_at="queuing")``. ``provider``, ``endpoint`` ("create"/"query"),
        ``model`` and ``prompt_contains`` narrow the rule; ``seconds`` makes it lapse that long after it was
        added, on the emulator's clock; other keywords are the scenario's parameters.
        Answers the rule with its id."""
        rule = {"scenario": _scenario_spec(name, params)}
        for field, value in (("key", key), ("times", times), ("provider", provider), ("endpoint", endpoint),
                             ("model", model), ("prompt_contains", prompt_contains), ("for_s", seconds)):
            if value is not None:
                rule[field] = value
        return self.request("POST", "/_emulator/scenarios/rules", rule)

    def clear_scenarios(self):
        """Removes every scenario rule (config ones too, until reset()); answers how many."""
        return self.request("DELETE", "/_emulator/scenarios/rules")["removed"]

    def scenarios(self):
        """{"scenarios": the catalog, "rules": the armed rules, "chaos": ...}."""
        return self.request("GET", "/_emulator/scenarios")

    # ---- outages ------------------------------------------------------------------------------------------
    def base_url(self, provider):
        """A provider's own base URL: apikley -> <url>/apikley, evolink -> <url>/evolink, xai -> <url>/xai/v1."""
        if provider not in PROVIDER_BASES:
            raise ValueError("provider must be one of %s (got %r)" % (", ".join(PROVIDER_BASES), provider))
        return self.url + PROVIDER_BASES[provider]

    def outage(self, provider, kind="maintenance", seconds=None, requests=None):
        """Takes one provider down while the others work: ``outage("evolink", seconds=60)``. ``kind`` is
        maintenance, server_error or rate_limited (every create and status query answers that error in the
        provider's own words) or failing (creates are accepted, their tasks fail while generating). It ends
        after ``seconds`` on the emulator's clock and/or ``requests`` requests, else at restore(); it replaces
        the provider's earlier outage. Answers {"outage": ..., "rules": [the scenario rule it made]}."""
        body = {"provider": provider, "kind": kind}
        if seconds is not None:
            body["for_s"] = seconds
        if requests is not None:
            body["times"] = requests
        return self.request("POST", "/_emulator/outages", body)

    def outages(self):
        """The active outages: [{"provider", "kind", "rule", "scenario", "remaining_s"?, "remaining_requests"?, ...}]."""
        return self.request("GET", "/_emulator/outages")["outages"]

    def restore(self, provider=None):
        """Ends one provider's outage, or every provider's; answers how many were ended."""
        path = "/_emulator/outages" + ("" if provider is None else "/" + urllib.parse.quote(provider, safe=""))
        return self.request("DELETE", path)["removed"]

    def set_key(self, key, **profile):
        """Replaces a key's profile (credits, revoked, allowed_models, user_group, webhook_hmac_key,
        default_scenario, callback_faults, rate_limits) and resets its balance; answers key(key)."""
        return self.request("PUT", "/_emulator/keys/" + urllib.parse.quote(key, safe=""), profile)

    def key(self, key):
        """{"key", "profile", "balance": {"remaining", "used"}}."""
        return self.request("GET", "/_emulator/keys/" + urllib.parse.quote(key, safe=""))

    # ---- tasks -------------------------------------------------------------------------------------------
    def task(self, task_id):
        """The task with its history, request and failure (GET /_emulator/tasks/{id})."""
        return self.request("GET", self._task_path(task_id))

    def tasks(self, provider=None, key=None, model=None, state=None, limit=1000):
        """Task summaries, filtered; ``key`` is the full API key."""
        return self.request("GET", "/_emulator/tasks", provider=provider, key=key, model=model, state=state,
                            limit=limit)["tasks"]

    def complete(self, task_id):
        """Ends the task now with success; answers task()."""
        return self.request("POST", self._task_path(task_id, "complete"))

    def fail(self, task_id, code=None, message=None, reason=None):
        """Ends the task now with a failure (``reason`` neutral, default generation_failed; ``code`` and
        ``message`` override the provider's words); answers task()."""
        body = {k: v for k, v in (("reason", reason), ("code", code), ("message", message)) if v is not None}
        return self.request("POST", self._task_path(task_id, "fail"), body)

    def advance_task(self, task_id):
        """Moves the task to its next state now; answers task()."""
        return self.request("POST", self._task_path(task_id, "advance"))

    def cancel(self, task_id):
        """Cancels the task now (fails with request_cancelled); answers task()."""
        return self.request("POST", self._task_path(task_id, "cancel"))

    def wait_until_terminal(self, task_id, timeout=30.0, advance=True):
        """Answers task() once it has succeeded or failed. On a virtual clock (and ``advance``) it moves the
        clock to the task's planned finish; otherwise it polls. ``timeout`` is in real seconds; a task still
        running then (stuck, or a clock nobody moves) raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.task(task_id)
            if task["state"] in TERMINAL_STATES:
                return task
            if advance and task.get("finished_ms") is not None and self.is_virtual():
                now = self.clock()["now_ms"]
                self.advance(max(task["finished_ms"] - now, 1) / 1000.0)
                continue
            if time.monotonic() >= deadline:
                raise TimeoutError("task %s is still %s after %s s%s" % (
                    task_id, task["state"], timeout,
                    " (no planned finish: stuck?)" if task.get("finished_ms") is None else ""))
            time.sleep(0.05)

    # ---- journal and callbacks ---------------------------------------------------------------------------
    def journal(self, **filters):
        """Journal entries, oldest first. Filters: kind ("request", "state", "callback"), path (exact, or a
        prefix ending in *), key (the full API key), task_id, status, since (a seq cursor), limit. Without
        ``limit`` it pages through everything."""
        if "limit" in filters:
            return self.request("GET", "/_emulator/journal", **filters)["entries"]
        entries, page = [], 1000
        while True:
            r = self.request("GET", "/_emulator/journal", limit=page, **filters)
            entries += r["entries"]
            if len(r["entries"]) < page:
                return entries
            filters["since"] = r["next_cursor"]

    def callbacks(self, task_id=None):
        """Callback attempts (headers, body, status, outcome, ...), oldest first."""
        return self.request("GET", "/_emulator/callbacks", task_id=task_id)["attempts"]

    # ---- assertions --------------------------------------------------------------------------------------
    def assert_created(self, n, key=None, provider=None, model=None):
        """Asserts that exactly ``n`` tasks exist (since the last reset) for these filters."""
        tasks = self.tasks(provider=provider, key=key, model=model)
        if len(tasks) != n:
            which = ", ".join("%s=%s" % kv for kv in (("key", key), ("provider", provider), ("model", model)) if kv[1])
            listed = "; ".join("%s %s %s" % (t["id"], t["model"], t["state"]) for t in tasks[:10])
            raise AssertionError("expected %d task(s) created%s, found %d%s" % (
                n, " for " + which if which else "", len(tasks), ": " + listed if listed else ""))

    def assert_no_query_after_terminal(self, task_id):
        """Asserts that no status query for the task came after the first one whose answer showed it
        succeeded or failed (the conformance suite's no_query_after_terminal). Holds when no query saw it."""
        queries = [e for e in self.journal(kind="request", task_id=task_id) if e.get("operation") in _QUERY_OPERATIONS]
        for i, entry in enumerate(queries):
            state = terminal_seen(entry)
            if state:
                after = queries[i + 1:]
                if after:
                    raise AssertionError("%d status quer%s for task %s after seq %d saw it %s (first: seq %d %s %s)" % (
                        len(after), "y" if len(after) == 1 else "ies", task_id, entry["seq"], state,
                        after[0]["seq"], after[0].get("method", ""), after[0].get("path", "")))
                return

