//! Writing together: revisions, diff, conflicts, approval, previews, the import's attestation.

use super::*;

#[test]
fn two_editors_never_overwrite_each_other_silently() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let first = server.set_up();
    village_list(&first);
    // A second editor: a resident the admin makes a moderator (staff edit the village list).
    let second = server.resident("claire@village.test", "Claire");
    let users = first.get("/admin/users");
    assert!(users.body.contains("/admin/users/2/role"), "{}", users.body);
    let r = first.post_form("/admin/users/2/role", &users, &[("role", "moderator")]);
    assert_eq!(r.status, 303, "{}", r.body);

    let mailing = draft(
        &first,
        "village",
        "Avril",
        "Bonjour\nFête samedi\nÀ bientôt",
    );
    // Both open version 1.
    let a = first.get(&mailing);
    let b = second.get(&mailing);
    assert!(
        a.body.contains("name=\"base_revision\" value=\"1\""),
        "{}",
        a.body
    );
    let r = first.post_form(
        &mailing,
        &a,
        &[
            ("subject", "Avril"),
            ("body", "Bonjour\nFête dimanche\nÀ bientôt"),
            ("base_revision", "1"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The second saves over version 1: refused, both versions shown, nothing lost.
    let r = second.post_form(
        &mailing,
        &b,
        &[
            ("subject", "Avril"),
            (
                "body",
                "Bonjour\nFête samedi\nÀ bientôt\nPS : apportez un plat",
            ),
            ("base_revision", "1"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Fête dimanche") && r.body.contains("PS : apportez un plat"));
    assert!(r.body.contains("name=\"base_revision\" value=\"2\""));
    let page = first.get(&mailing);
    assert!(page.body.contains("version 2") && page.body.contains("Fête dimanche"));
    assert!(!page.body.contains("apportez un plat"));

    // The diff between the two revisions.
    let d = first.get(&format!("{mailing}/diff?from=1&to=2"));
    assert_eq!(d.status, 200);
    assert!(
        d.body.contains("<del>- Fête samedi</del>")
            && d.body.contains("<ins>+ Fête dimanche</ins>"),
        "{}",
        d.body
    );

    // Previews as HTML and plain text.
    let html = first.get(&format!("{mailing}/preview"));
    assert!(
        html.header("content-type").starts_with("text/html") && html.body.contains("Fête dimanche")
    );
    let text = first.get(&format!("{mailing}/preview?format=text"));
    assert!(
        text.header("content-type").starts_with("text/plain")
            && text.body.contains("Se désinscrire")
    );

    // The author cannot approve their own version; the other editor can.
    let page = first.get(&mailing);
    let r = first.post_form(&format!("{mailing}/approve"), &page, &[("revision", "2")]);
    assert_eq!(r.status, 422);
    let page = second.get(&mailing);
    let r = second.post_form(&format!("{mailing}/approve"), &page, &[("revision", "2")]);
    assert_eq!(r.status, 303);
    assert!(first
        .get(&mailing)
        .body
        .contains("Cette version est approuvée"));

    // A visitor sees none of it.
    let anon = server.client();
    assert_eq!(anon.get(&mailing).status, 403);
    assert_eq!(anon.get(&format!("{mailing}/preview")).status, 403);
}

#[test]
fn an_import_needs_the_attestation_and_is_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    village_list(&admin);
    let page = admin.get("/lists/village/import");
    let r = admin.post_form(
        "/lists/village/import",
        &page,
        &[("csv", "a@village.test\nb@village.test"), ("origin", "AG")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("a@village.test"), "the text is kept");
    import(
        &admin,
        "village",
        &["a@village.test".into(), "b@village.test".into()],
    );
    let csv = admin.get("/lists/village/consents.csv").body;
    let line = csv
        .lines()
        .find(|l| l.starts_with("a@village.test"))
        .unwrap();
    assert!(
        line.contains(",import,\"import: fiche papier, AG 2026\",Mairie,"),
        "{line}"
    );
    let subs = admin.get("/lists/village/subscribers.csv").body;
    assert!(subs.contains("a@village.test") && subs.contains("b@village.test"));
}

#[test]
fn the_editors_change_the_promise_and_visitors_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    village_list(&admin);
    let page = admin.get("/lists/village/edit");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("value=\"month\" selected"),
        "{}",
        page.body
    );
    let mut fields = vec![
        ("name", "La lettre du bourg"),
        ("purpose", "Les nouvelles."),
        ("public", "on"),
        ("frequency", "days"),
        ("days", "0"),
    ];
    let r = admin.post_form("/lists/village/edit", &page, &fields);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("La lettre du bourg"));
    fields[4] = ("days", "10");
    let r = admin.post_form("/lists/village/edit", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let anon = server.client();
    let signup = anon.get("/lists/village");
    assert!(signup.body.contains("La lettre du bourg"));
    assert!(signup.body.contains("au plus une fois tous les 10 jours"));
    assert_eq!(anon.get("/lists/village/edit").status, 403);
    let r = anon.post_form("/lists/village/edit", &signup, &fields);
    assert_eq!(r.status, 403);
}

#[test]
fn an_actor_has_its_own_private_list_and_an_account_subscribes_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    village_list(&admin);
    let page = admin.get("/directory/new");
    let r = admin.post_form(
        "/directory/new",
        &page,
        &[
            ("kind", "organisation"),
            ("type", "association"),
            ("name", "Football club"),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/lists/new");
    assert!(page.body.contains("football-club"), "{}", page.body);
    let r = admin.post_form(
        "/lists/new",
        &page,
        &[
            ("name", "Les nouvelles du club"),
            ("owner", "football-club"),
            ("frequency", "week"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let url = r.location();
    assert_eq!(url, "/lists/les-nouvelles-du-club");
    // Private (the box was not ticked): a visitor does not see it, its editor does.
    let anon = server.client();
    assert_eq!(anon.get(&url).status, 404);
    assert_eq!(anon.get(&format!("{url}/archive")).status, 404);
    assert!(admin
        .get(&url)
        .body
        .contains("au plus une fois par semaine"));
    assert!(!anon.get("/lists").body.contains("Les nouvelles du club"));

    // A resident subscribes to the village list with their account's confirmed address:
    // active at once, recorded as such in the ledger.
    let resident = server.resident("paul@village.test", "Paul");
    let page = resident.get("/lists/village");
    assert!(page.body.contains("value=\"paul@village.test\""));
    let r = resident.post_form(
        "/lists/village",
        &page,
        &[("email", "paul@village.test"), ("consent", "on")],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Inscription confirmée"), "{}", r.body);
    let csv = admin.get("/lists/village/consents.csv").body;
    assert!(
        csv.contains("paul@village.test,account,/lists/village,Paul,"),
        "{csv}"
    );
    // "Download my data" has the subscription and its consent.
    let export = resident.get("/account/export");
    assert!(export.body.contains("\"subscriptions\"") && export.body.contains("\"account\""));
}

#[test]
fn a_scheduled_mailing_waits_and_the_promise_counts_from_its_date() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    village_list(&admin);

    // The agenda block is inserted into the text being written (nothing saved yet).
    let page = admin.get("/lists/village/mailings/new");
    let r = admin.post_form(
        "/lists/village/mailings/new",
        &page,
        &[
            ("subject", "Janvier"),
            ("body", "Bonne année !"),
            ("action", "agenda"),
        ],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Bonne année !"), "{}", r.body);
    assert!(
        r.body.contains("## À l'agenda") || r.body.contains("## À l&#39;agenda"),
        "{}",
        r.body
    );

    let first = draft(&admin, "village", "Janvier", "Bonne année !");
    let page = admin.get(&first);
    let r = admin.post_form(
        &format!("{first}/send"),
        &page,
        &[("send_at", "2030-01-01T09:00")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get(&first);
    assert!(
        page.body
            .contains("Programmé · mardi 1 janvier 2030 à 09:00"),
        "{}",
        page.body
    );

    // A second one two weeks later breaks the monthly promise: refused with the date.
    let second = draft(&admin, "village", "Mi-janvier", "Déjà ?");
    let page = admin.get(&second);
    let r = admin.post_form(
        &format!("{second}/send"),
        &page,
        &[("send_at", "2030-01-15T09:00")],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("à partir du vendredi 1 février 2030 à 09:00"),
        "{}",
        r.body
    );
    // One click schedules it at that date instead.
    assert!(r
        .body
        .contains("name=\"send_at\" value=\"2030-02-01T09:00\""));
    assert!(r
        .body
        .contains("Programmer l'envoi au vendredi 1 février 2030 à 09:00"));
    // A date that is not one is a form error, not a fault.
    let r = admin.post_form(&format!("{second}/send"), &page, &[("send_at", "bad date")]);
    assert_eq!(r.status, 422);

    // Taken back to the drafts, the first no longer holds the second back.
    let page = admin.get(&first);
    assert_eq!(
        admin
            .post_form(
                &format!("{first}/unschedule"),
                &page,
                &[] as &[(&str, &str)]
            )
            .status,
        303
    );
    let page = admin.get(&second);
    let r = admin.post_form(
        &format!("{second}/send"),
        &page,
        &[("send_at", "2030-01-15T09:00")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

#[test]
fn members_propose_mailings_that_only_the_editors_send() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    village_list(&admin);
    let ana = server.resident("ana@village.test", "Ana");
    // Announce-only by default: a resident may not write.
    assert_eq!(ana.get("/lists/village/mailings/new").status, 403);
    let page = admin.get("/lists/village/edit");
    let fields = [
        ("name", "La lettre"),
        ("public", "on"),
        ("frequency", "month"),
        ("members_post", "on"),
    ];
    assert_eq!(
        admin
            .post_form("/lists/village/edit", &page, &fields)
            .status,
        303
    );

    assert!(ana.get("/lists/village").body.contains("Proposer un envoi"));
    let proposal = draft(
        &ana,
        "village",
        "Vide-grenier",
        "Le vide-grenier de l'école.",
    );
    let page = ana.get(&proposal);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Programmer l'envoi") && !page.body.contains("Approuver"));
    assert_eq!(
        ana.post_form(&format!("{proposal}/send"), &page, &[("send_at", "")])
            .status,
        403
    );
    assert_eq!(ana.get("/lists/village/manage").status, 403);
    // Another resident does not see it; the editors do, and moderate it.
    let bob = server.resident("bob@village.test", "Bob");
    assert_eq!(bob.get(&proposal).status, 403);
    assert!(admin
        .get("/lists/village/manage")
        .body
        .contains("Vide-grenier"));
    let page = admin.get(&proposal);
    assert!(page.body.contains("Programmer l'envoi"));
    let r = admin.post_form(&format!("{proposal}/delete"), &page, &[] as &[(&str, &str)]);
    assert_eq!(r.status, 303);
    assert_eq!(admin.get(&proposal).status, 404);
}
