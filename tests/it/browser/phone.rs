//! A resident on a 390 × 844 phone (issue 18): a one-line header with « Menu », the month
//! as a readable agenda, the map first.

use super::*;

impl Driver {
    pub(super) fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Sizes the window so that the page's viewport is `width` × `height` CSS pixels.
    pub(super) fn viewport(&self, width: i64, height: i64) {
        self.cmd(
            "POST",
            "/window/rect",
            json!({"width": width, "height": height}),
        );
        let inner = self.js("return [innerWidth, innerHeight]");
        let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
        self.cmd(
            "POST",
            "/window/rect",
            json!({"width": 2 * width - w, "height": 2 * height - h}),
        );
        assert_eq!(
            self.js("return [innerWidth, innerHeight]"),
            json!([width, height])
        );
    }

    pub(super) fn open(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url }));
    }
}

#[test]
fn on_a_phone_the_header_is_one_line_and_the_menu_holds_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let driver = Driver::start();
    driver.open(&format!("{}/", server.url));
    driver.viewport(390, 844);
    driver.open(&format!("{}/agenda", server.url));
    driver.wait_source("the agenda", |s| s.contains("details class=\"menu\""));

    // Closed: the site's name and « Menu » on one line (it took 186 px before, 214 signed in).
    let header =
        driver.js("return document.querySelector('header.site').getBoundingClientRect().height");
    let header = header.as_f64().unwrap();
    eprintln!("header at 390 × 844, menu closed: {header} px");
    assert!(header <= 64.0, "{header} px");
    let agenda_link = "var a = document.querySelector('header.site nav a[href=\"/agenda\"]'); \
                       return a.checkVisibility() && a.getBoundingClientRect().height";
    assert_eq!(driver.js(agenda_link), json!(false), "links folded");
    let summary = driver.js(
        "return document.querySelector('details.menu > summary').getBoundingClientRect().height",
    );
    assert!(summary.as_f64().unwrap() >= 44.0, "{summary}");

    // Open: every link and button of the menu is a 44 px target, over the page.
    driver.click("details.menu > summary");
    let heights = driver.js(
        "return Array.from(document.querySelectorAll('header.site .menu-body a, header.site .menu-body button, header.site .menu-body input'), \
         e => e.getBoundingClientRect().height)",
    );
    let heights: Vec<f64> = heights
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_f64().unwrap())
        .collect();
    assert!(heights.len() >= 5, "{heights:?}");
    assert!(heights.iter().all(|h| *h >= 44.0), "{heights:?}");
    let header =
        driver.js("return document.querySelector('header.site').getBoundingClientRect().height");
    assert!(
        header.as_f64().unwrap() <= 64.0,
        "the menu opens over the page"
    );
    driver.click("header.site nav a[href=\"/map\"]");
    driver.wait_source("the map page", |s| s.contains("id=\"map\""));

    // A wide screen shows the links in the bar, with no « Menu ».
    driver.viewport(1280, 800);
    driver.open(&format!("{}/agenda", server.url));
    driver.wait_source("the agenda", |s| s.contains("details class=\"menu\""));
    assert!(driver.js(agenda_link).as_f64().unwrap() >= 44.0);
    let summary =
        driver.js("return document.querySelector('details.menu > summary').checkVisibility()");
    assert_eq!(summary, json!(false));
}

