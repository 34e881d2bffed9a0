//! The OpenAPI document is true: valid for `openapi-spec-validator`, every URL it lists is
//! a real one, and `schemathesis`, run against the real binary (the demo village), finds no
//! server error and no answer outside the document, anonymously and with an API token.
//! Both tools come from the Python of `PLACETTE_TEST_PYTHON` (`make test` sets it).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::*;

/// Test cases per operation and phase: enough to reach every parameter, small enough for
/// both runs to take about a minute on two cores.
const MAX_EXAMPLES: &str = "50";
/// A fixed seed: the same cases on every run, so that a failure is reproduced by running again.
const SEED: &str = "1850";
/// A run that takes longer than this has hung.
const RUN_LIMIT: Duration = Duration::from_secs(300);
const DEMO_ADMIN: (&str, &str) = ("admin@demo.placette.invalid", "placette-demo");

fn python() -> String {
    std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn json(r: &Resp) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// Runs a Python program to its end (at most [`RUN_LIMIT`]) with no standard input, in `dir`;
/// returns (success, stdout and stderr).
fn run_python(dir: &Path, args: &[&str]) -> (bool, String) {
    let out_path = dir.join("python.out");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = Command::new(python())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python()));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{args:?} still running after {RUN_LIMIT:?}:\n{}",
                std::fs::read_to_string(&out_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    (status.success(), text)
}

/// Creates an API token in account settings; returns it.
fn api_token(c: &Client) -> String {
    let page = c.get("/account");
    let r = c.post_form("/account/tokens", &page, &[("token_name", "schemathesis")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let start = r.body.find("plt_").expect("token shown once");
    r.body[start..start + 68].to_string()
}

#[test]
fn the_document_is_valid_and_every_url_it_lists_is_real() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let anon = server.client();
    let r = anon.get("/api/v1/openapi.json");
    assert_eq!(r.status, 200);
    let doc = json(&r);

    // openapi-spec-validator accepts it (OpenAPI 3.0: `nullable`, never 3.1's type lists).
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &r.body).unwrap();
    let (ok, out) = run_python(
        dir.path(),
        &["-m", "openapi_spec_validator", file.to_str().unwrap()],
    );
    assert!(
        ok,
        "openapi-spec-validator refuses the document (is it installed?):\n{out}"
    );
    assert!(!r.body.contains("\"type\":["), "3.1 type lists in 3.0");

    // One server, the site's root: every path listed is the real URL, the API's and the feeds'.
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
    assert_eq!(doc["servers"][0]["url"], "/");
    let paths = doc["paths"].as_object().unwrap();
    for must in [
        "/api/v1/search",
        "/map.geojson",
        "/agenda.ics",
        "/news.rss",
        "/directory.csv",
    ] {
        assert!(paths.contains_key(must), "{must} documented");
    }
    let mut fetched = 0;
    for (path, item) in paths {
        assert!(item.get("servers").is_none(), "{path} has its own server");
        assert!(
            path.starts_with("/api/v1/") || !path.starts_with("/api/"),
            "{path}"
        );
        if path.contains('{') || item.get("get").is_none() {
            continue;
        }
        // Each GET without path parameters answers, at that very URL, one of its documented
        // statuses with the documented content type.
        let r = anon.get(path);
        let documented = &item["get"]["responses"][r.status.to_string()];
        assert!(
            documented.is_object(),
            "GET {path}: {} is not documented: {}",
            r.status,
            r.body
        );
        let media = r.header("content-type");
        let media = media.split(';').next().unwrap().trim();
        assert!(
            documented["content"][media].is_object(),
            "GET {path}: {media} is not documented for {}",
            r.status
        );
        fetched += 1;
    }
    assert!(fetched >= 15, "only {fetched} URLs fetched");
    // The feeds answer where the document says, not under /api/v1.
    assert_eq!(anon.get("/agenda.ics").status, 200);
    assert_eq!(anon.get("/api/v1/agenda.ics").status, 404);
}

