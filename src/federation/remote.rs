//! Talking to other servers (blocking: call from the blocking pool). Every request goes
//! through `crate::net` (no private address), with a 10 s timeout and a 1 MB cap; GETs and
//! POSTs are signed with the key of the local actor they are made for. JSON is read plain:
//! never expanded as JSON-LD over the network.

use std::io::Read;
use std::time::Duration;

use serde_json::Value;

use super::{signature, RemoteActor};

/// The largest document read from a peer.
pub const MAX_BYTES: u64 = 1024 * 1024;
/// What we ask for: ActivityPub JSON, in the forms peers answer to.
const ACCEPT: &str = "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
const AGENT: &str = concat!("Placette/", env!("CARGO_PKG_VERSION"), " (ActivityPub)");

/// Who signs: the key id of a local actor (`{actor}#main-key`) and the instance's key.
#[derive(Clone)]
pub struct Signer {
    pub key_id: String,
    pub private_pem: String,
}

/// Why a peer could not be read or written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteError {
    Url(String),
    Network(String),
    Status(u16),
    TooBig,
    NotJson,
    NotActor,
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RemoteError::Url(u) => write!(f, "not an http(s) address: {u}"),
            RemoteError::Network(e) => write!(f, "network: {e}"),
            RemoteError::Status(s) => write!(f, "HTTP {s}"),
            RemoteError::TooBig => write!(f, "more than 1 MB"),
            RemoteError::NotJson => write!(f, "not JSON"),
            RemoteError::NotActor => write!(f, "not an actor with an inbox and a key"),
        }
    }
}

fn agent() -> ureq::Agent {
    crate::net::agent(AGENT, Duration::from_secs(10))
}

fn read_capped(resp: ureq::Response) -> Result<Vec<u8>, RemoteError> {
    let mut bytes = Vec::new();
    resp.into_reader()
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| RemoteError::Network(e.to_string()))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(RemoteError::TooBig);
    }
    Ok(bytes)
}

fn now() -> i64 {
    crate::db::now()
}

/// GETs a JSON document, signed when a signer is given (Gancio and Mastodon in secure mode
/// want signed GETs).
pub fn get_json(url: &str, signer: Option<&Signer>) -> Result<Value, RemoteError> {
    if !crate::net::acceptable_url(url) {
        return Err(RemoteError::Url(url.into()));
    }
    let mut req = agent().get(url).set("Accept", ACCEPT);
    if let Some(s) = signer {
        let headers = signature::sign("GET", url, None, &s.key_id, &s.private_pem, now())
            .map_err(|e| RemoteError::Network(format!("{e:?}")))?;
        for (name, value) in headers {
            req = req.set(name, &value);
        }
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => return Err(RemoteError::Status(code)),
        Err(e) => return Err(RemoteError::Network(e.kind().to_string())),
    };
    let bytes = read_capped(resp)?;
    serde_json::from_slice(&bytes).map_err(|_| RemoteError::NotJson)
}

/// POSTs an activity to an inbox, signed; Ok with the status when the peer took it (2xx).
pub fn post(inbox: &str, body: &str, signer: &Signer) -> Result<u16, RemoteError> {
    if !crate::net::acceptable_url(inbox) {
        return Err(RemoteError::Url(inbox.into()));
    }
    let headers = signature::sign(
        "POST",
        inbox,
        Some(body.as_bytes()),
        &signer.key_id,
        &signer.private_pem,
        now(),
    )
    .map_err(|e| RemoteError::Network(format!("{e:?}")))?;
    let mut req = agent()
        .post(inbox)
        .set("Content-Type", super::CONTENT_TYPE)
        .set("Accept", ACCEPT);
    for (name, value) in headers {
        req = req.set(name, &value);
    }
    match req.send_string(body) {
        Ok(r) => Ok(r.status()),
        Err(ureq::Error::Status(code, _)) => Err(RemoteError::Status(code)),
        Err(e) => Err(RemoteError::Network(e.kind().to_string())),
    }
}

/// A string, or the `id` (or `href`) of an object, of a JSON value.
pub fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("href"))
            .and_then(Value::as_str),
        Value::Array(a) => a.first().and_then(id_of),
        _ => None,
    }
}

