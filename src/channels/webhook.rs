//! A channel's webhooks, set by its moderators (/c/{channel}/hooks), so that other tools push
//! notifications both ways:
//!
//! - outgoing: every new message of a person in the channel is POSTed as JSON to the hook's
//!   URL by the task (`tasks.rs`), retried with backoff;
//! - incoming: `POST /hooks/c/{token}` posts a message into the hook's thread (or a new
//!   thread when the JSON has a `title`) as « Intégration : name », through THE posting path.
//!
//! Both ways are signed the same way: `X-Placette-Timestamp: <unix seconds>` and
//! `X-Placette-Signature: sha256=<hex>`, the HMAC-SHA256 of `{timestamp}.{raw body}` keyed
//! with the hook's secret (its text exactly as shown to the moderators). A request whose
//! timestamp is more than 5 minutes away from our clock is refused, so a captured request
//! cannot be replayed later. The incoming URL's token is shown once and kept as a SHA-256.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::web::forms::FormErrors;

/// The largest incoming body.
pub const MAX_INCOMING: usize = 64 * 1024;
/// How far a signed timestamp may be from our clock, in seconds.
pub const MAX_SKEW: i64 = 300;
/// Longest hook name.
const MAX_NAME: usize = 60;

/// The signature header's value of a body sent (or received) at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("sha256={}", crate::auth::hex(&mac(secret, timestamp, body)))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// Whether a request's signature and timestamp (header values) are genuine and fresh.
pub fn verify(secret: &str, timestamp: &str, signature: &str, body: &[u8], now: i64) -> bool {
    let Ok(ts) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if now.abs_diff(ts) > MAX_SKEW.unsigned_abs() {
        return false;
    }
    let Some(given) = signature.trim().strip_prefix("sha256=") else {
        return false;
    };
    let expected = sign(secret, ts, body);
    let expected = &expected["sha256=".len()..];
    // Constant time, on the hex text (both are 64 characters when well formed).
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.to_ascii_lowercase().bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The form creating a hook.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HookForm {
    pub name: String,
    /// Outgoing: where to POST.
    pub url: String,
    /// Incoming: the thread's id, or empty for new threads only.
    pub thread: String,
}

impl HookForm {
    /// The hook's name, or the errors.
    pub fn parse_name(&self, e: &mut FormErrors) -> Option<String> {
        let name = self.name.trim().to_string();
        e.check(name.is_empty(), "name", "channels.hooks.name_required");
        e.check(
            name.chars().count() > MAX_NAME,
            "name",
            "channels.hooks.name_too_long",
        );
        (!name.is_empty() && name.chars().count() <= MAX_NAME).then_some(name)
    }
}

/// The incoming webhook's part of the OpenAPI document.
pub fn openapi_paths() -> Value {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let header = |name: &str, d: &str| json!({"name": name, "in": "header", "required": true, "schema": {"type": "string"}, "description": d});
    json!({
        "/hooks/c/{token}": {
            "parameters": [{"name": "token", "in": "path", "required": true, "schema": {"type": "string"},
                            "description": "The incoming hook's token, shown once to the channel's moderators"}],
            "post": {
                "summary": "A tool posts a message into a channel (its incoming webhook)",
                "description": "Signed with the hook's secret: `X-Placette-Signature: sha256=<hex>` is the \
                                HMAC-SHA256 of `{timestamp}.{raw body}` keyed with the secret's text, and \
                                `X-Placette-Timestamp` the Unix time in seconds, at most 5 minutes away. \
                                The message goes into the hook's thread, or into a new thread when `title` \
                                is given, as « Intégration : name ». The channel's outgoing webhooks sign \
                                their POSTs the same way.",
                "operationId": "postChannelHook",
                "parameters": [
                    header("X-Placette-Timestamp", "Unix time of the request, in seconds"),
                    header("X-Placette-Signature", "sha256= and the hex HMAC-SHA256 of `{timestamp}.{body}`")
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HookMessage"}}}},
                "responses": {
                    "201": {"description": "Posted", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["id", "thread", "url"],
                        "properties": {"id": {"type": "integer"}, "thread": {"type": "integer"}, "url": {"type": "string"}}
                    }}}},
                    "401": error("No incoming hook with this token, signature wrong, or timestamp missing or more than 5 minutes away"),
                    "404": {"description": "The channels are switched off on this instance", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                        "text/html": {"schema": {"type": "string"}}
                    }},
                    "413": {"description": "Body larger than 64 KB", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
                        "text/plain": {"schema": {"type": "string"}}
                    }},
                    "422": error("Not JSON, empty text, too long, no title for a hook without a thread, or the thread is closed")
                }
            }
        }
    })
}

/// The incoming webhook's schemas.
pub fn openapi_schemas() -> Value {
    json!({
        "HookMessage": {"type": "object", "required": ["text"], "properties": {
            "text": {"type": "string", "minLength": 1, "description": "Markdown, at most 20,000 characters"},
            "title": {"type": "string", "description": "Opens a new thread with this title (at most 150 characters)"}
        }}
    })
}

#[cfg(test)]
mod tests {
    use super::{sign, verify};

    #[test]
    fn signatures_cover_the_timestamp_and_the_body() {
        let s = sign("k", 1000, b"{}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert!(verify("k", "1000", &s, b"{}", 1100));
        assert!(!verify("k", "1000", &s, b"{} ", 1100), "another body");
        assert!(!verify("k", "1001", &s, b"{}", 1100), "another timestamp");
        assert!(!verify("j", "1000", &s, b"{}", 1100), "another secret");
        assert!(!verify("k", "1000", &s, b"{}", 1000 + 301), "stale");
        assert!(!verify("k", "", &s, b"{}", 1000));
    }
}
