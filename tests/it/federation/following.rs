//! The village follows others: a Fedify group's events come into the agenda (already published
//! ones from its outbox on acceptance, new ones as they come, updated in place, cancelled when
//! deleted); two Placette villages follow each other and exchange events; pasture's actor and
//! inbox checks pass against Placette's actor.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::village::village;
use super::{pasture_verify, FedifyPeer};
use crate::agenda::{create, fields, set};
use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

/// Follows `handle` for the page named `page` through the admin form.
fn follow(admin: &Client, handle: &str, page: &str) {
    let form = admin.get("/admin/federation");
    let r = admin.post_form(
        "/admin/federation/follow",
        &form,
        &[("handle", handle), ("page", page)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Waits until `path` (as `client` sees it) satisfies `ok`.
fn wait_page(client: &Client, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = client.get(path);
        if ok(&r.body) {
            return r.body;
        }
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn titles(client: &Client) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&client.get("/api/v1/events?limit=100").body).unwrap();
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["title"].as_str().unwrap_or_default().to_string(),
                        e["status"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_village_follows_a_fedify_group_and_its_events_come_into_the_agenda() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = village(dir.path());
    new_actor(&admin, "Chorale du canton", "organisation", "association");
    let group = FedifyPeer::start_as("chorale", "Group");
    // Published before the follow: read from the outbox on acceptance.
    group.command(
        &json!({"cmd": "publish_event", "id": "repetition", "name": "Répétition publique",
                "content": "<p>Ouverte à tous</p>", "startTime": "2027-05-04T18:30:00Z",
                "endTime": "2027-05-04T20:00:00Z",
                "location": {"name": "Église Saint-Placide", "latitude": 47.35, "longitude": -0.81}}),
        WAIT,
    );
    follow(&admin, &format!("@{}", group.handle), "Chorale du canton");
    group.wait_received("Follow", WAIT);
    let visitor = server.client();
    wait_page(&visitor, "/agenda", "the outbox's event", |b| {
        b.contains("Répétition publique")
    });

    // A new event, an update, a deletion.
    group.command(
        &json!({"cmd": "publish_event", "id": "concert", "name": "Concert de printemps",
                "startTime": "2027-05-22T19:00:00Z", "location": "Salle des fêtes"}),
        WAIT,
    );
    wait_page(&visitor, "/agenda", "the new event", |b| {
        b.contains("Concert de printemps")
    });
    group.command(
        &json!({"cmd": "update_event", "id": "concert", "name": "Grand concert de printemps"}),
        WAIT,
    );
    wait_page(&visitor, "/agenda", "the update", |b| {
        b.contains("Grand concert de printemps")
    });
    let list = titles(&visitor);
    assert_eq!(
        list.iter()
            .filter(|(t, _)| t.contains("concert de printemps"))
            .count(),
        1,
        "updated in place: {list:?}"
    );
    // The event is organised by the page and not sent back to the fediverse.
    let body = wait_page(&visitor, "/agenda", "the organiser", |b| {
        b.contains("Grand concert de printemps")
    });
    assert!(body.contains("Chorale du canton"), "organised by the page");
    let outbox: Value = serde_json::from_str(
        &visitor
            .get_with(
                "/ap/village/outbox",
                &[("Accept", "application/activity+json")],
            )
            .body,
    )
    .unwrap();
    assert_eq!(
        outbox["totalItems"], 0,
        "imported events are not federated again"
    );
    group.command(&json!({"cmd": "delete_event", "id": "concert"}), WAIT);
    let deadline = Instant::now() + WAIT;
    loop {
        let list = titles(&visitor);
        let cancelled = list
            .iter()
            .any(|(t, s)| t == "Grand concert de printemps" && s == "cancelled");
        let gone = !list.iter().any(|(t, _)| t == "Grand concert de printemps");
        if cancelled || gone {
            break;
        }
        assert!(Instant::now() < deadline, "not cancelled: {list:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn pasture_checks_pass_against_the_village_actor() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _admin) = village(dir.path());
    let report = pasture_verify(&format!("{}/ap/village", server.url));
    eprintln!("pasture against Placette: {report}");
    assert_eq!(report["failures"], json!([]), "{report}");
}

#[test]
fn two_villages_follow_each_other_and_exchange_events() {
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (one, admin1) = village(d1.path());
    let (two, admin2) = village(d2.path());
    new_actor(
        &admin1,
        "Voisins de Saint-Deux",
        "organisation",
        "association",
    );
    new_actor(
        &admin2,
        "Voisins de Saint-Un",
        "organisation",
        "association",
    );
    let host = |s: &Server| s.url.trim_start_matches("http://").to_string();
    follow(
        &admin1,
        &format!("village@{}", host(&two)),
        "Voisins de Saint-Deux",
    );
    follow(
        &admin2,
        &format!("village@{}", host(&one)),
        "Voisins de Saint-Un",
    );
    for admin in [&admin1, &admin2] {
        wait_page(admin, "/admin/federation", "the Accept", |b| {
            b.contains("<td>accepté</td>")
        });
    }
    let mut f = fields("Marché de Saint-Un");
    set(&mut f, "start_date", "2027-06-05");
    create(&admin1, &f);
    let mut f = fields("Fête de Saint-Deux");
    set(&mut f, "start_date", "2027-06-12");
    create(&admin2, &f);
    wait_page(&two.client(), "/agenda", "one's event at two", |b| {
        b.contains("Marché de Saint-Un")
    });
    wait_page(&one.client(), "/agenda", "two's event at one", |b| {
        b.contains("Fête de Saint-Deux")
    });
    // Neither sends the other's event back: each agenda has each event once.
    std::thread::sleep(Duration::from_secs(3));
    for s in [&one, &two] {
        let list = titles(&s.client());
        for title in ["Marché de Saint-Un", "Fête de Saint-Deux"] {
            assert_eq!(
                list.iter().filter(|(t, _)| t == title).count(),
                1,
                "{title} at {}: {list:?}",
                s.url
            );
        }
    }
}
