// A real ActivityPub peer for the federation tests (issue 19): Fedify 2.3.3 on Node 22, serving
// one actor on 127.0.0.1 (a random free port), driven by JSON lines on stdin, reporting JSON
// lines on stdout. Started by tests/it/federation/peer.rs; `make test` installs Node and Fedify.
//
//   node fedify_peer.mjs [--name peer] [--type Person|Group|Application|Service]
//                        [--first-knock rfc9421|draft-cavage-http-signatures-12]
//                        [--software NAME]  (NodeInfo 2.1 saying it runs NAME)
//   env PLACETTE_FEDIFY_DIR: the npm prefix holding node_modules/@fedify (default target/fedify)
//   env PLACETTE_PEER_LOG: Fedify's log level on stderr (default "error"; "debug" shows all)
//
// Output, one line each; the first is `ready <port>`, then JSON:
//   {"received": <activity>}              an activity its inbox accepted (raw JSON as posted)
//   {"rejected": {"status": 401, "activity": <activity>}}   one its inbox refused
//   {"result": "<cmd>", "ok": true, ...}  or  {"result": "<cmd>", "ok": false, "error": "..."}
// Commands, one JSON object a line on stdin (URLs or `acct:user@host:port` as targets):
//   {"cmd":"follow","target":T}  {"cmd":"unfollow","target":T}  → "activity": the one sent
//   {"cmd":"publish_event","id":"fete","name":..,"summary":..,"content":..,"startTime":"2027-..Z",
//    "endTime":..,"location":{"name":..,"latitude":..,"longitude":..} or a name}
//   {"cmd":"update_event","id":"fete", fields to change..}  {"cmd":"delete_event","id":"fete"}
//   {"cmd":"publish_note","id":"n1","content":".."}  (Create(Note) to its followers)
//   {"cmd":"send","to":T,"activity":{..}}  a raw activity, signed, POSTed to T's inbox
//   {"cmd":"lookup","target":T}  → "object": what Fedify parsed ("webfinger": the JRD for acct:)
//   {"cmd":"followers"}  → "followers": [actor ids]     {"cmd":"quit"}
// Every command may carry "tag", echoed in its result line.
//
// Follows it receives are accepted at once (Accept sent before the inbox answers); followers are
// kept in memory. Everything is delivered immediately (no queue): a command's result says whether
// every inbox took it.
//
// Signatures: Fedify signs every outgoing POST (and its GETs when it fetches with a key) itself.
// With Fedify's default `firstKnock`, the first knock on an unknown origin is RFC 9421 (HTTP
// Message Signatures: `Signature-Input` + `Signature`, `Content-Digest`, rsa-v1_5-sha256); if the
// server answers 400, 401 or any status above 401, it knocks again with draft-cavage-12
// (`Signature: keyId=..,algorithm="rsa-sha256",headers="(request-target) accept content-type
// date digest host ..",signature=..` and `Digest: SHA-256=..`; `(request-target)` is the method
// and the path WITHOUT the query string; the header list is every header of the request,
// lower-cased) and remembers, per origin, the scheme that worked. `--first-knock
// draft-cavage-http-signatures-12` starts with draft-cavage. Incoming POSTs must be signed
// (either scheme; the key is fetched from the keyId, a 1-hour Date window by default).
//
// Loopback: `allowPrivateAddress: true` lets Fedify fetch from 127.0.0.1; the origin is plain
// http. Fedify's own WebFinger lookup of `acct:` always uses https, so `acct:` targets are resolved
// here over http (GET http://host/.well-known/webfinger?resource=acct:..), then fetched by URL.

import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fedifyDir = path.resolve(
  process.env.PLACETTE_FEDIFY_DIR || path.join(here, "..", "..", "target", "fedify"),
);

// The packages live under PLACETTE_FEDIFY_DIR, not next to this script: import them by path.
async function load(name) {
  const dir = path.join(fedifyDir, "node_modules", name);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  let entry = pkg.main || "index.js";
  const dot = pkg.exports && (pkg.exports["."] ?? pkg.exports);
  if (typeof dot === "string") entry = dot;
  else if (dot && typeof dot.import === "string") entry = dot.import;
  else if (dot && typeof dot.default === "string") entry = dot.default;
  return import(pathToFileURL(path.join(dir, entry)).href);
}

