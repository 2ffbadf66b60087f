# ntnt in Swift — build, test, install.
# `make run` builds the release binary and runs the sample program;
# `make test` runs every test suite (front end, interpreter, conformance, fuzz, runtime).

PREFIX ?= /usr/local
SAMPLE ?= samples/hello/hello.tnt
SWIFT_BUILD_FLAGS ?=

.PHONY: all build release run serve test test-runtime test-root test-bench test-editors conformance install uninstall clean db-start db-stop db-seed bench bench-smoke bench-report wrk go-peers fuzz soak overload scale-demo test-tsan test-asan

all: build

# docs/stdlib.md is embedded in the binary for `ntnt docs` (scripts/embed-docs.py).
build:
	python3 scripts/embed-docs.py
	swift build $(SWIFT_BUILD_FLAGS)

release:
	python3 scripts/embed-docs.py
	swift build -c release $(SWIFT_BUILD_FLAGS)

run: release
	.build/release/ntnt run $(SAMPLE)

# Serve the benchmark app (the seven endpoints) on :8080 against the throwaway database.
serve: release db-start
	.build/release/ntnt run samples/bench/app.tnt

# The server and database tests need the project's PostgreSQL cluster (started if needed).
test: db-start test-bench test-editors test-root test-runtime

# Unit tests of the benchmark harness (wrk output parsing, reports).
test-bench:
	python3 -m unittest discover -s bench -p "test_*.py"

# The editor grammar (editors/): its files, regexes, and scopes on real programs.
test-editors:
	python3 -m unittest discover -s editors -p "test_*.py"

test-root:
	swift test --disable-xctest $(SWIFT_BUILD_FLAGS)

test-runtime:
	swift test --disable-xctest --package-path runtime $(SWIFT_BUILD_FLAGS)

# Only the conformance corpus (shared and project programs) through the interpreter.
conformance:
	swift test --filter ConformanceTests $(SWIFT_BUILD_FLAGS)

# libFuzzer on the HTTP request parser, the JSON parser, the lexer + parser and the template
# parser (fuzz/), FUZZ_SECONDS each (FUZZ_TARGETS to pick some); crashes land in .build-fuzz/artifacts/.
FUZZ_SECONDS ?= 60
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Mixed endpoints against the compiled sample for SOAK_REQUESTS requests; RSS and open fds are
# sampled every second and must stay flat (±5 %) after the warm-up.
SOAK_REQUESTS ?= 200000
soak: wrk db-start
	python3 bench/soak.py --requests $(SOAK_REQUESTS) $(if $(SOAK_OUT),--out $(SOAK_OUT))

# The deployment recipe of docs/deploy.md on loopback: PostgreSQL, PgBouncer, two compiled
# instances and nginx (deploy/); the seven endpoints through nginx, one instance killed, wrk.
scale-demo: wrk db-start release
	python3 deploy/scale_demo.py $(SCALE_ARGS)

# /plaintext latency while 2,000 connections overload /queries?count=20, both modes.
overload: wrk db-start release
	.build/release/ntnt build samples/bench/app.tnt -o .build-bench/compiled-bench >/dev/null
	bench/overload.sh

# The server and database suites (both modes) and the runtime's tests under ThreadSanitizer and
# AddressSanitizer, in their own build folders. Sanitizer reports of the servers the tests start
# go to .build-<san>/reports/ and fail the target. Timing and memory-bound tests skip their
# bounds there (a sanitizer's own overhead is not the server's). Leak detection runs on the
# runtime's tests only: see sanitizers/lsan.supp for why not on the servers.
SANITIZED_SUITES = ServerTests|HardeningTests|LargeBodyTests|DatabaseTests|CompiledHTTPTests
test-tsan: db-start
	@rm -rf .build-tsan/reports && mkdir -p .build-tsan/reports
	TSAN_OPTIONS="halt_on_error=0 log_path=$(CURDIR)/.build-tsan/reports/tsan suppressions=$(CURDIR)/sanitizers/tsan.supp" \
	  NTNT_TEST_SANITIZE=thread swift test --disable-xctest --sanitize=thread --scratch-path .build-tsan --filter "$(SANITIZED_SUITES)"
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/sanitizers/tsan.supp" \
	  swift test --disable-xctest --sanitize=thread --package-path runtime --scratch-path .build-tsan/runtime
	@if ls .build-tsan/reports/tsan* >/dev/null 2>&1; then cat .build-tsan/reports/tsan* | head -200; echo "ThreadSanitizer reports above"; exit 1; fi

