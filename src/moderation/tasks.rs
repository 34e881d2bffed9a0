//! The moderation's upkeep (the audit log's retention) and its part of "download my data".

use std::time::Duration;

use actix_web::web::Data;
use rusqlite::Connection;
use serde_json::{json, Value};

use super::store;
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::personal_data;
use crate::state::AppState;

/// Daily: the log's lines past the retention go (the only deletion its trigger allows).
pub async fn run(state: Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(Duration::from_secs(86_400));
    loop {
        tick.tick().await;
        match state.db.write(|tx| Ok(store::purge_log(tx, now())?)).await {
            Ok(n) if n > 0 => log::info!("moderation log: {n} lines past the retention removed"),
            Ok(_) => {}
            Err(e) => log::error!("moderation log retention: {e}"),
        }
    }
}

/// The reports a person made, the moderators' messages to them, their suspension, and the
/// originals of their masked text.
pub fn personal_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    let person = store::person(c, u.id)?;
    Ok(json!({
        "reports": store::reports_by(c, u.id)?,
        "notices": store::notices(c, u.id)?,
        "suspended_until": person.as_ref().and_then(|p| p.suspended_until),
        "suspended_reason": person.as_ref().map(|p| p.suspended_reason.clone()),
        "masked": person.as_ref().is_some_and(|p| p.masked_at.is_some()),
        "personal_data_originals": personal_data::store::by_author(c, u.id)?,
    }))
}