const { createFederation, MemoryKvStore, generateCryptoKeyPair } = await load("@fedify/fedify");
const vocab = await load("@fedify/vocab");
const { Temporal } = await load("@js-temporal/polyfill");
const { configure } = await load("@logtape/logtape");
const { Accept, Activity, Create, Delete, Endpoints, Event, Follow, Note, Place, Tombstone, Undo,
  Update, PUBLIC_COLLECTION } = vocab;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const NAME = arg("name", "peer");
const TYPE = arg("type", "Person");
const FIRST_KNOCK = arg("first-knock", "rfc9421");
// NodeInfo's software name, when given (`--software gancio`): how a server says what it runs.
const SOFTWARE = arg("software", null);
const ActorClass = vocab[TYPE];
if (!["Person", "Group", "Application", "Service", "Organization"].includes(TYPE)) {
  console.error(`unknown actor type ${TYPE}`);
  process.exit(2);
}

function emit(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

// Fedify's log to stderr (stdout carries only the protocol above).
await configure({
  sinks: {
    stderr(record) {
      const text = record.message
        .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
        .join("");
      process.stderr.write(`[fedify-peer ${NAME}] ${record.category.join(".")} ${record.level}: ${text}\n`);
    },
  },
  loggers: [
    { category: "fedify", lowestLevel: process.env.PLACETTE_PEER_LOG || "error", sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["stderr"] },
  ],
});

const keyPair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"); // RSA 2048, made at start
const followers = new Map(); // actor id -> actor (Fedify object)
const follows = new Map(); // target actor id -> the Follow we sent
const events = new Map(); // id -> Event
const outbox = []; // activities published, oldest first

const server = http.createServer(handle);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;
const base = `http://127.0.0.1:${port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin: base,
  allowPrivateAddress: true, // everything is on 127.0.0.1
  firstKnock: FIRST_KNOCK,
});

if (SOFTWARE) {
  federation.setNodeInfoDispatcher("/nodeinfo/2.1", async () => ({
    software: { name: SOFTWARE, version: "1.0.0" },
    protocols: ["activitypub"],
    usage: { users: {}, localPosts: 0, localComments: 0 },
  }));
}

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== NAME) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new ActorClass({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: `Fedify peer ${identifier}`,
      summary: `A ${TYPE} run by tests/support/fedify_peer.mjs`,
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((key) => key.multikey),
      manuallyApprovesFollowers: false,
    });
  })
  .mapHandle((ctx, username) => (username === NAME ? NAME : null))
  .setKeyPairsDispatcher((ctx, identifier) => (identifier === NAME ? [keyPair] : []));

federation.setFollowersDispatcher("/users/{identifier}/followers", (ctx, identifier) => {
  if (identifier !== NAME) return null;
  return { items: [...followers.values()] };
});

federation.setOutboxDispatcher("/users/{identifier}/outbox", (ctx, identifier) => {
  if (identifier !== NAME) return null;
  return { items: [...outbox].reverse() };
});

federation.setObjectDispatcher(Event, "/events/{id}", (ctx, { id }) => events.get(id) ?? null);

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    if (follow.objectId?.href !== ctx.getActorUri(NAME).href) return;
    const follower = await follow.getActor(ctx);
    if (follower?.id == null) return;
    followers.set(follower.id.href, follower);
    await ctx.sendActivity(
      { identifier: NAME },
      follower,
      new Accept({
        id: new URL(`${base}/accepts/${randomUUID()}`),
        actor: ctx.getActorUri(NAME),
        object: follow,
      }),
    );
  })
  .on(Undo, async (ctx, undo) => {
    let object = null;
    try {
      object = await undo.getObject(ctx);
    } catch {
      // An Undo of a Follow whose id cannot be fetched still ends the follow.
    }
    if ((object == null || object instanceof Follow) && undo.actorId != null) {
      followers.delete(undo.actorId.href);
    }
  })
  .on(Activity, () => {}) // every other activity is accepted and reported
  .onError((ctx, error) => {
    process.stderr.write(`[fedify-peer ${NAME}] inbox error: ${error?.stack ?? error}\n`);
  });

// node:http <-> the Fetch API Fedify speaks; reports inbox POSTs on stdout.
async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url, `http://${req.headers.host ?? `127.0.0.1:${port}`}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  let response;
  try {
    response = await federation.fetch(
      new Request(url, { method: req.method, headers, body: hasBody ? body : undefined }),
      {
        contextData: undefined,
        onNotFound: () => new Response("Not Found", { status: 404 }),
        onNotAcceptable: () => new Response("Not Acceptable", { status: 406 }),
      },
    );
  } catch (error) {
    process.stderr.write(`[fedify-peer ${NAME}] ${req.method} ${url}: ${error?.stack ?? error}\n`);
    response = new Response(String(error), { status: 500 });
  }
  const out = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(out);
  if (req.method === "POST" && url.pathname.endsWith("/inbox")) {
    let activity;
    try {
      activity = JSON.parse(body.toString("utf8"));
    } catch {
      activity = body.toString("utf8");
    }
    if (response.status < 300) emit({ received: activity });
    else emit({ rejected: { status: response.status, body: out.toString("utf8"), activity } });
  }
}

