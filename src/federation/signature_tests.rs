//! Tests of HTTP Signatures: our own round trips, then the published test vectors of
//! draft-cavage-http-signatures-12 appendix C, which other implementations also pass.

use super::*;
use crate::federation::keys::tests::KEY;
use rsa::RsaPrivateKey;
use std::collections::HashMap;

const NOW: i64 = 1_765_000_000;
const KEY_ID: &str = "https://village.example/actor#main-key";

/// The test key of draft-cavage-12 appendix C ("keyId=Test"; the draft calls it 2048-bit, it
/// is 1024), as published: SPKI public, PKCS#1 private.
const CAVAGE_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----";

const CAVAGE_PRIVATE: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----";

const CAVAGE_PATH: &str = "/foo?param=value&pet=dog";
const CAVAGE_BODY: &[u8] = br#"{"hello": "world"}"#;
const CAVAGE_DATE: &str = "Sun, 05 Jan 2014 21:31:40 GMT";
const CAVAGE_DEFAULT_SIG: &str = "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz
      6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB
      6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=";
const CAVAGE_BASIC_SIG: &str = "qdx+H7PHHDZgy4
      y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn
      7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBs
      kLu6kd9Fswtemr3lgdDEmn04swr2Os0=";
const CAVAGE_ALL_SIG: &str = "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs
      8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZF
      ukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=";

/// The headers of a request as a server would see them: lowercase names.
fn received(pairs: &[(&str, String)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect()
}

fn check(
    method: &str,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    public_pem: &str,
    now: i64,
) -> Result<SignatureHeader, VerifyError> {
    verify(
        method,
        path,
        &|name: &str| headers.get(name).cloned(),
        body,
        public_pem,
        now,
    )
}

/// Signs with our test key at `NOW`.
fn sign_ours(method: &str, url: &str, body: Option<&[u8]>) -> Vec<(&'static str, String)> {
    sign(method, url, body, KEY_ID, &KEY.private_pem, NOW).unwrap()
}

/// Verifies against our test key.
fn check_ours(
    method: &str,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
    now: i64,
) -> Result<SignatureHeader, VerifyError> {
    check(method, path, headers, body, &KEY.public_pem, now)
}

/// The request of appendix C with the given `Signature` value (or Authorization, if `auth`).
fn cavage_request(signature: &str, auth: bool) -> HashMap<String, String> {
    let signature = signature
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let mut headers = received(&[
        ("Host", "example.com".to_string()),
        ("Date", CAVAGE_DATE.to_string()),
        ("Content-Type", "application/json".to_string()),
        (
            "Digest",
            "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=".to_string(),
        ),
        ("Content-Length", "18".to_string()),
    ]);
    if auth {
        headers.insert(
            "authorization".to_string(),
            format!("Signature {signature}"),
        );
    } else {
        headers.insert("signature".to_string(), signature);
    }
    headers
}

/// Verifies a request of appendix C at the draft's date.
fn check_cavage(
    headers: &HashMap<String, String>,
    body: &[u8],
) -> Result<SignatureHeader, VerifyError> {
    check(
        "POST",
        CAVAGE_PATH,
        headers,
        body,
        CAVAGE_PUBLIC,
        cavage_now(),
    )
}

fn cavage_now() -> i64 {
    parse_http_date(CAVAGE_DATE).unwrap()
}

/// Signs `text` with our test key, for requests shaped unlike the ones `sign` makes.
fn sign_text(text: &str) -> String {
    let key: RsaPrivateKey = keys::parse_private_pem(&KEY.private_pem).unwrap();
    let hashed = Sha256::digest(text.as_bytes());
    STANDARD.encode(key.sign(Pkcs1v15Sign::new::<Sha256>(), &hashed).unwrap())
}

#[test]
fn http_date_is_imf_fixdate_and_parses_back() {
    assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(784_111_777)
    );
    assert_eq!(
        parse_http_date(" Sun, 06 Nov 1994 08:49:37 +0000 "),
        Some(784_111_777)
    );
    assert_eq!(parse_http_date(&http_date(NOW)), Some(NOW));
    assert_eq!(parse_http_date("yesterday"), None);
    assert_eq!(cavage_now(), 1_388_957_500);
}

#[test]
fn digest_is_sha256_in_base64_as_in_the_draft() {
    assert_eq!(
        digest(CAVAGE_BODY),
        "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
    );
}

