//! Personal data in public text (issue 16), as residents and visitors meet it: a resident's
//! news post, comment, aid post, event and organisation page, each holding an email address,
//! a phone number in two spellings and a social security number with a valid key, are
//! published masked on every anonymous surface (pages, feeds, iCalendar, JSON API, search,
//! exports, map); the author and the moderators see the original, nobody else does; numbers
//! that are not personal data (a date, a price, a SIRET, a postal code, an RNA id) stay as typed.

use std::time::{Duration, Instant};

use crate::support::*;

const EMAIL: &str = "jeanne.dupont@example.org";
/// The NIR of the unit tests' corpus: 1850578006084 mod 97 = 6, key 97 - 6 = 91.
const NIR: &str = "1 85 05 78 006 084 91";

/// What a resident types: the four pieces of personal data.
fn text(what: &str) -> String {
    format!(
        "{what} : écrivez à {EMAIL}, appelez le 06 12 34 56 78 ou le +33 6 12 34 56 78. \
         Mon numéro de sécu : {NIR}."
    )
}

/// Every spelling of the raw values that must never reach the public.
const RAW: &[&str] = &[
    "jeanne.dupont",
    "example.org",
    "12 34 56 78",
    "0612345678",
    "+33 6",
    "85 05 78",
    "006 084",
    "185057800608491",
];

const EMAIL_MASK: &str = "[adresse masquée]";
const MASKS: &[&str] = &[
    "[adresse masquée]",
    "[téléphone masqué]",
    "[numéro de sécurité sociale masqué]",
];

const ORIGINAL_BOX: &str = "Texte d'origine, visible par vous et les modérateurs";

/// iCalendar lines are folded at 75 octets: unfolded, a value reads whole.
fn unfold(s: &str) -> String {
    s.replace("\r\n ", "").replace("\n ", "")
}

fn assert_clean(url: &str, body: &str, masks: &[&str]) {
    for raw in RAW {
        assert!(!body.contains(raw), "{url} shows {raw:?}:\n{body}");
    }
    for m in masks {
        assert!(body.contains(m), "{url} does not show {m:?}:\n{body}");
    }
}

fn post_news(c: &Client, title: &str, body: &str) -> Resp {
    let page = c.get("/news");
    c.post_form(
        "/news",
        &page,
        &[("title", title), ("body", body), ("audience", "public")],
    )
}

fn id_after(r: &Resp, prefix: &str) -> i64 {
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches(prefix)
        .parse()
        .unwrap_or_else(|_| panic!("unexpected location {}", r.location()))
}

fn post_aid(c: &Client, title: &str, description: &str) -> i64 {
    let page = c.get("/aid/new");
    let mut fields = vec![
        ("kind", "offer"),
        ("category", "give"),
        ("title", title),
        ("description", description),
        ("lat", "47.352"),
        ("lon", "-0.81"),
    ];
    for empty in [
        "price_kind",
        "price",
        "condition",
        "available_from",
        "available_until",
        "actor",
        "address",
    ] {
        fields.push((empty, ""));
    }
    let r = c.post_form("/aid/new", &page, &fields);
    id_after(&r, "/aid/")
}

fn post_actor(c: &Client, name: &str, summary: &str, description: &str) -> Resp {
    let page = c.get("/directory/new");
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "organisation"),
        ("type", "association"),
        ("name", name),
        ("visibility", "public"),
        ("summary", summary),
        ("description", description),
        ("lat", "47.351"),
        ("lon", "-0.812"),
    ];
    for empty in [
        "tags", "address", "phone", "website", "social", "capacity", "parent",
    ] {
        fields.push((empty, ""));
    }
    c.post_form("/directory/new", &page, &fields)
}

/// Follows a save's redirect: the page after it, with its flash.
fn landing(c: &Client, r: &Resp) -> String {
    assert_eq!(r.status, 303, "{}", r.body);
    c.get(&r.location()).body
}

const TOLD: &str = "Votre texte contenait des données personnelles";

