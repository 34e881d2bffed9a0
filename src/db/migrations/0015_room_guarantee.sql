-- Migration 15: THE room guarantee extends to the agenda. A room (a directory place of type
-- room) is never used twice: a confirmed booking and a scheduled agenda event's live date held
-- in the same room never overlap (the booking's buffer included), whatever code path writes: a
-- booking, its approval or move, an event created, edited, moved, approved, uncancelled or
-- imported into the room, a recurring event's dates as they are materialised, the API.
-- The event a booking published (or was linked to) is the booking itself and never clashes
-- with it. A booking spans two days at most (migration 12), which bounds the searches below.
--
-- An event's date [s, e) and a booking [bs, busy_end) clash when bs < max(e, s + 1) and
-- s < busy_end (an event of no length still takes its instant). Only dates not over yet count:
-- a clash in the past (written before this migration) harms nobody and blocks no edit.

-- A date inserted, or moved, or uncancelled, of a scheduled event in a room.
CREATE TRIGGER occurrences_room_insert BEFORE INSERT ON occurrences
WHEN NEW.cancelled = 0 AND max(NEW.end_utc, NEW.start_utc + 1) > unixepoch() AND EXISTS (
    SELECT 1 FROM events e
    JOIN actors r ON r.id = e.place_id AND r.type = 'room'
    JOIN room_bookings b ON b.room_id = e.place_id
    WHERE e.id = NEW.event_id AND e.status = 'scheduled'
      AND b.status = 'confirmed' AND b.event_id IS NOT e.id
      AND b.start_utc < max(NEW.end_utc, NEW.start_utc + 1)
      AND b.start_utc > NEW.start_utc - 172800
      AND NEW.start_utc < b.busy_end)
BEGIN
    SELECT RAISE(ABORT, 'room_event_overlap');
END;

CREATE TRIGGER occurrences_room_update BEFORE UPDATE OF start_utc, end_utc, cancelled ON occurrences
WHEN NEW.cancelled = 0 AND max(NEW.end_utc, NEW.start_utc + 1) > unixepoch() AND EXISTS (
    SELECT 1 FROM events e
    JOIN actors r ON r.id = e.place_id AND r.type = 'room'
    JOIN room_bookings b ON b.room_id = e.place_id
    WHERE e.id = NEW.event_id AND e.status = 'scheduled'
      AND b.status = 'confirmed' AND b.event_id IS NOT e.id
      AND b.start_utc < max(NEW.end_utc, NEW.start_utc + 1)
      AND b.start_utc > NEW.start_utc - 172800
      AND NEW.start_utc < b.busy_end)
BEGIN
    SELECT RAISE(ABORT, 'room_event_overlap');
END;

-- An event put in a room, or becoming scheduled (approved, uncancelled): every live date.
CREATE TRIGGER events_room_update BEFORE UPDATE OF status, place_id ON events
WHEN NEW.status = 'scheduled' AND NEW.place_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM actors r
    JOIN occurrences o ON o.event_id = NEW.id AND o.cancelled = 0
        AND max(o.end_utc, o.start_utc + 1) > unixepoch()
    JOIN room_bookings b ON b.room_id = r.id
    WHERE r.id = NEW.place_id AND r.type = 'room'
      AND b.status = 'confirmed' AND b.event_id IS NOT NEW.id
      AND b.start_utc < max(o.end_utc, o.start_utc + 1)
      AND b.start_utc > o.start_utc - 172800
      AND o.start_utc < b.busy_end)
BEGIN
    SELECT RAISE(ABORT, 'room_event_overlap');
END;

-- A booking confirmed (made, approved, moved, or unlinked from its event) over a live date of
-- a scheduled event held in the room. Events have no length bound: their dates are found
-- through the room's events (events_place) and each event's dates by start.
CREATE TRIGGER room_bookings_no_event_insert BEFORE INSERT ON room_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM events e JOIN occurrences o ON o.event_id = e.id
    WHERE e.place_id = NEW.room_id AND e.status = 'scheduled' AND e.id IS NOT NEW.event_id
      AND o.cancelled = 0 AND max(o.end_utc, o.start_utc + 1) > unixepoch()
      AND o.start_utc < NEW.busy_end
      AND NEW.start_utc < max(o.end_utc, o.start_utc + 1))
BEGIN
    SELECT RAISE(ABORT, 'room_booking_event');
END;

CREATE TRIGGER room_bookings_no_event_update
BEFORE UPDATE OF status, start_utc, end_utc, busy_end, room_id, event_id ON room_bookings
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM events e JOIN occurrences o ON o.event_id = e.id
    WHERE e.place_id = NEW.room_id AND e.status = 'scheduled' AND e.id IS NOT NEW.event_id
      AND o.cancelled = 0 AND max(o.end_utc, o.start_utc + 1) > unixepoch()
      AND o.start_utc < NEW.busy_end
      AND NEW.start_utc < max(o.end_utc, o.start_utc + 1))
BEGIN
    SELECT RAISE(ABORT, 'room_booking_event');
END;
