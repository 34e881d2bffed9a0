//! From the change queue to the followers' inboxes. Each change of a federated row (written
//! by triggers in the transaction of the change) is compared with what followers were last
//! told: a row that became public is a `Create`, a changed one an `Update` (an unchanged JSON
//! sends nothing), one gone or no longer public a `Delete` with a `Tombstone`. Members-only,
//! hidden and pending rows are never public, so they never leave.
//!
//! Who hears it: the followers of the page the object belongs to get the activity from that
//! page; the village's followers get it from the village (its own objects) or an `Announce` by
//! the village (a page's objects: Mastodon then shows the page's post as shared by the
//! village); Mobilizon followers of a page also get an `Announce`, since Mobilizon lists
//! remote events only through one. One delivery per inbox (shared inboxes first).

use std::collections::BTreeSet;

use rusqlite::Connection;
use serde_json::{json, Value};

use super::{actor_url, context, object_url, sources, store, Published, PUBLIC};
use crate::settings::Instance;

/// A time as ActivityPub writes it (UTC).
pub fn rfc3339(t: i64) -> String {
    crate::time::rfc3339(t, chrono_tz::UTC)
}

/// The most changes handled in one transaction.
const BATCH: i64 = 100;

/// What a batch of queued changes comes to: the objects to record, the deliveries to file,
/// and the last queue position read. Computed in a read (no write lock held while the modules
/// build their objects), then written at once by [`apply`].
#[derive(Default)]
pub struct Plan {
    pub last_seq: i64,
    pub read: usize,
    pub published: Vec<Published>,
    /// (inbox, local actor, activity)
    pub deliveries: Vec<(String, i64, String)>,
}

/// Reads a batch of queued changes and works out what followers must be told; `None` when the
/// queue is empty.
pub fn plan(c: &Connection, base: &str, now: i64) -> rusqlite::Result<Option<Plan>> {
    let batch = store::queued(c, BATCH)?;
    let Some(last) = batch.last().map(|b| b.0) else {
        return Ok(None);
    };
    let inst = crate::settings::store::load_instance(c)?;
    let mut plan = Plan {
        last_seq: last,
        read: batch.len(),
        ..Plan::default()
    };
    let mut seen = BTreeSet::new();
    for (_, kind, id) in &batch {
        if seen.insert((kind.clone(), *id)) {
            one(c, &inst, base, kind, *id, now, &mut plan)?;
        }
    }
    Ok(Some(plan))
}

/// Writes a plan: the objects' new state, the deliveries, and the queue read.
pub fn apply(c: &Connection, plan: &Plan) -> rusqlite::Result<()> {
    for p in &plan.published {
        store::set_published(c, p)?;
    }
    let now = plan.published.first().map_or(0, |p| p.updated);
    for (inbox, actor, body) in &plan.deliveries {
        store::enqueue(c, inbox, *actor, body, now)?;
    }
    store::dequeue(c, plan.last_seq)
}

/// Plans and applies one batch in the same connection (tests, commands); returns how many
/// changes were read (0: the queue is empty).
pub fn process(c: &Connection, base: &str, now: i64) -> rusqlite::Result<usize> {
    match plan(c, base, now)? {
        Some(p) => {
            apply(c, &p)?;
            Ok(p.read)
        }
        None => Ok(0),
    }
}

/// The slug of a local page (the actor of what belongs to it).
fn slug_of(c: &Connection, actor: i64) -> rusqlite::Result<Option<String>> {
    if actor == 0 {
        return Ok(None);
    }
    store::local_slug(c, actor)
}

