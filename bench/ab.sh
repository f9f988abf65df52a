#!/bin/bash
# Two builds of accord (or any two programs) run alternately N times on the same arguments;
# prints the median and the least wall time of each. The machine is shared: compare the two
# in one run, never with figures from another day.
# usage: ab.sh N binA binB -- args...   interleaved wall-clock medians
N=$1; A=$2; B=$3; shift 4
for i in $(seq $N); do
  for b in $A $B; do
    s=$(date +%s.%N); $b "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$b $(echo "$e - $s" | bc)"
  done
done | python3 -c "
import sys,statistics,collections
d=collections.defaultdict(list)
for l in sys.stdin:
    b,t=l.split(); d[b].append(float(t))
for b,v in d.items(): print(b, 'median %.4f min %.4f'%(statistics.median(v),min(v)), len(v))
"
