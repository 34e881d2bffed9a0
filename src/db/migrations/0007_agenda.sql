-- Migration 7: the agenda. Events (a single date or a series), their tags, their occurrences
-- materialised up to a rolling horizon (so that list, month and week pages are range queries
-- on one index), and the RSVPs of each occurrence.

CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    slug                TEXT    NOT NULL UNIQUE,
    -- iCalendar UID: stable across edits, so calendars update the event rather than duplicate it.
    uid                 TEXT    NOT NULL UNIQUE,
    title               TEXT    NOT NULL,
    -- Markdown, rendered with raw HTML escaped.
    description         TEXT    NOT NULL DEFAULT '',
    type                TEXT    NOT NULL DEFAULT 'other' CHECK (type IN ('market', 'concert', 'meeting',
                            'workshop', 'sport', 'festival', 'show', 'exhibition', 'conference', 'other')),
    -- The first start and end, unambiguous twice over: wall time ('YYYY-MM-DDTHH:MM') in the
    -- IANA zone `tz`, and UTC seconds. All-day events end at 00:00 the day after (exclusive).
    tz                  TEXT    NOT NULL,
    start_local         TEXT    NOT NULL,
    end_local           TEXT    NOT NULL,
    start_utc           INTEGER NOT NULL,
    end_utc             INTEGER NOT NULL CHECK (end_utc >= start_utc),
    all_day             INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    -- A place (or room) of the directory, or a typed address; lat/lon are the place's,
    -- copied at save time, or typed.
    place_id            INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    address             TEXT    NOT NULL DEFAULT '',
    lat                 REAL    CHECK (lat BETWEEN -90 AND 90),
    lon                 REAL    CHECK (lon BETWEEN -180 AND 180),
    -- An actor of the directory, or a person in their own name.
    organiser_actor_id  INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    organiser_user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- A sub-event (a concert of the festival).
    parent_id           INTEGER REFERENCES events(id) ON DELETE SET NULL,
    -- File name under DATA/uploads/.
    image               TEXT,
    visibility          TEXT    NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'members')),
    status              TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'pending')),
    capacity            INTEGER CHECK (capacity IS NULL OR capacity > 0),
    -- RFC 5545 RRULE value (supported subset), '' for a single date.
    rrule               TEXT    NOT NULL DEFAULT '',
    -- Local dates removed from the series (EXDATE), 'YYYY-MM-DD' separated by commas.
    exdates             TEXT    NOT NULL DEFAULT '',
    -- Occurrences exist up to this instant; 9223372036854775807 once the series is complete.
    materialised_until  INTEGER NOT NULL DEFAULT 0,
    -- End of the last occurrence; 9223372036854775807 while the series has no end.
    last_end_utc        INTEGER NOT NULL DEFAULT 0,
    -- A submission without an account: who sent it (shown to moderators, never published).
    submitter_name      TEXT    NOT NULL DEFAULT '',
    submitter_email     TEXT    NOT NULL DEFAULT '',
    created_by          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at          INTEGER NOT NULL,
    updated_by          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX events_parent ON events(parent_id);
CREATE INDEX events_organiser ON events(organiser_actor_id);
CREATE INDEX events_organiser_user ON events(organiser_user_id);
CREATE INDEX events_place ON events(place_id);
CREATE INDEX events_created_by ON events(created_by);
CREATE INDEX events_pending ON events(created_at) WHERE status = 'pending';
CREATE INDEX events_last_end ON events(last_end_utc);
CREATE INDEX events_to_extend ON events(materialised_until) WHERE rrule <> '';
-- The filter menus (tags, organisers and places of the public events not over yet) read these
-- small partial indexes rather than the wide rows.
CREATE INDEX events_public_upcoming ON events(id, last_end_utc)
    WHERE visibility = 'public' AND status <> 'pending';
CREATE INDEX events_organiser_upcoming ON events(organiser_actor_id, last_end_utc)
    WHERE visibility = 'public' AND status <> 'pending';
CREATE INDEX events_place_upcoming ON events(place_id, last_end_utc)
    WHERE visibility = 'public' AND status <> 'pending';

CREATE TABLE event_tags (
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL,
    PRIMARY KEY (event_id, tag)
) WITHOUT ROWID;
CREATE INDEX event_tags_tag ON event_tags(tag, event_id);

-- One row per date of an event. recurrence_id is the date's original start (UTC) in the
-- series: the iCalendar RECURRENCE-ID, which stays when the date alone is moved.
CREATE TABLE occurrences (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    recurrence_id  INTEGER NOT NULL,
    start_utc      INTEGER NOT NULL,
    end_utc        INTEGER NOT NULL CHECK (end_utc >= start_utc),
    cancelled      INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    -- Moved or retitled alone: a new expansion of the series keeps it as it is.
    moved          INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1)),
    title          TEXT,
    note           TEXT    NOT NULL DEFAULT '',
    UNIQUE (event_id, recurrence_id)
);
-- The order of every list (start, end, then the rowid): a page of dates stops early, and the
-- dates that ended before the page's start are skipped without reading their rows.
CREATE INDEX occurrences_start ON occurrences(start_utc, end_utc);
CREATE INDEX occurrences_event_start ON occurrences(event_id, start_utc);

-- Going or interested, for one occurrence. Capacity is checked in the write transaction.
CREATE TABLE rsvps (
    occurrence_id  INTEGER NOT NULL REFERENCES occurrences(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT    NOT NULL CHECK (status IN ('going', 'interested')),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
) WITHOUT ROWID;
CREATE INDEX rsvps_user ON rsvps(user_id);

-- The search index follows events and their tags (see migration 6).
CREATE TRIGGER search_events_insert AFTER INSERT ON events BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('event', NEW.id);
END;
CREATE TRIGGER search_events_update AFTER UPDATE ON events BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('event', NEW.id);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON events BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('event', OLD.id);
END;
CREATE TRIGGER search_event_tags_insert AFTER INSERT ON event_tags BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('event', NEW.event_id);
END;
CREATE TRIGGER search_event_tags_delete AFTER DELETE ON event_tags BEGIN
    INSERT INTO search_queue (kind, item_id) VALUES ('event', OLD.event_id);
END;
