//! Every SQL statement about bookings: insert, clashes, quotas, decisions, calendars, the
//! mails to send.

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use crate::rooms::{Booking, Status};

const BOOKING_SELECT: &str = "SELECT b.id, b.room_id, r.slug AS room_slug, r.name AS room_name,
        b.start_utc, b.end_utc, b.busy_end, b.user_id, u.name AS user_name,
        b.actor_id, a.slug AS actor_slug, a.name AS actor_name, b.purpose, b.public, b.status,
        b.series_id, e.slug AS event_slug, b.decided_at, b.created_at
    FROM room_bookings b
    JOIN actors r ON r.id = b.room_id
    LEFT JOIN users u ON u.id = b.user_id
    LEFT JOIN actors a ON a.id = b.actor_id
    LEFT JOIN events e ON e.id = b.event_id";

fn booking_from_row(r: &Row) -> rusqlite::Result<Booking> {
    let status: String = r.get("status")?;
    let actor_id: Option<i64> = r.get("actor_id")?;
    let actor_slug: Option<String> = r.get("actor_slug")?;
    let actor_name: Option<String> = r.get("actor_name")?;
    Ok(Booking {
        id: r.get("id")?,
        room_id: r.get("room_id")?,
        room_slug: r.get("room_slug")?,
        room_name: r.get("room_name")?,
        start: r.get("start_utc")?,
        end: r.get("end_utc")?,
        busy_end: r.get("busy_end")?,
        user_id: r.get("user_id")?,
        user_name: r.get("user_name")?,
        actor: match (actor_id, actor_slug, actor_name) {
            (Some(i), Some(s), Some(n)) => Some((i, s, n)),
            _ => None,
        },
        purpose: r.get("purpose")?,
        public: r.get("public")?,
        status: Status::parse(&status).unwrap_or(Status::Cancelled),
        series_id: r.get("series_id")?,
        event_slug: r.get("event_slug")?,
        decided_at: r.get("decided_at")?,
        created_at: r.get("created_at")?,
    })
}

fn query(
    conn: &Connection,
    where_: &str,
    params: &[(&str, &dyn rusqlite::ToSql)],
) -> rusqlite::Result<Vec<Booking>> {
    conn.prepare_cached(&format!("{BOOKING_SELECT} WHERE {where_}"))?
        .query_map(params, booking_from_row)?
        .collect()
}

/// A booking to insert.
pub struct NewBooking<'a> {
    pub room_id: i64,
    pub start: i64,
    pub end: i64,
    pub busy_end: i64,
    pub user_id: i64,
    pub actor_id: Option<i64>,
    pub purpose: &'a str,
    pub public: bool,
    pub status: Status,
    pub series_id: Option<i64>,
}

/// Inserts a booking; a request is marked for the managers' mail. Returns its id.
pub fn insert(conn: &Connection, b: &NewBooking, now: i64) -> rusqlite::Result<i64> {
    let notify = (b.status == Status::Requested).then_some("request");
    conn.prepare_cached(
        "INSERT INTO room_bookings (room_id, start_utc, end_utc, busy_end, user_id, actor_id,
            purpose, public, status, series_id, notify, created_at, updated_at)
         VALUES (:room, :start, :end, :busy, :user, :actor, :purpose, :public, :status, :series,
            :notify, :now, :now)",
    )?
    .execute(named_params! {
        ":room": b.room_id, ":start": b.start, ":end": b.end, ":busy": b.busy_end,
        ":user": b.user_id, ":actor": b.actor_id, ":purpose": b.purpose, ":public": b.public,
        ":status": b.status.as_str(), ":series": b.series_id, ":notify": notify, ":now": now,
    })?;
    Ok(conn.last_insert_rowid())
}

/// Makes a booking part of a series (the id of its first booking).
pub fn set_series(conn: &Connection, id: i64, series_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE room_bookings SET series_id = :series WHERE id = :id")?
        .execute(named_params! {":series": series_id, ":id": id})?;
    Ok(())
}

