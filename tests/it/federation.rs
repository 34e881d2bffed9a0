//! ActivityPub federation (issue 19) against real peers: Fedify (`peer`) and fediverse-pasture
//! (`pasture`), on loopback. The tests here prove the harness with two Fedify peers.

mod admin;
mod following;
mod page_follow;
mod pasture;
pub mod peer;
mod throughput;
mod village;

use std::time::Duration;

use serde_json::{json, Value};

pub use pasture::pasture_verify;
pub use peer::FedifyPeer;

const WAIT: Duration = Duration::from_secs(15);

fn ids(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

/// Peer A follows peer B (a Group), gets the Accept; B publishes, updates and deletes an Event
/// and A receives each with its fields intact; A unfollows and B forgets it.
#[test]
fn two_fedify_peers_follow_and_exchange_an_event() {
    let a = FedifyPeer::start("alice");
    let b = FedifyPeer::start_as("club", "Group");
    assert_eq!(b.url, format!("http://127.0.0.1:{}", b.port));

    // WebFinger (over http) and the actor, seen from A.
    let found = a.command(
        &json!({"cmd": "lookup", "target": format!("acct:{}", b.handle)}),
        WAIT,
    );
    assert_eq!(found["type"], "Group", "{found}");
    assert_eq!(found["object"]["id"], b.actor_url);
    assert_eq!(found["webfinger"]["subject"], format!("acct:{}", b.handle));
    assert_eq!(found["object"]["inbox"], b.inbox_url);

    let follow = a.command(&json!({"cmd": "follow", "target": b.actor_url}), WAIT);
    let follow_id = follow["activity"]["id"].as_str().unwrap().to_string();
    let got = b.wait_received("Follow", WAIT);
    assert_eq!(got["id"], follow_id);
    assert_eq!(got["actor"], a.actor_url);
    assert_eq!(got["object"], b.actor_url);
    let accept = a.wait_received("Accept", WAIT);
    assert_eq!(accept["actor"], b.actor_url, "{accept}");
    assert_eq!(accept["object"]["id"], follow_id, "{accept}");
    assert_eq!(accept["object"]["type"], "Follow", "{accept}");
    let followers = b.command(&json!({"cmd": "followers"}), WAIT);
    assert_eq!(followers["followers"], json!([a.actor_url]));

    b.command(
        &json!({"cmd": "publish_event", "id": "fete", "name": "Fête de la musique",
            "summary": "21 juin, 18 h, place de l'Église", "content": "<p>Scène ouverte.</p>",
            "startTime": "2027-06-21T18:00:00Z", "endTime": "2027-06-21T23:30:00Z",
            "location": {"name": "Place de l'Église", "latitude": 45.19, "longitude": 5.72}}),
        WAIT,
    );
    let create = a.wait_received("Create", WAIT);
    let event = &create["object"];
    let event_id = format!("{}/events/fete", b.url);
    assert_eq!(create["actor"], b.actor_url, "{create}");
    assert_eq!(event["type"], "Event", "{create}");
    assert_eq!(event["id"], event_id);
    assert_eq!(event["name"], "Fête de la musique");
    assert_eq!(event["summary"], "21 juin, 18 h, place de l'Église");
    assert_eq!(event["content"], "<p>Scène ouverte.</p>");
    assert_eq!(event["startTime"], "2027-06-21T18:00:00Z");
    assert_eq!(event["endTime"], "2027-06-21T23:30:00Z");
    assert_eq!(event["attributedTo"], b.actor_url);
    assert_eq!(event["location"]["type"], "Place", "{create}");
    assert_eq!(event["location"]["name"], "Place de l'Église");
    assert_eq!(event["location"]["latitude"], 45.19);
    assert_eq!(event["location"]["longitude"], 5.72);
    let public = "https://www.w3.org/ns/activitystreams#Public";
    assert!(
        ids(&event["to"])
            .iter()
            .any(|t| t == public || t == "as:Public"),
        "{create}"
    );
    // The event is served at its id.
    let fetched = a.command(&json!({"cmd": "lookup", "target": event_id}), WAIT);
    assert_eq!(fetched["type"], "Event");
    assert_eq!(fetched["object"]["name"], "Fête de la musique");

    b.command(
        &json!({"cmd": "update_event", "id": "fete", "name": "Fête (reportée)",
        "startTime": "2027-06-22T18:00:00Z"}),
        WAIT,
    );
    let update = a.wait_received("Update", WAIT);
    assert_eq!(update["object"]["id"], event_id, "{update}");
    assert_eq!(update["object"]["name"], "Fête (reportée)");
    assert_eq!(update["object"]["startTime"], "2027-06-22T18:00:00Z");
    assert_eq!(update["object"]["location"]["name"], "Place de l'Église");

    b.command(&json!({"cmd": "delete_event", "id": "fete"}), WAIT);
    let delete = a.wait_received("Delete", WAIT);
    assert_eq!(delete["object"]["id"], event_id, "{delete}");
    assert_eq!(delete["object"]["type"], "Tombstone", "{delete}");

    a.command(&json!({"cmd": "unfollow", "target": b.actor_url}), WAIT);
    let undo = b.wait_received("Undo", WAIT);
    assert_eq!(undo["object"]["id"], follow_id, "{undo}");
    let followers = b.command(&json!({"cmd": "followers"}), WAIT);
    assert_eq!(followers["followers"], json!([]));
}

/// An unsigned POST to a Fedify inbox is refused (401) and reported as `rejected`; a command
/// that fails says why.
#[test]
fn a_fedify_peer_refuses_an_unsigned_activity() {
    let b = FedifyPeer::start("bob");
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://127.0.0.1:9/forged", "type": "Follow",
        "actor": "http://127.0.0.1:9/users/mallory", "object": b.actor_url,
    });
    let r = ureq::post(&b.inbox_url)
        .set("Content-Type", "application/activity+json")
        .send_string(&activity.to_string());
    let status = match r {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 401);
    let line = b.wait_for(|v| v.get("rejected").is_some(), WAIT);
    assert_eq!(line["rejected"]["status"], 401);
    assert_eq!(
        line["rejected"]["activity"]["id"],
        "http://127.0.0.1:9/forged"
    );
    let failed = b.command_result(&json!({"cmd": "delete_event", "id": "none"}), WAIT);
    assert_eq!(failed["ok"], false);
    assert!(
        failed["error"].as_str().unwrap().contains("no event"),
        "{failed}"
    );
    assert!(b.seen().iter().all(|v| v.get("received").is_none()));
    assert!(b
        .try_wait_for(|v| v.get("received").is_some(), Duration::from_millis(300))
        .is_none());
}

/// Pasture's actor and inbox checks pass against Fedify's actor, by URL and by acct:.
#[test]
fn pasture_verify_passes_against_a_fedify_actor() {
    let peer = FedifyPeer::start_as("peer", "Group");
    for target in [peer.actor_url.clone(), format!("acct:{}", peer.handle)] {
        let v = pasture_verify(&target);
        assert_eq!(v["failures"], json!([]), "{target}: {v:#}");
        assert_eq!(v["resolved"], peer.actor_url, "{v:#}");
        assert_eq!(v["result"]["claire"]["post_inbox"], true, "{v:#}");
        assert_eq!(v["result"]["alice"]["post_inbox"], false, "{v:#}");
        assert_eq!(v["result"]["webfinger"], true, "{v:#}");
    }
}
