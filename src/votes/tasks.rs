//! The count at the deadline: a background task counts every proposal whose deadline has
//! passed; a page read after a deadline counts it too if the task has not yet. Both go
//! through [`count_due`], whose store call counts once (the result row is the proof).

use std::time::Duration;

use actix_web::web::Data;
use rusqlite::Connection;
use serde_json::Value;

use super::store;
use crate::auth::User;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// How often the task looks for deadlines passed.
const EVERY: Duration = Duration::from_secs(5);

/// The task: counts what is due, every few seconds (one indexed query when nothing is).
pub async fn run(state: Data<AppState>) {
    let mut tick = actix_web::rt::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = count_due(&state).await {
            log::error!("votes: counting at the deadline: {e}");
        }
    }
}

/// Counts every proposal past its deadline, each in its own write; how many were counted.
pub async fn count_due(state: &AppState) -> Result<usize, AppError> {
    let ids = state.db.read(|c| Ok(store::due(c, now())?)).await?;
    let mut n = 0;
    for id in ids {
        if count_one(state, id).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// Before showing a proposal whose deadline has passed: counts it if the task has not yet.
/// A read first, so that showing a counted proposal never takes the write lock (nor
/// invalidates the memoised reads).
pub async fn ensure_counted(state: &AppState, id: i64, deadline: i64) -> Result<(), AppError> {
    if deadline > now() {
        return Ok(());
    }
    let counted = state
        .db
        .read(move |c| Ok(store::result(c, id)?.is_some()))
        .await?;
    if !counted {
        count_one(state, id).await?;
    }
    Ok(())
}

/// Counts one proposal if its deadline has passed and it is not counted yet.
pub async fn count_one(state: &AppState, id: i64) -> Result<bool, AppError> {
    state
        .db
        .write(move |tx| Ok(store::publish(tx, id, now())?))
        .await
}

/// "Download my data": the proposals and amendments one wrote, and one's ballots still linked
/// to one's account (a secret ballot is unlinked at the count).
pub fn personal_data(c: &Connection, u: &User) -> Result<Value, AppError> {
    Ok(store::export::personal_data(c, u.id)?)
}
