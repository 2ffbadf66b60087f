#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/Package.swift, with AddressSanitizer) and runs each for
# FUZZ_SECONDS on its seed corpus; prints one summary line per target. A crash leaves its input
# in .build-fuzz/artifacts/<target>/ and fails the run: add it to fuzz/regressions/<kind>/ (the
# regression tests in `make test` replay those inputs) once fixed.
#   fuzz/run.sh [SECONDS] [TARGET ...]     e.g. fuzz/run.sh 1200 FuzzJSON
# FUZZ_NO_BUILD=1 skips the build (to run several targets side by side on one build).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzHTTPParser FuzzJSON FuzzSyntax FuzzTemplate)

# --sanitize links libFuzzer's main; the -Xswiftc/-Xcc flags instrument every module for
# coverage (SwiftPM's flag alone instruments only the fuzz targets' own files).
[ -n "${FUZZ_NO_BUILD:-}" ] || swift build -c release --package-path fuzz --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address 2>&1 \
  | grep -v "Cannot export local symbol" | tail -1

kind() {
  case "$1" in
    FuzzHTTPParser) echo http ;; FuzzJSON) echo json ;; FuzzSyntax) echo syntax ;; FuzzTemplate) echo template ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
}

failed=0
for target in "${targets[@]}"; do
  k=$(kind "$target")
  work=".build-fuzz/work/$k"; artifacts=".build-fuzz/artifacts/$target"; log=".build-fuzz/$target.log"
  mkdir -p "$work" "$artifacts"
  seeds=("fuzz/corpus/$k" "fuzz/regressions/$k")
  # The language's own programs seed the front end.
  [ "$k" = syntax ] && seeds+=(Tests/Conformance samples/bench samples/styles)
  existing=()
  for d in "${seeds[@]}"; do [ -d "$d" ] && existing+=("$d"); done
  # Swift's crash backtracer takes minutes; libFuzzer reports the crash itself.
  status=0
  SWIFT_BACKTRACE=enable=no ".build-fuzz/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "${existing[@]}" >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo "?")
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo "?")
  corpus=$(ls "$work" | wc -l)
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "$target: FAILED after $runs executions (exit $status); input in $artifacts/, log $log"
  else
    echo "$target: ${seconds}s, $runs executions, coverage $cov edges, $ft features, corpus $corpus inputs"
  fi
done
exit $failed