#[test]
fn on_a_phone_the_month_is_a_list_of_days_in_readable_text() {
    const TITLE: &str = "Assemblée extraordinaire des Amis du patrimoine de Saint-Placide";
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    crate::agenda::create(&admin, &crate::agenda::fields(TITLE));
    let mut other = crate::agenda::fields("Marché de producteurs");
    crate::agenda::set(&mut other, "start_date", "2027-03-20");
    crate::agenda::create(&admin, &other);
    let driver = Driver::start();
    driver.open(&format!("{}/", server.url));
    driver.viewport(390, 844);
    driver.open(&format!("{}/agenda/month?m=2027-03", server.url));
    driver.wait_source("the month", |s| s.contains("Marché de producteurs"));

    // Two days shown, one under the other, each with its weekday; the page fits the width.
    let days = driver.js(
        "return Array.from(document.querySelectorAll('table.month td'))\
           .filter(td => td.getBoundingClientRect().height > 0).map(td => td.querySelector('.daynum').innerText.trim())",
    );
    let days: Vec<&str> = days
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(days.len(), 2, "{days:?}");
    assert!(
        days[0].ends_with(" 2") && days[1].ends_with(" 20"),
        "{days:?}"
    );
    assert!(
        days.iter().all(|d| d.len() > 4),
        "with the weekday: {days:?}"
    );
    assert_eq!(
        driver.js("return document.documentElement.scrollWidth"),
        json!(390)
    );

    // 14 px at least, every word of the title on one line.
    let title = driver.js(&format!(
        "var a = Array.from(document.querySelectorAll('table.month li a')).find(a => a.textContent === '{TITLE}'); \
         var r = document.createRange(), text = a.firstChild.data, at = 0, cut = []; \
         text.split(' ').forEach(function (w) {{ r.setStart(a.firstChild, at); r.setEnd(a.firstChild, at + w.length); \
           if (r.getClientRects().length > 1) {{ cut.push(w); }} at += w.length + 1; }}); \
         return [parseFloat(getComputedStyle(a).fontSize), cut, a.getClientRects().length]"
    ));
    eprintln!("month at 390 px: font size, words cut, lines of the title: {title}");
    assert!(title[0].as_f64().unwrap() >= 14.0, "{title}");
    assert_eq!(title[1], json!([]), "words cut: {title}");
    assert!(title[2].as_i64().unwrap() <= 3, "{title}");

    // A wide screen keeps the grid of seven columns.
    driver.viewport(1280, 800);
    let columns = driver.js("return Array.from(document.querySelectorAll('table.month thead th')).filter(th => th.getBoundingClientRect().width > 100).length");
    assert_eq!(columns, json!(7));
}

#[test]
fn on_a_phone_the_map_comes_first_with_pins_to_touch() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/directory/new");
    for (name, kind, type_, lat, lon) in [
        ("Four à pain", "place", "oven", "47.35", "-0.81"),
        (
            "Comité des fêtes",
            "organisation",
            "association",
            "47.36",
            "-0.83",
        ),
    ] {
        let fields = [
            ("kind", kind),
            ("type", type_),
            ("name", name),
            ("lat", lat),
            ("lon", lon),
            ("visibility", "public"),
        ];
        let r = admin.post_form("/directory/new", &page, &fields);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let driver = Driver::start();
    driver.open(&format!("{}/", server.url));
    driver.viewport(390, 844);
    driver.open(&format!("{}/map", server.url));
    driver.wait_source("the map", |s| {
        s.contains("map-cluster") || s.contains("map-pin")
    });

    // The map starts right under the title (it started 594 px down, under the filters).
    let top =
        driver.js("return document.getElementById('map').getBoundingClientRect().top + scrollY");
    let top = top.as_f64().unwrap();
    eprintln!("the map at 390 × 844 starts {top} px from the top");
    assert!(top <= 160.0, "{top} px");
    assert_eq!(
        driver.js("return document.querySelector('details.filters-box').open"),
        json!(false)
    );
    assert_eq!(
        driver.js("return document.getElementById('map-embed')"),
        json!(null),
        "no iframe code for visitors"
    );

    // Zoomed in, pins are 44 px targets, of a different look per kind.
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.js("return document.querySelectorAll('.map-pin').length") != json!(2) {
        assert!(Instant::now() < deadline, "no pins after zooming in");
        if driver.js("return document.querySelectorAll('.map-cluster').length") != json!(0) {
            driver.click(".map-cluster");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let pins = driver.js(
        "return Array.from(document.querySelectorAll('.map-pin'), p => { var r = p.getBoundingClientRect(), \
         s = getComputedStyle(p.firstElementChild); return [r.width, r.height, s.backgroundColor + ' ' + s.borderRadius]; })",
    );
    let pins = pins.as_array().unwrap();
    assert_eq!(pins.len(), 2);
    assert!(
        pins.iter().all(|p| p[0] == json!(44) && p[1] == json!(44)),
        "{pins:?}"
    );
    assert_ne!(pins[0][2], pins[1][2], "{pins:?}");

    // Nothing moved while the page and the map loaded.
    let shift = driver.cmd(
        "POST",
        "/execute/async",
        json!({"script": "var done = arguments[0], total = 0; \
            new PerformanceObserver(l => l.getEntries().forEach(e => { if (!e.hadRecentInput) { total += e.value; } })) \
              .observe({type: 'layout-shift', buffered: true}); \
            setTimeout(() => done(total), 300);", "args": []}),
    );
    assert!(shift.as_f64().unwrap() < 0.01, "layout shift {shift}");

    // A tap on a pin opens its link.
    driver.click(".map-pin.kind-organisation");
    driver.wait_source("the pin's popup", |s| s.contains("leaflet-popup"));
}
