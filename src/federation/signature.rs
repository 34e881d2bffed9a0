//! HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12, `rsa-sha256`
//! (PKCS#1 v1.5 over SHA-256), a `Digest: SHA-256=…` header on requests with a body.
//!
//! Outgoing requests sign `(request-target) host date` plus `digest` when there is a body,
//! like Mastodon. Incoming ones are checked against the headers exactly as received (the raw
//! Host header, not our own idea of our name); like Mastodon, they must sign the target, the
//! host, a `Date` at most 5 minutes away (Gancio's window; or `(created)`) and, with a body, a
//! `Digest` that matches it. Pure functions: fetching the sender's key and refetching it once
//! on failure (keys rotate) belong to the caller.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rsa::Pkcs1v15Sign;
use sha2::{Digest as _, Sha256};

use super::keys;

/// How far a signed `Date` (or `(created)`) may be from our clock, either way: Gancio's window.
pub const MAX_SKEW_SECS: i64 = 300;

/// The `Signature` header of a request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_id: String,
    pub algorithm: Option<String>,
    /// Lowercase header names in signing order; `["date"]` when the parameter is absent.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
    /// The `created` and `expires` parameters (Unix seconds), for `(created)`/`(expires)`.
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    BadKey,
    BadUrl(String),
}

/// Why an incoming request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    NoSignature,
    Malformed,
    UnsupportedAlgorithm,
    MissingHeader(String),
    BadDigest,
    DateOutOfWindow,
    BadSignature,
    BadKey,
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::BadKey => write!(f, "the private key is not a usable RSA PEM key"),
            SignError::BadUrl(url) => {
                write!(f, "cannot sign a request to {url:?}: not an http(s) URL")
            }
        }
    }
}