/// The identifiers of the demo village, for schemathesis to reach real pages half the time.
fn dictionaries(anon: &Client) -> String {
    let mut slugs: Vec<String> = Vec::new();
    let actors = json(&anon.get("/api/v1/actors?per_page=200"));
    let events = json(&anon.get("/api/v1/events"));
    let rooms = json(&anon.get("/api/v1/rooms"));
    for (list, key) in [(&actors, "slug"), (&events, "event"), (&rooms, "slug")] {
        for item in list["items"].as_array().unwrap() {
            let s = item[key].as_str().unwrap().to_string();
            if !slugs.contains(&s) {
                slugs.push(s);
            }
        }
    }
    let mut ids: Vec<i64> = Vec::new();
    for list in ["/api/v1/news", "/api/v1/aid"] {
        ids.extend(
            json(&anon.get(list))["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
    }
    ids.sort();
    ids.dedup();
    assert!(
        slugs.len() >= 10 && ids.len() >= 3,
        "the demo village: {slugs:?} {ids:?}"
    );
    let bind = |name: &str, dict: &str, p: f64| {
        format!("\"{name}\" = {{ dictionary = \"{dict}\", probability = {p} }}")
    };
    // GET operations only: the token's run must not delete the demo village as it goes.
    format!(
        "[dictionaries.slugs]\nvalues = {}\n\n[dictionaries.ids]\nvalues = {}\n\n\
         [[operations]]\ninclude-method = \"GET\"\nparameters = {{ {} }}\n",
        serde_json::to_string(&slugs).unwrap(),
        serde_json::to_string(&ids).unwrap(),
        [
            bind("path.slug", "slugs", 0.5),
            bind("path.id", "ids", 0.5),
            bind("query.actor", "slugs", 0.3),
            bind("query.organiser", "slugs", 0.3),
            bind("query.place", "slugs", 0.3),
        ]
        .join(", ")
    )
}

/// The number after `after` in schemathesis' summary ("Operations:  28 selected").
fn figure(out: &str, after: &str) -> u64 {
    out.lines()
        .find_map(|l| {
            let rest = l.trim().strip_prefix(after)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or(0)
}

/// Runs schemathesis against the server; panics with its report when it finds anything.
fn schemathesis(server: &Server, dir: &Path, config: &Path, who: &str, headers: &[String]) {
    let doc = format!("{}/api/v1/openapi.json", server.url);
    let mut args: Vec<&str> = vec![
        "-c",
        "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
        "--config-file",
        config.to_str().unwrap(),
        "run",
        &doc,
        "--url",
        &server.url,
        "--checks",
        "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "2",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
    ];
    for h in headers {
        args.extend(["--header", h]);
    }
    let started = Instant::now();
    let (ok, out) = run_python(dir, &args);
    // The figures of the report, for whoever reads the test log (cargo test -- --nocapture):
    // "  1864 generated, 1864 passed".
    let cases = out
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or("0 generated")
        .trim();
    println!(
        "schemathesis ({who}): {} operations, {cases}, in {:.0?}",
        figure(&out, "Operations:"),
        started.elapsed()
    );
    assert!(
        ok,
        "schemathesis ({who}) found answers outside the document or server errors \
         (or is not installed):\n{out}"
    );
    assert!(figure(&out, "Operations:") >= 25, "{out}");
    let generated: u64 = cases
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap_or(0);
    assert!(
        generated >= 500,
        "schemathesis ({who}) generated few cases:\n{out}"
    );
}

#[test]
fn schemathesis_finds_nothing_anonymously_nor_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--demo"]);
    let admin = server.client();
    admin.login(DEMO_ADMIN.0, DEMO_ADMIN.1);
    let token = api_token(&admin);
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(&config, dictionaries(&server.client())).unwrap();

    // Anonymous first: the token's run creates actors and may delete some.
    schemathesis(&server, dir.path(), &config, "anonymous", &[]);
    schemathesis(
        &server,
        dir.path(),
        &config,
        "bearer token",
        &[format!("Authorization: Bearer {token}")],
    );
}
