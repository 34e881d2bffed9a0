//! A page's own admins follow a fediverse account for their page, from the page's import page
//! (next to the iCalendar import): the remote's events come into the agenda organised by the
//! page; nobody else may follow or unfollow for it; unfollowing sends the Undo.

use std::time::{Duration, Instant};

use serde_json::json;

use super::village::village;
use super::FedifyPeer;
use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

/// Waits until `path` (as `client` sees it) satisfies `ok`.
fn wait_page(client: &Client, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let r = client.get(path);
        if ok(&r.body) {
            return r.body;
        }
        assert!(
            Instant::now() < deadline,
            "waited in vain for {what}: {}",
            r.body
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The id in the first « Arrêter de suivre » form of the page.
fn unfollow_id(body: &str, slug: &str) -> String {
    let marker = format!("action=\"/a/{slug}/fediverse/unfollow/");
    let start = body.find(&marker).expect("an unfollow button") + marker.len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[test]
fn a_page_s_admin_follows_a_fedify_group_for_the_page_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _admin) = village(dir.path());
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let slug = new_actor(
        &jeanne,
        "Club des randonneurs",
        "organisation",
        "association",
    );
    let paul = server.resident("paul@village.test", "Paul");
    let peer = FedifyPeer::start_as("club", "Group");
    let manage = format!("/a/{slug}/agenda/import");
    let follow_path = format!("/a/{slug}/fediverse/follow");
    let handle = format!("@{}", peer.handle);

    // The section on the page's management page.
    let page = jeanne.get(&manage);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Suivre un compte du fédivers"));
    assert!(page.body.contains("Cette page ne suit aucun compte."));
    assert!(page.body.contains(&format!("action=\"{follow_path}\"")));

    // Someone who does not manage the page may not follow for it.
    let elsewhere = paul.get("/account");
    let refused = paul.post_form(&follow_path, &elsewhere, &[("handle", handle.as_str())]);
    assert_eq!(refused.status, 403);

    // Bad input: the page again (422), with what was typed and the reason.
    let empty = jeanne.post_form(&follow_path, &page, &[("handle", "  ")]);
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("Indiquez le compte à suivre."));
    let nobody = jeanne.post_form(&follow_path, &page, &[("handle", "nobody@127.0.0.1:1")]);
    assert_eq!(nobody.status, 422, "{}", nobody.body);
    assert!(nobody.body.contains("Aucun compte trouvé à cette adresse."));
    assert!(nobody.body.contains("value=\"nobody@127.0.0.1:1\""));
    assert!(peer.seen().iter().all(|v| v.get("received").is_none()));

    // The page's admin follows the group: the Follow comes from the page's actor.
    let followed = jeanne.post_form(&follow_path, &page, &[("handle", handle.as_str())]);
    assert_eq!(followed.status, 303, "{}", followed.body);
    assert_eq!(followed.location(), manage);
    let follow = peer.wait_received("Follow", WAIT);
    assert_eq!(follow["object"], peer.actor_url, "{follow}");
    assert_eq!(follow["actor"], format!("{}/ap/a/{slug}", server.url));
    let shown = jeanne.get(&manage);
    assert!(shown.body.contains("Demande envoyée."), "{}", shown.body);
    assert!(shown.body.contains(&peer.handle), "{}", shown.body);
    wait_page(&jeanne, &manage, "the Accept", |b| {
        b.contains("<td>accepté</td>")
    });

    // The group publishes: the event comes into the agenda, organised by the page.
    peer.command(
        &json!({"cmd": "publish_event", "id": "crete", "name": "Randonnée des crêtes",
                "startTime": "2027-05-16T07:30:00Z", "endTime": "2027-05-16T16:00:00Z"}),
        WAIT,
    );
    let visitor = server.client();
    wait_page(&visitor, "/agenda", "the group's event", |b| {
        b.contains("Randonnée des crêtes")
    });
    let by_page = visitor.get(&format!("/agenda?organiser={slug}"));
    assert!(
        by_page.body.contains("Randonnée des crêtes"),
        "{}",
        by_page.body
    );
    assert!(by_page.body.contains("Club des randonneurs"));

    // Nobody else unfollows for the page, nor a follow that is not the page's.
    let listed = jeanne.get(&manage);
    let id = unfollow_id(&listed.body, &slug);
    let unfollow = format!("/a/{slug}/fediverse/unfollow/{id}");
    let by_paul = paul.post_form(&unfollow, &elsewhere, &[("x", "")]);
    assert_eq!(by_paul.status, 403);
    let other = jeanne.post_form(
        &format!("/a/{slug}/fediverse/unfollow/999999"),
        &listed,
        &[("x", "")],
    );
    assert_eq!(other.status, 404);

    // The page's admin stops: the group receives the Undo of the Follow.
    let stopped = jeanne.post_form(&unfollow, &listed, &[("x", "")]);
    assert_eq!(stopped.status, 303, "{}", stopped.body);
    assert_eq!(stopped.location(), manage);
    let undo = peer.wait_received("Undo", WAIT);
    assert_eq!(undo["object"]["id"], follow["id"], "{undo}");
    let after = jeanne.get(&manage);
    assert!(after.body.contains("La page ne suit plus ce compte."));
    assert!(after.body.contains("Cette page ne suit aucun compte."));
    assert!(visitor.get("/agenda").body.contains("Randonnée des crêtes"));
}
