#!/usr/bin/env python3
"""The benchmark harness: interpreted vs compiled ntnt (and, with --peers, Hummingbird 2, Vapor 4
and FastAPI from bench/peers/) on the seven endpoints of BENCHMARKS.md.

For each server in turn it starts the server, verifies every endpoint's answer (status,
content type, body shape), runs wrk on each endpoint (warm-up, then N runs, median), records
req/s, p50/p99 latency, errors and non-2xx, and the server's peak RSS, then stops it.
Results go to bench/results/<date>-<host>.json (raw wrk output included), a markdown table
on stdout and a self-contained HTML page with bar charts next to the JSON.

    python3 bench/harness.py                       # make bench
    python3 bench/harness.py --peers               # make bench PEERS=1
    python3 bench/harness.py --smoke               # make bench-smoke: 1 s per endpoint, 1 run
    python3 bench/harness.py --report FILE.json    # make bench-report: table + chart again

A run with errors or non-2xx answers is reported and not counted. Everything stops by itself.
"""

import argparse
import copy
import datetime
import html
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgbench  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINTS = ["plaintext", "json", "params", "json-body", "db", "queries", "template"]
JSON_BODY = '{"message":"Hello, World!","numbers":[1,2,3,4,5],"nested":{"key":"value"}}'
PATHS = {
    "plaintext": "/plaintext", "json": "/json", "params": "/users/42", "json-body": "/json",
    "db": "/db", "queries": "/queries?count=20", "template": "/template",
}


# MARK: - wrk output

