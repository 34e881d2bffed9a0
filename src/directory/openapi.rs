//! The directory's part of the OpenAPI document (registered in `crate::modules`).

use serde_json::{json, Value};

use super::Kind;
use crate::api::error_response;

/// The directory's schemas: stable, new fields are only ever added.
pub fn schemas() -> Value {
    let text = json!({"type": "string"});
    let kind = json!({"type": "string", "enum": Kind::ALL.map(Kind::as_str)});
    let types: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}: {}", k.as_str(), k.types().join(", ")))
        .collect();
    let type_ = json!({"type": "string", "description": format!("By kind: {}.", types.join("; "))});
    json!({
        "ActorSummary": {
            "type": "object",
            "description": "An actor in short: the properties of a GeoJSON feature.",
            "required": ["slug", "name", "kind", "type", "summary", "tags", "address", "official", "url"],
            "properties": {
                "slug": {"type": "string", "example": "comite-des-fetes"},
                "name": text,
                "kind": kind,
                "type": type_,
                "summary": text,
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": text,
                "official": {"type": "boolean", "description": "Marked official by a site admin: a town hall, a school, a public service."},
                "url": {"type": "string", "format": "uri", "description": "The actor's public page."}
            }
        },
        "Actor": {
            "type": "object",
            "description": "Every public field of an actor. Email addresses and account ids are never included.",
            "required": ["slug", "name", "kind", "type", "summary", "description", "tags", "address", "lat", "lon",
                         "phone", "website", "social", "hours", "capacity", "equipment", "accessibility", "photo",
                         "parent", "rna_id", "official", "url", "created_at", "updated_at"],
            "properties": {
                "slug": {"type": "string"},
                "name": text,
                "kind": kind,
                "type": type_,
                "summary": text,
                "description": {"type": "string", "description": "Markdown."},
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": text,
                "lat": {"type": "number", "nullable": true, "description": "WGS 84 latitude."},
                "lon": {"type": "number", "nullable": true, "description": "WGS 84 longitude."},
                "phone": text,
                "website": text,
                "social": {"type": "array", "items": {"type": "string", "format": "uri"}},
                "hours": {
                    "type": "array",
                    "description": "Opening hours: [weekday (0 = Monday ... 6 = Sunday), opens \"HH:MM\", closes \"HH:MM\"].",
                    "items": {"type": "array", "minItems": 3, "maxItems": 3, "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]}},
                    "example": [[5, "09:00", "12:00"]]
                },
                "capacity": {"type": "integer", "nullable": true},
                "equipment": text,
                "accessibility": text,
                "photo": {"type": "string", "format": "uri", "nullable": true},
                "parent": {"type": "string", "nullable": true, "description": "The parent actor's slug."},
                "rna_id": {"type": "string", "nullable": true, "description": "Id in the national associations register (RNA), e.g. W491001234."},
                "official": {"type": "boolean", "description": "Marked official by a site admin: a town hall, a school, a public service."},
                "url": {"type": "string", "format": "uri"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}
            }
        },
        "ActorInput": {
            "type": "object",
            "description": "The fields of the web form. Numbers may be given as numbers or strings; tags and social as arrays or as text (comma-separated; one URL per line).",
            "required": ["kind", "type", "name"],
            "properties": {
                "kind": kind,
                "type": type_,
                "name": {"type": "string", "maxLength": 120},
                "summary": {"type": "string", "maxLength": 300},
                "description": {"type": "string", "maxLength": 20000},
                "tags": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
                "address": text,
                "lat": {"oneOf": [{"type": "number"}, {"type": "string"}]},
                "lon": {"oneOf": [{"type": "number"}, {"type": "string"}]},
                "phone": text,
                "website": {"type": "string", "description": "An http(s) address, or a bare domain (comite-fetes.fr) completed to https://."},
                "social": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
                "hours": {"type": "array", "description": "As in Actor.", "items": {"type": "array", "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]}}},
                "capacity": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                "equipment": text,
                "accessibility": text,
                "parent": {"type": "string", "description": "The parent actor's slug."},
                "visibility": {"type": "string", "enum": ["public", "members"], "default": "public"}
            }
        },
        "ValidationErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {"errors": {
                "type": "object",
                "description": "A message in the user's language by invalid field (hours_0 ... hours_6 for one weekday's hours).",
                "additionalProperties": {"type": "string"}
            }}
        },
        "FeatureCollection": {
            "type": "object",
            "description": "GeoJSON (RFC 7946): one Point feature per located public actor, coordinates [lon, lat], id the slug.",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {
                    "type": "object",
                    "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "string"},
                        "geometry": {"type": "object", "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
                        }},
                        "properties": {"$ref": "#/components/schemas/ActorSummary"}
                    }
                }}
            }
        }
    })
}

