#!/usr/bin/env bash
# make overload: /plaintext latency while 2,000 connections hold /queries?count=20, for the
# interpreted and the compiled sample (the goal: p99 under 50 ms; beyond the workers and the
# queue, database requests get a fast 503). Needs `make release` and the compiled sample in
# .build-bench/compiled-bench (make bench or make soak builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
port=8094
run() {
  local name="$1"; shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/plaintext" >/dev/null && break; sleep 0.1; done
  wrk -t1 -c2000 -d14s --timeout 10s "http://127.0.0.1:$port/queries?count=20" >/tmp/ntnt-overload.txt 2>&1 &
  local load=$!
  sleep 4
  local quick
  quick=$(wrk -t1 -c4 -d6s --latency "http://127.0.0.1:$port/plaintext")
  wait $load
  kill $pid; wait $pid 2>/dev/null || true
  local p50 p99 rps
  p50=$(echo "$quick" | awk '$1=="50%"{print $2}')
  p99=$(echo "$quick" | awk '$1=="99%"{print $2}')
  rps=$(echo "$quick" | awk '/Requests\/sec/{print $2}')
  echo "$name: /plaintext p50 $p50, p99 $p99 ($rps req/s on 4 connections) during the overload; overload: $(grep -E 'requests in' /tmp/ntnt-overload.txt | sed 's/^ *//'), $(grep -E 'Non-2xx' /tmp/ntnt-overload.txt | sed 's/^ *//' || echo 'all 2xx'), $(grep -E 'Socket errors' /tmp/ntnt-overload.txt | sed 's/^ *//' || echo 'no socket errors')"
}
run interpreted .build/release/ntnt run --quiet --port $port samples/bench/app.tnt
run compiled .build-bench/compiled-bench/.build/release/app --quiet --port $port
