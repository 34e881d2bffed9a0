-- Migration 10: iCalendar import. A calendar source belongs to an organiser page: a URL the
-- server refreshes itself, or an uploaded file (url NULL, one per page, replaced by each
-- upload). Imported events are linked to (source, upstream UID): a new run updates them in
-- place, and those gone upstream are cancelled here.

CREATE TABLE agenda_sources (
    id              INTEGER PRIMARY KEY,
    actor_id        INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    url             TEXT,
    -- HTTP validators of the last answer (conditional requests).
    etag            TEXT    NOT NULL DEFAULT '',
    last_modified   TEXT    NOT NULL DEFAULT '',
    refresh_secs    INTEGER NOT NULL DEFAULT 3600 CHECK (refresh_secs >= 600),
    -- The last run: when, its counts, the first-dates-only note, or its error ('' when it worked).
    last_fetch      INTEGER NOT NULL DEFAULT 0,
    last_added      INTEGER NOT NULL DEFAULT 0,
    last_updated    INTEGER NOT NULL DEFAULT 0,
    last_cancelled  INTEGER NOT NULL DEFAULT 0,
    last_simplified INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX agenda_sources_url ON agenda_sources(actor_id, url) WHERE url IS NOT NULL;
CREATE UNIQUE INDEX agenda_sources_file ON agenda_sources(actor_id) WHERE url IS NULL;
CREATE INDEX agenda_sources_due ON agenda_sources(last_fetch) WHERE url IS NOT NULL;

CREATE TABLE event_imports (
    event_id     INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL REFERENCES agenda_sources(id) ON DELETE CASCADE,
    uid          TEXT    NOT NULL,
    -- A hash of what the feed said: an unchanged event is not rewritten.
    fingerprint  TEXT    NOT NULL,
    UNIQUE (source_id, uid)
);
