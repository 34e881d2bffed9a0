//! "Download my data" and "delete my account". Each module contributes what a person owns or
//! wrote; later modules add their part to [`collect`].

pub mod handlers;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::auth::{self, User};
use crate::directory::store as directory;
use crate::error::AppError;

/// Everything a person owns or wrote, as one JSON document.
pub fn collect(conn: &Connection, user: &User) -> Result<Value, AppError> {
    let tokens = auth::store::api_tokens_of(conn, user.id)?;
    let actors = directory::actors_created_by(conn, user.id)?;
    let memberships = directory::members::memberships_of(conn, user.id)?;
    let follows = directory::follows::followed_by(conn, user.id)?;
    let profile = directory::profile_of(conn, user.id)?;
    Ok(json!({
        "format": "placette-personal-data/1",
        "exported_at": crate::db::now(),
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role.as_str(),
            "lang": user.lang.map(|l| l.code()),
            "email_confirmed": user.email_confirmed,
        },
        "api_tokens": tokens.iter().map(|t| json!({"name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at})).collect::<Vec<_>>(),
        "directory": {
            "public_profile": profile,
            "pages_created": actors.iter().map(|a| crate::directory::export::actor_json(a, "")).collect::<Vec<_>>(),
            "memberships": memberships.iter().map(|(slug, name, role, title, active)| json!({
                "page": slug, "name": name, "role": role, "title": title, "active": active
            })).collect::<Vec<_>>(),
            "follows": follows.iter().map(|a| json!({"page": a.slug, "name": a.name})).collect::<Vec<_>>(),
        },
        "news": crate::news::export::personal_data(conn, user.id)?,
        "agenda": crate::agenda::api::personal_data(conn, user.id)?,
        "agenda_imports": crate::agenda::store::imports::urls_added_by(conn, user.id)?,
        "room_bookings": crate::rooms::api::personal_data(conn, user.id)?,
        "aid": crate::aid::export::personal_data(conn, user.id)?,
        "lists": crate::lists::export::personal_data(conn, user.id, &user.email)?,
    }))
}
