//! The edges: CSRF on every news form, hostile input, the module switched off.

use super::*;

#[test]
fn every_news_post_needs_the_csrf_token_and_bad_input_gets_4xx() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create_actor(&admin, "Cible");
    let id = publish(&admin, "/news", "Cible", "Texte", "public");
    let cid = comment(&admin, id, "Commentaire", None);
    let posts = [
        "/news".to_string(),
        format!("/news/{id}/edit"),
        format!("/news/{id}/delete"),
        format!("/news/{id}/comments"),
        format!("/report/news/{id}"),
        format!("/news/comments/{cid}/edit"),
        format!("/news/comments/{cid}/delete"),
        format!("/report/comment/{cid}"),
        format!("/a/{slug}/news"),
        format!("/moderation/items/news/{id}/hide"),
        format!("/moderation/items/comment/{cid}/hide"),
    ];
    for path in &posts {
        let r = admin.post_raw(path, &[("body", "Piraté"), ("comment", "Piraté")]);
        assert_eq!(r.status, 403, "{path} accepted a POST without CSRF token");
    }
    assert!(admin
        .get(&format!("/news/{id}"))
        .body
        .contains("Commentaire"));

    // Odd ids and actions, junk bodies: 4xx, never 5xx.
    let page = admin.get("/news");
    for path in [
        "/news/abc",
        "/news/99999",
        "/news/-1/edit",
        "/news/comments/99999/edit",
        "/a/nobody/news",
        "/a/nobody/news.rss",
        "/api/v1/news/99999",
        "/api/v1/news?page=abc",
    ] {
        let s = admin.get(path).status;
        assert!((400..500).contains(&s), "{path} answered {s}");
    }
    for path in [
        format!("/moderation/items/news/{id}/explode"),
        "/moderation/items/news/99999/hide".to_string(),
        format!("/moderation/items/nothing/{id}/hide"),
        format!("/report/nothing/{id}"),
        "/news/99999/comments".to_string(),
    ] {
        let s = admin.post_form(&path, &page, &[("x", "")]).status;
        assert!((400..500).contains(&s), "{path} answered {s}");
    }
    let r = admin.post_form(
        &format!("/news/{id}/comments"),
        &page,
        &[("comment", "Réponse"), ("parent", "99999")],
    );
    assert_eq!(r.status, 422, "a reply to nothing is refused");
    let huge = "x".repeat(30_000);
    let r = admin.post_form(
        "/news",
        &page,
        &[("body", huge.as_str()), ("audience", "public")],
    );
    assert_eq!(r.status, 422);
}

#[test]
fn switching_the_news_off_answers_404_on_its_urls() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create_actor(&admin, "Chorale");
    let page = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "directory".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &page, &fields).status, 303);
    let c = server.client();
    for path in ["/news", "/news.rss", "/news/1", "/api/v1/news"] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    assert_eq!(c.get(&format!("/a/{slug}/news")).status, 404);
    assert_eq!(
        c.get(&format!("/a/{slug}")).status,
        200,
        "the directory stays"
    );
}
