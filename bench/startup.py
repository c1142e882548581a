#!/usr/bin/env python3
"""Benchmark (not a test): cold start of imagine-emu binaries, measured in one run.

For each binary, N times in alternation (each round starting with the next binary): from exec (`--port P --log-level off`, the embedded
default config) to the first answered request: a GET /_emulator/health on a loopback port the
script picked, tried again at once while the connection is refused (so no wait on the
listening line or on a sleep is measured); and `--version` to exit, the floor (loading the
program and its libraries). Beside each wall time, the CPU time the process used (all its
threads, user and system): read from its CPU clock the moment the answer arrives, and from
wait4's rusage for --version. Wall time swings with the machine's load (other processes take
the cores); CPU time much less, so it shows a change on a busy machine. Prints the median of
each and each binary's ratios to the first (give an older binary first to compare:
`bench/startup.py OLD NEW`).

With --retry-every US, a refused connection is retried after US microseconds instead of at once,
so that the measuring process does not keep a core busy while the emulator starts (it adds up to
US to each measurement); the default, 0, retries at once.

  bench/startup.py [--runs 20] [--retry-every US] BINARY [BINARY...]      e.g. bench/startup.py /tmp/imagine-emu-old build/imagine-emu
"""
import argparse
import os
import socket
import statistics
import subprocess
import time

REQUEST = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_clock(pid):
    """The CPU-time clock of process `pid` (all its threads): clock_getcpuclockid(3)'s id."""
    return ((~pid) << 3) | 2  # CPUCLOCK_SCHED of the whole process


def first_answer_ms(binary, retry_every_us=0):
    """Exec to the first complete answer of GET /_emulator/health, in ms of wall time, and the
    CPU time the process had used by then, in ms."""
    port = free_port()
    t = time.perf_counter()
    p = subprocess.Popen([binary, "--port", str(port), "--log-level", "off"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        while True:
            if p.poll() is not None:
                raise SystemExit(f"{binary}: exited ({p.returncode}) before answering")
            try:
                with socket.create_connection(("127.0.0.1", port)) as s:
                    s.sendall(REQUEST)
                    answer = b""
                    while chunk := s.recv(65536):
                        answer += chunk
                if answer.startswith(b"HTTP/1.1 200"):
                    wall = (time.perf_counter() - t) * 1000
                    return wall, time.clock_gettime(cpu_clock(p.pid)) * 1000
                raise SystemExit(f"{binary}: health answered {answer[:40]!r}")
            except (ConnectionRefusedError, ConnectionResetError):
                if retry_every_us:
                    time.sleep(retry_every_us / 1e6)
                continue
    finally:
        p.terminate()
        p.wait()


def version_ms(binary):
    """`binary --version` to exit: wall ms and CPU ms."""
    t = time.perf_counter()
    p = subprocess.Popen([binary, "--version"], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{binary} --version: exited ({p.returncode})")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--retry-every", type=int, default=0, metavar="US",
                    help="retry a refused connection after US microseconds (default: at once)")
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    starts = {b: [] for b in args.binaries}
    floors = {b: [] for b in args.binaries}
    for r in range(args.runs):
        # Each round starts with the next binary: with a fixed order, a binary against its own copy
        # measured 1.09x in wall time in second place (30 rounds; 1.00x rotated).
        k = r % len(args.binaries)
        for b in args.binaries[k:] + args.binaries[:k]:
            starts[b].append(first_answer_ms(b, args.retry_every))
            floors[b].append(version_ms(b))

    def medians(runs):
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    first_start, first_start_cpu = medians(starts[args.binaries[0]])
    first_floor, first_floor_cpu = medians(floors[args.binaries[0]])
    retry = f"refused connections retried after {args.retry_every} us" if args.retry_every else "retried at once"
    print(f"load average {os.getloadavg()[0]:.2f} at the end; {retry}")
    for b in args.binaries:
        (s, s_cpu), (f, f_cpu) = medians(starts[b]), medians(floors[b])
        print(f"{b}: exec to first answered request median {s:.1f} ms (CPU {s_cpu:.1f} ms), --version median {f:.1f} ms"
              f" (CPU {f_cpu:.1f} ms) ({args.runs} runs); ratios to the first: start {s / first_start:.2f}x"
              f" (CPU {s_cpu / first_start_cpu:.2f}x), --version {f / first_floor:.2f}x (CPU {f_cpu / first_floor_cpu:.2f}x)")


if __name__ == "__main__":
    main()
