//! The JSON API under `/api/v1`: authenticated by session or by a personal token
//! (`Authorization: Bearer plt_...`). Each module adds its paths to the OpenAPI document
//! (`openapi.rs`).

use actix_web::HttpResponse;
use serde_json::json;

use crate::web::Ctx;
use crate::web::CurrentUser;

mod openapi;

pub use openapi::{document, error_response, no_schemas, register, ApiPart};

/// GET /api/v1/openapi.json: the OpenAPI 3 description of this API.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// GET /api/v1/instance
pub async fn instance(ctx: Ctx) -> HttpResponse {
    let i = &ctx.instance;
    let modules: Vec<&str> = i
        .modules
        .iter()
        .filter(|(_, on)| *on)
        .map(|(m, _)| m.as_str())
        .collect();
    HttpResponse::Ok().json(json!({
        "name": i.name,
        "description": i.description,
        "center": {"lat": i.center_lat, "lon": i.center_lon},
        "radius_km": i.radius_km,
        "default_lang": i.default_lang.code(),
        "time_zone": i.time_zone.name(),
        "modules": modules,
    }))
}

/// GET /api/v1/me
pub async fn me(CurrentUser(u): CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "id": u.id,
        "name": u.name,
        "role": u.role.as_str(),
        "lang": u.lang.map(|l| l.code()),
    }))
}
