//! A person's part of "download my data": their messages, the threads they opened or
//! follow, their roles, their acceptances of the code of conduct.

use rusqlite::{named_params, Connection};
use serde_json::{json, Value};

/// Everything the channels hold about a person.
pub fn personal_data(c: &Connection, uid: i64) -> rusqlite::Result<Value> {
    let mut st = c.prepare_cached(
        "SELECT m.id, ch.slug, t.id, t.title, m.body, m.created_at, m.edited_at, m.hidden
         FROM channel_messages m JOIN channel_threads t ON t.id = m.thread_id
         JOIN channels ch ON ch.id = t.channel_id WHERE m.author_id = :u ORDER BY m.id",
    )?;
    let messages: Vec<Value> = st
        .query_map(named_params! {":u": uid}, |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "channel": r.get::<_, String>(1)?,
                "thread": r.get::<_, i64>(2)?, "thread_title": r.get::<_, String>(3)?,
                "body": r.get::<_, String>(4)?, "created_at": r.get::<_, i64>(5)?,
                "edited_at": r.get::<_, Option<i64>>(6)?, "hidden": r.get::<_, bool>(7)?,
            }))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT f.thread_id, t.title, f.created_at FROM channel_follows f
         JOIN channel_threads t ON t.id = f.thread_id WHERE f.user_id = :u ORDER BY f.thread_id",
    )?;
    let follows: Vec<Value> = st
        .query_map(named_params! {":u": uid}, |r| {
            Ok(json!({"thread": r.get::<_, i64>(0)?, "title": r.get::<_, String>(1)?, "since": r.get::<_, i64>(2)?}))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = c.prepare_cached(
        "SELECT ch.slug, r.role, r.created_at FROM channel_roles r JOIN channels ch ON ch.id = r.channel_id
         WHERE r.user_id = :u ORDER BY ch.slug",
    )?;
    let roles: Vec<Value> = st
        .query_map(named_params! {":u": uid}, |r| {
            Ok(json!({"channel": r.get::<_, String>(0)?, "role": r.get::<_, String>(1)?, "since": r.get::<_, i64>(2)?}))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let acceptances: Vec<Value> = super::conduct::acceptances_of(c, uid)?
        .into_iter()
        .map(|(v, at)| json!({"version": v, "accepted_at": at}))
        .collect();
    Ok(json!({
        "messages": messages,
        "follows": follows,
        "roles": roles,
        "conduct_acceptances": acceptances,
    }))
}
