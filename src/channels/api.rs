//! The read API of channels (`/api/v1/channels`): the public channels (of the village and of
//! public pages), their threads by latest activity and their messages by key, whoever asks
//! (residents' and members' channels stay on the site). Authors are named, never addressed.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::store::{self, At};
use super::{Channel, Message, Thread, PAGE, THREADS};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{markdown, Ctx};

fn iso(unix: i64) -> Value {
    json!(chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339()))
}

/// A public channel by slug (of the village or of a public page), else "not found".
async fn public(state: &AppState, slug: String) -> Result<Channel, AppError> {
    state
        .db
        .read(move |c| {
            let ch = store::channel_by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let page_public = match &ch.actor {
                Some(a) => super::access::page_public(store::page_visibility(c, a.id)?),
                None => true,
            };
            if !ch.is_public() || !page_public {
                return Err(AppError::NotFound);
            }
            Ok(ch)
        })
        .await
}

fn channel_json(c: &Channel, base: &str) -> Value {
    json!({
        "slug": c.slug,
        "url": format!("{base}{}", c.url()),
        "name": c.name,
        "topic": c.topic,
        "description": c.description,
        "actor": c.actor.as_ref().map(|a| json!({"slug": a.slug, "name": a.name})),
        "threads": c.threads,
        "last_activity_at": iso(c.last_activity_at),
    })
}

fn thread_json(c: &Channel, t: &Thread, base: &str) -> Value {
    json!({
        "id": t.id,
        "url": format!("{base}{}/t/{}", c.url(), t.id),
        "title": t.title,
        "author": t.author_name,
        "messages": t.messages,
        "last_activity_at": iso(t.last_activity_at),
        "created_at": iso(t.created_at),
        "closed_at": t.closed_at.map(iso),
        "summary": t.summary,
        "summary_url": t.summary.as_ref().map(|_| format!("{base}{}/t/{}/summary", c.url(), t.id)),
    })
}

fn message_json(m: &Message) -> Value {
    json!({
        "id": m.id,
        "author": m.author_name,
        "body": m.body,
        "body_html": markdown::render(&m.body),
        "created_at": iso(m.created_at),
        "edited_at": m.edited_at.map(iso),
    })
}

/// GET /api/v1/channels
pub async fn list(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let all = state
        .db
        .read(|c| Ok(store::readable(c, None, false, None)?))
        .await?;
    // A public channel of a members-only page is not listed.
    let private = state
        .db
        .read(|c| Ok(store::channels_of_private_pages(c)?))
        .await?;
    let items: Vec<Value> = all
        .iter()
        .filter(|c| !private.contains(&c.id))
        .map(|c| channel_json(c, &ctx.base))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// The pages' cursor: `after` as the previous answer's `next`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct After {
    pub after: String,
}

/// GET /api/v1/channels/{slug}/threads
pub async fn threads(
    ctx: Ctx,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<After>,
) -> Result<HttpResponse, AppError> {
    let ch = public(&state, slug.into_inner()).await?;
    let cursor = super::form::PageQuery {
        after: q.after.clone(),
        ..Default::default()
    }
    .thread_cursor();
    let id = ch.id;
    let mut list = state
        .db
        .read(move |c| Ok(store::threads(c, id, false, cursor, THREADS)?))
        .await?;
    let next = if list.len() as i64 > THREADS {
        list.truncate(THREADS as usize);
        list.last()
            .map(|t| format!("{}.{}", t.last_activity_at, t.id))
    } else {
        None
    };
    let items: Vec<Value> = list
        .iter()
        .map(|t| thread_json(&ch, t, &ctx.base))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next": next })))
}

/// GET /api/v1/channels/{slug}/threads/{id}/messages
pub async fn messages(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    q: web::Query<After>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let ch = public(&state, slug).await?;
    let after = q.after.trim().parse::<i64>().ok();
    let cid = ch.id;
    let list = state
        .db
        .read(move |c| {
            match store::thread(c, id)? {
                Some(t) if t.channel_id == cid && !t.hidden => {}
                _ => return Err(AppError::NotFound),
            }
            let at = after.map(At::After).unwrap_or(At::Start);
            Ok(store::messages(c, id, false, at, PAGE)?)
        })
        .await?;
    let next = (list.len() as i64 == PAGE)
        .then(|| list.last().map(|m| m.id))
        .flatten();
    let items: Vec<Value> = list.iter().map(message_json).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "next": next })))
}

/// The channels' paths of the OpenAPI document.
pub fn openapi_paths() -> Value {
    let error = json!({"description": "No public channel (or thread) with this name", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let after = json!({"name": "after", "in": "query", "required": false, "schema": {"type": "string"}, "description": "The previous page's `next`"});
    let slug =
        json!({"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}});
    json!({
        "/api/v1/channels": {"get": {
            "summary": "The public channels (the village's and the public pages'), latest activity first",
            "operationId": "listChannels",
            "responses": {"200": {"description": "The channels", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"],
                "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}}}
            }}}}}
        }},
        "/api/v1/channels/{slug}/threads": {
            "parameters": [slug],
            "get": {
                "summary": "A public channel's threads, latest activity first, 30 a page",
                "operationId": "listChannelThreads",
                "parameters": [after],
                "responses": {
                    "200": {"description": "The threads", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["items", "next"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ChannelThread"}},
                            "next": {"type": "string", "nullable": true}
                        }
                    }}}},
                    "404": error
                }
            }
        },
        "/api/v1/channels/{slug}/threads/{id}/messages": {
            "parameters": [slug, {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": {
                "summary": "A thread's messages in order, 50 a page, after the message `after`",
                "operationId": "listThreadMessages",
                "parameters": [after],
                "responses": {
                    "200": {"description": "The messages", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["items", "next"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ChannelMessage"}},
                            "next": {"type": "integer", "nullable": true}
                        }
                    }}}},
                    "404": error
                }
            }
        }
    })
}

/// The channels' schemas of the OpenAPI document.
pub fn openapi_schemas() -> Value {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date-time"});
    let nullable_date = json!({"type": "string", "format": "date-time", "nullable": true});
    json!({
        "Channel": {
            "type": "object",
            "required": ["slug", "url", "name", "topic", "description", "actor", "threads", "last_activity_at"],
            "properties": {
                "slug": text, "url": {"type": "string", "format": "uri"}, "name": text, "topic": text,
                "description": {"type": "string", "description": "Markdown."},
                "actor": {"type": "object", "nullable": true, "description": "The page it belongs to; null for the village.", "properties": {"slug": text, "name": text}},
                "threads": {"type": "integer"},
                "last_activity_at": date
            }
        },
        "ChannelThread": {
            "type": "object",
            "required": ["id", "url", "title", "author", "messages", "last_activity_at", "created_at", "closed_at", "summary", "summary_url"],
            "properties": {
                "id": {"type": "integer"}, "url": {"type": "string", "format": "uri"}, "title": text,
                "author": {"type": "string", "nullable": true},
                "messages": {"type": "integer"},
                "last_activity_at": date, "created_at": date, "closed_at": nullable_date,
                "summary": {"type": "string", "nullable": true, "description": "Markdown: the documentalist's summary of a closed thread."},
                "summary_url": {"type": "string", "format": "uri", "nullable": true}
            }
        },
        "ChannelMessage": {
            "type": "object",
            "required": ["id", "author", "body", "body_html", "created_at", "edited_at"],
            "properties": {
                "id": {"type": "integer"}, "author": text, "body": text, "body_html": text,
                "created_at": date, "edited_at": nullable_date
            }
        }
    })
}
