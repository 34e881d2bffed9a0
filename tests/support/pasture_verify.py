"""fediverse-pasture's verify_actor checks (0.2.25, https://funfedi.dev/python_package/verify_actor/)
against one actor, offline on loopback; prints one JSON summary on stdout (issue 19).

    python pasture_verify.py ACTOR  [--timeout 20]
    ACTOR: the actor's URL, or acct:user@host:port (resolved with WebFinger over http)

Pasture serves its six test actors on 127.0.0.1 (a free port), each with its own RSA key, and
from each it fetches ACTOR and posts to its inbox:
  alice   unsigned GET of ACTOR, unsigned POST of {"type": "EchoRequest"} to the inbox;
  bob     GET and POST of a Like signed by bob (draft-cavage rsa-sha256, keyId
          `http://127.0.0.1:PORT/bob#main`); bob's actor is public;
  claire  the same, but GET of claire's actor (her key) answers 401 unless signed: the server
          must sign the GET it makes to fetch the key;
  dean, emily, frank  as alice, bob, claire, without a preferredUsername;
  webfinger  acct:preferredUsername@host of ACTOR over WebFinger gives back ACTOR's id.
An unsigned POST "works" on a status from 101 to 399 (so any status from 400 refuses it); a
signed one on any status below 400, or on 400 itself (pasture's rules). Bob's POST is signed
draft-cavage with `headers="(request-target) host date digest content-type"` and a lower-case
`Digest: sha-256=...`; pasture checks signed GETs (claire's key) for `(request-target)` and
`date`, within its clock window. Pasture's own page warns when alice can post (an unsigned POST
was taken), when bob or claire cannot fetch the actor or post, and when WebFinger does not
match: those warnings (and the same for emily and frank) are the `failures` of the summary:
    {"actor": ..., "result": {"alice": {"get_actor": true, "post_inbox": false}, ...,
     "webfinger": true}, "failures": [], "messages": [...]}
Exit status 0 whatever the outcome (the tests decide what must pass); 2 if pasture is missing.
"""

import argparse
import asyncio
import json
import logging
import os
import shutil
import socket
import sys
import tempfile

# bovine (pasture's ActivityPub library) opens bovine_jsonld_cache.sqlite in the working directory
# when imported: run in a directory of our own, removed at the end.
WORKDIR = tempfile.mkdtemp(prefix="pasture-verify-")
os.chdir(WORKDIR)

try:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config
    from quart import Quart

    from fediverse_pasture.data_provider import DataProvider
    from fediverse_pasture.server import BlueprintForActors
    from fediverse_pasture.server.verify_actor import ActorVerifier
    from fediverse_pasture.types import Message
except ImportError as e:  # pragma: no cover
    print(f"fediverse-pasture is not installed ({e}): `make test-deps` installs it", file=sys.stderr)
    shutil.rmtree(WORKDIR, ignore_errors=True)
    sys.exit(2)


def failures_of(result: dict) -> list:
    """Pasture's own warnings (verify_actor.py), extended to emily and frank."""
    failures = []
    for name in ("alice", "dean"):
        if name in result and result[name]["post_inbox"]:
            failures.append(f"{name}: an unsigned POST to the inbox was accepted")
    for name in ("bob", "claire", "emily", "frank"):
        if name not in result:
            continue
        if not result[name]["get_actor"]:
            failures.append(f"{name}: could not retrieve the actor (and its inbox)")
        elif not result[name]["post_inbox"]:
            failures.append(f"{name}: a signed POST to the inbox was refused")
    for name in ("alice", "dean"):
        if name in result and not result[name]["get_actor"]:
            failures.append(f"{name}: could not retrieve the actor without a signature")
    if not result.get("webfinger"):
        failures.append("webfinger: acct:preferredUsername@host does not give back the actor")
    return failures


async def main(actor: str, timeout: float) -> dict:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]

    data = DataProvider.generate()  # fresh keys, nothing written to disk
    actors = data.possible_actors + [data.one_actor]
    app = Quart("pasture_verify")
    app.register_blueprint(BlueprintForActors(actors).blueprint)

    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    await asyncio.sleep(0.2)

    message = Message()
    verifier = ActorVerifier(
        actor_list=actors,
        remote_uri=actor,
        message=message,
        domain=f"127.0.0.1:{port}",
        timeout=timeout,
    )
    try:
        result = await verifier.verify()
    finally:
        stop.set()
        await server
    return {
        "actor": actor,
        "resolved": verifier.remote_actor_uri,
        "pasture_actors": f"http://127.0.0.1:{port}/",
        "result": result,
        "failures": failures_of(result),
        "messages": [str(m) for m in message.steps],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("actor")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        print(json.dumps(asyncio.run(main(args.actor, args.timeout))))
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)
