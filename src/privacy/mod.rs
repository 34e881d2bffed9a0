//! "Download my data" and "delete my account". Each module contributes what a person owns or
//! wrote; each registers its part (`crate::modules`), and [`collect`] puts them together.

pub mod handlers;

use std::sync::OnceLock;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::auth::{self, User};
use crate::directory::store as directory;
use crate::error::AppError;

/// A module's part of "download my data": its key in the document and what it holds of the
/// person.
pub struct DataPart {
    pub key: &'static str,
    pub export: fn(&Connection, &User) -> Result<Value, AppError>,
}

/// The modules' parts, registered once at start-up by the top (`crate::modules`).
static PARTS: OnceLock<&'static [DataPart]> = OnceLock::new();

/// Registers the modules' parts (the first registration stands).
pub fn register(parts: &'static [DataPart]) {
    let _ = PARTS.set(parts);
}

/// Everything a person owns or wrote, as one JSON document: the account and the directory,
/// then each registered module's part.
pub fn collect(conn: &Connection, user: &User) -> Result<Value, AppError> {
    let mut doc = account_and_directory(conn, user)?;
    for part in PARTS.get().copied().unwrap_or(&[]) {
        doc[part.key] = (part.export)(conn, user)?;
    }
    Ok(doc)
}

fn account_and_directory(conn: &Connection, user: &User) -> Result<Value, AppError> {
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
    }))
}
