//! Neighbours (issue 20): three villages on loopback; one adds the two others, and its search
//! ranks their public items with its own, labelled; edits and deletions come with the next pull;
//! members-only items never; a neighbour switched off leaves its copy and searches as fast;
//! removing a neighbour removes its items.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::agenda::{create, fields, set};
use crate::support::*;

fn village(dir: &std::path::Path) -> (Server, Client) {
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_IMPORT_ALLOW_LOCAL", "1");
    let server = Server::start_command(cmd, &dir.join("data"), &[]);
    let admin = server.set_up();
    (server, admin)
}

fn search(c: &Client, q: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/search?q={q}&km=50&neighbours=1"));
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["items"].as_array().unwrap().clone()
}

fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `title` is in the village's own change feed (its indexer has it).
fn in_feed(c: &Client, title: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c.get("/api/v1/changes").body.contains(title) {
        assert!(Instant::now() < deadline, "{title} never in the feed");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn add(admin: &Client, url: &str) {
    let page = admin.get("/admin/neighbours");
    let r = admin.post_form("/admin/neighbours", &page, &[("url", url)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Posts every `/admin/neighbours/{id}/{what}` button of the admin page.
fn answer_all(admin: &Client, what: &str) {
    let page = admin.get("/admin/neighbours");
    let suffix = format!("/{what}\"");
    let mut n = 0;
    for (i, _) in page.body.match_indices(&suffix) {
        let start = page.body[..i].rfind("/admin/neighbours/").unwrap();
        let action = format!("{}/{what}", &page.body[start..i]);
        let r = admin.post_form(&action, &page, &[("x", "")]);
        assert_eq!(r.status, 303, "{}", r.body);
        n += 1;
    }
    assert!(n > 0, "no {what} button: {}", page.body);
}

/// Waits until a search on this village finds `title` (a neighbour's pull is done).
fn wait_for(c: &Client, title: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !titles(&search(c, "velo")).iter().any(|t| t == title) {
        assert!(Instant::now() < deadline, "{title} never found");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Pulls every neighbour now (the admin's button), then waits for the index.
fn pull_all(admin: &Client) {
    let page = admin.get("/admin/neighbours");
    let mut at = 0;
    while let Some(i) = page.body[at..].find("action=\"/admin/neighbours/") {
        let start = at + i + "action=\"".len();
        let end = start + page.body[start..].find('"').unwrap();
        let action = &page.body[start..end];
        if action.ends_with("/sync") {
            admin.post_form(action, &page, &[("x", "")]);
        }
        at = end;
    }
    std::thread::sleep(Duration::from_millis(800));
}

fn p99(c: &Client, q: &str) -> Duration {
    let mut times: Vec<Duration> = (0..40)
        .map(|_| {
            let t = Instant::now();
            search(c, q);
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() * 99 / 100]
}

#[test]
fn a_search_reaches_the_neighbours_items_and_follows_their_changes() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (a, admin_a) = village(dirs[0].path());
    let (b, admin_b) = village(dirs[1].path());
    let (c, admin_c) = village(dirs[2].path());

    create(&admin_a, &fields("Vélo-école du samedi"));
    let slug_b = create(&admin_b, &fields("Réparation de vélos au lavoir"));
    create(&admin_c, &fields("Atelier vélo participatif"));
    let club = new_actor(&admin_b, "Club cycliste", "organisation", "association");
    let mut private = fields("Réunion vélo du bureau");
    set(&mut private, "organiser", &club);
    set(&mut private, "visibility", "members");
    create(&admin_b, &private);
    in_feed(&b.client(), "Réparation de vélos au lavoir");
    in_feed(&c.client(), "Atelier vélo participatif");

    // A bad address: 422, kept.
    let page = admin_a.get("/admin/neighbours");
    let r = admin_a.post_form("/admin/neighbours", &page, &[("url", "http://127.0.0.1:1")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("http://127.0.0.1:1"));

    // A asks B, whose admin sees the request and accepts it; C asks A, whose admin accepts by
    // adding C in turn. Nothing of B is in A's results before B's admin says yes.
    add(&admin_a, &b.url);
    let waiting = admin_a.get("/admin/neighbours").body;
    assert!(waiting.contains("Demandes envoyées"), "{waiting}");
    let early = titles(&search(&a.client(), "velo"));
    assert!(!early.iter().any(|t| t.contains("lavoir")), "{early:?}");
    let requests = admin_b.get("/admin/neighbours").body;
    assert!(
        requests.contains("demande à devenir votre voisin") && requests.contains(&a.url),
        "{requests}"
    );
    answer_all(&admin_b, "accept");
    add(&admin_c, &a.url);
    add(&admin_a, &c.url);
    // A forged request (C's address, a token C never made) is refused: C is asked back.
    let forged = serde_json::json!({"url": c.url, "token": "f".repeat(64)}).to_string();
    let token = "f".repeat(64);
    let r = b
        .client()
        .agent
        .post(&format!("{}/api/v1/neighbours", b.url))
        .set("Content-Type", "application/json")
        .set("Placette-Neighbour", &token)
        .send_string(&forged);
    assert!(
        matches!(r, Err(ureq::Error::Status(403, _))),
        "forged: {:?}",
        r.map(|r| r.status())
    );
    assert!(!admin_b.get("/admin/neighbours").body.contains(&c.url));
    wait_for(&a.client(), "Atelier vélo participatif");
    wait_for(&a.client(), "Réparation de vélos au lavoir");
    // B pulls A's feed too: the link goes both ways.
    wait_for(&b.client(), "Vélo-école du samedi");
    let visitor = a.client();
    let found = search(&visitor, "velo");
    let t = titles(&found);
    for title in [
        "Vélo-école du samedi",
        "Réparation de vélos au lavoir",
        "Atelier vélo participatif",
    ] {
        assert!(t.iter().any(|x| x == title), "{title} in {t:?}");
    }
    assert!(
        !t.iter().any(|x| x.contains("bureau")),
        "members-only: {t:?}"
    );
    let remote = found
        .iter()
        .find(|i| i["title"] == "Réparation de vélos au lavoir")
        .unwrap();
    let b_host = b.url.trim_start_matches("http://");
    assert_eq!(remote["origin"], b_host);
    assert_eq!(remote["url"], format!("{}/e/{slug_b}", b.url).as_str());
    assert_eq!(remote["origin_name"], "Saint-Test-sur-Loire");
    assert_eq!(remote["stale"], false);
    assert!(remote["lat"].is_f64() && remote["score"].as_f64().unwrap() > 0.0);
    // Local and remote in one ranking, by score.
    let scores: Vec<f64> = found.iter().map(|i| i["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // The API leaves the neighbours out unless asked.
    let own: Value =
        serde_json::from_str(&visitor.get("/api/v1/search?q=velo&km=50").body).unwrap();
    assert_eq!(
        titles(own["items"].as_array().unwrap()),
        ["Vélo-école du samedi"]
    );
    // The page includes them, labelled with the village's name and host; a visitor's choice
    // of « this village only » is remembered.
    let html = visitor.get("/search?q=velo&km=50").body;
    assert!(
        html.contains(&format!("à Saint-Test-sur-Loire ({b_host})")),
        "labelled"
    );
    let chooser = a.client();
    let only = chooser.get("/search?q=velo&km=50&neighbours=0");
    assert!(!only.body.contains(b_host) && only.body.contains("Vélo-école"));
    assert!(
        !chooser.get("/search?q=velo&km=50").body.contains(b_host),
        "remembered"
    );
    assert!(chooser
        .get("/search?q=velo&km=50&neighbours=1")
        .body
        .contains(b_host));

    // The agenda and the map show the neighbours' items when asked (off by default), and
    // remember the choice.
    let v = a.client();
    let agenda = v.get("/agenda").body;
    assert!(
        agenda.contains("Afficher aussi les événements des villages voisins")
            && !agenda.contains("Réparation de vélos"),
        "{agenda}"
    );
    let agenda = v.get("/agenda?neighbours=1").body;
    assert!(
        agenda.contains("Réparation de vélos au lavoir")
            && agenda.contains(&format!("à Saint-Test-sur-Loire ({b_host})"))
            && agenda.contains("Vélo-école du samedi"),
        "{agenda}"
    );
    assert!(
        v.get("/agenda")
            .body
            .contains("Réparation de vélos au lavoir"),
        "remembered"
    );
    let map = v.get("/map").body;
    assert!(
        map.contains("neighbours=1") && map.contains("Réparation de vélos au lavoir"),
        "{map}"
    );
    let geo = v
        .get("/map.geojson?bbox=-5,40,10,52&zoom=16&neighbours=1")
        .body;
    assert!(geo.contains("Réparation de vélos au lavoir"), "{geo}");
    let geo = v.get("/map.geojson?bbox=-5,40,10,52&zoom=16").body;
    assert!(!geo.contains("Réparation de vélos au lavoir"), "{geo}");
    assert!(!v
        .get("/agenda?neighbours=0")
        .body
        .contains("Réparation de vélos"));
    assert!(
        !v.get("/map").body.contains("Réparation de vélos"),
        "remembered"
    );
    let admin_page = admin_a.get("/admin/neighbours").body;
    assert!(admin_page.contains("Saint-Test-sur-Loire"), "{admin_page}");

    // An edit and a deletion on B arrive with the next pull.
    let edit = admin_b.get(&format!("/e/{slug_b}/edit"));
    let mut changed = fields("Grande réparation de vélos au lavoir");
    set(
        &mut changed,
        "title",
        "Grande réparation de vélos au lavoir",
    );
    admin_b.post_form(&format!("/e/{slug_b}/edit"), &edit, &changed);
    in_feed(&b.client(), "Grande réparation de vélos au lavoir");
    pull_all(&admin_a);
    let t = titles(&search(&visitor, "velo"));
    assert!(
        t.iter()
            .any(|x| x == "Grande réparation de vélos au lavoir"),
        "{t:?}"
    );
    assert!(
        !t.iter().any(|x| x == "Réparation de vélos au lavoir"),
        "{t:?}"
    );
    let page_b = admin_b.get(&format!("/e/{slug_b}"));
    admin_b.post_form(
        &format!("/e/{slug_b}/delete"),
        &page_b,
        &[] as &[(&str, &str)],
    );
    std::thread::sleep(Duration::from_millis(800));
    pull_all(&admin_a);
    let t = titles(&search(&visitor, "velo"));
    assert!(
        !t.iter().any(|x| x.contains("réparation de vélos")),
        "{t:?}"
    );

    // C switched off: its copy stays, the pull says why, searches as fast.
    let before = p99(&visitor, "velo");
    c.stop();
    pull_all(&admin_a);
    let after = p99(&visitor, "velo");
    eprintln!("search p99 with a neighbour on: {before:?}; off: {after:?}");
    assert!(
        after < before * 3 + Duration::from_millis(50),
        "{before:?} → {after:?}"
    );
    let copy = search(&visitor, "velo");
    let kept = copy
        .iter()
        .find(|i| i["title"] == "Atelier vélo participatif")
        .expect("C's copy kept");
    assert_eq!(kept["stale"], true, "marked as a copy");
    let html = visitor.get("/search?q=velo&km=50").body;
    assert!(html.contains("copie au "), "« au … » on the page");
    let admin_page = admin_a.get("/admin/neighbours").body;
    assert!(
        admin_page.contains("<td>") && admin_page.to_lowercase().contains("connection"),
        "the error shown"
    );

    // B's admin removes A: B's items leave A's results too (A is told and checks).
    let page = admin_b.get("/admin/neighbours");
    let marker = "/delete\"";
    let end = page.body.find(marker).unwrap();
    let start = page.body[..end].rfind("/admin/neighbours/").unwrap();
    let action = format!("{}/delete", &page.body[start..end]);
    let r = admin_b.post_form(&action, &page, &[("x", "")]);
    assert_eq!(r.status, 303);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = search(&visitor, "velo");
        if left.iter().all(|i| i["origin"] != b_host) {
            break;
        }
        assert!(Instant::now() < deadline, "B's items stayed: {left:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!admin_a.get("/admin/neighbours").body.contains(&b.url));
}

/// A Gancio or Mobilizon instance cannot be linked (it has no change feed and no links), but
/// the admin who types its address is told how its events come in: the fediverse follow of
/// issue 19, or Gancio's calendar feed. The peers are real fediverse servers (Fedify) whose
/// NodeInfo says which software they run.
#[test]
fn a_gancio_or_mobilizon_address_is_answered_with_the_way_its_events_come_in() {
    use crate::federation::peer::FedifyPeer;
    let dir = tempfile::tempdir().unwrap();
    let (_a, admin) = village(dir.path());
    let gancio = FedifyPeer::start_with("agenda", "Application", &["--software", "gancio"]);
    let page = admin.get("/admin/neighbours");
    let r = admin.post_form("/admin/neighbours", &page, &[("url", gancio.url.as_str())]);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("instance Gancio, pas une Placette")
            && r.body.contains(&format!("{}/feed/ics", gancio.url))
            && r.body.contains(&format!("value=\"{}\"", gancio.url)),
        "{}",
        r.body
    );
    let mobilizon = FedifyPeer::start_with("relay", "Application", &["--software", "mobilizon"]);
    let r = admin.post_form(
        "/admin/neighbours",
        &page,
        &[("url", mobilizon.url.as_str())],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("serveur Mobilizon du fédivers"),
        "{}",
        r.body
    );
    assert!(admin.get("/admin/neighbours").body.contains("Aucun voisin"));
}
