//! Mutual aid's posts in the one moderation mechanism. SQL only.

use rusqlite::{params, Connection};

use crate::moderation::{store::ids, store::items, Item};

pub fn load(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT id, title, description, '/aid/' || id, author_id, actor_id,
                status = 'open' AND hidden_at IS NULL, hidden_at IS NOT NULL
         FROM aid_posts WHERE id IN (SELECT value FROM json_each(?1))",
        id_list,
    )
}

pub fn hide(c: &Connection, id: i64, by: i64, now: i64) -> rusqlite::Result<String> {
    super::set_hidden(c, id, true, by, now)?;
    Ok(String::new())
}

pub fn restore(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    super::set_hidden(c, id, false, 0, 0)
}

pub fn delete(c: &Connection, id: i64) -> rusqlite::Result<()> {
    c.execute("DELETE FROM aid_posts WHERE id = ?1", [id])?;
    Ok(())
}

pub fn edit(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE aid_posts SET description = ?2, updated_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn by_author(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM aid_posts WHERE author_id = ?1 AND hidden_at IS NULL",
        user_id,
    )
}
