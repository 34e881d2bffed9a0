//! A person's news for "download my data": their posts and comments (their reports are the
//! moderation's part).

use rusqlite::Connection;
use serde_json::{json, Value};

use super::store::{self, comments};
use crate::error::AppError;

/// Everything the person wrote in the news.
pub fn personal_data(conn: &Connection, user_id: i64) -> Result<Value, AppError> {
    let posts = store::posts_by_author(conn, user_id)?;
    let comments = comments::comments_by_author(conn, user_id)?;
    Ok(json!({
        "posts": posts.iter().map(|p| json!({
            "id": p.id,
            "url": p.url(),
            "journal": p.actor.as_ref().map(|(_, slug, _)| slug),
            "title": p.title,
            "body": p.body,
            "image": p.image.as_ref().map(|i| format!("/media/{i}")),
            "audience": p.audience.as_str(),
            "hidden_by_moderation": p.hidden,
            "created_at": p.created_at,
            "edited_at": p.edited_at,
        })).collect::<Vec<_>>(),
        "comments": comments.iter().map(|c| json!({
            "id": c.id,
            "post": format!("/news/{}", c.post_id),
            "reply_to": c.parent_id,
            "body": c.body,
            "hidden_by_moderation": c.hidden,
            "created_at": c.created_at,
            "edited_at": c.edited_at,
        })).collect::<Vec<_>>(),
    }))
}
