//! The JSON API under `/api/v1`: authenticated by session or by a personal token
//! (`Authorization: Bearer plt_...`). Later modules add their paths here and to the OpenAPI document.

use actix_web::HttpResponse;
use serde_json::{json, Value};

use crate::auth::CurrentUser;
use crate::web::Ctx;

/// GET /api/v1/openapi.json: the OpenAPI 3 description of this API.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The OpenAPI 3.0 document.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Placette API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of a Placette instance. Authenticate with a personal token \
                            created in account settings (Authorization: Bearer) or a session cookie.",
            "license": {"name": "AGPL-3.0-or-later", "url": "https://www.gnu.org/licenses/agpl-3.0.html"}
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token (plt_...)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "pl_session"}
            },
            "schemas": {
                "Instance": {
                    "type": "object",
                    "required": ["name", "description", "center", "radius_km", "default_lang", "time_zone", "modules"],
                    "properties": {
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "center": {"type": "object", "required": ["lat", "lon"], "properties": {
                            "lat": {"type": "number"}, "lon": {"type": "number"}}},
                        "radius_km": {"type": "number"},
                        "default_lang": {"type": "string", "enum": ["fr", "en", "de"]},
                        "time_zone": {"type": "string", "example": "Europe/Paris"},
                        "modules": {"type": "array", "items": {"type": "string"}}
                    }
                },
                "Me": {
                    "type": "object",
                    "required": ["id", "name", "role"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "role": {"type": "string", "enum": ["admin", "moderator", "member"]},
                        "lang": {"type": "string", "nullable": true}
                    }
                },
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
            }
        },
        "paths": {
            "/instance": {"get": {
                "summary": "Public description of this instance",
                "operationId": "getInstance",
                "responses": {"200": {"description": "The instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}}
            }},
            "/me": {"get": {
                "summary": "The authenticated account",
                "operationId": "getMe",
                "security": [{"bearer": []}, {"session": []}],
                "responses": {
                    "200": {"description": "The account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
                    "401": {"description": "Not authenticated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
            }}
        }
    })
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
