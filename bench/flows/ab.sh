#!/usr/bin/env bash
# ab.sh compares two builds of coupole on advisor flows, fairly (issue 17):
# runs alternate A B A B… (--pairs), each on a fresh copy of the seed
# database (the runs add interactions and audit events, and a grown file
# is slower), each server started afresh (its delivery worker idle:
# --delivery-every 24h, so the flows alone are measured; bench/outbound
# measures the worker), and each run of bench/flows
# interleaves its own /healthz baseline and counts the server's CPU time
# from /proc/PID/stat.
#
#   bench/flows/ab.sh SEED.db BIN_A BIN_B [PAIRS] [-- bench/flows flags…]
#
# Prints each run's summary table; full outputs are left in $OUT (default
# a temporary directory). With PROFILE=1 each server writes a CPU profile
# there (COUPOLE_CPUPROFILE), for go tool pprof.
set -euo pipefail
seed=$1 binA=$2 binB=$3 pairs=${4:-5}
shift $(( $# < 4 ? $# : 4 ))
[ "${1:-}" = "--" ] && shift
out=${OUT:-$(mktemp -d /tmp/flows-ab.XXXXXX)}
port=${PORT:-18470}
here=$(cd "$(dirname "$0")" && pwd)
flowsbin="$out/flows"
(cd "$here/../.." && go build -o "$flowsbin" ./bench/flows)
work="$out/work.db"
echo "seed $seed; A $binA; B $binB; $pairs pairs; output in $out"
for i in $(seq 1 "$pairs"); do
  for side in A B; do
    bin=$binA; [ $side = B ] && bin=$binB
    rm -f "$work" "$work-wal" "$work-shm"
    cp --sparse=always "$seed" "$work"
    rm -rf "$out/data"
    prof=""; [ "${PROFILE:-}" = 1 ] && prof="$out/cpu-$i$side.prof"
    COUPOLE_CPUPROFILE=$prof "$bin" serve --demo --db "$work" --listen "127.0.0.1:$port" --data-dir "$out/data" --delivery-every 24h >"$out/server-$i$side.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break # listening (no curl on a bare CI machine)
      sleep 0.2
    done
    echo "== pair $i, $side ($bin), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$flowsbin" --base "http://127.0.0.1:$port" --db "$work" --pid "$pid" "$@" >"$out/flows-$i$side.txt" 2>&1 || { cat "$out/flows-$i$side.txt"; kill "$pid"; exit 1; }
    kill "$pid"; wait "$pid" || true
    sed -n '/^summary/,$p' "$out/flows-$i$side.txt"
  done
done
rm -f "$work" "$work-wal" "$work-shm"
