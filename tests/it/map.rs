//! The map: clustered GeoJSON over 500 located items, filters, the page without JavaScript,
//! the embeddable map and its framing policy, tiles from an MBTiles file, the settings.

use std::io::Read;
use std::time::Instant;

use serde_json::Value;

use crate::support::*;

/// An API token of the signed-in admin.
fn api_token(admin: &Client) -> String {
    let r = admin.post_form(
        "/account/tokens",
        &admin.get("/account"),
        &[("token_name", "carte")],
    );
    let start = r.body.find("plt_").expect("token shown once");
    r.body[start..start + 68].to_string()
}

/// Where the i-th test item is: 490 around the village, every 50th in Paris.
fn position(i: usize) -> (f64, f64) {
    if i % 50 == 0 {
        (48.85 + (i as f64) * 1e-4, 2.35)
    } else {
        (
            47.30 + (i % 25) as f64 * 0.004,
            -0.90 + (i / 25) as f64 * 0.009,
        )
    }
}

/// Creates 500 located public actors through the API: every 5th an association, the others
/// book boxes; every 10th tagged "pain".
fn five_hundred(server: &Server, admin: &Client) {
    let token = api_token(admin);
    let agent = ureq::AgentBuilder::new().build();
    for i in 0..500 {
        let (lat, lon) = position(i);
        let (kind, type_) = if i % 5 == 0 {
            ("organisation", "association")
        } else {
            ("place", "book_box")
        };
        let tags: Vec<&str> = if i % 10 == 0 { vec!["pain"] } else { vec![] };
        let body = serde_json::json!({"kind": kind, "type": type_, "name": format!("Lieu {i:03}"),
            "lat": lat, "lon": lon, "tags": tags, "visibility": "public"});
        let r = Resp::from(
            agent
                .post(&format!("{}/api/v1/actors", server.url))
                .set("Authorization", &format!("Bearer {token}"))
                .send_json(body),
        );
        assert!(r.status == 201 || r.status == 200, "{}", r.body);
    }
}

/// GET /map.geojson; returns the features.
fn features(c: &Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/map.geojson?{query}"));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    assert!(r.header("content-type").starts_with("application/geo+json"));
    let json: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(json["type"], "FeatureCollection");
    json["features"].as_array().unwrap().clone()
}

/// Items counted by a FeatureCollection: each cluster's count, plus one per single feature.
fn counted(features: &[Value]) -> u64 {
    features
        .iter()
        .map(|f| {
            if f["properties"]["cluster"] == true {
                f["properties"]["count"].as_u64().unwrap()
            } else {
                1
            }
        })
        .sum()
}

const FRANCE: &str = "bbox=-5.5,41,10,51.5";