const ctx = () => federation.createContext(new URL(base), undefined);
const sender = { identifier: NAME };

// `acct:user@host` (also `@user@host`, `user@host`) over http WebFinger; URLs as they are.
async function resolve(target) {
  let webfinger;
  let url = target;
  if (!/^https?:/.test(target)) {
    const acct = target.replace(/^acct:/, "").replace(/^@/, "");
    const host = acct.slice(acct.lastIndexOf("@") + 1);
    const wf = new URL(`http://${host}/.well-known/webfinger`);
    wf.searchParams.set("resource", `acct:${acct}`);
    const response = await fetch(wf, { headers: { Accept: "application/jrd+json" } });
    if (!response.ok) throw new Error(`WebFinger ${wf}: HTTP ${response.status}`);
    webfinger = await response.json();
    const self = (webfinger.links ?? []).find(
      (l) => l.rel === "self" && /^application\/(activity\+json|ld\+json)/.test(l.type ?? ""),
    );
    if (self?.href == null) throw new Error(`WebFinger ${wf}: no self link`);
    url = self.href;
  }
  const object = await ctx().lookupObject(url);
  if (object == null) throw new Error(`lookup of ${url} found nothing Fedify could parse`);
  return { object, webfinger };
}

const json = async (object) => object.toJsonLd({ format: "compact", contextLoader: ctx().contextLoader });

function eventFields(c) {
  const fields = {};
  if (c.name !== undefined) fields.name = c.name;
  if (c.summary !== undefined) fields.summary = c.summary;
  if (c.content !== undefined) fields.content = c.content;
  if (c.startTime !== undefined) fields.startTime = Temporal.Instant.from(c.startTime);
  if (c.endTime !== undefined) fields.endTime = Temporal.Instant.from(c.endTime);
  if (c.location !== undefined) {
    const l = typeof c.location === "string" ? { name: c.location } : c.location;
    fields.location = new Place({
      name: l.name,
      latitude: l.latitude,
      longitude: l.longitude,
      content: l.address,
    });
  }
  return fields;
}

function audience() {
  return { to: PUBLIC_COLLECTION, cc: ctx().getFollowersUri(NAME) };
}

async function publish(activity) {
  outbox.push(activity);
  await ctx().sendActivity(sender, "followers", activity, { preferSharedInbox: true });
  return { activity: await json(activity) };
}

