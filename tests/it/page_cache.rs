//! Visitors' pages served whole from memory until the next write, with ETag and 304; and the
//! CSRF protection of visitors' forms, which no longer rests on a per-visitor token.

use crate::support::*;

#[test]
fn a_visitors_page_is_the_same_for_all_until_a_write_and_answers_304_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    new_actor(&admin, "Comité des fêtes", "organisation", "association");

    // Two visitors who never met get the same bytes, with a tag and no cookie.
    let (alice, bob) = (server.client(), server.client());
    let a = alice.get("/directory");
    let b = bob.get("/directory");
    assert_eq!(a.status, 200);
    assert!(a.body.contains("Comité des fêtes"));
    assert_eq!(a.body, b.body, "a visitor's page holds nothing personal");
    let tag = a.header("etag");
    assert!(tag.starts_with("W/\""), "{:?}", a.headers);
    assert_eq!(b.header("etag"), tag);
    assert!(!a.header("last-modified").is_empty());
    assert_eq!(a.header("cache-control"), "no-cache");
    assert!(
        a.header("set-cookie").is_empty(),
        "{}",
        a.header("set-cookie")
    );

    // The browser asks again with its tag: 304, no body.
    let again = alice.get_with("/directory", &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), tag);
    let since = alice.get_with(
        "/directory",
        &[("If-Modified-Since", &a.header("last-modified"))],
    );
    assert_eq!(since.status, 304);

    // Gzip is kept once and served to clients that ask for it.
    let gz = alice.get_with("/directory", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_eq!(gz.header("etag"), tag);

    // A write shows at once: the next visitor's page has it, with a new tag.
    new_actor(&admin, "Jardins partagés", "organisation", "association");
    let after = alice.get_with("/directory", &[("If-None-Match", &tag)]);
    assert_eq!(after.status, 200, "a write makes the kept page stale");
    assert!(after.body.contains("Jardins partagés"));
    assert_ne!(after.header("etag"), tag);

    // The language is part of the key.
    let en = bob.get_with("/directory", &[("Accept-Language", "en")]);
    assert!(en.body.contains("lang=\"en\""), "{}", &en.body[..200]);
    assert!(bob.get("/directory").body.contains("lang=\"fr\""));

    // The calendar feed (kept gzipped by the agenda) has its tag too: a calendar application
    // polling it gets 304 while nothing changed.
    let ics = alice.get("/agenda.ics");
    assert_eq!(ics.status, 200);
    let ics_tag = ics.header("etag");
    assert!(ics_tag.starts_with("W/\""), "{:?}", ics.headers);
    let polled = alice.get_with("/agenda.ics", &[("If-None-Match", &ics_tag)]);
    assert_eq!(polled.status, 304);
    assert!(polled.body.is_empty());

    // A person's page is theirs: no tag, never stored by the browser.
    let mine = admin.get("/directory");
    assert_eq!(mine.status, 200);
    assert!(mine.header("etag").is_empty());
    assert_eq!(mine.header("cache-control"), "no-store");
    assert!(
        mine.body.contains("action=\"/logout\""),
        "their header has « log out »"
    );
    assert!(!a.body.contains("action=\"/logout\""));
}

#[test]
fn a_visitors_forms_are_refused_when_the_browser_says_they_come_from_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let login = |headers: &[(&str, &str)], token: &str| {
        let mut req = server.client().agent.post(&format!("{}/login", server.url));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        Resp::from(req.send_form(&[
            ("_csrf", token),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "/account"),
        ]))
    };
    let token = server.client().get("/login").csrf();
    // Every visitor's page carries the same token: it marks a form of this site, no more.
    assert_eq!(server.client().get("/login").csrf(), token);

    // Login CSRF: a page elsewhere cannot sign the visitor in to someone's account.
    for headers in [
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site")],
        vec![("Origin", "https://evil.example")],
        vec![("Origin", "null")],
        vec![
            ("Origin", "https://evil.example"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
    ] {
        let r = login(&headers, &token);
        assert_eq!(r.status, 403, "{headers:?}");
        assert!(r.header("set-cookie").is_empty(), "{headers:?}: no session");
    }
    // Without the token, or with a wrong one, refused too.
    assert_eq!(login(&[("Sec-Fetch-Site", "same-origin")], "").status, 403);
    assert_eq!(
        login(&[("Sec-Fetch-Site", "same-origin")], "0000").status,
        403
    );

    // The site's own form, as a browser sends it.
    let host = server.url.trim_start_matches("http://").to_string();
    let origin = format!("http://{host}");
    let r = login(
        &[("Sec-Fetch-Site", "same-origin"), ("Origin", &origin)],
        &token,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("pl_session=")));
    // A form sent by a browser with the strictest referrer policy (Origin: null) is still ours
    // when Sec-Fetch-Site says so.
    let r = login(
        &[("Sec-Fetch-Site", "same-origin"), ("Origin", "null")],
        &token,
    );
    assert_eq!(r.status, 303, "{}", r.body);
}
