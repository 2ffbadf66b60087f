# ntnt in Swift — build, test, install.
# `make run` builds the release binary and runs the sample program;
# `make test` runs every test suite (front end, interpreter, conformance, fuzz, runtime).

PREFIX ?= /usr/local
SAMPLE ?= samples/hello/hello.tnt
SWIFT_BUILD_FLAGS ?=

.PHONY: all build release run serve test test-runtime test-root conformance install uninstall clean db-start db-stop db-seed

all: build

build:
	swift build $(SWIFT_BUILD_FLAGS)

release:
	swift build -c release $(SWIFT_BUILD_FLAGS)

run: release
	.build/release/ntnt run $(SAMPLE)

# Serve the benchmark app (the seven endpoints) on :8080 against the throwaway database.
serve: release db-start
	.build/release/ntnt run samples/bench/app.tnt

# The server and database tests need the project's PostgreSQL cluster (started if needed).
test: db-start test-root test-runtime

test-root:
	swift test --disable-xctest $(SWIFT_BUILD_FLAGS)

test-runtime:
	swift test --disable-xctest --package-path runtime $(SWIFT_BUILD_FLAGS)

# Only the conformance corpus (shared and project programs) through the interpreter.
conformance:
	swift test --filter ConformanceTests $(SWIFT_BUILD_FLAGS)

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

# A throwaway PostgreSQL cluster on 127.0.0.1:54329 with the `world` table (scripts/db.sh).
db-start:
	@scripts/db.sh start

db-stop:
	@scripts/db.sh stop

db-seed:
	@scripts/db.sh seed

clean:
	rm -rf .build runtime/.build