test-asan: db-start
	@rm -rf .build-asan/reports && mkdir -p .build-asan/reports
	ASAN_OPTIONS="detect_leaks=0 log_path=$(CURDIR)/.build-asan/reports/asan" \
	  NTNT_TEST_SANITIZE=address swift test --disable-xctest --sanitize=address --scratch-path .build-asan --filter "$(SANITIZED_SUITES)"
	ASAN_OPTIONS="detect_leaks=1" LSAN_OPTIONS="suppressions=$(CURDIR)/sanitizers/lsan.supp" \
	  swift test --disable-xctest --sanitize=address --package-path runtime --scratch-path .build-asan/runtime
	@if ls .build-asan/reports/asan* >/dev/null 2>&1; then cat .build-asan/reports/asan* | head -200; echo "AddressSanitizer reports above"; exit 1; fi

# The binary plus what `ntnt transpile` needs: Templates/ and the runtime package's sources.
install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/ntnt
	install -m 755 .build/release/ntnt $(PREFIX)/bin/ntnt
	rm -rf $(PREFIX)/share/ntnt/Templates $(PREFIX)/share/ntnt/runtime
	cp -R Templates $(PREFIX)/share/ntnt/Templates
	mkdir -p $(PREFIX)/share/ntnt/runtime
	cp -R runtime/Package.swift runtime/Sources $(PREFIX)/share/ntnt/runtime/
	@echo "installed $(PREFIX)/bin/ntnt and $(PREFIX)/share/ntnt"

uninstall:
	rm -rf $(PREFIX)/bin/ntnt $(PREFIX)/share/ntnt

# Interpreted vs compiled on the seven endpoints (bench/harness.py), for each app of APPS
# (default: the sample and two style variants of samples/styles/); PEERS=1 adds the peers of
# bench/peers/; UNTYPED=1 adds each app compiled without its SQL described (rows as Maps; the
# compiled columns are built with --database-url); options via BENCH_ARGS, e.g. BENCH_ARGS="--runs 1 --duration 5s --endpoints plaintext,db").
bench: wrk db-start $(if $(PEERS),go-peers)
	python3 bench/harness.py $(if $(PEERS),--peers) $(if $(UNTYPED),--untyped) $(if $(APPS),--apps $(APPS)) $(BENCH_ARGS)

# 1 s per endpoint, one run, both modes; fails on any verification error, error or non-2xx.
bench-smoke: wrk db-start
	python3 bench/harness.py --smoke --out .build-bench/results

# Rebuild the table and chart of the latest results file.
bench-report:
	python3 bench/harness.py --report "$$(ls -t bench/results/*.json | head -1)"

# The Go peers (net/http and Gin) build offline from Debian's Go packages.
go-peers:
	@dpkg -s golang-go golang-github-lib-pq-dev golang-github-gin-gonic-gin-dev >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	       golang-go golang-github-lib-pq-dev golang-github-gin-gonic-gin-dev >/dev/null; } \
	  || { echo "the Go peers need: apt-get install golang-go golang-github-lib-pq-dev golang-github-gin-gonic-gin-dev"; exit 1; }

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } \
	  || { echo "wrk is required: apt-get install wrk"; exit 1; }

# A throwaway PostgreSQL cluster on 127.0.0.1:54329 with the `world` table (scripts/db.sh).
db-start:
	@scripts/db.sh start

db-stop:
	@scripts/db.sh stop

db-seed:
	@scripts/db.sh seed

clean:
	rm -rf .build runtime/.build
