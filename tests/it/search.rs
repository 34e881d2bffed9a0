//! Search as a resident uses it: accents and plurals, distance, the index kept in step with
//! the database and rebuilt when its folder is lost.

use std::time::{Duration, Instant};

use crate::support::*;

/// The village centre of `setup_fields`: 47.35, -0.81.
const CENTRE: (f64, f64) = (47.35, -0.81);

fn token(admin: &Client) -> String {
    let r = admin.post_form(
        "/account/tokens",
        &admin.get("/account"),
        &[("token_name", "tests")],
    );
    let start = r.body.find("plt_").unwrap();
    r.body[start..start + 68].to_string()
}

fn add(server: &Server, token: &str, name: &str, tags: &str, km_north: Option<f64>) -> String {
    let mut body = serde_json::json!({"kind": "organisation", "type": "association", "name": name, "tags": tags, "visibility": "public"});
    if let Some(km) = km_north {
        body["lat"] = format!("{}", CENTRE.0 + km / 111.32).into();
        body["lon"] = format!("{}", CENTRE.1).into();
    }
    let r = Resp::from(
        ureq::post(&format!("{}/api/v1/actors", server.url))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body),
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    json["slug"].as_str().unwrap().to_string()
}

fn search(server: &Server, query: &str) -> serde_json::Value {
    let r = server.client().get(&format!("/api/v1/search?{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// Waits until the search answers `want` results (the index follows the database).
fn wait_total(server: &Server, query: &str, want: u64) -> Duration {
    let start = Instant::now();
    loop {
        if search(server, query)["total"] == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{query}: never {want} results"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn accents_plurals_typos_and_distance() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let t = token(&admin);
    add(&server, &t, "Fête du Pain", "boulangerie", Some(12.0));
    add(&server, &t, "Comité des fêtes", "bénévolat", Some(2.0));
    add(&server, &t, "Club de pétanque", "sport", Some(40.0));
    let took = wait_total(&server, "q=fete", 2);
    assert!(
        took < Duration::from_secs(1),
        "a write is searchable within a second ({took:?})"
    );

    // « fete du pain » finds « Fête du Pain »; « fetes » finds both fêtes.
    let r = search(&server, "q=fete+du+pain");
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["title"], "Fête du Pain");
    // Equal relevance: the one 2 km away comes before the one 12 km away, both within 15 km.
    let r = search(&server, "q=fetes&km=15");
    assert_eq!(r["total"], 2);
    assert_eq!(r["items"][0]["title"], "Comité des fêtes", "{r}");
    assert_eq!(r["items"][1]["title"], "Fête du Pain");
    assert!((r["items"][1]["distance_km"].as_f64().unwrap() - 12.0).abs() < 0.3);
    // A 5 km radius leaves the 12 km one out; 50 km brings the pétanque club in.
    assert_eq!(search(&server, "q=fetes&km=5")["total"], 1);
    assert_eq!(search(&server, "q=petanque&km=15")["total"], 0);
    assert_eq!(search(&server, "q=petanque&km=50")["total"], 1);
    // Another centre: around the club, 5 km.
    let lat = CENTRE.0 + 40.0 / 111.32;
    assert_eq!(
        search(&server, &format!("q=club&km=5&lat={lat}&lon={}", CENTRE.1))["total"],
        1
    );
    // A typo in a short query; tags; kinds.
    assert_eq!(search(&server, "q=petanqe&km=50")["total"], 1);
    assert_eq!(search(&server, "tag=sport&km=50")["total"], 1);
    assert_eq!(search(&server, "q=fetes&kind=place")["total"], 0);

    // The page shows distances, in French.
    let page = server.client().get("/search?q=fetes");
    assert!(
        page.body.contains("à 2,0 km") && page.body.contains("à 12,0 km"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/map?"));
}

#[test]
fn deletions_leave_the_index_and_a_lost_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let admin = server.set_up();
    let t = token(&admin);
    let slug = add(
        &server,
        &t,
        "Jardin partagé des Tilleuls",
        "jardin",
        Some(1.0),
    );
    add(&server, &t, "Jardins familiaux", "jardin", Some(3.0));
    wait_total(&server, "q=jardins", 2);
    let r = Resp::from(
        ureq::delete(&format!("{}/api/v1/actors/{slug}", server.url))
            .set("Authorization", &format!("Bearer {t}"))
            .call(),
    );
    assert!(r.status == 204 || r.status == 200);
    wait_total(&server, "q=jardins", 1);
    assert!(server.stop().success());

    // The index folder is lost: the next start rebuilds it from SQLite, in the background.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    let server = Server::start(&data, &[]);
    wait_total(&server, "q=jardins", 1);
    drop(server);

    // And `placette reindex` rebuilds it on demand.
    std::fs::remove_dir_all(data.join("search-index")).unwrap();
    let (ok, out, err) = run(&["reindex", "--data", data.to_str().unwrap()], None);
    assert!(ok, "{err}");
    assert!(out.contains("1 documents"), "{out}");
}

#[test]
fn a_search_is_shown_on_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let t = token(&admin);
    add(&server, &t, "Jardin partagé", "jardin", Some(1.0));
    add(&server, &t, "Jardin d'enfants", "enfants", Some(2.0));
    add(&server, &t, "Club de judo", "sport", Some(3.0));
    wait_total(&server, "q=jardin", 2);
    let r = server
        .client()
        .get("/map.geojson?bbox=-5,42,8,51&zoom=18&q=jardin");
    assert_eq!(r.status, 200, "{}", r.body);
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let titles: Vec<&str> = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["title"].as_str())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.iter().all(|t| t.starts_with("Jardin")));
    // Below the clustering zoom, items shown alone still carry their title and link.
    let r = server
        .client()
        .get("/map.geojson?bbox=-5,42,8,51&zoom=14&q=jardin");
    let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let singles: Vec<&serde_json::Value> = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["title"].is_string())
        .collect();
    assert_eq!(singles.len(), 2, "{json}");
    assert!(singles
        .iter()
        .all(|f| f["properties"]["url"].as_str().unwrap().starts_with("/a/")));
    let page = server.client().get("/map?q=jardin");
    assert!(page.body.contains("Jardin partagé") && !page.body.contains("Club de judo"));
}

