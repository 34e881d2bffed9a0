//! Mutual aid as residents use it: posting offers, needs and small ads, matching (text,
//! category, distance), a person's location never exact on any surface, form errors,
//! conversations relayed by mail without any address, expiry and its mail, moderation.

use std::time::{Duration, Instant};

use crate::support::*;

mod expiry;
mod moderation;
mod talk;

/// The village centre of the test setup.
const CENTRE: (f64, f64) = (47.35, -0.81);

/// A point `km` east of the centre.
fn east(km: f64) -> (f64, f64) {
    (
        CENTRE.0,
        CENTRE.1 + km / (111.32 * CENTRE.0.to_radians().cos()),
    )
}

/// Posts through /aid/new; fields not given are sent empty.
fn post_aid(c: &Client, fields: &[(&str, &str)]) -> Resp {
    let page = c.get("/aid/new");
    assert_eq!(page.status, 200, "{}", page.body);
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    for name in [
        "kind",
        "category",
        "title",
        "description",
        "price_kind",
        "price",
        "condition",
        "available_from",
        "available_until",
        "actor",
        "address",
        "lat",
        "lon",
    ] {
        if !fields.iter().any(|(k, _)| *k == name) {
            all.push((name, ""));
        }
    }
    c.post_form("/aid/new", &page, &all)
}

