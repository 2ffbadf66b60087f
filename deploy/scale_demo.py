#!/usr/bin/env python3
"""`make scale-demo`: the deployment recipe of docs/deploy.md, run on loopback.

Starts PostgreSQL (scripts/db.sh), PgBouncer (deploy/pgbouncer/pgbouncer.ini), two compiled
instances of the benchmark app (prepared statements off, through PgBouncer) and nginx
(deploy/nginx/ntnt.conf); verifies the seven endpoints through nginx; kills one instance and
checks that requests keep succeeding; then runs wrk through nginx on each endpoint and prints
the table. The configuration files are used as shipped, only their ports and paths rewritten.

    python3 deploy/scale_demo.py                  # make scale-demo
    python3 deploy/scale_demo.py --quick          # no wrk: a few requests per endpoint (make test)

Everything it starts is stopped when it ends, also on failure. Exit status 0 when every check
passed.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import harness  # noqa: E402  (the endpoints, their checks, wrk output parsing)

UPSTREAM_PORT = 54329  # scripts/db.sh's cluster


def log(message):
    print(message, file=sys.stderr, flush=True)


def rewrite(text, replacements):
    for pattern, value in replacements:
        text, n = re.subn(pattern, value, text, flags=re.M)
        if n == 0:
            raise RuntimeError("configuration no longer has %r" % pattern)
    return text


class Stack:
    """The processes of the demo, stopped in reverse order."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="ntnt-scale-")
        self.instances = []
        self.stops = []

    def start_pgbouncer(self):
        ini = open(os.path.join(ROOT, "deploy/pgbouncer/pgbouncer.ini")).read()
        ini = rewrite(ini, [
            (r"^(ntnt = host=127\.0\.0\.1) port=\d+", r"\1 port=%d" % UPSTREAM_PORT),
            (r"^listen_port = \d+", "listen_port = %d" % self.args.pgbouncer_port),
            (r"^auth_file = .*", "auth_file = %s/userlist.txt" % self.dir),
            (r"^logfile = .*", "logfile = %s/pgbouncer.log" % self.dir),
            (r"^pidfile = .*", "pidfile = %s/pgbouncer.pid" % self.dir),
        ])
        open(os.path.join(self.dir, "pgbouncer.ini"), "w").write(ini)
        shutil.copy(os.path.join(ROOT, "deploy/pgbouncer/userlist.txt"), os.path.join(self.dir, "userlist.txt"))
        cmd = ["pgbouncer", "-d", os.path.join(self.dir, "pgbouncer.ini")]
        if os.getuid() == 0:  # PgBouncer refuses to run as root
            subprocess.run(["chown", "-R", "postgres", self.dir], check=True)
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        self.stops.append(lambda: self.kill_pidfile(os.path.join(self.dir, "pgbouncer.pid")))
        harness.wait_ready(self.args.pgbouncer_port, timeout=20)
        log("pgbouncer on :%d (transaction pooling) -> postgres :%d" % (self.args.pgbouncer_port, UPSTREAM_PORT))

    def start_instance(self, port):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": "postgres://postgres@127.0.0.1:%d/ntnt" % self.args.pgbouncer_port,
            "NTNT_DB_PREPARE": "off",
        })
        if self.args.program:
            env["NTNT_PROGRAM"] = self.args.program
        proc = subprocess.Popen([self.args.app_binary, "--quiet", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "app-%d.log" % port), "w"))
        self.instances.append(proc)
        self.stops.append(lambda: harness.stop(proc))
        harness.wait_ready(port, proc, timeout=20)
        log("instance pid %d on :%d" % (proc.pid, port))
        return proc

    def start_nginx(self):
        site = open(os.path.join(ROOT, "deploy/nginx/ntnt.conf")).read()
        site = rewrite(site, [
            (r"server 127\.0\.0\.1:8081", "server 127.0.0.1:%d" % self.args.instance_ports[0]),
            (r"server 127\.0\.0\.1:8082", "server 127.0.0.1:%d" % self.args.instance_ports[1]),
            (r"listen 8080", "listen 127.0.0.1:%d" % self.args.port),
        ])
        open(os.path.join(self.dir, "ntnt.conf"), "w").write(site)
        # The main file a distribution's nginx.conf would be: process settings and paths, then
        # the site file above.
        main = """
daemon off;
worker_processes auto;
pid %(d)s/nginx.pid;
error_log %(d)s/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %(d)s/client_body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    include %(d)s/ntnt.conf;
}
""" % {"d": self.dir}
        open(os.path.join(self.dir, "nginx.conf"), "w").write(main)
        proc = subprocess.Popen(["nginx", "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.stops.append(lambda: harness.stop(proc))
        harness.wait_ready(self.args.port, proc, timeout=20)
        log("nginx on :%d -> :%d, :%d" % ((self.args.port,) + tuple(self.args.instance_ports)))

    @staticmethod
    def kill_pidfile(path):
        # A daemon may write its pid file a moment after it accepts connections.
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                pid = int(open(path).read().strip())
                os.kill(pid, signal.SIGTERM)
            except (OSError, ValueError):
                time.sleep(0.1)
                continue
            for _ in range(30):  # up to 3 s, then for sure
                time.sleep(0.1)
                try:
                    if open("/proc/%d/stat" % pid).read().split(") ")[1][0] == "Z":
                        return  # exited; nobody reaps daemons in some containers
                except (OSError, IndexError):
                    return
            os.kill(pid, signal.SIGKILL)
            return
        subprocess.run(["pkill", "-f", os.path.join(os.path.dirname(path), "pgbouncer.ini")])

    def stop(self):
        for stop in reversed(self.stops):
            stop()
        if self.args.keep_logs:
            log("logs kept in %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def requests_succeed(port, rounds):
    """`rounds` requests per endpoint through nginx, each checked like the harness checks it."""
    problems = []
    for _ in range(rounds):
        problems += harness.verify(port)
    return problems


def load_table(args):
    """wrk through nginx on each endpoint: the figures as a markdown table."""
    lua = os.path.join(args.workdir, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = \'%s\'\nwrk.headers["Content-Type"] = "application/json"\n' % harness.JSON_BODY)
    rows = ["| endpoint | req/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|"]
    wrk_args = argparse.Namespace(threads=2, connections=64, port=args.port)
    for ep in harness.ENDPOINTS:
        r = harness.parse_wrk(harness.wrk(wrk_args, ep, args.duration, lua))
        errors = (r.get("socket_errors") or 0) + (r.get("non_2xx") or 0)
        rows.append("| %s | %s | %s | %s | %d |" % (ep, "{:,.0f}".format(r["requests_per_sec"] or 0), r["p50_ms"], r["p99_ms"], errors))
    return "\n".join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="no wrk: a few requests per endpoint (the test in make test)")
    p.add_argument("--app-binary", help="a compiled bench app (default: built into .build-deploy/ with ntnt build)")
    p.add_argument("--program", help="NTNT_PROGRAM for a binary that holds several programs")
    p.add_argument("--port", type=int, default=28080, help="nginx's port (the instances and PgBouncer take the next three)")
    p.add_argument("--duration", default="5s", help="wrk duration per endpoint")
    p.add_argument("--keep-logs", action="store_true")
    args = p.parse_args(argv)
    args.instance_ports = [args.port + 1, args.port + 2]
    args.pgbouncer_port = args.port + 3
    for tool in ["nginx", "pgbouncer"] + ([] if args.quick else ["wrk"]):
        if shutil.which(tool) is None:
            log("scale-demo needs %s: apt-get install nginx-light pgbouncer wrk" % tool)
            return 2
    subprocess.run([os.path.join(ROOT, "scripts/db.sh"), "start"], check=True, stdout=subprocess.DEVNULL)
    if not args.app_binary:
        out = os.path.join(ROOT, ".build-deploy", "bench")
        log("building the compiled bench app (ntnt build) into %s ..." % out)
        subprocess.run([os.path.join(ROOT, ".build/release/ntnt"), "build", "samples/bench/app.tnt", "-o", out],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        args.app_binary = os.path.join(out, ".build/release/app")

    stack = Stack(args)
    args.workdir = stack.dir
    failed = []
    try:
        stack.start_pgbouncer()
        for port in args.instance_ports:
            stack.start_instance(port)
        stack.start_nginx()

        problems = requests_succeed(args.port, 3)
        print("all seven endpoints through nginx, both instances up: %s" % ("ok" if not problems else problems[:5]))
        failed += problems

        victim = stack.instances[0]
        victim.kill()
        victim.wait()
        log("killed instance pid %d (:%d)" % (victim.pid, args.instance_ports[0]))
        problems = requests_succeed(args.port, 5)
        print("after killing one instance, %d requests: %s" % (5 * len(harness.ENDPOINTS), "all succeeded" if not problems else problems[:5]))
        failed += problems
        # The requests must really have met the dead instance and been passed on.
        refused = open(os.path.join(stack.dir, "nginx-error.log")).read().count("connect() failed")
        print("nginx found the dead instance %d time(s) and passed those requests to the other" % refused)
        if refused == 0:
            failed.append("nginx never tried the killed instance: the failover was not exercised")

        if not args.quick:
            print()
            print("wrk -t2 -c64 -d%s through nginx, one instance left:" % args.duration)
            print(load_table(args))
            stack.start_instance(args.instance_ports[0])
            time.sleep(6)  # past fail_timeout: nginx tries the instance again
            print()
            print("wrk -t2 -c64 -d%s through nginx, two instances:" % args.duration)
            print(load_table(args))
    finally:
        stack.stop()
    if failed:
        log("scale-demo: %d problems" % len(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
