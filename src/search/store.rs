//! Every SQL statement of the search: the change queue and the R*Tree prefilter.

use rusqlite::{named_params, Connection, OptionalExtension};

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

// --- The change feed of public summaries (neighbours) -----------------------------------

/// Records the summaries of `ids` of a kind after a change: `docs` holds those still public
/// (as JSON); a changed summary gets a new `modified`, an unchanged one keeps its own, a row
/// whose item is gone becomes a deletion. Returns how many rows changed.
pub fn record_changes(
    conn: &Connection,
    kind: &str,
    ids: &[i64],
    docs: &[(i64, String)],
    now_ms: i64,
) -> rusqlite::Result<usize> {
    let mut modified: i64 = conn
        .prepare_cached("SELECT coalesce(max(modified), 0) FROM public_changes")?
        .query_row([], |r| r.get(0))?;
    let mut changed = 0;
    let mut current = conn.prepare_cached(
        "SELECT deleted, data FROM public_changes WHERE kind = :kind AND item_id = :id",
    )?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO public_changes (kind, item_id, modified, deleted, data)
         VALUES (:kind, :id, :modified, :deleted, :data)
         ON CONFLICT (kind, item_id) DO UPDATE SET modified = excluded.modified,
            deleted = excluded.deleted, data = excluded.data",
    )?;
    for id in ids {
        let doc = docs.iter().find(|(d, _)| d == id).map(|(_, j)| j.as_str());
        let before: Option<(bool, String)> = current
            .query_row(named_params! {":kind": kind, ":id": id}, |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let same = match (&before, doc) {
            (Some((false, data)), Some(d)) => data == d,
            (Some((true, _)), None) | (None, None) => true,
            _ => false,
        };
        if same {
            continue;
        }
        modified = now_ms.max(modified + 1);
        upsert.execute(named_params! {
            ":kind": kind, ":id": id, ":modified": modified,
            ":deleted": doc.is_none(), ":data": doc.unwrap_or(""),
        })?;
        changed += 1;
    }
    Ok(changed)
}

/// One row of the change feed: (kind, id, modified, deleted, summary JSON).
pub type Change = (String, i64, i64, bool, String);

/// The changes after (`modified`, `kind`, `id`), in feed order.
pub fn changes_after(
    conn: &Connection,
    modified: i64,
    kind: &str,
    id: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Change>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, item_id, modified, deleted, data FROM public_changes
         WHERE modified > :m OR (modified = :m AND (kind > :k OR (kind = :k AND item_id > :i)))
         ORDER BY modified, kind, item_id LIMIT :limit",
    )?;
    let rows = st.query_map(
        named_params! {":m": modified, ":k": kind, ":i": id, ":limit": limit},
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    rows.collect()
}