/// Whether a confirmed booking of the room other than `except` holds part of `[start, busy_end)`
/// or its own buffer reaches into it (the same test as the triggers).
pub fn clashes(
    conn: &Connection,
    room_id: i64,
    start: i64,
    busy_end: i64,
    except: Option<i64>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM room_bookings
            WHERE room_id = :room AND status = 'confirmed' AND id IS NOT :except
              AND start_utc < :busy_end AND start_utc > :start - 172800 AND :start < busy_end)",
    )?
    .query_row(
        named_params! {":room": room_id, ":start": start, ":busy_end": busy_end, ":except": except},
        |r| r.get(0),
    )
}

/// How many live bookings (requested or confirmed) of the room the booking actor (or, booking
/// for oneself, the person) has starting in `[from, to)`.
pub fn count_for(
    conn: &Connection,
    room_id: i64,
    actor_id: Option<i64>,
    user_id: i64,
    (from, to): (i64, i64),
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM room_bookings
         WHERE room_id = :room AND status IN ('requested', 'confirmed')
           AND start_utc >= :from AND start_utc < :to
           AND CASE WHEN :actor IS NULL THEN actor_id IS NULL AND user_id = :user
                    ELSE actor_id = :actor END",
    )?
    .query_row(
        named_params! {":room": room_id, ":actor": actor_id, ":user": user_id, ":from": from, ":to": to},
        |r| r.get(0),
    )
}

/// The booking with this id.
pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Booking>> {
    conn.prepare_cached(&format!("{BOOKING_SELECT} WHERE b.id = :id"))?
        .query_row(named_params! {":id": id}, booking_from_row)
        .optional()
}

/// The live bookings (requested and confirmed) of a room (or of every room) overlapping
/// `[from, to)`, by start.
pub fn between(
    conn: &Connection,
    room_id: Option<i64>,
    from: i64,
    to: i64,
) -> rusqlite::Result<Vec<Booking>> {
    // One statement per case, so that a room's uses room_bookings_room (room, status, start)
    // instead of scanning every booking (`:room IS NULL OR ...` defeats the index).
    match room_id {
        Some(room) => query(
            conn,
            "b.room_id = :room AND b.status IN ('requested', 'confirmed')
               AND b.start_utc < :to AND b.end_utc > :from AND b.start_utc > :from - 172800
             ORDER BY b.start_utc, b.id",
            &[(":room", &room), (":from", &from), (":to", &to)],
        ),
        None => query(
            conn,
            "b.status IN ('requested', 'confirmed')
               AND b.start_utc < :to AND b.end_utc > :from AND b.start_utc > :from - 172800
             ORDER BY b.start_utc, b.id",
            &[(":from", &from), (":to", &to)],
        ),
    }
}

/// The dates of agenda events held in a room (or in any room) overlapping `[from, to)`, as
/// confirmed entries of the calendars (negative ids: they are not bookings). An event that a
/// confirmed booking of the room published or linked is left out: the booking shows it.
pub fn events_between(
    conn: &Connection,
    room_id: Option<i64>,
    from: i64,
    to: i64,
) -> rusqlite::Result<Vec<Booking>> {
    // One statement per case, so that each uses its index: the room's events (events_place)
    // then their dates, or the dates of the range (occurrences_start) then their place.
    let which = if room_id.is_some() {
        "e.place_id = :room"
    } else {
        "r.type = 'room' AND :room IS NULL"
    };
    events_where(conn, which, room_id, from, to)
}

/// `ids` as an SQL list (numbers from the database: nothing to escape).
fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    list.join(", ")
}

/// The live bookings and the agenda's events of the rooms `ids` in `[from, to)` (one page of
/// rooms on `/rooms`).
pub fn calendar_of(
    conn: &Connection,
    ids: &[i64],
    from: i64,
    to: i64,
) -> rusqlite::Result<Vec<Booking>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = id_list(ids);
    let mut all = query(
        conn,
        &format!(
            "b.status IN ('requested', 'confirmed') AND b.room_id IN ({list})
               AND b.start_utc < :to AND b.end_utc > :from AND b.start_utc > :from - 172800
             ORDER BY b.start_utc, b.id"
        ),
        &[(":from", &from), (":to", &to)],
    )?;
    let none: Option<i64> = None;
    all.extend(events_where(
        conn,
        &format!("e.place_id IN ({list}) AND :room IS NULL"),
        none,
        from,
        to,
    )?);
    all.sort_by_key(|b| (b.start, b.id));
    Ok(all)
}

