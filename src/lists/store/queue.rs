//! The sending queue: one row per recipient of a mailing, worked by `lists::tasks`.

use rusqlite::{named_params, Connection, OptionalExtension};

/// A recipient due now.
#[derive(Clone, Debug)]
pub struct Due {
    pub id: i64,
    pub mailing_id: i64,
    pub subscriber_id: Option<i64>,
    pub email: String,
    pub lang: Option<String>,
    pub attempts: i64,
}

/// The oldest recipient whose next try has come, if any.
pub fn next_due(conn: &Connection, now: i64) -> rusqlite::Result<Option<Due>> {
    conn.prepare_cached(
        "SELECT id, mailing_id, subscriber_id, email, lang, attempts FROM list_queue
         WHERE status = 'pending' AND next_try_at <= :now ORDER BY next_try_at, id LIMIT 1",
    )?
    .query_row(named_params! {":now": now}, |r| {
        Ok(Due {
            id: r.get(0)?,
            mailing_id: r.get(1)?,
            subscriber_id: r.get(2)?,
            email: r.get(3)?,
            lang: r.get(4)?,
            attempts: r.get(5)?,
        })
    })
    .optional()
}

/// How many mails the relay accepted since `since` (inclusive): the rate limits.
pub fn sent_since(conn: &Connection, since: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COUNT(*) FROM list_queue WHERE sent_at >= :t")?
        .query_row(named_params! {":t": since}, |r| r.get(0))
}

/// The relay accepted the mail: recorded at once, in its own transaction.
pub fn mark_sent(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE list_queue SET status = 'sent', sent_at = :now, attempts = attempts + 1, last_error = NULL
         WHERE id = :id",
    )?
    .execute(named_params! {":id": id, ":now": now})?;
    Ok(())
}

/// A temporary failure: try again at `next_try_at`.
pub fn mark_retry(
    conn: &Connection,
    id: i64,
    next_try_at: i64,
    error: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE list_queue SET attempts = attempts + 1, next_try_at = :next, last_error = :e WHERE id = :id",
    )?
    .execute(named_params! {":id": id, ":next": next_try_at, ":e": error})?;
    Ok(())
}

/// A permanent failure (or too many temporary ones): recorded, shown on the mailing's page.
pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE list_queue SET status = 'failed', attempts = attempts + 1, last_error = :e WHERE id = :id",
    )?
    .execute(named_params! {":id": id, ":e": error})?;
    Ok(())
}

/// Recipients of a mailing by state: (pending, sent, failed, skipped).
pub fn stats(conn: &Connection, mailing_id: i64) -> rusqlite::Result<(i64, i64, i64, i64)> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'sent'), 0),
                COALESCE(SUM(status = 'failed'), 0), COALESCE(SUM(status = 'skipped'), 0)
         FROM list_queue WHERE mailing_id = :m",
    )?
    .query_row(named_params! {":m": mailing_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
}

/// The failed and retrying recipients of a mailing (for its editors): (email, attempts, error, failed).
pub fn problems(
    conn: &Connection,
    mailing_id: i64,
) -> rusqlite::Result<Vec<(String, i64, String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT email, attempts, COALESCE(last_error, ''), status = 'failed' FROM list_queue
         WHERE mailing_id = :m AND last_error IS NOT NULL ORDER BY id LIMIT 200",
    )?;
    let rows = stmt.query_map(named_params! {":m": mailing_id}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}
