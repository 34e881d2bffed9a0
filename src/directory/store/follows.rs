//! Every SQL statement about following actors.

use rusqlite::{named_params, Connection};

use super::{listing_from_row, Listing, LISTING_COLUMNS};

/// Follows an actor (idempotent).
pub fn follow(conn: &Connection, user_id: i64, actor_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO follows (user_id, actor_id, created_at) VALUES (:u, :a, :now)",
        named_params! {":u": user_id, ":a": actor_id, ":now": now},
    )?;
    Ok(())
}

/// Stops following an actor (idempotent).
pub fn unfollow(conn: &Connection, user_id: i64, actor_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM follows WHERE user_id = :u AND actor_id = :a",
        named_params! {":u": user_id, ":a": actor_id},
    )?;
    Ok(())
}

/// Whether the user follows the actor, and how many people do.
pub fn follow_state(
    conn: &Connection,
    user_id: Option<i64>,
    actor_id: i64,
) -> rusqlite::Result<(bool, i64)> {
    conn.prepare_cached(
        "SELECT coalesce(sum(user_id = :u), 0), count(*) FROM follows WHERE actor_id = :a",
    )?
    .query_row(named_params! {":u": user_id, ":a": actor_id}, |r| {
        Ok((r.get::<_, i64>(0)? > 0, r.get(1)?))
    })
}

/// The actors a user follows that they may see, by name.
pub fn followed_by(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Listing>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM follows f JOIN actors a ON a.id = f.actor_id
         WHERE f.user_id = :u AND (a.visibility = 'public' OR EXISTS (SELECT 1 FROM memberships m
            WHERE m.actor_id = a.id AND m.user_id = :u AND m.status = 'active'))
         ORDER BY a.name COLLATE NOCASE"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, listing_from_row)?;
    rows.collect()
}