fn one(
    c: &Connection,
    inst: &Instance,
    base: &str,
    kind: &str,
    id: i64,
    now: i64,
    plan: &mut Plan,
) -> rusqlite::Result<()> {
    let Some(source) = sources().iter().find(|s| s.kind == kind) else {
        return Ok(());
    };
    let object = if inst.enabled(source.module) {
        (source.object)(c, id, base)?
    } else {
        None
    };
    let before = store::published(c, kind, id)?;
    let object_id = object_url(base, kind, id);
    match (object, before) {
        (Some(o), before) => {
            // A page that is not public (or not an organisation) speaks through the village.
            let slug = slug_of(c, o.local_actor)?;
            let local_actor = if slug.is_some() { o.local_actor } else { 0 };
            let owner = actor_url(base, slug.as_deref());
            let first = before.as_ref().filter(|b| !b.deleted);
            let published = first.map_or(now, |b| b.published);
            let mut json = o.json.clone();
            json["id"] = json!(object_id);
            json["attributedTo"] = json!(owner);
            json["to"] = json!([PUBLIC]);
            json["cc"] = json!([format!("{owner}/followers")]);
            json["published"] = json!(rfc3339(published));
            let text = {
                let mut same = json.clone();
                same["updated"] = Value::Null;
                same.to_string()
            };
            if first.is_some_and(|b| b.json == text) {
                return Ok(());
            }
            json["updated"] = json!(rfc3339(now));
            let verb = if first.is_some() { "Update" } else { "Create" };
            plan.published.push(Published {
                kind: kind.into(),
                item_id: id,
                object_id: object_id.clone(),
                local_actor,
                json: text,
                deleted: false,
                published,
                updated: now,
            });
            fan_out(
                c,
                base,
                verb,
                &json,
                slug.as_deref(),
                local_actor,
                o.announce,
                now,
                plan,
            )
        }
        (None, Some(b)) if !b.deleted => {
            let slug = slug_of(c, b.local_actor)?;
            let tombstone = json!({
                "id": object_id,
                "type": "Tombstone",
                "formerType": serde_json::from_str::<Value>(&b.json).ok()
                    .and_then(|v| v.get("type").cloned()).unwrap_or(json!("Object")),
                "deleted": rfc3339(now),
            });
            plan.published.push(Published {
                deleted: true,
                updated: now,
                ..b.clone()
            });
            fan_out(
                c,
                base,
                "Delete",
                &tombstone,
                slug.as_deref(),
                b.local_actor,
                false,
                now,
                plan,
            )
        }
        _ => Ok(()),
    }
}

/// An activity document: `verb` by `actor` of `object`, to the public and the followers.
pub fn activity(verb: &str, actor: &str, object: &Value, now: i64) -> Value {
    let object_id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    json!({
        "@context": context(),
        "id": format!("{object_id}#{}-{now}", verb.to_ascii_lowercase()),
        "type": verb,
        "actor": actor,
        "published": rfc3339(now),
        "to": [PUBLIC],
        "cc": [format!("{actor}/followers")],
        "object": if verb == "Announce" { json!(object_id) } else { object.clone() },
    })
}

#[allow(clippy::too_many_arguments)]
fn fan_out(
    c: &Connection,
    base: &str,
    verb: &str,
    object: &Value,
    slug: Option<&str>,
    local_actor: i64,
    announce: bool,
    now: i64,
    plan: &mut Plan,
) -> rusqlite::Result<()> {
    let owner = actor_url(base, slug);
    let village = actor_url(base, None);
    let own = activity(verb, &owner, object, now).to_string();
    let mut sent: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut send = |inbox: &str, which: &'static str, body: &str, by: i64| {
        if !inbox.is_empty() && sent.insert((inbox.to_string(), which)) {
            plan.deliveries
                .push((inbox.to_string(), by, body.to_string()));
        }
        Ok::<(), rusqlite::Error>(())
    };
    if local_actor != 0 {
        let boost = (announce && verb == "Create")
            .then(|| activity("Announce", &owner, object, now).to_string());
        for f in store::followers_of(c, &[local_actor])? {
            send(f.delivery_inbox(), "own", &own, local_actor)?;
            if let Some(b) = boost.as_ref().filter(|_| f.software == "mobilizon") {
                send(f.delivery_inbox(), "announce", b, local_actor)?;
            }
        }
    }
    // The village's followers: its own objects from it; a page's shared by it (on creation),
    // then updated or deleted by the page itself.
    let shared = if local_actor == 0 || verb != "Create" {
        own.clone()
    } else {
        activity("Announce", &village, object, now).to_string()
    };
    let which = if local_actor == 0 || verb != "Create" {
        "own"
    } else {
        "village"
    };
    let by = if which == "village" { 0 } else { local_actor };
    for f in store::followers_of(c, &[0])? {
        send(f.delivery_inbox(), which, &shared, by)?;
    }
    Ok(())
}
