//! Proposals in the mechanisms every module registers with: the search, the JSON API and its
//! OpenAPI paths, "my village" and the page's directory page, "download my data", the one
//! moderation queue (report, hide, restore), personal-data masking, the module switch.

use std::time::{Duration, Instant};

use super::*;

fn searched(c: &Client, q: &str, needle: &str, present: bool) {
    let waited = Instant::now();
    loop {
        let r = c.get(&format!("/search?q={q}"));
        if r.body.contains(needle) == present {
            return;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(15),
            "search {q}: {needle} should be {}: {}",
            if present { "found" } else { "gone" },
            r.body
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn proposals_take_part_in_search_api_my_village_export_and_moderation() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let paul = server.resident("paul@village.test", "Paul");
    let anon = server.client();
    let start = now() + 2;
    let deadline = start + 600;
    let url = open_proposal(
        &admin,
        &[
            (
                "title",
                "Un terrain de pétanque derrière la salle".to_string(),
            ),
            (
                "body",
                "Écrire à jean.dupont@example.org pour participer.".to_string(),
            ),
            ("method", "yes_no".to_string()),
            ("options", String::new()),
            ("quorum", "10".to_string()),
            ("threshold", "half".to_string()),
            ("ballot", "secret".to_string()),
            ("vote_start", local(start)),
            ("deadline", local(deadline)),
            ("place", "Place de la Halle".to_string()),
            ("lat", "47,3512".to_string()),
            ("lon", "-0.8143".to_string()),
        ],
    );
    let id: i64 = url.trim_start_matches("/votes/").parse().unwrap();

    // The map: a proposal about a place shows there until its deadline.
    let geo = anon.get("/map.geojson?bbox=-0.9,47.3,-0.7,47.4&zoom=16");
    assert!(geo.body.contains(&format!("/votes/{id}")), "{}", geo.body);
    assert!(anon.get(&url).body.contains("Place de la Halle"));

    // Personal data is masked on save: the public page never shows the address.
    let page = anon.get(&url);
    assert!(!page.body.contains("jean.dupont@example.org"));
    assert!(page.body.contains("[adresse masquée]"), "{}", page.body);
    let own = admin.get(&url);
    assert!(
        own.body.contains("jean.dupont@example.org"),
        "the author sees the original text"
    );
    assert!(!paul.get(&url).body.contains("jean.dupont@example.org"));
    assert!(
        page.body.contains("ajouter à mon agenda (.ics)"),
        "the deadline's calendar is offered"
    );
    let list = anon.get("/votes");
    assert!(list.body.contains("Un terrain de pétanque"));
    // In the visitor's language (English and German too).
    let en = server.client().get_with(&url, &[("Accept-Language", "en")]);
    assert!(en.body.contains("Voting deadline") && en.body.contains("Under discussion"));
    let de = server.client().get_with(&url, &[("Accept-Language", "de")]);
    assert!(de.body.contains("Abstimmungsfrist") && de.body.contains("In Diskussion"));

    // The village's calendar of voting dates.
    let feed = anon.get("/votes.ics");
    assert_eq!(feed.status, 200);
    assert!(feed
        .body
        .contains(&format!("UID:proposal-{id}-deadline@placette")));
    let n: usize = python_json(
        "import sys, json, icalendar\n\
         print(len(icalendar.Calendar.from_ical(sys.stdin.read()).walk('VEVENT')))",
        &[],
        &feed.body,
        "icalendar refused the proposals' calendar",
    );
    assert_eq!(n, 2, "the opening and the deadline");

    // Search.
    searched(&anon, "p%C3%A9tanque", &url, true);

    // The API and the OpenAPI document.
    let items: serde_json::Value =
        serde_json::from_str(&anon.get("/api/v1/proposals").body).unwrap();
    assert_eq!(items["items"][0]["id"], id);
    let one: serde_json::Value =
        serde_json::from_str(&anon.get(&format!("/api/v1/proposals/{id}")).body).unwrap();
    assert_eq!(one["phase"], "discussion");
    assert_eq!(one["result"], serde_json::Value::Null);
    assert!(one["calendar"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/votes/{id}.ics")));
    let doc = anon.get("/api/v1/openapi.json");
    assert!(doc.body.contains("/api/v1/proposals/{id}") && doc.body.contains("\"Proposal\""));
    assert_eq!(anon.get("/api/v1/proposals/999").status, 404);

    // "My village": the proposal Paul may vote on, then that he voted.
    let my = paul.get("/my");
    assert!(my.body.contains("Vos votes en cours"), "{}", my.body);
    assert!(my.body.contains("Un terrain de pétanque"));
    sleep_until(start);
    let page = paul.get(&url);
    let r = paul.post_form(&format!("{url}/vote"), &page, &[("choice", "yes")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(paul.get("/my").body.contains("a voté"));

    // "Download my data": his ballot, while it is linked to him.
    let data: serde_json::Value = serde_json::from_str(&paul.get("/account/export").body).unwrap();
    assert_eq!(data["votes"]["ballots"][0]["choice"], "yes", "{data}");
    assert_eq!(data["votes"]["ballots"][0]["proposal"], id);

    // The one moderation queue: Paul reports it, a moderator hides it, it leaves every public
    // surface, then comes back.
    let form = paul.get(&format!("/report/proposal/{id}"));
    assert_eq!(form.status, 200, "{}", form.body);
    let r = paul.post_form(
        &format!("/report/proposal/{id}"),
        &form,
        &[("reason", "off_topic"), ("note", "hors sujet")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let queue = admin.get("/moderation");
    assert!(
        queue.body.contains("Un terrain de pétanque"),
        "{}",
        queue.body
    );
    let item = admin.get(&format!("/moderation/items/proposal/{id}"));
    assert_eq!(item.status, 200);
    let r = admin.post_form(
        &format!("/moderation/items/proposal/{id}/hide"),
        &item,
        &[
            ("reason", "Hors sujet"),
            ("answer", "Merci."),
            ("message", ""),
            ("text", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anon.get(&url).status, 404);
    assert_eq!(anon.get(&format!("/api/v1/proposals/{id}")).status, 404);
    assert!(!anon.get("/votes").body.contains("Un terrain de pétanque"));
    searched(&anon, "p%C3%A9tanque", &url, false);
    let item = admin.get(&format!("/moderation/items/proposal/{id}"));
    let r = admin.post_form(
        &format!("/moderation/items/proposal/{id}/restore"),
        &item,
        &[
            ("reason", "Finalement pertinent"),
            ("answer", ""),
            ("message", ""),
            ("text", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(anon.get(&url).status, 200);

    // A page's open proposals show on its directory page.
    let slug = new_actor(
        &admin,
        "Amicale des boulistes",
        "organisation",
        "association",
    );
    let page = admin.get(&format!("/a/{slug}/votes/new"));
    let r = admin.post_form(
        &format!("/a/{slug}/votes/new"),
        &page,
        &[
            ("title", "Acheter des boules neuves"),
            ("body", "Les anciennes sont rouillées."),
            ("method", "yes_no"),
            ("options", ""),
            ("quorum", "0"),
            ("threshold", "half"),
            ("ballot", "secret"),
            ("vote_start", &local(now() + 3600)),
            ("deadline", &local(now() + 7200)),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(anon
        .get(&format!("/a/{slug}"))
        .body
        .contains("Acheter des boules neuves"));
}

#[test]
fn switched_off_the_votes_answer_404_and_leave_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let c = server.client();
    assert!(c.get("/").body.contains("href=\"/votes\""));
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
    assert_eq!(c.get("/votes").status, 404);
    assert_eq!(c.get("/api/v1/proposals").status, 404);
    assert_eq!(admin.get("/votes/new").status, 404);
    assert!(!c.get("/").body.contains("href=\"/votes\""));
}
