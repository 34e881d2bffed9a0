//! Fetching a calendar over HTTP(S): http and https only, 10 s timeouts, 5 MB at most,
//! conditional requests (ETag, Last-Modified), and no loopback or private address (the server
//! must not be made to probe its own network) unless `PLACETTE_IMPORT_ALLOW_LOCAL=1`. The check
//! is in the resolver, so redirects are held to it too.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

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

/// Whether `url` is one we may fetch at all (scheme and shape).
pub fn acceptable_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) && !url.contains(char::is_whitespace)
}

fn allow_local() -> bool {
    std::env::var("PLACETTE_IMPORT_ALLOW_LOCAL").as_deref() == Ok("1")
}

/// Loopback, private, link-local, unspecified, multicast and the like.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_local(IpAddr::V4(v4)))
        }
    }
}

fn resolve(netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
    if allow_local() {
        return Ok(addrs);
    }
    let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_local(a.ip())).collect();
    if public.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "local address refused",
        ));
    }
    Ok(public)
}

/// GET `url` (blocking: call it from the blocking pool).
pub fn fetch(url: &str, etag: &str, last_modified: &str) -> Result<Fetched, FetchError> {
    if !acceptable_url(url) {
        return Err(FetchError("agenda_import.error_url", url.to_string()));
    }
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(10))
        .redirects(3)
        .resolver(resolve)
        .user_agent("Placette (iCalendar import)")
        .build();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_and_no_private_addresses() {
        assert!(acceptable_url("https://mobilizon.fr/@chorale/feed/ics"));
        assert!(acceptable_url("http://gancio.example/feed/ics"));
        for bad in [
            "file:///etc/passwd",
            "ftp://x/y.ics",
            "https://",
            "javascript:alert(1)",
            "https://a b",
        ] {
            assert!(!acceptable_url(bad), "{bad}");
        }
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_local(ip.parse().unwrap()), "{ip}");
        }
        assert!(!is_local("93.184.216.34".parse().unwrap()));
        assert!(!is_local("2a01:4f8::1".parse().unwrap()));
    }
}
