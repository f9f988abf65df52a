#!/usr/bin/env python3
"""Time `accord serve` from launch to its first /healthz answer on an existing database, and its
resident memory once idle. Usage: python3 bench/serve_startup.py [PATH_TO_ACCORD] [RUNS]

Builds nothing: give it a release binary (`cargo build --release`). It seeds a demo database in a
temporary directory first, so the server starts on an existing, migrated database.
"""
import os, re, statistics, subprocess, sys, tempfile, time, urllib.request

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/accord"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10

with tempfile.TemporaryDirectory() as d:
    base = [binary, "--database", f"sqlite://{d}/accord.db", "--audit-key-file", f"{d}/accord.key"]
    subprocess.run(base + ["demo", "--seed-only"], check=True, stdout=subprocess.DEVNULL)
    starts, rss = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(base + ["serve", "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        addr = re.search(r"http://(\S+)", line).group(1)
        while True:
            try:
                with urllib.request.urlopen(f"http://{addr}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.002)
        starts.append(time.perf_counter() - t0)
        time.sleep(2)
        with open(f"/proc/{p.pid}/status") as f:
            rss.append(int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) / 1024)
        p.terminate()
        p.wait()
    print(f"serve start to first /healthz over {runs} runs: median {statistics.median(starts)*1000:.0f} ms, "
          f"max {max(starts)*1000:.0f} ms")
    print(f"idle RSS after 2 s: median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB")
