//! The read API of the news (`/api/v1/news`): what the caller (a visitor, a session or a
//! bearer token) may read, under the same rule as the pages. Authors are named, never
//! addressed: no email in any answer.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::handlers::visible_post;
use super::store::{self, comments, Scope};
use super::{Comment, Post, Viewer};
use crate::directory::access::load as load_actor;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{markdown, Ctx};

fn iso(unix: i64) -> Value {
    json!(chrono::DateTime::from_timestamp(unix, 0).map(|d| d.to_rfc3339()))
}

/// A post as JSON; links are absolute on `base` ([`Ctx::base`]).
pub fn post_json(p: &Post, base: &str) -> Value {
    json!({
        "id": p.id,
        "url": format!("{base}{}", p.url()),
        "title": p.title,
        "body": p.body,
        "body_html": markdown::render(&p.body),
        "image": p.image.as_ref().map(|i| format!("{base}/media/{i}")),
        "audience": p.audience.as_str(),
        "actor": p.actor.as_ref().map(|(_, slug, name)| json!({"slug": slug, "name": name})),
        "author": p.author_name,
        "created_at": iso(p.created_at),
        "edited_at": p.edited_at.map(iso),
        "comments": p.comments,
    })
}

fn comment_json(c: &Comment) -> Value {
    json!({
        "id": c.id,
        "parent": c.parent_id,
        "author": c.author_name,
        "body": c.body,
        "created_at": iso(c.created_at),
        "edited_at": c.edited_at.map(iso),
    })
}

/// Query of the list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// An actor's slug: its journal only.
    pub actor: String,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// GET /api/v1/news
pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = q.into_inner();
    let scope = if q.actor.trim().is_empty() {
        Scope::All
    } else {
        let (actor, _) = load_actor(&state, &ctx, q.actor.trim().to_string()).await?;
        Scope::Actor(actor.id)
    };
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let per_page = q.per_page.unwrap_or(20).clamp(1, 100);
    let viewer = Viewer::of(ctx.user.as_ref());
    let (posts, more) = state
        .db
        .read(move |c| {
            Ok(store::visible_posts(
                c,
                viewer,
                scope,
                per_page,
                (page - 1) * per_page,
            )?)
        })
        .await?;
    let items: Vec<Value> = posts.iter().map(|p| post_json(p, &ctx.base)).collect();
    Ok(HttpResponse::Ok()
        .json(json!({"items": items, "page": page, "per_page": per_page, "has_more": more})))
}

/// GET /api/v1/news/{id}: the post and its visible comments.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(&state, &ctx, id.into_inner()).await?;
    let pid = post.id;
    let all = state
        .db
        .read(move |c| Ok(comments::comments_of(c, pid)?))
        .await?;
    let shown: Vec<Value> = all
        .iter()
        .filter(|c| !c.hidden && !c.deleted)
        .map(comment_json)
        .collect();
    let mut v = post_json(&post, &ctx.base);
    v["comment_list"] = json!(shown);
    Ok(HttpResponse::Ok().json(v))
}

/// The news paths of the OpenAPI document.
pub fn openapi_paths() -> Value {
    let post = json!({"application/json": {"schema": {"$ref": "#/components/schemas/NewsPost"}}});
    let error = json!({"description": "No such post, or not one the caller may read", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let rss = json!({"description": "RSS 2.0", "content": {"application/rss+xml": {"schema": {"type": "string"}}}});
    json!({
        "/api/v1/news": {"get": {
            "summary": "The posts the caller may read (the wall and the journals), newest first",
            "description": "A visitor gets public posts; a signed-in resident (session or token) also gets posts for residents, and the followers-only posts of the pages they follow or belong to.",
            "operationId": "listNews",
            "parameters": [
                {"name": "actor", "in": "query", "required": false, "schema": {"type": "string"}, "description": "An actor's slug: its journal only"},
                {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "default": 1}},
                {"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
            ],
            "responses": {
                "200": {"description": "One page of posts", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["items", "page", "per_page", "has_more"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/NewsPost"}},
                        "page": {"type": "integer"}, "per_page": {"type": "integer"},
                        "has_more": {"type": "boolean", "description": "Whether the next page has posts"}
                    }
                }}}},
                "404": {"description": "No actor the caller may see with this slug", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        }},
        "/api/v1/news/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "get": {
                "summary": "One post with its comments",
                "operationId": "getNews",
                "responses": {"200": {"description": "The post; comment_list holds its visible comments", "content": post}, "404": error}
            }
        },
        "/news.rss": {
            "get": {
                "summary": "RSS 2.0 feed of the village's public posts",
                "operationId": "newsFeed",
                "responses": {"200": rss.clone()}
            }
        },
        "/a/{slug}/news.rss": {
            "parameters": [{"name": "slug", "in": "path", "required": true, "schema": {"type": "string"}}],
            "get": {
                "summary": "RSS 2.0 feed of a public actor's public posts",
                "operationId": "actorNewsFeed",
                "responses": {
                    "200": rss,
                    // A feed is not under /api/: its errors are the site's pages.
                    "404": {"description": "No public page with this slug", "content": {"text/html": {"schema": {"type": "string"}}}}
                }
            }
        }
    })
}

/// The news schemas of the OpenAPI document.
pub fn openapi_schemas() -> Value {
    let text = json!({"type": "string"});
    let date = json!({"type": "string", "format": "date-time"});
    json!({
        "NewsPost": {
            "type": "object",
            "description": "A post of the village wall (actor null) or of an actor's journal.",
            "required": ["id", "url", "title", "body", "body_html", "image", "audience", "actor", "author", "created_at", "edited_at", "comments"],
            "properties": {
                "id": {"type": "integer"},
                "url": {"type": "string", "format": "uri", "description": "The post's page (absolute)."},
                "title": {"type": "string", "description": "Empty when the post has none."},
                "body": {"type": "string", "description": "Markdown."},
                "body_html": {"type": "string", "description": "The Markdown rendered as safe HTML."},
                "image": {"type": "string", "format": "uri", "nullable": true},
                "audience": {"type": "string", "enum": ["public", "members", "followers"]},
                "actor": {"type": "object", "nullable": true, "properties": {"slug": text, "name": text}},
                "author": {"type": "string", "nullable": true, "description": "The author's name (null once their account is deleted)."},
                "created_at": date,
                "edited_at": {"type": "string", "format": "date-time", "nullable": true},
                "comments": {"type": "integer"},
                "comment_list": {"type": "array", "description": "Only on /news/{id}.", "items": {"$ref": "#/components/schemas/NewsComment"}}
            }
        },
        "NewsComment": {
            "type": "object",
            "required": ["id", "parent", "author", "body", "created_at", "edited_at"],
            "properties": {
                "id": {"type": "integer"},
                "parent": {"type": "integer", "nullable": true, "description": "The comment this one replies to."},
                "author": {"type": "string", "nullable": true},
                "body": {"type": "string", "description": "Markdown."},
                "created_at": date,
                "edited_at": {"type": "string", "format": "date-time", "nullable": true}
            }
        }
    })
}
