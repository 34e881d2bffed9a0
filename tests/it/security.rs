//! The security baseline: CSRF on every POST, headers, cookies, error pages, limits.

use crate::support::*;

#[test]
fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();

    // Every POST route of the route table, without a token; last, the one that would delete
    // the admin's account if it were accepted. With a session cookie, the API needs the token
    // too (without one, it answers 401).
    let mut posts: Vec<String> = route_table("x")
        .into_iter()
        .filter(|(m, p)| m == "POST" && p != "/account/delete")
        .map(|(_, p)| p)
        .collect();
    posts.push("/account/delete".into());
    for path in &posts {
        let r = admin.post_raw(path, &[("name", "Piraté")]);
        // ActivityPub inboxes read no session: an HTTP Signature is their credential (401).
        // Nor does a channel's incoming webhook: its HMAC signature is (401).
        let expected = if (path.starts_with("/ap/") && path.ends_with("/inbox"))
            || path.starts_with("/hooks/c/")
        {
            401
        } else {
            403
        };
        assert_eq!(
            r.status, expected,
            "{path} accepted a POST without CSRF token"
        );
    }
    let r = admin.post_raw("/admin", &[("_csrf", "0000"), ("name", "Piraté")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Formulaire expiré"), "{}", r.body);

    // A token from another visitor does not work either.
    let stranger = server.client();
    let foreign = stranger.get("/login");
    let r = admin.post_form("/account", &foreign, &[("name", "Piraté"), ("lang", "fr")]);
    assert_eq!(r.status, 403);

    // A cross-site Origin is refused even with a valid token.
    let page = admin.get("/account");
    let r = crate::support::Resp::from(
        admin
            .agent
            .post(&format!("{}/account", server.url))
            .set("Origin", "https://evil.example")
            .send_form(&[("_csrf", &page.csrf()), ("name", "Piraté"), ("lang", "fr")]),
    );
    assert_eq!(r.status, 403);
    assert!(!admin.get("/account").body.contains("Piraté"));
}

#[test]
fn every_response_has_security_headers_and_friendly_errors() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    for path in ["/", "/login", "/nowhere", "/healthz"] {
        let r = c.get(path);
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert!(!r.header("referrer-policy").is_empty());
    }
    let r = c.get("/nowhere");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Page introuvable"));
    let r = c.get_with("/nowhere", &[("Accept-Language", "en")]);
    assert!(r.body.contains("Page not found"), "{}", r.body);
    let api = c.get("/api/v1/me");
    assert_eq!(api.status, 401);
    assert!(api.header("content-type").starts_with("application/json"));
}

#[test]
fn cookies_are_http_only_and_login_starts_a_new_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    // A visitor gets no cookie at all (their pages are the same for every visitor).
    let page = c.get("/login");
    assert!(
        page.header("set-cookie").is_empty(),
        "{}",
        page.header("set-cookie")
    );
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let page = c.get("/login");
        let r = c.post_form(
            "/login",
            &page,
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        );
        assert_eq!(r.status, 303);
        let cookie = r
            .headers
            .iter()
            .find(|(n, v)| n.eq_ignore_ascii_case("set-cookie") && v.starts_with("pl_session="))
            .unwrap()
            .1
            .clone();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        sessions.push(cookie);
    }
    assert_ne!(sessions[0], sessions[1], "each login gets a new session id");
}

#[test]
fn oversized_forms_get_413_and_no_email_is_public() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let page = c.get("/signup");
    let big = "x".repeat(300 * 1024);
    let r = c.post_form("/signup", &page, &[("name", big.as_str())]);
    assert_eq!(r.status, 413);
    assert!(r.body.contains("trop volumineux"), "{}", r.body);
    for path in ["/", "/login", "/signup", "/api/v1/instance"] {
        assert!(
            !c.get(path).body.contains(ADMIN_EMAIL),
            "{path} shows an email address"
        );
    }
}

#[test]
fn assets_have_hashed_urls_long_cache_and_compression() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let home = c.get("/");
    let start = home.body.find("/assets/placette.").unwrap();
    let href = home.body[start..].split('"').next().unwrap().to_string();
    assert!(
        href.ends_with(".css") && href.len() > "/assets/placette.css".len(),
        "{href}"
    );
    let css = c.get_with(&href, &[("Accept-Encoding", "gzip")]);
    assert_eq!(css.status, 200);
    assert!(css.header("cache-control").contains("immutable"));
    assert_eq!(css.header("content-encoding"), "gzip");
    assert!(home.body.len() < 30_000, "the home page is small");
}

#[test]
fn mail_links_use_the_recorded_address_not_the_request_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let page = c.get("/password/forgot");
    let r = Resp::from(
        c.agent
            .post(&format!("{}/password/forgot", server.url))
            .set("X-Forwarded-Host", "evil.example")
            .set("Host", "evil.example")
            .send_form(&[("_csrf", &page.csrf()), ("email", ADMIN_EMAIL)]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = server.outbox_for(ADMIN_EMAIL).pop().unwrap();
    let link = link_containing(&mail, "/password/reset/");
    assert!(link.starts_with(&server.url), "{link}");
    assert!(!mail.contains("evil.example"));
}

#[test]
fn redirects_stay_on_the_site_and_forged_flash_messages_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    for next in [
        "//evil.example",
        "/\t/evil.example",
        "https://evil.example",
        "/\\evil.example",
    ] {
        let c = server.client();
        let page = c.get("/login");
        let r = c.post_form(
            "/login",
            &page,
            &[
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ],
        );
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/", "next={next:?}");
    }
    let r = server
        .client()
        .get_with("/", &[("Cookie", "pl_flash=flash.you_won_a_prize")]);
    assert!(!r.body.contains("you_won_a_prize") && !r.body.contains("class=\"flash\""));
}
