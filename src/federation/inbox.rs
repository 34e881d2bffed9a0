//! The inboxes (the shared one, the village's, each page's): every POST must carry an HTTP
//! Signature we can verify (draft-cavage) by a key whose owner is the activity's actor, with a
//! `Date` within 5 minutes; the sender's key is read again once when it fails (keys rotate).
//! Anything else is answered 401 and changes nothing. Blocked actors and domains get 403;
//! each host has a rate limit.
//!
//! Understood: Follow (accepted at once: our actors are public), Undo of a Follow, Accept and
//! Reject of our Follows, and Create, Update, Delete and Announce of objects from the actors we
//! follow, handed to the module registered for the object's type ([`Receiver`]).

use std::sync::LazyLock;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::remote::{self, id_of, Signer};
use super::{actor_url, context, signature, store, RemoteActor};
use crate::auth::ratelimit::RateLimiter;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::public_base;

/// Activities accepted per host per minute.
static PER_HOST: LazyLock<RateLimiter> =
    LazyLock::new(|| RateLimiter::new(300, Duration::from_secs(60)));

/// What a module does with objects of one type from the actors followed.
pub struct Receiver {
    /// The ActivityStreams type (`Event`).
    pub object_type: &'static str,
    /// Adds or updates the object (by its id) for the follow's agenda source.
    pub upsert: fn(&rusqlite::Connection, i64, &Value, i64) -> Result<(), AppError>,
    /// The object (by its id) is gone upstream.
    pub remove: fn(&rusqlite::Connection, i64, &str, i64) -> Result<(), AppError>,
    /// Opens the source a follow feeds, for a local page: (page id, remote actor URL, its
    /// name, by whom, now) → source id.
    pub open: fn(&rusqlite::Connection, i64, &str, &str, Option<i64>, i64) -> Result<i64, AppError>,
}

static RECEIVERS: std::sync::OnceLock<&'static [Receiver]> = std::sync::OnceLock::new();

/// Registers the modules' receivers (the first registration stands).
pub fn register(receivers: &'static [Receiver]) {
    let _ = RECEIVERS.set(receivers);
}

fn receiver(object_type: &str) -> Option<&'static Receiver> {
    RECEIVERS
        .get()
        .copied()
        .unwrap_or(&[])
        .iter()
        .find(|r| r.object_type == object_type)
}

fn refuse(status: actix_web::http::StatusCode, why: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(json!({"error": why}).to_string())
}

/// The signer for requests made on the village's behalf.
pub async fn village_signer(state: &AppState) -> Result<Signer, AppError> {
    let (private, _) = super::deliver::key_pair(state).await?;
    Ok(Signer {
        key_id: format!("{}#main-key", actor_url(&public_base(state), None)),
        private_pem: private,
    })
}