/// A public page of the directory with a summary, through the JSON API.
fn add_page(server: &Server, token: &str, name: &str, summary: &str, km_north: f64) {
    let body = serde_json::json!({"kind": "organisation", "type": "association", "name": name,
        "summary": summary, "visibility": "public",
        "lat": format!("{}", CENTRE.0 + km_north / 111.32), "lon": format!("{}", CENTRE.1)});
    let r = Resp::from(
        ureq::post(&format!("{}/api/v1/actors", server.url))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body),
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
}

fn titles(server: &Server, query: &str) -> Vec<String> {
    search(server, query)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

/// Issue 18, point 8. Before: « fete du pain » gave [Comité des fêtes, Le Fournil du Moulin,
/// Fête du pain : on cherche des bénévoles]; « boulangrie » gave [Chambre pour un apprenti,
/// Boulangerie Martin]. Title and exact-phrase matches now come first.
#[test]
fn title_and_phrase_matches_come_first_and_events_show_their_next_date() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let t = token(&admin);
    // Two pages near the centre that mention bread and fêtes; a wall post without a place.
    add_page(
        &server,
        &t,
        "Comité des fêtes",
        "Les fêtes du village : buvette, vente de pain et de gâteaux.",
        1.0,
    );
    add_page(
        &server,
        &t,
        "Le Fournil du Moulin",
        "Pain au levain, brioches pour les fêtes du village.",
        2.0,
    );
    crate::news::publish(
        &admin,
        "/news",
        "Fête du pain : on cherche des bénévoles",
        "Rendez-vous samedi sur la place.",
        "public",
    );
    wait_total(&server, "q=fete+du+pain", 3);
    let order = titles(&server, "q=fete+du+pain");
    eprintln!("« fete du pain »: {order:?}");
    assert_eq!(
        order[0], "Fête du pain : on cherche des bénévoles",
        "{order:?}"
    );

    // « boulangrie » (a typo): the bakery before an ad that names a bakery in its text only.
    add_page(
        &server,
        &t,
        "Boulangerie Martin",
        "Pain, viennoiseries.",
        12.0,
    );
    let page = admin.get("/aid/new");
    let r = admin.post_form(
        "/aid/new",
        &page,
        &[
            ("kind", "offer"),
            ("category", "housing"),
            ("title", "Chambre pour un apprenti"),
            (
                "description",
                "Chambre meublée à louer, à deux pas de la boulangerie.",
            ),
            ("price_kind", ""),
            ("price", ""),
            ("condition", ""),
            ("available_from", ""),
            ("available_until", ""),
            ("actor", ""),
            ("address", ""),
            ("lat", &CENTRE.0.to_string()),
            ("lon", &CENTRE.1.to_string()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    wait_total(&server, "q=boulangrie", 2);
    let order = titles(&server, "q=boulangrie");
    eprintln!("« boulangrie »: {order:?}");
    assert_eq!(order, ["Boulangerie Martin", "Chambre pour un apprenti"]);

    // An event's result shows its next date in the reader's language: a weekly class begun 13
    // days ago has its next date tomorrow.
    let tz = chrono_tz::Europe::Paris;
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let start = today - chrono::Duration::days(13);
    let next = today + chrono::Duration::days(1);
    let mut f = crate::agenda::fields("Atelier tricot du mardi");
    crate::agenda::set(&mut f, "start_date", &start.format("%Y-%m-%d").to_string());
    crate::agenda::set(&mut f, "repeat", "daily");
    crate::agenda::set(&mut f, "interval", "7");
    crate::agenda::set(&mut f, "type", "workshop");
    crate::agenda::create(&admin, &f);
    wait_total(&server, "q=tricot", 1);
    let months_fr = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    use chrono::Datelike;
    let fr = format!(
        "{} {} {}",
        next.day(),
        months_fr[next.month0() as usize],
        next.year()
    );
    let body = server.client().get("/search?q=tricot").body;
    assert!(body.contains(&fr) && body.contains("18:30"), "{fr}: {body}");
    let en = server
        .client()
        .get_with("/search?q=tricot", &[("Accept-Language", "en")]);
    let month_en = next.format("%B").to_string();
    assert!(en.body.contains(&month_en), "{month_en}: {}", en.body);
}
