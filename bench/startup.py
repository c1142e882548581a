#!/usr/bin/env python3
"""Benchmark (not a test): cold start of imagine-emu binaries, measured in one run.

For each binary, N times in alternation: exec with `--port 0` and the embedded default config, until its
listening line is read from stdout; and `--version` to exit, the floor (loading the program and its
libraries). Prints the median of each, and each binary's ratio to the first.

  bench/startup.py [--runs 20] BINARY [BINARY...]      e.g. bench/startup.py /tmp/imagine-emu-old build/imagine-emu
"""
import argparse
import statistics
import subprocess
import time


def start_ms(binary):
    t = time.perf_counter()
    p = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for line in p.stdout:
            if b"listening" in line:
                return (time.perf_counter() - t) * 1000
        raise SystemExit(f"{binary}: exited without a listening line")
    finally:
        p.terminate()
        p.wait()


def version_ms(binary):
    t = time.perf_counter()
    subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    starts = {b: [] for b in args.binaries}
    floors = {b: [] for b in args.binaries}
    for _ in range(args.runs):
        for b in args.binaries:
            starts[b].append(start_ms(b))
            floors[b].append(version_ms(b))
    first = statistics.median(starts[args.binaries[0]])
    for b in args.binaries:
        s = statistics.median(starts[b])
        print(f"{b}: start to listening median {s:.1f} ms, --version median {statistics.median(floors[b]):.1f} ms"
              f" ({args.runs} runs), start ratio to the first {s / first:.2f}x")


if __name__ == "__main__":
    main()