/// Reads (or reads again) a remote actor by a key id, and keeps it.
pub async fn load_actor(
    state: &AppState,
    key_or_url: &str,
    fresh: bool,
) -> Result<Option<RemoteActor>, AppError> {
    if !fresh {
        let k = key_or_url.to_string();
        let known = state
            .db
            .read(move |c| {
                Ok(match store::remote_by_key(c, &k)? {
                    Some(a) => Some(a),
                    None => store::remote(c, &k)?,
                })
            })
            .await?;
        if known.is_some() {
            return Ok(known);
        }
    }
    let signer = village_signer(state).await?;
    let url = key_or_url.to_string();
    let fetched = web::block(move || remote::fetch_actor(&url, Some(&signer)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match fetched {
        Ok(actor) => {
            let a = actor.clone();
            state
                .db
                .write(move |tx| Ok(store::save_remote(tx, &a)?))
                .await?;
            Ok(Some(actor))
        }
        Err(e) => {
            log::info!("federation: cannot read {key_or_url}: {e}");
            Ok(None)
        }
    }
}

/// Checks the request's signature; the verified sender.
async fn verified_sender(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<Option<RemoteActor>, AppError> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let raw = header("signature").or_else(|| header("authorization"));
    let Some(parsed) = raw.as_deref().and_then(signature::parse_signature) else {
        return Ok(None);
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or(req.path().to_string(), |p| p.as_str().to_string());
    for fresh in [false, true] {
        let Some(actor) = load_actor(state, &parsed.key_id, fresh).await? else {
            return Ok(None);
        };
        let ok = signature::verify(
            req.method().as_str(),
            &path,
            &header,
            body,
            &actor.public_pem,
            now(),
        );
        match ok {
            Ok(_) => return Ok(Some(actor)),
            Err(e) => log::info!("federation: signature of {} refused: {e}", parsed.key_id),
        }
    }
    Ok(None)
}

/// The local actor an id names: `Some(0)` the village, `Some(id)` a public page.
async fn local_target(state: &AppState, id: &str) -> Result<Option<i64>, AppError> {
    let base = public_base(state);
    if id == actor_url(&base, None) {
        return Ok(Some(0));
    }
    let Some(slug) = id.strip_prefix(&format!("{base}/ap/a/")) else {
        return Ok(None);
    };
    let slug = slug.to_string();
    state
        .db
        .read(move |c| Ok(store::local_group(c, &slug)?.map(|g| g.0)))
        .await
}

/// POST to any of our inboxes.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let signed = req.headers().contains_key("signature")
        || req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Signature "));
    if !signed {
        return Ok(refuse(StatusCode::UNAUTHORIZED, "not signed"));
    }
    let activity: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Ok(refuse(StatusCode::BAD_REQUEST, "not a JSON object")),
    };
    let Some(sender) = verified_sender(&req, &state, &body).await? else {
        return Ok(refuse(StatusCode::UNAUTHORIZED, "signature not verified"));
    };
    let host = super::host_of(&sender.url).unwrap_or_default();
    if !PER_HOST.hit(&host) {
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, "too many activities"));
    }
    // The activity's actor is the key's owner: nobody speaks for another.
    if id_of(activity.get("actor").unwrap_or(&Value::Null)) != Some(sender.url.as_str()) {
        return Ok(refuse(StatusCode::UNAUTHORIZED, "actor is not the signer"));
    }
    let who = sender.url.clone();
    if state
        .db
        .read(move |c| Ok(store::is_blocked(c, &who)?))
        .await?
    {
        return Ok(refuse(StatusCode::FORBIDDEN, "blocked"));
    }
    handle(&state, &sender, &activity).await?;
    // What it calls for (an Accept) goes out now rather than at the task's next round, after
    // this answer: the sender's server may wait for its own request before reading ours.
    let s = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = super::deliver::flush(&s).await {
            log::error!("federation: {e}");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

async fn handle(state: &AppState, sender: &RemoteActor, activity: &Value) -> Result<(), AppError> {
    let kind = activity.get("type").and_then(Value::as_str).unwrap_or("");
    let object = activity.get("object").cloned().unwrap_or(Value::Null);
    match kind {
        "Follow" => {
            let target = id_of(&object).unwrap_or_default().to_string();
            if let Some(local) = local_target(state, &target).await? {
                followed(state, sender, activity, local, &target).await?;
            }
        }
        "Undo" => {
            let inner = object.get("type").and_then(Value::as_str).unwrap_or("");
            if inner == "Follow" || object.is_string() {
                let target = object
                    .get("object")
                    .and_then(|o| id_of(o))
                    .unwrap_or_default()
                    .to_string();
                let local = local_target(state, &target).await?;
                let remote = sender.url.clone();
                state
                    .db
                    .write(move |tx| {
                        match local {
                            Some(l) => {
                                store::remove_follower(tx, l, &remote)?;
                            }
                            None => {
                                for l in store::local_actors_followed_by(tx, &remote)? {
                                    store::remove_follower(tx, l, &remote)?;
                                }
                            }
                        }
                        Ok(())
                    })
                    .await?;
            }
        }
        "Accept" | "Reject" => {
            let state_name = if kind == "Accept" {
                "accepted"
            } else {
                "rejected"
            };
            let remote = sender.url.clone();
            let n = state
                .db
                .write(move |tx| Ok(store::set_following_state(tx, &remote, state_name)?))
                .await?;
            if n > 0 && kind == "Accept" {
                super::follow::backfill(state, &sender.url).await?;
            }
        }
        "Create" | "Update" | "Announce" => {
            super::follow::received(state, sender, &object, kind == "Announce").await?;
        }
        "Delete" => {
            let id = id_of(&object).unwrap_or_default().to_string();
            if id == sender.url {
                // The account is gone: it follows nothing here any more.
                let remote = sender.url.clone();
                state
                    .db
                    .write(move |tx| {
                        for l in store::local_actors_followed_by(tx, &remote)? {
                            store::remove_follower(tx, l, &remote)?;
                        }
                        Ok(())
                    })
                    .await?;
            } else {
                super::follow::deleted(state, sender, &id).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A Follow of one of our actors: kept, and accepted at once.
async fn followed(
    state: &AppState,
    sender: &RemoteActor,
    follow: &Value,
    local: i64,
    target: &str,
) -> Result<(), AppError> {
    let follow_id = id_of(follow).unwrap_or_default().to_string();
    let accept = json!({
        "@context": context(),
        "id": format!("{target}#accept-{}", crate::text::slugify(&follow_id)),
        "type": "Accept",
        "actor": target,
        "object": follow,
    })
    .to_string();
    let (remote, inbox) = (sender.url.clone(), sender.inbox.clone());
    state
        .db
        .write(move |tx| {
            let t = now();
            store::add_follower(tx, local, &remote, &follow_id, t)?;
            store::enqueue(tx, &inbox, local, &accept, t)?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// The type of an object, or of the first of its types.
pub fn type_of(v: &Value) -> &str {
    match v.get("type") {
        Some(Value::String(s)) => s,
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).unwrap_or(""),
        _ => "",
    }
}

/// The receiver for an object, if a module takes its type.
pub fn receiver_for(v: &Value) -> Option<&'static Receiver> {
    receiver(type_of(v))
}
