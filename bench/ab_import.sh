#!/bin/bash
# Two builds of accord import the same generated ReqIF file alternately N times, each into a
# fresh copy of the seeded demo database that bench/reqif_peers.py makes; prints each run's
# wall time, peak resident KiB, user and system CPU seconds (/usr/bin/time), then the median
# wall time and the median CPU (user + system) of each build. The machine is shared: compare
# the two in one run, never with figures from another day.
# usage: ab_import.sh N binA binB [OBJECTS]   (OBJECTS: 10000 or 100000, default 100000)
set -e
N=$1; A=$2; B=$3; SIZE=${4:-100000}
WORK=${ACCORD_BENCH_DIR:-/tmp/accord-reqif-bench}
[ -f "$WORK/seed/accord.db" ] && [ -f "$WORK/gen-$SIZE.reqif" ] ||
  { echo "run bench/reqif_peers.py --sizes $SIZE first (it makes $WORK/seed and the file)" >&2; exit 1; }
one() {
  local d; d=$(mktemp -d); cp "$WORK"/seed/* "$d"/
  (cd "$d" && /usr/bin/time -f "%e %M %U %S" "$1" --database sqlite://accord.db import reqif \
    "$WORK/gen-$SIZE.reqif" --engagement NWB-LIMS --as hannah.weber@northwind-bio.example \
    --area "QC laboratory" >/dev/null 2>"$d/err" || { cat "$d/err" >&2; exit 1; }; tail -1 "$d/err")
  rm -rf "$d"
}
for i in $(seq "$N"); do
  a=$(one "$A"); b=$(one "$B")
  echo "$i A: $a   B: $b"
done | tee /dev/stderr | python3 -c "
import sys, statistics
runs = {'A': [], 'B': []}
for line in sys.stdin:
    p = line.split()
    runs['A'].append(p[2:6]); runs['B'].append(p[7:11])
for k, name in (('A', '$A'), ('B', '$B')):
    r = runs[k]
    print(name, 'wall median %.2f s, CPU median %.2f s' % (
        statistics.median(float(x[0]) for x in r),
        statistics.median(float(x[2]) + float(x[3]) for x in r)), len(r))
"
