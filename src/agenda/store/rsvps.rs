//! Every SQL statement about RSVPs. Capacity is checked inside the caller's write transaction
//! (`BEGIN IMMEDIATE` serialises writers), so concurrent answers never exceed it.

use rusqlite::{named_params, Connection, OptionalExtension};

use crate::agenda::Rsvp;

/// How many are going and interested on one date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub going: i64,
    pub interested: i64,
}

/// What became of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Saved,
    /// "Going" refused: every place is taken.
    Full,
}

/// The counts of one date.
pub fn counts(conn: &Connection, occurrence_id: i64) -> rusqlite::Result<Counts> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, count(*) FROM rsvps WHERE occurrence_id = :o GROUP BY status",
    )?;
    let mut rows = stmt.query(named_params! {":o": occurrence_id})?;
    let mut c = Counts::default();
    while let Some(r) = rows.next()? {
        let status: String = r.get(0)?;
        match Rsvp::parse(&status) {
            Some(Rsvp::Going) => c.going = r.get(1)?,
            Some(Rsvp::Interested) => c.interested = r.get(1)?,
            None => {}
        }
    }
    Ok(c)
}

/// A person's answer for one date.
pub fn of_user(
    conn: &Connection,
    occurrence_id: i64,
    user_id: i64,
) -> rusqlite::Result<Option<Rsvp>> {
    let s: Option<String> = conn
        .prepare_cached("SELECT status FROM rsvps WHERE occurrence_id = :o AND user_id = :u")?
        .query_row(named_params! {":o": occurrence_id, ":u": user_id}, |r| {
            r.get(0)
        })
        .optional()?;
    Ok(s.as_deref().and_then(Rsvp::parse))
}

/// Records (or, with `None`, withdraws) a person's answer. "Going" is refused when
/// `capacity` people other than them already go. Call inside a write transaction.
pub fn set(
    conn: &Connection,
    occurrence_id: i64,
    user_id: i64,
    answer: Option<Rsvp>,
    capacity: Option<i64>,
    now: i64,
) -> rusqlite::Result<Outcome> {
    let Some(answer) = answer else {
        conn.prepare_cached("DELETE FROM rsvps WHERE occurrence_id = :o AND user_id = :u")?
            .execute(named_params! {":o": occurrence_id, ":u": user_id})?;
        return Ok(Outcome::Saved);
    };
    if let (Rsvp::Going, Some(cap)) = (answer, capacity) {
        let others: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM rsvps WHERE occurrence_id = :o AND status = 'going' AND user_id <> :u",
            )?
            .query_row(named_params! {":o": occurrence_id, ":u": user_id}, |r| r.get(0))?;
        if others >= cap {
            return Ok(Outcome::Full);
        }
    }
    conn.prepare_cached(
        "INSERT INTO rsvps (occurrence_id, user_id, status, created_at) VALUES (:o, :u, :s, :now)
         ON CONFLICT (occurrence_id, user_id) DO UPDATE SET status = excluded.status",
    )?
    .execute(
        named_params! {":o": occurrence_id, ":u": user_id, ":s": answer.as_str(), ":now": now},
    )?;
    Ok(Outcome::Saved)
}

/// A person's answers (for "download my data"): (event slug, title, date start UTC, answer).
pub fn of_person(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Vec<(String, String, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.slug, e.title, o.start_utc, r.status FROM rsvps r
         JOIN occurrences o ON o.id = r.occurrence_id JOIN events e ON e.id = o.event_id
         WHERE r.user_id = :u ORDER BY o.start_utc",
    )?;
    let rows = stmt.query_map(named_params! {":u": user_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
