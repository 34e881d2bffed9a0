//! A person's mutual aid for "download my data": their posts (every status), their
//! conversations and the messages they wrote.

use rusqlite::Connection;
use serde_json::{json, Value};

use super::api::post_json;
use super::store::{self, admin, talk};
use crate::error::AppError;

/// Everything the person posted and wrote in mutual aid.
pub fn personal_data(conn: &Connection, user_id: i64) -> Result<Value, AppError> {
    let posts = store::posts_by_author(conn, user_id)?;
    let threads = talk::conversations_of(conn, user_id)?;
    let mut conversations = Vec::new();
    for t in &threads {
        let messages = talk::messages_of(conn, t.id)?;
        conversations.push(json!({
            "id": t.id,
            "post": format!("/aid/{}", t.post_id),
            "post_title": t.post_title,
            "with": t.other(user_id).1,
            "closed": t.closed,
            "messages": messages.iter().map(|m| json!({
                "mine": m.sender_id == user_id,
                "body": m.body,
                "created_at": m.created_at,
            })).collect::<Vec<_>>(),
        }));
    }
    Ok(json!({
        "posts": posts.iter().map(|p| {
            // "Download my data" keeps the site's links relative, like the rest of it.
            let mut v = post_json(p, "");
            v["hidden_by_moderation"] = json!(p.hidden);
            v
        }).collect::<Vec<_>>(),
        "conversations": conversations,
        "messages_written": talk::messages_by(conn, user_id)?.len(),
        "digest_categories": admin::digest_of(conn, user_id)?,
    }))
}
