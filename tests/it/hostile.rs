//! Bad input at the HTTP edge: malformed, oversized and hostile requests to every route get a
//! 4xx with a message, never a 5xx, and the server keeps serving.

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::support::*;

/// Odd query strings every GET gets.
const QUERIES: &[&str] = &[
    "?q=%FF%FE%00&page=-1&kind=%C3%28&tag=%ED%A0%80",
    "?page=99999999999999999999&per_page=-5&km=1e308&lat=NaN&lon=inf&zoom=999&bbox=a,b,c,d",
    "?bbox=-1e309,1,2,3&zoom=-1&from=2026-13-45&to=../../etc&q=%22%27%3Cscript%3E",
    "?next=//evil.example&type=%00&limit=0",
];

fn status_line(raw: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(raw);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Sends raw bytes over TCP (for what an HTTP client library would refuse to send).
fn raw(server: &Server, request: &[u8]) -> u16 {
    let addr = server.url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    status_line(&out)
}

fn assert_client_error(what: &str, r: &Resp) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.body);
}

#[test]
fn hostile_requests_get_4xx_never_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    let fields = [
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Cible"),
        ("visibility", "public"),
    ];
    assert_eq!(
        admin.post_form("/directory/new", &page, &fields).status,
        303
    );
    // A channel named like the route table's sample ids, so that its routes reach their
    // handlers' parsing (/c/999/...).
    let page = admin.get("/channels/new");
    let fields = [
        ("name", "999"),
        ("topic", ""),
        ("description", ""),
        ("visibility", "public"),
    ];
    assert_eq!(
        admin.post_form("/channels/new", &page, &fields).location(),
        "/c/999"
    );
    let token = admin.get("/account").csrf();

    // Every GET, signed in and not, with odd query strings.
    let anon = server.client();
    let table = route_table("cible");
    let gets: Vec<&str> = table
        .iter()
        .filter(|(m, _)| m == "GET")
        .map(|(_, p)| p.as_str())
        .collect();
    // Routes that end the session or delete the target are covered by their own tests.
    let skip = ["/logout", "/account/delete", "/a/cible/delete"];
    let posts: Vec<&str> = table
        .iter()
        .filter(|(m, p)| m == "POST" && !skip.contains(&p.as_str()))
        .map(|(_, p)| p.as_str())
        .collect();
    for path in &gets {
        for q in QUERIES {
            for c in [&admin, &anon] {
                let r = c.get(&format!("{path}{q}"));
                assert_client_error(&format!("GET {path}{q}"), &r);
            }
        }
    }

    // Every POST, with the right CSRF header, so that the handler itself sees the bad input.
    let bodies: &[(&str, Vec<u8>)] = &[
        (
            "application/x-www-form-urlencoded",
            b"name=%FF%FE%C3%28&email=%ED%A0%80&lat=NaN&kind=%00&page=-1".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"%%%===&&&name".to_vec(),
        ),
        (
            "application/json",
            b"{\"name\": \"\\ud800\", \"kind\": 7, \"lat\": [1]}".to_vec(),
        ),
        ("application/json", b"{not json".to_vec()),
        ("text/plain", b"\xff\xfe\x00 binary".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nGIF89a\r\n".to_vec(),
        ),
        ("multipart/form-data", b"no boundary at all".to_vec()),
    ];
    for path in &posts {
        for (ct, body) in bodies {
            let r = Resp::from(
                admin
                    .agent
                    .post(&format!("{}{path}", server.url))
                    .set("Content-Type", ct)
                    .set("X-CSRF-Token", &token)
                    .send_bytes(body),
            );
            assert_client_error(&format!("POST {path} as {ct}"), &r);
        }
        // Oversized: 2 MB of form.
        let big = format!("name={}", "x".repeat(2 * 1024 * 1024));
        let r = Resp::from(
            admin
                .agent
                .post(&format!("{}{path}", server.url))
                .set("Content-Type", "application/x-www-form-urlencoded")
                .set("X-CSRF-Token", &token)
                .send_string(&big),
        );
        assert!(
            r.status == 413 || (400..500).contains(&r.status),
            "POST {path} oversized: {}",
            r.status
        );
        // No CSRF token at all: refused with a message.
        let r = Resp::from(
            admin
                .agent
                .post(&format!("{}{path}", server.url))
                .send_form(&[("name", "x")]),
        );
        assert!(
            r.status == 403 || r.status == 401,
            "POST {path} without token: {}",
            r.status
        );
    }

    // Path traversal in asset, media and tile URLs, encoded in every usual way.
    for path in [
        "/assets/../../Cargo.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/assets/placette.css%00.js",
        "/media/..%2fplacette.db",
        "/media/%2e%2e%2fplacette.db",
        "/media/....//placette.db",
        "/tiles/..%2f..%2f/0/0",
        "/assets/vendor/leaflet/../../../src/main.rs",
    ] {
        let r = anon.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(
            !r.body.contains("SQLite format")
                && !r.body.contains("[package]")
                && !r.body.contains("fn main"),
            "{path} leaked a file"
        );
    }

    // Raw bytes an HTTP library would not send: invalid UTF-8 in the path, a huge header.
    let s = raw(
        &server,
        b"GET /a/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!((400..500).contains(&s), "invalid UTF-8 in the path: {s}");
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let s = raw(&server, huge_header.as_bytes());
    assert!(s == 0 || (400..500).contains(&s), "huge header: {s}");
    let s = raw(
        &server,
        b"NOT-A-METHOD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(s == 0 || (400..500).contains(&s), "unknown method: {s}");

    // Still alive and serving.
    assert_eq!(anon.get("/healthz").status, 200);
    assert_eq!(anon.get("/a/cible").status, 200);
}
