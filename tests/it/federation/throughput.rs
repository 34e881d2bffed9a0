//! The delivery queue's throughput to a local peer (Fedify, which checks every signature) and
//! its memory cost: 300 activities filed at once in `federation_deliveries` (as publishing
//! does), timed until the peer has them all. The figures are printed for the notes.

use std::time::{Duration, Instant};

use serde_json::json;

use super::village::village;
use super::FedifyPeer;
use crate::support::*;

const N: usize = 300;
const LIMIT: Duration = Duration::from_secs(180);

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_delivery_queue_sends_hundreds_of_signed_activities_to_a_local_peer() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _admin) = village(dir.path());
    let actor = format!("{}/ap/village", server.url);
    let peer = FedifyPeer::start("mesure");
    peer.command(
        &json!({"cmd": "follow", "target": actor}),
        Duration::from_secs(20),
    );
    peer.wait_received("Accept", Duration::from_secs(20));
    let before = rss_kb(server.child.id());

    // N Create(Note) activities by the village, filed as the publishing step files them.
    let script = r##"
import json, sqlite3, sys, time
db, inbox, actor, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
c = sqlite3.connect(db, timeout=30)
now = int(time.time())
host = inbox.split('/')[2]
rows = []
for i in range(n):
    oid = f"{actor}/test/{i}"
    act = {"@context": "https://www.w3.org/ns/activitystreams", "id": oid + "#create",
           "type": "Create", "actor": actor, "to": ["https://www.w3.org/ns/activitystreams#Public"],
           "object": {"id": oid, "type": "Note", "attributedTo": actor, "content": f"n° {i}",
                      "to": ["https://www.w3.org/ns/activitystreams#Public"]}}
    rows.append((inbox, host, 0, json.dumps(act), now, now))
with c:
    c.executemany("INSERT INTO federation_deliveries (inbox, host, local_actor, activity, next_try_at, created_at) VALUES (?,?,?,?,?,?)", rows)
print(c.execute("select count(*) from federation_deliveries").fetchone())
"##;
    let db = server.data.join("placette.db");
    let start = Instant::now();
    let filed = run_python(
        script,
        &[
            db.to_str().unwrap(),
            &peer.inbox_url,
            &actor,
            &N.to_string(),
        ],
        "",
        "filing deliveries",
    );
    eprintln!("filed: {}", String::from_utf8_lossy(&filed));
    let deadline = start + LIMIT;
    let mut peak = before;
    for got in 0..N {
        peak = peak.max(rss_kb(server.child.id()));
        let left = deadline.saturating_duration_since(Instant::now());
        if peer
            .try_wait_for(|l| l["received"]["type"] == "Create", left)
            .is_none()
        {
            let state = run_python(
                "import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nprint(c.execute('select count(*), max(tries), max(last_error) from federation_deliveries').fetchall())",
                &[db.to_str().unwrap()],
                "",
                "reading the queue",
            );
            panic!(
                "{got} of {N} delivered in {LIMIT:?}; queue {}",
                String::from_utf8_lossy(&state)
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "federation delivery: {N} signed activities to one local peer in {secs:.2} s \
         ({:.0}/s, one request at a time per host, debug build); RSS {before} kB before, \
         {peak} kB peak while sending",
        N as f64 / secs
    );
    let refused = peer
        .seen()
        .iter()
        .filter(|l| l.get("rejected").is_some())
        .count();
    assert_eq!(refused, 0, "the peer refused some signatures");
}