/// The actor of a document, when it is one we can talk to (an inbox and an RSA key).
pub fn actor_from(v: &Value, now: i64) -> Option<RemoteActor> {
    let url = v.get("id")?.as_str()?.to_string();
    let key = v.get("publicKey")?;
    let key = if let Value::Array(a) = key {
        a.first()?
    } else {
        key
    };
    let public_pem = key.get("publicKeyPem")?.as_str()?.to_string();
    let key_id = key
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(&url)
        .to_string();
    let inbox = v.get("inbox")?.as_str()?.to_string();
    let shared_inbox = v
        .get("endpoints")
        .and_then(|e| e.get("sharedInbox"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>()
    };
    let host = super::host_of(&url).unwrap_or_default();
    let user = text("preferredUsername");
    Some(RemoteActor {
        handle: if user.is_empty() {
            String::new()
        } else {
            format!("{user}@{host}")
        },
        name: if text("name").is_empty() {
            user
        } else {
            text("name")
        },
        url,
        key_id,
        public_pem,
        inbox,
        shared_inbox,
        outbox: text("outbox"),
        type_: text("type"),
        software: String::new(),
        fetched_at: now,
    })
}

/// Reads an actor (the key id's document without its fragment).
pub fn fetch_actor(url: &str, signer: Option<&Signer>) -> Result<RemoteActor, RemoteError> {
    let url = url.split('#').next().unwrap_or(url);
    let doc = get_json(url, signer)?;
    // A key document (Mastodon's `#main-key` may be served alone) names its owner.
    let doc = if doc.get("inbox").is_none() {
        match doc.get("owner").and_then(Value::as_str) {
            Some(owner) if owner != url => get_json(owner, signer)?,
            _ => doc,
        }
    } else {
        doc
    };
    let mut actor = actor_from(&doc, now()).ok_or(RemoteError::NotActor)?;
    actor.software = software(&actor.url);
    Ok(actor)
}

/// The software a server runs, from NodeInfo ('' when it does not say): `mobilizon`,
/// `gancio`, `mastodon`, `placette`...
pub fn software(any_url: &str) -> String {
    let Some(host) = super::host_of(any_url) else {
        return String::new();
    };
    let scheme = if any_url.starts_with("http://") {
        "http"
    } else {
        "https"
    };
    let Ok(index) = get_json(&format!("{scheme}://{host}/.well-known/nodeinfo"), None) else {
        return String::new();
    };
    let link = index
        .get("links")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find_map(|l| l.get("href").and_then(Value::as_str)));
    link.and_then(|href| get_json(href, None).ok())
        .and_then(|n| {
            n.get("software")?
                .get("name")?
                .as_str()
                .map(|s| s.to_ascii_lowercase())
        })
        .unwrap_or_default()
}

/// The actor URL of a handle (`name@host`, `@name@host`, `acct:name@host`) by WebFinger, or
/// the URL itself when given one.
pub fn resolve_handle(handle: &str) -> Result<String, RemoteError> {
    let h = handle.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        return Ok(h.to_string());
    }
    let h = h.trim_start_matches("acct:").trim_start_matches('@');
    let Some((_, host)) = h.split_once('@') else {
        return Err(RemoteError::Url(handle.into()));
    };
    let mut last = RemoteError::Url(handle.into());
    // https first; plain http only where the net filter allows local hosts (tests).
    for scheme in ["https", "http"] {
        let url = format!(
            "{scheme}://{host}/.well-known/webfinger?resource=acct:{}",
            crate::web::url_encode(h)
        );
        match get_json(&url, None) {
            Ok(doc) => {
                let link = doc
                    .get("links")
                    .and_then(Value::as_array)
                    .and_then(|links| {
                        links.iter().find_map(|l| {
                            let t = l.get("type").and_then(Value::as_str).unwrap_or("");
                            let rel = l.get("rel").and_then(Value::as_str).unwrap_or("");
                            (rel == "self"
                                && (t.contains("activity+json") || t.contains("ld+json")))
                            .then(|| l.get("href").and_then(Value::as_str))
                            .flatten()
                        })
                    });
                return link.map(str::to_string).ok_or(RemoteError::NotActor);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_actor_needs_an_inbox_and_a_key() {
        let doc = json!({
            "id": "https://mobilizon.example/@chorale",
            "type": "Group",
            "preferredUsername": "chorale",
            "name": "La chorale",
            "inbox": "https://mobilizon.example/@chorale/inbox",
            "outbox": "https://mobilizon.example/@chorale/outbox",
            "endpoints": {"sharedInbox": "https://mobilizon.example/inbox"},
            "publicKey": {"id": "https://mobilizon.example/@chorale#main-key",
                          "owner": "https://mobilizon.example/@chorale",
                          "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----"}
        });
        let a = actor_from(&doc, 5).unwrap();
        assert_eq!(a.handle, "chorale@mobilizon.example");
        assert_eq!(a.delivery_inbox(), "https://mobilizon.example/inbox");
        assert_eq!(a.key_id, "https://mobilizon.example/@chorale#main-key");
        assert_eq!(a.name, "La chorale");
        let mut no_inbox = doc.clone();
        no_inbox.as_object_mut().unwrap().remove("inbox");
        assert!(actor_from(&no_inbox, 5).is_none());
    }

    #[test]
    fn ids_come_from_strings_objects_links_and_arrays() {
        assert_eq!(id_of(&json!("https://a/x")), Some("https://a/x"));
        assert_eq!(id_of(&json!({"id": "https://a/y"})), Some("https://a/y"));
        assert_eq!(
            id_of(&json!([{"type": "Link", "href": "https://a/z"}])),
            Some("https://a/z")
        );
        assert_eq!(id_of(&json!(3)), None);
    }
}
