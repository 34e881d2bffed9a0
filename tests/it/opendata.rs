//! Open data: the RNA import (command line and admin page), the CSV and GeoJSON downloads,
//! the JSON API of the directory and `placette export directory`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::*;

const COMMUNE: &str = "49999";

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rna_waldec_sample.csv")
}

/// The number on the summary line that starts with `label` (`  inserted:   5`).
fn count(out: &str, label: &str) -> u64 {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {label} line in {out}"))
}

fn import(file: &Path, data: &Path) -> String {
    let (ok, out, err) = run(
        &[
            "import",
            "rna",
            file.to_str().unwrap(),
            "--commune",
            COMMUNE,
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    out
}

fn json_of(r: &Resp) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The sample with one title changed and one association dissolved, still in Latin-1.
fn changed_sample(dir: &Path) -> PathBuf {
    let bytes = std::fs::read(sample()).unwrap();
    let mut lines: Vec<Vec<u8>> = bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    for line in &mut lines {
        if line.starts_with(b"W499000002;") {
            let text = String::from_utf8_lossy(line)
                .replace("SAINT-TEST FOOTBALL", "SAINT-TEST FOOTBALL ET FUTSAL");
            *line = text.into_bytes();
        }
        if line.starts_with(b"W499000008;") {
            let text = String::from_utf8_lossy(line).replace(";\"A\";", ";\"D\";");
            *line = text.into_bytes();
        }
    }
    let path = dir.join("rna_waldec_20250101_dpt49.csv");
    std::fs::write(&path, lines.join(&b'\n')).unwrap();
    path
}

#[test]
fn rna_import_from_the_command_line_is_idempotent_and_published() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(
        std::str::from_utf8(&std::fs::read(sample()).unwrap()).is_err(),
        "the sample is Latin-1, as published"
    );

    // First import: the active associations of the commune, nothing else.
    let out = import(&sample(), &data);
    assert!(out.contains("Latin-1") && out.contains(COMMUNE), "{out}");
    assert_eq!(count(&out, "rows read:"), 10);
    assert_eq!(count(&out, "in the commune:"), 7);
    assert_eq!(count(&out, "inserted:"), 5);
    assert_eq!(count(&out, "skipped invalid:"), 1);

    // Again: nothing new, nothing changed.
    let out = import(&sample(), &data);
    assert_eq!(
        (
            count(&out, "inserted:"),
            count(&out, "updated:"),
            count(&out, "unchanged:")
        ),
        (0, 0, 5)
    );

    let server = Server::start(&data, &[]);
    server.set_up();
    let visitor = server.client();
    let list = json_of(&visitor.get("/api/v1/actors?tag=association"));
    let actors = list["items"].as_array().unwrap();
    assert_eq!(actors.len(), 5, "no duplicates: {list}");
    assert_eq!(
        (&list["page"], &list["per_page"], &list["total"]),
        (&json!(1), &json!(50), &json!(5))
    );
    let comite = actors.iter().find(|a| a["rna_id"] == "W499000001").unwrap();
    assert_eq!(comite["name"], "Comité des fêtes de saint-test");
    assert_eq!(comite["type"], "association");
    assert_eq!(
        comite["address"],
        "2 Place de l'Église, 49750 Saint-Test-sur-Loire"
    );
    assert_eq!(comite["website"], "https://www.comite-saint-test.example");
    let summary = comite["summary"].as_str().unwrap();
    assert!(
        summary.contains("village; le vide-grenier") && summary.contains("\"repas des anciens\""),
        "{summary}"
    );

    // A newer file, while the server runs: one title changed, one association dissolved.
    let out = import(&changed_sample(dir.path()), &data);
    assert_eq!(count(&out, "inserted:"), 0);
    assert_eq!(count(&out, "updated:"), 1);
    assert_eq!(count(&out, "unchanged:"), 3);
    assert_eq!(count(&out, "dissolved:"), 1);
    assert!(
        out.contains("Pétanque loisirs (/a/petanque-loisirs)"),
        "{out}"
    );
    assert_eq!(
        json_of(&visitor.get("/api/v1/actors"))["items"]
            .as_array()
            .unwrap()
            .len(),
        5,
        "dissolved is not deleted"
    );

    // The API list is paginated in order, by name; sizes are kept within bounds.
    let names = |query: &str| -> (Vec<String>, Value) {
        let page = json_of(&visitor.get(&format!("/api/v1/actors?{query}")));
        let names = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect();
        (names, page)
    };
    let (all, _) = names("");
    let mut paged = Vec::new();
    for n in 1..=3 {
        let (items, page) = names(&format!("tag=association&per_page=2&page={n}"));
        assert_eq!(
            (&page["page"], &page["per_page"], &page["total"]),
            (&json!(n), &json!(2), &json!(5))
        );
        paged.extend(items);
    }
    assert_eq!(paged, all, "every actor once, in the same order");
    let (items, page) = names("per_page=1000&page=0");
    assert_eq!(
        (items.len(), &page["page"], &page["per_page"]),
        (5, &json!(1), &json!(200))
    );
    let (items, page) = names("page=9");
    assert!(items.is_empty() && page["total"] == 5, "{page}");
    assert_eq!(names("kind=place").1["total"], 0);
    let r = visitor.get("/api/v1/actors?page=deux");
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(json_of(&r)["error"].is_string(), "{}", r.body);

    // The association pages are in the directory.
    let page = visitor.get("/directory?tag=association");
    assert_eq!(page.status, 200);
    for name in [
        "Association sportive saint-test football et futsal",
        "Les Amis de la Bibliothèque",
        "Club des aînés ruraux",
    ] {
        assert!(
            page.body.contains(name),
            "{name} missing from the directory"
        );
    }
    let detail = visitor.get("/a/association-sportive-saint-test-football");
    assert_eq!(detail.status, 200, "the slug stays when the name changes");
    assert!(
        detail
            .body
            .contains("3 bis Avenue du Stade, 49750 Saint-Test-sur-Loire"),
        "{}",
        detail.body
    );

    // CSV from the web: header, one row per association, no email address anywhere.
    let r = visitor.get("/directory.csv");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        r.header("content-disposition")
            .starts_with("attachment; filename="),
        "{}",
        r.header("content-disposition")
    );
    assert!(
        r.body
            .starts_with("slug,name,kind,type,summary,tags,address,lat,lon,phone,website,url\n"),
        "{}",
        r.body
    );
    assert!(!r.body.contains('@'), "no email in open data: {}", r.body);
    let mut reader = csv::Reader::from_reader(r.body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    let row = rows
        .iter()
        .find(|r| &r[0] == "comite-des-fetes-de-saint-test")
        .unwrap();
    assert!(row[4].contains("\"repas des anciens\""));
    assert_eq!(&row[5], "association");
    assert_eq!(
        &row[11],
        format!("{}/a/comite-des-fetes-de-saint-test", server.url)
    );

    // The same from the command line.
    let d = data.to_str().unwrap();
    let (ok, out, err) = run(&["export", "directory", "--data", d], None);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("slug,name,kind,") && out.lines().count() == 6,
        "{out}"
    );
    let file = dir.path().join("annuaire.json");
    let (ok, _, err) = run(
        &[
            "export",
            "directory",
            "--format",
            "json",
            "--output",
            file.to_str().unwrap(),
            "--data",
            d,
        ],
        None,
    );
    assert!(ok, "{err}");
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 5);
}

