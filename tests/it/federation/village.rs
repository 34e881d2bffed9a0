//! Placette against a real peer (Fedify): the peer finds the village by WebFinger, follows it,
//! gets the Accept, then Create, Update and Delete of an event made through the web form; a
//! forged signature is refused and changes nothing.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use super::FedifyPeer;
use crate::agenda::{create, fields, set};
use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

/// A village whose outgoing requests may reach loopback (the peers of the tests).
pub fn village(dir: &std::path::Path) -> (Server, Client) {
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_IMPORT_ALLOW_LOCAL", "1");
    let server = Server::start_command(cmd, &dir.join("data"), &[]);
    let admin = server.set_up();
    (server, admin)
}

fn ap_get(c: &Client, path: &str) -> Value {
    let r = c.get_with(path, &[("Accept", "application/activity+json")]);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    assert!(
        r.header("content-type")
            .starts_with("application/activity+json"),
        "{path}: {}",
        r.header("content-type")
    );
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn a_fedify_peer_follows_the_village_and_hears_of_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = village(dir.path());
    let host = server.url.trim_start_matches("http://").to_string();
    let actor = format!("{}/ap/village", server.url);

    // What a peer reads: WebFinger, the actor, NodeInfo (its link first).
    let peer = FedifyPeer::start("lea");
    let found = peer.command(
        &json!({"cmd": "lookup", "target": format!("acct:village@{host}")}),
        WAIT,
    );
    assert_eq!(found["type"], "Application", "{found}");
    assert_eq!(found["object"]["id"], actor, "{found}");
    assert_eq!(
        found["webfinger"]["subject"],
        format!("acct:village@{host}")
    );
    let doc = ap_get(&server.client(), "/ap/village");
    assert!(doc["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(
        doc["endpoints"]["sharedInbox"],
        format!("{}/ap/inbox", server.url)
    );
    let relay = server.client().get(&format!(
        "/.well-known/webfinger?resource=acct:relay@{host}"
    ));
    assert_eq!(relay.status, 200);
    assert!(relay.body.contains(&actor));
    let index: Value =
        serde_json::from_str(&server.client().get("/.well-known/nodeinfo").body).unwrap();
    assert_eq!(
        index["links"][0]["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    assert_eq!(index["links"][1]["href"], actor);

    // The peer follows the village and is accepted.
    let follow = peer.command(&json!({"cmd": "follow", "target": actor}), WAIT);
    let accept = peer.wait_received("Accept", WAIT);
    assert_eq!(accept["actor"], actor, "{accept}");
    assert_eq!(accept["object"]["id"], follow["activity"]["id"], "{accept}");
    let followers = ap_get(&server.client(), "/ap/village/followers");
    assert_eq!(followers["totalItems"], 1);

    // An event made through the form reaches it as an Event.
    let mut f = fields("Bal du 14 juillet");
    set(&mut f, "start_date", "2027-07-14");
    set(&mut f, "start_time", "21:00");
    set(&mut f, "end_time", "23:30");
    set(&mut f, "tags", "bal, musique");
    set(&mut f, "capacity", "200");
    let slug = create(&admin, &f);
    let created = peer.wait_received("Create", WAIT);
    let event = &created["object"];
    assert_eq!(created["actor"], actor, "{created}");
    assert_eq!(event["type"], "Event", "{created}");
    assert_eq!(event["name"], "Bal du 14 juillet");
    assert_eq!(event["url"], format!("{}/e/{slug}", server.url));
    assert_eq!(event["startTime"], "2027-07-14T21:00:00+02:00", "{event}");
    assert_eq!(event["endTime"], "2027-07-14T23:30:00+02:00", "{event}");
    assert!(
        event["summary"]
            .as_str()
            .unwrap()
            .contains("Lavoir de la Fontaine"),
        "the summary says where: {event}"
    );
    assert_eq!(event["location"]["type"], "Place", "{event}");
    assert_eq!(event["location"]["address"]["type"], "PostalAddress");
    assert_eq!(event["location"]["latitude"], 47.352);
    assert!(event["content"]
        .as_str()
        .unwrap()
        .contains("<strong>nombreux</strong>"));
    assert!(!event["content"].as_str().unwrap().contains("<script>"));
    // What Mobilizon and Gancio need of an Event (../shared/ACTIVITYPUB.md): attachments and
    // tags always arrays, each attachment with a mediaType, `#` hashtags, a named place with a
    // PostalAddress, the zone and the iCalendar status.
    assert!(event["attachment"].is_array(), "{event}");
    assert!(event["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["mediaType"].is_string()));
    let tags: Vec<&str> = event["tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["type"], "Hashtag");
            t["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(tags, ["#bal", "#musique"]);
    assert_eq!(event["timezone"], "Europe/Paris");
    assert_eq!(event["ical:status"], "CONFIRMED");
    assert_eq!(event["location"]["name"], "Lavoir de la Fontaine");
    assert_eq!(event["maximumAttendeeCapacity"], 200);
    assert_eq!(
        event["to"],
        json!(["https://www.w3.org/ns/activitystreams#Public"])
    );
    assert_eq!(event["attributedTo"], actor);
    let object_id = event["id"].as_str().unwrap().to_string();
    // The object is served at its id.
    let path = object_id.trim_start_matches(&server.url);
    assert_eq!(ap_get(&server.client(), path)["name"], "Bal du 14 juillet");
    // And listed in the outbox.
    let page = ap_get(&server.client(), "/ap/village/outbox/page/1");
    assert_eq!(page["orderedItems"][0]["object"]["id"], object_id.as_str());

    // Edited: an Update; deleted: a Delete, and the object answers 410.
    let edit = admin.get(&format!("/e/{slug}/edit"));
    let mut changed = f.clone();
    set(&mut changed, "title", "Grand bal du 14 juillet");
    let r = admin.post_form(&format!("/e/{slug}/edit"), &edit, &changed);
    assert_eq!(r.status, 303, "{}", r.body);
    let updated = peer.wait_received("Update", WAIT);
    assert_eq!(
        updated["object"]["name"], "Grand bal du 14 juillet",
        "{updated}"
    );
    assert_eq!(updated["object"]["id"], object_id.as_str());
    let page = admin.get(&format!("/e/{slug}"));
    let r = admin.post_form(&format!("/e/{slug}/delete"), &page, &[] as &[(&str, &str)]);
    assert!(r.status == 303 || r.status == 200, "{}", r.body);
    let deleted = peer.wait_received("Delete", WAIT);
    assert_eq!(deleted["object"]["id"], object_id.as_str(), "{deleted}");
    let gone = server
        .client()
        .get_with(path, &[("Accept", "application/activity+json")]);
    assert_eq!(gone.status, 410);

    // A members-only event never leaves.
    let comite = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let mut private = fields("Réunion du bureau");
    set(&mut private, "organiser", &comite);
    set(&mut private, "visibility", "members");
    create(&admin, &private);
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !peer
            .seen()
            .iter()
            .any(|l| l.to_string().contains("Réunion du bureau")),
        "members-only events stay here"
    );

    // A forged signature: 401, and nothing changes.
    let forged = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://127.0.0.1:9/follows/1", "type": "Follow",
        "actor": peer.actor_url, "object": actor});
    let r = ureq::post(&format!("{}/ap/inbox", server.url))
        .set("Content-Type", "application/activity+json")
        .set("Date", "Mon, 07 Dec 2026 10:00:00 GMT")
        .set(
            "Signature",
            &format!(
                "keyId=\"{}#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date\",signature=\"Zm9yZ2Vk\"",
                peer.actor_url
            ),
        )
        .send_string(&forged.to_string());
    match r {
        Err(ureq::Error::Status(code, _)) => assert_eq!(code, 401),
        other => panic!("forged signature accepted: {other:?}"),
    }
    let r = ureq::post(&format!("{}/ap/inbox", server.url))
        .set("Content-Type", "application/activity+json")
        .send_string(&forged.to_string());
    assert!(
        matches!(r, Err(ureq::Error::Status(401, _))),
        "unsigned: {r:?}"
    );
    let followers = ap_get(&server.client(), "/ap/village/followers");
    assert_eq!(followers["totalItems"], 1);

    // Undo: the peer no longer follows.
    peer.command(&json!({"cmd": "unfollow", "target": actor}), WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    while ap_get(&server.client(), "/ap/village/followers")["totalItems"] != 0 {
        assert!(std::time::Instant::now() < deadline, "Undo not applied");
        std::thread::sleep(Duration::from_millis(200));
    }
}
