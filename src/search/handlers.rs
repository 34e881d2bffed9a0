//! GET /search (page) and GET /api/v1/search (JSON).

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::index::{Results, SearchQuery, PER_PAGE};
/// Also named from here by the map (`crate::map`).
use super::query::SearchParams;
use super::views;
use super::{sources, NextDates};
use crate::db::memo::Memo;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// Runs a search on the blocking pool, with the dates of the page's dated results, memoised
/// until the next write or the next commit of the index (whichever comes first; see db::memo).
pub async fn run(state: &AppState, q: SearchQuery) -> Result<Results, AppError> {
    // The same words searched again (a popular query, a visitor paging back) cost a lookup:
    // the key holds the index's generation, which the write generation does not follow (the
    // index is updated a moment after the write that queued the change).
    static MEMO: LazyLock<Memo<Results>> = LazyLock::new(|| Memo::new(256));
    let index = state.search.clone();
    let key = format!("{}|{q:?}", index.generation());
    let results = state
        .db
        .read(move |conn| {
            MEMO.get_or(&key, || {
                let mut results = index.search(&q, None)?;
                add_dates(conn, &mut results)?;
                Ok(results)
            })
        })
        .await?;
    Ok(Results::clone(&results))
}

/// Reads the dates of the page's dated results and where the neighbours' results come from:
/// one statement per dated kind for the whole page, never one per result; one for the
/// neighbours' results.
fn add_dates(conn: &rusqlite::Connection, results: &mut Results) -> Result<(), AppError> {
    let wanted: Vec<(&'static str, NextDates, Vec<i64>)> = sources()
        .iter()
        .filter_map(|s| {
            let ids: Vec<i64> = results
                .hits
                .iter()
                .filter(|h| h.kind == s.kind)
                .map(|h| h.id)
                .collect();
            s.next_dates
                .filter(|_| !ids.is_empty())
                .map(|f| (s.kind, f, ids))
        })
        .collect();
    let remote: Vec<i64> = results
        .hits
        .iter()
        .filter(|h| h.kind == crate::neighbours::KIND)
        .map(|h| h.id)
        .collect();
    if wanted.is_empty() && remote.is_empty() {
        return Ok(());
    }
    let now = crate::db::now();
    let mut dates = HashMap::new();
    for (kind, read, ids) in wanted {
        for (id, start) in read(conn, &ids, now)? {
            dates.insert((kind, id), start);
        }
    }
    let origins: HashMap<i64, crate::neighbours::Origin> = if remote.is_empty() {
        HashMap::new()
    } else {
        crate::neighbours::store::origins(conn, &remote)?
            .into_iter()
            .collect()
    };
    for h in &mut results.hits {
        if h.kind == crate::neighbours::KIND {
            h.origin = origins.get(&h.id).cloned();
            h.date = h.origin.as_ref().and_then(|o| o.start);
        } else {
            h.date = dates.get(&(h.kind.as_str(), h.id)).copied();
        }
    }
    Ok(())
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

/// GET /search (the neighbours included unless the visitor chose otherwise)
pub async fn page(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    p: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let p = p.into_inner();
    let mut q = p.query(&ctx);
    let choice = crate::neighbours::choice::Choice::read(&state, &req, &p.neighbours, true).await?;
    q.neighbours = choice.shown;
    let results = if p.q.trim().is_empty() && p.kind.is_empty() && p.tag.is_empty() {
        None
    } else {
        Some(run(&state, q.clone()).await?)
    };
    let resp = views::page(&ctx, &p, &q, results.as_ref(), choice.toggle());
    Ok(choice.remember(&req, resp))
}

/// GET /api/v1/search (`neighbours=1` includes the neighbours' items)
pub async fn api(
    ctx: Ctx,
    state: web::Data<AppState>,
    p: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let q = p.query(&ctx);
    let page = q.page;
    let r = run(&state, q).await?;
    let tz = ctx.instance.time_zone;
    let items: Vec<_> = r
        .hits
        .iter()
        .map(|h| {
            json!({
                "kind": h.kind,
                "id": h.id,
                "category": h.category,
                "title": h.title,
                "url": if h.url.starts_with("http") { h.url.clone() } else { ctx.absolute(&h.url) },
                "origin": h.origin.as_ref().map(|o| o.host()),
                "origin_name": h.origin.as_ref().map(|o| o.name.clone()),
                "copied_at": h.origin.as_ref().map(|o| crate::time::rfc3339(o.pulled, tz)),
                "stale": h.origin.as_ref().map(|o| o.stale),
                "lat": h.point.map(|p| p.0),
                "lon": h.point.map(|p| p.1),
                "distance_km": h.distance_km.map(|d| (d * 10.0).round() / 10.0),
                "score": (h.score * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({"items": items, "total": r.total, "page": page, "per_page": PER_PAGE})))
}
