//! The admin's federation page (issue 19): the handles to give out, blocks, following a remote
//! account, and renewing the key, through the real binary.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::FedifyPeer;
use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

/// A village whose outgoing requests may reach loopback, set up; its admin's client.
fn village(dir: &std::path::Path) -> (Server, Client) {
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_IMPORT_ALLOW_LOCAL", "1");
    let server = Server::start_command(cmd, &dir.join("data"), &[]);
    let admin = server.set_up();
    (server, admin)
}

/// `127.0.0.1:PORT` of a server.
fn host(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_string()
}

/// The village actor's public key, as peers read it.
fn public_key(c: &Client) -> String {
    let r = c.get_with("/ap/village", &[("Accept", "application/activity+json")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let actor: Value = serde_json::from_str(&r.body).unwrap();
    let pem = actor["publicKey"]["publicKeyPem"].as_str().unwrap_or("");
    assert!(pem.contains("BEGIN PUBLIC KEY"), "{actor:#}");
    pem.to_string()
}

#[test]
fn the_page_is_for_admins_and_gives_the_handles_to_follow() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = village(dir.path());
    let comite = new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let resident = server.resident("claire@village.test", "Claire");

    let anonymous = server.client().get("/admin/federation");
    let refused = resident.get("/admin/federation");
    let form = resident.get("/account");
    let refused_post = resident.post_form(
        "/admin/federation/blocks",
        &form,
        &[("target", "spam.example"), ("reason", "")],
    );
    let page = admin.get("/admin/federation");
    let settings = admin.get("/admin");
    let no_token = admin.post_raw("/admin/federation/key", &[]);

    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().starts_with("/login"));
    assert_eq!(refused.status, 403);
    assert_eq!(refused_post.status, 403);
    assert_eq!(page.status, 200, "{}", page.body);
    let host = host(&server);
    assert!(
        page.body.contains(&format!("@village@{host}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Mastodon"));
    assert!(page.body.contains(&format!("@{comite}@{host}")));
    assert!(page.body.contains("Suivre un compte du fédivers"));
    assert!(page.body.contains("Personne ne suit encore le village"));
    assert!(page.body.contains("Aucun envoi en attente."));
    assert!(settings.body.contains("href=\"/admin/federation\""));
    assert_eq!(no_token.status, 403);
}

#[test]
fn blocks_are_listed_refused_when_unreadable_and_lifted() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, admin) = village(dir.path());

    let page = admin.get("/admin/federation");
    let domain = admin.post_form(
        "/admin/federation/blocks",
        &page,
        &[("target", "Spam.Example"), ("reason", "Pourriels")],
    );
    let actor = admin.post_form(
        "/admin/federation/blocks",
        &page,
        &[("target", "https://bad.example/users/x"), ("reason", "")],
    );
    let listed = admin.get("/admin/federation");
    let invalid = admin.post_form(
        "/admin/federation/blocks",
        &page,
        &[("target", "pas un domaine"), ("reason", "Motif gardé")],
    );

    assert_eq!(domain.status, 303, "{}", domain.body);
    assert_eq!(domain.location(), "/admin/federation");
    assert_eq!(actor.status, 303, "{}", actor.body);
    assert!(
        listed.body.contains("Blocage enregistré."),
        "{}",
        listed.body
    );
    assert!(listed.body.contains("<code>spam.example</code>"));
    assert!(listed.body.contains("domaine entier"));
    assert!(listed.body.contains("Pourriels"));
    assert!(listed
        .body
        .contains("<code>https://bad.example/users/x</code>"));
    assert_eq!(invalid.status, 422);
    assert!(invalid.body.contains("value=\"pas un domaine\""));
    assert!(invalid.body.contains("value=\"Motif gardé\""));
    assert!(invalid
        .body
        .contains("Ni une adresse web de compte (https://…) ni un nom de domaine"));

    let lifted = admin.post_form(
        "/admin/federation/blocks/delete",
        &listed,
        &[("target", "spam.example")],
    );
    let after = admin.get("/admin/federation");

    assert_eq!(lifted.status, 303);
    assert!(after.body.contains("Blocage levé."));
    assert!(!after.body.contains("<code>spam.example</code>"));
    assert!(after
        .body
        .contains("<code>https://bad.example/users/x</code>"));
}

