//! Double opt-in, the headers of every message, one-click unsubscribe, the promise.

use super::*;
use crate::support::{link_containing, ADMIN_EMAIL};

#[test]
fn double_opt_in_list_headers_one_click_unsubscribe_and_the_promise() {
    let dir = tempfile::tempdir().unwrap();
    let (server, sink, admin) = server_with_sink(dir.path());

    // A resident finds the box on the home page and the promise on the sign-up page.
    let anon = server.client();
    let home = anon.get("/");
    assert!(
        home.body
            .contains("Recevoir la lettre du village (au plus une fois par mois)"),
        "{}",
        home.body
    );
    let page = anon.get("/lists/village?email=lea%40village.test");
    assert!(
        page.body.contains("Promesse : au plus une fois par mois."),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"lea@village.test\""));

    // Without the consent box: 422, what was typed is kept.
    let r = anon.post_form("/lists/village", &page, &[("email", "lea@village.test")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Cochez la case") && r.body.contains("lea@village.test"));
    let r = anon.post_form(
        "/lists/village",
        &page,
        &[
            ("email", "lea@village.test"),
            ("consent", "on"),
            ("from", "/"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("confirmez votre inscription"));

    // The confirmation arrives over SMTP; the link shows a button; the POST confirms.
    let confirm = sink.wait_message(1);
    assert!(confirm.contains("To: lea@village.test"), "{confirm}");
    let link = link_containing(&confirm, "/lists/confirm/");
    let path = &link[link.find("/lists/confirm/").unwrap()..];
    let button = anon.get(path);
    assert_eq!(button.status, 200);
    assert!(button.body.contains("Confirmer mon inscription"));
    let r = anon.post_form(path, &button, &[] as &[(&str, &str)]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Inscription confirmée"));

    // The editors send a mailing now.
    let mailing = draft(
        &admin,
        "village",
        "La lettre de mars",
        "Bonjour,\n\nLa **fête du pain** est samedi.",
    );
    let r = send_now(&admin, &mailing);
    assert_eq!(r.status, 303, "{}", r.body);
    let raw = sink.wait_message(2);
    assert!(raw.contains("To: lea@village.test"), "{raw}");
    assert!(header(&raw, "List-Id").contains("village.lists."), "{raw}");
    let unsub = header(&raw, "List-Unsubscribe");
    assert!(
        unsub.contains("<http") && unsub.contains("/lists/u/"),
        "{unsub}"
    );
    assert!(
        unsub.contains("<mailto:mairie@village.test?subject=unsubscribe"),
        "{unsub}"
    );
    assert_eq!(
        header(&raw, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    assert!(
        header(&raw, "Content-Type").starts_with("multipart/alternative"),
        "{raw}"
    );
    assert!(raw.contains("Content-Type: text/plain") && raw.contains("Content-Type: text/html"));
    assert!(raw.contains("<strong>fête du pain</strong>"), "{raw}");
    assert!(!raw.to_lowercase().contains("<img"), "no tracking pixel");
    // The visible link in the text is the same per-subscriber URL as in the header.
    let https = unsub[1..unsub.find('>').unwrap()].to_string();
    assert!(raw.contains(&https), "visible unsubscribe link");
    assert_eq!(
        header(&raw, "Message-ID"),
        header(&raw, "Message-ID").trim()
    );

    // Nobody's address on the public pages.
    for p in [
        "/lists/village",
        "/lists/village/archive",
        "/lists/village/feed.rss",
        "/lists",
        "/api/v1/lists",
    ] {
        let r = anon.get(p);
        assert_eq!(r.status, 200, "{p}");
        assert!(!r.body.contains("lea@village.test"), "{p} shows an address");
    }
    assert!(anon
        .get("/lists/village/archive")
        .body
        .contains("La lettre de mars"));
    assert!(anon
        .get("/lists/village/feed.rss")
        .body
        .contains("<title>La lettre de mars</title>"));

    // The promise: a second mailing this month is refused with the date it becomes possible.
    let second = draft(&admin, "village", "Encore une", "Déjà ?");
    let r = send_now(&admin, &second);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains("Le prochain envoi est possible à partir du"),
        "{}",
        r.body
    );
    assert!(admin.get(&second).body.contains("Brouillon"));

    // One-click unsubscribe, as a mail provider does it: POST, no cookie, no CSRF token.
    let stranger = server.client();
    let one_click = &https[https.find("/lists/u/").unwrap()..];
    let last = if one_click.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &one_click[..one_click.len() - 1]);
    assert_eq!(
        stranger
            .post_raw(&forged, &[("List-Unsubscribe", "One-Click")])
            .status,
        403
    );
    let r = stranger.post_raw(one_click, &[("List-Unsubscribe", "One-Click")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("désinscrit"));
    // The human page says so too.
    assert!(stranger.get(one_click).body.contains("désinscrit"));

    // The ledger, for the editors only: the consent, its confirmation and its withdrawal.
    let csv = admin.get("/lists/village/consents.csv");
    assert_eq!(csv.status, 200);
    let line = csv
        .body
        .lines()
        .find(|l| l.starts_with("lea@village.test"))
        .expect("ledger line");
    let cols: Vec<&str> = line.split(',').collect();
    assert_eq!(cols[1], "form");
    assert_eq!(cols[2], "/");
    assert!(
        !cols[5].is_empty() && !cols[6].is_empty(),
        "confirmed and withdrawn: {line}"
    );
    assert_eq!(anon.get("/lists/village/consents.csv").status, 403);
    let _ = ADMIN_EMAIL;
}
