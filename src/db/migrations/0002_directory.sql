-- Migration 2: the directory. Actors (organisations, projects, places, people), their tags,
-- members, invitations, followers.

CREATE TABLE actors (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('organisation', 'project', 'place', 'person')),
    type            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    summary         TEXT    NOT NULL DEFAULT '',
    -- Markdown, rendered with raw HTML escaped.
    description     TEXT    NOT NULL DEFAULT '',
    address         TEXT    NOT NULL DEFAULT '',
    lat             REAL    CHECK (lat BETWEEN -90 AND 90),
    lon             REAL    CHECK (lon BETWEEN -180 AND 180),
    phone           TEXT    NOT NULL DEFAULT '',
    website         TEXT    NOT NULL DEFAULT '',
    -- One URL per line.
    social          TEXT    NOT NULL DEFAULT '',
    -- JSON: [[weekday 0=Monday, "HH:MM", "HH:MM"], ...]
    hours           TEXT    NOT NULL DEFAULT '[]',
    -- Rooms and halls (kind place, type room).
    capacity        INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    equipment       TEXT    NOT NULL DEFAULT '',
    accessibility   TEXT    NOT NULL DEFAULT '',
    -- File name under DATA/uploads/.
    photo           TEXT,
    parent_id       INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    visibility      TEXT    NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'members')),
    -- Identifier in the national associations register, for idempotent imports.
    rna_id          TEXT    UNIQUE,
    -- A person's public profile belongs to their account.
    user_id         INTEGER UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    created_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX actors_kind_name ON actors(kind, name COLLATE NOCASE);
CREATE INDEX actors_parent ON actors(parent_id);

CREATE TABLE actor_tags (
    actor_id  INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL,
    PRIMARY KEY (actor_id, tag)
) WITHOUT ROWID;
CREATE INDEX actor_tags_tag ON actor_tags(tag, actor_id);

CREATE TABLE memberships (
    actor_id    INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    -- A free title such as « trésorière ».
    title       TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'requested')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (actor_id, user_id)
) WITHOUT ROWID;
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invitations (
    token_hash   BLOB    PRIMARY KEY,
    actor_id     INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    email        TEXT    NOT NULL COLLATE NOCASE,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    title        TEXT    NOT NULL DEFAULT '',
    invited_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX invitations_actor ON invitations(actor_id);

CREATE TABLE follows (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    actor_id    INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX follows_actor ON follows(actor_id);