fn events_where(
    conn: &Connection,
    which: &str,
    room_id: Option<i64>,
    from: i64,
    to: i64,
) -> rusqlite::Result<Vec<Booking>> {
    conn.prepare(&format!(
        "SELECT -o.id AS id, e.place_id AS room_id, r.slug AS room_slug, r.name AS room_name,
            o.start_utc, o.end_utc, o.end_utc AS busy_end, NULL AS user_id, NULL AS user_name,
            NULL AS actor_id, NULL AS actor_slug, NULL AS actor_name,
            COALESCE(o.title, e.title) AS purpose, e.visibility = 'public' AS public,
            'confirmed' AS status, NULL AS series_id, e.slug AS event_slug, NULL AS decided_at,
            e.created_at
         FROM occurrences o
         JOIN events e ON e.id = o.event_id
         JOIN actors r ON r.id = e.place_id
         WHERE {which} AND r.type = 'room'
           AND e.status = 'scheduled' AND o.cancelled = 0
           AND o.start_utc < :to AND o.start_utc > :from - {EVENT_SPAN} AND o.end_utc > :from
           AND NOT EXISTS (SELECT 1 FROM room_bookings b WHERE b.event_id = e.id
                AND b.room_id = e.place_id AND b.status = 'confirmed')
         ORDER BY o.start_utc, o.id"
    ))?
    .query_map(
        named_params! {":room": room_id, ":from": from, ":to": to},
        booking_from_row,
    )?
    .collect()
}

/// The longest an agenda event's date is looked back for when it may still be under way
/// (a week: a festival over several days).
const EVENT_SPAN: i64 = 7 * 86_400;

/// Whether an agenda event is held in the room during `[start, busy_end)`, leaving out the
/// event the booking `own` (if any) published or is linked to: exactly what the triggers of
/// migration 15 refuse, whatever the event's length.
pub fn event_clashes(
    conn: &Connection,
    room_id: i64,
    start: i64,
    busy_end: i64,
    own: Option<i64>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM events e JOIN occurrences o ON o.event_id = e.id
            WHERE e.place_id = :room AND e.status = 'scheduled' AND o.cancelled = 0
              AND max(o.end_utc, o.start_utc + 1) > unixepoch()
              AND o.start_utc < :busy_end AND max(o.end_utc, o.start_utc + 1) > :start
              AND e.id IS NOT (SELECT event_id FROM room_bookings WHERE id = :own))",
    )?
    .query_row(
        named_params! {":room": room_id, ":start": start, ":busy_end": busy_end, ":own": own},
        |r| r.get(0),
    )
}

/// The live bookings and the agenda's events of a room (or every room) in `[from, to)`.
pub fn calendar(
    conn: &Connection,
    room_id: Option<i64>,
    from: i64,
    to: i64,
) -> rusqlite::Result<Vec<Booking>> {
    let mut all = between(conn, room_id, from, to)?;
    all.extend(events_between(conn, room_id, from, to)?);
    all.sort_by_key(|b| (b.start, b.id));
    Ok(all)
}

/// Sets a booking's status with who decided and when; `notify` marks the mail to send.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: Status,
    by: i64,
    now: i64,
    notify: Option<&str>,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE room_bookings SET status = :status, decided_by = :by, decided_at = :now,
                notify = :notify, updated_at = :now WHERE id = :id",
        )?
        .execute(named_params! {
            ":status": status.as_str(), ":by": by, ":now": now, ":notify": notify, ":id": id,
        })?;
    Ok(n == 1)
}

/// The live bookings of a series from `start` on (this one and the following).
pub fn series_from(
    conn: &Connection,
    series_id: i64,
    start: i64,
) -> rusqlite::Result<Vec<Booking>> {
    query(
        conn,
        "b.series_id = :series AND b.start_utc >= :start
           AND b.status IN ('requested', 'confirmed') ORDER BY b.start_utc",
        &[(":series", &series_id), (":start", &start)],
    )
}

