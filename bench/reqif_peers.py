#!/usr/bin/env python3
"""ReqIF benchmarks of Accord against the peers of issue 5, measured side by side in one run.

    bench/peers.sh                                   # once: the peers in a virtual environment
    cargo build --release
    python3 bench/reqif_peers.py [--sizes 10000,100000] [--runs 3]

For each size, a deterministic file from ../shared/tools/gen_reqif.py (kept in a work directory
outside the repository), then, each run as its own process, timed (wall clock) with its peak
resident memory (the kernel's maximum RSS of that child, from wait4):
  parse   `accord reqif check FILE`            vs  reqif 0.1.0  `ReqIFParser.parse(FILE)`
  import  `accord import reqif FILE` (SQLite, one transaction, audited per record, into a copy of
          a seeded demo database)            vs  strictdoc 0.30.4 `strictdoc convert FILE OUT`
  export  `accord export reqif` of that import (no peer figure required; target < 10 s at 100k)
  html    `accord export specification` of that import (one printable HTML file)
                                             vs  strictdoc 0.30.4 `strictdoc export --formats html`
          of the document its convert step wrote, with the settings that make it fastest: one
          process (--no-parallelization) and no TABLE/TRACE/DEEP-TRACE pages (features = []), a
          fresh output directory each run (its cache lives there). Sizes up to --html-max only
          (default 10,000: strictdoc takes minutes), --html-peer-runs runs of strictdoc (default 1).
Prints a Markdown table with the medians and the ratios (peer / Accord).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
ACCORD = os.path.join(ROOT, "target", "release", "accord")
VENV = os.environ.get("ACCORD_PEERS_VENV", os.path.expanduser("~/.cache/accord-peers"))
WORK = os.environ.get("ACCORD_BENCH_DIR", "/tmp/accord-reqif-bench")
HANNAH = "hannah.weber@northwind-bio.example"


def measure(cmd, cwd=None):
    """(seconds, peak RSS in MiB) of one run of cmd; fails loudly when cmd does."""
    started = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - started
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(runs, make_cmd, prepare=None):
    times, mems = [], []
    for i in range(runs):
        cwd = prepare(i) if prepare else None
        t, m = measure(make_cmd(i), cwd)
        times.append(t)
        mems.append(m)
    return statistics.median(times), max(mems)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-strictdoc", action="store_true", help="skip strictdoc convert (slow)")
    ap.add_argument("--html-max", type=int, default=10000)
    ap.add_argument("--html-peer-runs", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(ACCORD):
        sys.exit(f"{ACCORD} is missing: cargo build --release")
    py = os.path.join(VENV, "bin", "python")
    strictdoc = os.path.join(VENV, "bin", "strictdoc")
    if not os.path.exists(py):
        sys.exit(f"{VENV} is missing: bench/peers.sh")
    os.makedirs(WORK, exist_ok=True)
    # A seeded demo database to copy for each import.
    seed = os.path.join(WORK, "seed")
    if not os.path.exists(os.path.join(seed, "accord.db")):
        os.makedirs(seed, exist_ok=True)
        subprocess.run([ACCORD, "--database", "sqlite://accord.db", "demo", "--seed-only"], cwd=seed,
                       check=True, stdout=subprocess.DEVNULL)
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        f = os.path.join(WORK, f"gen-{n}.reqif")
        if not os.path.exists(f):
            subprocess.run([sys.executable, os.path.join(SHARED, "tools", "gen_reqif.py"), str(n), f], check=True)
        mb = os.path.getsize(f) / 1e6
        ours = median_of(a.runs, lambda i: [ACCORD, "reqif", "check", f])
        peer = median_of(a.runs, lambda i: [py, "-c", "import sys; from reqif.parser import ReqIFParser; ReqIFParser.parse(sys.argv[1])", f])
        rows.append((f"parse {n:,} objects ({mb:.0f} MB)", ours, "reqif 0.1.0", peer))

        def fresh(i):
            d = os.path.join(WORK, f"import-{n}-{i}")
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(seed, d)
            return d
        imp = [ACCORD, "--database", "sqlite://accord.db", "import", "reqif", f, "--engagement", "NWB-LIMS",
               "--as", HANNAH, "--area", "QC laboratory"]
        ours = median_of(a.runs, lambda i: imp, prepare=fresh)
        if a.no_strictdoc:
            peer = None
        else:
            def out(i):
                d = os.path.join(WORK, f"strictdoc-{n}-{i}")
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
                return d
            peer = median_of(a.runs, lambda i: [strictdoc, "convert", f, os.path.join(WORK, f"strictdoc-{n}-{i}")], prepare=out)
        rows.append((f"import {n:,} objects into SQLite", ours, "strictdoc convert", peer))
        exp = [ACCORD, "--database", "sqlite://accord.db", "export", "reqif", "--engagement", "NWB-LIMS",
               "--as", HANNAH, "-o", "export.reqif"]
        ours = median_of(a.runs, lambda i: exp, prepare=lambda i: os.path.join(WORK, f"import-{n}-0"))
        rows.append((f"export {n:,} objects", ours, None, None))
        if n <= a.html_max:
            spec = [ACCORD, "--database", "sqlite://accord.db", "export", "specification", "--engagement", "NWB-LIMS",
                    "--as", HANNAH, "-o", "specification.html"]
            ours = median_of(a.runs, lambda i: spec, prepare=lambda i: os.path.join(WORK, f"import-{n}-0"))
            peer = None
            if not a.no_strictdoc:
                config = os.path.join(WORK, "strictdoc-minimal.toml")
                with open(config, "w") as c:
                    c.write('[project]\ntitle = "Synthetic"\nfeatures = []\n')

                def html_out(i):
                    shutil.rmtree(os.path.join(WORK, f"strictdoc-html-{n}-{i}"), ignore_errors=True)
                peer = median_of(a.html_peer_runs, lambda i: [
                    strictdoc, "export", "--formats", "html", "--no-parallelization", "--config", config,
                    "--output-dir", os.path.join(WORK, f"strictdoc-html-{n}-{i}"),
                    os.path.join(WORK, f"strictdoc-{n}-0")], prepare=html_out)
            rows.append((f"HTML specification of {n:,} objects", ours, "strictdoc export --formats html", peer))
    print("| step | Accord: median s, peak MiB | peer | peer: median s, peak MiB | time ratio (peer / Accord) | memory ratio (Accord / peer) |")
    print("|---|---|---|---|---|---|")
    for step, ours, peer_name, peer in rows:
        if peer:
            print(f"| {step} | {ours[0]:.3f} s, {ours[1]:.0f} MiB | {peer_name} | {peer[0]:.2f} s, {peer[1]:.0f} MiB | "
                  f"{peer[0] / ours[0]:.1f}x | {ours[1] / peer[1]:.2f} |")
        else:
            print(f"| {step} | {ours[0]:.3f} s, {ours[1]:.0f} MiB | {peer_name or '-'} | - | - | - |")


if __name__ == "__main__":
    main()
