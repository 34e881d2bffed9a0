#!/usr/bin/env python3
"""Placette's benchmark: `make bench`.

Builds nothing itself (the Makefile builds the release binary first). For each dataset
(village, departement) it generates the data once (cached under target/bench-data, keyed by the
generator's and the migrations' sources), times a full reindex, starts the real server on
loopback, measures cold start and idle memory, drives every page of PAGES with wrk at 16 and
64 connections, then 200 connections for peak memory, and writes BENCHMARKS.md and
bench/results.json. Each figure is printed against its budget; a miss is said plainly and
makes the exit status 1 only with --strict.

Pages of a new module: add them to PAGES (and their data to src/dataset/).
"""

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("PLACETTE_BENCH_BIN", ROOT / "target" / "release" / "placette"))
CACHE = ROOT / "target" / "bench-data"

# (label, path, class). Classes: "dynamic" (p99 <= 10 ms, >= 25 % of static throughput),
# "search" (dynamic, and p99 <= 5 ms), "static". {actor}, {css}, {village_bbox},
# {wide_bbox} are filled from the dataset and the home page.
PAGES = [
    ("home page", "/", "dynamic"),
    ("directory list", "/directory", "dynamic"),
    ("actor page", "/a/{actor}", "dynamic"),
    # The searches are asked as distinct addresses (bench/distinct.lua): a radius of
    # 30.0000SSNNNNNN km instead of 30, so neither the page kept for visitors nor the memoised
    # results answer them and the figure is the search's own work, as for people who each
    # search something else.
    ("search “boulangerie”", "/search?q=boulangerie&km=30", "search", "distinct"),
    ("search “football cholet”", "/search?q=football+cholet&km=80", "search", "distinct"),
    ("search “jardns partagés” (typo)", "/search?q=jardns+partag%C3%A9s&km=30", "search", "distinct"),
    ("map GeoJSON, village (zoom 14)", "/map.geojson?bbox={village_bbox}&zoom=14", "dynamic"),
    ("map GeoJSON, département (zoom 8)", "/map.geojson?bbox={wide_bbox}&zoom=8", "dynamic"),
    ("agenda: upcoming list", "/agenda", "dynamic"),
    ("agenda: month grid", "/agenda/month", "dynamic"),
    ("agenda: week", "/agenda/week", "dynamic"),
    ("event page", "/e/{event}", "dynamic"),
    ("agenda iCalendar feed", "/agenda.ics", "dynamic"),
    ("agenda RSS feed", "/agenda.rss", "dynamic"),
    ("news wall", "/news", "dynamic"),
    ("news post with comments", "/news/{post}", "dynamic"),
    ("mutual aid list", "/aid", "dynamic"),
    ("mutual aid list, 5 km", "/aid?km=5", "dynamic"),
    ("mutual aid post with matches", "/aid/{aid}", "dynamic"),
    ("newsletter sign-up page", "/lists/village", "dynamic"),
    ("newsletter archive", "/lists/village/archive", "dynamic"),
    ("rooms: list and week across rooms", "/rooms", "dynamic"),
    ("room page with its week", "/rooms/{room}", "dynamic"),
    ("room free/busy iCalendar", "/rooms/{room}/freebusy.ics", "dynamic"),
    ("proposals list", "/votes", "dynamic"),
    ("proposal with its counted result", "/votes/{proposal}", "dynamic"),
    ("majority judgement open to the vote", "/votes/{proposal_open}", "dynamic"),
    ("proposal deadline iCalendar", "/votes/{proposal}.ics", "dynamic"),
    ("channels welcome page", "/channels", "dynamic"),
    ("channel with its threads", "{channel}", "dynamic"),
    ("last page of a 10^4-message thread", "{long_thread}", "dynamic"),
    ("the same, each request a distinct address (not kept)", "{long_thread}", "dynamic", "distinct"),
    ("static asset (CSS)", "{css}", "static"),
]

BUDGETS = {
    "idle_rss_mb": 15.0,
    "peak_rss_mb": 64.0,
    "cold_start_ms": 50.0,
    "dynamic_p99_ms": 10.0,
    "search_p99_ms": 5.0,
    "dynamic_share_of_static": 0.25,
    "reindex_s_per_1e5": 20.0,
}

