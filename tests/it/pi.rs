//! The Raspberry Pi build: the static aarch64 binary serves pages under qemu-user.

use std::process::Command;

use crate::support::*;

#[test]
#[ignore = "needs the aarch64 binary and qemu-aarch64-static: run by `make test`"]
fn arm_binary_serves_healthz_and_home_under_qemu() {
    let bin = std::env::var("PLACETTE_PI_BINARY")
        .expect("PLACETTE_PI_BINARY points at the aarch64 binary");
    let file = Command::new("file")
        .arg(&bin)
        .output()
        .expect("the `file` command");
    let kind = String::from_utf8_lossy(&file.stdout);
    assert!(
        kind.contains("ARM aarch64") && kind.contains("statically linked"),
        "{kind}"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut qemu = Command::new("qemu-aarch64-static");
    qemu.arg(&bin);
    let server = Server::start_command(qemu, &dir.path().join("data"), &[]);
    let c = server.client();
    let health = c.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, "ok");
    assert_eq!(c.get("/").location(), "/setup");
    let setup = c.get("/setup");
    assert_eq!(setup.status, 200);
    assert!(setup.body.contains("Placette"));
    let admin = server.set_up();
    assert!(admin.get("/").body.contains("Saint-Test-sur-Loire"));
}
