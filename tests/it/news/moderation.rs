//! Reports and moderation; who may edit and delete.

use super::*;

#[test]
fn a_report_reaches_moderators_who_hide_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();
    let id = publish(
        &jeanne,
        "/news",
        "Message blablatruc",
        "Des propos douteux.",
        "public",
    );
    let cid = comment(&jeanne, id, "Un commentaire grossier", None);
    wait_search(&anon, "blablatruc", &[format!("/news/{id}")]);

    // Paul reports: the moderators get one mail (not one per report).
    let page = paul.get(&format!("/news/{id}"));
    assert!(page.body.contains("Signaler"));
    let form = paul.get(&format!("/report/news/{id}"));
    assert_eq!(form.status, 200);
    let r = paul.post_form(
        &format!("/report/news/{id}"),
        &form,
        &[("reason", "hate"), ("note", "propos injurieux")],
    );
    assert_eq!(r.status, 303);
    let mails = server.outbox_for(ADMIN_EMAIL);
    assert_eq!(mails.len(), 1, "one mail to the one moderator");
    let mail = &mails[0];
    assert!(
        mail.contains("propos injurieux") && mail.contains("/moderation"),
        "{mail}"
    );
    let other = server.resident("luc@village.test", "Luc");
    let page = other.get(&format!("/report/news/{id}"));
    let r = other.post_form(&format!("/report/news/{id}"), &page, &[("reason", "spam")]);
    assert_eq!(r.status, 303);
    assert_eq!(
        server.outbox_for(ADMIN_EMAIL).len(),
        mails.len(),
        "one mail per item"
    );

    // The queue is for moderators.
    assert_eq!(paul.get("/moderation").status, 403);
    let queue = admin.get("/moderation");
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("propos injurieux") && queue.body.contains("2 signalement(s)"));

    // Hidden: gone from the wall, its page, the feed, the API and the search.
    let r = admin.post_form(
        &format!("/moderation/items/news/{id}/hide"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/moderation");
    for c in [&anon, &paul, &jeanne] {
        assert_eq!(c.get(&format!("/news/{id}")).status, 404);
        assert!(!c.get("/news").body.contains("blablatruc"));
        assert!(!c.get("/api/v1/news").body.contains("blablatruc"));
    }
    assert!(!anon.get("/news.rss").body.contains("blablatruc"));
    wait_search(&anon, "blablatruc", &[]);
    let seen = admin.get(&format!("/news/{id}"));
    assert!(seen.status == 200 && seen.body.contains("Masqué par la modération"));
    let queue = admin.get("/moderation");
    assert!(!queue.body.contains("propos injurieux"), "reports closed");
    assert!(
        queue.body.contains("Message blablatruc"),
        "listed as hidden"
    );

    // Restored: back everywhere.
    let r = admin.post_form(
        &format!("/moderation/items/news/{id}/restore"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/news/{id}")).status, 200);
    assert!(anon.get("/news").body.contains("blablatruc"));
    wait_search(&anon, "blablatruc", &[format!("/news/{id}")]);

    // A comment: reported, hidden, shown as such to readers, restored.
    let page = paul.get(&format!("/report/comment/{cid}"));
    let r = paul.post_form(
        &format!("/report/comment/{cid}"),
        &page,
        &[("reason", "off_topic")],
    );
    assert_eq!(r.status, 303);
    let queue = admin.get("/moderation");
    assert!(queue.body.contains("Un commentaire grossier"));
    let r = admin.post_form(
        &format!("/moderation/items/comment/{cid}/hide"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    let p = anon.get(&format!("/news/{id}"));
    assert!(!p.body.contains("grossier"));
    assert!(
        json(&anon.get(&format!("/api/v1/news/{id}")))["comment_list"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = admin.post_form(
        &format!("/moderation/items/comment/{cid}/restore"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert!(anon.get(&format!("/news/{id}")).body.contains("grossier"));
}

#[test]
fn only_authors_moderators_and_journal_admins_edit_or_delete() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let id = publish(&jeanne, "/news", "Atelier vélo", "Samedi matin.", "public");
    let cid = comment(&paul, id, "J'ai une roue à réparer.", None);
    let page = paul.get(&format!("/news/{id}"));
    let edit = [
        ("title", "Piraté"),
        ("body", "Piraté"),
        ("audience", "public"),
    ];

    // Another member: 403 on every change of someone else's post or comment.
    assert_eq!(paul.get(&format!("/news/{id}/edit")).status, 403);
    assert_eq!(
        paul.post_form(&format!("/news/{id}/edit"), &page, &edit)
            .status,
        403
    );
    assert_eq!(
        paul.post_form(&format!("/news/{id}/delete"), &page, &[("x", "")])
            .status,
        403
    );
    let jpage = jeanne.get(&format!("/news/{id}"));
    assert_eq!(
        jeanne.get(&format!("/news/comments/{cid}/edit")).status,
        403
    );
    assert_eq!(
        jeanne
            .post_form(
                &format!("/news/comments/{cid}/delete"),
                &jpage,
                &[("x", "")]
            )
            .status,
        403
    );
    // A visitor is sent to the login form.
    let anon = server.client();
    let apage = anon.get("/news");
    let r = anon.post_form(&format!("/news/{id}/delete"), &apage, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert!(r.location().starts_with("/login?next="));
    assert!(anon
        .get(&format!("/news/{id}"))
        .body
        .contains("Atelier vélo"));

    // The author edits (a bad edit keeps the input), the moderators too.
    let form = jeanne.get(&format!("/news/{id}/edit"));
    assert_eq!(form.status, 200);
    let r = jeanne.post_form(
        &format!("/news/{id}/edit"),
        &form,
        &[
            ("title", "Atelier vélo réparé"),
            ("body", ""),
            ("audience", "public"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Atelier vélo réparé\""));
    let r = jeanne.post_form(
        &format!("/news/{id}/edit"),
        &form,
        &[
            ("title", "Atelier vélo"),
            ("body", "Samedi 10 h."),
            ("audience", "public"),
        ],
    );
    assert_eq!(r.status, 303);
    assert!(anon.get(&format!("/news/{id}")).body.contains("modifié le"));
    let aform = admin.get(&format!("/news/{id}/edit"));
    let r = admin.post_form(
        &format!("/news/{id}/edit"),
        &aform,
        &[
            ("title", "Atelier vélo"),
            ("body", "Samedi 10 h, place de l'Église."),
            ("audience", "public"),
        ],
    );
    assert_eq!(r.status, 303);

    // On a journal, its admins may delete what members posted.
    let slug = create_actor(&admin, "Repair café");
    let page = admin.get(&format!("/a/{slug}/members"));
    let r = admin.post_form(
        &format!("/a/{slug}/invite"),
        &page,
        &[
            ("email", "paul@village.test"),
            ("role", "member"),
            ("title", ""),
        ],
    );
    assert_eq!(r.status, 303);
    let mail = server
        .outbox_for("paul@village.test")
        .into_iter()
        .find(|m| m.contains("/invite/"))
        .expect("the invitation");
    let link = link_containing(&mail, "/invite/");
    let path = &link[link.find("/invite/").unwrap()..];
    let r = paul.post_form(path, &paul.get(path), &[("x", "")]);
    assert_eq!(r.status, 303);
    let pid = publish(
        &paul,
        &format!("/a/{slug}/news"),
        "",
        "Prochain café samedi.",
        "public",
    );
    let jp = jeanne.get(&format!("/news/{pid}"));
    assert_eq!(
        jeanne
            .post_form(&format!("/news/{pid}/delete"), &jp, &[("x", "")])
            .status,
        403
    );
    let ap = admin.get(&format!("/news/{pid}"));
    let r = admin.post_form(&format!("/news/{pid}/delete"), &ap, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/a/{slug}/news"));
    assert_eq!(anon.get(&format!("/news/{pid}")).status, 404);

    // The author deletes her post, comments with it.
    let r = jeanne.post_form(&format!("/news/{id}/delete"), &jpage, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/news/{id}")).status, 404);
    assert_eq!(paul.get(&format!("/news/comments/{cid}/edit")).status, 404);
}
