#!/usr/bin/env python3
"""make soak: mixed endpoints against the compiled sample for N requests, sampling the server's
RSS and open file descriptors every second; the report says whether both stay flat (within ±5 %
of their post-warm-up median) once the warm-up (the first 10 % of the run, at least 8 s) is over.

    python3 bench/soak.py [--requests N] [--connections C] [--out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (build helpers, readiness check, wrk parsing)

ROOT = harness.ROOT


def sample(pid):
    """(RSS in KiB, open fds) of the server process, or None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return rss, len(os.listdir("/proc/%d/fd" % pid))
    except (OSError, StopIteration):
        return None


def flatness(values):
    """Largest deviation from the median, as a fraction of it."""
    m = statistics.median(values)
    return max(abs(v - m) for v in values) / m if m else 0.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=8093)
    ap.add_argument("--app", default="samples/bench/app.tnt")
    ap.add_argument("--out", default=None, help="JSON file for the samples and the verdict")
    args = ap.parse_args(argv)

    build_dir = os.path.join(ROOT, ".build-bench")
    harness.log("building ntnt and the compiled %s…" % args.app)
    harness.run(["swift", "build", "-c", "release"], stdout=subprocess.DEVNULL)
    out_dir = os.path.join(build_dir, "compiled-" + harness.app_label(args.app))
    harness.run([".build/release/ntnt", "build", args.app, "-o", out_dir], stdout=subprocess.DEVNULL)
    binary = os.path.join(out_dir, ".build/release/app")

    server = subprocess.Popen([binary, "--quiet", "--port", str(args.port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    try:
        harness.wait_ready(args.port, server)
        problems = harness.verify(args.port)
        if problems:
            raise SystemExit("the server answers wrongly before the soak: %s" % problems)
        stop = threading.Event()

        def sampler():
            start = time.time()
            while not stop.is_set():
                s = sample(server.pid)
                if s is None:
                    return
                samples.append({"t": round(time.time() - start, 1), "rss_kib": s[0], "fds": s[1]})
                stop.wait(1.0)

        t = threading.Thread(target=sampler, daemon=True)
        t.start()
        # wrk runs for a duration, not a count: a 5 s run (part of the warm-up) measures the
        # rate, then one run long enough for the rest, so the connections stay open throughout.
        harness.log("soak: %d requests over %d connections…" % (args.requests, args.connections))
        started = time.time()
        result = {"requests": 0, "socket_errors": 0, "non_2xx": 0}
        seconds = 5
        while result["requests"] < args.requests:
            done = subprocess.run(["wrk", "-t%d" % args.threads, "-c%d" % args.connections, "-d%ds" % seconds,
                                   "--timeout", "10s", "-s", os.path.join(ROOT, "bench/soak.lua"),
                                   "http://127.0.0.1:%d/" % args.port], capture_output=True, text=True)
            chunk = harness.parse_wrk(done.stdout)
            if not chunk["requests"]:
                raise SystemExit("wrk did not run: %s" % (done.stdout + done.stderr))
            for key in result:
                result[key] += chunk[key] or 0
            if server.poll() is not None:
                raise SystemExit("the server exited during the soak (status %s)" % server.returncode)
            rate = chunk["requests"] / seconds
            seconds = max(1, int((args.requests - result["requests"]) / rate + 0.999))
        elapsed = time.time() - started
        load_end = elapsed - 0.5  # samples after this may see the connections closing
        time.sleep(1.5)
        stop.set()
        t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)

    warmup = max(8.0, elapsed * 0.10)
    steady = [s for s in samples if warmup <= s["t"] <= load_end]
    if len(steady) < 3:
        raise SystemExit("the run was too short to judge (%d samples after a %.0f s warm-up)" % (len(steady), warmup))
    rss_dev = flatness([s["rss_kib"] for s in steady])
    fd_dev = flatness([s["fds"] for s in steady])
    verdict = {
        "requests": result["requests"], "seconds": round(elapsed, 1),
        "socket_errors": result["socket_errors"], "non_2xx": result["non_2xx"],
        "rss_mib": {"after_warmup_first": steady[0]["rss_kib"] // 1024, "min": min(s["rss_kib"] for s in steady) // 1024,
                    "max": max(s["rss_kib"] for s in steady) // 1024, "last": steady[-1]["rss_kib"] // 1024},
        "fds": {"min": min(s["fds"] for s in steady), "max": max(s["fds"] for s in steady)},
        "rss_max_deviation": round(rss_dev, 4), "fd_max_deviation": round(fd_dev, 4),
        "flat": rss_dev <= 0.05 and fd_dev <= 0.05,
    }
    print(json.dumps(verdict, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"verdict": verdict, "samples": samples}, f, indent=1)
    bad = not verdict["flat"] or verdict["socket_errors"] > 0 or verdict["non_2xx"] > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
