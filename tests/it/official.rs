//! Official pages (issue 16, item 7): a site admin marks the town hall's page official; the
//! badge shows on the directory list, the page, an event it organises (page and agenda list)
//! and a post of its journal; the API says so; anyone else gets 403; the change is logged.

use crate::agenda;
use crate::support::*;

#[test]
fn an_official_page_shows_its_badge_wherever_its_name_appears() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let admin = server.set_up();
    let mairie = new_actor(
        &admin,
        "Mairie de Saint-Test",
        "organisation",
        "public_service",
    );
    let other = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let badge = "class=\"badge official\"";

    // Not official yet: no badge anywhere.
    let page = admin.get(&format!("/a/{mairie}"));
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(badge), "{}", page.body);
    assert!(page
        .body
        .contains(&format!("action=\"/a/{mairie}/official\"")));

    // A resident sees no control and is refused with 403, CSRF token and all.
    let resident = server.resident("jeanne@village.test", "Jeanne");
    let seen = resident.get(&format!("/a/{mairie}"));
    assert!(!seen.body.contains("/official\""), "{}", seen.body);
    let r = resident.post_form(
        &format!("/a/{mairie}/official"),
        &seen,
        &[("official", "1")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // An anonymous POST without a token is refused too.
    let anon = server.client();
    let r = anon.post_raw(&format!("/a/{mairie}/official"), &[("official", "1")]);
    assert_eq!(r.status, 403, "{}", r.body);

    // The admin marks it official.
    let r = admin.post_form(
        &format!("/a/{mairie}/official"),
        &page,
        &[("official", "1")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("/a/{mairie}"));

    let page = server.client().get(&format!("/a/{mairie}"));
    assert!(page.body.contains(badge), "{}", page.body);
    assert!(page.body.contains("Officiel"));
    assert!(page.body.contains("GovernmentOrganization"));

    let list = server.client().get("/directory");
    let card = &list.body[list.body.find("Mairie de Saint-Test").unwrap()..];
    assert!(
        card[..card.find("</li>").unwrap()].contains(badge),
        "{}",
        list.body
    );
    let card = &list.body[list.body.find("Comité des fêtes").unwrap()..];
    assert!(
        !card[..card.find("</li>").unwrap()].contains(badge),
        "{}",
        list.body
    );

    // The API says it, for this page and not the other.
    let api = server.client().get(&format!("/api/v1/actors/{mairie}"));
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["official"], true, "{}", api.body);
    let api = server.client().get(&format!("/api/v1/actors/{other}"));
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["official"], false, "{}", api.body);

    // An event it organises: on the event's page and in the agenda's list.
    let mut f = agenda::fields("Vœux du maire");
    agenda::set(&mut f, "start_date", &soon());
    agenda::set(&mut f, "organiser", &mairie);
    let event = agenda::create(&admin, &f);
    let ev = server.client().get(&format!("/e/{event}"));
    assert_eq!(ev.status, 200);
    let org = &ev.body[ev.body.find(&format!("href=\"/a/{mairie}\"")).unwrap()..];
    assert!(
        org[..org.find("</dd>").unwrap()].contains(badge),
        "{}",
        ev.body
    );
    let list = server.client().get(&format!("/agenda?organiser={mairie}"));
    let item = &list.body[list.body.find("Vœux du maire").unwrap()..];
    assert!(
        item[..item.find("</li>").unwrap()].contains(badge),
        "{}",
        list.body
    );

    // The admin takes the status back: the badge goes, and both changes are in the audit log.
    let page = admin.get(&format!("/a/{mairie}"));
    let r = admin.post_form(
        &format!("/a/{mairie}/official"),
        &page,
        &[("official", "0")],
    );
    assert_eq!(r.status, 303);
    assert!(!server
        .client()
        .get(&format!("/a/{mairie}"))
        .body
        .contains(badge));
    let db = rusqlite::Connection::open(server.data.join("placette.db")).unwrap();
    let log: Vec<(String, String, String)> = db
        .prepare("SELECT moderator, action, kind FROM moderation_log ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        log,
        [
            ("Mairie".into(), "official".into(), "actor".into()),
            ("Mairie".into(), "unofficial".into(), "actor".into())
        ]
    );
}

/// A date three days from now, as the event form takes it.
fn soon() -> String {
    (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string()
}