/// Pending requests of the given rooms, by start.
pub fn requested_in(
    conn: &Connection,
    room_ids: &[i64],
    now: i64,
) -> rusqlite::Result<Vec<Booking>> {
    let mut out = Vec::new();
    for room in room_ids {
        out.extend(query(
            conn,
            "b.room_id = :room AND b.status = 'requested' AND b.start_utc > :now
             ORDER BY b.start_utc",
            &[(":room", room), (":now", &now)],
        )?);
    }
    out.sort_by_key(|b| (b.start, b.id));
    Ok(out)
}

/// A person's bookings (made by them) ending after `from`, by start.
pub fn of_user(conn: &Connection, user_id: i64, from: i64) -> rusqlite::Result<Vec<Booking>> {
    query(
        conn,
        "b.user_id = :user AND b.end_utc > :from ORDER BY b.start_utc, b.id",
        &[(":user", &user_id), (":from", &from)],
    )
}

/// Every booking a person made, for "download my data".
pub fn all_of_user(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Booking>> {
    query(
        conn,
        "b.user_id = :user ORDER BY b.start_utc",
        &[(":user", &user_id)],
    )
}

/// An actor's live bookings ending after `from`, for its private feed.
pub fn of_actor(conn: &Connection, actor_id: i64, from: i64) -> rusqlite::Result<Vec<Booking>> {
    query(
        conn,
        "b.actor_id = :actor AND b.end_utc > :from AND b.status IN ('requested', 'confirmed')
         ORDER BY b.start_utc LIMIT 2000",
        &[(":actor", &actor_id), (":from", &from)],
    )
}

/// Whether the person holds a confirmed booking of the room (made by them) that has not ended.
pub fn has_confirmed(
    conn: &Connection,
    room_id: i64,
    user_id: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM room_bookings WHERE room_id = :room AND user_id = :user
            AND status = 'confirmed' AND end_utc > :now)",
    )?
    .query_row(
        named_params! {":room": room_id, ":user": user_id, ":now": now},
        |r| r.get(0),
    )
}

/// Bookings with a mail to send, and which one.
pub fn to_notify(conn: &Connection) -> rusqlite::Result<Vec<(Booking, String)>> {
    let marks: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, notify FROM room_bookings WHERE notify IS NOT NULL ORDER BY id LIMIT 500",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, kind) in marks {
        if let Some(b) = by_id(conn, id)? {
            out.push((b, kind));
        }
    }
    Ok(out)
}

/// Clears the mark of a sent mail (only if it is still the same mail).
pub fn clear_notify(conn: &Connection, id: i64, kind: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE room_bookings SET notify = NULL WHERE id = :id AND notify = :kind")?
        .execute(named_params! {":id": id, ":kind": kind})?
        == 1)
}

/// Puts back the mark of a mail that could not be sent.
pub fn restore_notify(conn: &Connection, id: i64, kind: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE room_bookings SET notify = :kind WHERE id = :id AND notify IS NULL",
    )?
    .execute(named_params! {":id": id, ":kind": kind})?;
    Ok(())
}

/// Confirmed bookings starting within `[now, until)` whose reminder has not gone.
pub fn due_reminders(conn: &Connection, now: i64, until: i64) -> rusqlite::Result<Vec<Booking>> {
    query(
        conn,
        "b.status = 'confirmed' AND b.reminded_at IS NULL AND b.start_utc >= :now
           AND b.start_utc < :until ORDER BY b.start_utc LIMIT 500",
        &[(":now", &now), (":until", &until)],
    )
}

/// Marks a reminder as sent; false when another pass already did.
pub fn mark_reminded(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE room_bookings SET reminded_at = :now WHERE id = :id AND reminded_at IS NULL",
        )?
        .execute(named_params! {":id": id, ":now": now})?
        == 1)
}

