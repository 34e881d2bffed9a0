//! GET /search (page) and GET /api/v1/search (JSON).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::index::{Results, SearchQuery, PER_PAGE};
use super::views;
use crate::state::AppState;
use crate::error::AppError;
use crate::settings::Instance;
use crate::web::forms::number;
use crate::web::Ctx;

/// Distances offered in the filter, in km.
pub const DISTANCES: [u32; 4] = [5, 15, 30, 50];

/// The search parameters as given in the URL.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SearchParams {
    pub q: String,
    pub kind: String,
    pub tag: String,
    /// Radius in km; the instance's radius when empty.
    pub km: String,
    /// Another centre than the village's.
    pub lat: String,
    pub lon: String,
    /// Dates (YYYY-MM-DD) for dated things.
    pub from: String,
    pub to: String,
    pub page: usize,
}

fn day(s: &str, tz: chrono_tz::Tz, end: bool) -> Option<i64> {
    use chrono::TimeZone;
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    let t = if end {
        d.and_hms_opt(23, 59, 59)?
    } else {
        d.and_hms_opt(0, 0, 0)?
    };
    tz.from_local_datetime(&t)
        .earliest()
        .map(|dt| dt.timestamp())
}

impl SearchParams {
    /// The query, with the instance's centre and radius where the URL gives none.
    pub fn query(&self, ctx: &Ctx) -> SearchQuery {
        self.query_for(&ctx.instance)
    }

    /// [`Self::query`] for an instance (pure: the fuzz target `search_query` calls it).
    pub fn query_for(&self, i: &Instance) -> SearchQuery {
        let lat = number(&self.lat).filter(|v| (-90.0..=90.0).contains(v));
        let lon = number(&self.lon).filter(|v| (-180.0..=180.0).contains(v));
        let center = lat.zip(lon).unwrap_or((i.center_lat, i.center_lon));
        let radius_km = number(&self.km)
            .filter(|v| *v > 0.0 && *v <= 500.0)
            .unwrap_or(i.radius_km);
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_lowercase());
        SearchQuery {
            text: self.q.chars().take(200).collect(),
            kind: nonempty(&self.kind),
            tag: nonempty(&self.tag).map(|t| t.trim_start_matches('#').to_string()),
            center,
            radius_km,
            from: day(&self.from, i.time_zone, false),
            to: day(&self.to, i.time_zone, true),
            page: self.page.clamp(1, 100_000),
        }
    }
}

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
