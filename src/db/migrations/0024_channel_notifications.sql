-- Channels' notifications and webhooks (issue 22, part 1): each person's choice of mail for
-- mentions and followed threads, the immediate mails marked with the message that causes
-- them, the daily digest's progress, and the channels' outgoing and incoming webhooks with
-- their deliveries (rows, retried).

-- A person's choice; no row is the default: mentions mailed at once, followed threads in
-- the daily digest (what Zulip and Discourse do by default).
CREATE TABLE channel_notify_prefs (
    user_id         INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    mentions        TEXT    NOT NULL DEFAULT 'immediate' CHECK (mentions IN ('immediate', 'digest', 'none')),
    follows         TEXT    NOT NULL DEFAULT 'digest' CHECK (follows IN ('immediate', 'digest', 'none')),
    -- The digest's progress: the latest message listed (or passed over) and the local day
    -- (YYYY-MM-DD) of the last digest, written in the transaction that files the digest's
    -- mail, so a restart or a second run sends nothing twice.
    digest_upto     INTEGER NOT NULL DEFAULT 0,
    digest_day      TEXT    NOT NULL DEFAULT '',
    digest_at       INTEGER,
    updated_at      INTEGER NOT NULL
);

-- Immediate mails to write: one row per person and message, written by
-- channels::notify::on_message in the message's transaction; the task turns each into an
-- outbox mail in the transaction that deletes it (exactly once).
CREATE TABLE channel_notify_queue (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES channel_messages(id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL CHECK (reason IN ('mention', 'follow')),
    created_at      INTEGER NOT NULL,
    UNIQUE (user_id, message_id)
);

-- A channel's webhooks, set by its moderators. 'out': every new message of a person is
-- POSTed to `url`, signed with `secret`; 'in': POST /hooks/c/{token} (only its SHA-256 is
-- kept) signed with `secret` posts into `thread_id` (or a new thread) as « name ».
CREATE TABLE channel_hooks (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    direction       TEXT    NOT NULL CHECK (direction IN ('out', 'in')),
    name            TEXT    NOT NULL,
    url             TEXT,
    token_hash      BLOB    UNIQUE,
    thread_id       INTEGER REFERENCES channel_threads(id) ON DELETE SET NULL,
    -- The HMAC key (hex), kept in clear: both sides must compute the signature.
    secret          TEXT    NOT NULL,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    last_status     TEXT,
    CHECK ((direction = 'out') = (url IS NOT NULL)),
    CHECK ((direction = 'in') = (token_hash IS NOT NULL))
);
CREATE INDEX channel_hooks_channel ON channel_hooks(channel_id, direction);

-- Outgoing deliveries, written with the message; sent by the task with retries.
CREATE TABLE channel_hook_deliveries (
    id              INTEGER PRIMARY KEY,
    hook_id         INTEGER NOT NULL REFERENCES channel_hooks(id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES channel_messages(id) ON DELETE CASCADE,
    tries           INTEGER NOT NULL DEFAULT 0,
    next_try_at     INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX channel_hook_deliveries_due ON channel_hook_deliveries(next_try_at);

-- Notification mails may carry RFC 8058 one-click unsubscribe (the URL, in List-Unsubscribe).
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT;
