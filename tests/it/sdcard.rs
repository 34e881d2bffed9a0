//! The SD card (issue 23): a village with no visitor writes nothing once start-up has settled.
//! Counted, not timed: the bytes the server process wrote (`write_bytes` of `/proc/PID/io`,
//! what the kernel sends to the card on its behalf) and the sizes of the WAL and of the search
//! index, over 20 seconds of idleness.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::*;

/// Bytes the process caused to be written to storage, from `/proc/PID/io`.
pub(crate) fn written_bytes(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).expect("read /proc/PID/io");
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes: "))
        .expect("write_bytes in /proc/PID/io")
        .trim()
        .parse()
        .unwrap()
}

/// The WAL's size and the search index's total size and newest change.
fn files(data: &Path) -> (u64, u64, Option<std::time::SystemTime>) {
    let wal = std::fs::metadata(data.join("placette.db-wal")).map_or(0, |m| m.len());
    let (mut size, mut newest) = (0, None);
    for e in std::fs::read_dir(data.join("search-index"))
        .unwrap()
        .flatten()
    {
        let m = e.metadata().unwrap();
        size += m.len();
        newest = newest.max(m.modified().ok());
    }
    (wal, size, newest)
}

#[test]
fn an_idle_village_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &["--demo"]);
    let pid = server.child.id();
    assert_eq!(server.client().get("/").status, 200);
    // Start-up settles: the demo's data, the search index built in the background, the first
    // turn of every background task. Then 20 s of nothing.
    // Settled: three samples 2 s apart unchanged (a loaded machine may pause start-up).
    let deadline = Instant::now() + Duration::from_secs(90);
    let (mut last, mut still) = (written_bytes(pid), 0);
    while still < 3 {
        std::thread::sleep(Duration::from_secs(2));
        let now = written_bytes(pid);
        still = if now == last { still + 1 } else { 0 };
        assert!(
            Instant::now() < deadline,
            "start-up still writing after 90 s"
        );
        last = now;
    }
    let (before, files_before) = (written_bytes(pid), files(&data));
    std::thread::sleep(Duration::from_secs(20));
    let (after, files_after) = (written_bytes(pid), files(&data));
    eprintln!(
        "sd card: {} bytes written at start-up (demo village), {} bytes in 20 s of idleness",
        before,
        after - before
    );
    assert_eq!(
        after - before,
        0,
        "an idle server wrote {} bytes in 20 s",
        after - before
    );
    assert_eq!(
        files_before, files_after,
        "the WAL or the search index changed while idle"
    );
}
