//! The news' items in the one moderation mechanism: posts and comments. SQL only.

use rusqlite::{params, Connection};

use super::comments;
use crate::moderation::{store::ids, store::items, Item};

pub fn load_posts(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT p.id, p.title, p.body, '/news/' || p.id, p.author_id, p.actor_id,
                p.audience = 'public' AND p.hidden_at IS NULL, p.hidden_at IS NOT NULL
         FROM news_posts p WHERE p.id IN (SELECT value FROM json_each(?1))",
        id_list,
    )
}

pub fn hide_post(c: &Connection, id: i64, by: i64, now: i64) -> rusqlite::Result<String> {
    super::set_post_hidden(c, id, true, by, now)?;
    Ok(String::new())
}

pub fn restore_post(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    super::set_post_hidden(c, id, false, 0, 0)?;
    Ok(())
}

pub fn delete_post(c: &Connection, id: i64) -> rusqlite::Result<()> {
    super::delete_post(c, id)?;
    Ok(())
}

pub fn edit_post(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE news_posts SET body = ?2, edited_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn posts_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM news_posts WHERE author_id = ?1 AND hidden_at IS NULL",
        user_id,
    )
}

pub fn load_comments(c: &Connection, id_list: &[i64]) -> rusqlite::Result<Vec<Item>> {
    items(
        c,
        "SELECT m.id, p.title, m.body, '/news/' || m.post_id || '#c' || m.id, m.author_id,
                p.actor_id,
                p.audience = 'public' AND p.hidden_at IS NULL AND m.hidden_at IS NULL
                    AND m.deleted_at IS NULL,
                m.hidden_at IS NOT NULL
         FROM news_comments m JOIN news_posts p ON p.id = m.post_id
         WHERE m.id IN (SELECT value FROM json_each(?1)) AND m.deleted_at IS NULL",
        id_list,
    )
}

pub fn hide_comment(c: &Connection, id: i64, by: i64, now: i64) -> rusqlite::Result<String> {
    comments::set_comment_hidden(c, id, true, by, now)?;
    Ok(String::new())
}

pub fn restore_comment(c: &Connection, id: i64, _before: &str) -> rusqlite::Result<()> {
    comments::set_comment_hidden(c, id, false, 0, 0)?;
    Ok(())
}

pub fn delete_comment(c: &Connection, id: i64) -> rusqlite::Result<()> {
    comments::delete_comment(c, id, crate::db::now())
}

pub fn edit_comment(c: &Connection, id: i64, text: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE news_comments SET body = ?2, edited_at = unixepoch() WHERE id = ?1",
        params![id, text],
    )?;
    Ok(())
}

pub fn comments_by(c: &Connection, user_id: i64) -> rusqlite::Result<Vec<i64>> {
    ids(
        c,
        "SELECT id FROM news_comments WHERE author_id = ?1 AND hidden_at IS NULL
         AND deleted_at IS NULL",
        user_id,
    )
}
