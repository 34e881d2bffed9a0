//! What `systemd/` ships for the Pi (issue 23): the units stay sandboxed (systemd's own score,
//! at most 2.0 where 10 is a service with every right), and the Litestream configuration reads
//! for each of its three targets.

use std::path::Path;
use std::process::Command;

use crate::replication::litestream;

fn shipped(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("systemd")
        .join(name)
        .display()
        .to_string()
}

/// `systemd-analyze security --offline=yes`'s overall exposure of a unit file.
fn exposure(unit: &str) -> f64 {
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--no-pager", unit])
        .output()
        .expect("run systemd-analyze (Debian's systemd)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| {
            panic!(
                "no score for {unit}:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let score = line
        .rsplit(':')
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    score
        .parse()
        .unwrap_or_else(|_| panic!("unreadable score in {line:?}"))
}

#[test]
#[ignore = "needs systemd-analyze: run by `make test`"]
fn the_units_stay_sandboxed() {
    for unit in ["placette.service", "litestream.service"] {
        let score = exposure(&shipped(unit));
        eprintln!("systemd-analyze security: {unit} {score}");
        assert!(score <= 2.0, "{unit}: exposure {score}, more than 2.0");
    }
}

#[test]
#[ignore = "needs litestream: run by `make test`"]
fn the_litestream_configuration_reads_for_each_target() {
    let yml = std::fs::read_to_string(shipped("litestream.yml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Blocks of the replica: the USB drive's lines as shipped, then each commented block.
    let (head, rest) = yml.split_once("      # 1.").unwrap();
    let blocks: Vec<&str> = rest.split("\n\n").collect();
    assert_eq!(blocks.len(), 3, "three targets: {rest}");
    for (i, (block, kind)) in blocks.iter().zip(["file", "sftp", "s3"]).enumerate() {
        let body: String = block
            .lines()
            .filter(|l| !l.trim_start().starts_with("# ") || l.contains(": "))
            .filter(|l| !l.contains(" 1. ") && !l.contains(" 2. ") && !l.contains(" 3. "))
            .map(|l| l.replacen("# ", "", 1) + "\n")
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(": "))
            .collect();
        let config = dir.path().join(format!("{kind}.yml"));
        std::fs::write(&config, format!("{head}{body}")).unwrap();
        let out = Command::new(litestream())
            .args(["databases", "-config"])
            .arg(&config)
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success()
                && listed.contains("/var/lib/placette/placette.db")
                && listed.contains(kind),
            "target {} ({kind}) does not read:\n{head}{body}\n{listed}{}",
            i + 1,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