#[test]
fn signed_get_verifies_without_digest() {
    let out = sign_ours("GET", "https://remote.example/users/x?page=2#top", None);
    let names: Vec<&str> = out.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["Host", "Date", "Signature"]);
    assert_eq!(out[0].1, "remote.example");
    assert_eq!(out[1].1, http_date(NOW));
    assert!(
        out[2].1.contains(r#"headers="(request-target) host date""#),
        "{}",
        out[2].1
    );
    assert!(out[2]
        .1
        .starts_with(&format!(r#"keyId="{KEY_ID}",algorithm="rsa-sha256","#)));

    let got = check_ours("GET", "/users/x?page=2", &received(&out), b"", NOW + 10).unwrap();
    assert_eq!(got.key_id, KEY_ID);
    assert_eq!(got.headers, ["(request-target)", "host", "date"]);
}

#[test]
fn signed_post_verifies_with_digest() {
    let body = br#"{"type":"Follow"}"#;
    let out = sign_ours("POST", "http://peer.example:8080/inbox", Some(body));
    let headers = received(&out);
    assert_eq!(headers["host"], "peer.example:8080");
    assert_eq!(headers["digest"], digest(body));
    assert!(headers["signature"].contains(r#"headers="(request-target) host date digest""#));

    let got = check_ours("POST", "/inbox", &headers, body, NOW - 10).unwrap();
    assert_eq!(got.headers, ["(request-target)", "host", "date", "digest"]);
    assert_eq!(got.algorithm.as_deref(), Some("rsa-sha256"));
}

#[test]
fn tampered_body_is_a_bad_digest() {
    let out = sign_ours("POST", "https://peer.example/inbox", Some(b"{}"));
    let got = check_ours("POST", "/inbox", &received(&out), b"{\"evil\":1}", NOW);
    assert_eq!(got.unwrap_err(), VerifyError::BadDigest);
}

#[test]
fn tampered_headers_or_target_are_a_bad_signature() {
    let out = sign_ours("POST", "https://peer.example/inbox", Some(b"{}"));
    let headers = received(&out);
    let tamper = |name: &str, value: &str| {
        let mut h = headers.clone();
        h.insert(name.to_string(), value.to_string());
        check_ours("POST", "/inbox", &h, b"{}", NOW).unwrap_err()
    };
    assert_eq!(tamper("host", "other.example"), VerifyError::BadSignature);
    assert_eq!(
        tamper("date", &http_date(NOW + 1)),
        VerifyError::BadSignature
    );
    let other_body = b"[]";
    assert_eq!(
        tamper("digest", &digest(other_body)),
        VerifyError::BadDigest
    );
    let wrong_path = check_ours("POST", "/users/x/inbox", &headers, b"{}", NOW);
    assert_eq!(wrong_path.unwrap_err(), VerifyError::BadSignature);
    let wrong_method = check_ours("PUT", "/inbox", &headers, b"{}", NOW);
    assert_eq!(wrong_method.unwrap_err(), VerifyError::BadSignature);
}

#[test]
fn another_key_is_a_bad_signature() {
    let out = sign_ours("GET", "https://peer.example/actor", None);
    let got = check("GET", "/actor", &received(&out), b"", CAVAGE_PUBLIC, NOW);
    assert_eq!(got.unwrap_err(), VerifyError::BadSignature);
    let got = check("GET", "/actor", &received(&out), b"", "not a key", NOW);
    assert_eq!(got.unwrap_err(), VerifyError::BadKey);
}

#[test]
fn a_date_six_minutes_away_is_refused_five_is_accepted() {
    let out = sign_ours("POST", "https://peer.example/inbox", Some(b"{}"));
    let at = |now: i64| check_ours("POST", "/inbox", &received(&out), b"{}", now);
    assert_eq!(at(NOW + 360).unwrap_err(), VerifyError::DateOutOfWindow);
    assert_eq!(at(NOW - 360).unwrap_err(), VerifyError::DateOutOfWindow);
    assert!(at(NOW + MAX_SKEW_SECS).is_ok());
    assert!(at(NOW - MAX_SKEW_SECS).is_ok());
}

#[test]
fn unsigned_malformed_and_unknown_algorithms_are_refused_with_their_reason() {
    let none = HashMap::new();
    assert_eq!(
        check_ours("GET", "/", &none, b"", NOW).unwrap_err(),
        VerifyError::NoSignature
    );
    let basic = received(&[("Authorization", "Basic dXNlcjpwYXNz".to_string())]);
    assert_eq!(
        check_ours("GET", "/", &basic, b"", NOW).unwrap_err(),
        VerifyError::NoSignature
    );
    let garbled = received(&[("Signature", r#"keyId="x",signature="unclosed"#.to_string())]);
    assert_eq!(
        check_ours("GET", "/", &garbled, b"", NOW).unwrap_err(),
        VerifyError::Malformed
    );
    let hmac = received(&[(
        "Signature",
        r#"keyId="x",algorithm="hmac-sha256",signature="AAAA""#.to_string(),
    )]);
    assert_eq!(
        check_ours("GET", "/", &hmac, b"", NOW).unwrap_err(),
        VerifyError::UnsupportedAlgorithm
    );
    let no_date = received(&[(
        "Signature",
        r#"keyId="x",headers="(request-target) host",signature="AAAA""#.to_string(),
    )]);
    let got = check_ours("GET", "/", &no_date, b"", NOW).unwrap_err();
    assert_eq!(got, VerifyError::MissingHeader("date".to_string()));
    assert_eq!(
        got.to_string(),
        "the header \"date\" is not signed or not sent"
    );
}

#[test]
fn lowercase_and_multiple_digests_are_accepted() {
    let body = b"{}";
    let sha = digest(body).trim_start_matches("SHA-256=").to_string();
    for value in [
        format!("sha-256={sha}"),
        format!("SHA-512=AAAA,SHA-256={sha}"),
    ] {
        let names = ["(request-target)", "host", "date", "digest"].map(String::from);
        let values = [
            "post /inbox".to_string(),
            "peer.example".to_string(),
            http_date(NOW),
            value.clone(),
        ];
        let text: Vec<String> = names
            .iter()
            .zip(&values)
            .map(|(n, v)| format!("{n}: {v}"))
            .collect();
        let signature = format!(
            r#"keyId="k",algorithm="rsa-sha256",headers="{}",signature="{}""#,
            names.join(" "),
            sign_text(&text.join("\n"))
        );
        let headers = received(&[
            ("Host", values[1].clone()),
            ("Date", values[2].clone()),
            ("Digest", value),
            ("Signature", signature),
        ]);
        assert!(check_ours("POST", "/inbox", &headers, body, NOW).is_ok());
    }
}

#[test]
fn hs2019_with_created_and_expires_verifies_within_its_window() {
    let body = b"{}";
    let (created, expires) = (NOW - 5, NOW + 60);
    let text = format!(
        "(request-target): post /inbox\n(created): {created}\n(expires): {expires}\nhost: peer.example\ndigest: {}",
        digest(body)
    );
    let signature = format!(
        r#"keyId="k",algorithm="hs2019",created={created},expires={expires},headers="(request-target) (created) (expires) host digest",signature="{}""#,
        sign_text(&text)
    );
    let headers = received(&[
        ("Host", "peer.example".to_string()),
        ("Digest", digest(body)),
        ("Signature", signature),
    ]);
    let got = check_ours("POST", "/inbox", &headers, body, NOW).unwrap();
    assert_eq!((got.created, got.expires), (Some(created), Some(expires)));
    let late = check_ours(
        "POST",
        "/inbox",
        &headers,
        body,
        expires + MAX_SKEW_SECS + 1,
    );
    assert_eq!(late.unwrap_err(), VerifyError::DateOutOfWindow);
    let early = check_ours(
        "POST",
        "/inbox",
        &headers,
        body,
        created - MAX_SKEW_SECS - 1,
    );
    assert_eq!(early.unwrap_err(), VerifyError::DateOutOfWindow);
}

#[test]
fn parses_a_mastodon_signature_header() {
    let value = r#"keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="c2lnbmF0dXJl""#;
    let sig = parse_signature(value).unwrap();
    assert_eq!(sig.key_id, "https://mastodon.example/users/alice#main-key");
    assert_eq!(sig.algorithm.as_deref(), Some("rsa-sha256"));
    assert_eq!(
        sig.headers,
        ["(request-target)", "host", "date", "digest", "content-type"]
    );
    assert_eq!(sig.signature, b"signature");
    assert_eq!((sig.created, sig.expires), (None, None));
}

#[test]
fn parsing_is_robust_to_what_peers_send() {
    let odd = r#"Signature  KeyId = "https://h.example/a,b#k" , foo="x,y=\"z\"", headers="Host DATE",bare=1, signature="c2ln""#;
    let sig = parse_signature(odd).unwrap();
    assert_eq!(sig.key_id, "https://h.example/a,b#k");
    assert_eq!(sig.headers, ["host", "date"]);
    assert_eq!(sig.signature, b"sig");
    assert_eq!(sig.algorithm, None);
    let escaped = parse_signature(r#"keyId="a\"b",signature="c2lnbmE""#).unwrap();
    assert_eq!(escaped.key_id, "a\"b");
    assert_eq!(escaped.signature, b"signa", "padding is optional");
    let default = parse_signature(r#"keyId="k",signature="c2ln""#).unwrap();
    assert_eq!(
        default.headers,
        ["date"],
        "no headers parameter means the date only"
    );
    assert_eq!(parse_signature(r#"signature="c2ln""#), None, "no keyId");
    assert_eq!(parse_signature(r#"keyId="k""#), None, "no signature");
    assert_eq!(
        parse_signature(r#"keyId="k",signature="c2ln"#),
        None,
        "unclosed quote"
    );
    assert_eq!(
        parse_signature(r#"keyId="k",signature="%%%""#),
        None,
        "not base64"
    );
    assert_eq!(parse_signature("keyId"), None);
    assert_eq!(parse_signature(""), None);
}

#[test]
fn sign_names_the_host_as_http_clients_send_it() {
    assert_eq!(
        split_url("https://H.Example:443/x"),
        Some(("h.example".into(), "/x".into()))
    );
    assert_eq!(
        split_url("http://h.example:80"),
        Some(("h.example".into(), "/".into()))
    );
    assert_eq!(
        split_url("http://h.example:8080?q=1"),
        Some(("h.example:8080".into(), "/?q=1".into()))
    );
    assert_eq!(
        split_url("https://u:p@[::1]:8443/a?b#c"),
        Some(("[::1]:8443".into(), "/a?b".into()))
    );
    assert_eq!(
        split_url("https://[::1]/"),
        Some(("[::1]".into(), "/".into()))
    );
    assert_eq!(split_url("ftp://h.example/"), None);
    assert_eq!(split_url("https://"), None);
    let idn = split_url("https://Bücher.example/a b/é?q=ü c");
    let encoded = "/a%20b/%C3%A9?q=%C3%BC%20c";
    assert_eq!(idn, Some(("xn--bcher-kva.example".into(), encoded.into())));
    assert_eq!(split_url("https://h.example:99999/"), None);
    assert_eq!(split_url("/inbox"), None);
    let bad_url = sign("GET", "inbox", None, KEY_ID, &KEY.private_pem, NOW).unwrap_err();
    assert_eq!(bad_url, SignError::BadUrl("inbox".into()));
    assert_eq!(
        sign("GET", "https://h/", None, KEY_ID, "nope", NOW).unwrap_err(),
        SignError::BadKey
    );
}

#[test]
fn draft_cavage_c1_default_test_verifies() {
    let value = format!(r#"keyId="Test",algorithm="rsa-sha256",signature="{CAVAGE_DEFAULT_SIG}""#);
    for auth in [false, true] {
        let headers = cavage_request(&value, auth);
        let header = |name: &str| headers.get(name).cloned();
        let sig =
            parse_signature(&header(if auth { "authorization" } else { "signature" }).unwrap())
                .unwrap();
        assert_eq!(sig.headers, ["date"]);
        check_signature("POST", CAVAGE_PATH, &header, &sig, CAVAGE_PUBLIC).unwrap();
        // Our policy on top: the signature must cover the target and the host.
        let got = check_cavage(&headers, b"");
        let missing = VerifyError::MissingHeader("(request-target)".into());
        assert_eq!(got.unwrap_err(), missing);
    }
}

#[test]
fn draft_cavage_c2_basic_test_verifies_and_our_signer_reproduces_it() {
    let value = format!(
        r#"keyId="Test",algorithm="rsa-sha256",
      headers="(request-target) host date", signature="{CAVAGE_BASIC_SIG}""#
    );
    let headers = cavage_request(&value, true);
    let got = check_cavage(&headers, b"").unwrap();
    assert_eq!(got.headers, ["(request-target)", "host", "date"]);
    // Our policy on top: a body must be covered by a signed digest.
    let got = check_cavage(&headers, CAVAGE_BODY).unwrap_err();
    assert_eq!(got, VerifyError::MissingHeader("digest".into()));
    let sig = parse_signature(&headers["authorization"]).unwrap();
    check_signature(
        "POST",
        CAVAGE_PATH,
        &|n| headers.get(n).cloned(),
        &sig,
        CAVAGE_PUBLIC,
    )
    .unwrap();

    // PKCS#1 v1.5 is deterministic: signing the same request gives the draft's bytes.
    let url = format!("http://example.com{CAVAGE_PATH}");
    let out = sign("POST", &url, None, "Test", CAVAGE_PRIVATE, cavage_now()).unwrap();
    let ours = parse_signature(&out[2].1).unwrap();
    assert_eq!(ours.signature, sig.signature);
}

#[test]
fn draft_cavage_c3_all_headers_test_verifies() {
    let value = format!(
        r#"keyId="Test",algorithm="rsa-sha256",
    headers="(request-target) host date content-type digest content-length",
    signature="{CAVAGE_ALL_SIG}""#
    );
    for auth in [false, true] {
        let headers = cavage_request(&value, auth);
        let got = check_cavage(&headers, CAVAGE_BODY).unwrap();
        assert_eq!(got.key_id, "Test");
        assert_eq!(got.headers.len(), 6);
        let mut changed = headers.clone();
        changed.insert("content-length".into(), "19".into());
        let got = check_cavage(&changed, CAVAGE_BODY);
        assert_eq!(got.unwrap_err(), VerifyError::BadSignature);
    }
}
