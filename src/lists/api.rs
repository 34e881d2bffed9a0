//! The lists in the JSON API (`/api/v1/lists`) and their part of the OpenAPI document.
//! Public lists only, and never a subscriber's address.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::store;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Ctx;

/// GET /api/v1/lists: the public lists with their promise (no subscriber address, ever).
pub async fn list(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let lists = state.db.read(|c| Ok(store::all_lists(c, false)?)).await?;
    let items: Vec<_> = lists
        .iter()
        .map(|l| {
            let (kind, days) = l.frequency.to_db();
            json!({
                "slug": l.slug,
                "name": l.name,
                "purpose": l.purpose,
                "village": l.is_village,
                "owner": l.actor.as_ref().map(|(_, s, n)| json!({"slug": s, "name": n})),
                "frequency": {"kind": kind, "days": days, "text": l.frequency.describe(ctx.lang)},
                "url": ctx.absolute(&l.url()),
                "archive": ctx.absolute(&format!("/lists/{}/archive", l.slug)),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "lists": items })))
}

/// The lists' paths for the OpenAPI document.
pub fn openapi_paths() -> Value {
    json!({
        "/api/v1/lists": {"get": {
            "summary": "The public mailing lists with their promised frequency",
            "description": "No subscriber address is ever returned. Subscribing goes through the sign-up page (double opt-in by mail).",
            "operationId": "listLists",
            "responses": {"200": {"description": "The public lists", "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["lists"],
                "properties": {"lists": {"type": "array", "items": {
                    "type": "object",
                    "required": ["slug", "name", "purpose", "village", "frequency", "url", "archive"],
                    "properties": {
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                        "purpose": {"type": "string"},
                        "village": {"type": "boolean", "description": "The village's own list"},
                        "owner": {"type": "object", "nullable": true, "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
                        "frequency": {"type": "object", "properties": {
                            "kind": {"type": "string", "enum": ["week", "month", "days"]},
                            "days": {"type": "integer", "description": "For kind days: at most once every N days"},
                            "text": {"type": "string", "description": "The promise in the caller's language"}
                        }},
                        "url": {"type": "string", "format": "uri", "description": "The sign-up page (absolute)"},
                        "archive": {"type": "string", "format": "uri", "description": "The archive of sent mailings (absolute; RSS at {archive}/../feed.rss)"}
                    }
                }}}
            }}}}}
        }}
    })
}
