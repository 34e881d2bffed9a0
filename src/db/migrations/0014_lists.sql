-- Mailing lists (issue 9): lists, subscribers with double opt-in, the consent ledger,
-- mailings with their revisions, and the persistent sending queue.

-- A list: the village list (actor_id NULL, is_village 1) or an actor's list.
CREATE TABLE lists (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    purpose         TEXT    NOT NULL DEFAULT '',
    actor_id        INTEGER REFERENCES actors(id) ON DELETE CASCADE,
    is_village      INTEGER NOT NULL DEFAULT 0 CHECK (is_village IN (0, 1)),
    public          INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    -- The published promise: at most once a week, once a month, or every N days.
    frequency       TEXT    NOT NULL CHECK (frequency IN ('week', 'month', 'days')),
    frequency_days  INTEGER NOT NULL DEFAULT 0 CHECK (frequency_days BETWEEN 0 AND 366),
    -- A second editor must approve a mailing before it can be sent.
    needs_approval  INTEGER NOT NULL DEFAULT 0 CHECK (needs_approval IN (0, 1)),
    -- Open to members' posts: the owner's members (residents, for the village list) propose
    -- mailings, which the editors moderate (edit, approve, send or delete).
    members_post    INTEGER NOT NULL DEFAULT 0 CHECK (members_post IN (0, 1)),
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX lists_one_village ON lists(is_village) WHERE is_village = 1;
CREATE INDEX lists_actor ON lists(actor_id);

-- A subscriber: an address alone or an account's. Tokens (confirmation, unsubscribe) are
-- HMACs of the id with the instance secret: nothing to store, nothing to steal.
CREATE TABLE list_subscribers (
    id              INTEGER PRIMARY KEY,
    list_id         INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    email           TEXT    NOT NULL COLLATE NOCASE,
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    lang            TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed')),
    created_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    unsubscribed_at INTEGER,
    -- 1 while the confirmation mail of a pending sign-up is still to be sent (by the
    -- background task: committed with the sign-up, so a crash loses no mail).
    notify          INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1)),
    UNIQUE (list_id, email)
);
CREATE INDEX list_subscribers_pending ON list_subscribers(created_at) WHERE status = 'pending';
CREATE INDEX list_subscribers_notify ON list_subscribers(id) WHERE notify = 1;
CREATE INDEX list_subscribers_user ON list_subscribers(user_id);

-- The consent ledger: one row per consent given, never rewritten but for its confirmation
-- and withdrawal dates.
CREATE TABLE list_consents (
    id              INTEGER PRIMARY KEY,
    list_id         INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    subscriber_id   INTEGER REFERENCES list_subscribers(id) ON DELETE SET NULL,
    email           TEXT    NOT NULL,
    text_version    TEXT    NOT NULL,
    text_hash       TEXT    NOT NULL,
    consent_text    TEXT    NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('form', 'import', 'account')),
    page            TEXT    NOT NULL DEFAULT '',
    recorded_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    given_at        INTEGER NOT NULL,
    confirmed_at    INTEGER,
    withdrawn_at    INTEGER
);
CREATE INDEX list_consents_list ON list_consents(list_id, given_at);
CREATE INDEX list_consents_subscriber ON list_consents(subscriber_id);

-- A mailing: a draft, then scheduled, sending, sent. `revision` is the number of its
-- latest revision (optimistic concurrency: a save names the revision it started from).
CREATE TABLE list_mailings (
    id              INTEGER PRIMARY KEY,
    list_id         INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 1,
    status          TEXT    NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'scheduled', 'sending', 'sent')),
    approved_by     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    approved_rev    INTEGER,
    send_at         INTEGER,
    sent_at         INTEGER,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX list_mailings_list ON list_mailings(list_id, status, send_at);
CREATE INDEX list_mailings_due ON list_mailings(send_at) WHERE status = 'scheduled';

CREATE TABLE list_revisions (
    mailing_id      INTEGER NOT NULL REFERENCES list_mailings(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    author_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (mailing_id, number)
) WITHOUT ROWID;

-- The sending queue: one row per recipient of a mailing. A row is marked sent in its own
-- committed write right after the relay accepted the message.
CREATE TABLE list_queue (
    id              INTEGER PRIMARY KEY,
    mailing_id      INTEGER NOT NULL REFERENCES list_mailings(id) ON DELETE CASCADE,
    subscriber_id   INTEGER REFERENCES list_subscribers(id) ON DELETE SET NULL,
    email           TEXT    NOT NULL,
    lang            TEXT,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try_at     INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    UNIQUE (mailing_id, subscriber_id)
);
CREATE INDEX list_queue_due ON list_queue(next_try_at, id) WHERE status = 'pending';
CREATE INDEX list_queue_sent ON list_queue(sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX list_queue_mailing ON list_queue(mailing_id, status);

-- The relay's limits and the optional DKIM key (the admin sets them on /admin/lists).
CREATE TABLE list_settings (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    per_minute      INTEGER NOT NULL DEFAULT 30 CHECK (per_minute > 0),
    per_day         INTEGER NOT NULL DEFAULT 500 CHECK (per_day > 0),
    -- DKIM signing of the lists' mails: the d= domain, the s= selector, the RSA private key
    -- (PKCS#1 PEM). All empty: no signature.
    dkim_domain     TEXT    NOT NULL DEFAULT '',
    dkim_selector   TEXT    NOT NULL DEFAULT '',
    dkim_key        TEXT    NOT NULL DEFAULT ''
);
INSERT INTO list_settings (id) VALUES (1);

-- Deleting an account withdraws the subscriptions made from it (the ledger keeps the history
-- of the consent, now withdrawn; the mails still queued for them are skipped).
CREATE TRIGGER lists_account_deleted BEFORE DELETE ON users BEGIN
    UPDATE list_consents SET withdrawn_at = CAST(strftime('%s', 'now') AS INTEGER)
        WHERE withdrawn_at IS NULL
          AND subscriber_id IN (SELECT id FROM list_subscribers WHERE user_id = OLD.id);
    UPDATE list_queue SET status = 'skipped'
        WHERE status = 'pending'
          AND subscriber_id IN (SELECT id FROM list_subscribers WHERE user_id = OLD.id);
    UPDATE list_subscribers SET status = 'unsubscribed',
            unsubscribed_at = CAST(strftime('%s', 'now') AS INTEGER)
        WHERE user_id = OLD.id AND status <> 'unsubscribed';
END;
