//! Upgrades proven (issue 23). `tests/fixtures/previous-release.db.gz` is the database of an
//! older Placette (schema 18: before the change feed, neighbours and votes), made by
//! `tests/fixtures/previous_release.py` from its demo village plus a report, a moderator's
//! decision, a masked original and an API token. Today's binary must open it, migrate it and
//! answer every page and feed; a newer database is refused with a clear message; a migration
//! that fails leaves the file exactly as it was.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The schema version of the fixture.
const PREVIOUS: i64 = 18;
const DEMO_ADMIN: (&str, &str) = ("admin@demo.placette.invalid", "placette-demo");

/// The fixture, unpacked as `DATA/placette.db` of a new data directory.
fn previous_release(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let gz = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/previous-release.db.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    std::fs::write(data.join("placette.db"), bytes).unwrap();
    data
}

fn user_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// The links of a page to this site (paths), without fragments.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap().replace("&amp;", "&"))
        .collect()
}

/// Whether a path is a feed or a file for machines (it must answer 200, never redirect).
fn is_feed(path: &str) -> bool {
    [".ics", ".rss", ".json", ".geojson", ".csv", ".xml", "/feed"]
        .iter()
        .any(|e| path.split('?').next().unwrap().ends_with(e))
}

#[test]
fn a_database_of_the_previous_release_opens_with_every_page_and_feed() {
    let dir = tempfile::tempdir().unwrap();
    let data = previous_release(dir.path());
    assert_eq!(user_version(&data.join("placette.db")), PREVIOUS);
    let (ok, out, _) = run(&["check", "--data", data.to_str().unwrap()], None);
    assert!(ok && out.contains("would apply 0019_changes"), "{out}");

    let server = Server::start(&data, &[]);
    let admin = server.client();
    admin.login(DEMO_ADMIN.0, DEMO_ADMIN.1);
    let anon = server.client();
    // Every page without a parameter in THE route table, then every link they show.
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = route_table("x")
        .into_iter()
        .filter(|(m, p)| m == "GET" && !p.contains("999") && !p.contains("/x"))
        .map(|(_, p)| p)
        .collect();
    let mut problems = Vec::new();
    let mut first_level = true;
    while !todo.is_empty() {
        let mut next = Vec::new();
        for path in std::mem::take(&mut todo) {
            let skip = path.starts_with("/logout")
                || path.starts_with("/assets/")
                || path.starts_with("/media/")
                || path.starts_with("/tiles/");
            if skip || !seen.insert(path.clone()) {
                continue;
            }
            for (who, c) in [("admin", &admin), ("visitor", &anon)] {
                let r = c.get(&path);
                // THE route table's bare paths may want a parameter or a token (4xx); a link
                // a page shows must answer, and a feed must answer 200, to the admin.
                let fine = if r.status >= 500 {
                    false
                } else if first_level || who == "visitor" {
                    true
                } else if is_feed(&path) {
                    r.status == 200
                } else {
                    matches!(r.status, 200 | 302 | 303)
                };
                if !fine {
                    problems.push(format!("{who}: {path} answered {}", r.status));
                }
                if who == "admin" && first_level && r.status == 200 {
                    next.extend(links(&r.body));
                }
            }
        }
        first_level = false;
        todo = next;
    }
    assert!(
        problems.is_empty(),
        "after the upgrade:\n  {}",
        problems.join("\n  ")
    );
    let feeds = seen.iter().filter(|p| is_feed(p)).count();
    eprintln!(
        "upgrade: schema {PREVIOUS} -> today; {} pages and {feeds} feeds answered (as the admin and as a visitor)",
        seen.len()
    );
    assert!(
        seen.len() > 100 && feeds > 5,
        "too little checked: {seen:?}"
    );
    for path in [
        "/news",
        "/agenda",
        "/aid",
        "/rooms",
        "/directory",
        "/moderation",
        "/lists/village",
    ] {
        assert_eq!(admin.get(path).status, 200, "{path}");
    }
    // What the previous release held is still there: its report and decision, its token.
    let log = admin.get("/moderation/log");
    assert!(log.body.contains("news"), "{}", log.body);
    drop(server);
    let (ok, out, _) = run(&["check", "--data", data.to_str().unwrap()], None);
    assert!(
        ok && out.contains("integrity:      ok") && out.contains("none pending"),
        "{out}"
    );
}

#[test]
fn a_newer_database_is_refused_and_a_failed_migration_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // A database from a newer Placette.
    let data = previous_release(&dir.path().join("newer"));
    let db = data.join("placette.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a newer database was served");
    assert!(
        err.contains("schema version 999, newer than this Placette knows"),
        "{err}"
    );

    // A database where a pending migration cannot apply: someone made a table `neighbours`
    // by hand, which migration 20 creates.
    let data = previous_release(&dir.path().join("failing"));
    let db = data.join("placette.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE neighbours (note TEXT)")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the server started on a failed migration"
    );
    assert!(
        err.contains("migration 0020_neighbours failed")
            && err.contains("left as it was, at schema version 18"),
        "{err}"
    );
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the failed upgrade changed the file"
    );
    assert_eq!(user_version(&db), PREVIOUS, "migration 19 applied alone");
    let (ok, out, _) = run(&["check", "--data", data.to_str().unwrap()], None);
    assert!(
        ok && out.contains("integrity:      ok") && out.contains("would apply 0019_changes"),
        "{out}"
    );
}
