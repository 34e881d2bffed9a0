//! Events in the one moderation mechanism. A hidden event goes back to 'pending' (out of every
//! public list, feed, calendar and the search, as a submission is) and its status before is
//! kept by the mechanism, so restoring puts it back as it was. SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

pub fn load(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT e.id, e.title, e.description, '/e/' || e.slug,
                coalesce(e.created_by, e.organiser_user_id), e.organiser_actor_id,
                e.visibility = 'public' AND e.status <> 'pending',
                EXISTS (SELECT 1 FROM moderation_hidden h WHERE h.kind = 'event' AND h.item_id = e.id)
         FROM events e WHERE e.id IN (SELECT value FROM json_each(?1))",
        id_list,
    )
}

pub fn hide(c: &Connection, id: i64, _by: i64, now: i64) -> rusqlite::Result<String> {
    let before: String = c.query_row("SELECT status FROM events WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    c.execute(
        "UPDATE events SET status = 'pending', updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(before)
}

pub fn restore(c: &Connection, id: i64, before: &str) -> rusqlite::Result<()> {
    let status = match before {
        "cancelled" | "pending" => before,
        _ => "scheduled",
    };
    c.execute(
        "UPDATE events SET status = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, status],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM events WHERE id = ?1", [id])?;
    Ok(())
}

pub fn edit(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE events SET description = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM events WHERE created_by = ?1 AND status <> 'pending'",
        user_id,
    )
}
