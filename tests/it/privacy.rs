//! Account deletion, made exact (issue 16, item 8), checked as a person would: every
//! subscription of the address ends (one made before the account too); future bookings for
//! oneself are cancelled and the slot can be booked again, while an association's stay under
//! its name; what stays public is signed « ancien membre »; the account page says all this.

use std::time::{Duration, Instant};

use crate::rooms::{book, monday, plus, resident_from, room, set_rules};
use crate::support::*;

const PASSWORD: &str = "mot de passe du village";

/// Deletes the signed-in person's account through the account page.
fn delete_account(c: &Client) {
    let page = c.get("/account");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = c.post_form("/account/delete", &page, &[("delete_password", PASSWORD)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.get("/account").status, 303, "signed out");
}

/// Signs up with an address that already has mail in the outbox (a list's confirmation),
/// confirms it with the account's own link, and logs in.
fn sign_up(server: &Server, email: &str, name: &str) -> Client {
    let c = server.client();
    let page = c.get("/signup");
    let fields = [("name", name), ("email", email), ("password", PASSWORD)];
    assert_eq!(c.post_form("/signup", &page, &fields).status, 200);
    let link = server
        .outbox_for(email)
        .into_iter()
        .filter(|m| !m.contains("/lists/confirm/"))
        .find_map(|m| {
            m.contains("/confirm/")
                .then(|| link_containing(&m, "/confirm/"))
        })
        .expect("the account's confirmation mail");
    assert_eq!(c.get(&link[link.find("/confirm/").unwrap()..]).status, 303);
    c.login(email, PASSWORD);
    c
}

fn db(server: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(server.data.join("placette.db")).unwrap()
}

#[test]
fn the_account_page_says_what_ends_and_what_stays() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let _admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let body = jeanne.get("/account").body;
    for said in [
        "y compris ceux pris avant la création de votre compte",
        "faites pour vous-même sont annulées et les salles libérées",
        "restent à l&#39;association et apparaissent sous son nom",
        "signés « ancien membre »",
    ] {
        assert!(
            body.contains(said) || body.contains(&said.replace("&#39;", "'")),
            "{said}: {body}"
        );
    }
}

