-- Channels (issue 22, part 1): thematic channels of the village (actor_id NULL) or of an
-- organisation page, their threads and messages, the code of conduct accepted before a first
-- post, invitations by mail, and the rows the notifications read (mentions, follows).

INSERT OR IGNORE INTO modules (name) VALUES ('channels');

CREATE TABLE channels (
    id              INTEGER PRIMARY KEY,
    -- The page it belongs to; NULL for the village's own channels.
    actor_id        INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    -- One line, shown beside the name; channels are grouped by it on /channels.
    topic           TEXT    NOT NULL DEFAULT '',
    -- Markdown, masked of personal data.
    description     TEXT    NOT NULL DEFAULT '',
    -- 'public': anyone reads, residents with an account post; 'residents': accounts only;
    -- 'members': the page's active members only (never for a village channel).
    visibility      TEXT    NOT NULL CHECK (visibility IN ('public', 'residents', 'members')),
    -- Suggested to newcomers first on /channels (set by the site's admins).
    recommended     INTEGER NOT NULL DEFAULT 0 CHECK (recommended IN (0, 1)),
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- The time of the latest message, kept by channels::post (orders /channels).
    last_activity_at INTEGER NOT NULL,
    CHECK (actor_id IS NOT NULL OR visibility <> 'members')
);
CREATE INDEX channels_actor ON channels(actor_id);

-- People named moderator or documentalist of a channel (beyond the default moderators: the
-- page's admins, the site's admins and moderators).
CREATE TABLE channel_roles (
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('moderator', 'documentalist')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id, role)
);
CREATE INDEX channel_roles_user ON channel_roles(user_id);

CREATE TABLE channel_threads (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    -- Kept by channels::post: how many messages, the latest one and its time, so that no
    -- page counts the messages of a thread.
    messages        INTEGER NOT NULL DEFAULT 0,
    last_message_id INTEGER,
    last_activity_at INTEGER NOT NULL,
    -- Closed with a summary (markdown, masked) by a moderator or a documentalist.
    closed_at       INTEGER,
    closed_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    summary         TEXT,
    created_at      INTEGER NOT NULL,
    CHECK ((closed_at IS NULL) = (summary IS NULL))
);
CREATE INDEX channel_threads_activity ON channel_threads(channel_id, last_activity_at DESC, id DESC);
CREATE INDEX channel_threads_author ON channel_threads(author_id);
CREATE INDEX channel_threads_closed ON channel_threads(channel_id, closed_at DESC) WHERE closed_at IS NOT NULL;

CREATE TABLE channel_messages (
    id              INTEGER PRIMARY KEY,
    thread_id       INTEGER NOT NULL REFERENCES channel_threads(id) ON DELETE CASCADE,
    -- NULL when the account is gone, or for a message a tool posted (author_label says who).
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_label    TEXT    NOT NULL DEFAULT '',
    -- Markdown, masked of personal data.
    body            TEXT    NOT NULL,
    hidden          INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at      INTEGER NOT NULL,
    edited_at       INTEGER
);
-- Keyset paging: a thread's first, next, previous and last page are each one index range.
CREATE INDEX channel_messages_thread ON channel_messages(thread_id, id);
CREATE INDEX channel_messages_author ON channel_messages(author_id);

-- @name in a message, resolved to accounts that may read the channel, written with the
-- message (the notifications read these rows).
CREATE TABLE channel_mentions (
    message_id      INTEGER NOT NULL REFERENCES channel_messages(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, user_id)
);
CREATE INDEX channel_mentions_user ON channel_mentions(user_id, message_id);

-- Who follows a thread: its author and everyone who replied (written with the message), and
-- whoever pressed « Suivre ». `seen_id` is the latest message they were shown.
CREATE TABLE channel_follows (
    thread_id       INTEGER NOT NULL REFERENCES channel_threads(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seen_id         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX channel_follows_user ON channel_follows(user_id);

-- The code of conduct: every save is a new version, none is ever changed.
CREATE TABLE conduct_versions (
    id              INTEGER PRIMARY KEY,
    body            TEXT    NOT NULL,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL
);
CREATE TRIGGER conduct_versions_kept BEFORE UPDATE ON conduct_versions BEGIN
    SELECT RAISE(ABORT, 'a version of the code of conduct is never changed');
END;

-- A person's acceptance of a version, kept as proof (like the newsletter consent).
CREATE TABLE conduct_acceptances (
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version_id      INTEGER NOT NULL REFERENCES conduct_versions(id),
    accepted_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, version_id)
);

-- Invitations to a channel by mail; the token is stored hashed.
CREATE TABLE channel_invitations (
    token_hash      BLOB    PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    email           TEXT    NOT NULL COLLATE NOCASE,
    invited_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
);
CREATE INDEX channel_invitations_channel ON channel_invitations(channel_id);

-- An item gone takes its originals with it (see migration 16).
CREATE TRIGGER personal_channel_message_gone AFTER DELETE ON channel_messages BEGIN
    DELETE FROM personal_originals WHERE kind = 'channel_message' AND item_id = OLD.id;
END;
CREATE TRIGGER personal_channel_thread_gone AFTER DELETE ON channel_threads BEGIN
    DELETE FROM personal_originals WHERE kind IN ('channel_thread', 'summary') AND item_id = OLD.id;
END;
CREATE TRIGGER personal_channel_gone AFTER DELETE ON channels BEGIN
    DELETE FROM personal_originals WHERE kind = 'channel' AND item_id = OLD.id;
END;

-- The search index follows every change of a thread (its summary is the document), and of
-- its channel's visibility.
CREATE TRIGGER search_summary_insert AFTER INSERT ON channel_threads BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('summary', NEW.id);
END;
CREATE TRIGGER search_summary_update AFTER UPDATE OF title, hidden, summary, closed_at ON channel_threads BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('summary', NEW.id);
END;
CREATE TRIGGER search_summary_delete AFTER DELETE ON channel_threads BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('summary', OLD.id);
END;
CREATE TRIGGER search_summary_channel AFTER UPDATE OF visibility, name ON channels BEGIN
    INSERT INTO search_queue (kind, item_id)
        SELECT 'summary', id FROM channel_threads WHERE channel_id = NEW.id AND closed_at IS NOT NULL;
END;
CREATE TRIGGER search_summary_actor_visibility AFTER UPDATE OF visibility ON actors BEGIN
    INSERT INTO search_queue (kind, item_id)
        SELECT 'summary', t.id FROM channel_threads t JOIN channels c ON c.id = t.channel_id
        WHERE c.actor_id = NEW.id AND t.closed_at IS NOT NULL;
END;
