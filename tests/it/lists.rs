//! Integration tests of the mailing lists (the real binary over HTTP, a real SMTP server
//! process over TCP): helpers here, the scenarios in `lists/`.

mod dkim;
mod drafts;
mod mail;
mod queue;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{Client, Resp, Server};

/// Waits until the village list exists (the background task creates it after setup).
pub fn village_list(c: &Client) -> Resp {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let r = c.get("/lists/village");
        if r.status == 200 {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "no village list: {} {}",
            r.status,
            r.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Writes a draft on a list; returns its page's path.
pub fn draft(admin: &Client, slug: &str, subject: &str, body: &str) -> String {
    let page = admin.get(&format!("/lists/{slug}/mailings/new"));
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form(
        &format!("/lists/{slug}/mailings/new"),
        &page,
        &[
            ("subject", subject),
            ("body", body),
            ("base_revision", "0"),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
}

/// Asks for a mailing to go now; returns the answer.
pub fn send_now(admin: &Client, mailing: &str) -> Resp {
    let page = admin.get(mailing);
    admin.post_form(&format!("{mailing}/send"), &page, &[("send_at", "")])
}

/// Imports addresses with the attestation of consent; asserts success.
pub fn import(admin: &Client, slug: &str, emails: &[String]) {
    let page = admin.get(&format!("/lists/{slug}/import"));
    let csv = format!("email\n{}\n", emails.join("\n"));
    let r = admin.post_form(
        &format!("/lists/{slug}/import"),
        &page,
        &[
            ("csv", csv.as_str()),
            ("origin", "fiche papier, AG 2026"),
            ("attest", "on"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains(&format!("{} adresses ajoutées", emails.len())),
        "{}",
        r.body
    );
}

/// Sets the relay's limits on /admin/lists.
pub fn set_limits(admin: &Client, per_minute: u32, per_day: u32) {
    let page = admin.get("/admin/lists");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form(
        "/admin/lists",
        &page,
        &[
            ("per_minute", per_minute.to_string()),
            ("per_day", per_day.to_string()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// How many messages the sink stored.
pub fn stored(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .count()
        })
        .unwrap_or(0)
}

/// Every stored message: (recipients, raw text, when it was stored).
pub fn messages(dir: &Path) -> Vec<(Vec<String>, String, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    for eml in names {
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(eml.with_extension("json")).unwrap())
                .unwrap();
        let to = meta["to"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_lowercase())
            .collect();
        let when = std::fs::metadata(&eml).unwrap().modified().unwrap();
        out.push((to, std::fs::read_to_string(&eml).unwrap(), when));
    }
    out
}

/// Copies per recipient.
pub fn per_recipient(dir: &Path) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (to, text, _) in messages(dir) {
        for r in to {
            m.entry(r).or_default().push(text.clone());
        }
    }
    m
}

/// A header of a raw message, unfolded.
pub fn header(raw: &str, name: &str) -> String {
    let unfolded = raw
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ");
    let prefix = format!("{}:", name.to_lowercase());
    unfolded
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_string())
        .unwrap_or_default()
}

/// Waits until the sink holds `n` messages.
pub fn wait_stored(dir: &Path, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while stored(dir) < n {
        assert!(
            Instant::now() < deadline,
            "only {} of {n} mails arrived",
            stored(dir)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A server set up with its mail going to a fresh SMTP sink.
pub fn server_with_sink(dir: &Path) -> (Server, crate::support::SmtpSink, Client) {
    let sink = crate::support::SmtpSink::start(&dir.join("sink"));
    let server = Server::start(&dir.join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, sink.port);
    village_list(&admin);
    (server, sink, admin)
}

/// The SMTP sink started with extra arguments (failures on demand); killed on drop.
pub struct Sink {
    child: std::process::Child,
    pub port: u16,
    pub dir: std::path::PathBuf,
}

impl Sink {
    /// Starts `tests/support/smtp_sink.py --dir DIR ARGS...`.
    pub fn start(dir: &Path, args: &[&str]) -> Sink {
        use std::io::BufRead;
        let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = std::process::Command::new(&python)
            .arg(script)
            .arg("--dir")
            .arg(dir)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().strip_prefix("ready ").unwrap().parse().unwrap();
        Sink {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
