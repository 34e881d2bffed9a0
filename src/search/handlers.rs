//! GET /search (page) and GET /api/v1/search (JSON).

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::index::{Results, SearchQuery, PER_PAGE};
/// Also named from here by the map (`crate::map`).
use super::query::SearchParams;
use super::views;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// Runs a search on the blocking pool: the R*Tree prefilter, then the index.
pub async fn run(state: &AppState, q: SearchQuery) -> Result<Results, AppError> {
    let index = state.search.clone();
    web::block(move || index.search(&q, None)).await?
}

/// The `(kind number, id)` of everything a text query finds, for the map; `None` without text.
pub async fn matching(
    state: &AppState,
    ctx: &Ctx,
    p: SearchParams,
) -> Result<Option<std::collections::HashSet<(usize, i64)>>, AppError> {
    if p.q.trim().is_empty() {
        return Ok(None);
    }
    let q = p.query(ctx);
    let index = state.search.clone();
    let keys = web::block(move || index.matching(&q, None)).await??;
    Ok(Some(keys))
}

/// GET /search
pub async fn page(
    ctx: Ctx,
    state: web::Data<AppState>,
    p: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let p = p.into_inner();
    let q = p.query(&ctx);
    let results = if p.q.trim().is_empty() && p.kind.is_empty() && p.tag.is_empty() {
        None
    } else {
        Some(run(&state, q.clone()).await?)
    };
    Ok(views::page(&ctx, &p, &q, results.as_ref()))
}

/// GET /api/v1/search
pub async fn api(
    ctx: Ctx,
    state: web::Data<AppState>,
    p: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let q = p.query(&ctx);
    let page = q.page;
    let r = run(&state, q).await?;
    let items: Vec<_> = r
        .hits
        .iter()
        .map(|h| json!({"kind": h.kind, "id": h.id, "category": h.category, "title": h.title, "url": ctx.absolute(&h.url), "distance_km": h.distance_km.map(|d| (d * 10.0).round() / 10.0)}))
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({"items": items, "total": r.total, "page": page, "per_page": PER_PAGE})))
}
