//! Every SQL statement about comments.

use rusqlite::{named_params, Connection, OptionalExtension, Row};

use crate::news::Comment;

const COMMENT_SELECT: &str = "SELECT c.id, c.post_id, c.parent_id, c.author_id, u.name, c.body,
        c.hidden_at IS NOT NULL, c.deleted_at IS NOT NULL, c.created_at, c.edited_at
    FROM news_comments c LEFT JOIN users u ON u.id = c.author_id";

fn comment_from_row(r: &Row) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        post_id: r.get(1)?,
        parent_id: r.get(2)?,
        author_id: r.get(3)?,
        author_name: r.get(4)?,
        body: r.get(5)?,
        hidden: r.get(6)?,
        deleted: r.get(7)?,
        created_at: r.get(8)?,
        edited_at: r.get(9)?,
    })
}

/// Adds a comment; returns its id.
pub fn insert_comment(
    conn: &Connection,
    post_id: i64,
    parent_id: Option<i64>,
    author_id: i64,
    body: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO news_comments (post_id, parent_id, author_id, body, created_at)
         VALUES (:post, :parent, :author, :body, :now)",
    )?
    .execute(named_params! {
        ":post": post_id, ":parent": parent_id, ":author": author_id, ":body": body, ":now": now,
    })?;
    Ok(conn.last_insert_rowid())
}

/// One comment.
pub fn comment_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Comment>> {
    conn.prepare_cached(&format!("{COMMENT_SELECT} WHERE c.id = :id"))?
        .query_row(named_params! {":id": id}, comment_from_row)
        .optional()
}

/// Every comment of a post, oldest first (the page threads them).
pub fn comments_of(conn: &Connection, post_id: i64) -> rusqlite::Result<Vec<Comment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{COMMENT_SELECT} WHERE c.post_id = :p ORDER BY c.created_at, c.id"
    ))?;
    let rows = stmt.query_map(named_params! {":p": post_id}, comment_from_row)?;
    rows.collect()
}

/// Saves an edited comment.
pub fn update_comment(conn: &Connection, id: i64, body: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE news_comments SET body = :body, edited_at = :now WHERE id = :id",
        named_params! {":body": body, ":now": now, ":id": id},
    )?;
    Ok(())
}

/// Deletes a comment. One that has replies stays as an empty marker so that its replies keep
/// their place; a marker whose last reply goes goes too.
pub fn delete_comment(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    let parent: Option<i64> = conn
        .query_row(
            "SELECT parent_id FROM news_comments WHERE id = :id",
            named_params! {":id": id},
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let replies: i64 = conn.query_row(
        "SELECT count(*) FROM news_comments WHERE parent_id = :id",
        named_params! {":id": id},
        |r| r.get(0),
    )?;
    if replies > 0 {
        conn.execute(
            "UPDATE news_comments SET body = '', deleted_at = :now WHERE id = :id",
            named_params! {":now": now, ":id": id},
        )?;
    } else {
        conn.execute(
            "DELETE FROM news_comments WHERE id = :id",
            named_params! {":id": id},
        )?;
    }
    if let Some(p) = parent {
        conn.execute(
            "DELETE FROM news_comments WHERE id = :p AND deleted_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM news_comments WHERE parent_id = :p)",
            named_params! {":p": p},
        )?;
    }
    Ok(())
}

/// Hides (`hide`) or restores a comment.
pub fn set_comment_hidden(
    conn: &Connection,
    id: i64,
    hide: bool,
    by: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "UPDATE news_comments SET hidden_at = CASE WHEN :hide THEN :now END,
                                  hidden_by = CASE WHEN :hide THEN :by END WHERE id = :id",
        named_params! {":hide": hide, ":now": now, ":by": by, ":id": id},
    )?;
    Ok(n > 0)
}

/// Every comment a person wrote, newest first (their personal data).
pub fn comments_by_author(conn: &Connection, user_id: i64) -> rusqlite::Result<Vec<Comment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{COMMENT_SELECT} WHERE c.author_id = :u AND c.deleted_at IS NULL ORDER BY c.created_at DESC, c.id DESC"
    ))?;
    let rows = stmt.query_map(named_params! {":u": user_id}, comment_from_row)?;
    rows.collect()
}
