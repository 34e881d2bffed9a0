-- Migration 18: the village on the fediverse (issue 19). The instance and its public
-- organisation pages are ActivityPub actors; their followers, the queue of deliveries to
-- their inboxes, the remote actors they follow, and the blocks.

-- The instance's key pairs (RSA 2048, PEM). The current one is the newest not retired; a
-- rotated key stays for a while so that signatures in flight still verify.
CREATE TABLE federation_keys (
    id           INTEGER PRIMARY KEY,
    private_pem  TEXT    NOT NULL,
    public_pem   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    retired_at   INTEGER
);

-- Every change of a federated row, written by triggers in the same transaction (as
-- search_queue): the federation task turns each into Create, Update or Delete for followers.
CREATE TABLE federation_queue (
    seq      INTEGER PRIMARY KEY,
    kind     TEXT    NOT NULL,
    item_id  INTEGER NOT NULL
);
CREATE TRIGGER federation_events_insert AFTER INSERT ON events BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('event', NEW.id);
END;
CREATE TRIGGER federation_events_update AFTER UPDATE ON events BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('event', NEW.id);
END;
CREATE TRIGGER federation_events_delete AFTER DELETE ON events BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('event', OLD.id);
END;
CREATE TRIGGER federation_news_insert AFTER INSERT ON news_posts BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('news', NEW.id);
END;
CREATE TRIGGER federation_news_update AFTER UPDATE ON news_posts BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('news', NEW.id);
END;
CREATE TRIGGER federation_news_delete AFTER DELETE ON news_posts BEGIN
    INSERT INTO federation_queue (kind, item_id) VALUES ('news', OLD.id);
END;

-- What followers were last told of each object: its id, its JSON as sent (an unchanged
-- object sends no Update; outboxes and object URLs serve it), and whether it is gone (a
-- Delete was sent: its URL answers 410 with a Tombstone).
CREATE TABLE federation_published (
    kind        TEXT    NOT NULL,
    item_id     INTEGER NOT NULL,
    object_id   TEXT    NOT NULL,
    -- The local page it is attributed to (0: the village only).
    local_actor INTEGER NOT NULL DEFAULT 0,
    json        TEXT    NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    published   INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX federation_published_actor ON federation_published(local_actor, published);

-- Remote actors we have read (keys, inboxes), refreshed when a signature fails.
CREATE TABLE federation_remote_actors (
    url           TEXT    PRIMARY KEY,
    key_id        TEXT    NOT NULL,
    public_pem    TEXT    NOT NULL,
    inbox         TEXT    NOT NULL,
    shared_inbox  TEXT    NOT NULL DEFAULT '',
    outbox        TEXT    NOT NULL DEFAULT '',
    type          TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL DEFAULT '',
    handle        TEXT    NOT NULL DEFAULT '',
    -- mobilizon, gancio, mastodon... from NodeInfo when known: Mobilizon followers also get
    -- an Announce of each event.
    software      TEXT    NOT NULL DEFAULT '',
    fetched_at    INTEGER NOT NULL
);
CREATE INDEX federation_remote_actors_key ON federation_remote_actors(key_id);

-- Who follows the village (local_actor 0) or one of its public pages (the actor's id).
CREATE TABLE federation_followers (
    local_actor  INTEGER NOT NULL,
    remote       TEXT    NOT NULL,
    follow_id    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (local_actor, remote)
);

-- The queue of activities to deliver: one row per inbox, retried with backoff, kept across
-- restarts; delivered rows are deleted.
CREATE TABLE federation_deliveries (
    id           INTEGER PRIMARY KEY,
    inbox        TEXT    NOT NULL,
    host         TEXT    NOT NULL,
    -- Whose key signs it (0: the village; else the page's actor id; all use the instance key).
    local_actor  INTEGER NOT NULL,
    activity     TEXT    NOT NULL,
    tries        INTEGER NOT NULL DEFAULT 0,
    next_try_at  INTEGER NOT NULL,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX federation_deliveries_due ON federation_deliveries(next_try_at);

-- Remote actors the village or a page follows: their events come into the agenda through
-- an agenda source (protocol 'activitypub') organised by the page.
CREATE TABLE federation_following (
    id           INTEGER PRIMARY KEY,
    local_actor  INTEGER NOT NULL,
    remote       TEXT    NOT NULL,
    follow_id    TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    source_id    INTEGER REFERENCES agenda_sources(id) ON DELETE SET NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (local_actor, remote)
);
ALTER TABLE agenda_sources ADD COLUMN protocol TEXT NOT NULL DEFAULT 'ical'
    CHECK (protocol IN ('ical', 'activitypub'));

-- Blocked remote actors (their URL) and whole domains: nothing from them is accepted, nothing
-- is delivered to them.
CREATE TABLE federation_blocks (
    target      TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('actor', 'domain')),
    reason      TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);
