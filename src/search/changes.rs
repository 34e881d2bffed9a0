//! GET /api/v1/changes: the change feed of public summaries (pages, events, news, aid posts),
//! for neighbouring instances, following the OpenActive Realtime Paged Data Exchange (RPDE)
//! convention: items in (`modified`, `id`) order, each `updated` with its summary or
//! `deleted`; a page's `next` URL carries `afterTimestamp` and `afterId` of its last item; the
//! last page is empty and its `next` is itself. Members-only, hidden and masked content is never
//! in it: the summaries are the search index's documents, which hold only public items.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::store;
use crate::api::error_response;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{base_url, Ctx};

/// Items per page.
const PAGE: i64 = 500;

#[derive(Deserialize)]
pub struct ChangesQuery {
    #[serde(default, rename = "afterTimestamp")]
    after_timestamp: Option<String>,
    #[serde(default, rename = "afterId")]
    after_id: Option<String>,
}

/// `kind:id` → (kind, id).
fn parse_id(s: &str) -> Option<(String, i64)> {
    let (kind, id) = s.split_once(':')?;
    let ok = !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    Some((kind.to_string(), id.parse().ok().filter(|_| ok)?))
}

fn bad(ctx: &Ctx, detail: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": ctx.t("error.bad_request"), "detail": detail}))
}

/// GET /api/v1/changes?afterTimestamp=…&afterId=kind:id
pub async fn feed(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ChangesQuery>,
) -> Result<HttpResponse, AppError> {
    let after = match q.after_timestamp.as_deref().filter(|s| !s.is_empty()) {
        None => 0,
        Some(t) => match t.parse::<i64>() {
            Ok(v) if v >= 0 => v,
            _ => return Ok(bad(&ctx, "afterTimestamp is a number of milliseconds")),
        },
    };
    let (kind, id) = match q.after_id.as_deref().filter(|s| !s.is_empty()) {
        None => (String::new(), 0),
        Some(s) => match parse_id(s) {
            Some(v) => v,
            None => return Ok(bad(&ctx, "afterId is kind:id, as the items give it")),
        },
    };
    // A neighbour pulls with its link's token: a link ended on this side is told so (403),
    // so that the other side forgets it; anyone else reads the public feed.
    let token = req
        .headers()
        .get(crate::neighbours::link::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (linked, rows) = state
        .db
        .read(move |c| {
            let linked = match &token {
                Some(t) => crate::neighbours::store::linked_token(c, t)?,
                None => true,
            };
            Ok((linked, store::changes_after(c, after, &kind, id, PAGE)?))
        })
        .await?;
    if !linked {
        return Ok(HttpResponse::Forbidden().json(json!({"error": "not a neighbour"})));
    }
    let base = base_url(&req, &state);
    let (next_t, next_id) = rows.last().map_or_else(
        || (after, q.after_id.clone().unwrap_or_default()),
        |r| (r.2, format!("{}:{}", r.0, r.1)),
    );
    let items: Vec<Value> = rows
        .iter()
        .map(|(kind, id, modified, deleted, data)| {
            let mut item = json!({
                "state": if *deleted { "deleted" } else { "updated" },
                "kind": kind,
                "id": format!("{kind}:{id}"),
                "modified": modified,
            });
            if !*deleted {
                let mut d: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                if let Some(url) = d.get("url").and_then(Value::as_str).map(str::to_string) {
                    d["url"] = json!(format!("{base}{url}"));
                }
                item["data"] = d;
            }
            item
        })
        .collect();
    let mut next = format!("{base}/api/v1/changes?afterTimestamp={next_t}");
    if !next_id.is_empty() {
        next.push_str(&format!("&afterId={}", crate::web::url_encode(&next_id)));
    }
    let tag = format!("W/\"{next_t}-{next_id}-{}\"", items.len());
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == tag);
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(json!({
            "next": next,
            "items": items,
            "license": "https://opendatacommons.org/licenses/odbl/1-0/",
        })))
}

/// The feed in the OpenAPI document.
pub fn openapi_paths() -> Value {
    let summary = json!({"type": "object", "properties": {
        "kind": {"type": "string", "description": "actor, event, news or aid"},
        "category": {"type": "string"},
        "title": {"type": "string"},
        "text": {"type": "string", "description": "The beginning of its text (300 characters at most)"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "lat": {"type": "number", "nullable": true},
        "lon": {"type": "number", "nullable": true},
        "start": {"type": "integer", "nullable": true, "description": "For dated things: Unix seconds"},
        "url": {"type": "string", "format": "uri", "description": "Its page (absolute)"}
    }});
    json!({
        "/api/v1/changes": {"get": {
            "summary": "The change feed of public summaries, for neighbouring instances",
            "description": "OpenActive RPDE paging: follow `next` until a page comes back empty; \
                            poll the last `next` later for new changes. Deletions are explicit.",
            "operationId": "changes",
            "parameters": [
                {"name": "afterTimestamp", "in": "query", "required": false,
                 "schema": {"type": "integer", "minimum": 0}, "description": "The `modified` of the last item read"},
                {"name": "afterId", "in": "query", "required": false,
                 "schema": {"type": "string", "pattern": "^[a-z_]+:[0-9]+$"}, "description": "The `id` of the last item read"}
            ],
            "responses": {
                "200": {"description": "A page of changes", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["next", "items", "license"],
                    "properties": {
                        "next": {"type": "string", "format": "uri"},
                        "license": {"type": "string"},
                        "items": {"type": "array", "items": {
                            "type": "object",
                            "required": ["state", "kind", "id", "modified"],
                            "properties": {
                                "state": {"type": "string", "enum": ["updated", "deleted"]},
                                "kind": {"type": "string"},
                                "id": {"type": "string", "description": "kind:id"},
                                "modified": {"type": "integer", "description": "Milliseconds, increasing"},
                                "data": summary
                            }
                        }}
                    }
                }}}},
                "304": {"description": "Unchanged since the ETag given in If-None-Match"},
                "400": error_response("afterTimestamp or afterId cannot be read")
            }
        }}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kind_colon_number() {
        assert_eq!(parse_id("event:12"), Some(("event".into(), 12)));
        assert_eq!(parse_id("Event:12"), None);
        assert_eq!(parse_id("event:x"), None);
        assert_eq!(parse_id(":3"), None);
        assert_eq!(parse_id("event"), None);
    }
}
