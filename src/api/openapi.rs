//! The OpenAPI 3.0 document of `/api/v1/openapi.json`: the API's paths (`/api/v1/...`) and
//! the feeds' and open data's (`/agenda.ics`, `/directory.csv`...), each module adding its own
//! (`openapi_paths()`), then the errors every operation of a kind shares.

use std::sync::OnceLock;

use serde_json::{json, Value};

/// The OpenAPI 3.0 document. Its one server is the site's root, so that every path listed,
/// the API's (`/api/v1/...`) and the feeds' and open data's (`/agenda.ics`), is the real URL.
/// A module's part of the document: its paths and its schemas.
pub struct ApiPart {
    pub paths: fn() -> Value,
    pub schemas: fn() -> Value,
}

/// The modules' parts, registered once at start-up by the top (`crate::modules`).
static PARTS: OnceLock<&'static [ApiPart]> = OnceLock::new();

/// Registers the modules' parts of the document (the first registration stands).
pub fn register(parts: &'static [ApiPart]) {
    let _ = PARTS.set(parts);
}

/// No schema of one's own.
pub fn no_schemas() -> Value {
    json!({})
}

pub fn document() -> Value {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Placette API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of a Placette instance. Authenticate with a personal token \
                            created in account settings (Authorization: Bearer) or a session cookie.",
            "license": {"name": "AGPL-3.0-or-later", "url": "https://www.gnu.org/licenses/agpl-3.0.html"}
        },
        "servers": [{"url": "/", "description": "This instance: the API under /api/v1/, feeds and open data at the root"}],
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
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "string", "description": "What went wrong, in the caller's language"},
                    "detail": {"type": "string"}
                }}
            }
        },
        "paths": {
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "getOpenApi",
                "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/api/v1/instance": {"get": {
                "summary": "Public description of this instance",
                "operationId": "getInstance",
                "responses": {"200": {"description": "The instance", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Instance"}}}}}
            }},
            "/api/v1/me": {"get": {
                "summary": "The authenticated account",
                "operationId": "getMe",
                "security": [{"bearer": []}, {"session": []}],
                "responses": {
                    "200": {"description": "The account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
                    "401": {"description": "Not authenticated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
            }}
        }
    });
    for (section, extra) in [
        ("paths", address_paths()),
        ("paths", search_paths()),
        ("paths", crate::search::changes::openapi_paths()),
        ("paths", map_paths()),
    ] {
        merge(&mut doc[section], extra);
    }
    for part in PARTS.get().copied().unwrap_or(&[]) {
        merge(&mut doc["paths"], (part.paths)());
        merge(&mut doc["components"], json!({"schemas": (part.schemas)()}));
    }
    document_common_errors(&mut doc);
    doc
}

/// The errors every operation of a kind shares, added where an operation does not describe
/// them itself. Under /api/ they are JSON; elsewhere (feeds, open data) the site's error page.
/// - 400: an operation that reads a query string refuses one it cannot read (a parameter
///   given twice, a number that is not one or out of range);
/// - 404: an operation of a module answers 404 while the admin has switched the module off.
fn document_common_errors(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let shared_query = has_query(&item["parameters"]);
        let error = |d: &str| {
            if path.starts_with("/api/") {
                error_response(d)
            } else {
                page_error(d)
            }
        };
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if method == "parameters" {
                continue;
            }
            let query = shared_query || has_query(&op["parameters"]);
            let responses = &mut op["responses"];
            if query && responses.get("400").is_none() {
                responses["400"] = error("A query parameter given twice, or that cannot be read");
            }
            if crate::web::gate::module_of(path).is_some() && responses.get("404").is_none() {
                responses["404"] = error("This module is switched off on this instance");
            }
        }
    }
}

fn has_query(parameters: &Value) -> bool {
    parameters
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"))
}

/// Adds the keys of `extra` to `into`, recursively (existing keys are kept).
fn merge(into: &mut Value, extra: Value) {
    if let (Some(into), Value::Object(extra)) = (into.as_object_mut(), extra) {
        for (k, v) in extra {
            match into.get_mut(&k) {
                Some(existing) => merge(existing, v),
                None => {
                    into.insert(k, v);
                }
            }
        }
    }
}

/// An error under /api/: the JSON `Error`.
pub fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// An error outside /api/ (feeds, open data): the site's error page.
fn page_error(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

/// The address suggestions (the national address base imported with `placette import ban`).
fn address_paths() -> Value {
    json!({
        "/api/v1/addresses": {"get": {
            "summary": "Addresses of the imported national address base (BAN) that start with, or contain, the text typed",
            "description": "Case, accents and punctuation are ignored. Answered from the local copy of the base: \
                            no online geocoder is involved. Empty when no base was imported.",
            "operationId": "suggestAddresses",
            "parameters": [
                {"name": "q", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 200},
                 "description": "The beginning of an address, e.g. \"12 rue de l'eglise\""},
                {"name": "limit", "in": "query", "required": false,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 10},
                 "description": "Most suggestions returned (at most 20)"}
            ],
            "responses": {
                "200": {"description": "The suggestions, best first", "content": {"application/json": {"schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["label", "lat", "lon"],
                        "properties": {
                            "label": {"type": "string", "example": "12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire"},
                            "lat": {"type": "number", "description": "WGS 84 latitude."},
                            "lon": {"type": "number", "description": "WGS 84 longitude."}
                        }
                    }
                }}}},
                "400": error_response("No q, or nothing but punctuation")
            }
        }}
    })
}

