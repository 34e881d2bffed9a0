#!/usr/bin/env python3
"""Neighbours benchmark (issue 20), run by `make bench` after bench.py.

Village A (the generated village) links with neighbours B, C, D (three copies of the generated
département, each serving its own change feed) through the admin pages, as volunteers would.
It measures:
- the cost of one sync of 10^4 remote items (A's first pull of B: wall time until the items
  are stored and until they are searchable, bytes of the feed pages, A's memory before/after);
- the search p99 on A at 16 connections with 3 x 10^4 remote items indexed, with and without
  the neighbours, against the same searches before any neighbour.
Results go to bench/neighbours.json and to a section appended to BENCHMARKS.md.
"""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import bench
from bench import BIN, ROOT, free_port, wrk

ADMIN = ("bench-admin@bench.invalid", "neighbours-bench-password")
SEARCHES = ["/api/v1/search?q=atelier&km=50", "/api/v1/search?q=fete+du+village&km=50"]


class Village:
    def __init__(self, name, data):
        self.name, self.data, self.port = name, data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        p = subprocess.run(
            [str(BIN), "--data", str(data), "admin", "create", "--email", ADMIN[0], "--name", "Bench"],
            input=ADMIN[1] + "\n", text=True, capture_output=True)
        if p.returncode != 0 and "exists" not in (p.stderr + p.stdout):
            raise SystemExit(f"admin create failed: {p.stderr}")
        self.proc = subprocess.Popen(
            [str(BIN), "--data", str(data), "serve", "--listen", f"127.0.0.1:{self.port}",
             "--base-url", self.url],
            stdout=subprocess.DEVNULL, stderr=open(os.environ.get("NB_LOG", "/dev/null"), "a"),
            env={**os.environ, "PLACETTE_LOG": "warn", "PLACETTE_IMPORT_ALLOW_LOCAL": "1"})
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.url + "/", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{name} did not start")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path):
        with self.opener.open(self.url + path, timeout=60) as r:
            return r.read().decode()

    def post(self, path, page, fields):
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"_csrf": token, **fields}).encode()
        try:
            with self.opener.open(urllib.request.Request(self.url + path, data=body), timeout=120) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def login(self):
        page = self.get("/login")
        status = self.post("/login", page, {"email": ADMIN[0], "password": ADMIN[1], "next": "/"})
        assert status == 303, f"login on {self.name}: {status}"

    def memory(self):
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        get = lambda f: round(int(re.search(rf"^{f}:\s+(\d+) kB", text, re.M).group(1)) / 1024, 1)
        return {"rss": get("VmRSS"), "anon": get("RssAnon"), "file": get("RssFile"), "peak": get("VmHWM")}

    def rss_mb(self, field="VmRSS"):
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) / 1024

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp

    http_error_302 = http_error_303


def settle(data):
    """Starts a server on `data` until its search indexer has emptied its queue (the feed and
    the index of a freshly generated dataset are built at its first start), then stops it."""
    import sqlite3
    v = Village("prep", data)
    deadline = time.time() + 1800
    try:
        while time.time() < deadline:
            db = sqlite3.connect(f"file:{data / 'placette.db'}?mode=ro", uri=True, timeout=30)
            try:
                left = db.execute("SELECT count(*) FROM search_queue").fetchone()[0]
            finally:
                db.close()
            if left == 0:
                return
            time.sleep(2)
        raise SystemExit(f"{data}: the search queue never emptied")
    finally:
        v.stop()