/// Posts and returns the new post's id.
pub fn publish(c: &Client, kind: &str, category: &str, title: &str, at: Option<(f64, f64)>) -> i64 {
    let (lat, lon) = at.map_or((String::new(), String::new()), |(a, b)| {
        (a.to_string(), b.to_string())
    });
    let r = post_aid(
        c,
        &[
            ("kind", kind),
            ("category", category),
            ("title", title),
            ("description", ""),
            ("lat", &lat),
            ("lon", &lon),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/aid/")
        .parse()
        .unwrap_or_else(|_| panic!("unexpected location {}", r.location()))
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The post links in the "matches" section of a post's page, in order.
fn matches_on(page: &str) -> Vec<String> {
    let Some(start) = page.find("id=\"matches-h\"") else {
        return Vec::new();
    };
    let section = &page[start
        ..page[start..]
            .find("</section>")
            .map_or(page.len(), |e| start + e)];
    section
        .split("<h2><a href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(String::from)
        .collect()
}

/// Waits until a post's page shows at least `n` matches (the index follows within a second).
fn wait_matches(c: &Client, id: i64, n: usize) -> Vec<String> {
    let start = Instant::now();
    loop {
        let page = c.get(&format!("/aid/{id}"));
        assert_eq!(page.status, 200, "{}", page.body);
        let found = matches_on(&page.body);
        if found.len() >= n {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "post {id}: matches {found:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_need_finds_the_nearer_lawnmower_first_and_an_offer_finds_the_needs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let lender = server.resident("jeanne@village.test", "Jeanne");
    let couple = server.resident("couple@village.test", "Léa et Tom");
    // Arrange: the far lawnmower is posted first and is newer in nothing but its id.
    let far = publish(
        &lender,
        "offer",
        "lend",
        "Je prête ma tondeuse",
        Some(east(25.0)),
    );
    let near = publish(
        &lender,
        "offer",
        "lend",
        "Tondeuse à prêter",
        Some(east(3.0)),
    );
    let guitar = publish(
        &lender,
        "offer",
        "skills",
        "Cours de guitare",
        Some(east(0.5)),
    );
    // The index has both offers (it follows within a second).
    let start = Instant::now();
    loop {
        let found = couple.get("/api/v1/search?q=tondeuse&km=100").body;
        if found.contains(&format!("/aid/{near}\"")) && found.contains(&format!("/aid/{far}\"")) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{found}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Act: the couple needs a lawnmower.
    let need = publish(
        &couple,
        "need",
        "lend",
        "Besoin d'une tondeuse",
        Some(CENTRE),
    );
    // Assert: both lawnmowers, the one 3 km away first; the guitar lessons are no match.
    let found = wait_matches(&couple, need, 2);
    assert_eq!(found[0], format!("/aid/{near}"), "{found:?}");
    assert_eq!(found[1], format!("/aid/{far}"), "{found:?}");
    assert!(!found.contains(&format!("/aid/{guitar}")), "{found:?}");
    // And a new offer shows the open needs it answers.
    let offer = publish(
        &lender,
        "offer",
        "lend",
        "Tondeuse électrique",
        Some(east(1.0)),
    );
    assert_eq!(
        wait_matches(&lender, offer, 1),
        vec![format!("/aid/{need}")]
    );
    // The public list shows everything open, filters by kind and by distance.
    let list = server.client().get("/aid?kind=need").body;
    assert!(list.contains(&format!("/aid/{need}\"")) && !list.contains(&format!("/aid/{near}\"")));
    let nearby = server.client().get("/aid?km=5").body;
    assert!(
        nearby.contains(&format!("/aid/{near}\"")) && !nearby.contains(&format!("/aid/{far}\""))
    );
}

#[test]
fn a_persons_point_is_never_exact_on_the_page_the_map_the_api_or_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let c = server.resident("jeanne@village.test", "Jeanne");
    let house = (47.353_817, -0.806_431);
    let id = publish(&c, "offer", "give", "Plants de tomates", Some(house));
    let exact = ["47.353817", "-0.806431", "47.35381", "-0.80643"];
    let visitor = server.client();
    let page = visitor.get(&format!("/aid/{id}"));
    assert_eq!(page.status, 200);
    let api = visitor.get(&format!("/api/v1/aid/{id}"));
    let map = visitor.get("/map.geojson?kind=aid&zoom=18");
    assert_eq!(map.status, 200, "{}", map.body);
    assert!(map.body.contains(&format!("/aid/{id}")), "{}", map.body);
    for (what, body) in [("page", &page.body), ("api", &api.body), ("map", &map.body)] {
        for e in exact {
            assert!(!body.contains(e), "{what} shows the exact point {e}");
        }
    }
    let v = json(&api);
    let (lat, lon) = (
        v["location"]["lat"].as_f64().unwrap(),
        v["location"]["lon"].as_f64().unwrap(),
    );
    assert_eq!(v["location"]["approximate"], true);
    // Residents read no coordinates at all: the page links to the map (issue 18, point 9).
    assert!(!page.body.contains(&format!("{lat:.3}")), "{}", page.body);
    assert!(page.body.contains("/map?kind=aid"));
    let d = ((lat - house.0) * 111_320.0).hypot((lon - house.1) * 75_000.0);
    assert!(d > 1.0 && d < 250.0, "rounded to the neighbourhood: {d} m");
    // Nothing in the database holds the exact point: the post's row and the R*Tree.
    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("placette.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let (plat, plon): (f64, f64) = db
        .query_row("SELECT lat, lon FROM aid_posts WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((plat, plon), (lat, lon));
    let boxes: i64 = db
        .query_row(
            "SELECT count(*) FROM geo WHERE abs(min_lat - ?1) < 0.00001 AND abs(min_lon - ?2) < 0.00001",
            [house.0, house.1],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(boxes, 0);
}

#[test]
fn bad_input_is_a_422_that_keeps_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let c = server.resident("jeanne@village.test", "Jeanne");
    let r = post_aid(
        &c,
        &[
            ("kind", "ad_sale"),
            ("category", "other"),
            ("title", ""),
            ("description", "Four à sole, deux étages"),
            ("price_kind", "price"),
            ("price", "beaucoup"),
            ("available_from", "demain"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Four à sole, deux étages"));
    assert!(r.body.contains("value=\"beaucoup\""));
    assert!(r.body.contains("Donnez un titre."));
    assert!(r.body.contains("Indiquez un prix en euros"));
    assert!(r.body.contains("Date illisible"));
    // Nothing was posted.
    assert!(c
        .get("/aid/mine")
        .body
        .contains("Vous n'avez encore rien publié."));
    // The optional sector is a place the address base does not know: the post is published
    // all the same, without a point, and the resident is told so (never to use a map the form
    // does not have).
    let r = post_aid(
        &c,
        &[
            ("kind", "offer"),
            ("category", "services"),
            ("title", "Aide au jardin"),
            ("address", "Lieu-dit Nulle Part"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&r.location());
    assert!(page.body.contains("Aide au jardin"));
    assert!(
        page.body.contains("Annonce publiée, sans position sur la carte : le secteur indiqué n'est pas dans la base d'adresses."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("sur la carte, ou"));
    // A visitor is sent to the login page; a stranger cannot edit.
    let v = server.client();
    assert!(v.get("/aid/new").location().starts_with("/login"));
    let id = publish(&c, "ad_sale", "other", "Four de boulangerie", None);
    let other = server.resident("paul@village.test", "Paul");
    assert_eq!(other.get(&format!("/aid/{id}/edit")).status, 404);
    let page = other.get(&format!("/aid/{id}"));
    assert_eq!(
        other
            .post_form(&format!("/aid/{id}/close"), &page, &[("x", "")])
            .status,
        404
    );
}

/// POSTs the post form as multipart with a `image` file, the CSRF token in the query.
fn multipart(c: &Client, path: &str, fields: &[(&str, &str)], file: &[u8]) -> Resp {
    let token = c.get("/aid/new").csrf();
    let boundary = "----placette-aid-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes());
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    Resp::from(
        c.agent
            .post(&format!("{}{path}?_csrf={token}", c.base))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(&body),
    )
}

#[test]
fn the_form_keeps_its_token_out_of_the_address_bar() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let c = server.resident("odile@village.test", "Odile");
    let page = c.get("/aid/new");
    assert!(page.body.contains("action=\"/aid/new\""), "{}", page.body);
    assert!(
        !page.body.contains("?_csrf="),
        "the token is in the form, not its address"
    );

    // As a browser sends the form: multipart, the token as its first field, no query.
    let token = page.csrf();
    let boundary = "----BrowserBoundary7MA4YWxk";
    let mut body = String::new();
    for (k, v) in [
        ("_csrf", token.as_str()),
        ("kind", "need"),
        ("category", "services"),
        ("title", ""),
        ("description", "Pour tondre la pelouse"),
        ("address", "Lieu-dit Nulle Part"),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"));
    let send = |body: &str| -> Resp {
        c.agent
            .post(&format!("{}/aid/new", c.base))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(body.as_bytes())
            .into()
    };
    // A form error: a 422 re-render of the POST to /aid/new, everything typed kept.
    let r = send(&body);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Donnez un titre."));
    assert!(
        r.body.contains("Pour tondre la pelouse")
            && r.body.contains("value=\"Lieu-dit Nulle Part\"")
    );
    assert!(!r.body.contains("?_csrf="));
    // Corrected, it is published.
    let fixed = body.replace(
        "name=\"title\"\r\n\r\n\r\n",
        "name=\"title\"\r\n\r\nQuelqu'un pour tondre ?\r\n",
    );
    let r = send(&fixed);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(c
        .get(&r.location())
        .body
        .contains("Quelqu'un pour tondre ?"));
    // A wrong token, or none, is still refused.
    let forged = fixed.replace(&token, "0123456789abcdef");
    assert_eq!(send(&forged).status, 403);
    let none = fixed.replace("name=\"_csrf\"", "name=\"x\"");
    assert_eq!(send(&none).status, 403);
}

#[test]
fn a_small_ad_with_a_photo_re_encoded_and_a_price() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let c = server.resident("boulangerie@village.test", "Boulangerie");
    let fields = [
        ("kind", "ad_sale"),
        ("category", "other"),
        ("title", "Ancien four de la boulangerie"),
        ("description", "À enlever sur place."),
        ("price_kind", "price"),
        ("price", "450"),
        ("condition", "used"),
    ];
    // Not a picture: 422, what was typed is kept.
    let r = multipart(&c, "/aid/new", &fields, b"GIF89a not really");
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Ancien four de la boulangerie"));
    assert!(r.body.contains("pas une image lisible"));
    // A phone's 6 MB photo: 413, the form comes back with what was typed and the reason.
    let big = vec![0xFFu8; 6 * 1024 * 1024];
    let r = multipart(&c, "/aid/new", &fields, &big);
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(
        r.body.contains("Ancien four de la boulangerie") && r.body.contains("À enlever sur place.")
    );
    assert!(r.body.contains("trop lourde (5 Mo au plus)"), "{}", r.body);
    // A real picture: stored re-encoded as JPEG, shown on the page with the price.
    let png = include_bytes!("../../../assets/vendor/leaflet/images/marker-icon.png");
    let r = multipart(&c, "/aid/new", &fields, png);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&r.location()).body;
    assert!(page.contains("450 €") && page.contains("Usagé") && page.contains("À vendre"));
    let start = page.find("/media/").expect("the photo on the page");
    let src = page[start..].split('"').next().unwrap().to_string();
    let img = server.client().get(&src);
    assert_eq!(img.status, 200);
    assert_eq!(img.header("content-type"), "image/jpeg");

    // The account goes: its posts go, and their photos leave the disk too.
    let file = server
        .data
        .join("uploads")
        .join(src.trim_start_matches("/media/"));
    assert!(file.exists(), "{}", file.display());
    let account = c.get("/account");
    let r = c.post_form(
        "/account/delete",
        &account,
        &[("delete_password", "mot de passe du village")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!file.exists(), "the photo is deleted with the account");
    assert_eq!(server.client().get(&src).status, 404);
}

#[test]
fn a_business_posts_at_its_own_public_point_and_replies_are_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    server.set_up();
    let baker = server.resident("boulangerie@village.test", "Paul Fournier");
    // The baker creates the bakery's page, located at its shop.
    let page = baker.get("/directory/new");
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "organisation"),
        ("type", "business"),
        ("name", "Boulangerie du Bourg"),
        ("visibility", "public"),
        ("lat", "47.351234"),
        ("lon", "-0.812345"),
    ];
    for empty in [
        "summary",
        "description",
        "tags",
        "address",
        "phone",
        "website",
        "social",
        "capacity",
        "parent",
    ] {
        fields.push((empty, ""));
    }
    let r = baker.post_form("/directory/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    // The post form offers to post for it.
    let form = baker.get("/aid/new").body;
    let at = form
        .find(">Boulangerie du Bourg<")
        .expect("the bakery in the form");
    let actor = form[..at]
        .rsplit("value=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = post_aid(
        &baker,
        &[
            ("kind", "ad_sale"),
            ("category", "other"),
            ("title", "Ancien four"),
            ("price_kind", "free"),
            ("actor", actor),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/aid/").parse().unwrap();
    let v = json(&server.client().get(&format!("/api/v1/aid/{id}")));
    assert_eq!(v["actor"]["name"], "Boulangerie du Bourg");
    assert_eq!(v["location"]["lat"], 47.351234);
    assert_eq!(v["location"]["approximate"], false);
    assert_eq!(v["price"], "free");
    // Someone else cannot post for the bakery.
    let other = server.resident("tom@village.test", "Tom");
    let r = post_aid(
        &other,
        &[
            ("kind", "need"),
            ("category", "other"),
            ("title", "Farine"),
            ("actor", actor),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Vous ne gérez pas cette page."));
    // Thirty messages an hour, then 429 with the text kept.
    let page = other.get(&format!("/aid/{id}"));
    let mut last = None;
    for n in 0..31 {
        let r = other.post_form(
            &format!("/aid/{id}/reply"),
            &page,
            &[("body", format!("Question numéro {n}"))],
        );
        last = Some(r);
    }
    let r = last.unwrap();
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Question numéro 30"));
}
