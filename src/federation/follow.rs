//! Following remote actors (a Gancio instance, a Mobilizon group): the village's admin, or a
//! page's admins for their page, follow by handle or URL; the remote's events then come into
//! the agenda, organised by the page, through an agenda source of protocol `activitypub`
//! (the module registered as [`super::inbox::Receiver`] for `Event` does the merge: by object
//! id, updated in place, cancelled when deleted). On acceptance the remote's outbox is read to
//! bring what it already published.

use serde_json::{json, Value};

use super::inbox::{load_actor, receiver_for, village_signer, Receiver};
use super::remote::{self, id_of, Signer};
use super::{actor_url, context, store, RemoteActor};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::public_base;

/// Outbox items read when a follow is accepted.
const BACKFILL: usize = 50;

/// Why a follow could not be made (a translation key).
pub type Refusal = &'static str;

/// The agenda's receiver (the module registered for `Event`).
fn events() -> Option<&'static Receiver> {
    receiver_for(&json!({"type": "Event"}))
}

/// Follows `handle` for the page `page_id` (its public Group actor sends the Follow; the
/// village's when the page is not public).
pub async fn follow(
    state: &AppState,
    page_id: i64,
    handle: &str,
    by: Option<i64>,
) -> Result<Result<RemoteActor, Refusal>, AppError> {
    let Some(receiver) = events() else {
        return Ok(Err("federation.error_agenda_off"));
    };
    let h = handle.to_string();
    let url = actix_web::web::block(move || remote::resolve_handle(&h))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let Ok(url) = url else {
        return Ok(Err("federation.error_not_found"));
    };
    let Some(actor) = load_actor(state, &url, true).await? else {
        return Ok(Err("federation.error_not_actor"));
    };
    let blocked = {
        let u = actor.url.clone();
        state
            .db
            .read(move |c| Ok(store::is_blocked(c, &u)?))
            .await?
    };
    if blocked {
        return Ok(Err("federation.error_blocked"));
    }
    let base = public_base(state);
    let slug = state
        .db
        .read(move |c| Ok(store::local_slug(c, page_id)?))
        .await?;
    let local_actor = if slug.is_some() { page_id } else { 0 };
    let me = actor_url(&base, slug.as_deref());
    let t = now();
    let follow_id = format!("{me}#follow-{t}-{}", rand::random::<u32>());
    let activity = json!({
        "@context": context(),
        "id": follow_id,
        "type": "Follow",
        "actor": me,
        "object": actor.url,
    })
    .to_string();
    let (remote_url, inbox, name) = (actor.url.clone(), actor.inbox.clone(), actor.name.clone());
    let open = receiver.open;
    state
        .db
        .write(move |tx| {
            let source = open(tx, page_id, &remote_url, &name, by, t)?;
            store::add_following(tx, local_actor, &remote_url, &follow_id, source, by, t)?;
            store::enqueue(tx, &inbox, local_actor, &activity, t)?;
            Ok(())
        })
        .await?;
    super::deliver::flush(state).await?;
    Ok(Ok(actor))
}

/// Stops following (Undo of the Follow); what was imported stays, no longer updated.
pub async fn unfollow(state: &AppState, id: i64) -> Result<(), AppError> {
    let Some(f) = state.db.read(move |c| Ok(store::following(c, id)?)).await? else {
        return Ok(());
    };
    let Some(actor) = load_actor(state, &f.remote, false).await? else {
        state
            .db
            .write(move |tx| Ok(store::remove_following(tx, id)?))
            .await?;
        return Ok(());
    };
    let base = public_base(state);
    let me = {
        let a = f.local_actor;
        let slug = state.db.read(move |c| Ok(store::local_slug(c, a)?)).await?;
        actor_url(&base, slug.as_deref())
    };
    let undo = json!({
        "@context": context(),
        "id": format!("{}#undo", f.follow_id),
        "type": "Undo",
        "actor": me,
        "object": {"id": f.follow_id, "type": "Follow", "actor": me, "object": f.remote},
    })
    .to_string();
    state
        .db
        .write(move |tx| {
            store::remove_following(tx, id)?;
            store::enqueue(tx, &actor.inbox, f.local_actor, &undo, now())?;
            Ok(())
        })
        .await?;
    super::deliver::flush(state).await?;
    Ok(())
}