def feed_ready(v, wanted=10_000):
    """Waits until the neighbour's change feed holds `wanted` items (its indexer is done)."""
    deadline = time.time() + 900
    while time.time() < deadline:
        after, n = "afterTimestamp=0", 0
        for _ in range(wanted // 500):
            page = json.loads(v.get(f"/api/v1/changes?{after}"))
            items = page["items"]
            n += len(items)
            if len(items) < 500:
                break
            last = items[-1]
            after = f"afterTimestamp={last['modified']}&afterId={urllib.parse.quote(last['id'])}"
        if n >= wanted:
            return
        time.sleep(2)
    raise SystemExit(f"{v.name}: change feed never reached {wanted} items")


def feed_bytes(v, pages=20):
    """The bytes of the feed pages a first pull reads (as Placette asks: no compression)."""
    after, total = "afterTimestamp=0", 0
    for _ in range(pages):
        with urllib.request.urlopen(f"{v.url}/api/v1/changes?{after}", timeout=60) as r:
            body = r.read()
        total += len(body)
        items = json.loads(body)["items"]
        if not items:
            break
        last = items[-1]
        after = f"afterTimestamp={last['modified']}&afterId={urllib.parse.quote(last['id'])}"
    return total


def remote_items(a):
    page = a.get("/admin/neighbours")
    return sum(int(n) for n in re.findall(r"<td>(\d+)</td>", page))


def link(a, b):
    """A asks B; B's admin accepts; returns the instant of the acceptance."""
    page = a.get("/admin/neighbours")
    assert a.post("/admin/neighbours", page, {"url": b.url}) == 303
    page = b.get("/admin/neighbours")
    action = re.search(r'action="(/admin/neighbours/\d+/accept)"', page).group(1)
    t0 = time.perf_counter()
    assert b.post(action, page, {}) == 303
    return t0


def searchable(a, total_before, wanted):
    deadline = time.time() + 600
    while time.time() < deadline:
        r = json.loads(a.get("/api/v1/search?q=&kind=neighbour&km=500&neighbours=1"))
        if r["total"] >= wanted:
            return
        time.sleep(0.2)
    raise SystemExit("the remote items never became searchable")


def p99s(a, seconds, neighbours):
    out = {}
    for path in SEARCHES:
        p = path + ("&neighbours=1" if neighbours else "")
        out[p] = wrk(a.port, p, 16, seconds)
    return out


def main():
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    village = bench.ensure_dataset("village")
    departement = bench.ensure_dataset("departement")
    for data in (village, departement):
        settle(data)
    tmp = Path(tempfile.mkdtemp(prefix="placette-neighbours-"))
    villages = []
    try:
        shutil.copytree(village, tmp / "a", ignore=shutil.ignore_patterns("placette.lock"))
        for n in "bcd":
            shutil.copytree(departement, tmp / n, ignore=shutil.ignore_patterns("placette.lock"))
        a = Village("A", tmp / "a")
        villages.append(a)
        neighbours = [Village(n.upper(), tmp / n) for n in "bcd"]
        villages += neighbours
        for v in villages:
            v.login()
        for v in neighbours:
            feed_ready(v)
        time.sleep(5)
        before = p99s(a, seconds, False)
        mem0 = a.memory()

        # One sync of 10^4 items: B.
        b = neighbours[0]
        t0 = link(a, b)
        while remote_items(a) < 10_000:
            time.sleep(0.05)
            if time.perf_counter() - t0 > 600:
                raise SystemExit("A never stored B's items")
        stored_s = time.perf_counter() - t0
        searchable(a, 0, 10_000)
        searchable_s = time.perf_counter() - t0
        mem1 = a.memory()
        sync = {
            "items": remote_items(a),
            "stored_s": round(stored_s, 2),
            "searchable_s": round(searchable_s, 2),
            "feed_bytes": feed_bytes(b),
            "memory_before_mb": mem0,
            "memory_after_mb": mem1,
        }
        print(f"sync of 10^4 items: {sync}")

        # Two more: 3 x 10^4 remote items.
        for v in neighbours[1:]:
            link(a, v)
        searchable(a, 0, 30_000)
        remote = remote_items(a)
        time.sleep(5)
        with_n = p99s(a, seconds, True)
        without = p99s(a, seconds, False)
        results = {"sync_10k": sync, "remote_items": remote, "search_p99_ms": {
            "before_any_neighbour": {k: v["p99_ms"] for k, v in before.items()},
            "with_3x10k_remote_neighbours_1": {k: v["p99_ms"] for k, v in with_n.items()},
            "with_3x10k_remote_neighbours_0": {k: v["p99_ms"] for k, v in without.items()},
        }, "rps": {k: v["rps"] for k, v in with_n.items()}}
        print(json.dumps(results, indent=2))
        (ROOT / "bench" / "neighbours.json").write_text(json.dumps(results, indent=2) + "\n")
        append_markdown(results)
    finally:
        for v in villages:
            v.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def append_markdown(r):
    s = r["sync_10k"]
    lines = [
        "", "## Neighbours (issue 20)", "",
        "Village A (the generated village) linked with three neighbours, each a copy of the "
        "generated département serving its change feed on loopback (`bench/neighbours.py`).", "",
        "| One sync of 10^4 remote items | |", "|---|---|",
        f"| items stored | {s['items']} |",
        f"| from the acceptance to the items stored | {s['stored_s']} s |",
        f"| ... to the items searchable | {s['searchable_s']} s |",
        f"| bytes of the feed pages read (uncompressed JSON) | {s['feed_bytes'] / 1e6:.1f} MB |",
        f"| A's RSS before / after | {s['memory_before_mb']['rss']} / {s['memory_after_mb']['rss']} MB |",
        f"| ... of which private (anonymous) | {s['memory_before_mb']['anon']} / {s['memory_after_mb']['anon']} MB |",
        f"| ... of which file pages (binary, mapped index) | {s['memory_before_mb']['file']} / {s['memory_after_mb']['file']} MB |",
        f"| A's peak RSS before / after | {s['memory_before_mb']['peak']} / {s['memory_after_mb']['peak']} MB |",
        "", f"Search p99 at 16 connections on A with {r['remote_items']} remote items indexed:", "",
        "| search | before any neighbour | with them, neighbours=1 | with them, neighbours=0 |",
        "|---|---|---|---|",
    ]
    p = r["search_p99_ms"]
    for path, ms in p["before_any_neighbour"].items():
        lines.append(f"| `{path}` | {ms:.2f} ms | {p['with_3x10k_remote_neighbours_1'][path + '&neighbours=1']:.2f} ms "
                     f"| {p['with_3x10k_remote_neighbours_0'][path]:.2f} ms |")
    md = ROOT / "BENCHMARKS.md"
    text = md.read_text() if md.exists() else ""
    text = text.split("\n## Neighbours (issue 20)")[0].rstrip("\n") + "\n"
    md.write_text(text + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