/// The address and language of an account.
pub fn user_address(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Option<(String, Option<String>)>> {
    conn.prepare_cached("SELECT email, lang FROM users WHERE id = :id")?
        .query_row(named_params! {":id": user_id}, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
}

/// Links a booking to its agenda event: the booking becomes public (its title and the link
/// show on the public calendar).
pub fn set_event(conn: &Connection, id: i64, event_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE room_bookings SET event_id = :event, public = 1 WHERE id = :id")?
        .execute(named_params! {":event": event_id, ":id": id})?;
    Ok(())
}

/// Clears every mail mark (the demo village tells nobody about its own bookings).
pub fn forget_notifications(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE room_bookings SET notify = NULL WHERE notify IS NOT NULL",
        [],
    )?;
    Ok(())
}

/// Moves a booking to new times, with its new status and mail mark (the triggers refuse a
/// confirmed booking moved onto another).
pub fn reschedule(
    conn: &Connection,
    id: i64,
    (start, end, busy_end): (i64, i64, i64),
    status: Status,
    notify: Option<&str>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE room_bookings SET start_utc = :start, end_utc = :end, busy_end = :busy,
            status = :status, notify = coalesce(:notify, notify), reminded_at = NULL,
            updated_at = :now WHERE id = :id",
    )?
    .execute(named_params! {
        ":start": start, ":end": end, ":busy": busy_end, ":status": status.as_str(),
        ":notify": notify, ":now": now, ":id": id,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::db::Db;
    use crate::rooms::book::is_overlap;
    use rusqlite::Connection;

    fn room(conn: &Connection) -> i64 {
        conn.execute(
            "INSERT INTO actors (slug, kind, type, name, created_at, updated_at)
             VALUES ('salle', 'place', 'room', 'Salle', 0, 0)",
            [],
        )
        .unwrap();
        conn.last_insert_rowid()
    }

    fn insert(
        conn: &Connection,
        room: i64,
        start: i64,
        end: i64,
        busy: i64,
        status: &str,
    ) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO room_bookings (room_id, start_utc, end_utc, busy_end, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
            rusqlite::params![room, start, end, busy, status],
        )
    }

    #[test]
    fn the_database_itself_refuses_two_confirmed_bookings_on_one_slot() {
        let db = Db::memory().unwrap();
        let conn = db.conn().unwrap();
        let r = room(&conn);
        // 10:00-12:00 with a 30-minute buffer: busy until 12:30.
        insert(&conn, r, 36_000, 43_200, 45_000, "confirmed").unwrap();
        // A direct SQL insert that overlaps, or falls in the buffer, is refused.
        for (s, e) in [(39_600, 46_800), (43_200, 46_800), (32_400, 37_000)] {
            let err = insert(&conn, r, s, e, e, "confirmed").unwrap_err();
            assert!(is_overlap(&err), "{err}");
        }
        // A request may coexist; after the buffer, a confirmed booking is fine.
        insert(&conn, r, 39_600, 46_800, 46_800, "requested").unwrap();
        insert(&conn, r, 45_000, 46_800, 46_800, "confirmed").unwrap();
        // Confirming the request now clashes: the update is refused too.
        let err = conn
            .execute(
                "UPDATE room_bookings SET status = 'confirmed' WHERE status = 'requested'",
                [],
            )
            .unwrap_err();
        assert!(is_overlap(&err));
        // Moving a confirmed booking onto another is refused; cancelling frees the slot.
        let err = conn
            .execute(
                "UPDATE room_bookings SET start_utc = 40000 WHERE start_utc = 45000",
                [],
            )
            .unwrap_err();
        assert!(is_overlap(&err));
        conn.execute(
            "UPDATE room_bookings SET status = 'cancelled' WHERE start_utc = 36000",
            [],
        )
        .unwrap();
        insert(&conn, r, 36_000, 43_200, 43_200, "confirmed").unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM room_bookings WHERE status = 'confirmed'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 2);
        // Another room is another room.
        let other = {
            conn.execute(
                "INSERT INTO actors (slug, kind, type, name, created_at, updated_at)
                 VALUES ('autre', 'place', 'room', 'Autre', 0, 0)",
                [],
            )
            .unwrap();
            conn.last_insert_rowid()
        };
        insert(&conn, other, 36_000, 43_200, 43_200, "confirmed").unwrap();
    }
}
