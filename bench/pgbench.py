"""PostgreSQL's own limit on the benchmark database, measured with pgbench before the servers:
the same single-row SELECT the servers run, as one-query transactions, as 20 sequential
queries, and as 20 queries in one pipeline (prepared statements, 16 clients). The report then
shows each database endpoint's query rate as a fraction of these figures."""

import os
import re
import shutil
import subprocess

SELECT = "\\set id random(1, 10000)\nSELECT id, randomnumber FROM world WHERE id = :id;\n"
# name → (script, queries per pgbench transaction)
SCRIPTS = {
    "one-row": (SELECT, 1),
    "20 sequential": (SELECT * 20, 20),
    "20 pipelined": ("\\startpipeline\n" + SELECT * 20 + "\\endpipeline\n", 20),
}
# endpoint → (queries per request, the pgbench figure it is compared with)
COMPARED = {"db": (1, "one-row"), "queries": (20, "20 sequential"), "template": (10, "20 sequential")}


def binary():
    found = shutil.which("pgbench")
    if found:
        return found
    for d in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        path = os.path.join("/usr/lib/postgresql", d, "bin", "pgbench")
        if os.access(path, os.X_OK):
            return path
    return None


def parse_tps(output):
    """`tps = 12345.6 (without initial connection time)` → 12345.6 (None if absent)."""
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output)
    return float(m.group(1)) if m else None


def measure(work_dir, duration_s, port=54329, clients=16):
    """{name: {"queries_per_sec": …, "transactions_per_sec": …}}, or {"error": why}."""
    pgbench = binary()
    if pgbench is None:
        return {"error": "pgbench not found (apt-get install postgresql-contrib or postgresql)"}
    results = {}
    for name, (script, per_transaction) in SCRIPTS.items():
        path = os.path.join(work_dir, "pgbench-%s.sql" % name.replace(" ", "-"))
        with open(path, "w") as f:
            f.write(script)
        cmd = [pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(duration_s),
               "-f", path, "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "ntnt"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration_s + 60)
        tps = parse_tps(out.stdout)
        if tps is None:
            results[name] = {"error": (out.stderr or out.stdout).strip()[-300:]}
        else:
            results[name] = {"transactions_per_sec": tps, "queries_per_sec": tps * per_transaction}
    return results


def fractions(pg, endpoint_rps):
    """endpoint → the endpoint's query rate as a fraction of its pgbench figure."""
    out = {}
    for ep, (per_request, figure) in COMPARED.items():
        qps = (pg.get(figure) or {}).get("queries_per_sec")
        if endpoint_rps.get(ep) and qps:
            out[ep] = endpoint_rps[ep] * per_request / qps
    return out


def markdown(pg, servers):
    """Lines for the report: pgbench's figures, then each server's fractions of them."""
    if not pg or "error" in pg:
        return ["", "pgbench: %s" % (pg or {}).get("error", "not measured")]
    lines = ["", "PostgreSQL alone (pgbench, prepared, 16 clients): " + "; ".join(
        "%s %s" % (name, "%d queries/s" % r["queries_per_sec"] if "queries_per_sec" in r else "failed")
        for name, r in pg.items()) + ".", "",
        "| server | " + " | ".join("%s (÷ %s)" % (ep, fig) for ep, (_, fig) in COMPARED.items()) + " |",
        "|---" * (len(COMPARED) + 1) + "|"]
    for s in servers:
        rps = {ep: e.get("requests_per_sec") for ep, e in s["endpoints"].items()}
        f = fractions(pg, rps)
        lines.append("| %s | %s |" % (s["name"], " | ".join("%.0f%%" % (100 * f[ep]) if ep in f else "–" for ep in COMPARED)))
    return lines
