//! Outgoing HTTP to other servers (calendar imports, federation): http and https only, and
//! never a loopback or private address, so that nobody can make the server probe its own
//! network; the check is in the resolver, so redirects are held to it too. Tests on loopback
//! allow local addresses explicitly with `PLACETTE_IMPORT_ALLOW_LOCAL=1`.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

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

/// A client whose every connection goes through the filter, with `timeout` for connecting
/// and for the whole exchange, and at most 3 redirects.
pub fn agent(user_agent: &str, timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(timeout)
        .timeout(timeout)
        .redirects(3)
        .resolver(resolve)
        .user_agent(user_agent)
        .build()
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
