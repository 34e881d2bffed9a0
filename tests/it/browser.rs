//! Headless Chromium (Debian's, driven by chromedriver over WebDriver) completes the
//! first-run setup in the real page, typing and clicking as a volunteer would.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::*;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; `make test` installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--lang=fr-FR",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let r: Value = ureq::post(&format!("{base}/session"))
            .send_json(caps)
            .expect("new session")
            .into_json()
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Driver {
            child,
            base,
            session,
            _profile: profile,
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let r = match method {
            "GET" => ureq::get(&url).call(),
            _ => ureq::post(&url).send_json(body),
        };
        match r {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => panic!(
                "WebDriver {path}: {code} {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("WebDriver {path}: {e}"),
        }
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/clear"), json!({}));
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            json!({"text": text}),
        );
    }

    /// Waits (up to 10 s) until the page source satisfies `ok`; a click may return before the
    /// next page has loaded.
    fn wait_source(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let source = self
                .cmd("GET", "/source", json!(null))
                .as_str()
                .unwrap_or_default()
                .to_string();
            if ok(&source) {
                return source;
            }
            assert!(
                Instant::now() < deadline,
                "waited in vain for {what}: {source}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("/element/{el}/click"), json!({}));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn chromium_completes_the_first_run_setup() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let code = server.setup_code();
    let driver = Driver::start();

    // Opening the site leads to the setup page.
    driver.cmd("POST", "/url", json!({"url": format!("{}/", server.url)}));
    let url = driver.cmd("GET", "/url", json!(null));
    assert!(url.as_str().unwrap().ends_with("/setup"), "{url}");

    // A wrong code first: the page says so and keeps what was typed.
    driver.type_into("#f-code", "AAAA-BBBB");
    driver.type_into("#f-name", "Saint-Chromium");
    driver.type_into("#f-admin_name", "Mairie");
    driver.type_into("#f-admin_email", "maire@village.test");
    driver.type_into("#f-admin_password", "la halle aux grains 1850");
    driver.click("#setup-submit");
    let source = driver.wait_source("the error summary", |s| s.contains("error-summary"));
    assert!(source.contains("Saint-Chromium"));

    // Then the right one, and the rest of the form.
    driver.type_into("#f-code", &code.to_lowercase());
    driver.type_into("#f-center_lat", "47.35");
    driver.type_into("#f-center_lon", "-0.81");
    driver.type_into("#f-radius_km", "12");
    driver.click("#f-lang option[value=fr]");
    driver.type_into("#f-admin_password", "la halle aux grains 1850");
    driver.click("#setup-submit");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = driver.cmd("GET", "/url", json!(null));
        if url.as_str().unwrap().ends_with("/admin") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "setup did not reach /admin: {url}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let source = driver
        .cmd("GET", "/source", json!(null))
        .as_str()
        .unwrap()
        .to_string();
    assert!(source.contains("Saint-Chromium"));
    assert!(source.contains("Placette est prête"), "{source}");
    let api = server.client().get("/api/v1/instance");
    assert!(api.body.contains("\"radius_km\":12"), "{}", api.body);
}

#[test]
fn chromium_picks_a_location_by_clicking_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let driver = Driver::start();
    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("{}/login?next=/directory/new", server.url)}),
    );
    driver.type_into("#f-email", ADMIN_EMAIL);
    driver.type_into("#f-password", ADMIN_PASSWORD);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_source("the new page form", |s| {
        s.contains("location-picker") && s.contains("leaflet-container")
    });

    // The map is shown (JavaScript on) and a click fills latitude and longitude.
    assert_eq!(
        driver.cmd(
            "POST",
            "/execute/sync",
            json!({"script": "return document.getElementById('f-lat').value", "args": []})
        ),
        json!("")
    );
    driver.click("#location-picker");
    let lat = driver.cmd(
        "POST",
        "/execute/sync",
        json!({"script": "return document.getElementById('f-lat').value", "args": []}),
    );
    let lat: f64 = lat
        .as_str()
        .unwrap()
        .parse()
        .expect("latitude filled by the click");
    assert!((lat - 47.35).abs() < 0.2, "{lat} near the village centre");
    driver.type_into("#f-name", "Boîte à livres du lavoir");
    driver.click("#f-type option[value=book_box]");
    driver.click("#f-kind option[value=place]");
    driver.click("form[action='/directory/new'] button[type=submit]");
    let source = driver.wait_source("the new page", |s| {
        s.contains("<h1>Boîte à livres du lavoir</h1>")
    });
    assert!(source.contains("\"geo\""), "the page is located");
}

#[test]
fn chromium_suggests_imported_addresses_and_fills_the_location() {
    const LABEL: &str = "12 bis Rue de l'Église, 49999 Saint-Placide-sur-Loire";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/adresses-49-sample.csv");
    let (ok, out, err) = run(
        &[
            "import",
            "ban",
            sample.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    let server = Server::start(&data, &[]);
    server.set_up();
    let driver = Driver::start();
    driver.cmd(
        "POST",
        "/url",
        json!({"url": format!("{}/login?next=/directory/new", server.url)}),
    );
    driver.type_into("#f-email", ADMIN_EMAIL);
    driver.type_into("#f-password", ADMIN_PASSWORD);
    driver.click("form[action='/login'] button[type=submit]");
    driver.wait_source("the new page form", |s| s.contains("leaflet-container"));

    // Typing lists the matching addresses under the field.
    driver.type_into("#f-address", "12 bis rue de l'eg");
    let options = "return Array.from(document.querySelectorAll('#f-address-suggestions option'), o => o.value)";
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = driver.cmd(
            "POST",
            "/execute/sync",
            json!({"script": options, "args": []}),
        );
        if v == json!([LABEL]) {
            break;
        }
        assert!(Instant::now() < deadline, "no suggestion listed: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Picking one (WebDriver cannot open a datalist: the page gets what a pick sends, the
    // label as the value and an input event) fills the location, and the map shows it.
    let pick = "const i = document.getElementById('f-address'); i.value = arguments[0];
                i.dispatchEvent(new Event('input', {bubbles: true}));
                return [document.getElementById('f-lat').value, document.getElementById('f-lon').value,
                        document.querySelectorAll('#location-picker .leaflet-marker-icon').length]";
    let v = driver.cmd(
        "POST",
        "/execute/sync",
        json!({"script": pick, "args": [LABEL]}),
    );
    assert_eq!(v, json!(["47.352900", "-0.809500", 1]));
}

mod first_hour;
mod map;
mod phone;