def parse_duration_ms(text):
    """'1.16ms' → 1.16, '12.5us' → 0.0125, '1.02s' → 1020."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError("bad duration %r" % text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output):
    """The figures of one `wrk --latency` run. `valid` is False when the run had socket
    errors or non-2xx/3xx answers: such a run is flagged and not counted."""
    result = {"requests_per_sec": None, "p50_ms": None, "p99_ms": None, "requests": None,
              "non_2xx": 0, "socket_errors": 0, "valid": True}
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if m:
        result["requests_per_sec"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", output)
    if m:
        result["requests"] = int(m.group(1))
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+([\d.]+\w+)" % pct, output, re.M)
        if m:
            result[key] = parse_duration_ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if m:
        result["non_2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if m:
        result["socket_errors"] = sum(int(x) for x in m.groups())
    if result["requests_per_sec"] is None or result["non_2xx"] or result["socket_errors"]:
        result["valid"] = False
    return result


def summarize(runs):
    """Median req/s (and the latencies of the median run) over the valid runs."""
    valid = [r for r in runs if r["valid"]]
    if not valid:
        return {"requests_per_sec": None, "p50_ms": None, "p99_ms": None, "valid_runs": 0, "runs": len(runs)}
    ordered = sorted(valid, key=lambda r: r["requests_per_sec"])
    mid = ordered[(len(ordered) - 1) // 2]
    return {"requests_per_sec": statistics.median(r["requests_per_sec"] for r in valid),
            "p50_ms": mid["p50_ms"], "p99_ms": mid["p99_ms"], "valid_runs": len(valid), "runs": len(runs)}


# MARK: - Reports

def ratio(value, base):
    if not value or not base:
        return "–"
    return "%.2f×" % (value / base)


def markdown_table(results):
    servers = [s["name"] for s in results["servers"]]
    base = servers[0]
    by = {s["name"]: s for s in results["servers"]}
    lines = ["| endpoint | " + " | ".join(servers) + " |", "|---" * (len(servers) + 1) + "|"]
    for ep in results["settings"]["endpoints"]:
        cells = []
        base_rps = by[base]["endpoints"].get(ep, {}).get("requests_per_sec")
        for name in servers:
            e = by[name]["endpoints"].get(ep, {})
            rps = e.get("requests_per_sec")
            if rps is None:
                cells.append("failed" if e else "–")
            elif name == base:
                cells.append("%d" % rps)
            else:
                cells.append("%d (%s)" % (rps, ratio(rps, base_rps)))
        lines.append("| %s | %s |" % (ep, " | ".join(cells)))
    lines.append("| peak RSS | " + " | ".join("%s MiB" % by[n].get("peak_rss_mib", "–") for n in servers) + " |")
    s = results["settings"]
    lines.append("")
    order = (" All servers were up at once, each endpoint's runs taken in turn across them (--interleave)."
             if s.get("interleaved") else "")
    lines.append("req/s, median of %d run(s) of `wrk -t%d -c%d -d%s --latency` after a %s warm-up; ratios to %s.%s "
                 "%s, %s cores, %s." % (s["runs"], s["threads"], s["connections"], s["duration"], s["warmup"], base, order,
                                       results["machine"]["cpu"], results["machine"]["cores"], results["date"]))
    return "\n".join(lines)


def full_report(results):
    """The table, then PostgreSQL's own figures and each server's fraction of them."""
    lines = [markdown_table(results)]
    if "pgbench" in results:
        lines += pgbench.markdown(results["pgbench"], results["servers"])
    return "\n".join(lines)


def html_report(results):
    """A self-contained page: one horizontal bar chart per endpoint (inline SVG)."""
    colors = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"]
    servers = [s["name"] for s in results["servers"]]
    by = {s["name"]: s for s in results["servers"]}
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>ntnt benchmark</title>",
             "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:52rem}"
             "h2{font-size:1rem;margin:1.5rem 0 .3rem}td,th{padding:.2rem .6rem;text-align:right}"
             "th:first-child,td:first-child{text-align:left}</style></head><body>",
             "<h1>ntnt benchmark: %s</h1>" % html.escape(", ".join(servers)),
             "<p>%s</p>" % html.escape(markdown_table(results).splitlines()[-1])]
    width = 560
    for ep in results["settings"]["endpoints"]:
        values = [by[n]["endpoints"].get(ep, {}).get("requests_per_sec") or 0 for n in servers]
        top = max(values) or 1
        parts.append("<h2>%s <small>(%s)</small></h2>" % (html.escape(ep), html.escape(PATHS.get(ep, ""))))
        parts.append("<svg width='%d' height='%d' role='img'>" % (width + 230, 26 * len(servers)))
        for i, (name, v) in enumerate(zip(servers, values)):
            w = int(width * v / top)
            y = 26 * i
            parts.append("<text x='0' y='%d' font-size='13'>%s</text>" % (y + 16, html.escape(name)))
            parts.append("<rect x='110' y='%d' width='%d' height='20' fill='%s'/>" % (y + 2, w, colors[i % len(colors)]))
            parts.append("<text x='%d' y='%d' font-size='13'>%s</text>" % (115 + w, y + 16, "%d req/s" % v if v else "failed"))
        parts.append("</svg>")
    parts.append("<h2>Table</h2><pre>%s</pre></body></html>" % html.escape(full_report(results)))
    return "\n".join(parts)


def write_reports(results, json_path):
    html_path = json_path[:-5] + ".html"
    with open(html_path, "w") as f:
        f.write(html_report(results))
    print(full_report(results))
    print("\nresults: %s\nchart:   %s" % (json_path, html_path))


# MARK: - Servers

def log(message):
    print(message, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, check=True, **kw)


def wait_ready(port, proc=None, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with status %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not accept connections on port %d" % port)


def stop(proc):
    """SIGTERM (the servers drain and exit), SIGKILL after 20 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fetch(port, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                 data=body.encode() if body else None, method="POST" if body else "GET")
    if body:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers, r.read().decode()


def verify(port):
    """Checks every endpoint as BENCHMARKS.md specifies; returns a list of problems."""
    problems = []

    def check(ep, cond, what):
        if not cond:
            problems.append("%s: %s" % (ep, what))

    def world(o):
        return isinstance(o, dict) and set(o) == {"id", "randomNumber"} and 1 <= o["id"] <= 10000 \
            and isinstance(o["randomNumber"], int)

    for ep in ENDPOINTS:
        try:
            status, headers, body = fetch(port, PATHS[ep], JSON_BODY if ep == "json-body" else None)
        except Exception as e:  # noqa: BLE001 — any failure is a verification problem
            problems.append("%s: %s" % (ep, e))
            continue
        ctype = headers.get("Content-Type", "")
        check(ep, status == 200, "status %d" % status)
        for h in ("Content-Length", "Date", "Server"):
            check(ep, headers.get(h), "no %s header" % h)
        if ep == "plaintext":
            check(ep, body == "Hello, World!" and ctype.startswith("text/plain"), "body/type %r %r" % (body, ctype))
        elif ep == "json":
            check(ep, json.loads(body) == {"message": "Hello, World!"} and ctype.startswith("application/json"), body)
        elif ep == "params":
            check(ep, json.loads(body) == {"id": "42"}, body)
        elif ep == "json-body":
            check(ep, json.loads(body) == json.loads(JSON_BODY), body)
        elif ep == "db":
            check(ep, world(json.loads(body)), body)
        elif ep == "queries":
            rows = json.loads(body)
            check(ep, isinstance(rows, list) and len(rows) == 20 and all(map(world, rows)), body[:200])
        elif ep == "template":
            check(ep, ctype.startswith("text/html") and "<th>ID</th><th>Random Number</th>" in body
                  and body.count("<tr><td>") == 10, body[:200])
    return problems


