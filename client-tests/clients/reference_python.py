#!/usr/bin/python3
"""reference_python.py: the conformance suite's reference client in Python, standard library only.

It follows the contract of client-tests/README.md: reads the IMAGINE_* environment variables,
creates one Grok Imagine image-to-video task on Apikley, Evolink or xAI, waits for it by polling or,
when IMAGINE_CALLBACK_URL is set, by callback (with a slow fallback poll), downloads the result,
prints its URL and exits 0; any failure prints the provider's message on stderr and exits 1.

To test your own client library instead, keep main() and the Failure handling and replace
Client.run() with a call into your library (client-tests/README.md, "Wrapping a client library").
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_RETRIES = 4           # retries of a 429/455/5xx answer, per request
FALLBACK_POLL_FACTOR = 4  # callback mode polls this many times less often
LINGER_POLLS = 3          # callback mode: keep answering deliveries this many poll intervals ...
MAX_LINGER_S = 2.0        # ... at most this long, after the outcome is known (a duplicate gets 2xx)


class Failure(Exception):
    """Ends the run: the message is printed on stderr, the exit status is 1."""


def env_int(name, default):
    text = os.environ.get(name, "")
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise Failure(f'{name} must be a positive integer (got "{text}")')
    return int(text)


def task_view(provider, task):
    """(terminal, url or None, state, failure message) of an Apikley `data`, an Evolink task or an xAI request."""
    task = task if isinstance(task, dict) else {}
    if provider == "xai":  # docs.x.ai: status pending|processing|done|failed|expired
        state = task.get("status") or ""
        if state == "done":
            url = (task.get("video") or {}).get("url")
            return True, url, state, "" if url else "request done without video.url"
        if state == "failed":
            error = task.get("error") or {}
            return True, None, state, error.get("message") or f"request failed ({error.get('code')})"
        if state == "expired":
            return True, None, state, "the request expired before it was fetched"
        return False, None, state, ""
    if provider == "apikley":
        state = task.get("state") or ""
        if state == "success":
            try:  # resultJson is a JSON *string*
                return True, json.loads(task.get("resultJson") or "")["resultUrls"][0], state, ""
            except (ValueError, KeyError, IndexError, TypeError):
                return True, None, state, "task succeeded but its resultJson holds no result URL"
        if state == "fail":
            return True, None, state, task.get("failMsg") or f"task failed (failCode {task.get('failCode')})"
        return False, None, state, ""
    state = task.get("status") or ""
    if state == "completed":
        results = task.get("results") or []
        return True, (results[0] if results else None), state, "" if results else "task completed without results"
    if state == "failed":
        return True, None, state, (task.get("error") or {}).get("message") or "task failed"
    return False, None, state, ""


class Receiver:
    """Answers every POST on the callback URL's path with 200 and remembers what arrived."""

    def __init__(self, provider, url):
        parts = urllib.parse.urlsplit(url)
        self.provider, self.path = provider, parts.path or "/"
        self.cond = threading.Condition()
        self.deliveries, self.terminal = {}, {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urllib.parse.urlsplit(self.path).path == receiver.path:
                    receiver.record(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"code":200,"msg":"success"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((parts.hostname, parts.port or 80), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def record(self, raw):
        try:
            body = json.loads(raw)
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        task = body.get("data") if self.provider == "apikley" else body
        task_id = (task or {}).get("taskId" if self.provider == "apikley" else "id")
        if not task_id:
            return
        with self.cond:
            self.deliveries[task_id] = self.deliveries.get(task_id, 0) + 1
            view = task_view(self.provider, task)
            if view[0]:
                self.terminal.setdefault(task_id, view)  # the first terminal delivery wins
            self.cond.notify_all()

    def wait(self, predicate, until):
        with self.cond:
            self.cond.wait_for(predicate, max(0.0, until - time.monotonic()))
            return predicate()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Client:
    def __init__(self):
        env = os.environ
        self.provider = env.get("IMAGINE_PROVIDER", "")
        if self.provider not in ("apikley", "evolink", "xai"):
            raise Failure(f'IMAGINE_PROVIDER must be apikley, evolink or xai (got "{self.provider}")')
        self.base_url = env.get("IMAGINE_BASE_URL", "").rstrip("/")
        self.api_key, self.model = env.get("IMAGINE_API_KEY", ""), env.get("IMAGINE_MODEL", "")
        for name, value in (("IMAGINE_BASE_URL", self.base_url), ("IMAGINE_API_KEY", self.api_key),
                            ("IMAGINE_MODEL", self.model)):
            if not value:
                raise Failure(f"{name} is not set")
        self.prompt, self.image_url = env.get("IMAGINE_PROMPT", ""), env.get("IMAGINE_IMAGE_URL", "")
        self.callback_url = env.get("IMAGINE_CALLBACK_URL", "")
        self.poll_s = env_int("IMAGINE_POLL_INTERVAL_MS", 2000) / 1000
        self.retry_s = env_int("IMAGINE_RETRY_BASE_MS", 1000) / 1000
        self.max_wait_s = env_int("IMAGINE_MAX_WAIT_S", 600)
        self.deadline = time.monotonic() + self.max_wait_s
        self.last_sent = self.last_answer = time.monotonic()
        self.task_id = ""

    def send(self, create, task_id=""):
        """One request; returns (verdict, code, body, message), verdict ok|retry|not_ready|fatal."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        data = None
        if create and self.provider == "apikley":
            path = "/api/v1/jobs/createTask"
            body = {"model": self.model, "input": {"prompt": self.prompt, "image_urls": [self.image_url]}}
            if self.callback_url:
                body["callBackUrl"] = self.callback_url
        elif create and self.provider == "xai":  # docs.x.ai: image-to-video is image: {url}
            path = "/v1/videos/generations"
            body = {"model": self.model, "prompt": self.prompt, "image": {"url": self.image_url}}
        elif create:
            path = "/v1/videos/generations"
            body = {"model": self.model, "prompt": self.prompt, "image_urls": [self.image_url]}
            if self.callback_url:
                body["callback_url"] = self.callback_url
        elif self.provider == "apikley":
            path = "/api/v1/jobs/recordInfo?taskId=" + urllib.parse.quote(task_id, safe="")
        elif self.provider == "xai":
            path = "/v1/videos/" + urllib.parse.quote(task_id, safe="")
        else:
            path = "/v1/tasks/" + urllib.parse.quote(task_id, safe="")
        if create:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers)
        self.last_sent = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            self.last_answer = time.monotonic()
            return "retry", 0, None, f"no answer from {self.base_url}: {e}"
        self.last_answer = time.monotonic()
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        answer = answer if isinstance(answer, dict) else {}
        if self.provider == "apikley":
            # Apikley answers HTTP 200 even for errors: the body's code is the outcome.
            code = answer.get("code") if isinstance(answer.get("code"), int) else status
            message = answer.get("msg") or f"HTTP {status}, code {code}"
            if code == 200 and status == 200:
                return "ok", code, answer, ""
            if not create and code == 422 and answer.get("msg") == "recordInfo is null":
                return "not_ready", code, answer, message  # a live quirk right after creation
            if code in (429, 455, 500) or ("code" not in answer and status >= 500):
                return "retry", code, answer, message
            return "fatal", code, answer, message
        error = answer.get("error")  # Evolink: {"error": {"message"}}; xAI: {"code", "error": "..."}
        message = (error if isinstance(error, str) else (error or {}).get("message")) or f"HTTP {status}"
        if status == 200:
            return "ok", status, answer, ""
        if not create and status == 404:
            return "not_ready", status, answer, message  # not visible yet right after creation
        return ("retry" if status == 429 or status >= 500 else "fatal"), status, answer, message

    def send_with_retry(self, create, task_id=""):
        """send(), retrying 429/455/5xx at most MAX_RETRIES times with growing delays (from
        IMAGINE_RETRY_BASE_MS, doubling; each gap also 1.5x the one before), never past the deadline."""
        delay, gap, previous_sent = self.retry_s, 0.0, 0.0
        for retry in range(MAX_RETRIES + 1):
            verdict, code, body, message = self.send(create, task_id)
            if verdict != "retry":
                return verdict, code, body, message
            if retry == MAX_RETRIES:
                return "fatal", code, body, f"{message} (still failing after {MAX_RETRIES} retries)"
            if retry > 0:
                gap = self.last_sent - previous_sent
            wake = max(self.last_answer + delay, self.last_sent + gap * 1.5)
            if wake > self.deadline:
                return "fatal", code, body, f"{message} (no time left to retry within IMAGINE_MAX_WAIT_S)"
            time.sleep(max(0.0, wake - time.monotonic()))
            previous_sent, delay = self.last_sent, delay * 2
        raise AssertionError("unreachable")

    def download(self, url):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                if response.status == 200 and response.read():
                    return
                raise Failure(f"downloading {url} answered HTTP {response.status} with no content")
        except urllib.error.HTTPError as e:
            raise Failure(f"downloading {url} answered HTTP {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            raise Failure(f"downloading {url} failed: {e}") from None

    def run(self):
        receiver = Receiver(self.provider, self.callback_url) if self.callback_url else None
        try:
            verdict, _, body, message = self.send_with_retry(create=True)
            if verdict != "ok":
                raise Failure(message)
            if self.provider == "apikley":
                task_id = (body.get("data") or {}).get("taskId")
            else:
                task_id = body.get("request_id" if self.provider == "xai" else "id")
            if not task_id:
                raise Failure("the create answer carries no task id")
            self.task_id = task_id
            interval = self.poll_s * (FALLBACK_POLL_FACTOR if receiver else 1)
            last_state, last_message = "created", ""
            while True:
                next_query = min(self.last_answer + interval, self.deadline)
                if receiver and receiver.wait(lambda: task_id in receiver.terminal, next_query):
                    view = receiver.terminal[task_id]
                    break
                time.sleep(max(0.0, next_query - time.monotonic()))
                if time.monotonic() >= self.deadline:
                    raise Failure(f"gave up after {self.max_wait_s} s waiting for task {task_id} "
                                  f"(last state: {last_state})" + (f": {last_message}" if last_message else ""))
                verdict, _, answer, message = self.send_with_retry(create=False, task_id=task_id)
                if verdict == "fatal":
                    raise Failure(message)
                if verdict == "not_ready":
                    last_message = message
                    continue
                view = task_view(self.provider, answer.get("data") if self.provider == "apikley" else answer)
                last_message, last_state = "", view[2] or last_state
                if view[0]:
                    break
            terminal, url, state, failure = view
            if not url:
                raise Failure(failure)
            try:
                self.download(url)
            except Failure as e:
                raise Failure(f"task {task_id} succeeded but {e}") from None
            print(url, flush=True)
            return 0
        finally:
            if receiver:  # answer the callback (and a duplicate) before leaving
                linger = min(MAX_LINGER_S, self.poll_s * LINGER_POLLS)
                if self.task_id:
                    receiver.wait(lambda: receiver.deliveries.get(self.task_id, 0) >= 2, time.monotonic() + linger)
                receiver.stop()


def main():
    try:
        return Client().run()
    except Failure as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
