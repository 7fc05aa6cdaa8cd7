#!/usr/bin/env bash
# ci.sh: the short form of the advisor-flows benchmark that .ci/run runs
# (issue 17). A `serve --demo` on a fresh temporary database (the demo's
# 20,000 access points), its delivery worker idle, 32 advisors, 3 pairs of
# interleaved rounds; it prints the server's CPU time per flow beside the
# figure committed in bench/flows/committed-cpu-per-flow and fails only
# when the median is more than twice that figure: CPU time per flow is
# steady enough on a busy machine for that, wall-clock rates are not.
set -euo pipefail
cd "$(dirname "$0")/../.."
committed=$(cat bench/flows/committed-cpu-per-flow)
dir=$(mktemp -d /tmp/coupole-flows-ci.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
go build -o "$dir/coupole" ./cmd/coupole
go build -o "$dir/flows" ./bench/flows
port=""
for p in $(seq 18500 18599); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port in 18500-18599" >&2; exit 1; }
"$dir/coupole" serve --demo --db "$dir/c.db" --listen "127.0.0.1:$port" --data-dir "$dir/data" --delivery-every 24h >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break # listening (no curl on a bare CI machine)
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  sleep 0.2
done
"$dir/flows" --base "http://127.0.0.1:$port" --db "$dir/c.db" --pid "$pid" \
  --rounds 3 --duration 5s --baseline-duration 1s --concurrency 32 --samples 5000 \
  --committed-cpu "$committed" | sed -n '/^summary/,$p'