def process_tree(pid):
    """pid and its descendants (uvicorn's workers are children of its supervisor)."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            for task in os.listdir("/proc/%d/task" % pids[i]):
                with open("/proc/%d/task/%s/children" % (pids[i], task)) as f:
                    pids.extend(int(c) for c in f.read().split())
        except OSError:
            pass
        i += 1
    return pids


def peak_rss_mib(pid):
    """The peak resident set (VmHWM), summed over the server's processes."""
    total = None
    for p in process_tree(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        total = (total or 0) + int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024) if total is not None else None


def wrk(args, ep, duration, lua):
    cmd = ["wrk", "-t%d" % args.threads, "-c%d" % args.connections, "-d%s" % duration, "--latency"]
    if ep == "json-body":
        cmd += ["-s", lua]
    cmd.append("http://127.0.0.1:%d%s" % (args.port, PATHS[ep]))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout


PEERS = ["go", "gin", "hummingbird", "vapor", "fastapi"]
PEER_PACKAGES = {"hummingbird": "bench/peers/hummingbird2", "vapor": "bench/peers/vapor4"}
# Go peers: built offline in GOPATH mode against Debian's golang-github-* packages.
GO_PEERS = {"go": "bench/peers/go-nethttp", "gin": "bench/peers/gin"}
GO_DATABASE_URL = "postgres://postgres@127.0.0.1:54329/ntnt?sslmode=disable"


DEFAULT_APPS = ["samples/bench/app.tnt", "samples/styles/closures.tnt", "samples/styles/factory.tnt"]


def app_label(path):
    """A short column name for an app: `bench` for samples/bench/app.tnt, `closures` for
    samples/styles/closures.tnt."""
    base = os.path.splitext(os.path.basename(path))[0]
    return os.path.basename(os.path.dirname(os.path.abspath(path))) if base == "app" else base


# The database the apps use, also given to `ntnt build` so their SQL is described at compile
# time (typed rows); `--untyped` adds columns built without it (rows as Maps).
NTNT_DATABASE_URL = "postgres://postgres@127.0.0.1:54329/ntnt"
UNTYPED = "compiled untyped"


def ntnt_servers(apps, untyped=False):
    """The ntnt columns: each app interpreted and compiled (and compiled without a database at
    compile time with `untyped`); with a single app the columns keep their plain names
    (`interpreted`, `compiled`, `compiled untyped`)."""
    modes = ("interpreted", "compiled") + ((UNTYPED,) if untyped else ())
    if len(apps) == 1:
        return {mode: (mode, apps[0]) for mode in modes}
    servers = {}
    for app in apps:
        for mode in modes:
            servers["%s %s" % (app_label(app), mode)] = (mode, app)
    return servers


def compiled_directory(build_dir, mode, app):
    return os.path.join(build_dir, ("compiled-untyped-" if mode == UNTYPED else "compiled-") + app_label(app))


