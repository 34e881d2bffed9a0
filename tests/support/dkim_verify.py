#!/usr/bin/env python3
"""Verifies the DKIM signature of a message with dkimpy, the public key given on the command
line instead of a DNS lookup (dnsfunc).

Usage: python3 dkim_verify.py MESSAGE.eml PUBLIC_KEY_BASE64
Prints "pass" and exits 0 when the signature verifies, prints "fail" and exits 1 otherwise.
Needs the PyPI package dkimpy (tested with 1.1.8).
"""

import sys

import dkim


def main() -> int:
    path, public_key = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        message = f.read()
    record = ("v=DKIM1; k=rsa; p=" + public_key).encode("ascii")

    def dnsfunc(name, timeout=5):
        return record

    ok = dkim.verify(message, dnsfunc=dnsfunc)
    print("pass" if ok else "fail")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