impl std::error::Error for SignError {}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::NoSignature => write!(f, "the request is not signed"),
            VerifyError::Malformed => write!(f, "the Signature header is malformed"),
            VerifyError::UnsupportedAlgorithm => {
                write!(f, "the signature algorithm is not rsa-sha256")
            }
            VerifyError::MissingHeader(name) => {
                write!(f, "the header {name:?} is not signed or not sent")
            }
            VerifyError::BadDigest => write!(f, "the Digest header does not match the body"),
            VerifyError::DateOutOfWindow => {
                write!(
                    f,
                    "the signature date is more than {MAX_SKEW_SECS} seconds from our clock"
                )
            }
            VerifyError::BadSignature => {
                write!(f, "the signature does not match the request and key")
            }
            VerifyError::BadKey => write!(f, "the sender's public key is not a usable RSA PEM key"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Formats Unix seconds as an HTTP date (IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
pub fn http_date(unix_secs: i64) -> String {
    chrono::DateTime::from_timestamp(unix_secs, 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Parses an HTTP date (IMF-fixdate, or any RFC 2822 date) into Unix seconds.
pub fn parse_http_date(value: &str) -> Option<i64> {
    let value = value.trim();
    chrono::NaiveDateTime::parse_from_str(value, "%a, %d %b %Y %H:%M:%S GMT")
        .map(|t| t.and_utc().timestamp())
        .or_else(|_| chrono::DateTime::parse_from_rfc2822(value).map(|t| t.timestamp()))
        .ok()
}

/// The `Digest` header value of a body: "SHA-256=<base64 of its SHA-256>".
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// The headers to add to a request to `url` so that peers accept it: `Host`, `Date`, `Digest`
/// (with a body) and `Signature`. Send the `Host` value as given: it is part of what is signed.
pub fn sign(
    method: &str,
    url: &str,
    body: Option<&[u8]>,
    key_id: &str,
    private_pem: &str,
    now: i64,
) -> Result<Vec<(&'static str, String)>, SignError> {
    let key = keys::parse_private_pem(private_pem).ok_or(SignError::BadKey)?;
    let (host, path_and_query) =
        split_url(url).ok_or_else(|| SignError::BadUrl(url.to_string()))?;
    let mut out = vec![("Host", host), ("Date", http_date(now))];
    if let Some(body) = body {
        out.push(("Digest", digest(body)));
    }
    let all = ["(request-target)", "host", "date", "digest"];
    let names = &all[..if body.is_some() { 4 } else { 3 }];
    let lookup = |name: &str| match name {
        "(request-target)" => Some(request_target(method, &path_and_query)),
        _ => out
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone()),
    };
    let text = signing_string(names, lookup).expect("every header signed is set above");
    let hashed = Sha256::digest(text.as_bytes());
    // sign_with_rng blinds the private-key operation, against timing attacks.
    let signature = key
        .sign_with_rng(
            &mut rand::thread_rng(),
            Pkcs1v15Sign::new::<Sha256>(),
            &hashed,
        )
        .map_err(|_| SignError::BadKey)?;
    let value = format!(
        "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        key_id.replace('\\', "\\\\").replace('"', "\\\""),
        names.join(" "),
        STANDARD.encode(signature)
    );
    out.push(("Signature", value));
    Ok(out)
}

/// Parses a `Signature` header value, or an `Authorization: Signature …` value. Quoted values
/// may hold commas; unknown parameters are ignored. `None` without a keyId or a signature.
pub fn parse_signature(value: &str) -> Option<SignatureHeader> {
    let mut rest = value.trim();
    if let Some(prefix) = rest.get(..10) {
        let after = rest[10..].trim_start();
        if prefix.eq_ignore_ascii_case("signature ") && !after.starts_with('=') {
            rest = after;
        }
    }
    let params = parse_params(rest)?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let key_id = param("keyid").filter(|k| !k.is_empty())?.to_string();
    let signature_b64: String = param("signature")?.split_whitespace().collect();
    let signature = LENIENT_BASE64
        .decode(signature_b64)
        .ok()
        .filter(|s| !s.is_empty())?;
    let mut headers: Vec<String> = param("headers")
        .unwrap_or("")
        .split_ascii_whitespace()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if headers.is_empty() {
        headers.push("date".to_string());
    }
    let seconds = |name: &str| param(name).and_then(|v| v.split('.').next()?.parse::<i64>().ok());
    Some(SignatureHeader {
        key_id,
        algorithm: param("algorithm").map(str::to_string),
        headers,
        signature,
        created: seconds("created"),
        expires: seconds("expires"),
    })
}

/// Checks the signature of an incoming request; `header` returns a header's value as received
/// (asked in lowercase; the raw Host header; a repeated header's values joined with ", "),
/// `body` the raw body (empty if none). On success, the parsed header: its `key_id` says who
/// signed, and the caller refetches that key once on `BadSignature` (keys rotate).
pub fn verify(
    method: &str,
    path_and_query: &str,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
    public_pem: &str,
    now: i64,
) -> Result<SignatureHeader, VerifyError> {
    let value = header("signature")
        .or_else(|| header("authorization").filter(|v| is_signature_scheme(v)))
        .ok_or(VerifyError::NoSignature)?;
    let sig = parse_signature(&value).ok_or(VerifyError::Malformed)?;
    match sig
        .algorithm
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("rsa-sha256") | Some("hs2019") => {}
        Some(_) => return Err(VerifyError::UnsupportedAlgorithm),
    }
    check_covered(&sig, !body.is_empty())?;
    check_fresh(&sig, header, now)?;
    check_digest(&sig, header, body)?;
    check_signature(method, path_and_query, header, &sig, public_pem)?;
    Ok(sig)
}

/// The signing string's `(request-target)` value: lowercase method, space, path with query.
fn request_target(method: &str, path_and_query: &str) -> String {
    format!("{} {}", method.to_ascii_lowercase(), path_and_query)
}

/// The string that is signed: one "name: value" line per listed header, in order.
fn signing_string<S: AsRef<str>>(
    names: &[S],
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, VerifyError> {
    let mut lines = Vec::with_capacity(names.len());
    for name in names.iter().map(AsRef::as_ref) {
        let value = lookup(name).ok_or_else(|| VerifyError::MissingHeader(name.to_string()))?;
        lines.push(format!("{name}: {}", value.trim()));
    }
    Ok(lines.join("\n"))
}

/// The RSA check proper, over the headers `sig` lists (no policy on which ones).
fn check_signature(
    method: &str,
    path_and_query: &str,
    header: &dyn Fn(&str) -> Option<String>,
    sig: &SignatureHeader,
    public_pem: &str,
) -> Result<(), VerifyError> {
    let text = signing_string(&sig.headers, |name| match name {
        "(request-target)" => Some(request_target(method, path_and_query)),
        "(created)" => sig.created.map(|t| t.to_string()),
        "(expires)" => sig.expires.map(|t| t.to_string()),
        _ => header(name),
    })?;
    let key = keys::parse_public_pem(public_pem).ok_or(VerifyError::BadKey)?;
    let hashed = Sha256::digest(text.as_bytes());
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &sig.signature)
        .map_err(|_| VerifyError::BadSignature)
}

/// What a signature must cover for us, like Mastodon: the target and the host (so that it
/// cannot be replayed to another URL or instance), when it was made (`date` or `(created)`),
/// and the body through its digest.
fn check_covered(sig: &SignatureHeader, has_body: bool) -> Result<(), VerifyError> {
    let signs = |name: &str| sig.headers.iter().any(|h| h == name);
    let missing = |name: &str| Err(VerifyError::MissingHeader(name.to_string()));
    if !signs("(request-target)") {
        return missing("(request-target)");
    }
    if !signs("host") {
        return missing("host");
    }
    if !signs("date") && !signs("(created)") {
        return missing("date");
    }
    if has_body && !signs("digest") {
        return missing("digest");
    }
    Ok(())
}

/// The signed `Date` or `(created)` must be within the window, `(expires)` not long past.
fn check_fresh(
    sig: &SignatureHeader,
    header: &dyn Fn(&str) -> Option<String>,
    now: i64,
) -> Result<(), VerifyError> {
    let signs = |name: &str| sig.headers.iter().any(|h| h == name);
    let within = |t: i64| (now - t).abs() <= MAX_SKEW_SECS;
    if signs("date") {
        let value = header("date").ok_or_else(|| VerifyError::MissingHeader("date".to_string()))?;
        let date = parse_http_date(&value).ok_or(VerifyError::Malformed)?;
        if !within(date) {
            return Err(VerifyError::DateOutOfWindow);
        }
    }
    if signs("(created)") {
        let created = sig
            .created
            .ok_or_else(|| VerifyError::MissingHeader("(created)".to_string()))?;
        if !within(created) {
            return Err(VerifyError::DateOutOfWindow);
        }
    }
    if signs("(expires)") {
        let expires = sig
            .expires
            .ok_or_else(|| VerifyError::MissingHeader("(expires)".to_string()))?;
        if now - expires > MAX_SKEW_SECS {
            return Err(VerifyError::DateOutOfWindow);
        }
    }
    Ok(())
}

/// A signed `Digest` must have a SHA-256 entry equal to the body's (`check_covered` has made
/// sure that a body is signed with its digest).
fn check_digest(
    sig: &SignatureHeader,
    header: &dyn Fn(&str) -> Option<String>,
    body: &[u8],
) -> Result<(), VerifyError> {
    if !sig.headers.iter().any(|h| h == "digest") {
        return Ok(());
    }
    let value = header("digest").ok_or_else(|| VerifyError::MissingHeader("digest".to_string()))?;
    let expected = Sha256::digest(body);
    let matches = value
        .split(',')
        .any(|entry| match entry.trim().split_once('=') {
            Some((algo, b64)) if algo.trim().eq_ignore_ascii_case("sha-256") => LENIENT_BASE64
                .decode(b64.trim())
                .is_ok_and(|d| d[..] == expected[..]),
            _ => false,
        });
    if matches {
        Ok(())
    } else {
        Err(VerifyError::BadDigest)
    }
}

/// Standard base64 with or without the padding, as peers write it.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Whether an `Authorization` value uses the `Signature` scheme.
fn is_signature_scheme(value: &str) -> bool {
    value
        .trim_start()
        .get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("signature "))
}

/// `name=value` parameters separated by commas; values quoted (with `\` escapes) or bare.
/// Names come out lowercase. `None` if a quote is never closed or a name has no value.
fn parse_params(s: &str) -> Option<Vec<(String, String)>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i == b.len() {
            return Some(out);
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b',' {
            i += 1;
        }
        if i == b.len() || b[i] != b'=' {
            return None;
        }
        let name = s[start..i].trim().to_ascii_lowercase();
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if i < b.len() && b[i] == b'"' {
            i += 1;
            let mut v = Vec::new();
            loop {
                match *b.get(i)? {
                    b'"' => break,
                    b'\\' if i + 1 < b.len() => {
                        v.push(b[i + 1]);
                        i += 2;
                    }
                    c => {
                        v.push(c);
                        i += 1;
                    }
                }
            }
            i += 1;
            String::from_utf8(v).ok()?
        } else {
            let start = i;
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            s[start..i].trim().to_string()
        };
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, value));
        }
    }
}

/// The `Host` header (host, and port when not the scheme's default) and the path with query
/// of an http(s) URL, exactly as ureq will send them; the fragment is dropped.
fn split_url(url: &str) -> Option<(String, String)> {
    let url = url::Url::parse(url.trim()).ok()?;
    let default_port = match url.scheme() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let host = url.host_str().filter(|h| !h.is_empty())?;
    let host = match url.port() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_string(),
    };
    let mut path = url.path().to_string();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    Some((host, path))
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