def server_commands(args, build_dir):
    """name → (argv, working directory, extra environment)."""
    port = str(args.port)
    env = {"PORT": port, "PGPORT": "54329"}
    venv = os.path.join(build_dir, "fastapi-venv")
    commands = {}
    for name, (mode, app) in ntnt_servers(args.apps, args.untyped).items():
        if mode == "interpreted":
            commands[name] = ([os.path.join(ROOT, ".build/release/ntnt"), "run", "--quiet", "--port", port, app], ROOT, {})
        else:
            binary = os.path.join(compiled_directory(build_dir, mode, app), ".build/release/app")
            commands[name] = ([binary, "--quiet", "--port", port], ROOT, {})
    for name in GO_PEERS:
        commands[name] = ([os.path.join(build_dir, "peer-" + name)], ROOT, dict(env, DATABASE_URL=GO_DATABASE_URL))
    return dict(commands, **{
        "hummingbird": ([os.path.join(ROOT, PEER_PACKAGES["hummingbird"], ".build/release/App")],
                        os.path.join(ROOT, PEER_PACKAGES["hummingbird"]), env),
        "vapor": ([os.path.join(ROOT, PEER_PACKAGES["vapor"], ".build/release/App")],
                  os.path.join(ROOT, PEER_PACKAGES["vapor"]), env),
        "fastapi": ([os.path.join(venv, "bin/uvicorn"), "app:app", "--host", "127.0.0.1", "--port", port,
                     "--workers", str(os.cpu_count() or 2), "--no-access-log", "--log-level", "warning"],
                    os.path.join(ROOT, "bench/peers/fastapi"), env),
    })


def build(args, build_dir):
    """Builds what the chosen servers need; returns {server: problem} for those that failed to build."""
    failures = {}
    log("building ntnt (release)…")
    run(["swift", "build", "-c", "release"], stdout=subprocess.DEVNULL)
    for name, (mode, app) in ntnt_servers(args.apps, args.untyped).items():
        if mode != "interpreted" and name in args.servers:
            log("building %s %s…" % (app, mode))
            url = "" if mode == UNTYPED else NTNT_DATABASE_URL
            run([".build/release/ntnt", "build", app, "-o", compiled_directory(build_dir, mode, app), "--database-url", url],
                stdout=subprocess.DEVNULL)
    for name in (s for s in args.servers if s in GO_PEERS):
        log("building the %s peer…" % name)
        env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off", GOFLAGS="",
                   GOCACHE=os.path.join(build_dir, "gocache"))
        done = subprocess.run(["go", "build", "-o", os.path.join(build_dir, "peer-" + name), "."],
                              cwd=os.path.join(ROOT, GO_PEERS[name]), env=env, capture_output=True, text=True)
        if done.returncode != 0:
            failures[name] = "build failed: " + (done.stdout + done.stderr).strip()[-2000:]
    for name in (s for s in args.servers if s in PEER_PACKAGES):
        # A first release build of a NIO-based server takes 10 minutes or more on 2 cores.
        log("building the %s peer (release; the first build takes several minutes)…" % name)
        done = subprocess.run(["swift", "build", "-c", "release", "--package-path", PEER_PACKAGES[name]],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            failures[name] = "build failed: " + (done.stdout + done.stderr).strip()[-2000:]
    if "fastapi" in args.servers:
        venv = os.path.join(build_dir, "fastapi-venv")
        log("installing the fastapi peer into %s…" % os.path.relpath(venv, ROOT))
        done = subprocess.run([sys.executable, "-m", "venv", venv], capture_output=True, text=True)
        if done.returncode == 0:
            done = subprocess.run([os.path.join(venv, "bin/pip"), "install", "-q", "-r",
                                   os.path.join(ROOT, "bench/peers/fastapi/requirements.txt")],
                                  capture_output=True, text=True)
        if done.returncode != 0:
            failures["fastapi"] = "install failed: " + (done.stdout + done.stderr).strip()[-2000:]
    for name, problem in failures.items():
        log("  %s: %s" % (name, problem))
    return failures


def machine_info():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except Exception:  # noqa: BLE001
            return "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "host": platform.node(), "kernel": platform.release(),
            "wrk": version(["wrk", "--version"]), "swift": version(["swift", "--version"])}


def benchmark(args):
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it when run as root)")
    build_dir = os.path.join(ROOT, ".build-bench")
    os.makedirs(build_dir, exist_ok=True)
    log(subprocess.run(["scripts/db.sh", "start"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip())
    build_failures = build(args, build_dir)
    lua = os.path.join(build_dir, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = \'%s\'\nwrk.headers["Content-Type"] = "application/json"\n' % JSON_BODY)
    commands = server_commands(args, build_dir)
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine_info(),
               "settings": {"threads": args.threads, "connections": args.connections, "duration": args.duration,
                            "warmup": args.warmup, "runs": args.runs, "endpoints": args.endpoints},
               "servers": []}
    if not args.smoke and set(args.endpoints) & set(pgbench.COMPARED):
        seconds = max(1, int(parse_duration_ms(args.duration) / 1000))
        log("pgbench: the database's own limit, %d s per script…" % seconds)
        results["pgbench"] = pgbench.measure(build_dir, seconds)
        log("  %s" % "; ".join("%s %s" % (k, int(v["queries_per_sec"]) if "queries_per_sec" in v else v)
                                for k, v in results["pgbench"].items()))
    if args.interleave:
        failed = measure_interleaved(args, build_dir, build_failures, lua, results)
    else:
        failed = measure_one_by_one(args, build_dir, build_failures, lua, commands, results)
    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    json_path = os.path.join(args.out, "%s-%s%s.json" % (stamp, platform.node() or "host", "-smoke" if args.smoke else ""))
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1)
    write_reports(results, json_path)
    return 1 if failed else 0