# Sections of BENCHMARKS.md written by others (bench/neighbours.py, notes), kept when rewriting.
KEPT_SECTIONS = ["## Neighbours (issue 20)", "## Pi-sized (issue 21)"]

HEADERS = ["-H", "Accept-Encoding: gzip", "-H", "Accept-Language: fr-FR,fr;q=0.9"]


def dataset_key():
    h = hashlib.sha256()
    files = sorted((ROOT / "src" / "dataset").rglob("*.rs"))
    files += sorted((ROOT / "src" / "db" / "migrations").glob("*.sql")) + [ROOT / "schema.sql"]
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def ensure_dataset(size):
    path = CACHE / size
    key = dataset_key()
    marker = path / ".bench-key"
    if marker.exists() and marker.read_text() == key:
        print(f"[{size}] dataset cached in {path}")
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"[{size}] generating dataset in {path} ...")
    run([str(BIN), "--data", str(path), "demo", "--size", size])
    marker.write_text(key)
    return path


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=5):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Accept-Encoding": "identity"})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


class Server:
    def __init__(self, data, pin=None):
        self.port = free_port()
        self.started = time.perf_counter()
        # pin: the CPU list the server may run on (`taskset -c`), to approach a one-core Pi.
        prefix = ["taskset", "-c", pin] if pin else []
        self.proc = subprocess.Popen(
            [*prefix, str(BIN), "--data", str(data), "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RUST_LOG": "warn"},
        )
        self.cold_ms = self.wait_first_200()

    def wait_first_200(self):
        deadline = time.perf_counter() + 20
        while time.perf_counter() < deadline:
            try:
                status, _ = get(self.port, "/", timeout=2)
                if status == 200:
                    return (time.perf_counter() - self.started) * 1000
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}")
            time.sleep(0.0005)
        raise SystemExit("server did not answer 200 within 20 s")

    def status(self, field):
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))
        return kb / 1024

    def mapped(self):
        """Idle resident MB by what it is: the binary's pages, the shared libraries', the search
        index's mapped files, SQLite's shared memory, and private memory (heap, stacks)."""
        parts = {"binary": 0, "libraries": 0, "search index": 0, "database shm": 0, "private": 0}
        what = "private"
        for line in Path(f"/proc/{self.proc.pid}/smaps").read_text().splitlines():
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                fields = line.split()
                path = fields[5] if len(fields) > 5 and fields[5].startswith("/") else ""
                what = ("binary" if path == str(BIN.resolve()) else
                        "search index" if "/search-index/" in path else
                        "database shm" if path.endswith("-shm") else
                        "libraries" if path else "private")
            elif line.startswith("Rss:"):
                parts[what] += int(line.split()[1]) / 1024
        parts["threads"] = int(re.search(r"^Threads:\s+(\d+)", Path(f"/proc/{self.proc.pid}/status").read_text(), re.M).group(1))
        return {k: round(v, 1) for k, v in parts.items()}

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def wrk(port, path, conns, seconds, pin=None, distinct=False):
    # With the server pinned to core 0, the load generator runs on the other core(s).
    prefix = ["taskset", "-c", pin] if pin else []
    script = ["-s", str(ROOT / "bench" / "distinct.lua")] if distinct else []
    out = run([*prefix, "wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", *HEADERS, *script,
               f"http://127.0.0.1:{port}{path}"]).stdout
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in lat:
        raise SystemExit(f"wrk gave no latency distribution for {path}:\n{out}")
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(lat["50"]),
        "p99_ms": to_ms(lat["99"]),
        "errors": errors,
    }


def dir_size(p):
    p = Path(p)
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0


def fill(path, ctx):
    for k, v in ctx.items():
        path = path.replace("{" + k + "}", str(v))
    return path


def bbox(centre, km):
    import math
    dlat = km / 111.32
    dlon = km / (111.32 * math.cos(math.radians(centre[0])))
    return f"{centre[1]-dlon:.4f},{centre[0]-dlat:.4f},{centre[1]+dlon:.4f},{centre[0]+dlat:.4f}"


