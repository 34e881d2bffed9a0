//! Addresses without an online geocoder: `placette import ban` (plain and gzipped), the address
//! suggestions of `/api/v1/addresses`, and a form sent without coordinates that gets them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

/// The sample: 20 addresses of the fictional commune 49999, as adresse.data.gouv.fr publishes them.
fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/adresses-49-sample.csv")
}

const LABEL_12_BIS: &str = "12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire";

fn import(file: &Path, data: &Path) -> String {
    let (ok, out, err) = run(
        &[
            "import",
            "ban",
            file.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    out
}

fn suggestions(c: &Client, query: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/addresses?{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
    v.as_array().unwrap().clone()
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|s| s["label"].as_str().unwrap()).collect()
}

#[test]
fn ban_import_is_idempotent_and_feeds_the_address_api() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let out = import(&sample(), &data);
    assert!(out.contains("20 addresses imported (1 communes)"), "{out}");
    assert!(out.contains("20 addresses in the base"), "{out}");

    let server = Server::start(&data, &[]);
    server.set_up();
    // Again, while the server runs: the same ids are replaced, nothing is added.
    let out = import(&sample(), &data);
    assert!(out.contains("20 addresses imported (1 communes)"), "{out}");
    assert!(out.contains("20 addresses in the base"), "{out}");

    // Case, accents and punctuation ignored; "eglise" finds "Église", inside the label too.
    let visitor = server.client();
    for q in [
        "q=rue%20de%20l%20eglise",
        "q=RUE%20DE%20L%27%C3%89GLISE",
        "q=12%20bis%20rue%20de%20l%27eglise",
    ] {
        let found = suggestions(&visitor, q);
        let s = found
            .iter()
            .find(|s| s["label"] == LABEL_12_BIS)
            .unwrap_or_else(|| panic!("{q}: {found:?}"));
        assert_eq!(
            (s["lat"].as_f64(), s["lon"].as_f64()),
            (Some(47.3529), Some(-0.8095))
        );
    }
    let one = suggestions(&visitor, "q=12%20bis%20rue%20de%20l%20eglise");
    assert_eq!(
        labels(&one),
        [LABEL_12_BIS],
        "no duplicate after two imports"
    );
    // A prefix lists by key: "3" is the number 3 of every street, not 30.
    let three = suggestions(&visitor, "q=3");
    assert_eq!(
        labels(&three),
        [
            "3 Place du Marché, 49999 Saint-Placide-sur-Loire",
            "3 Rue de l'Église, 49999 Saint-Placide-sur-Loire",
            "3 ter Place du Marché, 49999 Saint-Placide-sur-Loire"
        ]
    );
    // At most 20, 10 by default; nothing found is an empty list.
    assert_eq!(
        suggestions(&visitor, "q=saint%20placide&limit=500").len(),
        20
    );
    assert_eq!(suggestions(&visitor, "q=saint%20placide").len(), 10);
    assert_eq!(suggestions(&visitor, "q=saint%20placide&limit=3").len(), 3);
    assert!(suggestions(&visitor, "q=rue%20de%20nulle%20part").is_empty());

    // No query is a 400 in JSON.
    for q in ["", "?q=", "?q=%20%27%20", "?q=rue&limit=beaucoup"] {
        let r = visitor.get(&format!("/api/v1/addresses{q}"));
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body));
        assert!(v["error"].is_string(), "{v}");
    }

    // Described in the OpenAPI document.
    let doc: Value = serde_json::from_str(&visitor.get("/api/v1/openapi.json").body).unwrap();
    assert!(doc["paths"]["/api/v1/addresses"]["get"].is_object());
}

#[test]
fn a_gzipped_ban_file_is_imported_and_a_file_of_another_kind_is_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Named .csv on purpose: gzip is recognised by its content.
    let gz = dir.path().join("adresses-49.csv");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&std::fs::read(sample()).unwrap()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();

    let out = import(&gz, &data);
    assert!(out.contains("20 addresses imported (1 communes)"), "{out}");

    let rna = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rna_waldec_sample.csv");
    let (ok, out, err) = run(
        &[
            "import",
            "ban",
            rna.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok && err.contains("not a BAN address file"), "{out}{err}");
}

/// The fields of the actor form, with an address and no coordinates (a browser without JavaScript).
fn place(name: &str, address: &str) -> Vec<(&'static str, String)> {
    [
        ("kind", "place"),
        ("type", "oven"),
        ("name", name),
        ("summary", ""),
        ("description", ""),
        ("tags", ""),
        ("address", address),
        ("lat", ""),
        ("lon", ""),
        ("phone", ""),
        ("website", ""),
        ("social", ""),
        ("capacity", ""),
        ("parent", ""),
        ("visibility", "public"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// The JSON-LD of an actor's public page.
fn json_ld(c: &Client, slug: &str) -> Value {
    let page = c.get(&format!("/a/{slug}"));
    assert_eq!(page.status, 200);
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    serde_json::from_str(&page.body[start..end]).unwrap()
}

#[test]
fn an_address_typed_from_the_imported_ban_sample_gets_its_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    import(&sample(), &data);
    let server = Server::start(&data, &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");

    // The form's address field is wired for the suggestions (with JavaScript).
    let form = jeanne.get("/directory/new");
    assert!(
        form.body.contains("data-address")
            && form.body.contains("data-lat-input=\"f-lat\"")
            && form.body.contains("data-lon-input=\"f-lon\"")
            && form.body.contains("js/address-autocomplete."),
        "{}",
        form.body
    );
    let src = &form.body[form.body.find("/assets/js/address-autocomplete.").unwrap()..];
    let script = jeanne.get(src.split('"').next().unwrap());
    assert_eq!(script.status, 200);
    assert!(script.body.contains("/api/v1/addresses"));

    // Sent without coordinates: the server finds them, typed exactly as the sample has them,
    // or as « number street » alone in the village.
    for (name, address, lat, lon) in [
        ("Four du bourg", LABEL_12_BIS, 47.3529, -0.8095),
        (
            "Four de la place",
            "3 ter place du marche",
            47.3563,
            -0.8075,
        ),
    ] {
        let r = jeanne.post_form("/directory/new", &form, &place(name, address));
        assert_eq!(r.status, 303, "{}", r.body);
        let slug = r.location().trim_start_matches("/a/").to_string();
        let ld = json_ld(&server.client(), &slug);
        assert_eq!(ld["address"], address);
        assert_eq!(ld["geo"]["latitude"].as_f64(), Some(lat), "{ld}");
        assert_eq!(ld["geo"]["longitude"].as_f64(), Some(lon), "{ld}");
    }

    // An address the base does not know: saved as typed, without a location, no message.
    let r = jeanne.post_form(
        "/directory/new",
        &form,
        &place("Four perdu", "99 rue de Nulle Part"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let ld = json_ld(&server.client(), "four-perdu");
    assert!(ld.get("geo").is_none(), "{ld}");

    // Editing: coordinates emptied, the address is located again.
    let edit = jeanne.get("/a/four-perdu/edit");
    let fields = place("Four perdu", "2 Allée des Tilleuls");
    let r = jeanne.post_form("/a/four-perdu/edit", &edit, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let ld = json_ld(&server.client(), "four-perdu");
    assert!(ld.get("geo").is_none(), "no 2 in that street: {ld}");
    let fields = place("Four perdu", "8, allée des tilleuls 49999");
    let r = jeanne.post_form("/a/four-perdu/edit", &edit, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(json_ld(&server.client(), "four-perdu")["geo"].is_object());
}
