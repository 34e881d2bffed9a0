//! The command line: help, admin accounts, check, backup and restore, migrations, signals.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::*;

#[test]
fn help_describes_every_command() {
    let (ok, out, _) = run(&["--help"], None);
    assert!(ok);
    for cmd in ["serve", "admin", "backup", "restore", "check"] {
        assert!(out.contains(cmd), "--help lacks {cmd}: {out}");
    }
    let (ok, out, _) = run(&["serve", "--help"], None);
    assert!(
        ok && out.contains("--listen") && out.contains("--demo") && out.contains("PLACETTE_DATA")
    );
}

#[test]
fn admin_create_then_reset_password_then_login() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let (ok, _, err) = run(
        &[
            "admin",
            "create",
            "--data",
            d,
            "--email",
            "ana@village.test",
            "--name",
            "Ana",
        ],
        Some("un mot de passe solide\n"),
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(
        &[
            "admin",
            "create",
            "--data",
            d,
            "--email",
            "ana@village.test",
            "--name",
            "Ana",
        ],
        Some("un mot de passe solide\n"),
    );
    assert!(!ok && err.contains("exists"), "{err}");
    let (ok, _, err) = run(
        &[
            "admin",
            "create",
            "--data",
            d,
            "--email",
            "bob@village.test",
            "--name",
            "Bob",
        ],
        Some("court\n"),
    );
    assert!(!ok && err.contains("10"), "{err}");
    let (ok, _, err) = run(
        &[
            "admin",
            "reset-password",
            "--data",
            d,
            "--email",
            "ana@village.test",
        ],
        Some("encore un autre secret\n"),
    );
    assert!(ok, "{err}");

    let server = Server::start(&data, &[]);
    server.set_up();
    server
        .client()
        .login("ana@village.test", "encore un autre secret");
}

#[test]
fn check_reports_integrity_and_pending_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let (ok, out, _) = run(&["check", "--data", d], None);
    assert!(ok && out.contains("would be applied"), "{out}");
    drop(Server::start(&data, &[]));
    let (ok, out, _) = run(&["check", "--data", d], None);
    assert!(ok, "{out}");
    assert!(
        out.contains("integrity:      ok") && out.contains("none pending"),
        "{out}"
    );
}

#[test]
fn a_database_from_a_newer_placette_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(Server::start(&data, &[]));
    let conn = rusqlite_free_set_version(&data.join("placette.db"), 99);
    assert!(conn);
    let out = std::process::Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("newer"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sets `PRAGMA user_version` with the sqlite3 shell if present, else by patching the header
/// (offset 60, big-endian), which is exactly what SQLite does.
fn rusqlite_free_set_version(db: &std::path::Path, v: u32) -> bool {
    let mut bytes = std::fs::read(db).unwrap();
    bytes[60..64].copy_from_slice(&v.to_be_bytes());
    std::fs::write(db, bytes).is_ok()
}

#[test]
fn backup_while_writing_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap().to_string();
    let server = Server::start(&data, &[]);
    server.set_up();

    // Writers sign up residents while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (stop, done, url) = (stop.clone(), done.clone(), server.url.clone());
            std::thread::spawn(move || {
                let c = Client {
                    base: url,
                    agent: ureq::AgentBuilder::new().redirects(0).build(),
                };
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let page = c.get("/signup");
                    let email = format!("w{w}-{i}@village.test");
                    let r = c.post_form(
                        "/signup",
                        &page,
                        &[
                            ("name", "Voisin"),
                            ("email", email.as_str()),
                            ("password", "mot de passe du voisin"),
                        ],
                    );
                    if r.status == 200 {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    i += 1;
                }
            })
        })
        .collect();
    while done.load(Ordering::Relaxed) < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::create_dir_all(data.join("uploads")).unwrap();
    std::fs::write(data.join("uploads/logo-1.jpg"), b"jpeg bytes").unwrap();
    let backup = dir.path().join("backup.db");
    let (ok, out, err) = run(&["backup", "--data", &d, backup.to_str().unwrap()], None);
    assert!(ok, "{out}{err}");
    assert!(
        dir.path().join("backup.db.uploads/logo-1.jpg").exists(),
        "photos are backed up"
    );
    std::fs::remove_file(data.join("uploads/logo-1.jpg")).unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let total = done.load(Ordering::Relaxed);

    // Restore refuses while the server runs.
    let (ok, _, err) = run(&["restore", "--data", &d, backup.to_str().unwrap()], None);
    assert!(!ok && err.contains("running"), "{err}");
    assert!(server.stop().success(), "graceful stop on SIGTERM");

    // Restore keeps the old database aside and the instance comes back with the backup's data.
    let (ok, out, err) = run(&["restore", "--data", &d, backup.to_str().unwrap()], None);
    assert!(ok, "{err}");
    assert!(out.contains("before-restore"), "{out}");
    let (ok, out, _) = run(&["check", "--data", &d], None);
    assert!(ok && out.contains("integrity:      ok"), "{out}");
    let accounts: usize = out
        .lines()
        .find(|l| l.starts_with("accounts:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        accounts >= 6 && accounts <= total + 1,
        "backup has {accounts} accounts, {total} were acknowledged in all"
    );
    assert_eq!(
        std::fs::read(data.join("uploads/logo-1.jpg")).unwrap(),
        b"jpeg bytes",
        "photos restored"
    );
    let aside = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains("before-restore"));
    assert!(aside);
    let server = Server::start(&data, &[]);
    assert_eq!(
        server.client().get("/").status,
        200,
        "restored instance is set up"
    );

    // A file that is not a database is refused.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    drop(server);
    let (ok, _, err) = run(&["restore", "--data", &d, junk.to_str().unwrap()], None);
    assert!(!ok, "{err}");
}

#[test]
fn demo_loads_a_living_village() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &["--demo"]);
    let home = server.client().get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Saint-Placide-sur-Loire"));
    server
        .client()
        .login("admin@demo.placette.invalid", "placette-demo");
}
