//! Maps in Chromium (issue 18): the village centre set by a click on the setup map with the
//! radius drawn, the first view of /map showing the bourg's items apart, the pins' legend.

use super::*;

/// Runs a script in the page and returns its value.
fn js(driver: &Driver, script: &str) -> Value {
    driver.cmd(
        "POST",
        "/execute/sync",
        json!({"script": script, "args": []}),
    )
}

/// Waits (up to 10 s) until a script returns `true`.
fn wait_js(driver: &Driver, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while js(driver, script) != json!(true) {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Clicks an element `dx`, `dy` CSS pixels away from its centre, as a mouse would.
fn click_at(driver: &Driver, css: &str, dx: i64, dy: i64) {
    let mut origin = serde_json::Map::new();
    origin.insert(ELEMENT.to_string(), json!(driver.find(css)));
    let pointer = json!({"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
    "actions": [
        {"type": "pointerMove", "duration": 0, "x": dx, "y": dy, "origin": origin},
        {"type": "pointerDown", "button": 0},
        {"type": "pointerUp", "button": 0}
    ]});
    driver.cmd("POST", "/actions", json!({ "actions": [pointer] }));
    let _ = ureq::delete(&format!(
        "{}/session/{}/actions",
        driver.base, driver.session
    ))
    .call();
}

/// The drawn circle's width and centre in CSS pixels, `null` without one.
const CIRCLE: &str = "var c = document.querySelector('#location-picker path.map-village'); \
    if (!c) { return null; } var r = c.getBoundingClientRect(); \
    return [r.width, r.left + r.width / 2, r.top + r.height / 2];";

fn value(driver: &Driver, id: &str) -> String {
    js(
        driver,
        &format!("return document.getElementById('{id}').value"),
    )
    .as_str()
    .unwrap()
    .to_string()
}

fn six_decimals(v: &str) -> f64 {
    let (_, decimals) = v.split_once('.').unwrap_or_else(|| panic!("{v:?}"));
    assert_eq!(decimals.len(), 6, "{v:?}");
    v.parse().unwrap()
}

#[test]
fn setup_centre_is_set_by_a_click_on_the_map_with_the_radius_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let code = server.setup_code();

    // Without JavaScript the map box stays hidden and the fields are there to type in.
    let page = server.client().get("/setup");
    assert!(
        page.body.contains("data-radius-input=\"f-radius_km\"")
            && page.body.contains("id=\"f-center_lat\""),
        "{}",
        page.body
    );
    let tag = &page.body[page.body.find("id=\"location-picker\"").unwrap()..];
    assert!(tag[..tag.find('>').unwrap()].contains(" hidden"), "{tag}");

    let driver = Driver::start();
    driver.cmd(
        "POST",
        "/window/rect",
        json!({"width": 1200, "height": 900}),
    );
    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("{}/setup", server.url)}),
    );
    // No internet here: no tiles, the map is drawn on its plain background all the same.
    driver.wait_source("the setup map", |s| {
        s.contains("location-picker") && s.contains("leaflet-container")
    });
    assert_eq!(js(&driver, CIRCLE), json!(null), "no centre yet, no circle");

    // The radius typed first, then the centre filled (as a name found in the address base
    // fills it, with a change event): the map comes to the circle.
    driver.type_into("#f-radius_km", "12");
    driver.type_into("#f-place", "Saint-Nulle-Part");
    js(
        &driver,
        "for (const [id, v] of [['f-center_lat', '47.350000'], ['f-center_lon', '-0.810000']]) { \
           const i = document.getElementById(id); i.value = v; \
           i.dispatchEvent(new Event('change', {bubbles: true})); }",
    );
    wait_js(
        &driver,
        "the circle",
        "return !!document.querySelector('#location-picker path.map-village')",
    );
    let wide = js(&driver, CIRCLE)[0].as_f64().unwrap();
    let map_height = js(
        &driver,
        "return document.getElementById('location-picker').getBoundingClientRect().height",
    );
    eprintln!("12 km circle: {wide} px wide in a {map_height} px tall map");
    assert!(wide > 100.0, "{wide} px: the view fits the circle");

    // A smaller radius draws a smaller circle, keystroke by keystroke.
    driver.type_into("#f-radius_km", "3");
    wait_js(
        &driver,
        "a smaller circle",
        &format!("return document.querySelector('#location-picker path.map-village').getBoundingClientRect().width < {}", wide / 2.0),
    );
    js(
        &driver,
        "document.getElementById('location-picker').scrollIntoView({block: 'center'})",
    );
    let small = js(&driver, CIRCLE);
    eprintln!("3 km circle: {} px wide", small[0]);
    let ratio = small[0].as_f64().unwrap() / wide;
    assert!((0.15..0.35).contains(&ratio), "3 km / 12 km = {ratio}");

    // A click 60 px above the centre moves the centre north (6 decimals), and the circle
    // with it; it empties the name looked up, which would replace the click.
    click_at(&driver, "#location-picker", 0, -60);
    wait_js(
        &driver,
        "the clicked centre",
        "return document.getElementById('f-center_lat').value !== '47.350000'",
    );
    let lat = six_decimals(&value(&driver, "f-center_lat"));
    let lon = six_decimals(&value(&driver, "f-center_lon"));
    assert!(lat > 47.35 && lat < 47.5, "{lat}");
    assert!((lon + 0.81).abs() < 0.01, "{lon}");
    assert_eq!(value(&driver, "f-place"), "");
    let moved = js(&driver, CIRCLE);
    assert!(
        (moved[2].as_f64().unwrap() - small[2].as_f64().unwrap() + 60.0).abs() < 3.0,
        "{small} → {moved}"
    );

    // The setup saves the clicked centre and the radius.
    driver.type_into("#f-code", &code);
    driver.type_into("#f-name", "Saint-Clic");
    driver.type_into("#f-admin_name", "Mairie");
    driver.type_into("#f-admin_email", ADMIN_EMAIL);
    driver.type_into("#f-admin_password", ADMIN_PASSWORD);
    driver.click("#setup-submit");
    driver.wait_source("the admin page", |s| s.contains("id=\"general-h\""));
    let api: Value = serde_json::from_str(&server.client().get("/api/v1/instance").body).unwrap();
    assert_eq!(api["radius_km"], json!(3.0));
    assert_eq!(api["center"]["lat"], json!(lat));

    // The admin's settings page shows the same map, the circle drawn at once.
    wait_js(
        &driver,
        "the settings map with its circle",
        "return !!document.querySelector('#location-picker.leaflet-container path.map-village')",
    );
    assert_eq!(value(&driver, "f-radius_km"), "3");
}

