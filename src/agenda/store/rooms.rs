//! The room guarantee seen from the agenda (migration 15): an event held in a room never
//! overlaps a confirmed booking of the room. The triggers refuse it whatever writes; these
//! queries find the booking first, so that the form can name its time.

use rusqlite::{named_params, Connection, OptionalExtension};

/// The message the triggers raise when an event's date would overlap a confirmed booking.
pub const EVENT_OVERLAP: &str = "room_event_overlap";

/// Whether `e` is the trigger's refusal of an event's date in a booked room.
pub fn is_overlap(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains(EVENT_OVERLAP))
}

/// The first confirmed booking of `place` (if it is a room) that a live date of event `id`, not
/// over yet, would overlap, as (booking start, booking end) in UTC seconds. A booking that published or
/// linked the event is the event itself and is left out.
pub fn first_booking_clash(
    conn: &Connection,
    id: i64,
    place: i64,
) -> rusqlite::Result<Option<(i64, i64)>> {
    conn.prepare_cached(
        "SELECT b.start_utc, b.end_utc FROM actors r
         JOIN occurrences o ON o.event_id = :id AND o.cancelled = 0
            AND max(o.end_utc, o.start_utc + 1) > unixepoch()
         JOIN room_bookings b ON b.room_id = r.id
         WHERE r.id = :place AND r.type = 'room'
           AND b.status = 'confirmed' AND b.event_id IS NOT :id
           AND b.start_utc < max(o.end_utc, o.start_utc + 1)
           AND b.start_utc > o.start_utc - 172800
           AND o.start_utc < b.busy_end
         ORDER BY b.start_utc LIMIT 1",
    )?
    .query_row(named_params! {":id": id, ":place": place}, |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}

/// The confirmed booking of the event's room that the date `[start, end)` would overlap.
pub fn booking_over(
    conn: &Connection,
    event_id: i64,
    start: i64,
    end: i64,
) -> rusqlite::Result<Option<(i64, i64)>> {
    conn.prepare_cached(
        "SELECT b.start_utc, b.end_utc FROM events e
         JOIN actors r ON r.id = e.place_id AND r.type = 'room'
         JOIN room_bookings b ON b.room_id = e.place_id
         WHERE e.id = :id AND b.status = 'confirmed' AND b.event_id IS NOT e.id
           AND max(:end, :start + 1) > unixepoch()
           AND b.start_utc < max(:end, :start + 1)
           AND b.start_utc > :start - 172800
           AND :start < b.busy_end
         ORDER BY b.start_utc LIMIT 1",
    )?
    .query_row(
        named_params! {":id": event_id, ":start": start, ":end": end},
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Puts the event in its place (after its dates are written: the trigger then checks every
/// date against the room's bookings at once).
pub fn set_place(conn: &Connection, id: i64, place: Option<i64>) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE events SET place_id = :place WHERE id = :id")?
        .execute(named_params! {":id": id, ":place": place})?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// The tests' day: 1 January 2100, well to come (only dates not over yet count).
    const T: i64 = 4_102_444_800;

    fn fixture(conn: &Connection) -> (i64, i64) {
        conn.execute_batch(
            "INSERT INTO actors (slug, kind, type, name, created_at, updated_at)
                VALUES ('salle', 'place', 'room', 'Salle', 0, 0);
             INSERT INTO events (slug, uid, title, tz, start_local, end_local, start_utc, end_utc,
                place_id, created_at, updated_at)
                VALUES ('loto', 'u1', 'Loto', 'Europe/Paris', '', '', 0, 0, 1, 0, 0);",
        )
        .unwrap();
        (1, 1)
    }

    fn book(conn: &Connection, room: i64, s: i64, e: i64, busy: i64) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO room_bookings (room_id, start_utc, end_utc, busy_end, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'confirmed', 0, 0)",
            rusqlite::params![room, T + s, T + e, T + busy],
        )
    }

    fn date(conn: &Connection, event: i64, s: i64, e: i64) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc) VALUES (?1, ?2, ?2, ?3)",
            rusqlite::params![event, T + s, T + e],
        )
    }

    #[test]
    fn the_database_refuses_an_event_date_over_a_confirmed_booking_and_the_reverse() {
        let db = Db::memory().unwrap();
        let conn = db.conn().unwrap();
        let (room, event) = fixture(&conn);
        // Booked 10:00-22:00 with a 30-minute buffer.
        book(&conn, room, 36_000, 79_200, 81_000).unwrap();
        // Dates inside, across either edge, in the buffer, or of no length inside: refused.
        for (s, e) in [
            (50_400, 64_800),
            (30_000, 40_000),
            (80_000, 90_000),
            (60_000, 60_000),
        ] {
            let err = date(&conn, event, s, e).unwrap_err();
            assert!(is_overlap(&err), "{s}-{e}: {err}");
        }
        // A date already over never counts (a clash written before the guarantee blocks nothing).
        conn.execute(
            "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc) VALUES (1, 100, 100, 200)",
            [],
        )
        .unwrap();
        // Before, or after the buffer: accepted.
        date(&conn, event, 30_000, 36_000).unwrap();
        date(&conn, event, 81_000, 86_000).unwrap();
        assert_eq!(first_booking_clash(&conn, event, room).unwrap(), None);
        // Moving a date onto the booking, or restoring a cancelled one there: refused.
        let err = conn
            .execute(
                "UPDATE occurrences SET start_utc = ?1 + 40000 WHERE start_utc = ?1 + 30000",
                [T],
            )
            .unwrap_err();
        assert!(is_overlap(&err));
        conn.execute(
            "INSERT INTO occurrences (event_id, recurrence_id, start_utc, end_utc, cancelled)
             VALUES (1, ?1 + 50000, ?1 + 50000, ?1 + 54000, 1)",
            [T],
        )
        .unwrap();
        let err = conn
            .execute(
                "UPDATE occurrences SET cancelled = 0 WHERE start_utc = ?1 + 50000",
                [T],
            )
            .unwrap_err();
        assert!(is_overlap(&err));
        // A booking over a live date of the event: refused by the bookings' trigger.
        let err = book(&conn, room, 82_000, 84_000, 84_000).unwrap_err();
        assert!(err.to_string().contains("room_booking_event"), "{err}");
        // The event's booking (it published it) is the event itself: no clash.
        conn.execute(
            "INSERT INTO room_bookings (room_id, start_utc, end_utc, busy_end, status, event_id,
                created_at, updated_at) VALUES (?1, ?3, ?3 + 3600, ?3 + 3600, 'confirmed', ?2, 0, 0)",
            rusqlite::params![room, event, T],
        )
        .unwrap();
        date(&conn, event, 0, 3000).unwrap();
    }

    #[test]
    fn an_event_put_in_a_booked_room_or_put_back_on_is_refused_with_the_booking_named() {
        let db = Db::memory().unwrap();
        let conn = db.conn().unwrap();
        let (room, event) = fixture(&conn);
        conn.execute("UPDATE events SET place_id = NULL, status = 'pending'", [])
            .unwrap();
        date(&conn, event, 50_400, 64_800).unwrap();
        book(&conn, room, 36_000, 79_200, 79_200).unwrap();
        // A pending event holds no room; approved in the room, it would: refused.
        conn.execute("UPDATE events SET place_id = ?1", [room])
            .unwrap();
        let err = conn
            .execute("UPDATE events SET status = 'scheduled'", [])
            .unwrap_err();
        assert!(is_overlap(&err));
        assert_eq!(
            first_booking_clash(&conn, event, room).unwrap(),
            Some((T + 36_000, T + 79_200))
        );
        // Scheduled elsewhere, then moved into the room: refused.
        conn.execute(
            "UPDATE events SET place_id = NULL, status = 'scheduled'",
            [],
        )
        .unwrap();
        let err = set_place(&conn, event, Some(room)).unwrap_err();
        assert!(is_overlap(&err));
        assert_eq!(
            booking_over(&conn, event, T + 60_000, T + 61_000).unwrap(),
            None,
            "no room while the event has no place"
        );
    }
}
