-- Migration 12: room booking. A room is a directory actor (kind place, type room); these
-- tables key on its actor id. THE guarantee: two confirmed bookings of one room, buffer
-- included, never overlap; the triggers below refuse it whatever code path writes.

-- The public rooms by name (the list of rooms pages through them without reading the other
-- actors).
CREATE INDEX actors_public_rooms ON actors(name COLLATE NOCASE, id)
    WHERE kind = 'place' AND type = 'room' AND visibility = 'public';

-- The booking rules of a room (a room without a row uses the defaults of `rooms::Rules`).
-- Opening hours are the actor's own `hours` (directory::hours); none given means always open.
CREATE TABLE room_rules (
    room_id             INTEGER PRIMARY KEY REFERENCES actors(id) ON DELETE CASCADE,
    min_minutes         INTEGER NOT NULL DEFAULT 30 CHECK (min_minutes > 0),
    max_minutes         INTEGER NOT NULL DEFAULT 720 CHECK (max_minutes >= min_minutes AND max_minutes <= 1440),
    -- Free time kept after each booking (cleaning, tidying).
    buffer_minutes      INTEGER NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
    -- How far ahead a booking may start.
    horizon_days        INTEGER NOT NULL DEFAULT 365 CHECK (horizon_days > 0),
    -- Who may book: any account, members of the actors of room_allowed, managers only.
    who                 TEXT    NOT NULL DEFAULT 'any' CHECK (who IN ('any', 'members', 'managers')),
    approval            INTEGER NOT NULL DEFAULT 1 CHECK (approval IN (0, 1)),
    -- Bookings (requested or confirmed) per booking actor (or person) per ISO week / calendar
    -- month, local time; NULL for no limit.
    quota_week          INTEGER CHECK (quota_week IS NULL OR quota_week > 0),
    quota_month         INTEGER CHECK (quota_month IS NULL OR quota_month > 0),
    -- Shown only to people with a confirmed booking of the room, and to its managers.
    access_instructions TEXT    NOT NULL DEFAULT '',
    -- An actor (the town hall) whose admins manage the room, besides the room's own admins.
    manager_actor_id    INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    updated_at          INTEGER NOT NULL
);

-- With who = 'members': the actors whose active members may book.
CREATE TABLE room_allowed (
    room_id   INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    actor_id  INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    PRIMARY KEY (room_id, actor_id)
) WITHOUT ROWID;

-- Accounts that manage a room (besides the room's admins and the manager actor's admins).
CREATE TABLE room_managers (
    room_id   INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX room_managers_user ON room_managers(user_id);

CREATE TABLE room_bookings (
    id            INTEGER PRIMARY KEY,
    room_id       INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    -- Unix seconds; the wall time is the instance's zone.
    start_utc     INTEGER NOT NULL,
    end_utc       INTEGER NOT NULL CHECK (end_utc > start_utc),
    -- The end plus the room's buffer at booking time: the room is busy until then.
    -- A booking and its buffer span two days at most, which bounds the triggers' search.
    busy_end      INTEGER NOT NULL CHECK (busy_end >= end_utc AND busy_end - start_utc <= 172800),
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    -- Booked on behalf of this actor (an association), or NULL for oneself.
    actor_id      INTEGER REFERENCES actors(id) ON DELETE SET NULL,
    purpose       TEXT    NOT NULL DEFAULT '',
    -- A public booking shows its purpose on the public calendar.
    public        INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
    status        TEXT    NOT NULL CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled')),
    decided_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_at    INTEGER,
    -- The id of the series' first booking, for every booking of a recurring series.
    series_id     INTEGER,
    -- The agenda event published for (or linked to) a public booking.
    event_id      INTEGER REFERENCES events(id) ON DELETE SET NULL,
    -- A mail to send, committed with the write: 'request' (to the managers) or 'decision'
    -- (to the booker); the background task clears it when it sends.
    notify        TEXT    CHECK (notify IS NULL OR notify IN ('request', 'decision')),
    reminded_at   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX room_bookings_room ON room_bookings(room_id, status, start_utc);
CREATE INDEX room_bookings_user ON room_bookings(user_id, start_utc);
CREATE INDEX room_bookings_actor ON room_bookings(actor_id, start_utc);
CREATE INDEX room_bookings_series ON room_bookings(series_id) WHERE series_id IS NOT NULL;
-- The agenda events a booking published or linked (left out of the calendars' event dates).
CREATE INDEX room_bookings_event ON room_bookings(event_id) WHERE event_id IS NOT NULL;
CREATE INDEX room_bookings_notify ON room_bookings(id) WHERE notify IS NOT NULL;
CREATE INDEX room_bookings_remind ON room_bookings(start_utc) WHERE status = 'confirmed' AND reminded_at IS NULL;

-- THE guarantee. `a` and `b` clash when a.start < b.busy_end and b.start < a.busy_end.
CREATE TRIGGER room_bookings_no_overlap_insert BEFORE INSERT ON room_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM room_bookings b
    WHERE b.room_id = NEW.room_id AND b.status = 'confirmed'
      AND b.start_utc < NEW.busy_end AND b.start_utc > NEW.start_utc - 172800
      AND NEW.start_utc < b.busy_end)
BEGIN
    SELECT RAISE(ABORT, 'room_booking_overlap');
END;

CREATE TRIGGER room_bookings_no_overlap_update BEFORE UPDATE OF status, start_utc, end_utc, busy_end, room_id ON room_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM room_bookings b
    WHERE b.room_id = NEW.room_id AND b.status = 'confirmed' AND b.id <> NEW.id
      AND b.start_utc < NEW.busy_end AND b.start_utc > NEW.start_utc - 172800
      AND NEW.start_utc < b.busy_end)
BEGIN
    SELECT RAISE(ABORT, 'room_booking_overlap');
END;

-- The private feed of an actor's bookings: only the token's SHA-256 is stored.
CREATE TABLE room_feeds (
    actor_id    INTEGER PRIMARY KEY REFERENCES actors(id) ON DELETE CASCADE,
    token_hash  BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