const commands = {
  async follow(c) {
    const { object } = await resolve(c.target);
    const follow = new Follow({
      id: new URL(`${base}/follows/${randomUUID()}`),
      actor: ctx().getActorUri(NAME),
      object: object.id,
    });
    follows.set(object.id.href, follow);
    await ctx().sendActivity(sender, object, follow);
    return { activity: await json(follow) };
  },
  async unfollow(c) {
    const { object } = await resolve(c.target);
    const follow = follows.get(object.id.href);
    if (follow == null) throw new Error(`not following ${object.id.href}`);
    const undo = new Undo({
      id: new URL(`${base}/undos/${randomUUID()}`),
      actor: ctx().getActorUri(NAME),
      object: follow,
    });
    follows.delete(object.id.href);
    await ctx().sendActivity(sender, object, undo);
    return { activity: await json(undo) };
  },
  async publish_event(c) {
    const id = new URL(`${base}/events/${encodeURIComponent(c.id)}`);
    const event = new Event({
      id,
      attribution: ctx().getActorUri(NAME),
      url: id,
      published: Temporal.Now.instant(),
      ...audience(),
      ...eventFields(c),
    });
    events.set(c.id, event);
    return publish(new Create({
      id: new URL(`${id.href}#create`),
      actor: ctx().getActorUri(NAME),
      object: event,
      ...audience(),
    }));
  },
  async update_event(c) {
    const old = events.get(c.id);
    if (old == null) throw new Error(`no event ${c.id}`);
    const event = old.clone({ ...eventFields(c), updated: Temporal.Now.instant() });
    events.set(c.id, event);
    return publish(new Update({
      id: new URL(`${event.id.href}#update-${randomUUID()}`),
      actor: ctx().getActorUri(NAME),
      object: event,
      ...audience(),
    }));
  },
  async delete_event(c) {
    const event = events.get(c.id);
    if (event == null) throw new Error(`no event ${c.id}`);
    events.delete(c.id);
    return publish(new Delete({
      id: new URL(`${event.id.href}#delete`),
      actor: ctx().getActorUri(NAME),
      object: new Tombstone({ id: event.id, deleted: Temporal.Now.instant() }),
      ...audience(),
    }));
  },
  async publish_note(c) {
    const id = new URL(`${base}/notes/${encodeURIComponent(c.id)}`);
    const note = new Note({
      id,
      attribution: ctx().getActorUri(NAME),
      content: c.content,
      published: Temporal.Now.instant(),
      ...audience(),
    });
    return publish(new Create({
      id: new URL(`${id.href}#create`),
      actor: ctx().getActorUri(NAME),
      object: note,
      ...audience(),
    }));
  },
  async send(c) {
    const { object } = await resolve(c.to);
    const activity = await Activity.fromJsonLd(
      { "@context": "https://www.w3.org/ns/activitystreams", actor: ctx().getActorUri(NAME).href, ...c.activity },
      { documentLoader: ctx().documentLoader, contextLoader: ctx().contextLoader },
    );
    await ctx().sendActivity(sender, object, activity);
    return { activity: await json(activity) };
  },
  async lookup(c) {
    const { object, webfinger } = await resolve(c.target);
    return { type: object.constructor.name, object: await json(object), webfinger };
  },
  async followers() {
    return { followers: [...followers.keys()] };
  },
  async quit() {
    setTimeout(() => process.exit(0), 10);
    return {};
  },
};

// Commands run one after the other, in the order they came (an Update never overtakes its Create).
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(() => command(line));
});

async function command(line) {
  if (line.trim() === "") return;
  let c;
  try {
    c = JSON.parse(line);
  } catch (error) {
    emit({ result: null, ok: false, error: `not JSON: ${error.message}` });
    return;
  }
  const echo = c.tag === undefined ? {} : { tag: c.tag };
  const run = commands[c.cmd];
  if (run == null) {
    emit({ result: c.cmd ?? null, ...echo, ok: false, error: `unknown command ${c.cmd}` });
    return;
  }
  try {
    emit({ result: c.cmd, ...echo, ok: true, ...(await run(c)) });
  } catch (error) {
    emit({ result: c.cmd, ...echo, ok: false, error: String(error?.message ?? error) });
  }
}
process.stdin.on("end", () => queue.then(() => process.exit(0)));

process.stdout.write(`ready ${port}\n`);
