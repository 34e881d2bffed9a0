//! Every SQL statement of the search: the change queue and the R*Tree prefilter.

use std::collections::HashSet;

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

/// Every `(kind number, item id)` whose location lies in the box (the R*Tree does the work);
/// `kind_no` numbers the kinds (rows of kinds it does not know are skipped).
pub fn nearby(
    conn: &Connection,
    (min_lat, min_lon, max_lat, max_lon): (f64, f64, f64, f64),
    kind_no: impl Fn(&str) -> Option<usize>,
) -> rusqlite::Result<HashSet<(usize, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.kind, i.item_id FROM geo g CROSS JOIN geo_items i ON i.id = g.id
         WHERE g.max_lat >= :min_lat AND g.min_lat <= :max_lat AND g.max_lon >= :min_lon AND g.min_lon <= :max_lon",
    )?;
    let mut rows = stmt.query(named_params! {":min_lat": min_lat, ":max_lat": max_lat, ":min_lon": min_lon, ":max_lon": max_lon})?;
    let mut out = HashSet::new();
    while let Some(r) = rows.next()? {
        if let Some(k) = kind_no(r.get_ref(0)?.as_str().unwrap_or("")) {
            out.insert((k, r.get(1)?));
        }
    }
    Ok(out)
}