/// The directory's paths: read public, write with a session (and its X-CSRF-Token header) or a token.
pub fn paths() -> Value {
    let filter = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    let slug =
        json!({"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}});
    let actor = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Actor"}}});
    json!({
        "/api/v1/actors": {
            "get": {
                "summary": "The public actors of the directory, by name, one page at a time",
                "operationId": "listActors",
                "parameters": [
                    filter("kind", "organisation, project, place or person"), filter("type", "An actor type"), filter("tag", "A tag"),
                    {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 1}, "description": "The page, from 1"},
                    {"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "description": "Actors per page (at most 200)"}
                ],
                "responses": {
                    "200": {"description": "One page of actors", "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["items", "page", "per_page", "total"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Actor"}},
                            "page": {"type": "integer", "description": "The page returned, from 1"},
                            "per_page": {"type": "integer", "description": "Actors per page"},
                            "total": {"type": "integer", "description": "Actors matching the filters, on every page"}
                        }
                    }}}},
                    "400": error_response("A page or per_page that is not a number")
                }
            },
            "post": {
                "summary": "Create an actor; its creator becomes its admin",
                "operationId": "createActor",
                "security": [{"bearer": []}, {"session": []}],
                "description": "With a session cookie, send the CSRF token in the X-CSRF-Token header.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActorInput"}}}},
                "responses": {
                    "201": {"description": "Created; Location is the actor's API URL", "content": actor},
                    "400": error_response("Not a JSON object"),
                    "401": error_response("Not authenticated"),
                    "422": {"description": "Invalid fields", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}}}
                }
            }
        },
        "/api/v1/actors/{slug}": {
            "parameters": [slug],
            "get": {
                "summary": "One public actor",
                "operationId": "getActor",
                "responses": {"200": {"description": "The actor", "content": actor}, "404": error_response("No public actor with this slug")}
            },
            "delete": {
                "summary": "Delete an actor (its admins and the site's admins)",
                "operationId": "deleteActor",
                "security": [{"bearer": []}, {"session": []}],
                "responses": {
                    "204": {"description": "Deleted"},
                    "401": error_response("Not authenticated"),
                    "403": error_response("Not an admin of this actor"),
                    "404": error_response("No such actor")
                }
            }
        },
        "/directory.csv": {
            "get": {
                "summary": "The public directory as CSV (open data)",
                "operationId": "directoryCsv",
                "responses": {"200": {
                    "description": "UTF-8, comma-separated, with a header row; columns in this order: slug, name, kind, type, summary, \
                                    tags (separated by |), address, lat, lon, phone, website, url. Free text cells that a \
                                    spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe.",
                    "content": {"text/csv": {"schema": {"type": "string"}}}
                }}
            }
        },
        "/directory.geojson": {
            "get": {
                "summary": "The located public actors as GeoJSON (open data)",
                "operationId": "directoryGeoJson",
                "responses": {"200": {"description": "A FeatureCollection", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}}}
            }
        }
    })
}
