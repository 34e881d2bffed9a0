//! Pages (actors) in the one moderation mechanism. A hidden page becomes members-only (gone
//! from every public list, map, feed and the search) and its visibility before is kept by the
//! mechanism, so restoring puts it back. Pages are never deleted by a moderator. SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

pub fn load(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT a.id, a.name, a.description, '/a/' || a.slug, coalesce(a.user_id, a.created_by),
                a.id, a.visibility = 'public',
                EXISTS (SELECT 1 FROM moderation_hidden h WHERE h.kind = 'actor' AND h.item_id = a.id)
         FROM actors a WHERE a.id IN (SELECT value FROM json_each(?1))",
        id_list,
    )
}

pub fn hide(c: &Connection, id: i64, _by: i64, now: i64) -> rusqlite::Result<String> {
    let before: String = c.query_row("SELECT visibility FROM actors WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    c.execute(
        "UPDATE actors SET visibility = 'members', updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(before)
}

pub fn restore(c: &Connection, id: i64, before: &str) -> rusqlite::Result<()> {
    let visibility = if before == "members" {
        "members"
    } else {
        "public"
    };
    c.execute(
        "UPDATE actors SET visibility = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, visibility],
    )?;
    Ok(())
}

pub fn edit(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE actors SET description = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

/// A person's own profile page.
pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM actors WHERE user_id = ?1 AND visibility = 'public'",
        user_id,
    )
}