def failed_build_entry(name, args, build_failures):
    return {"name": name, "verification": ["%s: %s" % (ep, build_failures[name].splitlines()[0]) for ep in args.endpoints],
            "endpoints": {ep: {"requests_per_sec": None, "error": build_failures[name]} for ep in args.endpoints}}


def measure_runs(args, ep, lua, label):
    """`args.runs` wrk runs of one endpoint on one server (args.port); (summary, failed)."""
    runs, failed = [], False
    for i in range(args.runs):
        log("  %s: run %d of %d" % (label, i + 1, args.runs))
        raw = wrk(args, ep, args.duration, lua)
        parsed = parse_wrk(raw)
        parsed["raw"] = raw
        if not parsed["valid"]:
            log("  %s: run %d had errors or non-2xx answers; not counted" % (label, i + 1))
            failed = True
        runs.append(parsed)
    return runs, failed


def measure_interleaved(args, build_dir, build_failures, lua, results):
    """Every server up at once, each on its own port; for each endpoint every server gets its
    warm-up, then run k of every server before run k+1 of any. Columns are then measured
    seconds apart instead of minutes, so the machine's drift (CPU clock, neighbours) is shared
    and their ratios mean more."""
    failed = False
    servers = {}
    for i, name in enumerate(args.servers):
        if name in build_failures:
            results["servers"].append(failed_build_entry(name, args, build_failures))
            failed = True
            continue
        own = copy.copy(args)
        own.port = args.port + 1 + i
        argv, cwd, extra_env = server_commands(own, build_dir)[name]
        log_file = open(os.path.join(build_dir, "%s.log" % name), "w")
        proc = subprocess.Popen(argv, cwd=cwd, env=dict(os.environ, **extra_env), stdout=log_file, stderr=subprocess.STDOUT)
        servers[name] = {"args": own, "proc": proc, "log": log_file,
                         "entry": {"name": name, "endpoints": {}, "verification": []}, "runs": {}}
    try:
        for name, srv in servers.items():
            try:
                wait_ready(srv["args"].port, srv["proc"])
                srv["entry"]["verification"] = verify(srv["args"].port)
            except RuntimeError as e:
                log("  %s did not start: %s" % (name, e))
                srv["entry"]["verification"] = ["%s: did not start (%s)" % (ep, e) for ep in args.endpoints]
            for problem in srv["entry"]["verification"]:
                log("  %s: verification failed: %s" % (name, problem))
                failed = True
        for ep in args.endpoints:
            log("== %s" % ep)
            active = [n for n, srv in servers.items()
                      if not any(p.startswith(ep + ":") for p in srv["entry"]["verification"])]
            for n in servers:
                if n not in active:
                    servers[n]["entry"]["endpoints"][ep] = {"requests_per_sec": None, "error": "verification failed"}
            if args.warmup != "0s":
                for n in active:
                    log("  %s: warm-up %s" % (n, args.warmup))
                    wrk(servers[n]["args"], ep, args.warmup, lua)
            runs = {n: [] for n in active}
            for k in range(args.runs):
                for n in active:
                    one = copy.copy(servers[n]["args"])
                    one.runs = 1
                    got, bad = measure_runs(one, ep, lua, "%s %s (%d of %d)" % (n, ep, k + 1, args.runs))
                    runs[n] += got
                    failed = failed or bad
            for n in active:
                servers[n]["entry"]["endpoints"][ep] = dict(summarize(runs[n]), raw_runs=runs[n])
        for name, srv in servers.items():
            srv["entry"]["peak_rss_mib"] = peak_rss_mib(srv["proc"].pid)
    finally:
        for srv in servers.values():
            stop(srv["proc"])
            srv["log"].close()
    order = {n: i for i, n in enumerate(args.servers)}
    results["servers"] = sorted(results["servers"] + [srv["entry"] for srv in servers.values()], key=lambda e: order[e["name"]])
    results["settings"]["interleaved"] = True
    return failed


