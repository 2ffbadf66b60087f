"""Unit tests of the benchmark harness: wrk output parsing (on recorded outputs) and reports."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def read(name):
    with open(os.path.join(DATA, name)) as f:
        return f.read()


class ParseWrkTests(unittest.TestCase):
    def test_clean_run(self):
        r = harness.parse_wrk(read("wrk-ok.txt"))
        self.assertEqual(r["requests_per_sec"], 132226.76)
        self.assertEqual(r["requests"], 1323595)
        self.assertAlmostEqual(r["p50_ms"], 0.315)
        self.assertAlmostEqual(r["p99_ms"], 4.69)
        self.assertEqual((r["non_2xx"], r["socket_errors"]), (0, 0))
        self.assertTrue(r["valid"])

    def test_non_2xx_is_flagged_not_counted(self):
        r = harness.parse_wrk(read("wrk-non2xx.txt"))
        self.assertEqual(r["non_2xx"], r["requests"])
        self.assertFalse(r["valid"])
        summary = harness.summarize([r])
        self.assertIsNone(summary["requests_per_sec"])
        self.assertEqual(summary["valid_runs"], 0)

    def test_socket_errors_are_flagged(self):
        # wrk-ok.txt with the line wrk prints when sockets fail (wrk.c: "Socket errors: connect %d, ...").
        r = harness.parse_wrk(read("wrk-socket-errors-edited.txt"))
        self.assertEqual(r["socket_errors"], 15)
        self.assertFalse(r["valid"])

    def test_refused_connection_has_no_figures(self):
        r = harness.parse_wrk(read("wrk-refused.txt"))
        self.assertIsNone(r["requests_per_sec"])
        self.assertFalse(r["valid"])

    def test_median_ignores_invalid_runs(self):
        ok = harness.parse_wrk(read("wrk-ok.txt"))
        bad = harness.parse_wrk(read("wrk-non2xx.txt"))
        faster = dict(ok, requests_per_sec=200000.0)
        slower = dict(ok, requests_per_sec=100000.0)
        s = harness.summarize([slower, bad, faster, ok])
        self.assertEqual(s["requests_per_sec"], 132226.76)
        self.assertEqual((s["valid_runs"], s["runs"]), (3, 4))

    def test_durations(self):
        self.assertAlmostEqual(harness.parse_duration_ms("395.00us"), 0.395)
        self.assertAlmostEqual(harness.parse_duration_ms("1.67ms"), 1.67)
        self.assertAlmostEqual(harness.parse_duration_ms("1.02s"), 1020.0)


class ReportTests(unittest.TestCase):
    results = {
        "date": "2026-11-26 18:00 UTC",
        "machine": {"cpu": "Test CPU", "cores": 2},
        "settings": {"threads": 2, "connections": 64, "duration": "10s", "warmup": "3s", "runs": 3,
                     "endpoints": ["plaintext", "db"]},
        "servers": [
            {"name": "interpreted", "peak_rss_mib": 29,
             "endpoints": {"plaintext": {"requests_per_sec": 50000.0}, "db": {"requests_per_sec": 20000.0}}},
            {"name": "compiled", "peak_rss_mib": 17,
             "endpoints": {"plaintext": {"requests_per_sec": 100000.0}, "db": {"requests_per_sec": None, "error": "x"}}},
        ],
    }

    def test_markdown_table(self):
        table = harness.markdown_table(self.results)
        self.assertIn("| endpoint | interpreted | compiled |", table)
        self.assertIn("| plaintext | 50000 | 100000 (2.00×) |", table)
        self.assertIn("| db | 20000 | failed |", table)
        self.assertIn("| peak RSS | 29 MiB | 17 MiB |", table)

    def test_html_report_is_self_contained(self):
        page = harness.html_report(self.results)
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn("<svg", page)
        self.assertNotIn("<script src", page)
        self.assertIn("100000 req/s", page)

    def test_report_only_mode_rewrites_chart(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            with open(path, "w") as f:
                json.dump(self.results, f)
            self.assertEqual(harness.main(["--report", path]), 0)
            self.assertTrue(os.path.exists(os.path.join(d, "r.html")))


class PgbenchTests(unittest.TestCase):
    def test_tps_from_pgbench_output(self):
        out = ("number of transactions actually processed: 131234\n"
               "latency average = 0.607 ms\n"
               "initial connection time = 21.020 ms\n"
               "tps = 26340.646429 (without initial connection time)\n")
        self.assertEqual(harness.pgbench.parse_tps(out), 26340.646429)
        self.assertIsNone(harness.pgbench.parse_tps("pgbench: error: connection refused"))

    def test_fractions_count_queries_per_request(self):
        pg = {"one-row": {"queries_per_sec": 40000.0}, "20 sequential": {"queries_per_sec": 30000.0}}
        f = harness.pgbench.fractions(pg, {"db": 20000.0, "queries": 750.0, "template": 1500.0, "json": 9.0})
        self.assertEqual(f, {"db": 0.5, "queries": 0.5, "template": 0.5})

    def test_report_shows_fractions(self):
        results = dict(ReportTests.results, pgbench={"one-row": {"queries_per_sec": 40000.0, "transactions_per_sec": 40000.0}})
        text = harness.full_report(results)
        self.assertIn("one-row 40000 queries/s", text)
        self.assertIn("| interpreted | 50% | – | – |", text)
        self.assertIn("| compiled | – | – | – |", text)


class ServerTests(unittest.TestCase):
    def test_peak_rss_counts_child_processes(self):
        # uvicorn serves from worker processes: their memory must be counted with the supervisor's.
        import subprocess
        child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(64 << 20); time.sleep(30)"])
        try:
            import time
            deadline = time.time() + 10
            while time.time() < deadline and harness.peak_rss_mib(child.pid) < 64:
                time.sleep(0.05)
            self.assertIn(child.pid, harness.process_tree(os.getpid()))
            self.assertGreaterEqual(harness.peak_rss_mib(os.getpid()), harness.peak_rss_mib(child.pid) + 1)
            self.assertGreaterEqual(harness.peak_rss_mib(child.pid), 64)
        finally:
            child.kill()
            child.wait()

    def test_every_server_has_a_command(self):
        class Args:
            port = 8123
            apps = ["samples/bench/app.tnt"]
            untyped = False
        commands = harness.server_commands(Args, "/tmp/b")
        self.assertEqual(set(commands), {"interpreted", "compiled"} | set(harness.PEERS))
        for name, (argv, cwd, env) in commands.items():
            self.assertTrue(os.path.isdir(cwd), name)
            self.assertIn("8123", argv + list(env.values()), name)

    def test_each_app_gets_both_modes(self):
        class Args:
            port = 8123
            apps = harness.DEFAULT_APPS
            untyped = True
        commands = harness.server_commands(Args, "/tmp/b")
        for app in harness.DEFAULT_APPS:
            label = harness.app_label(app)
            interpreted, compiled = commands[label + " interpreted"], commands[label + " compiled"]
            untyped = commands[label + " compiled untyped"]
            self.assertIn(app, interpreted[0])
            self.assertIn("/compiled-" + label + "/", compiled[0][0])
            self.assertIn("/compiled-untyped-" + label + "/", untyped[0][0])
        self.assertEqual(harness.app_label("samples/bench/app.tnt"), "bench")
        self.assertEqual(harness.app_label("samples/styles/closures.tnt"), "closures")


if __name__ == "__main__":
    unittest.main()
