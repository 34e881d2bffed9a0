//! The actors as peers read them: the village (an `Application`: Mobilizon follows only
//! Group and Application actors) and each public organisation page (a `Group`), with their
//! outboxes (pages in the path: Gancio signs GETs without query strings), followers, and the
//! objects published, all as `application/activity+json`, readable without a signature.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::deliver::key_pair;
use super::{actor_url, context, store, CONTENT_TYPE, INSTANCE_NAME};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::public_base;

/// Items per outbox page.
const PAGE: i64 = 20;

/// An ActivityPub answer.
pub fn ap_json(v: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format!("{CONTENT_TYPE}; charset=utf-8"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(v.to_string())
}

/// A local actor as the routes name it: `None` is the village, else a page's (id, slug).
type Local = Option<(i64, String)>;

async fn local(state: &AppState, slug: Option<String>) -> Result<(Local, Value), AppError> {
    let Some(slug) = slug else {
        return Ok((None, Value::Null));
    };
    let found = state
        .db
        .read(move |c| Ok(store::local_group(c, &slug)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let (id, slug, name, summary, photo) = found;
    Ok((
        Some((id, slug)),
        json!({"name": name, "summary": summary, "photo": photo}),
    ))
}

/// The actor document of the village or of a page.
async fn actor_doc(state: &AppState, slug: Option<String>) -> Result<Value, AppError> {
    let (who, facts) = local(state, slug).await?;
    let base = public_base(state);
    let (_, public_pem) = key_pair(state).await?;
    let url = actor_url(&base, who.as_ref().map(|w| w.1.as_str()));
    let inst = state.instance();
    let (kind, username, name, summary, page) = match &who {
        None => (
            "Application",
            INSTANCE_NAME.to_string(),
            inst.name.clone(),
            inst.description.clone(),
            format!("{base}/"),
        ),
        Some((_, slug)) => (
            "Group",
            slug.clone(),
            facts["name"].as_str().unwrap_or_default().to_string(),
            facts["summary"].as_str().unwrap_or_default().to_string(),
            format!("{base}/a/{slug}"),
        ),
    };
    let mut doc = json!({
        "@context": context(),
        "id": url,
        "type": kind,
        "preferredUsername": username,
        "name": name,
        "summary": crate::text::xml_escape(&summary),
        "url": page,
        "inbox": format!("{url}/inbox"),
        "outbox": format!("{url}/outbox"),
        "followers": format!("{url}/followers"),
        "following": format!("{url}/following"),
        "endpoints": {"sharedInbox": format!("{base}/ap/inbox")},
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": {"id": format!("{url}#main-key"), "owner": url, "publicKeyPem": public_pem},
    });
    if let Some(photo) = facts["photo"].as_str() {
        doc["icon"] = json!({"type": "Image", "url": format!("{base}/media/{photo}")});
    }
    Ok(doc)
}

/// GET /ap/village
pub async fn village(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(ap_json(&actor_doc(&state, None).await?))
}

/// GET /ap/a/{slug}
pub async fn group(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(ap_json(&actor_doc(&state, Some(slug.into_inner())).await?))
}

async fn outbox_doc(
    state: &AppState,
    slug: Option<String>,
    page: Option<i64>,
) -> Result<Value, AppError> {
    let (who, _) = local(state, slug).await?;
    let base = public_base(state);
    let url = actor_url(&base, who.as_ref().map(|w| w.1.as_str()));
    // The village's outbox holds everything published here; a page's, its own.
    let actor = who.as_ref().map(|w| w.0);
    let outbox = format!("{url}/outbox");
    let Some(n) = page else {
        let total = state
            .db
            .read(move |c| Ok(store::outbox_count(c, actor)?))
            .await?;
        return Ok(json!({
            "@context": context(),
            "id": outbox,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": format!("{outbox}/page/1"),
        }));
    };
    let n = n.max(1);
    let items = state
        .db
        .read(move |c| Ok(store::outbox(c, actor, (n - 1) * PAGE, PAGE + 1)?))
        .await?;
    let more = items.len() as i64 > PAGE;
    let activities: Vec<Value> = items
        .iter()
        .take(PAGE as usize)
        .filter_map(|p| {
            let object: Value = serde_json::from_str(&p.json).ok()?;
            let owner = object.get("attributedTo")?.as_str()?.to_string();
            Some(json!({
                "id": format!("{}#create", p.object_id),
                "type": "Create",
                "actor": owner,
                "published": super::publish::rfc3339(p.published),
                "to": object.get("to").cloned().unwrap_or(json!([])),
                "cc": object.get("cc").cloned().unwrap_or(json!([])),
                "object": object,
            }))
        })
        .collect();
    let mut doc = json!({
        "@context": context(),
        "id": format!("{outbox}/page/{n}"),
        "type": "OrderedCollectionPage",
        "partOf": outbox,
        "orderedItems": activities,
    });
    if more {
        doc["next"] = json!(format!("{outbox}/page/{}", n + 1));
    }
    if n > 1 {
        doc["prev"] = json!(format!("{outbox}/page/{}", n - 1));
    }
    Ok(doc)
}

/// GET /ap/village/outbox
pub async fn village_outbox(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(ap_json(&outbox_doc(&state, None, None).await?))
}

/// GET /ap/village/outbox/page/{n}
pub async fn village_outbox_page(
    state: web::Data<AppState>,
    n: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    Ok(ap_json(
        &outbox_doc(&state, None, Some(n.into_inner())).await?,
    ))
}

/// GET /ap/a/{slug}/outbox
pub async fn group_outbox(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    Ok(ap_json(
        &outbox_doc(&state, Some(slug.into_inner()), None).await?,
    ))
}

/// GET /ap/a/{slug}/outbox/page/{n}
pub async fn group_outbox_page(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (slug, n) = path.into_inner();
    Ok(ap_json(&outbox_doc(&state, Some(slug), Some(n)).await?))
}

/// The followers (a count only: who follows whom stays private) or the following (empty).
async fn collection(
    state: &AppState,
    slug: Option<String>,
    which: &str,
) -> Result<Value, AppError> {
    let (who, _) = local(state, slug).await?;
    let base = public_base(state);
    let url = actor_url(&base, who.as_ref().map(|w| w.1.as_str()));
    let actor = who.map_or(0, |w| w.0);
    let total = if which == "followers" {
        state
            .db
            .read(move |c| Ok(store::follower_count(c, actor)?))
            .await?
    } else {
        0
    };
    Ok(json!({
        "@context": context(),
        "id": format!("{url}/{which}"),
        "type": "OrderedCollection",
        "totalItems": total,
        "orderedItems": [],
    }))
}

/// GET /ap/village/{followers|following}
pub async fn village_collection(
    state: web::Data<AppState>,
    which: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let which = which.into_inner();
    if which != "followers" && which != "following" {
        return Err(AppError::NotFound);
    }
    Ok(ap_json(&collection(&state, None, &which).await?))
}

/// GET /ap/a/{slug}/{followers|following}
pub async fn group_collection(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, which) = path.into_inner();
    if which != "followers" && which != "following" {
        return Err(AppError::NotFound);
    }
    Ok(ap_json(&collection(&state, Some(slug), &which).await?))
}

/// GET /ap/o/{kind}/{id}: a published object; 410 with its Tombstone once deleted.
pub async fn object(
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.into_inner();
    let p = state
        .db
        .read(move |c| Ok(store::published(c, &kind, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    if p.deleted {
        let tomb = json!({"@context": context(), "id": p.object_id, "type": "Tombstone",
                          "deleted": super::publish::rfc3339(p.updated)});
        return Ok(HttpResponse::Gone()
            .content_type(format!("{CONTENT_TYPE}; charset=utf-8"))
            .body(tomb.to_string()));
    }
    let mut object: Value =
        serde_json::from_str(&p.json).map_err(|e| AppError::Internal(e.to_string()))?;
    object["@context"] = context();
    Ok(ap_json(&object))
}
