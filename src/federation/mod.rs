//! Federation (ActivityPub): the village and its public organisation pages as actors that
//! Mastodon, Mobilizon and Gancio can follow, and that follow them. ONE mechanism: modules
//! register what they publish ([`Source`], listed in `modules::FEDERATED`); this module knows
//! no module.
//!
//! - `keys`, `signature`: the instance's RSA key pair and HTTP Signatures (draft-cavage,
//!   rsa-sha256) on every request out, checked on every POST in.
//! - `discovery`: WebFinger and NodeInfo. `actors`: the actors, their outboxes, followers and
//!   the published objects, as `application/activity+json`.
//! - `publish`: triggers put every change of a federated row in `federation_queue` (same
//!   transaction); the task turns each into Create, Update or Delete, fanned out to the
//!   followers' inboxes through `federation_deliveries`, which `deliver` sends with retries.
//! - `inbox`: Follow, Undo, Accept, Reject; Create, Update, Delete and Announce of events from
//!   the actors followed, which `follow` brings into the agenda.
//! - `remote`: reading remote actors and objects (signed GETs through `crate::net`).

pub mod actors;
pub mod admin;
pub mod deliver;
pub mod discovery;
pub mod follow;
pub mod inbox;
pub mod keys;
pub mod publish;
pub mod remote;
pub mod signature;
pub mod store;
pub mod views;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::settings::Module;

/// The ActivityStreams public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// The content type of ActivityPub documents.
pub const CONTENT_TYPE: &str = "application/activity+json";
/// The instance actor's name: `village@host` (and `relay@host`, which Mobilizon asks for).
pub const INSTANCE_NAME: &str = "village";

/// What a module publishes: one kind of row (the `federation_queue` kind its triggers write).
pub struct Source {
    pub kind: &'static str,
    pub module: Module,
    /// The object followers see, or `None` when the row is not (or no longer) public.
    pub object: fn(&Connection, i64, &str) -> rusqlite::Result<Option<Object>>,
}

/// One object as a module gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// The object without `@context`, `id`, `attributedTo`, `to` and `cc` (set here).
    pub json: Value,
    /// The local page it belongs to (its followers are told too); 0 for the village's own.
    pub local_actor: i64,
    /// `Event`s are also announced to Mobilizon followers (it lists remote events only so).
    pub announce: bool,
}

/// The modules' sources, registered once at start-up by `crate::modules`.
static SOURCES: std::sync::OnceLock<&'static [Source]> = std::sync::OnceLock::new();

/// Registers the federated modules (the first registration stands).
pub fn register(sources: &'static [Source]) {
    let _ = SOURCES.set(sources);
}

/// The federated modules.
pub fn sources() -> &'static [Source] {
    SOURCES.get().copied().unwrap_or(&[])
}

/// What followers were last told of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    pub kind: String,
    pub item_id: i64,
    pub object_id: String,
    pub local_actor: i64,
    /// The object as sent (with its id and audience).
    pub json: String,
    pub deleted: bool,
    pub published: i64,
    pub updated: i64,
}

/// A remote actor as we read it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RemoteActor {
    pub url: String,
    pub key_id: String,
    pub public_pem: String,
    pub inbox: String,
    pub shared_inbox: String,
    pub outbox: String,
    pub type_: String,
    pub name: String,
    pub handle: String,
    pub software: String,
    pub fetched_at: i64,
}

impl RemoteActor {
    /// Where to deliver: the shared inbox when there is one.
    pub fn delivery_inbox(&self) -> &str {
        if self.shared_inbox.is_empty() {
            &self.inbox
        } else {
            &self.shared_inbox
        }
    }
}

/// An activity waiting for an inbox.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub id: i64,
    pub inbox: String,
    pub host: String,
    pub local_actor: i64,
    pub activity: String,
    pub tries: i64,
}

/// A remote actor followed by the village or one of its pages.
#[derive(Clone, Debug, PartialEq)]
pub struct Following {
    pub id: i64,
    pub local_actor: i64,
    pub remote: String,
    pub follow_id: String,
    pub state: String,
    pub source_id: Option<i64>,
}

/// `host[:port]` of a URL, lower case.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The URL of a local actor: the village (0) or a page.
pub fn actor_url(base: &str, slug: Option<&str>) -> String {
    match slug {
        None => format!("{base}/ap/{INSTANCE_NAME}"),
        Some(s) => format!("{base}/ap/a/{s}"),
    }
}

/// The id of an object published here.
pub fn object_url(base: &str, kind: &str, id: i64) -> String {
    format!("{base}/ap/o/{kind}/{id}")
}

/// The `@context` of what we serve: ActivityStreams, security, and the terms Mobilizon and
/// Gancio read on events (schema.org places, iCalendar status, time zone).
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "sc": "http://schema.org/",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "mz": "https://joinmobilizon.org/ns#",
            "PostalAddress": "sc:PostalAddress",
            "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
            "streetAddress": "sc:streetAddress",
            "postalCode": "sc:postalCode",
            "addressLocality": "sc:addressLocality",
            "addressCountry": "sc:addressCountry",
            "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
            "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
            "Hashtag": "as:Hashtag"
        }
    ])
}

/// The media type of a stored image by its name.
pub fn media_type(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        _ => "image/jpeg",
    }
}

/// Whether a request asks for ActivityPub JSON rather than a page.
pub fn wants_json(accept: &str) -> bool {
    accept.contains("application/activity+json") || accept.contains("application/ld+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_keep_their_port_and_lose_the_rest() {
        assert_eq!(
            host_of("https://Mobilizon.fr/inbox").as_deref(),
            Some("mobilizon.fr")
        );
        assert_eq!(
            host_of("http://127.0.0.1:8080/ap/inbox?x").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(host_of("ftp://x/y"), None);
        assert_eq!(host_of("https:///y"), None);
    }
}