#[test]
fn personal_data_is_masked_on_every_public_surface_and_shown_only_to_author_and_moderators() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let paul = server.resident("paul@village.test", "Paul");
    let visitor = server.client();

    // Arrange: Jeanne posts everywhere, and is told each time.
    let r = post_news(
        &jeanne,
        &format!("Grelinette à prêter, {EMAIL}"),
        &text("Ma grelinette"),
    );
    let news = id_after(&r, "/news/");
    assert!(
        landing(&jeanne, &r).contains(TOLD),
        "the author is told after posting"
    );
    let page = jeanne.get(&format!("/news/{news}"));
    let r = jeanne.post_form(
        &format!("/news/{news}/comments"),
        &page,
        &[("comment", text("Commentaire").as_str()), ("parent", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    let comment: i64 = loc[loc.find("#c").unwrap() + 2..].parse().unwrap();
    assert!(landing(&jeanne, &r).contains(TOLD));

    let aid = post_aid(
        &jeanne,
        &format!("Bineuse à donner, {EMAIL}"),
        &text("Ma bineuse"),
    );

    let mut ev = crate::agenda::fields(&format!("Troc de semis, {EMAIL}"));
    crate::agenda::set(&mut ev, "description", &text("Le troc"));
    let page = jeanne.get("/agenda/new");
    let r = jeanne.post_form("/agenda/new", &page, &ev);
    assert_eq!(r.status, 303, "{}", r.body);
    let event = r.location().trim_start_matches("/e/").to_string();
    assert!(
        !event.contains("dupont"),
        "the slug is made of the masked title"
    );
    assert!(landing(&jeanne, &r).contains(TOLD));

    let r = post_actor(
        &jeanne,
        "Les Jardiniers du Lavoir",
        &format!("Contact {EMAIL}"),
        &text("Notre association"),
    );
    let actor = r.location().trim_start_matches("/a/").to_string();
    assert!(landing(&jeanne, &r).contains(TOLD));

    // The search index follows within a second: wait until it holds the four items.
    let start = Instant::now();
    loop {
        let v: serde_json::Value = serde_json::from_str(
            &visitor
                .get("/api/v1/search?q=grelinette+bineuse+semis+jardiniers&km=500")
                .body,
        )
        .unwrap_or_default();
        let found = v["items"].as_array().map_or(0, |a| a.len());
        let each = ["grelinette", "bineuse", "semis", "jardiniers"]
            .iter()
            .all(|w| {
                let v: serde_json::Value = serde_json::from_str(
                    &visitor.get(&format!("/api/v1/search?q={w}&km=500")).body,
                )
                .unwrap_or_default();
                v["items"].as_array().is_some_and(|a| !a.is_empty())
            });
        if each || found >= 4 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the search index never held the posts"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Act and assert: every anonymous surface shows the masked forms, never the raw values.
    let full: Vec<String> = vec![
        format!("/news/{news}"),
        "/news.rss".into(),
        format!("/api/v1/news/{news}"),
        format!("/aid/{aid}"),
        format!("/api/v1/aid/{aid}"),
        format!("/e/{event}"),
        format!("/e/{event}.ics"),
        "/agenda.ics".into(),
        format!("/api/v1/events/{event}"),
        format!("/a/{actor}"),
        format!("/api/v1/actors/{actor}"),
    ];
    for url in &full {
        let r = visitor.get(url);
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        assert_clean(url, &unfold(&r.body), MASKS);
    }
    let titles: Vec<String> = vec![
        "/news".into(),
        "/api/v1/news".into(),
        "/aid".into(),
        "/api/v1/aid".into(),
        "/agenda".into(),
        "/agenda.rss".into(),
        "/agenda.json".into(),
        "/api/v1/events".into(),
        "/directory".into(),
        "/api/v1/actors".into(),
        "/directory.csv".into(),
        "/directory.geojson".into(),
        "/search?q=grelinette".into(),
        "/search?q=bineuse".into(),
        "/search?q=semis".into(),
        "/search?q=jardiniers".into(),
        "/api/v1/search?q=grelinette&km=500".into(),
        "/map.geojson?bbox=-1.5,47,0,48&zoom=16".into(),
    ];
    for url in &titles {
        let r = visitor.get(url);
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        assert_clean(url, &unfold(&r.body), &[]);
    }
    for url in [
        "/news",
        "/aid",
        "/agenda",
        "/agenda.rss",
        "/agenda.json",
        "/directory",
        "/directory.csv",
    ] {
        let body = visitor.get(url).body;
        assert!(body.contains(EMAIL_MASK), "{url} shows the masked title");
    }
    // Nobody finds the post by the address it no longer shows.
    let v: serde_json::Value =
        serde_json::from_str(&visitor.get("/api/v1/search?q=dupont&km=500").body).unwrap();
    assert_eq!(v["total"], 0, "{v}");

    // The original: the author and a moderator see it on the detail pages, with what was
    // found; the moderator also gets the purge button. A visitor and another resident never.
    let details = [
        (format!("/news/{news}"), "news", news.to_string()),
        (format!("/aid/{aid}"), "aid", aid.to_string()),
        (format!("/e/{event}"), "event", String::new()),
        (format!("/a/{actor}"), "actor", String::new()),
    ];
    for (url, kind, id) in &details {
        let mine = jeanne.get(url).body;
        assert!(
            mine.contains(ORIGINAL_BOX),
            "{url}: the author sees the box"
        );
        assert!(mine.contains(EMAIL) && mine.contains(NIR), "{url}: {mine}");
        assert!(mine.contains("un numéro de sécurité sociale"));
        assert!(
            !mine.contains("/moderation/purge/"),
            "{url}: no purge for the author"
        );
        let staff = admin.get(url).body;
        assert!(
            staff.contains(ORIGINAL_BOX) && staff.contains(EMAIL),
            "{url}"
        );
        assert!(
            staff.contains(&format!("/moderation/purge/{kind}/{id}")),
            "{url}"
        );
        for (who, c) in [("a visitor", &visitor), ("another resident", &paul)] {
            let body = c.get(url).body;
            assert!(!body.contains(ORIGINAL_BOX), "{url}: {who} sees the box");
            assert_clean(url, &body, &[]);
        }
    }
    // The comment's original too, in its own box.
    let staff = admin.get(&format!("/news/{news}")).body;
    assert!(staff.contains(&format!("/moderation/purge/comment/{comment}")));

    // Editing starts from the original, with a note that it will be masked again.
    for url in [
        format!("/news/{news}/edit"),
        format!("/news/comments/{comment}/edit"),
        format!("/aid/{aid}/edit"),
        format!("/e/{event}/edit"),
        format!("/a/{actor}/edit"),
    ] {
        let form = jeanne.get(&url);
        assert_eq!(form.status, 200, "{url}");
        assert!(
            form.body.contains(EMAIL),
            "{url} is prefilled with the original"
        );
        assert!(form.body.contains("seront de nouveau masquées"), "{url}");
    }

    // Removing the personal data on edit forgets the original.
    let page = jeanne.get(&format!("/news/{news}/edit"));
    let r = jeanne.post_form(
        &format!("/news/{news}/edit"),
        &page,
        &[
            ("title", "Grelinette à prêter"),
            ("body", "Demandez-moi par la messagerie."),
            ("audience", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!landing(&jeanne, &r).contains(TOLD));
    let staff = admin.get(&format!("/news/{news}")).body;
    assert!(
        !staff.contains(&format!("/moderation/purge/news/{news}")),
        "the post's original went with the edit"
    );
    assert!(
        staff.contains(&format!("/moderation/purge/comment/{comment}")),
        "the comment's original stays"
    );
}

#[test]
fn numbers_that_are_not_personal_data_are_published_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let _admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let body = "Assemblée le 12/03/2026 à la salle du 75001 : cotisation 1 250,00 €, \
                SIRET 732 829 320 00074, association W751234567.";
    let r = post_news(&jeanne, "Assemblée générale", body);
    let id = id_after(&r, "/news/");
    assert!(!landing(&jeanne, &r).contains(TOLD), "nothing to tell");
    let page = server.client().get(&format!("/news/{id}")).body;
    for typed in [
        "12/03/2026",
        "1 250,00 €",
        "732 829 320 00074",
        "75001",
        "W751234567",
    ] {
        assert!(page.contains(typed), "{typed} was changed:\n{page}");
    }
    assert!(!page.contains("masqué"), "{page}");
    assert!(!jeanne
        .get(&format!("/news/{id}"))
        .body
        .contains(ORIGINAL_BOX));
}

#[test]
fn a_mailing_goes_out_to_the_list_masked_and_its_editor_keeps_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    crate::lists::village_list(&admin);
    crate::lists::import(&admin, "village", &["lea@village.test".to_string()]);
    let mailing = crate::lists::draft(
        &admin,
        "village",
        &format!("Troc du samedi, {EMAIL}"),
        &text("La lettre"),
    );
    let editor = admin.get(&mailing).body;
    assert!(
        editor.contains(EMAIL),
        "the editor is prefilled with the original"
    );
    let r = crate::lists::send_now(&admin, &mailing);
    assert_eq!(r.status, 303, "{}", r.body);
    // Without a relay, the mail is written to the outbox, as it would go out.
    let start = Instant::now();
    let raw = loop {
        if let Some(m) = server
            .outbox_for("lea@village.test")
            .into_iter()
            .find(|m| m.contains("Troc du samedi"))
        {
            break m;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no mail to the list"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_clean("the mail to the list", &raw, MASKS);
    let anon = server.client();
    for url in ["/lists/village/archive", "/lists/village/feed.rss"] {
        let r = anon.get(url);
        assert_eq!(r.status, 200, "{url}");
        assert_clean(url, &r.body, &[EMAIL_MASK]);
    }
}