#[test]
fn five_hundred_located_items_are_all_in_the_clusters_and_the_filters_apply() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    five_hundred(&server, &admin);
    let c = server.client();

    // Zoomed out over France: a few clusters that count every item once.
    let low = features(&c, &format!("{FRANCE}&zoom=5"));
    assert_eq!(counted(&low), 500);
    assert!(low.len() <= 5, "{} features at zoom 5", low.len());
    assert!(low.iter().any(|f| f["properties"]["cluster"] == true));
    for zoom in [8, 11, 13, 14] {
        assert_eq!(
            counted(&features(&c, &format!("{FRANCE}&zoom={zoom}"))),
            500,
            "zoom {zoom}"
        );
    }
    // The village alone (Paris is outside the box).
    let village = features(&c, "bbox=-1,47,-0.5,47.6&zoom=12");
    assert_eq!(counted(&village), 490);

    // Zoomed in on one item: single features with what a popup needs.
    let (lat, lon) = position(1);
    let close = features(
        &c,
        &format!(
            "bbox={},{},{},{}&zoom=18",
            lon - 1e-4,
            lat - 1e-4,
            lon + 1e-4,
            lat + 1e-4
        ),
    );
    assert_eq!(close.len(), 1, "{close:?}");
    let p = &close[0]["properties"];
    assert_eq!(p["title"], "Lieu 001");
    assert_eq!(p["url"], "/a/lieu-001");
    assert_eq!(
        (p["kind"].as_str(), p["type"].as_str()),
        (Some("place"), Some("book_box"))
    );
    assert!(p.get("cluster").is_none());
    let all_single = features(&c, &format!("{FRANCE}&zoom=15"));
    assert_eq!(all_single.len(), 500);

    // The same filters as the directory and the search.
    assert_eq!(
        counted(&features(&c, &format!("{FRANCE}&zoom=5&kind=organisation"))),
        100
    );
    assert_eq!(
        counted(&features(&c, &format!("{FRANCE}&zoom=5&tag=pain"))),
        50
    );
    assert_eq!(
        counted(&features(&c, &format!("{FRANCE}&zoom=5&type=book_box"))),
        400
    );
    assert_eq!(
        counted(&features(
            &c,
            &format!("{FRANCE}&zoom=5&kind=organisation&tag=pain")
        )),
        50
    );
    assert_eq!(counted(&features(&c, "zoom=3")), 500, "no bbox: the world");

    // Bad parameters: 400 with a JSON message, never a 500.
    for bad in [
        "bbox=1,2,3&zoom=5",
        "bbox=a,b,c,d",
        "bbox=10,41,-5,51&zoom=5",
        "bbox=1,2,3,4&zoom=99",
    ] {
        let r = c.get(&format!("/map.geojson?{bad}"));
        assert_eq!(r.status, 400, "{bad}");
        let json: Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            json["error"].as_str().unwrap().contains("invalide"),
            "{}",
            r.body
        );
    }
    // A box wider than the world (zoomed out past the antimeridian) is clamped.
    assert_eq!(counted(&features(&c, "bbox=-250,-95,250,95&zoom=2")), 500);

    // Fast: one indexed query and the clustering, for 500 items.
    let start = Instant::now();
    for _ in 0..10 {
        features(&c, &format!("{FRANCE}&zoom=5"));
    }
    let each = start.elapsed() / 10;
    eprintln!("map.geojson with 500 items: {each:?} per request");
    assert!(each.as_millis() < 500, "{each:?}");

    // The page without JavaScript lists the items (200 at most, with a notice), keeps the
    // filters, and links the directory's list to it.
    let page = c.get("/map");
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("href=\"/a/lieu-").count(), 200);
    assert!(
        page.body.contains("Seuls les 200 premiers"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/map\""), "nav link");
    let pain = c.get("/map?tag=pain&kind=organisation");
    assert_eq!(pain.body.matches("href=\"/a/lieu-").count(), 50);
    assert!(!pain.body.contains("Seuls les"));
    assert!(pain
        .body
        .contains("data-geojson=\"/map.geojson?kind=organisation&amp;type=&amp;tag=pain\""));
    // The code to embed the map is for the admins; visitors get the map first, filters
    // folded (open when some apply).
    assert!(!pain.body.contains("/embed/map"));
    assert!(!c
        .get("/map")
        .body
        .contains("<details class=\"filters-box\" open"));
    assert!(pain.body.contains("<details class=\"filters-box\" open"));
    assert!(pain.body.find("id=\"map\"") < pain.body.find("id=\"map-q\""));
    assert!(admin
        .get("/map?tag=pain&kind=organisation")
        .body
        .contains("/embed/map?kind=organisation&amp;amp;type=&amp;amp;tag=pain"));
    assert!(pain.body.contains("data-radius-km=\"15\""));
    assert!(!pain.body.contains("<script>"), "no inline script");
    let list = c.get("/directory?tag=pain");
    assert!(list
        .body
        .contains("href=\"/map?kind=&amp;type=&amp;tag=pain\""));
}

#[test]
fn only_public_items_are_on_the_map_and_the_module_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    for (name, visibility) in [("Four public", "public"), ("Local privé", "members")] {
        let r = admin.post_form(
            "/directory/new",
            &page,
            &[
                ("kind", "place"),
                ("type", "oven"),
                ("name", name),
                ("lat", "47.35"),
                ("lon", "-0.81"),
                ("visibility", visibility),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let c = server.client();
    let all = features(&c, "zoom=18");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["properties"]["title"], "Four public");
    assert!(!c.get("/map").body.contains("Local privé"));

    let settings = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "directory".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &settings, &fields).status, 303);
    for path in ["/map", "/map.geojson", "/embed/map", "/tiles/0/0/0"] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    assert!(!c.get("/directory").body.contains("href=\"/map"));
}

#[test]
fn only_the_embeddable_map_may_be_framed_by_other_sites() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();

    let embed = c.get("/embed/map?kind=place&tag=pain");
    assert_eq!(embed.status, 200);
    let csp = embed.header("content-security-policy");
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(embed.header("x-frame-options").is_empty());
    assert!(embed.body.contains("id=\"map\""));
    assert!(embed
        .body
        .contains("data-geojson=\"/map.geojson?kind=place&amp;type=&amp;tag=pain\""));
    assert!(!embed.body.contains("<header") && !embed.body.contains("<footer"));

    for path in ["/", "/map", "/map.geojson", "/login", "/nowhere"] {
        let r = c.get(path);
        let csp = r.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("img-src 'self' data: https://tile.openstreetmap.org"),
            "{csp}"
        );
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
    }
}

