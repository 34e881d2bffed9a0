//! The map's pages and endpoints: the page with its filters and list, the clustered GeoJSON,
//! the embeddable map, the tiles of an MBTiles file, and the admin's map settings.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::views::{self, MapPage};
use super::{
    cluster, geojson as to_geojson, parse_zoom, store, BBox, MapQuery, LIST_LIMIT, MAX_ZOOM,
};
use crate::db::memo::Memo;
use crate::error::AppError;
use crate::settings::form::GeneralForm;
use crate::settings::handlers::settings_page;
use crate::settings::tiles::{tile_content_type, MapSettingsForm};
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::Admin;
use crate::web::{base_url, redirect_with_flash, Ctx};

/// Keeps only the points a text search found (when there was a text).
fn keep_found(points: &mut Vec<super::Point>, found: Option<&HashSet<(usize, i64)>>) {
    if let Some(keys) = found {
        points.retain(|p| {
            crate::search::kind_no(p.source).is_some_and(|k| keys.contains(&(k, p.id)))
        });
    }
}

/// A 400 with a JSON message, for the GeoJSON endpoint.
fn bad_request(ctx: &Ctx, key: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(serde_json::json!({"error": ctx.t(key)}))
}

/// GET /map.geojson?bbox=minLon,minLat,maxLon,maxLat&zoom=Z&kind=&type=&tag=: the located
/// items of the box as a FeatureCollection, clustered below zoom 15.
pub async fn geojson(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, AppError> {
    // Public data, the same for everyone: memoised until the next write (see db::memo).
    static MEMO: LazyLock<Memo<String>> = LazyLock::new(|| Memo::new(512));
    let q = q.into_inner();
    let Some(bbox) = BBox::parse(&q.bbox) else {
        return Ok(bad_request(&ctx, "map.bad_bbox"));
    };
    let Some(zoom) = parse_zoom(&q.zoom) else {
        return Ok(bad_request(&ctx, "map.bad_zoom"));
    };
    let mut filter = q.filter(bbox, None);
    // Below the clustering zoom, clusters need positions only; names are read for the points
    // shown alone.
    filter.light = zoom < super::cluster::CLUSTER_MAX_ZOOM;
    let instance = ctx.instance.clone();
    let only = crate::search::handlers::matching(&state, &ctx, q.search_params()).await?;
    // A text search depends on the index, which the write generation does not follow.
    let key = only.is_none().then(|| req.query_string().to_string());
    // Clustering is CPU work: it runs on the blocking pool with the query.
    let body = state
        .db
        .read(move |c| match key {
            Some(key) => MEMO.get_or(&key, || features_json(c, &filter, &instance, zoom, None)),
            None => features_json(c, &filter, &instance, zoom, only.as_ref()).map(Arc::new),
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        // Public data, like the directory's open data: any site may read it.
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(body.as_ref().clone()))
}

/// The GeoJSON text of the located items of `filter`, clustered at `zoom`.
fn features_json(
    c: &rusqlite::Connection,
    filter: &super::MapFilter,
    instance: &crate::settings::Instance,
    zoom: u8,
    only: Option<&HashSet<(usize, i64)>>,
) -> Result<String, AppError> {
    let mut points = super::points(c, filter, instance)?;
    keep_found(&mut points, only);
    let features = cluster(&points, zoom);
    if !filter.light {
        return Ok(to_geojson(&features).to_string());
    }
    let details = super::details_of_singles(c, &features)?;
    let features: Vec<_> = features
        .into_iter()
        .map(|f| match f {
            super::cluster::Feature::Single(p) => {
                super::cluster::Feature::Single(details.get(&(p.source, p.id)).unwrap_or(p))
            }
            other => other,
        })
        .collect();
    Ok(to_geojson(&features).to_string())
}

/// The box of the map's first view: the items of the query within the village circle
/// (positions only), see [`super::first_view`].
fn first_view(
    c: &rusqlite::Connection,
    q: &MapQuery,
    instance: &crate::settings::Instance,
    only: Option<&HashSet<(usize, i64)>>,
) -> Result<Option<BBox>, AppError> {
    let centre = (instance.center_lat, instance.center_lon);
    let (min_lat, min_lon, max_lat, max_lon) = crate::geo::bbox_around(centre, instance.radius_km);
    // Parsed, so that a box past the poles is clamped like a visitor's.
    let circle = BBox::parse(&format!("{min_lon},{min_lat},{max_lon},{max_lat}"));
    let mut filter = q.filter(circle.unwrap_or(BBox::WORLD), None);
    filter.light = true;
    let mut located = super::points(c, &filter, instance)?;
    keep_found(&mut located, only);
    Ok(super::first_view(&located, centre, instance.radius_km))
}

/// GET /map?kind=&type=&tag=: the map with its filters, the list of located items (all the page
/// shows without JavaScript) and the snippet that embeds this map elsewhere.
pub async fn page(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, AppError> {
    let mut q = q.into_inner();
    // The neighbours' items when the visitor asked for them (remembered; off by default).
    let choice =
        crate::neighbours::choice::Choice::read(&state, &req, &q.neighbours, false).await?;
    q.neighbours = if choice.shown {
        "1".into()
    } else {
        String::new()
    };
    let only = crate::search::handlers::matching(&state, &ctx, q.search_params()).await?;
    let limit = if only.is_some() {
        None
    } else {
        Some(LIST_LIMIT + 1)
    };
    let filter = q.filter(BBox::WORLD, limit);
    let instance = ctx.instance.clone();
    let query = q.clone();
    let (mut items, tags, view) = state
        .db
        .read(move |c| {
            let mut points = super::points(c, &filter, &instance)?;
            keep_found(&mut points, only.as_ref());
            let view = first_view(c, &query, &instance, only.as_ref())?;
            Ok((points, crate::directory::store::public_tags(c, 40)?, view))
        })
        .await?;
    let more = items.len() > LIST_LIMIT as usize;
    items.truncate(LIST_LIMIT as usize);
    let embed_src = format!("{}/embed/map?{}", base_url(&req, &state), q.filters_query());
    let resp = views::page(
        &ctx,
        &MapPage {
            query: &q,
            items: &items,
            more,
            tags: &tags,
            embed_src: &embed_src,
            view,
            neighbours: choice.toggle(),
        },
    );
    Ok(choice.remember(&req, resp))
}

/// GET /embed/map?kind=&type=&tag=: the map alone, for an iframe on another site; the only
/// page any site may frame.
pub async fn embed(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let only = crate::search::handlers::matching(&state, &ctx, q.search_params()).await?;
    let (query, instance) = (q.clone(), ctx.instance.clone());
    let view = state
        .db
        .read(move |c| first_view(c, &query, &instance, only.as_ref()))
        .await?;
    let mut res = views::embed(&ctx, &q, view);
    if let Ok(v) = header::HeaderValue::from_str(&crate::web::headers::content_security_policy(
        &ctx.instance,
        "*",
    )) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}

/// Parses a tile address; the last part may end with an extension (`3.png`).
pub fn tile_address(z: &str, x: &str, y: &str) -> Option<(u8, u32, u32)> {
    let y = y.split_once('.').map_or(y, |(y, _)| y);
    let z: u8 = z.parse().ok().filter(|z| *z <= MAX_ZOOM)?;
    let (x, y): (u32, u32) = (x.parse().ok()?, y.parse().ok()?);
    let side = 1u32 << z;
    (x < side && y < side).then_some((z, x, y))
}

/// GET /tiles/{z}/{x}/{y}(.png): a tile of the configured MBTiles file, cached for a day;
/// 404 without a file or for a tile it lacks.
pub async fn tile(
    ctx: Ctx,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (z, x, y) = path.into_inner();
    let (z, x, y) = tile_address(&z, &x, &y).ok_or(AppError::NotFound)?;
    if ctx.instance.mbtiles_path.is_empty() {
        return Err(AppError::NotFound);
    }
    let file = PathBuf::from(&ctx.instance.mbtiles_path);
    let found = web::block(move || -> rusqlite::Result<Option<(Vec<u8>, String)>> {
        let conn = store::open_mbtiles(&file)?;
        Ok(match store::tile(&conn, z, x, y)? {
            Some(data) => Some((data, store::tile_format(&conn)?)),
            None => None,
        })
    })
    .await?;
    let (data, format) = match found {
        Ok(Some(t)) => t,
        Ok(None) => return Err(AppError::NotFound),
        Err(e) => {
            // A file moved or damaged since the admin chose it: the map shows its background.
            log::warn!("MBTiles file {}: {e}", ctx.instance.mbtiles_path);
            return Err(AppError::NotFound);
        }
    };
    let mut res = HttpResponse::Ok();
    res.content_type(tile_content_type(&format))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"));
    // Vector tiles are stored gzipped in MBTiles files.
    if data.starts_with(&[0x1f, 0x8b]) {
        res.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    Ok(res.body(data))
}

/// POST /admin/map: saves the tile URL, attribution and MBTiles file; re-shows the settings
/// page with the input and messages when something is wrong.
pub async fn admin_save(
    ctx: Ctx,
    state: web::Data<AppState>,
    _: Admin,
    form: web::Form<MapSettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FormErrors::new();
    let mut parsed = form.parse(&mut errors);
    if let Some(path) = parsed
        .as_ref()
        .map(|s| s.mbtiles_path.clone())
        .filter(|p| !p.is_empty())
    {
        let readable = web::block(move || {
            let p = PathBuf::from(path);
            p.is_file() && store::open_mbtiles(&p).is_ok_and(|c| store::is_mbtiles(&c))
        })
        .await?;
        if !readable {
            errors.add("mbtiles_path", "map.mbtiles_invalid");
            parsed = None;
        }
    }
    let Some(settings) = parsed else {
        let general = GeneralForm::from_instance(&ctx.instance);
        let mut page = settings_page(&state, &general, &ctx.instance.smtp);
        page.map = form;
        return Ok(crate::settings::views::settings(
            &ctx,
            &page,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    state
        .db
        .write(move |tx| {
            Ok(crate::settings::store::save_map(
                tx,
                &settings.tile_url,
                &settings.tile_attribution,
                &settings.mbtiles_path,
            )?)
        })
        .await?;
    state.reload_instance().await?;
    Ok(redirect_with_flash(&ctx, "/admin", "flash.saved"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses_stay_within_their_zoom() {
        assert_eq!(tile_address("1", "0", "1.png"), Some((1, 0, 1)));
        assert_eq!(tile_address("0", "0", "0"), Some((0, 0, 0)));
        assert_eq!(tile_address("1", "2", "0"), None);
        assert_eq!(tile_address("23", "0", "0"), None);
        assert_eq!(tile_address("a", "0", "0"), None);
        assert_eq!(tile_address("3", "-1", "0"), None);
    }
}
