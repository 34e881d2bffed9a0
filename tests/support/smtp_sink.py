#!/usr/bin/env python3
"""SMTP sink for Placette's integration tests.

A real SMTP server (aiosmtpd) that stores every message it receives as files,
so a test can start it, point Placette's mail settings at it and read what
was sent.

Usage:
    python3 smtp_sink.py --dir DIR [--port PORT]

* Listens on 127.0.0.1 only. --port 0 (the default) picks a free port.
* Once it accepts connections it prints exactly one line, "ready PORT",
  to stdout and flushes it. Everything else (errors, logs) goes to stderr.
* Each message N (numbered from 1, or from one past the highest number
  already in DIR) is stored as:
    DIR/NNNN.json  the envelope: {"from": "a@b", "to": ["c@d", ...]}
    DIR/NNNN.eml   the message content exactly as received (RFC 5322 bytes,
                   after SMTP dot-unstuffing; no header is added)
  Both are written to a ".tmp" name first and then renamed, so a reader never
  sees a partial file. The .json is renamed before the .eml, so once
  NNNN.eml exists its NNNN.json exists too.
* Plain SMTP only (no STARTTLS). Authentication is not required, but AUTH
  PLAIN and AUTH LOGIN are offered and any user name/password is accepted,
  so a client configured with credentials also works.
* SIGTERM or SIGINT stops it cleanly with exit status 0.
* Failures on demand, by recipient: --reject ADDRESS answers 550 (permanent) to RCPT TO
  ADDRESS; --defer ADDRESS answers 451 (temporary) to it every time. Both may repeat.

Needs the PyPI package aiosmtpd (tested with aiosmtpd 1.4.6, Python 3.11):
    python3 -m pip install aiosmtpd
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError:  # pragma: no cover - depends on the environment
    sys.stderr.write(
        "smtp_sink.py: the Python package 'aiosmtpd' is required "
        "(python3 -m pip install aiosmtpd)\n"
    )
    sys.exit(2)

HOST = "127.0.0.1"
_NAME_RE = re.compile(r"^(\d+)\.(?:eml|json)$")


def _write_atomic(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
    os.replace(tmp, path)


class SinkHandler:
    """aiosmtpd handler that stores each message as NNNN.eml + NNNN.json."""

    def __init__(self, directory: str, reject=(), defer=()) -> None:
        self.directory = directory
        self.reject = {a.lower() for a in reject}
        self.defer = {a.lower() for a in defer}
        highest = 0
        for name in os.listdir(directory):
            m = _NAME_RE.match(name)
            if m:
                highest = max(highest, int(m.group(1)))
        self.next_number = highest + 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        if address.lower() in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        # Runs on the single event-loop thread: numbering needs no lock.
        number = self.next_number
        self.next_number += 1
        stem = os.path.join(self.directory, f"{number:04d}")

        content = envelope.original_content
        if content is None:
            content = envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")

        meta = {"from": envelope.mail_from, "to": list(envelope.rcpt_tos)}
        try:
            _write_atomic(
                stem + ".json",
                (json.dumps(meta, ensure_ascii=False) + "\n").encode("utf-8"),
            )
            _write_atomic(stem + ".eml", content)
        except OSError as exc:
            sys.stderr.write(f"smtp_sink.py: cannot store message {number}: {exc}\n")
            return "451 Requested action aborted: local error in processing"
        return "250 OK"


def _accept_any_credentials(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


async def _serve(directory: str, port: int, reject=(), defer=()) -> None:
    loop = asyncio.get_running_loop()
    handler = SinkHandler(directory, reject, defer)

    def factory() -> SMTP:
        return SMTP(
            handler,
            hostname="smtp-sink.localhost",
            ident="Placette test SMTP sink",
            decode_data=False,
            enable_SMTPUTF8=True,
            auth_required=False,
            auth_require_tls=False,
            authenticator=_accept_any_credentials,
        )

    sock = _listening_socket(port)
    server = await loop.create_server(factory, sock=sock)
    actual_port = sock.getsockname()[1]

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    sys.stdout.write(f"ready {actual_port}\n")
    sys.stdout.flush()

    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="SMTP sink that stores received mail in a directory."
    )
    parser.add_argument(
        "--dir", required=True, help="directory for NNNN.eml / NNNN.json (created if missing)"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log SMTP sessions to stderr"
    )
    parser.add_argument(
        "--reject", action="append", default=[], help="answer 550 to RCPT TO this address"
    )
    parser.add_argument(
        "--defer", action="append", default=[], help="answer 451 to RCPT TO this address"
    )
    args = parser.parse_args(argv)

    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")

    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="smtp_sink.py: %(levelname)s %(message)s",
    )
    if not args.verbose:
        # aiosmtpd warns that AUTH without TLS is insecure; that is intended
        # here (local test sink), so keep stderr quiet.
        logging.getLogger("mail.log").setLevel(logging.ERROR)

    directory = os.path.abspath(args.dir)
    try:
        os.makedirs(directory, exist_ok=True)
        asyncio.run(_serve(directory, args.port, args.reject, args.defer))
    except OSError as exc:
        sys.stderr.write(f"smtp_sink.py: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