#[test]
fn every_subscription_of_the_address_ends_one_made_before_the_account_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    crate::lists::village_list(&admin);
    let email = "lea@village.test";

    // Léa subscribes to the village list without an account and confirms by mail.
    let anon = server.client();
    let page = anon.get("/lists/village");
    let r = anon.post_form(
        "/lists/village",
        &page,
        &[("email", email), ("consent", "on")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mail = loop {
        if let Some(m) = server
            .outbox_for(email)
            .into_iter()
            .find(|m| m.contains("/lists/confirm/"))
        {
            break m;
        }
        assert!(Instant::now() < deadline, "no confirmation mail");
        std::thread::sleep(Duration::from_millis(100));
    };
    let link = link_containing(&mail, "/lists/confirm/");
    let path = &link[link.find("/lists/confirm/").unwrap()..];
    let button = anon.get(path);
    assert_eq!(
        anon.post_form(path, &button, &[] as &[(&str, &str)]).status,
        200
    );

    // A second list, of an association; Léa, now with an account, subscribes to it too.
    let club = new_actor(&admin, "Football club", "organisation", "association");
    let page = admin.get("/lists/new");
    let r = admin.post_form(
        "/lists/new",
        &page,
        &[
            ("name", "Les nouvelles du club"),
            ("owner", club.as_str()),
            ("public", "on"),
            ("frequency", "week"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let list = r.location();
    let lea = sign_up(&server, email, "Léa");
    let page = lea.get(&list);
    let r = lea.post_form(&list, &page, &[("email", email), ("consent", "on")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let active = |server: &Server| -> i64 {
        db(server)
            .query_row(
                "SELECT count(*) FROM list_subscribers WHERE email = ?1 AND status = 'active'",
                [email],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(active(&server), 2);
    // The one made before the account is the address's alone: no account id on it.
    let unlinked: i64 = db(&server)
        .query_row(
            "SELECT count(*) FROM list_subscribers s JOIN lists l ON l.id = s.list_id
             WHERE s.email = ?1 AND l.slug = 'village' AND s.user_id IS NULL",
            [email],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        unlinked, 1,
        "the test needs a subscription the account does not own"
    );
    for csv in [
        "/lists/village/subscribers.csv",
        &format!("{list}/subscribers.csv"),
    ] {
        assert!(admin.get(csv).body.contains(email), "{csv}");
    }

    delete_account(&lea);

    // Both subscriptions ended, their consents withdrawn; the editors' lists no longer have her.
    assert_eq!(active(&server), 0);
    let (subs, open): (i64, i64) = db(&server)
        .query_row(
            "SELECT (SELECT count(*) FROM list_subscribers WHERE email = ?1 AND status = 'unsubscribed'),
                    (SELECT count(*) FROM list_consents WHERE email = ?1 AND withdrawn_at IS NULL)",
            [email],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((subs, open), (2, 0));
    for csv in [
        "/lists/village/subscribers.csv",
        &format!("{list}/subscribers.csv"),
    ] {
        let body = admin.get(csv).body;
        let live = body
            .lines()
            .any(|l| l.contains(email) && !l.contains("unsubscribed"));
        assert!(!live, "{csv}: {body}");
    }
}

#[test]
fn own_bookings_are_cancelled_and_freed_while_an_associations_stay_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des fêtes", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);
    let jeanne = resident_from(&server, 1, "Jeanne");
    let paul = resident_from(&server, 2, "Paul");
    let chorale = new_actor(&jeanne, "Chorale du Bourg", "organisation", "association");

    let d = monday(2);
    // For herself, public: it publishes an agenda event at the room.
    let mine = [("purpose", "Anniversaire de Jeanne"), ("public", "1")];
    assert_eq!(book(&jeanne, &slug, d, "14:00", "18:00", &mine).status, 303);
    let theirs = [("actor", chorale.as_str()), ("purpose", "Répétition")];
    assert_eq!(
        book(&jeanne, &slug, plus(d, 1), "18:00", "20:00", &theirs).status,
        303
    );
    // Paul cannot take her slot while it is hers.
    assert_ne!(book(&paul, &slug, d, "15:00", "16:00", &[]).status, 303);

    delete_account(&jeanne);

    let conn = db(&server);
    let statuses: Vec<(String, Option<i64>)> = conn
        .prepare("SELECT status, actor_id FROM room_bookings ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[0], ("cancelled".into(), None));
    assert_eq!(statuses[1].0, "confirmed");
    assert!(
        statuses[1].1.is_some(),
        "the association's booking keeps its association"
    );
    // The agenda event her public booking published is cancelled too.
    let event: String = conn
        .query_row(
            "SELECT e.status FROM events e WHERE e.title = 'Anniversaire de Jeanne'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(event, "cancelled");

    // The slot is free: Paul books it.
    assert_eq!(book(&paul, &slug, d, "15:00", "16:00", &[]).status, 303);
    // The association's booking shows under its name to the room's managers.
    let manage = admin.get(&format!(
        "/rooms/{slug}/manage?week={}",
        week_of(plus(d, 1))
    ));
    assert!(
        manage.body.contains("Répétition — Chorale du Bourg"),
        "{}",
        manage.body
    );
}

fn week_of(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week())
}

#[test]
fn posts_comments_and_events_stay_signed_ancien_membre() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let _admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne Dupont");

    let page = jeanne.get("/news");
    let r = jeanne.post_form(
        "/news",
        &page,
        &[
            ("title", "Vide-grenier"),
            ("body", "Le vide-grenier aura lieu dimanche."),
            ("audience", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let post = r.location();
    let id = post.trim_start_matches("/news/").to_string();
    let page = jeanne.get(&post);
    let r = jeanne.post_form(
        &format!("/news/{id}/comments"),
        &page,
        &[("comment", "Je tiendrai un stand."), ("parent", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mut f = crate::agenda::fields("Balade des bords de Loire");
    crate::agenda::set(&mut f, "start_date", &in_days(5));
    let event = crate::agenda::create(&jeanne, &f);
    let before = server.client().get(&format!("/e/{event}")).body;
    assert!(before.contains("Jeanne Dupont"), "{before}");

    delete_account(&jeanne);

    let anon = server.client();
    let post_page = anon.get(&post).body;
    assert!(post_page.contains("Le vide-grenier aura lieu dimanche."));
    assert!(post_page.contains("Je tiendrai un stand."));
    assert!(!post_page.contains("Jeanne Dupont"), "{post_page}");
    // The post's byline and the comment's author both say « ancien membre ».
    assert!(
        post_page.matches("ancien membre").count() >= 2,
        "{post_page}"
    );
    let wall = anon.get("/news").body;
    assert!(wall.contains("ancien membre") && !wall.contains("Jeanne Dupont"));
    let ev = anon.get(&format!("/e/{event}")).body;
    assert!(
        ev.contains("ancien membre") && !ev.contains("Jeanne Dupont"),
        "{ev}"
    );
}

fn in_days(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}
