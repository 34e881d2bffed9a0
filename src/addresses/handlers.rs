//! The address API: suggestions for the address fields of every form (public, read-only).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{normalise, store};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// Suggestions when `limit` is not given.
pub const LIMIT: i64 = 10;
/// Most suggestions per request.
pub const MAX_LIMIT: i64 = 20;
/// Longer queries are cut: no address is longer, and the scan stays cheap.
const MAX_QUERY_CHARS: usize = 200;

/// Query of the address API.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SuggestQuery {
    pub q: String,
    pub limit: Option<i64>,
}

/// GET /api/v1/addresses?q=&limit=: `[{"label", "lat", "lon"}]`, the imported addresses that
/// start with (or else contain) what was typed, case and accents ignored; 400 without a query.
pub async fn suggest(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<SuggestQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let text: String = q.q.chars().take(MAX_QUERY_CHARS).collect();
    if normalise(&text).is_empty() {
        return Ok(HttpResponse::BadRequest().json(json!({"error": ctx.t("addresses.q_required")})));
    }
    let limit = q.limit.unwrap_or(LIMIT).clamp(1, MAX_LIMIT);
    let found = state
        .db
        .read(move |c| Ok(store::suggest(c, &text, limit)?))
        .await?;
    // The base changes only when an admin imports a file: a typist going back and forth is
    // answered by the browser's cache.
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(found))
}
