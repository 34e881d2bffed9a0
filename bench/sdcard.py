#!/usr/bin/env python3
"""What Placette writes to the SD card (issue 23): `python3 bench/sdcard.py [BINARY]`.

Starts the demo village on a new data directory, waits until start-up has settled, then counts
the bytes the server process wrote (`write_bytes` of /proc/PID/io: what the kernel sends to the
card on its behalf) over an idle minute, over a typical day's load replayed (1,000 page views by
visitors, then 50 writes through the API) and per write. Prints one line per figure; README's
"The SD card" quotes them. Needs Linux; standard library only.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/placette"
ADMIN = ("admin@demo.placette.invalid", "placette-demo")
PAGES = ["/", "/directory", "/agenda", "/agenda/month", "/news", "/aid", "/rooms", "/map",
         "/search?q=boulangerie", "/search?q=concert", "/agenda.ics", "/news.rss",
         "/lists/village", "/map.geojson?bbox=46.9,-1.3,47.8,-0.3&zoom=12"]


def written(pid):
    with open(f"/proc/{pid}/io") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("write_bytes:"))


def wal_size(data):
    return os.path.getsize(os.path.join(data, "placette.db-wal"))


def settle(pid, limit=120):
    """Waits until two samples 3 s apart are equal; returns the count."""
    last, start = written(pid), time.time()
    while True:
        time.sleep(3)
        now = written(pid)
        if now == last or time.time() - start > limit:
            return now
        last = now


def main():
    data = tempfile.mkdtemp(prefix="placette-sdcard-")
    server = subprocess.Popen([BINARY, "serve", "--demo", "--data", data, "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PLACETTE_LOG": "warn"})
    try:
        base = server.stdout.readline().strip().removeprefix("listening on ")
        pid = server.pid
        urllib.request.urlopen(base + "/").read()
        start = settle(pid)
        print(f"start-up: {start} bytes written (demo village, search index built)")
        time.sleep(60)
        idle = written(pid) - start
        print(f"idle: {idle} bytes written in one minute without a visitor")

        jar = CookieJar()
        admin = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = admin.open(base + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"_csrf": csrf, "email": ADMIN[0], "password": ADMIN[1],
                                       "next": "/account"}).encode()
        admin.open(urllib.request.Request(base + "/login", form))
        page = admin.open(base + "/account").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"_csrf": csrf, "token_name": "sdcard"}).encode()
        page = admin.open(urllib.request.Request(base + "/account/tokens", form)).read().decode()
        token = re.search(r"plt_[A-Za-z0-9]{64}", page).group(0)
        before = settle(pid)

        for i in range(1000):
            urllib.request.urlopen(base + PAGES[i % len(PAGES)]).read()
        views = settle(pid) - before
        print(f"1,000 page views by visitors: {views} bytes written")

        before, wal_before = written(pid), wal_size(data)
        for i in range(50):
            body = json.dumps({"kind": "organisation", "type": "association",
                               "name": f"Association du jour {i}", "summary": "Une journée au village.",
                               "lat": "47.35", "lon": "-0.81", "visibility": "public"}).encode()
            req = urllib.request.Request(base + "/api/v1/actors", body, method="POST", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            urllib.request.urlopen(req).read()
        writes = settle(pid) - before
        wal = wal_size(data) - wal_before
        print(f"50 writes (pages created through the API, search index included): {writes} bytes, "
              f"{writes // 50} bytes per write, of which {wal // 50} bytes of WAL "
              f"({wal // 50 // 4120} pages) and {(writes - wal) // 50} bytes of search index, "
              f"checkpoints and file system")
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()