/// The located items of the first view: markers (pins and clusters) and the items in them.
const FIRST_VIEW: &str = "var n = 0; document.querySelectorAll('.map-cluster').forEach(function (c) { n += parseInt(c.textContent, 10); }); \
    return [document.querySelectorAll('#map .map-point').length, document.querySelectorAll('#map .map-cluster').length, \
            n + document.querySelectorAll('#map .map-point').length];";

#[test]
fn the_first_view_of_the_demo_village_shows_its_items_apart_with_a_legend() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--demo"]);
    let page = server.client().get("/map");
    assert!(page.body.contains("data-bounds=\""), "{}", page.body);
    let embed = server.client().get("/embed/map");
    assert!(
        embed.body.contains("data-bounds=\"") && embed.body.contains("class=\"map-legend\""),
        "{}",
        embed.body
    );
    let driver = Driver::start();
    for (width, height) in [(1200, 900), (390, 844)] {
        driver.cmd(
            "POST",
            "/window/rect",
            json!({"width": width, "height": height}),
        );
        driver.cmd(
            "POST",
            "/url",
            json!({"url": format!("{}/map", server.url)}),
        );
        wait_js(
            &driver,
            "the first markers",
            "return document.querySelectorAll('#map .map-point, #map .map-cluster').length > 0",
        );
        std::thread::sleep(Duration::from_millis(300));
        let seen = js(&driver, FIRST_VIEW);
        let (pins, clusters) = (seen[0].as_u64().unwrap(), seen[1].as_u64().unwrap());
        eprintln!(
            "first view at {width} px: {pins} pins, {clusters} clusters ({} items)",
            seen[2]
        );
        // It was one cluster of every item (the 15 km circle fitted).
        assert!(pins + clusters > 1, "{seen}");
        assert!(pins >= 5, "{seen}");
    }

    // The legend names each kind of pin with its mark, in the page's language.
    let legend = js(
        &driver,
        "return Array.from(document.querySelectorAll('ul.map-legend li'), li => \
           [li.textContent.trim(), li.querySelector('.map-mark').className, \
            getComputedStyle(li.querySelector('.map-mark > span')).backgroundColor])",
    );
    let legend = legend.as_array().unwrap();
    let labels: Vec<&str> = legend.iter().map(|l| l[0].as_str().unwrap()).collect();
    let expected = match js(&driver, "return document.documentElement.lang").as_str() {
        Some("fr") => [
            "Organisation",
            "Projet",
            "Lieu",
            "Personne",
            "Événement",
            "Entraide, petite annonce",
            "Proposition en cours",
        ],
        _ => [
            "Organisation",
            "Project",
            "Place",
            "Person",
            "Event",
            "Mutual aid, small ad",
            "Open proposal",
        ],
    };
    assert_eq!(labels, expected);
    let colours: std::collections::HashSet<&str> =
        legend.iter().map(|l| l[2].as_str().unwrap()).collect();
    assert!(colours.len() >= 5, "{legend:?}");
    // A pin on the map has the look of its legend entry.
    let same = js(
        &driver,
        "var pin = document.querySelector('#map .map-point.kind-organisation > span'); \
         var mark = document.querySelector('ul.map-legend .map-mark.kind-organisation > span'); \
         return !!pin && getComputedStyle(pin).backgroundColor === getComputedStyle(mark).backgroundColor",
    );
    assert_eq!(same, json!(true));
}

