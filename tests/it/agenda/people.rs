//! Residents and visitors: RSVPs under concurrent requests, members-only events kept from
//! everyone else, submissions without an account.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::*;

/// A resident signed up and logged in from their own address (the per-IP limits of sign-ups
/// and logins apply to each resident, as in real life).
fn resident_from(server: &Server, n: usize) -> Client {
    let c = server.client();
    let ip = format!("10.77.0.{n}");
    let email = format!("voisin{n}@village.test");
    let (csrf, name) = (c.get("/signup").csrf(), format!("Voisin {n}"));
    let r: Resp = c
        .agent
        .post(&format!("{}/signup", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("name", name.as_str()),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
        ])
        .into();
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = server.outbox_for(&email).pop().expect("confirmation mail");
    let link = link_containing(&mail, "/confirm/");
    assert_eq!(c.get(&link[link.find("/confirm/").unwrap()..]).status, 303);
    let csrf = c.get("/login").csrf();
    let r: Resp = c
        .agent
        .post(&format!("{}/login", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
            ("next", "/account"),
        ])
        .into();
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

#[test]
fn twenty_residents_answer_at_once_and_exactly_the_capacity_goes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let host = server.resident("atelier@village.test", "Atelier");
    let mut f = fields("Atelier pain au levain");
    set(&mut f, "type", "workshop");
    set(&mut f, "start_date", &in_days(5));
    set(&mut f, "start_time", "10:00");
    set(&mut f, "end_time", "12:00");
    set(&mut f, "capacity", "5");
    let slug = create(&host, &f);
    let rid = json(&host.get(&format!("/api/v1/events/{slug}")))["dates"][0]["recurrence_id"]
        .as_i64()
        .unwrap()
        .to_string();

    // Before the rush: the places left, in words.
    let before = server.client().get(&format!("/e/{slug}"));
    assert!(
        before.body.contains("5 places restantes sur 5"),
        "{}",
        before.body
    );
    let residents: Vec<Client> = (1..=20).map(|n| resident_from(&server, n)).collect();
    let barrier = Arc::new(Barrier::new(residents.len()));
    let threads: Vec<_> = residents
        .into_iter()
        .map(|c| {
            let (barrier, slug, rid) = (barrier.clone(), slug.clone(), rid.clone());
            std::thread::spawn(move || {
                let page = c.get(&format!("/e/{slug}"));
                barrier.wait();
                c.post_form(
                    &format!("/e/{slug}/rsvp"),
                    &page,
                    &[("o", rid.as_str()), ("answer", "going")],
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    let p = server.client().get(&format!("/e/{slug}"));
    assert!(
        p.body.contains("5 inscrit·e(s)") && p.body.contains("Complet"),
        "{}",
        p.body
    );
    assert!(p.body.contains("\"remainingAttendeeCapacity\":0"));

    // A late resident may still say they are interested, and gets the place someone frees.
    let late = resident_from(&server, 21);
    let page = late.get(&format!("/e/{slug}"));
    let r = late.post_form(
        &format!("/e/{slug}/rsvp"),
        &page,
        &[("o", rid.as_str()), ("answer", "going")],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("toutes les places viennent d'être prises"));
    let r = late.post_form(
        &format!("/e/{slug}/rsvp"),
        &page,
        &[("o", rid.as_str()), ("answer", "interested")],
    );
    assert_eq!(r.status, 303);
    assert!(server
        .client()
        .get(&format!("/e/{slug}"))
        .body
        .contains("1 intéressé·e(s)"));
    // The resident reads their own answer, not only a button's outline.
    let mine = late.get(&format!("/e/{slug}"));
    assert!(mine.body.contains("Vous êtes intéressé·e"), "{}", mine.body);
}

/// Polls a search until `found` says the results are as expected (the indexer runs beside).
fn search_until(c: &Client, q: &str, found: impl Fn(&str) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if found(&c.get(&format!("/search?q={q}")).body) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_members_only_event_is_invisible_to_everyone_else_in_pages_lists_search_and_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let page = jeanne.get("/directory/new");
    let club = [
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Club des aînés"),
        ("summary", ""),
        ("description", ""),
        ("tags", ""),
        ("address", ""),
        ("lat", ""),
        ("lon", ""),
        ("phone", ""),
        ("website", ""),
        ("social", ""),
        ("capacity", ""),
        ("parent", ""),
        ("visibility", "public"),
    ];
    assert_eq!(jeanne.post_form("/directory/new", &page, &club).status, 303);

    let mut secret = fields("Assemblée zorglubienne");
    set(&mut secret, "type", "meeting");
    set(&mut secret, "start_date", &in_days(10));
    set(&mut secret, "tags", "club");
    set(&mut secret, "visibility", "members");
    set(&mut secret, "organiser", "club-des-aines");
    let hidden = create(&jeanne, &secret);
    let mut open = fields("Thé dansant bramaplouf");
    set(&mut open, "start_date", &in_days(11));
    set(&mut open, "tags", "club");
    set(&mut open, "organiser", "club-des-aines");
    let shown = create(&jeanne, &open);

    let anon = server.client();
    let neighbour = server.resident("paul@village.test", "Paul");
    for (who, c) in [
        ("a visitor", &anon),
        ("a resident who is not a member", &neighbour),
    ] {
        assert_eq!(c.get(&format!("/e/{hidden}")).status, 404, "{who}: page");
        assert_eq!(
            c.get(&format!("/e/{hidden}.ics")).status,
            404,
            "{who}: .ics"
        );
        assert_eq!(
            c.get(&format!("/api/v1/events/{hidden}")).status,
            404,
            "{who}: API"
        );
        for list in [
            "/agenda?tag=club",
            "/agenda/month",
            "/agenda/week",
            "/api/v1/events",
            "/",
        ] {
            let body = c.get(list).body;
            assert!(!body.contains("zorglubienne"), "{who}: {list}");
        }
        let m = in_days(10);
        assert!(!c
            .get(&format!("/agenda/month?m={}", &m[..7]))
            .body
            .contains("zorglubienne"));
        assert!(
            c.get("/agenda?tag=club").body.contains("bramaplouf"),
            "{who} sees the public one"
        );
    }
    // The members (and the site's admins) see it, marked members-only.
    let p = jeanne.get(&format!("/e/{hidden}"));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Réservé aux membres"));
    assert!(jeanne.get("/agenda?tag=club").body.contains("zorglubienne"));
    assert!(
        jeanne.get("/my").body.contains("zorglubienne"),
        "my village lists it for its member"
    );
    assert_eq!(admin.get(&format!("/e/{hidden}")).status, 200);
    // Feeds are public whoever asks: never there.
    for feed in [
        "/agenda.ics",
        "/agenda.rss",
        "/agenda.json",
        "/a/club-des-aines/agenda.ics",
        "/agenda.ics?tag=club",
    ] {
        let body = jeanne.get(feed).body;
        assert!(!body.contains("zorglubienne"), "{feed}");
        assert!(body.contains("bramaplouf"), "{feed} has the public one");
    }
    // Search finds the public one, never the other.
    assert!(search_until(&anon, "bramaplouf", |b| b.contains(&format!("/e/{shown}"))));
    assert!(search_until(&anon, "zorglubienne", |b| !b
        .contains(&format!("/e/{hidden}"))));
    assert!(!jeanne
        .get("/search?q=zorglubienne")
        .body
        .contains(&format!("/e/{hidden}")));
    // A members-only event needs an organising page.
    let mut orphan = fields("Réunion sans page");
    set(&mut orphan, "visibility", "members");
    let page = jeanne.get("/agenda/new");
    let r = jeanne.post_form("/agenda/new", &page, &orphan);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("a besoin d'une page organisatrice"));
    // Nobody organises in the name of a page they do not belong to.
    let mut usurped = fields("Faux thé dansant");
    set(&mut usurped, "organiser", "club-des-aines");
    let page = neighbour.get("/agenda/new");
    let r = neighbour.post_form("/agenda/new", &page, &usurped);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("au nom des pages dont vous êtes membre"));
    // Their data download has their events.
    let export = json(&jeanne.get("/account/export"));
    let titles: Vec<&str> = export["agenda"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Assemblée zorglubienne") && titles.contains(&"Thé dansant bramaplouf")
    );
}

#[test]
fn a_visitor_without_an_account_submits_an_event_that_a_moderator_approves() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let anon = server.client();
    let page = anon.get("/agenda/new");
    assert!(page.body.contains("relue par un modérateur"));
    let mut f = fields("Vide-grenier des Tilleuls");
    set(&mut f, "start_date", &in_days(15));
    set(&mut f, "submitter_name", "Martine");
    set(&mut f, "submitter_email", "martine@exemple.test");
    let r = anon.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/agenda");
    assert!(
        !anon.get("/agenda").body.contains("Vide-grenier"),
        "not before approval"
    );
    let mail = server
        .outbox_for(ADMIN_EMAIL)
        .pop()
        .expect("the admins are told");
    assert!(mail.contains("Vide-grenier des Tilleuls") && mail.contains("/admin/agenda"));

    let resident = server.resident("paul@village.test", "Paul");
    assert_eq!(resident.get("/admin/agenda").status, 403);
    let queue = admin.get("/admin/agenda");
    assert!(
        queue.body.contains("Vide-grenier des Tilleuls")
            && queue.body.contains("martine@exemple.test")
    );
    let start = queue.body.find("/admin/agenda/").unwrap() + "/admin/agenda/".len();
    let id: String = queue.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let r = resident.post_form(
        &format!("/admin/agenda/{id}/approve"),
        &resident.get("/"),
        &[("x", "")],
    );
    assert_eq!(r.status, 403);
    let r = admin.post_form(&format!("/admin/agenda/{id}/approve"), &queue, &[("x", "")]);
    assert_eq!(r.status, 303);
    let list = anon.get("/agenda");
    assert!(list.body.contains("Vide-grenier des Tilleuls"));
    assert!(
        !list.body.contains("martine@exemple.test"),
        "the submitter's address is never public"
    );
    assert!(admin
        .get("/admin/agenda")
        .body
        .contains("Aucune proposition en attente."));
}
