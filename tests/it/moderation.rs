//! One moderation for every module, as residents, visitors and moderators use it: reports
//! from every module land in the one queue; decisions reach the reporters and the author by
//! mail (a real SMTP server) and on their account; suspension, masking of a person and of a
//! person on a page; the audit log and its CSV.

use std::time::{Duration, Instant};

use crate::support::*;

/// Every mail the sink received so far that is addressed to `to`.
fn mails_to(sink: &SmtpSink, to: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(&sink.dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|m| decode_qp(&m))
        .filter(|m| m.lines().any(|l| l.starts_with("To:") && l.contains(to)))
        .collect()
}

/// Waits until a mail to `to` holds `needle`.
fn wait_mail(sink: &SmtpSink, to: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(m) = mails_to(sink, to).into_iter().find(|m| m.contains(needle)) {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} with {needle:?}: {:?}",
            mails_to(sink, to)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The id in the first `/report/{kind}/{id}` link of a page.
fn report_id(body: &str, kind: &str) -> i64 {
    let needle = format!("/report/{kind}/");
    let at = body
        .find(&needle)
        .unwrap_or_else(|| panic!("no report link for {kind}"));
    body[at + needle.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// A person's number, from the admin's list of accounts (its row links to their moderation page).
fn user_id(admin: &Client, email: &str) -> i64 {
    let users = admin.get("/admin/users");
    let at = users.body.find(email).unwrap();
    let after = &users.body[at..];
    let m = after.find("/admin/users/").unwrap();
    after[m + 13..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

fn report(c: &Client, kind: &str, id: i64, fields: &[(&str, &str)]) -> Resp {
    let page = c.get(&format!("/report/{kind}/{id}"));
    assert_eq!(page.status, 200, "{kind} {id}: {}", page.body);
    c.post_form(&format!("/report/{kind}/{id}"), &page, fields)
}

#[test]
fn every_modules_content_lands_in_the_one_queue_and_the_reporters_hear_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    // Residents sign up first (their confirmation mails land in the outbox), then the mail
    // goes through a real SMTP server.
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let sink = SmtpSink::start(&dir.path().join("sink"));
    server.use_smtp(&admin, sink.port);
    let anon = server.client();

    // Jeanne's content in five modules.
    let news = crate::news::publish(
        &jeanne,
        "/news",
        "Soirée du comité",
        "Texte douteux.",
        "public",
    );
    let comment = crate::news::comment(&jeanne, news, "Commentaire douteux", None);
    let event = crate::agenda::create(&jeanne, &crate::agenda::fields("Concert douteux"));
    let event_id = report_id(&anon.get(&format!("/e/{event}")).body, "event");
    let aid = crate::aid::publish(&jeanne, "offer", "give", "Annonce douteuse", None);
    let page = new_actor(&jeanne, "Club douteux", "organisation", "association");
    let actor_id = report_id(&anon.get(&format!("/a/{page}")).body, "actor");

    // Paul reports each, with a reason; each page offers the link.
    for (kind, id, reason) in [
        ("news", news, "hate"),
        ("comment", comment, "spam"),
        ("event", event_id, "off_topic"),
        ("aid", aid, "other"),
        ("actor", actor_id, "personal_data"),
    ] {
        let r = report(
            &paul,
            kind,
            id,
            &[("reason", reason), ("note", "à vérifier")],
        );
        assert_eq!(r.status, 303, "{kind}: {}", r.body);
    }
    // A visitor may report illegal or hateful content only, and leave an address.
    let form = anon.get(&format!("/report/news/{news}"));
    assert!(form.body.contains("value=\"illegal\"") && !form.body.contains("value=\"spam\""));
    let bad = anon.post_form(
        &format!("/report/news/{news}"),
        &form,
        &[
            ("reason", "spam"),
            ("note", "ma note"),
            ("email", "pas-une-adresse"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("ma note") && bad.body.contains("pas-une-adresse"));
    let r = anon.post_form(
        &format!("/report/news/{news}"),
        &form,
        &[
            ("reason", "illegal"),
            ("note", "apologie"),
            ("email", "voisine@ailleurs.test"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // The moderators were mailed once per item that entered the queue.
    wait_mail(&sink, ADMIN_EMAIL, "/moderation/items/actor/");
    let first = mails_to(&sink, ADMIN_EMAIL);
    assert!(first.iter().any(|m| m.contains("/moderation/items/news/")));
    assert_eq!(
        first
            .iter()
            .filter(|m| m.contains(&format!("/moderation/items/news/{news}")))
            .count(),
        1,
        "one mail per item, not per report"
    );

    // One queue holds all five kinds; residents have no access.
    assert_eq!(paul.get("/moderation").status, 403);
    let queue = admin.get("/moderation");
    for title in [
        "Soirée du comité",
        "Concert douteux",
        "Annonce douteuse",
        "Club douteux",
    ] {
        assert!(queue.body.contains(title), "{title} not in the queue");
    }
    assert!(queue.body.contains("Commentaire douteux"));
    assert!(
        queue.body.contains("2 signalement(s)"),
        "the news post has two reports"
    );

    // The moderator picks a canned reply, edits it, and hides the post with a reason.
    let item = admin.get(&format!("/moderation/items/news/{news}"));
    assert_eq!(item.status, 200);
    assert!(
        item.body.contains("voisine@ailleurs.test"),
        "moderators see the visitor's address"
    );
    let reply = item.body.find("?reply=").expect("canned replies offered");
    let reply_id: String = item.body[reply + 7..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let picked = admin.get(&format!("/moderation/items/news/{news}?reply={reply_id}"));
    assert!(picked.body.contains("formulaire de contact") || picked.body.contains("Merci"));
    let r = admin.post_form(
        &format!("/moderation/items/news/{news}/hide"),
        &picked,
        &[
            ("reason", "Propos haineux"),
            ("answer", "Merci, le message est retiré."),
            ("message", ""),
            ("text", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anon.get(&format!("/news/{news}")).status, 404);
    // Both reporters are told, the visitor at the address they left; the author too.
    let told = wait_mail(&sink, "paul@village.test", "Merci, le message est retiré.");
    assert!(told.contains("masqué"), "{told}");
    wait_mail(
        &sink,
        "voisine@ailleurs.test",
        "Merci, le message est retiré.",
    );
    let author = wait_mail(&sink, "jeanne@village.test", "Propos haineux");
    assert!(
        author.contains("/contact"),
        "the author is told how to contest: {author}"
    );
    let mine = paul.get("/account/moderation");
    assert!(
        mine.body.contains("le contenu a été masqué")
            && mine.body.contains("Merci, le message est retiré.")
    );
    assert!(jeanne
        .get("/account/moderation")
        .body
        .contains("Propos haineux"));

    // Other decisions: keep the event, warn about the comment, hide the page, restore the post.
    let queue = admin.get("/moderation");
    for (path, fields) in [
        (
            format!("/moderation/items/event/{event_id}/keep"),
            vec![("answer", "Rien d'anormal.")],
        ),
        (
            format!("/moderation/items/comment/{comment}/warn"),
            vec![("message", "Restez courtois.")],
        ),
        (
            format!("/moderation/items/actor/{actor_id}/hide"),
            vec![("reason", "Coordonnées publiées")],
        ),
        (
            format!("/moderation/items/aid/{aid}/delete"),
            vec![("reason", "Doublon")],
        ),
        (
            format!("/moderation/items/news/{news}/restore"),
            vec![("reason", "Erreur")],
        ),
    ] {
        let r = admin.post_form(&path, &queue, &fields);
        assert_eq!(r.status, 303, "{path}: {}", r.body);
    }
    assert_eq!(anon.get(&format!("/e/{event}")).status, 200, "kept");
    assert_eq!(
        anon.get(&format!("/a/{page}")).status,
        404,
        "the page is hidden"
    );
    assert_eq!(anon.get(&format!("/aid/{aid}")).status, 404, "deleted");
    assert_eq!(anon.get(&format!("/news/{news}")).status, 200, "restored");
    wait_mail(&sink, "jeanne@village.test", "Restez courtois.");
    wait_mail(&sink, "paul@village.test", "Rien d'anormal.");
    // The page comes back as it was.
    let queue = admin.get("/moderation");
    let r = admin.post_form(
        &format!("/moderation/items/actor/{actor_id}/restore"),
        &queue,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/a/{page}")).status, 200);

    // The audit log holds every action, with who and why, and exports as CSV.
    let log = admin.get("/moderation/log");
    assert_eq!(log.status, 200);
    for word in [
        "hide",
        "keep",
        "warn",
        "delete",
        "restore",
        "Propos haineux",
        "Doublon",
    ] {
        assert!(log.body.contains(word), "{word} not in the log");
    }
    let csv = admin.get("/moderation/log.csv?action=hide");
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,moderator_id,moderator,action,kind,item_id,user_id,reason,before,after"
    );
    assert_eq!(lines.len(), 3, "two hides: {}", csv.body);
    assert_eq!(paul.get("/moderation/log").status, 403);
    assert_eq!(paul.get("/moderation/log.csv").status, 403);
    // The admin sets the retention (a bad value is a 422 that keeps it).
    let bad = admin.post_form("/moderation/settings", &log, &[("retention_days", "3")]);
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"3\""));
    let ok = admin.post_form("/moderation/settings", &log, &[("retention_days", "730")]);
    assert_eq!(ok.status, 303);
    // "Download my data" has the reports a person made.
    let data: serde_json::Value = serde_json::from_str(&paul.get("/account/export").body).unwrap();
    assert_eq!(data["moderation"]["reports"].as_array().unwrap().len(), 5);
}

#[test]
fn a_suspended_resident_cannot_post_anywhere_and_sees_why_until_lifted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let paul = server.resident("paul@village.test", "Paul");
    let news = crate::news::publish(&admin, "/news", "Fête du pain", "Samedi.", "public");
    let paul_id = user_id(&admin, "paul@village.test");
    let person = admin.get(&format!("/moderation/people/{paul_id}"));
    assert_eq!(person.status, 200);
    let bad = admin.post_form(
        &format!("/moderation/people/{paul_id}/suspend"),
        &person,
        &[("days", "zéro"), ("reason", "Insultes répétées")],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Insultes répétées"));
    let r = admin.post_form(
        &format!("/moderation/people/{paul_id}/suspend"),
        &person,
        &[("days", "7"), ("reason", "Insultes répétées")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(server
        .outbox_for("paul@village.test")
        .iter()
        .any(|m| m.contains("suspendu") && m.contains("Insultes répétées")));

    // Every way of posting is refused with the reason and the date.
    let home = paul.get("/news");
    assert!(
        home.body.contains("Insultes répétées"),
        "the banner says why"
    );
    for (path, fields) in [
        (
            "/news".to_string(),
            vec![("title", "x"), ("body", "x"), ("audience", "public")],
        ),
        (format!("/news/{news}/comments"), vec![("comment", "x")]),
        ("/agenda/new".to_string(), vec![("title", "x")]),
        ("/aid/new".to_string(), vec![("title", "x")]),
        ("/directory/new".to_string(), vec![("name", "x")]),
        (format!("/report/news/{news}"), vec![("reason", "spam")]),
    ] {
        let r = paul.post_form(&path, &home, &fields);
        assert_eq!(r.status, 403, "{path}");
        assert!(r.body.contains("Insultes répétées"), "{path}: {}", r.body);
    }
    // Their account and data stay theirs.
    assert_eq!(paul.get("/account/export").status, 200);
    let account = paul.get("/account");
    let r = paul.post_form("/account", &account, &[("name", "Paul D."), ("lang", "fr")]);
    assert_ne!(r.status, 403, "the account stays editable");

    // A moderator cannot suspend an admin, nor themselves.
    let admin_id = 1;
    let r = admin.post_form(
        &format!("/moderation/people/{admin_id}/suspend"),
        &person,
        &[("days", "1")],
    );
    assert_eq!(r.status, 403);

    // Lifted: Paul posts again.
    let r = admin.post_form(
        &format!("/moderation/people/{paul_id}/unsuspend"),
        &person,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    let page = paul.get(&format!("/news/{news}"));
    let r = paul.post_form(
        &format!("/news/{news}/comments"),
        &page,
        &[("comment", "Merci !")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let log = admin.get(&format!("/moderation/log?user={paul_id}"));
    assert!(log.body.contains("suspend") && log.body.contains("unsuspend"));
}

#[test]
fn masking_a_person_hides_all_their_public_content_and_restoring_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let anon = server.client();
    let news = crate::news::publish(&jeanne, "/news", "Pétition moulin", "Signez.", "public");
    let event = crate::agenda::create(&jeanne, &crate::agenda::fields("Réunion moulin"));
    let aid = crate::aid::publish(&jeanne, "offer", "give", "Donne farine", None);
    let jeanne_id = user_id(&admin, "jeanne@village.test");

    let person = admin.get(&format!("/moderation/people/{jeanne_id}"));
    let r = admin.post_form(
        &format!("/moderation/people/{jeanne_id}/mask"),
        &person,
        &[("reason", "Campagne de spam")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anon.get(&format!("/news/{news}")).status, 404);
    assert_eq!(anon.get(&format!("/aid/{aid}")).status, 404);
    assert!(!anon.get("/agenda").body.contains("Réunion moulin"));
    assert!(!anon.get("/agenda.ics").body.contains("Réunion moulin"));
    assert!(admin.get("/moderation").body.contains("Campagne de spam"));

    let person = admin.get(&format!("/moderation/people/{jeanne_id}"));
    let r = admin.post_form(
        &format!("/moderation/people/{jeanne_id}/unmask"),
        &person,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/news/{news}")).status, 200);
    assert_eq!(anon.get(&format!("/aid/{aid}")).status, 200);
    assert_eq!(anon.get(&format!("/e/{event}")).status, 200);
    assert!(anon.get("/agenda.ics").body.contains("Réunion moulin"));
}

#[test]
fn a_pages_admins_mask_a_person_from_their_journal() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let post = crate::news::publish(
        &admin,
        &format!("/a/{slug}/news"),
        "Kermesse",
        "Dimanche.",
        "public",
    );
    let paul = server.resident("paul@village.test", "Paul");
    crate::news::comment(&paul, post, "Nul, comme d'habitude", None);
    // The page's admin sees the button beside Paul's comment and masks him.
    let page = admin.get(&format!("/news/{post}"));
    assert!(page.body.contains(&format!("action=\"/a/{slug}/mask\"")));
    let at = page
        .body
        .find(&format!("action=\"/a/{slug}/mask\""))
        .unwrap();
    let rest = &page.body[at..];
    let v = rest.find("name=\"user_id\" value=\"").unwrap() + 22;
    let paul_id: String = rest[v..].chars().take_while(char::is_ascii_digit).collect();
    let r = admin.post_form(
        &format!("/a/{slug}/mask"),
        &page,
        &[("user_id", paul_id.as_str()), ("reason", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let list = admin.get(&format!("/a/{slug}/masked"));
    assert!(list.body.contains("Paul"));
    // Paul can no longer comment there; another resident can.
    let mine = paul.get(&format!("/news/{post}"));
    let r = paul.post_form(
        &format!("/news/{post}/comments"),
        &mine,
        &[("comment", "Encore moi")],
    );
    assert_eq!(r.status, 403);
    // Paul cannot use the page's masking himself.
    assert_eq!(
        paul.post_form(&format!("/a/{slug}/mask"), &mine, &[("user_id", "1")])
            .status,
        403
    );
    let r = admin.post_form(
        &format!("/a/{slug}/unmask"),
        &list,
        &[("user_id", paul_id.as_str())],
    );
    assert_eq!(r.status, 303);
    let r = paul.post_form(
        &format!("/news/{post}/comments"),
        &mine,
        &[("comment", "Pardon")],
    );
    assert_eq!(r.status, 303);
    assert!(admin.get("/moderation/log").body.contains("page_mask"));
}

#[test]
fn the_contact_form_reaches_the_moderators_privately_and_bad_input_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let sink = SmtpSink::start(&dir.path().join("sink"));
    server.use_smtp(&admin, sink.port);
    let anon = server.client();
    let home = anon.get("/");
    assert!(
        home.body.contains("href=\"/contact\""),
        "the footer links to it"
    );
    let form = anon.get("/contact");
    assert_eq!(form.status, 200);
    let bad = anon.post_form(
        "/contact",
        &form,
        &[
            ("name", "Léa"),
            ("email", "lea@"),
            ("message", "Mon numéro est sur le mur, retirez-le."),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Mon numéro est sur le mur") && bad.body.contains("value=\"lea@\""));
    let r = anon.post_form(
        "/contact",
        &form,
        &[
            ("name", "Léa"),
            ("email", "lea@ailleurs.test"),
            ("message", "Mon numéro est sur le mur, retirez-le."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = wait_mail(&sink, ADMIN_EMAIL, "Mon numéro est sur le mur");
    assert!(mail.contains("Reply-To: lea@ailleurs.test"), "{mail}");

    // A moderator's edit with no text is a 422 that keeps the reason typed.
    let jeanne_news = crate::news::publish(&admin, "/news", "Au mur", "Texte.", "public");
    let item = admin.get(&format!("/moderation/items/news/{jeanne_news}"));
    let r = admin.post_form(
        &format!("/moderation/items/news/{jeanne_news}/edit"),
        &item,
        &[("reason", "Numéro retiré"), ("text", "  ")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Numéro retiré"));
}
