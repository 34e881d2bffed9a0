//! Fetching a calendar over HTTP(S): http and https only, 10 s timeouts, 5 MB at most,
//! conditional requests (ETag, Last-Modified), and no loopback or private address (the server
//! must not be made to probe its own network: `crate::net`).

use std::io::Read;
use std::time::Duration;

use crate::net;
pub use crate::net::{acceptable_url, is_local};

/// The largest calendar read (a village's year fits in far less).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// What a fetch gave.
#[derive(Debug)]
pub enum Fetched {
    /// 304: unchanged since the validators.
    NotModified,
    /// The body and the new validators (ETag, Last-Modified).
    Body(String, String, String),
}

/// Why a fetch failed: an i18n key and a detail (shown to the page's managers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub &'static str, pub String);

/// GET `url` (blocking: call it from the blocking pool).
pub fn fetch(url: &str, etag: &str, last_modified: &str) -> Result<Fetched, FetchError> {
    if !acceptable_url(url) {
        return Err(FetchError("agenda_import.error_url", url.to_string()));
    }
    let agent = net::agent("Placette (iCalendar import)", Duration::from_secs(10));
    let mut req = agent
        .get(url.trim())
        .set("Accept", "text/calendar, */*;q=0.5");
    if !etag.is_empty() {
        req = req.set("If-None-Match", etag);
    }
    if !last_modified.is_empty() {
        req = req.set("If-Modified-Since", last_modified);
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => {
            return Err(FetchError("agenda_import.error_http", code.to_string()))
        }
        Err(e) => {
            return Err(FetchError(
                "agenda_import.error_fetch",
                e.kind().to_string(),
            ))
        }
    };
    if resp.status() == 304 {
        return Ok(Fetched::NotModified);
    }
    let etag = resp.header("ETag").unwrap_or("").to_string();
    let lm = resp.header("Last-Modified").unwrap_or("").to_string();
    let mut bytes = Vec::new();
    resp.into_reader()
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FetchError("agenda_import.error_fetch", e.to_string()))?;
    if bytes.len() > MAX_BYTES {
        return Err(FetchError("agenda_import.error_too_big", "5 MB".into()));
    }
    let text = super::parse::decode(&bytes);
    Ok(Fetched::Body(text, etag, lm))
}
