"""Another tool at the other end of a channel's webhooks, for tests/it/channels/notifications.rs.

Prints "ready PORT", then reads one line from stdin: the outgoing hook's secret, the incoming
hook's URL and its secret, separated by spaces. Each POST it receives is checked with Python's
own hmac (X-Placette-Signature = sha256=HMAC-SHA256(secret, "{timestamp}.{body}"), the
timestamp within 5 minutes) and printed as "received {json}". After the first one it answers
through the incoming hook: a correctly signed message, then a wrong signature, a stale
timestamp, an empty text and a body over 64 KB, and prints "results {json}" with the
statuses and answers.
"""

import hashlib
import hmac
import http.server
import json
import sys
import threading
import time
import urllib.error
import urllib.request

STATE = {"out_secret": "", "in_url": "", "in_secret": "", "answered": False}


def signature(secret, ts, body):
    mac = hmac.new(secret.encode(), str(ts).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def post(body, ts, sig):
    req = urllib.request.Request(
        STATE["in_url"],
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Placette-Timestamp": str(ts),
            "X-Placette-Signature": sig,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode("utf-8", "replace")
    except OSError as e:
        return 0, str(e)


def answer(text):
    secret = STATE["in_secret"]
    now = int(time.time())
    out = {}
    body = json.dumps({"text": "Reçu par l'outil : " + text}).encode()
    out["correct"] = post(body, now, signature(secret, now, body))
    body = json.dumps({"text": "Signature fausse"}).encode()
    out["wrong"] = post(body, now, signature("pas le secret", now, body))
    old = now - 600
    body = json.dumps({"text": "Horodatage périmé"}).encode()
    out["stale"] = post(body, old, signature(secret, old, body))
    body = json.dumps({"text": "   "}).encode()
    out["empty"] = post(body, now, signature(secret, now, body))
    body = json.dumps({"text": "x" * (70 * 1024)}).encode()
    out["large"] = post(body, now, signature(secret, now, body))
    print("results " + json.dumps(out), flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        ts = self.headers.get("X-Placette-Timestamp", "")
        sig = self.headers.get("X-Placette-Signature", "")
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= 300
        good = fresh and hmac.compare_digest(sig, signature(STATE["out_secret"], ts, body))
        self.send_response(200 if good else 401)
        self.end_headers()
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        print("received " + json.dumps({"verified": good, "payload": payload}), flush=True)
        if good and not STATE["answered"]:
            STATE["answered"] = True
            text = payload["message"]["text"]
            threading.Thread(target=answer, args=(text,), daemon=True).start()

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("ready %d" % server.server_address[1], flush=True)
    out_secret, in_url, in_secret = sys.stdin.readline().split()
    STATE.update(out_secret=out_secret, in_url=in_url, in_secret=in_secret)
    server.serve_forever()


if __name__ == "__main__":
    main()