#[test]
fn following_an_account_nobody_answers_for_says_it_was_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, admin) = village(dir.path());
    new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let page = admin.get("/admin/federation");
    assert!(page.body.contains("<option value=\"Comité des fêtes\">"));

    let no_page = admin.post_form(
        "/admin/federation/follow",
        &page,
        &[("handle", "agenda@gancio.example"), ("page", "")],
    );
    let unknown_page = admin.post_form(
        "/admin/federation/follow",
        &page,
        &[("handle", "agenda@gancio.example"), ("page", "Nulle part")],
    );
    let nobody = admin.post_form(
        "/admin/federation/follow",
        &page,
        &[
            ("handle", "nobody@127.0.0.1:1"),
            ("page", "comité des fêtes"),
        ],
    );
    let unfollow_gone = admin.post_form(
        "/admin/federation/following/999/delete",
        &page,
        &[("x", "")],
    );

    assert_eq!(no_page.status, 422);
    assert!(no_page
        .body
        .contains("Choisissez la page qui reçoit les événements."));
    assert_eq!(unknown_page.status, 422);
    assert!(unknown_page
        .body
        .contains("Aucune page de ce nom dans le répertoire."));
    assert!(unknown_page.body.contains("value=\"Nulle part\""));
    assert_eq!(nobody.status, 422, "{}", nobody.body);
    assert!(
        nobody.body.contains("Aucun compte trouvé à cette adresse."),
        "{}",
        nobody.body
    );
    assert!(nobody.body.contains("value=\"nobody@127.0.0.1:1\""));
    assert!(nobody.body.contains("value=\"comité des fêtes\""));
    assert!(nobody.body.contains("Le village ne suit aucun compte."));
    assert_eq!(unfollow_gone.status, 303);
}

#[test]
fn renewing_the_key_changes_the_actor_s_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = village(dir.path());
    let before = public_key(&server.client());
    let page = admin.get("/admin/federation");
    assert!(page.body.contains("Clé actuelle créée le"), "{}", page.body);

    let renewed = admin.post_form("/admin/federation/key", &page, &[("x", "")]);
    let shown = admin.get("/admin/federation");
    let after = public_key(&server.client());

    assert_eq!(renewed.status, 303, "{}", renewed.body);
    assert_eq!(renewed.location(), "/admin/federation");
    assert!(shown.body.contains("Nouvelle clé créée."));
    assert_ne!(before, after);
}

#[test]
fn the_admin_follows_a_fedify_group_for_a_page_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, admin) = village(dir.path());
    new_actor(&admin, "Comité des fêtes", "organisation", "association");
    let peer = FedifyPeer::start_as("club", "Group");
    let page = admin.get("/admin/federation");

    let followed = admin.post_form(
        "/admin/federation/follow",
        &page,
        &[
            ("handle", format!("@{}", peer.handle)),
            ("page", "Comité des fêtes".into()),
        ],
    );
    let follow = peer.wait_received("Follow", WAIT);

    assert_eq!(followed.status, 303, "{}", followed.body);
    let to = followed.location();
    assert!(to.starts_with("/admin/federation?followed="), "{to}");
    assert_eq!(follow["object"], peer.actor_url, "{follow}");
    let shown = admin.get(&to);
    assert!(
        shown
            .body
            .contains(&format!("Vous suivez maintenant {}", peer.handle)),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("Comité des fêtes"));
    // The peer accepts at once; the Accept reaches the village's inbox.
    let deadline = Instant::now() + WAIT;
    loop {
        let page = admin.get("/admin/federation");
        if page.body.contains("<td>accepté</td>") {
            break;
        }
        assert!(Instant::now() < deadline, "never accepted: {}", page.body);
        std::thread::sleep(Duration::from_millis(200));
    }

    let listed = admin.get("/admin/federation");
    let marker = "action=\"/admin/federation/following/";
    let start = listed.body.find(marker).expect("an unfollow button") + marker.len();
    let id: String = listed.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let stopped = admin.post_form(
        &format!("/admin/federation/following/{id}/delete"),
        &listed,
        &[("x", "")],
    );
    let undo = peer.wait_received("Undo", WAIT);
    let after = admin.get("/admin/federation");

    assert_eq!(stopped.status, 303);
    assert_eq!(undo["object"]["id"], follow["id"], "{undo}");
    assert!(after.body.contains("Le village ne suit plus ce compte."));
    assert!(after.body.contains("Le village ne suit aucun compte."));
}
