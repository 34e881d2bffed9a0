//! A booker who deletes their account: the future bookings they made for themselves are
//! cancelled and the room freed, with the agenda dates their public bookings published.
//! Bookings made for an association stay with it (the row's user becomes unknown, its actor
//! stays, and it shows under the association's name).

use rusqlite::{named_params, Connection};

/// Cancels the future bookings `user_id` made for themselves (`actor_id` NULL, requested or
/// confirmed, starting after `now`), and the future dates of the agenda events those bookings
/// published in the person's own name (an event left with no date is cancelled). Runs inside
/// the deletion's write transaction, before the account row goes. Returns how many bookings.
pub fn cancel_own_future(conn: &Connection, user_id: i64, now: i64) -> rusqlite::Result<usize> {
    let events: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT b.event_id FROM room_bookings b JOIN events e ON e.id = b.event_id
             WHERE b.user_id = :u AND b.actor_id IS NULL AND b.start_utc > :now
               AND b.status IN ('requested', 'confirmed')
               AND e.organiser_actor_id IS NULL AND e.organiser_user_id = :u",
        )?
        .query_map(named_params! {":u": user_id, ":now": now}, |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let n = conn
        .prepare_cached(
            "UPDATE room_bookings SET status = 'cancelled', decided_by = NULL, decided_at = :now,
                notify = NULL, updated_at = :now
             WHERE user_id = :u AND actor_id IS NULL AND start_utc > :now
               AND status IN ('requested', 'confirmed')",
        )?
        .execute(named_params! {":u": user_id, ":now": now})?;
    for event in events {
        conn.prepare_cached(
            "UPDATE occurrences SET cancelled = 1 WHERE event_id = :e AND start_utc > :now",
        )?
        .execute(named_params! {":e": event, ":now": now})?;
        conn.prepare_cached(
            "UPDATE events SET status = 'cancelled', updated_at = :now
             WHERE id = :e AND status <> 'cancelled'
               AND NOT EXISTS (SELECT 1 FROM occurrences WHERE event_id = :e AND cancelled = 0)",
        )?
        .execute(named_params! {":e": event, ":now": now})?;
    }
    Ok(n)
}
