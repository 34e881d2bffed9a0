//! The module's background work, run by the server's housekeeping (no cron).

use actix_web::web;

use crate::app::AppState;

/// Runs forever beside the requests.
pub async fn run(_state: web::Data<AppState>) {}
