//! Litestream's replication of the database, as Placette sees it (issue 23). Litestream, run
//! beside Placette with `/etc/litestream.yml`, copies every commit off the Pi (a USB drive, a
//! neighbour's server over SFTP, an S3 bucket). Placette only looks: `placette check` asks the
//! replica itself how old its latest copy is (`litestream ltx`, which needs the configuration's
//! secrets, so root); the admin page reads what Litestream keeps beside the database.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// How long `litestream` may take to answer (a replica over the network included).
const TIMEOUT: Duration = Duration::from_secs(20);

/// Litestream's configuration file: `$LITESTREAM_CONFIG` or `/etc/litestream.yml`, as
/// Litestream itself reads it.
pub fn config_path() -> PathBuf {
    std::env::var_os("LITESTREAM_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/litestream.yml"))
}

/// What the replica holds for the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replica {
    /// No Litestream configuration names this database (or Litestream is not installed).
    NotConfigured(String),
    /// Configured, but the replica could not be read (why).
    Unreadable(String),
    /// The replica's latest change (transaction id) and when it was written there.
    Latest { txid: String, at: SystemTime },
}

/// Asks Litestream (through its configuration) for the replica's latest file.
pub fn replica(db: &Path) -> Replica {
    let config = config_path();
    if !config.exists() {
        return Replica::NotConfigured(format!("no {}", config.display()));
    }
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let mut cmd = Command::new("litestream");
    cmd.args(["ltx", "-config"]).arg(&config).arg(&db);
    match run(cmd) {
        Err(e) if e.contains("not found in config") => Replica::NotConfigured(format!(
            "{} does not name {}",
            config.display(),
            db.display()
        )),
        Err(e) if e.starts_with("cannot run") => Replica::NotConfigured(e),
        Err(e) => Replica::Unreadable(e),
        Ok(out) => latest_of(&out).unwrap_or_else(|| {
            Replica::Unreadable("the replica holds no copy yet (is Litestream running?)".into())
        }),
    }
}

/// The newest file of `litestream ltx`'s listing (`level min_txid max_txid size created`).
fn latest_of(listing: &str) -> Option<Replica> {
    listing
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let [_, _, txid, _, created] = cols[..] else {
                return None;
            };
            let at = chrono::DateTime::parse_from_rfc3339(created).ok()?;
            Some((txid.to_string(), SystemTime::from(at)))
        })
        .max_by_key(|(txid, at)| (*at, txid.clone()))
        .map(|(txid, at)| Replica::Latest { txid, at })
}

/// Runs a command with [`TIMEOUT`]; its stdout, or why it failed.
fn run(mut cmd: Command) -> Result<String, String> {
    use std::io::Read;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run litestream: {e}"))?;
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let reader = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        if let Some(s) = out.as_mut() {
            let _ = s.read_to_string(&mut o);
        }
        if let Some(s) = err.as_mut() {
            let _ = s.read_to_string(&mut e);
        }
        (o, e)
    });
    let deadline = std::time::Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "litestream gave no answer in {} s",
                    TIMEOUT.as_secs()
                ));
            }
        }
    };
    let (out, err) = reader.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(err.trim().trim_start_matches("Error: ").to_string())
    }
}

/// What Litestream keeps beside the database while it replicates it
/// (`.placette.db-litestream/`, readable by the server without Litestream's secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// When Litestream last took a change from the WAL (its newest local file).
    pub latest: Option<SystemTime>,
}

/// Litestream's local state for `db`; `None` when no Litestream ever replicated it.
pub fn local(db: &Path) -> Option<Local> {
    let name = db.file_name()?.to_string_lossy().to_string();
    let meta = db.with_file_name(format!(".{name}-litestream"));
    if !meta.is_dir() {
        return None;
    }
    Some(Local {
        latest: newest_file(&meta.join("ltx"), 3),
    })
}

fn newest_file(dir: &Path, depth: usize) -> Option<SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let t = if meta.is_dir() && depth > 0 {
            newest_file(&entry.path(), depth - 1)
        } else {
            meta.modified().ok()
        };
        newest = newest.max(t);
    }
    newest
}

/// An age for a person: a number and its unit ("s", "min", "h" or "days").
pub fn age_parts(since: SystemTime) -> (u64, &'static str) {
    let s = SystemTime::now()
        .duration_since(since)
        .unwrap_or_default()
        .as_secs();
    match s {
        0..=119 => (s, "s"),
        120..=7199 => (s / 60, "min"),
        7200..=172_799 => (s / 3600, "h"),
        _ => (s / 86_400, "days"),
    }
}

/// "12 s", "5 min", "3 h", "2 days" (the command line's English).
pub fn age(since: SystemTime) -> String {
    let (n, unit) = age_parts(since);
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_file_of_a_listing_is_the_latest_copy() {
        let listing = "level  min_txid          max_txid          size  created\n\
            0      0000000000000001  0000000000000001  567   2026-12-07T21:48:11Z\n\
            1      0000000000000001  0000000000000003  191   2026-12-07T21:49:10Z\n\
            0      0000000000000002  0000000000000002  191   2026-12-07T21:48:14Z\n";
        let Some(Replica::Latest { txid, at }) = latest_of(listing) else {
            panic!("no latest")
        };
        assert_eq!(txid, "0000000000000003");
        let want = chrono::DateTime::parse_from_rfc3339("2026-12-07T21:49:10Z").unwrap();
        assert_eq!(at, SystemTime::from(want));
        assert_eq!(latest_of("level  min_txid\n"), None);
    }
}
