//! The JSON API base: OpenAPI document, public instance, bearer tokens.

use crate::support::*;

#[test]
fn openapi_document_describes_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let c = server.client();
    // Reachable before setup too (tools can discover an instance).
    let r = c.get("/api/v1/openapi.json");
    assert_eq!(r.status, 200);
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/instance", "/api/v1/me"] {
        assert!(
            doc["paths"][path]["get"]["responses"]["200"].is_object(),
            "{path} documented"
        );
    }
    // Every $ref points at a defined schema.
    let text = r.body.clone();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
}

#[test]
fn bad_bearer_token_is_401_and_needs_no_csrf_when_valid() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let r = server
        .client()
        .get_with("/api/v1/me", &[("Authorization", "Bearer plt_nope")]);
    assert_eq!(r.status, 401);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(json["error"].is_string());
}

#[test]
fn writes_without_credentials_are_401_and_with_a_session_need_the_csrf_header() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let body = serde_json::json!({"kind": "place", "type": "compost", "name": "Composteur", "visibility": "public"});
    let anon =
        Resp::from(ureq::post(&format!("{}/api/v1/actors", server.url)).send_json(body.clone()));
    assert_eq!(anon.status, 401, "{}", anon.body);
    // A browser session without the token is a possible forgery: refused.
    let forged = Resp::from(
        admin
            .agent
            .post(&format!("{}/api/v1/actors", server.url))
            .send_json(body.clone()),
    );
    assert_eq!(forged.status, 403);
    let token = admin.get("/account").csrf();
    let ok = Resp::from(
        admin
            .agent
            .post(&format!("{}/api/v1/actors", server.url))
            .set("X-CSRF-Token", &token)
            .send_json(body),
    );
    assert!(
        ok.status == 201 || ok.status == 200,
        "{} {}",
        ok.status,
        ok.body
    );
}

/// The link fields (`url`, `archive`, `ics`, `photo`, `image`) of a JSON answer, wherever
/// they are, and a room booking's agenda `event`.
fn links(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                let link = ["url", "archive", "ics", "photo", "image"].contains(&k.as_str())
                    || (k == "event"
                        && fields.contains_key("start")
                        && !fields.contains_key("recurrence_id"));
                match v.as_str() {
                    Some(s) if link => out.push(s.to_string()),
                    _ => links(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| links(i, out)),
        _ => {}
    }
}

#[test]
fn api_and_json_ld_links_are_absolute_on_the_public_address() {
    const PUBLIC: &str = "https://placette.village.example";
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--demo"]);
    let admin = server.client();
    admin.login("admin@demo.placette.invalid", "placette-demo");
    // The admin records the public address: links use it, never the request's Host.
    let mut general: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .collect();
    general.push(("public_url", PUBLIC.into()));
    for m in [
        "directory",
        "agenda",
        "news",
        "aid",
        "rooms",
        "lists",
        "map",
    ] {
        general.push(("modules", m.into()));
    }
    let r = admin.post_form("/admin", &admin.get("/admin"), &general);
    assert_eq!(r.status, 303, "{}", r.body);

    let anon = server.client();
    let get = |path: &str| {
        let r = anon.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap()
    };
    let actors = get("/api/v1/actors");
    let actor = actors["items"][0]["slug"].as_str().unwrap().to_string();
    let event = get("/api/v1/events")["items"][0]["event"]
        .as_str()
        .unwrap()
        .to_string();
    let news = get("/api/v1/news")["items"][0]["id"].as_i64().unwrap();
    let aid = get("/api/v1/aid")["items"][0]["id"].as_i64().unwrap();
    let room = get("/api/v1/rooms")["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    for (path, some) in [
        ("/api/v1/actors".to_string(), true),
        (format!("/api/v1/actors/{actor}"), true),
        ("/api/v1/news".into(), true),
        (format!("/api/v1/news/{news}"), true),
        ("/api/v1/events".into(), true),
        (format!("/api/v1/events/{event}"), true),
        ("/api/v1/aid".into(), true),
        (format!("/api/v1/aid/{aid}"), true),
        ("/api/v1/rooms".into(), true),
        (format!("/api/v1/rooms/{room}/bookings"), false),
        ("/api/v1/lists".into(), true),
        ("/api/v1/search?q=pain&km=500".into(), true),
    ] {
        // The village list and the search index are made in the background: wait for them.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut found = Vec::new();
        loop {
            links(&get(&path), &mut found);
            if !some || !found.is_empty() || std::time::Instant::now() > deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(!some || !found.is_empty(), "{path}: no link");
        for l in found {
            assert!(
                l.starts_with(&format!("{PUBLIC}/")),
                "{path}: {l} is not absolute"
            );
        }
    }

    // An actor's JSON-LD names its page by its absolute URL too.
    let page = anon.get(&format!("/a/{actor}"));
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(ld["url"], format!("{PUBLIC}/a/{actor}"));
}