#[test]
fn files_not_from_the_register_and_bad_commune_codes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bogus = dir.path().join("bogus.csv");
    std::fs::write(&bogus, "nom,adresse\nClub,Rue\n").unwrap();
    let (ok, _, err) = run(
        &[
            "import",
            "rna",
            bogus.to_str().unwrap(),
            "--commune",
            COMMUNE,
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        !ok && err.contains("not an RNA waldec file") && err.contains("titre"),
        "{err}"
    );
    let (ok, out, err) = run(
        &[
            "import",
            "rna",
            sample().to_str().unwrap(),
            "--commune",
            "49750",
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{err}");
    assert_eq!(
        count(&out, "in the commune:"),
        0,
        "a postcode is not an INSEE code"
    );
    let (ok, _, err) = run(
        &[
            "import",
            "rna",
            sample().to_str().unwrap(),
            "--commune",
            "Angers",
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok && err.contains("INSEE"), "{err}");
    let (ok, out, _) = run(&["--help"], None);
    assert!(
        ok && out.contains("import") && out.contains("export"),
        "{out}"
    );
}

/// Creates an API token in account settings; returns it.
fn api_token(c: &Client) -> String {
    let page = c.get("/account");
    let r = c.post_form("/account/tokens", &page, &[("token_name", "script")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let start = r.body.find("plt_").expect("token shown once");
    r.body[start..start + 68].to_string()
}

fn send(
    c: &Client,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Resp {
    let mut req = c.agent.request(method, &format!("{}{path}", c.base));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    Resp::from(match body {
        Some(b) => req
            .set("Content-Type", "application/json")
            .send_string(&b.to_string()),
        None => req.call(),
    })
}

#[test]
fn the_api_creates_lists_and_deletes_actors_with_the_right_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let token = api_token(&admin);
    let bearer = format!("Bearer {token}");
    let anonymous = server.client();
    let oven = json!({"kind": "place", "type": "oven", "name": "Four à pain", "summary": "Le four du bourg",
        "lat": 47.351, "lon": -0.812, "tags": ["pain", "patrimoine"], "hours": [[5, "09:00", "12:00"]]});

    // No account: 401 (the visitor's own CSRF token passes the CSRF check; an unknown token is 401 too).
    let visitor_csrf = anonymous.get("/login").csrf();
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("X-CSRF-Token", &visitor_csrf)],
        Some(&oven),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(json_of(&r)["error"].is_string());
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("Authorization", "Bearer plt_nope")],
        Some(&oven),
    );
    assert_eq!(r.status, 401);

    // Invalid input: 422 with a message per field.
    let bad = json!({"kind": "place", "type": "association", "name": "", "website": "pas un site", "lat": 95, "lon": 2});
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("Authorization", &bearer)],
        Some(&bad),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let errors = &json_of(&r)["errors"];
    for field in ["type", "name", "website", "lat"] {
        assert!(errors[field].is_string(), "{field} not reported: {errors}");
    }
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(r.status, 400, "{}", r.body);

    // Created with a token: located, with hours and tags.
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("Authorization", &bearer)],
        Some(&oven),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.location(), "/api/v1/actors/four-a-pain");
    let created = json_of(&r);
    assert_eq!(created["hours"], json!([[5, "09:00", "12:00"]]));
    assert_eq!(created["tags"], json!(["pain", "patrimoine"]));
    let r = anonymous.get("/api/v1/actors/four-a-pain");
    assert_eq!((r.status, json_of(&r)["lat"].as_f64()), (200, Some(47.351)));
    let r = anonymous.get("/api/v1/actors/nulle-part");
    assert_eq!(r.status, 404);
    assert!(json_of(&r)["error"].is_string());

    // A website given as a bare domain is completed, as on the form.
    let comite = json!({"kind": "organisation", "type": "association", "name": "Comité des fêtes",
        "website": "comite-fetes.fr", "social": ["facebook.com/comite-fetes"]});
    let r = send(
        &anonymous,
        "POST",
        "/api/v1/actors",
        &[("Authorization", &bearer)],
        Some(&comite),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(json_of(&r)["website"], "https://comite-fetes.fr");
    assert_eq!(
        json_of(&r)["social"],
        json!(["https://facebook.com/comite-fetes"])
    );

    // A resident creates one through their session: the CSRF header is required.
    let owner = server.resident("ana@village.test", "Ana");
    let garden = json!({"kind": "place", "type": "garden", "name": "Jardin partagé", "visibility": "public"});
    let r = send(&owner, "POST", "/api/v1/actors", &[], Some(&garden));
    assert_eq!(r.status, 403, "no CSRF header: {}", r.body);
    let csrf = owner.get("/account").csrf();
    let r = send(
        &owner,
        "POST",
        "/api/v1/actors",
        &[("X-CSRF-Token", &csrf)],
        Some(&garden),
    );
    assert_eq!(r.status, 201, "{}", r.body);

    // GeoJSON: only located actors, as [lon, lat] points.
    let r = anonymous.get("/directory.geojson");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("application/geo+json"));
    let geo = json_of(&r);
    assert_eq!(geo["type"], "FeatureCollection");
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "the garden has no location: {geo}");
    assert_eq!(
        features[0]["geometry"],
        json!({"type": "Point", "coordinates": [-0.812, 47.351]})
    );
    assert_eq!(features[0]["properties"]["slug"], "four-a-pain");
    let list = json_of(&anonymous.get("/api/v1/actors?kind=place&tag=pain"));
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);
    assert!(!anonymous.get("/api/v1/actors").body.contains('@'));

    // A member of the garden who is not its admin may not delete it; its admin may; the site's
    // admin may delete anything.
    let other = server.resident("bob@village.test", "Bob");
    let other_csrf = other.get("/account").csrf();
    let r = other.post_raw("/a/jardin-partage/join", &[("_csrf", &other_csrf)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let bob_id = json_of(&other.get("/api/v1/me"))["id"].as_i64().unwrap();
    let r = owner.post_raw(
        &format!("/a/jardin-partage/members/{bob_id}/approve"),
        &[("_csrf", &csrf)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &other,
        "DELETE",
        "/api/v1/actors/jardin-partage",
        &[("X-CSRF-Token", &other_csrf)],
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send(
        &owner,
        "DELETE",
        "/api/v1/actors/jardin-partage",
        &[("X-CSRF-Token", &csrf)],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(anonymous.get("/api/v1/actors/jardin-partage").status, 404);
    let r = send(
        &anonymous,
        "DELETE",
        "/api/v1/actors/four-a-pain",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(r.status, 204);

    // Every new path is in the OpenAPI document.
    let doc = json_of(&anonymous.get("/api/v1/openapi.json"));
    assert!(doc["paths"]["/api/v1/actors"]["post"]["responses"]["422"].is_object());
    assert!(doc["paths"]["/api/v1/actors/{slug}"]["delete"].is_object());
    assert!(doc["paths"]["/directory.csv"]["get"].is_object());
    assert!(doc["components"]["schemas"]["Actor"]["properties"]["hours"].is_object());
    let list = &doc["paths"]["/api/v1/actors"]["get"];
    assert!(list["parameters"].to_string().contains("per_page"));
    assert!(
        list["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["total"]
            .is_object()
    );
}

/// A multipart body with a commune field and a file, built by hand as a browser would.
fn multipart(commune: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----placette-test-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"commune\"\r\n\r\n{commune}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rna_waldec_20240101_dpt49.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(c: &Client, csrf: &str, commune: &str, file: &[u8]) -> Resp {
    let (content_type, body) = multipart(commune, file);
    Resp::from(
        c.agent
            .post(&format!("{}/admin/import?_csrf={csrf}", c.base))
            .set("Content-Type", &content_type)
            .send_bytes(&body),
    )
}

#[test]
fn the_admin_imports_the_register_through_the_admin_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    assert!(
        admin.get("/admin").body.contains("href=\"/admin/import\""),
        "linked from the admin nav"
    );
    let page = admin.get("/admin/import");
    assert_eq!(page.status, 200);
    let marker = "/admin/import?_csrf=";
    let start = page
        .body
        .find(marker)
        .expect("CSRF token in the form action")
        + marker.len();
    let csrf = page.body[start..].split('"').next().unwrap().to_string();
    let file = std::fs::read(sample()).unwrap();

    let r = upload(&admin, &csrf, COMMUNE, &file);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Import terminé"), "{}", r.body);
    assert!(
        r.body
            .contains("<th scope=\"row\">Associations ajoutées</th><td>5</td>"),
        "{}",
        r.body
    );
    let r = upload(&admin, &csrf, COMMUNE, &file);
    assert!(
        r.body
            .contains("<th scope=\"row\">Associations ajoutées</th><td>0</td>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<th scope=\"row\">Associations inchangées</th><td>5</td>"),
        "{}",
        r.body
    );
    let directory = admin.get("/directory?tag=association");
    assert!(directory.body.contains("Pétanque loisirs"));
    assert_eq!(json_of(&admin.get("/api/v1/actors"))["total"], 5);
    let data = dir.path().join("data");
    let spooled = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("rna-import"))
        .collect::<Vec<_>>();
    assert!(spooled.is_empty(), "the uploads are deleted: {spooled:?}");

    // A truncated upload is the client's fault (400), here and for photos.
    let (content_type, body) = multipart(COMMUNE, &file);
    for path in [
        format!("/admin/import?_csrf={csrf}"),
        format!("/a/petanque-loisirs/photo?_csrf={csrf}"),
    ] {
        let r = Resp::from(
            admin
                .agent
                .post(&format!("{}{path}", admin.base))
                .set("Content-Type", &content_type)
                .send_bytes(&body[..body.len() / 2]),
        );
        assert_eq!(r.status, 400, "{path}: {}", r.body);
    }

    // Mistakes re-render the form; strangers and forged posts are refused.
    let r = upload(&admin, &csrf, "Angers", &file);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("code INSEE"), "{}", r.body);
    let r = upload(&admin, &csrf, COMMUNE, b"nom;adresse\nClub;Rue\n");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("colonnes attendues"), "{}", r.body);
    assert_eq!(upload(&admin, "0000", COMMUNE, &file).status, 403);
    let resident = server.resident("ana@village.test", "Ana");
    assert_eq!(resident.get("/admin/import").status, 403);
    let page = resident.get("/account");
    assert_eq!(upload(&resident, &page.csrf(), COMMUNE, &file).status, 403);
}
