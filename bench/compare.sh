#!/usr/bin/env bash
# Interpreted vs compiled ntnt on the seven endpoints of BENCHMARKS.md, one after the other,
# same database, same wrk settings. Prints a markdown table (req/s, median of RUNS runs).
#
#   bench/compare.sh                 # wrk -t2 -c64, 3 s warm-up, 10 s x 3 runs per endpoint
#   DURATION=5s RUNS=1 bench/compare.sh
#
# It stops by itself; servers are shut down with SIGTERM at the end of each mode.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2} CONNS=${CONNS:-64} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s} RUNS=${RUNS:-3}
PORT=${PORT:-8089}
OUT=${OUT:-/tmp/ntnt-bench}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
scripts/db.sh start >/dev/null
swift build -c release >/dev/null
.build/release/ntnt build samples/bench/app.tnt -o "$OUT/compiled" >/dev/null 2>"$OUT/build.log" || { cat "$OUT/build.log" >&2; exit 1; }
cat > "$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"message":"Hello, World!","numbers":[1,2,3,4,5],"nested":{"key":"value"}}'
wrk.headers["Content-Type"] = "application/json"
LUA
ENDPOINTS=(plaintext json params json-body db queries template)
path() { case $1 in plaintext) echo /plaintext;; json|json-body) echo /json;; params) echo /users/42;;
  db) echo /db;; queries) echo "/queries?count=20";; template) echo /template;; esac; }
run_wrk() { # endpoint duration
  local extra=(); [ "$1" = json-body ] && extra=(-s "$OUT/post.lua")
  wrk -t"$THREADS" -c"$CONNS" -d"$2" --latency "${extra[@]}" "http://127.0.0.1:$PORT$(path "$1")"
}
declare -A RESULT
for mode in interpreted compiled; do
  if [ $mode = interpreted ]; then .build/release/ntnt run --quiet --port $PORT samples/bench/app.tnt 2>"$OUT/$mode.log" &
  else "$OUT/compiled/.build/release/app" --quiet --port $PORT 2>"$OUT/$mode.log" & fi
  PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/plaintext" >/dev/null && break; sleep 0.1; done
  for ep in "${ENDPOINTS[@]}"; do
    echo "[$mode] $ep: warm-up" >&2
    run_wrk "$ep" "$WARMUP" >/dev/null
    values=()
    for r in $(seq "$RUNS"); do
      echo "[$mode] $ep: run $r of $RUNS" >&2
      raw=$(run_wrk "$ep" "$DURATION")
      echo "$raw" > "$OUT/$mode-$ep-$r.txt"
      if echo "$raw" | grep -qE "Non-2xx|Socket errors"; then echo "[$mode] $ep: errors or non-2xx, see $OUT/$mode-$ep-$r.txt" >&2; fi
      values+=("$(echo "$raw" | awk '/Requests\/sec/ {print int($2)}')")
    done
    RESULT[$mode,$ep]=$(printf '%s\n' "${values[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  done
  RESULT[$mode,rss]=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$PID/status)
  kill -TERM $PID; wait $PID || true
done
echo "| endpoint | interpreted req/s | compiled req/s | compiled / interpreted |"
echo "|---|---|---|---|"
for ep in "${ENDPOINTS[@]}"; do
  i=${RESULT[interpreted,$ep]} c=${RESULT[compiled,$ep]}
  echo "| $ep | $i | $c | $(awk -v a="$c" -v b="$i" 'BEGIN {printf "%.2f", a/b}') |"
done
echo "| peak RSS (MiB) | ${RESULT[interpreted,rss]} | ${RESULT[compiled,rss]} | |"
echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION after $WARMUP warm-up, median of $RUNS; $(nproc) cores; $(date -u +%F)"