/// Writes a one-tile MBTiles file: zoom 1, column 0, TMS row 0 (XYZ row 1).
fn mbtiles(path: &std::path::Path, png: &[u8]) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         INSERT INTO metadata VALUES ('name', 'Région'), ('format', 'png');
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
    )
    .unwrap();
    db.execute(
        "INSERT INTO tiles VALUES (1, 0, 0, ?1)",
        rusqlite::params![png],
    )
    .unwrap();
}

fn bytes(server: &Server, path: &str) -> (u16, String, String, Vec<u8>) {
    match ureq::get(&format!("{}{path}", server.url)).call() {
        Ok(r) => {
            let (ct, cache) = (
                r.content_type().to_string(),
                r.header("cache-control").unwrap_or("").to_string(),
            );
            let mut body = Vec::new();
            r.into_reader().read_to_end(&mut body).unwrap();
            (200, ct, cache, body)
        }
        Err(ureq::Error::Status(s, _)) => (s, String::new(), String::new(), Vec::new()),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn tiles_come_from_the_mbtiles_file_the_admin_chose() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    assert_eq!(bytes(&server, "/tiles/1/0/1").0, 404, "no file configured");

    let file = dir.path().join("region.mbtiles");
    let png = b"\x89PNG\r\n\x1a\nune tuile".to_vec();
    mbtiles(&file, &png);
    let not_tiles = dir.path().join("notes.txt");
    std::fs::write(&not_tiles, "pas une base").unwrap();

    // Wrong input: 422, the typed values kept, nothing saved.
    let page = admin.get("/admin");
    for (url, attribution, path, field) in [
        (
            "https://tiles.example.org/{z}/{x}.png",
            "© Ex",
            "",
            "tile_url",
        ),
        (
            "https://tiles.example.org/{z}/{x}/{y}.png",
            "",
            "",
            "tile_attribution",
        ),
        ("", "", not_tiles.to_str().unwrap(), "mbtiles_path"),
        ("", "", "/nowhere/region.mbtiles", "mbtiles_path"),
    ] {
        let r = admin.post_form(
            "/admin/map",
            &page,
            &[
                ("tile_url", url),
                ("tile_attribution", attribution),
                ("mbtiles_path", path),
            ],
        );
        assert_eq!(r.status, 422, "{field}");
        assert!(
            r.body.contains(&format!("id=\"f-{field}-error\"")),
            "{field}: {}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("value=\"{}\"", path.replace('"', ""))),
            "input kept"
        );
    }
    assert!(server
        .client()
        .get("/map")
        .body
        .contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""));

    // The file: the map uses /tiles, which serves its tiles (TMS rows turned to XYZ).
    let r = admin.post_form(
        "/admin/map",
        &page,
        &[
            ("tile_url", ""),
            ("tile_attribution", "© Contributeurs OpenStreetMap"),
            ("mbtiles_path", file.to_str().unwrap()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let (status, ct, cache, body) = bytes(&server, "/tiles/1/0/1");
    assert_eq!((status, ct.as_str(), body), (200, "image/png", png.clone()));
    assert!(cache.contains("max-age=86400"), "{cache}");
    assert_eq!(bytes(&server, "/tiles/1/0/1.png").3, png);
    assert_eq!(bytes(&server, "/tiles/1/0/0").0, 404);
    assert_eq!(bytes(&server, "/tiles/1/5/0").0, 404);
    let map = server.client().get("/map");
    assert!(
        map.body.contains("data-tiles=\"/tiles/{z}/{x}/{y}\""),
        "{}",
        map.body
    );
    assert!(map
        .body
        .contains("data-attribution=\"© Contributeurs OpenStreetMap\""));

    // Another tile server: allowed by the page's policy.
    let r = admin.post_form(
        "/admin/map",
        &page,
        &[
            ("tile_url", "https://{s}.tiles.example.org/{z}/{x}/{y}.png"),
            ("tile_attribution", "© Exemple"),
            ("mbtiles_path", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let csp = server
        .client()
        .get("/map")
        .header("content-security-policy");
    assert!(csp.contains("https://*.tiles.example.org"), "{csp}");
    assert_eq!(
        bytes(&server, "/tiles/1/0/1").0,
        404,
        "file no longer served"
    );
    assert!(admin.get("/admin").body.contains("value=\"© Exemple\""));
}
