//! The read API of mutual aid (`/api/v1/aid`): the open public posts, as the list shows
//! them. Authors are named, never addressed; a person's point is the rounded one.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::form::ListQuery;
use super::handlers::visible_post;
use super::{Post, Price, PER_PAGE};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{markdown, Ctx};

fn iso(unix: i64) -> Value {
    json!(chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339()))
}

/// A post as JSON (no address of anyone; the point is rounded for people); links are
/// absolute on `base` ([`Ctx::base`]), or site-relative with an empty `base`.
pub fn post_json(p: &Post, base: &str) -> Value {
    let (price, price_cents) = match p.price {
        Some(Price::Cents(c)) => (Some("price"), Some(c)),
        Some(Price::Free) => (Some("free"), None),
        Some(Price::Exchange) => (Some("exchange"), None),
        None => (None, None),
    };
    json!({
        "id": p.id,
        "url": format!("{base}{}", p.url()),
        "kind": p.kind.as_str(),
        "category": p.category.as_str(),
        "title": p.title,
        "description": p.description,
        "description_html": markdown::render(&p.description),
        "price": price,
        "price_cents": price_cents,
        "condition": p.condition,
        "photo": p.photo.as_ref().map(|i| format!("{base}/media/{i}")),
        "available_from": p.available_from.map(iso),
        "available_until": p.available_until.map(iso),
        "author": p.author_name,
        "actor": p.actor.as_ref().map(|(_, slug, name)| json!({"slug": slug, "name": name})),
        "location": p.point.map(|(lat, lon)| json!({"lat": lat, "lon": lon, "approximate": p.actor.is_none()})),
        "status": p.status.as_str(),
        "created_at": iso(p.created_at),
        "expires_at": iso(p.expires_at),
    })
}

/// GET /api/v1/aid: open posts, newest first; filters `kind`, `category`, `km` (+ `lat`,
/// `lon`), `page`.
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let f = q.filter(&ctx);
    let page = f.page;
    let found = super::handlers::public_page(&state, f).await?;
    let (posts, more) = found.as_ref();
    Ok(HttpResponse::Ok().json(json!({
        "items": posts.iter().map(|p| post_json(p, &ctx.base)).collect::<Vec<_>>(),
        "page": page,
        "per_page": PER_PAGE,
        "has_more": more,
    })))
}

/// GET /api/v1/aid/{id}
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let p = visible_post(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(post_json(&p, &ctx.base)))
}

/// The paths of mutual aid in the OpenAPI document.
pub fn openapi_paths() -> Value {
    let q = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    let post = json!({"application/json": {"schema": {"$ref": "#/components/schemas/AidPost"}}});
    let error = json!({"description": "No such post, or not open (closed, expired, hidden)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    json!({
        "/api/v1/aid": {"get": {
            "summary": "Open offers, needs and small ads, newest first",
            "description": "Closed, expired and hidden posts are never listed. A person's location is rounded to about 300 m; no address of anyone is given.",
            "operationId": "listAid",
            "parameters": [
                q("kind", "offer, need, ad_sale, ad_wanted, or ads (both kinds of small ads)"),
                q("category", "give, lend, services, skills, rides, housing, other"),
                q("km", "Only posts within this distance (km) of the village centre, or of lat/lon"),
                q("lat", "Latitude of the distance's centre"),
                q("lon", "Longitude of the distance's centre"),
                {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 1}}
            ],
            "responses": {"200": {"description": "One page of posts", "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["items", "page", "per_page", "has_more"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/AidPost"}},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "has_more": {"type": "boolean"}
                }
            }}}}}
        }},
        "/api/v1/aid/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": {
                "summary": "One open post",
                "operationId": "getAid",
                "responses": {"200": {"description": "The post", "content": post}, "404": error}
            }
        }
    })
}

/// The schemas of mutual aid in the OpenAPI document.
pub fn openapi_schemas() -> Value {
    let text = json!({"type": "string"});
    let opt_date = json!({"type": "string", "format": "date-time", "nullable": true});
    json!({
        "AidPost": {
            "type": "object",
            "required": ["id", "url", "kind", "category", "title", "status", "created_at", "expires_at"],
            "properties": {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri", "description": "The post's page (absolute)."},
                "kind": {"type": "string", "enum": ["offer", "need", "ad_sale", "ad_wanted"]},
                "category": {"type": "string", "enum": ["give", "lend", "services", "skills", "rides", "housing", "other"]},
                "title": text,
                "description": {"type": "string", "description": "Markdown"},
                "description_html": text,
                "price": {"type": "string", "nullable": true, "enum": ["price", "free", "exchange", null]},
                "price_cents": {"type": "integer", "nullable": true},
                "condition": {"type": "string", "nullable": true, "enum": ["new", "good", "used", "for_parts", null]},
                "photo": {"type": "string", "format": "uri", "nullable": true},
                "available_from": opt_date.clone(),
                "available_until": opt_date,
                "author": {"type": "string", "description": "A display name, never an address"},
                "actor": {"type": "object", "nullable": true, "properties": {"slug": text, "name": text}},
                "location": {"type": "object", "nullable": true, "properties": {
                    "lat": {"type": "number"}, "lon": {"type": "number"},
                    "approximate": {"type": "boolean", "description": "True for a person: rounded to about 300 m"}
                }},
                "status": {"type": "string", "enum": ["open", "fulfilled", "expired"]},
                "created_at": {"type": "string", "format": "date-time"},
                "expires_at": {"type": "string", "format": "date-time"}
            }
        }
    })
}
