//! DKIM: the admin's key signs every list mail; dkimpy verifies the signature with the
//! public key handed over in place of DNS.

use std::process::Command;

use super::*;

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn verify(eml: &Path, public_key: &str) -> String {
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/dkim_verify.py");
    let out = Command::new(python)
        .arg(script)
        .arg(eml)
        .arg(public_key)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        text == "pass" || text == "fail",
        "dkim_verify.py (is dkimpy installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn list_mails_carry_a_dkim_signature_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let key_s = key.to_str().unwrap();
    openssl(&["genrsa", "-traditional", "-out", key_s, "2048"]);
    let der = openssl(&["rsa", "-in", key_s, "-pubout", "-outform", "DER"]);
    let public = {
        use std::io::Write;
        let mut child = Command::new("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&der).unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    let pem = std::fs::read_to_string(&key).unwrap();
    let (_server, sink, admin) = server_with_sink(dir.path());

    // A key that is not one is refused with the form kept; a real one is stored, never shown.
    let page = admin.get("/admin/lists");
    let fields = |k: &str| {
        vec![
            ("per_minute", "30".to_string()),
            ("per_day", "500".to_string()),
            ("dkim_domain", "village.test".to_string()),
            ("dkim_selector", "placette".to_string()),
            ("dkim_key", k.to_string()),
        ]
    };
    let r = admin.post_form("/admin/lists", &page, &fields("pas une clé"));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("value=\"village.test\""));
    let r = admin.post_form("/admin/lists", &page, &fields(&pem));
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/admin/lists");
    assert!(
        page.body.contains("Une clé est enregistrée") && !page.body.contains("PRIVATE KEY-----\n")
    );

    import(&admin, "village", &["ana@village.test".to_string()]);
    let mailing = draft(
        &admin,
        "village",
        "Signée",
        "Une lettre **signée**, avec des accents : é à ç.",
    );
    assert_eq!(send_now(&admin, &mailing).status, 303);
    let raw = sink.wait_message(1);
    let signature = header(&raw, "DKIM-Signature");
    assert!(
        signature.contains("d=village.test") && signature.contains("s=placette"),
        "{signature}"
    );
    assert!(
        signature.to_lowercase().contains("list-unsubscribe"),
        "{signature}"
    );

    let eml = sink.dir.join("0001.eml");
    assert_eq!(verify(&eml, &public), "pass");
    // The same message sent to someone else does not verify.
    let tampered = dir.path().join("tampered.eml");
    let text = std::fs::read_to_string(&eml).unwrap();
    assert!(text.contains("To: ana@village.test"));
    let bytes = text.replacen("To: ana@village.test", "To: bob@village.test", 1);
    std::fs::write(&tampered, bytes).unwrap();
    assert_eq!(verify(&tampered, &public), "fail");
}