/// The agenda sources fed by `remote` (follows not refused).
async fn sources_of(state: &AppState, remote: &str) -> Result<Vec<i64>, AppError> {
    let r = remote.to_string();
    let list = state
        .db
        .read(move |c| Ok(store::following_of(c, &r)?))
        .await?;
    Ok(list
        .into_iter()
        .filter(|f| f.state != "rejected")
        .filter_map(|f| f.source_id)
        .collect())
}

/// The object itself: embedded when it comes from the sender's own server, else read from
/// its id (an Announce names an object; an embedded copy from elsewhere is not trusted).
async fn object_of(
    sender: &RemoteActor,
    object: &Value,
    signer: &Signer,
) -> Result<Option<Value>, AppError> {
    let Some(id) = id_of(object).map(str::to_string) else {
        return Ok(None);
    };
    let same_host = super::host_of(&id) == super::host_of(&sender.url);
    if object.is_object() && same_host && object.get("type").is_some() {
        return Ok(Some(object.clone()));
    }
    let signer = signer.clone();
    let fetched = actix_web::web::block(move || remote::get_json(&id, Some(&signer)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(fetched.ok())
}

/// A Create, Update or Announce from a remote actor: an object of a type a module takes, from
/// an actor followed, goes to that module.
pub async fn received(
    state: &AppState,
    sender: &RemoteActor,
    object: &Value,
    _announce: bool,
) -> Result<(), AppError> {
    let sources = sources_of(state, &sender.url).await?;
    if sources.is_empty() {
        return Ok(());
    }
    let signer = village_signer(state).await?;
    let Some(object) = object_of(sender, object, &signer).await? else {
        return Ok(());
    };
    let Some(receiver) = receiver_for(&object) else {
        return Ok(());
    };
    let upsert = receiver.upsert;
    state
        .db
        .write(move |tx| {
            for s in &sources {
                upsert(tx, *s, &object, now())?;
            }
            Ok(())
        })
        .await
}

/// A Delete from a remote actor: the object leaves every module that took it from this actor.
pub async fn deleted(state: &AppState, sender: &RemoteActor, id: &str) -> Result<(), AppError> {
    let sources = sources_of(state, &sender.url).await?;
    let Some(receiver) = events() else {
        return Ok(());
    };
    if sources.is_empty() || id.is_empty() {
        return Ok(());
    }
    let (remove, id) = (receiver.remove, id.to_string());
    state
        .db
        .write(move |tx| {
            for s in &sources {
                remove(tx, *s, &id, now())?;
            }
            Ok(())
        })
        .await
}

/// Reads the first page of a followed actor's outbox and takes what it already published.
pub async fn backfill(state: &AppState, remote: &str) -> Result<(), AppError> {
    let Some(actor) = load_actor(state, remote, false).await? else {
        return Ok(());
    };
    if actor.outbox.is_empty() {
        return Ok(());
    }
    let signer = village_signer(state).await?;
    let (outbox, s2) = (actor.outbox.clone(), signer.clone());
    let items = actix_web::web::block(move || -> Vec<Value> {
        let Ok(doc) = remote::get_json(&outbox, Some(&s2)) else {
            return Vec::new();
        };
        let page = match doc.get("first") {
            Some(Value::String(url)) => remote::get_json(url, Some(&s2)).unwrap_or(Value::Null),
            Some(v @ Value::Object(_)) => v.clone(),
            _ => doc,
        };
        let list = page
            .get("orderedItems")
            .or_else(|| page.get("items"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        list.into_iter().take(BACKFILL).collect()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    for item in items {
        let kind = super::inbox::type_of(&item).to_string();
        let object = match kind.as_str() {
            "Create" | "Update" | "Announce" => item.get("object").cloned().unwrap_or_default(),
            _ => item,
        };
        received(state, &actor, &object, kind == "Announce").await?;
    }
    Ok(())
}