/// The search box as an API (the same query as the /search page).
fn search_paths() -> Value {
    let q = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    json!({
        "/api/v1/search": {"get": {
            "summary": "Search every module at once: French-aware text, by distance around the village or a point",
            "description": "Ranked by relevance and nearness. Members-only pages are never found.",
            "operationId": "search",
            "parameters": [
                q("q", "The text searched (accents, plurals and small typos are forgiven)"),
                q("kind", "Only this kind of thing (actor, event, news, aid) or this category (place, organisation, concert...)"),
                q("tag", "Only things with this tag"),
                q("km", "Radius in km around the centre (default: the village's radius; at most 500)"),
                q("lat", "Latitude of another centre than the village's"),
                q("lon", "Longitude of another centre than the village's"),
                q("from", "Dated things from this day, YYYY-MM-DD"),
                q("to", "Dated things until this day, YYYY-MM-DD"),
                {"name": "neighbours", "in": "query", "required": false, "schema": {"type": "string", "enum": ["0", "1"], "default": "0"}, "description": "1: include the public items of the neighbouring instances this village is linked with, ranked by the same rule (issue 20)"},
                {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 1}, "description": "The page, from 1"}
            ],
            "responses": {
                "200": {"description": "One page of results, best first", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["items", "total", "page", "per_page"],
                    "properties": {
                        "items": {"type": "array", "items": {
                            "type": "object",
                            "required": ["kind", "id", "category", "title", "url", "distance_km"],
                            "properties": {
                                "kind": {"type": "string", "description": "What was found: actor, event, news, aid"},
                                "id": {"type": "integer"},
                                "category": {"type": "string", "description": "Its kind or type within its module"},
                                "title": {"type": "string"},
                                "url": {"type": "string", "format": "uri", "description": "Its page (absolute)"},
                                "distance_km": {"type": "number", "nullable": true, "description": "From the centre; null when it has no location"},
                                "origin": {"type": "string", "nullable": true, "description": "For a neighbouring instance's item: its host (its url is on that site); null for this village's"},
                                "origin_name": {"type": "string", "nullable": true, "description": "For a neighbour's item: the neighbouring village's name"},
                                "copied_at": {"type": "string", "format": "date-time", "nullable": true, "description": "For a neighbour's item: when its copy was last pulled"},
                                "stale": {"type": "boolean", "nullable": true, "description": "For a neighbour's item: true when the neighbour did not answer its last pull (the result is from the copy of copied_at)"},
                                "lat": {"type": "number", "nullable": true},
                                "lon": {"type": "number", "nullable": true},
                                "score": {"type": "number", "description": "Relevance × nearness, as ranked (higher first)"}
                            }
                        }},
                        "total": {"type": "integer", "description": "Results on every page"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"}
                    }
                }}}}
            }
        }}
    })
}

/// The map's data: every located thing of the area, clustered when zoomed out.
fn map_paths() -> Value {
    let q = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    let point = json!({"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": "[lon, lat]"}
    }});
    let feature = json!({
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "description": "A thing's module and id; clusters have none"},
            "geometry": point,
            "properties": {"type": "object", "description": "A thing: title, url (its page on this site), kind and type. A cluster: cluster (true), count and bbox [minLon, minLat, maxLon, maxLat].", "properties": {
                "title": {"type": "string"},
                "url": {"type": "string", "description": "The thing's page, as a path on this site"},
                "kind": {"type": "string"},
                "type": {"type": "string"},
                "cluster": {"type": "boolean"},
                "count": {"type": "integer"},
                "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4}
            }}
        }
    });
    json!({
        "/map.geojson": {"get": {
            "summary": "The located things of an area as GeoJSON, clustered by the server below zoom 15 (never a capped subset)",
            "operationId": "mapGeoJson",
            "parameters": [
                q("bbox", "The area: minLon,minLat,maxLon,maxLat (default: the whole world)"),
                q("zoom", "The map's zoom, 0 to 22 (default 0); below 15 nearby things are grouped into clusters"),
                q("kind", "Only these kinds, comma-separated"),
                q("type", "Only this type"),
                q("tag", "Only this tag"),
                q("q", "Only what a search for this text finds (with km, lat and lon as in /api/v1/search)"),
                q("km", "Radius of the search in km"),
                q("lat", "Latitude of the search's centre"),
                q("lon", "Longitude of the search's centre")
            ],
            "responses": {
                "200": {"description": "A FeatureCollection of points (a thing) and clusters", "content": {"application/geo+json": {"schema": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {"type": "array", "items": feature}
                    }
                }}}},
                "400": {"description": "A bbox or zoom that cannot be read (JSON); a query parameter given twice (the site's error page)", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                    "text/html": {"schema": {"type": "string"}}
                }}
            }
        }}
    })
}
