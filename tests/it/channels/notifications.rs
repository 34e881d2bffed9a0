//! The channels' notifications and webhooks (issue 22, part 1), through the real binary, a
//! real SMTP server and another tool written in Python: a mention mailed at once with RFC
//! 8058's one-click unsubscribe, which works without session nor CSRF token and stops the
//! next mention; a follower's daily digest listing the new reply, sent once even across a
//! restart; a webhook round trip with the HMAC checked on both sides (the tool verifies our
//! signature with Python's hmac, then posts back signed; a wrong signature, a stale timestamp,
//! an empty text and a large body are refused and post nothing); only moderators manage hooks.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::*;

fn start(data: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(BIN);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server::start_command(cmd, data, &[])
}

/// A public village channel made by the admin; its slug.
fn channel(admin: &Client, name: &str) -> String {
    let page = admin.get("/channels/new");
    assert_eq!(page.status, 200, "{}", page.body);
    let r = admin.post_form(
        "/channels/new",
        &page,
        &[
            ("name", name),
            ("topic", "Entraide"),
            ("description", ""),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/c/").to_string()
}

/// Opens a thread; its id.
fn open_thread(c: &Client, slug: &str, title: &str, body: &str) -> i64 {
    let page = c.get(&format!("/c/{slug}"));
    let r = c.post_form(
        &format!("/c/{slug}/threads"),
        &page,
        &[("title", title), ("body", body)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = r.location();
    let id = loc.rsplit('/').next().unwrap().split('?').next().unwrap();
    id.parse().unwrap_or_else(|_| panic!("thread id in {loc}"))
}

fn reply(c: &Client, slug: &str, thread: i64, body: &str) {
    let path = format!("/c/{slug}/t/{thread}");
    let page = c.get(&path);
    let r = c.post_form(&path, &page, &[("body", body)]);
    assert_eq!(r.status, 303, "{}", r.body);
}

/// A header of a raw mail (its first line).
fn mail_header(mail: &str, name: &str) -> String {
    mail.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {mail}"))
        .to_string()
}

fn no_mail(sink: &SmtpSink, n: usize, wait: Duration) {
    std::thread::sleep(wait);
    let path = sink.dir.join(format!("{n:04}.eml"));
    assert!(
        !path.exists(),
        "unexpected mail #{n}: {}",
        std::fs::read_to_string(&path).unwrap_or_default()
    );
}

#[test]
fn a_mention_is_mailed_at_once_and_one_click_unsubscribes() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let ana = server.resident("ana@village.test", "Ana");
    let bob = server.resident("bob@village.test", "Bob Martin");
    let _chloe = server.resident("chloe@village.test", "Chloé");
    let sink = SmtpSink::start(&dir.path().join("smtp"));
    server.use_smtp(&admin, sink.port);
    let slug = channel(&admin, "Jardin partagé");

    // Bob's choice is the default: mentions mailed at once.
    let prefs = bob.get("/account/notifications");
    assert_eq!(prefs.status, 200);
    assert!(
        prefs.body.contains(r#"value="immediate" selected"#),
        "{}",
        prefs.body
    );
    let tid = open_thread(
        &ana,
        &slug,
        "Semis",
        "Qui a des graines de tomates ? @Bob_Martin",
    );

    let mail = sink.wait_message(1);
    assert!(mail.contains("To: bob@village.test"), "{mail}");
    assert!(mail.contains("Qui a des graines de tomates"), "{mail}");
    assert!(mail.contains(&format!("/c/{slug}/t/{tid}")), "{mail}");
    let list_unsubscribe = mail_header(&mail, "List-Unsubscribe");
    assert_eq!(
        mail_header(&mail, "List-Unsubscribe-Post").trim(),
        "List-Unsubscribe=One-Click"
    );
    let url = list_unsubscribe
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    assert!(
        url.starts_with(&server.url) && url.contains("/channels/u/"),
        "{url}"
    );
    let path = &url[server.url.len()..];

    // The page has its button; a forged token is refused.
    let stranger = server.client();
    let page = stranger.get(path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!(r#"action="{path}""#)));
    // The last character changed (to another one: a token may well end with a 0).
    let last = if path.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &path[..path.len() - 1]);
    let r: Resp = ureq::post(&format!("{}{forged}", server.url))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string("List-Unsubscribe=One-Click")
        .into();
    assert_eq!(r.status, 403);

    // The mail provider's one-click POST: no session, no CSRF token.
    let r: Resp = ureq::post(&url)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string("List-Unsubscribe=One-Click")
        .into();
    assert_eq!(r.status, 200, "{}", r.body);
    let prefs = bob.get("/account/notifications");
    assert!(
        prefs.body.contains(r#"value="none" selected"#),
        "{}",
        prefs.body
    );

    // The next mention of Bob sends nothing; Chloé's does (the next mail is hers).
    reply(&ana, &slug, tid, "@Bob_Martin et @Chloé, semis samedi ?");
    let mail = sink.wait_message(2);
    assert!(mail.contains("To: chloe@village.test"), "{mail}");
    no_mail(&sink, 3, Duration::from_secs(2));

    // The choice is in "download my data".
    let export = bob.get("/account/export");
    assert!(
        export.body.contains(r#""channel_notifications""#),
        "{}",
        export.body
    );
}

#[test]
fn a_follower_gets_one_daily_digest_with_the_new_reply() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("PLACETTE_DIGEST_NOW", "1")];
    let server = start(&data, &env);
    let admin = server.set_up();
    let ana = server.resident("ana@village.test", "Ana");
    let bob = server.resident("bob@village.test", "Bob Martin");
    let sink = SmtpSink::start(&dir.path().join("smtp"));
    server.use_smtp(&admin, sink.port);
    let slug = channel(&admin, "Outils");

    // Bob opened the thread, so he follows it; followed threads come in the digest by default.
    let tid = open_thread(&bob, &slug, "Prêt de bêche", "Quelqu'un a une bêche ?");
    reply(&ana, &slug, tid, "Oui, la mienne est au lavoir.");

    let mail = sink.wait_message(1);
    assert!(mail.contains("To: bob@village.test"), "{mail}");
    assert!(mail.contains("la mienne est au lavoir"), "{mail}");
    assert!(
        mail.contains("Prêt de bêche") && mail.contains("Ana"),
        "{mail}"
    );
    assert!(
        !mail.contains("Quelqu'un a une bêche"),
        "his own message is not listed: {mail}"
    );
    assert!(mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    // Once a day: a second run, and a restart, send nothing more.
    no_mail(&sink, 2, Duration::from_millis(2500));
    server.stop();
    let _server = start(&data, &env);
    no_mail(&sink, 2, Duration::from_millis(2500));
}

/// A line of the tool's output starting with `tag`, within 20 s.
fn line(rx: &mpsc::Receiver<String>, tag: &str) -> serde_json::Value {
    let got = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("the tool printed no {tag}"));
    let rest = got
        .strip_prefix(tag)
        .unwrap_or_else(|| panic!("expected {tag}, got {got}"));
    serde_json::from_str(rest.trim()).unwrap()
}

/// The text of the first `<code class="{class}">` of a page.
fn code(page: &str, class: &str) -> String {
    let marker = format!(r#"<code class="{class}">"#);
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {class} in {page}"))
        + marker.len();
    page[start..].split('<').next().unwrap().to_string()
}

#[test]
fn a_webhook_round_trip_is_signed_and_checked_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &dir.path().join("data"),
        &[("PLACETTE_IMPORT_ALLOW_LOCAL", "1")],
    );
    let admin = server.set_up();
    let ana = server.resident("ana@village.test", "Ana");
    let slug = channel(&admin, "Compost");
    let tid = open_thread(
        &ana,
        &slug,
        "Tour de compost",
        "Qui retourne le tas cette semaine ?",
    );

    // Only the channel's moderators see and manage its hooks (and the link to them).
    let hooks = format!("/c/{slug}/hooks");
    let link = format!(r#"href="{hooks}""#);
    assert!(admin.get(&format!("/c/{slug}")).body.contains(&link));
    assert!(!ana.get(&format!("/c/{slug}")).body.contains(&link));
    assert_eq!(ana.get(&hooks).status, 403);
    let page = ana.get(&format!("/c/{slug}"));
    let r = ana.post_form(
        &format!("{hooks}/out"),
        &page,
        &[("name", "x"), ("url", "https://example.org/")],
    );
    assert_eq!(r.status, 403);

    // The incoming hook: its address is shown once, its secret to the moderators.
    let page = admin.get(&hooks);
    assert_eq!(page.status, 200, "{}", page.body);
    let thread = tid.to_string();
    let made = admin.post_form(
        &format!("{hooks}/in"),
        &page,
        &[("name", "Suivi du tas"), ("thread", thread.as_str())],
    );
    assert_eq!(made.status, 200, "{}", made.body);
    let in_url = code(&made.body, "hook-new-url");
    let in_secret = code(&made.body, "hook-secret");
    assert!(in_url.contains("/hooks/c/"), "{in_url}");
    assert!(
        !admin.get(&hooks).body.contains(&in_url),
        "the address is shown once"
    );

    // The other tool, and the outgoing hook pointing at it.
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/webhook_peer.py");
    let mut tool = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python for the webhook peer");
    let (tx, rx) = mpsc::channel();
    let out = tool.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let ready = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the tool starts");
    let port = ready.strip_prefix("ready ").expect("ready PORT");
    let page = admin.get(&hooks);
    let tool_url = format!("http://127.0.0.1:{port}/placette");
    let r = admin.post_form(
        &format!("{hooks}/out"),
        &page,
        &[("name", "Outil du compost"), ("url", tool_url.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get(&hooks);
    let out_secret = code(&page.body, "hook-secret");
    assert_ne!(out_secret, in_secret);
    let mut stdin = tool.stdin.take().unwrap();
    writeln!(stdin, "{out_secret} {in_url} {in_secret}").unwrap();
    stdin.flush().unwrap();

    // A message goes out, signed; the tool checks it and answers through the incoming hook.
    reply(&ana, &slug, tid, "Je m'en charge jeudi.");
    let received = line(&rx, "received ");
    assert_eq!(received["verified"], true, "{received}");
    let m = &received["payload"]["message"];
    assert_eq!(m["text"], "Je m'en charge jeudi.");
    assert_eq!(m["author"], "Ana");
    assert_eq!(received["payload"]["thread"]["id"], tid);
    assert_eq!(received["payload"]["channel"]["slug"], slug.as_str());
    assert!(m["url"].as_str().unwrap().starts_with(&server.url));
    assert!(m["created_at"].as_str().unwrap().contains('T'));
    let results = line(&rx, "results ");
    assert_eq!(results["correct"][0], 201, "{results}");
    assert_eq!(results["correct"][1]["thread"], tid, "{results}");
    assert_eq!(results["wrong"][0], 401, "{results}");
    assert_eq!(results["stale"][0], 401, "{results}");
    assert_eq!(results["empty"][0], 422, "{results}");
    assert!(results["empty"][1]["error"].is_string(), "{results}");
    assert_eq!(results["large"][0], 413, "{results}");

    // The tool's message is in the thread, under its name; the refused ones are not.
    let page = ana.get(&format!("/c/{slug}/t/{tid}?at=end"));
    assert!(
        page.body
            .contains("Reçu par l&#39;outil : Je m&#39;en charge jeudi.")
            || page
                .body
                .contains("Reçu par l'outil : Je m'en charge jeudi."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Intégration : Suivi du tas"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Signature fausse") && !page.body.contains("Horodatage périmé"));
    // A tool's message is not sent back out (no loop between two tools).
    assert!(
        rx.recv_timeout(Duration::from_secs(3)).is_err(),
        "a second delivery"
    );
    let page = admin.get(&hooks);
    assert!(page.body.contains("HTTP 200"), "{}", page.body);
    let _ = tool.kill();
    let _ = tool.wait();

    // Hostile bodies, correctly signed: 422 with a JSON error, never a 5xx, nothing posted;
    // no signature at all, or an unknown token: 401.
    let before = page_messages(&ana, &slug, tid);
    assert_eq!(before, 3, "the first message, the reply and the tool's");
    let long_title = format!(r#"{{"text": "ok", "title": "{}"}}"#, "t".repeat(151));
    let bodies: Vec<Vec<u8>> = vec![
        b"pas du JSON".to_vec(),
        b"[]".to_vec(),
        br#"{"text": 5}"#.to_vec(),
        br#"{"title": "Sans texte"}"#.to_vec(),
        long_title.into_bytes(),
        vec![0xff, 0xfe, b'{', 0x00],
    ];
    for body in bodies {
        let r = signed(&in_url, &in_secret, &body);
        assert_eq!(
            r.status,
            422,
            "{}: {}",
            String::from_utf8_lossy(&body),
            r.body
        );
        let error: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(error["error"].is_string(), "{}", r.body);
    }
    let r: Resp = ureq::post(&in_url).send_string(r#"{"text": "x"}"#).into();
    assert_eq!(r.status, 401);
    let unknown = format!("{}/hooks/c/{}", server.url, "0".repeat(64));
    assert_eq!(
        signed(&unknown, &in_secret, br#"{"text": "x"}"#).status,
        401
    );
    assert_eq!(page_messages(&ana, &slug, tid), before);
}

/// POSTs a body signed the way the document says, now.
fn signed(url: &str, secret: &str, body: &[u8]) -> Resp {
    use hmac::{Hmac, Mac};
    let ts = crate::votes::now();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    ureq::post(url)
        .set("Content-Type", "application/json")
        .set("X-Placette-Timestamp", &ts.to_string())
        .set("X-Placette-Signature", &format!("sha256={hex}"))
        .send_bytes(body)
        .into()
}

/// How many messages a thread's last page shows.
fn page_messages(c: &Client, slug: &str, thread: i64) -> usize {
    c.get(&format!("/c/{slug}/t/{thread}?at=end"))
        .body
        .matches("data-id=")
        .count()
}
