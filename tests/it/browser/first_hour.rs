//! Issue 18's test: the volunteer's first hour at the town hall and a resident's session on a
//! phone, in Debian's Chromium, with axe-core (from npm, pinned in the Makefile) run in every
//! page they see: 0 violations.

use super::*;

/// The axe-core script `make test` installs (PLACETTE_AXE), or the same path from a developer's
/// earlier `make test`.
fn axe_script() -> String {
    let path = std::env::var("PLACETTE_AXE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .into()
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {path} (`make test` installs it with npm): {e}"))
}

impl Driver {
    /// Runs axe-core (WCAG 2.0–2.2 A and AA rules and best practices) in the current page and
    /// fails with each violation's rule and elements.
    fn assert_accessible(&self, axe: &str, what: &str) {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": format!("{axe}\n;return 1;"), "args": []}),
        );
        let found = self.cmd(
            "POST",
            "/execute/async",
            json!({"script": "var done = arguments[arguments.length - 1]; \
                axe.run(document, {resultTypes: ['violations']}).then(function (r) { \
                  done(r.violations.map(function (v) { return v.id + ' (' + v.impact + '): ' + \
                    v.nodes.map(function (n) { return n.target.join(' '); }).join(' | '); })); \
                }, function (e) { done(['axe failed: ' + e]); });", "args": []}),
        );
        eprintln!("axe on {what}: {found}");
        assert_eq!(found, json!([]), "accessibility violations on {what}");
    }

    fn set_value(&self, css: &str, value: &str) {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": "var e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                       e.dispatchEvent(new Event('change', {bubbles: true}));",
                   "args": [css, value]}),
        );
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", json!(null))
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits until the browser is on a page whose path contains `end` and does not go on.
    fn wait_url(&self, end: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.url();
            let path = url.split('?').next().unwrap();
            if path.contains(end) && !path.contains(&format!("{end}/")) {
                return url;
            }
            assert!(Instant::now() < deadline, "still on {url}, not …{end}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Forgets the session (another person takes the browser).
    fn delete_cookies(&self) {
        ureq::delete(&format!("{}/session/{}/cookie", self.base, self.session))
            .call()
            .expect("delete cookies");
    }

    fn text(&self) -> String {
        self.js("return document.body.innerText")
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The date of the event: the first Saturday at least 20 days ahead (a month's view shows it).
fn event_day() -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut d = chrono::Local::now().date_naive() + chrono::Duration::days(20);
    while d.weekday() != chrono::Weekday::Sat {
        d += chrono::Duration::days(1);
    }
    d
}

#[test]
fn the_volunteers_first_hour_then_a_residents_phone_session() {
    let axe = axe_script();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    import_sample_addresses(&data);
    let server = Server::start(&data, &[]);
    let code = server.setup_code();
    let driver = Driver::start();
    let at = |path: &str| format!("{}{path}", server.url);
    driver.open(&at("/"));
    driver.viewport(1280, 800);

    // 1. Setup: the village by its name in the address base, no coordinates typed.
    driver.open(&at("/setup"));
    driver.assert_accessible(&axe, "the setup page");
    driver.type_into("#f-code", &code);
    driver.type_into("#f-name", "Saint-Placide");
    driver.type_into("#f-place", "Saint-Placide-sur-Loire");
    driver.type_into("#f-radius_km", "10");
    driver.click("#f-lang option[value=fr]");
    driver.type_into("#f-admin_name", "Mairie");
    driver.type_into("#f-admin_email", "mairie@village.test");
    driver.type_into("#f-admin_password", "la halle aux grains 1850");
    driver.click("#setup-submit");
    driver.wait_url("/admin");
    driver.assert_accessible(&axe, "the admin page after setup");
    let instance: Value =
        serde_json::from_str(&server.client().get("/api/v1/instance").body).unwrap();
    let centre = &instance["center"];
    assert!(
        (centre["lat"].as_f64().unwrap() - 47.35).abs() < 0.02
            && (centre["lon"].as_f64().unwrap() + 0.81).abs() < 0.02,
        "centre from the address base: {centre}"
    );

    // 3. No room yet: /rooms says how to make one, with the link.
    driver.open(&at("/rooms"));
    driver.wait_source("the rooms page", |s| {
        s.contains("/directory/new?kind=place")
    });
    driver.assert_accessible(&axe, "/rooms without a room");

    // 2. A page for an association: no room fields; a bare domain is completed.
    driver.open(&at("/directory/new"));
    driver.assert_accessible(&axe, "the new page form");
    assert_eq!(
        driver.js("return document.querySelector('details.room').open"),
        json!(false),
        "an association's form folds the room fields"
    );
    driver.type_into("#f-name", "Comité des fêtes");
    driver.type_into("#f-website", "comite-fetes.fr");
    driver.click("form[action='/directory/new'] button[type=submit]");
    driver.wait_url("/a/comite-des-fetes");
    assert!(driver
        .wait_source("the association", |s| s.contains("https://comite-fetes.fr"))
        .contains("Comité des fêtes"));
    driver.assert_accessible(&axe, "the association's page");

    // A room: a place with a capacity, its fields open; then a smaller room part of it,
    // its parent picked by name from the list of pages one administers.
    driver.open(&at("/directory/new?kind=place&type=room"));
    assert_eq!(
        driver.js("return document.querySelector('details.room').open"),
        json!(true)
    );
    driver.type_into("#f-name", "Salle des fêtes");
    driver.type_into("#f-address", "1 Rue de l'Église");
    driver.type_into("#f-capacity", "120");
    driver.click("form[action='/directory/new'] button[type=submit]");
    driver.wait_url("/a/salle-des-fetes");
    driver.open(&at("/directory/new?kind=place&type=room"));
    let options = driver.js(
        "return Array.from(document.querySelectorAll('#f-parent-choices option'), o => o.value)",
    );
    assert_eq!(options, json!(["Comité des fêtes", "Salle des fêtes"]));
    driver.type_into("#f-name", "Petite salle");
    driver.type_into("#f-parent", "Salle des fêtes");
    driver.click("form[action='/directory/new'] button[type=submit]");
    driver.wait_url("/a/petite-salle");
    driver.wait_source("the parent named", |s| {
        s.contains("href=\"/a/salle-des-fetes\"")
    });

    // Its rules: durations as people write them, the association ticked, the town hall's page
    // picked by name.
    driver.open(&at("/rooms/salle-des-fetes/manage"));
    driver.assert_accessible(&axe, "the room's rules");
    driver.type_into("#f-min_minutes", "1 h");
    driver.type_into("#f-max_minutes", "4 h 30");
    driver.click("#f-who option[value=members]");
    driver.click("input[name=allowed][value=comite-des-fetes]");
    driver.type_into("#f-manager_actor", "comité des fêtes");
    driver.click("form[action='/rooms/salle-des-fetes/rules'] button[type=submit]");
    driver.wait_url("/rooms/salle-des-fetes/manage");
    driver.wait_source("the rules saved", |s| s.contains("value=\"4 h 30\""));
    let rules = driver.js(
        "return [document.querySelector('input[name=allowed][value=comite-des-fetes]').checked, \
                 document.getElementById('f-manager_actor').value, document.getElementById('f-min_minutes').value]",
    );
    assert_eq!(rules, json!([true, "Comité des fêtes", "1 h"]));

    // An event in the room: the repeat fields folded for a one-off event.
    let day = event_day();
    driver.open(&at("/agenda/new"));
    driver.assert_accessible(&axe, "the event form");
    assert_eq!(
        driver.js("return document.querySelector('details.repeat').open"),
        json!(false)
    );
    driver.type_into("#f-title", "Loto du comité des fêtes");
    driver.set_value("#f-start_date", &day.format("%Y-%m-%d").to_string());
    driver.set_value("#f-start_time", "20:00");
    driver.click("#f-place option[value=salle-des-fetes]");
    driver.click("#f-organiser option[value=comite-des-fetes]");
    driver.type_into("#f-capacity", "30");
    driver.click("form[action='/agenda/new'] button[type=submit]");
    let event_url = driver.wait_url("/e/loto-du-comite-des-fetes");
    driver.assert_accessible(&axe, "the event's page");

    // The association's page now shows its next event.
    driver.open(&at("/a/comite-des-fetes"));
    driver.wait_source("the next event", |s| s.contains("Loto du comité des fêtes"));

    // A newsletter list.
    driver.open(&at("/lists/new"));
    driver.assert_accessible(&axe, "the new list form");
    driver.type_into("#f-name", "Les nouvelles de Saint-Placide");
    driver.click("form[action='/lists/new'] button[type=submit]");
    driver.wait_url("/lists/les-nouvelles-de-saint-placide");
    driver.wait_source("the list", |s| s.contains("Les nouvelles de Saint-Placide"));
    driver.delete_cookies();

    // The resident, on a 390 × 844 phone.
    server.resident("lea@village.test", "Léa");
    driver.viewport(390, 844);
    driver.open(&at("/login"));
    driver.type_into("#f-email", "lea@village.test");
    driver.type_into("#f-password", "mot de passe du village");
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_source("signed in", |s| s.contains("action=\"/logout\""));

    // 6. A one-line header.
    driver.open(&at("/"));
    let header = driver
        .js("return document.querySelector('header.site').getBoundingClientRect().height")
        .as_f64()
        .unwrap();
    eprintln!("header at 390 × 844: {header} px (186 before)");
    assert!(header <= 64.0, "{header}");
    driver.assert_accessible(&axe, "the home page on a phone");

    // 8. Search: the event first, with its date.
    driver.open(&at("/search?q=loto"));
    let first = driver.js("var r = document.querySelector('ol.results li, ul.results li'); return r ? r.innerText : ''");
    let first = first.as_str().unwrap();
    assert!(first.contains("Loto du comité des fêtes"), "{first}");
    assert!(
        first.contains(&day.format("%Y").to_string()) || first.contains("sam."),
        "the date shown: {first}"
    );
    driver.assert_accessible(&axe, "the search results");

    // 5. The month as a list of days, readable.
    driver.open(&at(&format!("/agenda/month?m={}", day.format("%Y-%m"))));
    driver.wait_source("the month", |s| s.contains("Loto du comité des fêtes"));
    assert_eq!(
        driver.js("return document.documentElement.scrollWidth"),
        json!(390)
    );
    driver.assert_accessible(&axe, "the month on a phone");

    // 7. The map first, right under the header.
    driver.open(&at("/map"));
    let offset = driver
        .js("return document.getElementById('map').getBoundingClientRect().top + scrollY")
        .as_f64()
        .unwrap();
    eprintln!("map offset at 390 × 844: {offset} px (595 before)");
    assert!(offset <= 200.0, "{offset}");
    assert_eq!(
        driver.js("return document.body.innerText.includes('<iframe')"),
        json!(false),
        "the iframe code is for admins"
    );
    // The list under the map does not move as the map loads (CLS 0.127 before).
    let cls = driver.cmd(
        "POST",
        "/execute/async",
        json!({"script": "var done = arguments[arguments.length - 1], cls = 0; \
            new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { \
              if (!e.hadRecentInput) { cls += e.value; } }); }).observe({type: 'layout-shift', buffered: true}); \
            setTimeout(function () { done(cls); }, 1500);", "args": []}),
    );
    eprintln!("map page cumulative layout shift: {cls}");
    assert!(cls.as_f64().unwrap() < 0.1, "CLS {cls}");
    let legend = driver.js("return document.querySelectorAll('ul.map-legend li').length");
    assert!(
        legend.as_i64().unwrap() >= 3,
        "a legend of the pins: {legend}"
    );
    driver.assert_accessible(&axe, "the map on a phone");

    // 9. RSVP: places left, and my own answer in words.
    driver.open(&event_url);
    driver.click("#rsvp form input[value=going] ~ button");
    driver.wait_source("the answer", |s| s.contains("29 places restantes sur 30"));
    assert!(driver.text().contains("Vous y allez"), "{}", driver.text());
    driver.assert_accessible(&axe, "the event after answering");

    // 4. A need with a sector the address base does not know: accepted.
    driver.open(&at("/aid/new"));
    driver.assert_accessible(&axe, "the mutual-aid form");
    driver.click("#kind-need");
    driver.click("#category-services");
    driver.type_into("#f-title", "Quelqu'un pour tondre ma pelouse");
    driver.type_into("#f-address", "Le Bourg");
    driver.click("form[action='/aid/new'] button[type=submit]");
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.url().ends_with("/aid/new") {
        assert!(Instant::now() < deadline, "{}", driver.text());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!driver.url().contains("_csrf"), "{}", driver.url());
    driver.wait_source("the need", |s| {
        s.contains("Quelqu&#39;un pour tondre") || s.contains("Quelqu'un pour tondre")
    });
    driver.assert_accessible(&axe, "the need's page");
}
