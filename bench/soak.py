#!/usr/bin/env python3
"""Soak: runs the emulator under mixed load for a while and prints its resource curve.

Load (loopback only): Apikley and Evolink creates, half of them with callbacks to a good
receiver, a slow one (answers after 3 s), a trickling one (one byte a second), a black hole
(accepts, never answers) and a dead port (refused); polls of the created tasks; control-API
reads (tasks, callbacks, metrics, journal). The real clock runs at --time-scale 60 so tasks
finish and callbacks fire. Every 10 s it samples the process's RSS, open fds and threads
(/proc) and prints one row; at the end, the first and last rows' ratio.

  bench/soak.py [--seconds 600] [--binary build/imagine-emu] [--workers 4]
                [--max-stored-tasks N] [--state-dir DIR]

With --max-stored-tasks the store fills during the run; the last line then compares the RSS
when it first held N tasks with the RSS at the end. --state-dir runs it with a state
directory (the log is compacted into snapshots as it grows) and prints the directory's size.

It measures; it asserts nothing. Memory is flat only once the store and the journal reach
their bounds (journal.capacity; the task store's bound is its own work).
"""
import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def serve(handler):
    """A loopback listener on an ephemeral port; `handler(conn)` runs per connection."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(512)

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def read_request(c):
    c.settimeout(30)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                return
            data += chunk
    except OSError:
        pass


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


def good(c):
    read_request(c)
    try:
        c.sendall(OK)
    finally:
        c.close()


def slow(c):
    read_request(c)
    time.sleep(3)
    try:
        c.sendall(OK)
    except OSError:
        pass
    c.close()


def trickle(c):
    read_request(c)
    try:
        for b in OK:
            c.sendall(bytes([b]))
            time.sleep(1)
    except OSError:
        pass
    c.close()


def black_hole(c):
    read_request(c)
    time.sleep(120)
    c.close()


def dead_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: connection refused
    return port


def sample(pid):
    rss_kb, threads = 0, 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb / 1024.0, fds, threads


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.n = {}

    def add(self, key):
        with self.lock:
            self.n[key] = self.n.get(key, 0) + 1

    def snapshot(self):
        with self.lock:
            return dict(self.n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "build", "imagine-emu"))
    ap.add_argument("--workers", type=int, default=4, help="load threads")
    ap.add_argument("--max-stored-tasks", type=int, default=0, help="tasks.max_stored (0 = the default)")
    ap.add_argument("--state-dir", default="", help="run with --state-dir DIR")
    args = ap.parse_args()

    receivers = {
        "good": f"http://127.0.0.1:{serve(good)}/cb",
        "slow": f"http://127.0.0.1:{serve(slow)}/cb",
        "trickle": f"http://127.0.0.1:{serve(trickle)}/cb",
        "black_hole": f"http://127.0.0.1:{serve(black_hole)}/cb",
        "dead": f"http://127.0.0.1:{dead_port()}/cb",
    }
    config = os.path.join("/tmp", f"imagine-soak-{os.getpid()}.yaml")
    with open(config, "w") as f:
        f.write("evolink: {allow_private_callbacks: true}\n"
                "callbacks: {evolink: {timeout_s: 5, retries_s: [1, 2]}, apikley: {timeout_s: 5, retries_s: []}}\n"
                "log_level: warn\n")
    extra = []
    if args.max_stored_tasks:
        extra += ["--max-stored-tasks", str(args.max_stored_tasks)]
    if args.state_dir:
        extra += ["--state-dir", args.state_dir]
    proc = subprocess.Popen([args.binary, "--config", config, "--port", "0", "--time-scale", "60"] + extra,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    for line in proc.stdout:
        if " listening on " in line:
            port = int(line.split(" listening on ")[1].split()[0].rsplit(":", 1)[1])
            break
    if port is None:
        print("soak: the emulator did not start", file=sys.stderr)
        return 2
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # drain logs

    stop = threading.Event()
    counts = Counter()
    ids = []
    ids_lock = threading.Lock()

    def call(conn, method, path, body=None, key="soak-key"):
        headers = {"Authorization": "Bearer " + key}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read()
        return r.status, text

    def load(worker):
        rnd = random.Random(worker)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            try:
                op = rnd.random()
                key = f"soak-key-{rnd.randrange(1000)}"  # many keys: the rate limits and credits are per key
                hook = receivers[rnd.choice(list(receivers))] if rnd.random() < 0.5 else None
                if op < 0.3:
                    body = {"model": "grok-imagine/text-to-video", "input": {"prompt": "soak"}}
                    if hook:
                        body["callBackUrl"] = hook
                    status, text = call(conn, "POST", "/api/v1/jobs/createTask", body, key)
                    tid = json.loads(text).get("data", {}) or {}
                    if tid.get("taskId"):
                        with ids_lock:
                            ids.append(("a", tid["taskId"], key))
                    counts.add("create")
                elif op < 0.6:
                    body = {"model": "grok-imagine-text-to-video", "prompt": "soak"}
                    if hook:
                        body["callback_url"] = hook
                    status, text = call(conn, "POST", "/v1/videos/generations", body, key)
                    j = json.loads(text)
                    if j.get("id"):
                        with ids_lock:
                            ids.append(("e", j["id"], key))
                    counts.add("create")
                elif op < 0.9:
                    with ids_lock:
                        pick = rnd.choice(ids[-2000:]) if ids else None
                    if pick:
                        kind, tid, key = pick
                        path = f"/api/v1/jobs/recordInfo?taskId={tid}" if kind == "a" else f"/v1/tasks/{tid}"
                        call(conn, "GET", path, None, key)
                    counts.add("query")
                else:
                    path = rnd.choice(["/_emulator/tasks?limit=50", "/_emulator/callbacks?task_id=none",
                                       "/_emulator/metrics", "/_emulator/journal?limit=50"])
                    call(conn, "GET", path)
                    counts.add("admin")
            except (OSError, http.client.HTTPException, ValueError):
                counts.add("error")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(args.workers)]
    for t in threads:
        t.start()
    print(f"soak: {args.seconds} s, {args.workers} load threads, emulator pid {proc.pid} on port {port}")
    print(f"{'t_s':>5} {'rss_mb':>8} {'fds':>5} {'threads':>7} {'tasks':>7} {'creates':>8} {'queries':>8} "
          f"{'admin':>6} {'errors':>6} {'cb_attempts':>11} {'cb_pending':>10} {'cb_in_flight':>12}")
    rows = []
    start = time.monotonic()
    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        while True:
            elapsed = time.monotonic() - start
            rss, fds, nthreads = sample(proc.pid)
            try:
                _, health = call(probe, "GET", "/_emulator/health")
                _, cbs = call(probe, "GET", "/_emulator/callbacks?task_id=none")
                tasks = json.loads(health)["tasks"]
                stats = json.loads(cbs)["stats"]
            except (OSError, http.client.HTTPException, ValueError):
                probe.close()
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                tasks, stats = -1, {}
            c = counts.snapshot()
            row = (int(elapsed), rss, fds, nthreads, tasks)
            rows.append(row)
            print(f"{row[0]:>5} {rss:>8.1f} {fds:>5} {nthreads:>7} {tasks:>7} {c.get('create', 0):>8} "
                  f"{c.get('query', 0):>8} {c.get('admin', 0):>6} {c.get('error', 0):>6} "
                  f"{stats.get('attempts', 0):>11} {stats.get('pending', 0):>10} {stats.get('in_flight', 0):>12}",
                  flush=True)
            if elapsed >= args.seconds:
                break
            time.sleep(max(0.0, 10 - (time.monotonic() - start - elapsed)))
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.remove(config)
    if len(rows) >= 2:
        first, last = rows[1] if len(rows) > 2 else rows[0], rows[-1]
        print(f"soak: rss {first[1]:.1f} -> {last[1]:.1f} MB (x{last[1] / max(first[1], 0.1):.2f} from t={first[0]} s), "
              f"fds {first[2]} -> {last[2]}, threads {first[3]} -> {last[3]}, tasks {last[4]}")
        full = next((r for r in rows if args.max_stored_tasks and r[4] >= args.max_stored_tasks), None)
        if full is not None and full is not last:
            after = [r[1] for r in rows if r[0] >= full[0]]
            print(f"soak: store full ({args.max_stored_tasks} tasks) from t={full[0]} s: rss {full[1]:.1f} -> {last[1]:.1f} MB "
                  f"(x{last[1] / max(full[1], 0.1):.2f}; min {min(after):.1f}, max {max(after):.1f} over {len(after)} samples)")
        elif args.max_stored_tasks:
            print(f"soak: the store never held {args.max_stored_tasks} tasks (last: {last[4]})")
        if args.state_dir:
            size = sum(os.path.getsize(os.path.join(args.state_dir, f)) for f in os.listdir(args.state_dir))
            print(f"soak: state directory {args.state_dir}: {size / 1e6:.1f} MB in {sorted(os.listdir(args.state_dir))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
