//! fediverse-pasture's verify_actor checks (`tests/support/pasture_verify.py`, PyPI
//! fediverse-pasture 0.2.25 in the tests' Python, installed by `make test`) against one actor.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs pasture's six test actors against `actor` (a URL, or `acct:user@host:port`) and returns
/// the summary: `result.{alice..frank}.{get_actor,post_inbox}`, `result.webfinger`, `failures`
/// (pasture's own warnings: empty when everything expected of an actor holds) and `messages`.
pub fn pasture_verify(actor: &str) -> Value {
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/pasture_verify.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(actor)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "pasture_verify.py failed (fediverse-pasture: `make test` installs it in .venv and \
         passes PLACETTE_TEST_PYTHON):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "pasture_verify.py printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