def measure_one_by_one(args, build_dir, build_failures, lua, commands, results):
    """Each server alone on args.port, one after another."""
    failed = False
    for name in args.servers:
        log("== %s" % name)
        if name in build_failures:
            results["servers"].append(failed_build_entry(name, args, build_failures))
            failed = True
            continue
        entry = {"name": name, "endpoints": {}, "verification": []}
        argv, cwd, extra_env = commands[name]
        server_log = os.path.join(build_dir, "%s.log" % name)
        with open(server_log, "w") as log_file:
            proc = subprocess.Popen(argv, cwd=cwd, env=dict(os.environ, **extra_env),
                                    stdout=log_file, stderr=subprocess.STDOUT)
        try:
            try:
                wait_ready(args.port, proc)
                entry["verification"] = verify(args.port)
            except RuntimeError as e:
                with open(server_log) as f:
                    log("  %s did not start: %s\n%s" % (name, e, f.read()[-1500:]))
                entry["verification"] = ["%s: did not start (%s)" % (ep, e) for ep in args.endpoints]
            for p in entry["verification"]:
                log("  verification failed: %s" % p)
                failed = True
            for ep in args.endpoints:
                if any(p.startswith(ep + ":") for p in entry["verification"]):
                    entry["endpoints"][ep] = {"requests_per_sec": None, "error": "verification failed"}
                    continue
                if args.warmup != "0s":
                    log("  %s: warm-up %s" % (ep, args.warmup))
                    wrk(args, ep, args.warmup, lua)
                runs, bad = measure_runs(args, ep, lua, ep)
                failed = failed or bad
                entry["endpoints"][ep] = dict(summarize(runs), raw_runs=runs)
            entry["peak_rss_mib"] = peak_rss_mib(proc.pid)
        finally:
            stop(proc)
        results["servers"].append(entry)
    return failed


def main(argv=None):
    p = argparse.ArgumentParser(description="Benchmark ntnt interpreted vs compiled on the seven endpoints.")
    p.add_argument("--servers", default="",
                   help="comma-separated subset of the ntnt columns (default: all of them) and %s" % ",".join(PEERS))
    p.add_argument("--apps", default=",".join(DEFAULT_APPS),
                   help="comma-separated .tnt apps, each served interpreted and compiled (make bench APPS=…)")
    p.add_argument("--peers", action="store_true", help="add the peers (%s) to the servers" % ", ".join(PEERS))
    p.add_argument("--interleave", action="store_true",
                   help="all servers up at once; every endpoint's runs rotate through the servers (fairer ratios)")
    p.add_argument("--untyped", action="store_true",
                   help="also serve each app compiled without a database at compile time (rows as Maps)")
    p.add_argument("--endpoints", default=",".join(ENDPOINTS), help="comma-separated subset of %s" % ",".join(ENDPOINTS))
    p.add_argument("--duration", default="10s")
    p.add_argument("--warmup", default="3s")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--port", type=int, default=8089)
    p.add_argument("--out", default=os.path.join(ROOT, "bench/results"))
    p.add_argument("--smoke", action="store_true", help="1 s per endpoint, one run, no warm-up; fails on any error")
    p.add_argument("--report", metavar="JSON", help="only rebuild the table and chart from a results file")
    args = p.parse_args(argv)
    if args.report:
        with open(args.report) as f:
            write_reports(json.load(f), args.report)
        return 0
    args.apps = [a for a in args.apps.split(",") if a]
    ntnt = list(ntnt_servers(args.apps, args.untyped))
    args.servers = [s for s in args.servers.split(",") if s] or ntnt
    if args.peers:
        args.servers += [p for p in PEERS if p not in args.servers]
    args.endpoints = [e for e in args.endpoints.split(",") if e]
    unknown = [s for s in args.servers if s not in ntnt + PEERS] + \
              [e for e in args.endpoints if e not in ENDPOINTS]
    if unknown:
        p.error("unknown server or endpoint: %s" % ", ".join(unknown))
    if args.smoke:
        args.duration, args.warmup, args.runs = "1s", "0s", 1
    return benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
