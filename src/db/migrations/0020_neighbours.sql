-- Migration 20: neighbouring instances (issue 20). Each neighbour's public summaries, pulled
-- from its change feed (/api/v1/changes), are kept here (derived: a neighbour removed takes
-- them with it) and indexed in the same search index as local items, with their origin.
CREATE TABLE neighbours (
    id          INTEGER PRIMARY KEY,
    -- Its base URL (scheme://host[:port]), no trailing slash.
    url         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL DEFAULT '',
    center_lat  REAL,
    center_lon  REAL,
    radius_km   REAL,
    -- Where the next pull starts in its change feed.
    cursor_t    INTEGER NOT NULL DEFAULT 0,
    cursor_id   TEXT    NOT NULL DEFAULT '',
    last_try    INTEGER NOT NULL DEFAULT 0,
    last_ok     INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    failures    INTEGER NOT NULL DEFAULT 0,
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE neighbour_items (
    id            INTEGER PRIMARY KEY,
    neighbour_id  INTEGER NOT NULL REFERENCES neighbours(id) ON DELETE CASCADE,
    remote_id     TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    category      TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL,
    text          TEXT    NOT NULL DEFAULT '',
    tags          TEXT    NOT NULL DEFAULT '',
    lat           REAL,
    lon           REAL,
    start         INTEGER,
    url           TEXT    NOT NULL,
    modified      INTEGER NOT NULL,
    UNIQUE (neighbour_id, remote_id)
);

-- The search index follows them, like local items.
CREATE TRIGGER search_neighbour_items_insert AFTER INSERT ON neighbour_items BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('neighbour', NEW.id);
END;
CREATE TRIGGER search_neighbour_items_update AFTER UPDATE ON neighbour_items BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('neighbour', NEW.id);
END;
CREATE TRIGGER search_neighbour_items_delete AFTER DELETE ON neighbour_items BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('neighbour', OLD.id);
END;
