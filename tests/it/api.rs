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
    for path in ["/instance", "/me"] {
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