#[test]
fn zooming_out_gathers_the_items_into_clusters_and_a_click_opens_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    for i in 0..30 {
        let (lat, lon) = (
            format!("{}", 47.35 + (i % 6) as f64 * 0.001),
            format!("{}", -0.81 + (i / 6) as f64 * 0.001),
        );
        let name = format!("Boîte {i}");
        let fields = [
            ("kind", "place"),
            ("type", "book_box"),
            ("name", name.as_str()),
            ("lat", lat.as_str()),
            ("lon", lon.as_str()),
            ("visibility", "public"),
        ];
        assert_eq!(
            admin.post_form("/directory/new", &page, &fields).status,
            303
        );
    }
    let driver = Driver::start();
    driver.cmd(
        "POST",
        "/window/rect",
        json!({"width": 1200, "height": 900}),
    );
    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("{}/map", server.url)}),
    );
    // No internet here: the tiles fail, the circle and the markers are drawn all the same.
    // The first view fits the thirty boxes: each is seen on its own.
    wait_js(
        &driver,
        "the thirty pins",
        "return document.querySelectorAll('#map .map-point').length === 30",
    );
    assert!(driver
        .wait_source("the circle", |s| s.contains("map-village"))
        .contains("map-legend"));
    // Zoomed out, they gather into clusters that count them all.
    let deadline = Instant::now() + Duration::from_secs(10);
    while js(
        &driver,
        "return document.querySelectorAll('#map .map-cluster').length",
    ) == json!(0)
    {
        assert!(Instant::now() < deadline, "no cluster when zoomed out");
        driver.click(".leaflet-control-zoom-out");
        std::thread::sleep(Duration::from_millis(400));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(js(&driver, FIRST_VIEW)[2], json!(30));
    // A click on a cluster zooms in until its items are seen.
    let clicked = js(
        &driver,
        "return parseInt(document.querySelector('.map-cluster').textContent, 10)",
    );
    driver.click(".map-cluster");
    driver.wait_source("single markers after zooming in", |s| {
        s.contains("map-point")
    });
    std::thread::sleep(Duration::from_millis(300));
    let seen = js(&driver, FIRST_VIEW);
    assert!(
        seen[2].as_u64() >= clicked.as_u64(),
        "{seen} after a click on {clicked}"
    );
}