def bench_dataset(size, seconds, pin=None, only=None, reindex=True, idle_s=60):
    """Measures one dataset; `pin` runs the server with `taskset -c pin` (and wrk on the other
    cores), `only` keeps the pages whose label matches this regular expression."""
    data = ensure_dataset(size)
    summary = json.loads((data / "dataset.json").read_text())
    items = summary["actors"] + summary.get("events", 0)
    reindex_s = None
    if reindex:
        t = time.perf_counter()
        run([str(BIN), "--data", str(data), "reindex"])
        reindex_s = time.perf_counter() - t
    colds = []
    for _ in range(5):
        s = Server(data, pin)
        colds.append(s.cold_ms)
        s.stop()
    server = Server(data, pin)
    load_pin = other_cores(pin)
    try:
        # Idle means after start-up has settled: background tasks' first pass included.
        time.sleep(idle_s)
        idle_rss = server.status("VmRSS")
        # The split: private memory, and pages of the binary and libraries mapped from their files
        # (shared with the page cache, given back under memory pressure).
        idle_anon, idle_file = server.status("RssAnon"), server.status("RssFile")
        idle_parts = server.mapped()
        status, home = get(server.port, "/")
        css = re.search(rb'href="(/assets/placette\.[^"]+\.css)"', home).group(1).decode()
        ctx = {
            "actor": summary["sample_actors"][0],
            "event": summary["sample_events"][0],
            "post": summary["sample_posts"][0],
            "aid": summary["sample_aid"][0],
            "room": summary["sample_rooms"][0],
            "proposal": summary["sample_proposals"][0],
            "proposal_open": summary["sample_proposals"][1],
            "channel": summary["sample_channels"][0],
            "long_thread": summary["sample_channels"][1],
            "css": css,
            "village_bbox": bbox(summary["centre"], 2),
            "wide_bbox": bbox(summary["centre"], 70),
        }
        pages = []
        for label, path, cls, *opts in PAGES:
            distinct = "distinct" in opts
            if only and not re.search(only, label) and cls != "static":
                continue
            url = fill(path, ctx)
            t = time.perf_counter()
            try:
                status, body = get(server.port, url, timeout=30)
            except OSError as e:
                status, body = f"no answer ({e})", b""
            single_ms = (time.perf_counter() - t) * 1000
            row = {"label": label, "path": url, "class": cls, "bytes": len(body), "single_ms": single_ms,
                   "distinct": distinct}
            if status != 200:
                # Reported as a failure of this page; the other pages are still measured.
                print(f"[{size}] {label}: {url} answered {status}, not 200: not measured")
                row["c16"] = row["c64"] = {"rps": 0.0, "p50_ms": 0.0, "p99_ms": float("inf"), "errors": 1}
                pages.append(row)
                continue
            for conns in (16, 64):
                row[f"c{conns}"] = wrk(server.port, url, conns, seconds, load_pin, distinct)
                r = row[f"c{conns}"]
                print(f"[{size}] {label:38} c={conns:<3} {r['rps']:9.0f} req/s  "
                      f"p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  errors {r['errors']}")
            pages.append(row)
        for row in pages:
            if row["class"] != "static" and row["c16"]["rps"] > 0:
                wrk(server.port, row["path"], 200, max(2, seconds // 2), load_pin)
        peak_rss = server.status("VmHWM")
    finally:
        server.stop()
    db = data / "placette.db"
    return {
        "dataset": summary,
        "items_indexed": items,
        "reindex_s": reindex_s,
        "cold_start_ms": statistics.median(colds),
        "idle_rss_mb": idle_rss,
        "idle_rss_anon_mb": idle_anon,
        "idle_rss_file_mb": idle_file,
        "idle_rss_parts_mb": idle_parts,
        "peak_rss_mb": peak_rss,
        "db_mb": (dir_size(db) + dir_size(str(db) + "-wal")) / 1e6,
        "index_mb": dir_size(data / "search-index") / 1e6,
        "pages": pages,
    }


def other_cores(pin):
    """The cores not in `pin` (a single core number), for the load generator; None: any."""
    if pin is None:
        return None
    rest = [str(c) for c in sorted(os.sched_getaffinity(0)) if str(c) != pin]
    return ",".join(rest) or None


def checks(r):
    """(figure, value, budget, ok) for every budget, on one dataset's results."""
    out = [
        ("idle RSS (MB)", r["idle_rss_mb"], f"≤ {BUDGETS['idle_rss_mb']}", r["idle_rss_mb"] <= BUDGETS["idle_rss_mb"]),
        ("peak RSS at 200 connections (MB)", r["peak_rss_mb"], f"≤ {BUDGETS['peak_rss_mb']}", r["peak_rss_mb"] <= BUDGETS["peak_rss_mb"]),
        ("cold start to first 200 (ms)", r["cold_start_ms"], f"≤ {BUDGETS['cold_start_ms']}", r["cold_start_ms"] <= BUDGETS["cold_start_ms"]),
    ]
    items = r["items_indexed"]
    if items >= 10_000 and r["reindex_s"] is not None:
        # Scaled linearly to 10^5 items (the budget's size) when the dataset holds fewer.
        per_1e5 = r["reindex_s"] * 1e5 / items
        out.append((f"reindex of {items} items (s), i.e. {per_1e5:.1f} s per 10^5", r["reindex_s"],
                    f"≤ {BUDGETS['reindex_s_per_1e5']} per 10^5", per_1e5 <= BUDGETS["reindex_s_per_1e5"]))
    static = next(p for p in r["pages"] if p["class"] == "static")["c16"]["rps"]
    for p in r["pages"]:
        c16 = p["c16"]
        if p["class"] in ("dynamic", "search"):
            limit = BUDGETS["search_p99_ms" if p["class"] == "search" else "dynamic_p99_ms"]
            out.append((f"{p['label']}: p99 at 16 conns (ms)", c16["p99_ms"], f"≤ {limit}", c16["p99_ms"] <= limit))
            share = c16["rps"] / static
            out.append((f"{p['label']}: throughput / static", share, f"≥ {BUDGETS['dynamic_share_of_static']}",
                        share >= BUDGETS["dynamic_share_of_static"]))
        for c in ("c16", "c64"):
            if p[c]["errors"]:
                out.append((f"{p['label']}: errors at {c[1:]} conns", p[c]["errors"], "0", False))
    return out


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 / 1024
    rustc = run(["rustc", "--version"]).stdout.strip()
    wrkv = subprocess.run(["wrk", "-v"], text=True, capture_output=True).stdout.splitlines()[0]
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1),
        "kernel": platform.release(), "rustc": rustc, "load_generator": wrkv.strip(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def markdown(results, m, seconds, idle_s):
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/bench.py); the same figures are in `bench/results.json`.",
        "Do not edit the dataset sections by hand: run `make bench` again (the sections from “Pi-sized” on are "
        "notes and bench/neighbours.py's, kept when this file is rewritten).",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"{m['rustc']}; {m['load_generator']} on the same machine (client and server share the cores); "
        f"{m['date']}. Load average {m['load_average_at_start']} at the start and "
        f"{m['load_average_at_end']} at the end (above 0 means other processes shared the cores).",
        "",
        f"**Method:** release binary, real server on 127.0.0.1, `wrk -t2 --latency` for {seconds} s per "
        "page and concurrency, with `Accept-Encoding: gzip` like a phone; cold start is the median of 5 "
        f"starts, from process spawn to the first 200 of the home page; idle RSS {idle_s} s after start "
        "(background tasks' first pass done); peak RSS is the process's high-water mark after every "
        "dynamic page at 200 connections. The datasets marked *one core* run the server with "
        "`taskset -c 0` (wrk on the other core), to approach a Raspberry Pi; the others share both cores. "
        "A visitor's page is served from memory until the next write (`web::page_cache`), so a page asked "
        "again and again measures that; the searches, and the row marked *distinct*, ask a distinct "
        "address at every request (`bench/distinct.lua`) and measure the work itself.",
        "",
    ]
    for size, r in results.items():
        d = r["dataset"]
        lines += [
            f"## Dataset: {size}",
            "",
            f"{d['actors']} actors, {d['events']} events, {d['accounts']} accounts over {d['spread_km']:.0f} km "
            f"(not generated yet, their modules are to come: {', '.join(d['not_generated']) or 'none'}). "
            f"Database {r['db_mb']:.1f} MB, search index {r['index_mb']:.1f} MB. Idle RSS "
            f"{r['idle_rss_mb']:.1f} MB = {r['idle_rss_anon_mb']:.1f} MB private + "
            f"{r['idle_rss_file_mb']:.1f} MB mapped from files (the binary's code). By mapping: "
            + ", ".join(f"{k} {v}" + ("" if k == "threads" else " MB") for k, v in r["idle_rss_parts_mb"].items())
            + ".",
            "",
            "| page | bytes | one request ms | req/s (16) | p50 ms (16) | p99 ms (16) | req/s (64) | p50 ms (64) | p99 ms (64) | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in r["pages"]:
            a, b = p["c16"], p["c64"]
            lines.append(
                f"| {p['label']} | {p['bytes']} | {p['single_ms']:.1f} | {a['rps']:.0f} | {a['p50_ms']:.2f} | {a['p99_ms']:.2f} | "
                f"{b['rps']:.0f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | {a['errors'] + b['errors']} |"
            )
        lines += ["", "| budget | measured | budget | verdict |", "|---|---:|---:|---|"]
        for name, value, budget, ok in checks(r):
            v = f"{value:.2f}" if isinstance(value, float) else str(value)
            lines.append(f"| {name} | {v} | {budget} | {'met' if ok else '**MISSED**'} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "5")))
    ap.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "village,departement"))
    ap.add_argument("--one-core-sizes", default=os.environ.get("BENCH_ONE_CORE_SIZES", "village,departement"),
                    help="datasets measured again with the server pinned to core 0 ('' for none)")
    ap.add_argument("--only", help="measure only the pages whose label matches this regex (and the static asset)")
    ap.add_argument("--no-reindex", action="store_true", help="skip the timed reindex")
    ap.add_argument("--idle-seconds", type=int, default=60, help="wait before reading idle RSS")
    ap.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md and results.json")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    args = ap.parse_args()
    if not BIN.exists():
        raise SystemExit(f"{BIN} is missing: run `make release` first")
    load_before = os.getloadavg()[0]
    opts = dict(only=args.only, reindex=not args.no_reindex, idle_s=args.idle_seconds)
    results = {size: bench_dataset(size, args.seconds, **opts) for size in args.sizes.split(",") if size}
    for size in args.one_core_sizes.split(","):
        if size:
            # The reindex is the same command either way: timed once, on both cores.
            results[f"{size}, one core"] = bench_dataset(size, args.seconds, pin="0", **{**opts, "reindex": False})
    m = machine()
    m["load_average_at_start"] = round(load_before, 2)
    m["load_average_at_end"] = round(os.getloadavg()[0], 2)
    if not args.no_write:
        (ROOT / "bench" / "results.json").write_text(
            json.dumps({"machine": m, "budgets": BUDGETS, "results": results}, indent=2, ensure_ascii=False) + "\n")
        md = ROOT / "BENCHMARKS.md"
        old = md.read_text() if md.exists() else ""
        # The sections other scripts and notes own (bench/neighbours.py, the issues' notes) stay.
        kept = min((old.index(h) for h in KEPT_SECTIONS if h in old), default=len(old))
        text = markdown(results, m, args.seconds, args.idle_seconds)
        if kept < len(old):
            text += "\n" + old[kept:]
        md.write_text(text)
    missed = 0
    for size, r in results.items():
        print(f"\n== {size} ==")
        for name, value, budget, ok in checks(r):
            v = f"{value:.2f}" if isinstance(value, float) else str(value)
            print(f"  {'ok    ' if ok else 'MISSED'}  {name}: {v} (budget {budget})")
            missed += not ok
    written = "" if args.no_write else "; written BENCHMARKS.md and bench/results.json"
    print(f"\n{missed} budget(s) missed{written}")
    if args.strict and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
