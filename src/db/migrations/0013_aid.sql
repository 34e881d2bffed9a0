-- Migration 13: mutual aid and small ads. Offers, needs and small ads in one table, private
-- conversations about them (relayed by mail without any address), blocks, reports, the
-- daily digest's subscriptions and the module's one setting.

CREATE TABLE aid_posts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('offer', 'need', 'ad_sale', 'ad_wanted')),
    category        TEXT    NOT NULL CHECK (category IN ('give', 'lend', 'services', 'skills', 'rides', 'housing', 'other')),
    title           TEXT    NOT NULL,
    -- Markdown, rendered with raw HTML escaped.
    description     TEXT    NOT NULL DEFAULT '',
    -- Small ads: a price in cents, or 'free' / 'exchange'; NULL for offers and needs.
    price_cents     INTEGER CHECK (price_cents IS NULL OR price_cents >= 0),
    price_kind      TEXT    CHECK (price_kind IN ('price', 'free', 'exchange')),
    item_condition  TEXT    CHECK (item_condition IN ('new', 'good', 'used', 'for_parts')),
    -- File name under DATA/uploads/ (re-encoded JPEG).
    photo           TEXT,
    available_from  INTEGER,
    available_until INTEGER,
    -- A person's posts go with their account.
    author_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Posted in the name of an association or business the author manages.
    actor_id        INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    -- A person's point is ROUNDED to a ~300 m grid before it is stored: the exact point never
    -- reaches this table nor the shared R*Tree. An actor's post may carry the actor's point.
    lat             REAL    CHECK (lat BETWEEN -90 AND 90),
    lon             REAL    CHECK (lon BETWEEN -180 AND 180),
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'expired')),
    -- Set by a moderator: gone from every public page until restored (independent of status).
    hidden_at       INTEGER,
    hidden_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    -- When the "still valid?" mail went out for the current expiry date (reset by an extension).
    warned_at       INTEGER,
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX aid_posts_open ON aid_posts(status, created_at);
CREATE INDEX aid_posts_expiry ON aid_posts(status, expires_at);
CREATE INDEX aid_posts_author ON aid_posts(author_id);
-- The list's distance filter: a lat band of open posts (the shared R*Tree also holds every
-- other module's points, a 5 km box in a dense département reads thousands of them).
CREATE INDEX aid_posts_place ON aid_posts(lat, lon) WHERE status = 'open' AND lat IS NOT NULL;

-- A private thread between a post's author and one person who replied.
CREATE TABLE aid_conversations (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES aid_posts(id) ON DELETE CASCADE,
    replier_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    -- Closed by the post's author: no more messages.
    closed_at   INTEGER,
    UNIQUE (post_id, replier_id)
);
CREATE INDEX aid_conversations_replier ON aid_conversations(replier_id);

CREATE TABLE aid_messages (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES aid_conversations(id) ON DELETE CASCADE,
    sender_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    -- The relay mail to the other person: NULL until the background task sent it (restart-safe).
    relayed_at       INTEGER
);
CREATE INDEX aid_messages_conversation ON aid_messages(conversation_id, created_at);
CREATE INDEX aid_messages_relay ON aid_messages(relayed_at) WHERE relayed_at IS NULL;

-- "This person can no longer write to me."
CREATE TABLE aid_blocks (
    blocker_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;

CREATE TABLE aid_reports (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES aid_posts(id) ON DELETE CASCADE,
    reporter_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER
);
CREATE INDEX aid_reports_open ON aid_reports(resolved_at, created_at);
CREATE INDEX aid_reports_post ON aid_reports(post_id);

-- The daily digest: one row per subscriber, the categories as a comma list.
CREATE TABLE aid_digests (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    categories    TEXT    NOT NULL,
    last_sent_at  INTEGER NOT NULL
);

-- The module's settings (one row): how long a post lives, when its author is asked.
CREATE TABLE aid_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    expiry_days  INTEGER NOT NULL DEFAULT 30 CHECK (expiry_days BETWEEN 1 AND 365),
    warn_days    INTEGER NOT NULL DEFAULT 3 CHECK (warn_days BETWEEN 0 AND 30)
);
INSERT INTO aid_settings (id) VALUES (1);

-- The search index follows the posts (only open, visible ones are indexed: see aid::search).
CREATE TRIGGER search_aid_insert AFTER INSERT ON aid_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('aid', NEW.id);
END;
CREATE TRIGGER search_aid_update AFTER UPDATE ON aid_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('aid', NEW.id);
END;
CREATE TRIGGER search_aid_delete AFTER DELETE ON aid_posts BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('aid', OLD.id);
    DELETE FROM geo_items WHERE kind = 'aid' AND item_id = OLD.id;
END;
