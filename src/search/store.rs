//! Every SQL statement of the search: the change queue and the R*Tree prefilter.

use rusqlite::{named_params, Connection};

/// The oldest queued changes: (seq, kind, item id).
pub fn queued(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<(i64, String, i64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, kind, item_id FROM search_queue ORDER BY seq LIMIT :limit")?;
    let rows = stmt.query_map(named_params! {":limit": limit}, |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// The newest queue position (0 when empty).
pub fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT coalesce(max(seq), 0) FROM search_queue")?
        .query_row([], |r| r.get(0))
}

/// Forgets the changes up to `seq`, now in the index.
pub fn dequeue(conn: &Connection, seq: i64) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM search_queue WHERE seq <= :seq")?
        .execute(named_params! {":seq": seq})
}
