//! Expiry, with the module's test clock (`PLACETTE_AID_CLOCK_OFFSET`, seconds added to the
//! module's "now"): the server is restarted "28 days later" (the warning mail, once, over
//! real SMTP, with its extend and close links) and "31 days later" (the post expired: gone
//! from the list, the page, the API and the search; still in "my posts"; extended, it is back).
//! The daily digest the same way: "a day later", once.

use std::process::Command;

use super::*;

const DAY: i64 = 86_400;

fn start_at(dir: &std::path::Path, days: i64) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_AID_CLOCK_OFFSET", (days * DAY).to_string());
    Server::start_command(cmd, dir, &[])
}

fn login(server: &Server, email: &str, password: &str) -> Client {
    let c = server.client();
    c.login(email, password);
    c
}

#[test]
fn a_post_is_announced_then_expires_then_comes_back_when_extended() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sink = SmtpSink::start(&dir.path().join("sink"));
    let (id, hidden) = {
        let server = Server::start(&data, &[]);
        let admin = server.set_up();
        let author = server.resident("jeanne@village.test", "Jeanne");
        server.use_smtp(&admin, sink.port);
        let id = publish(&author, "offer", "lend", "Je prête ma bétonnière", None);
        let hidden = publish(&author, "need", "other", "Cartons de déménagement", None);
        assert!(author.get("/aid").body.contains("bétonnière"));
        server.stop();
        (id, hidden)
    };
    // 28 days later: one mail, to the author, with the two links.
    let server = start_at(&data, 28);
    let mail = sink.wait_message(1);
    assert!(mail.contains("To: jeanne@village.test"), "{mail}");
    assert!(mail.contains("bétonnière"), "{mail}");
    assert!(mail.contains(&format!("/aid/{id}/extend")), "{mail}");
    assert!(mail.contains(&format!("/aid/{id}/close")), "{mail}");
    let second = sink.wait_message(2);
    assert!(second.contains("Cartons"), "{second}");
    server.stop();
    // Restarted again the same day: not twice.
    let server = start_at(&data, 28);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !sink.dir.join("0003.eml").exists(),
        "a warning was sent twice"
    );
    server.stop();

    // 31 days later: expired.
    let server = start_at(&data, 31);
    let visitor = server.client();
    let start = Instant::now();
    while visitor.get("/aid").body.contains("bétonnière") {
        assert!(start.elapsed() < Duration::from_secs(10), "still listed");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(visitor.get(&format!("/aid/{id}")).status, 404);
    assert_eq!(visitor.get(&format!("/api/v1/aid/{id}")).status, 404);
    let start = Instant::now();
    loop {
        let found = visitor.get("/api/v1/search?q=betonniere&km=500").body;
        if !found.contains(&format!("/aid/{id}")) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still found: {found}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The author still has it, and extends it from the mail's link.
    let author = login(&server, "jeanne@village.test", "mot de passe du village");
    let mine = author.get("/aid/mine");
    assert!(mine.body.contains("bétonnière") && mine.body.contains("Expirée"));
    let confirm = author.get(&format!("/aid/{id}/extend"));
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let r = author.post_form(&format!("/aid/{id}/extend"), &confirm, &[("x", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(visitor.get("/aid").body.contains("bétonnière"));
    assert!(!visitor
        .get("/aid")
        .body
        .contains(&format!("/aid/{hidden}\"")));
}

#[test]
fn the_daily_digest_brings_the_new_posts_of_the_chosen_categories_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sink = SmtpSink::start(&dir.path().join("sink"));
    {
        let server = Server::start(&data, &[]);
        let admin = server.set_up();
        let reader = server.resident("lecteur@village.test", "Lecteur");
        let author = server.resident("jeanne@village.test", "Jeanne");
        server.use_smtp(&admin, sink.port);
        let page = reader.get("/aid/digest");
        assert_eq!(page.status, 200);
        let r = reader.post_form(
            "/aid/digest",
            &page,
            &[("cat_rides", "on"), ("cat_lend", "on")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(reader
            .get("/aid/digest")
            .body
            .contains("name=\"cat_rides\" checked"));
        publish(
            &author,
            "offer",
            "rides",
            "Covoiturage vers Angers le mardi",
            None,
        );
        publish(&author, "offer", "skills", "Cours de guitare", None);
        server.stop();
    }
    // A day later: one digest, with the ride and without the guitar lessons.
    let server = start_at(&data, 1);
    let mail = sink.wait_message(1);
    assert!(mail.contains("To: lecteur@village.test"), "{mail}");
    assert!(mail.contains("Covoiturage vers Angers le mardi"), "{mail}");
    assert!(!mail.contains("guitare"), "{mail}");
    assert!(!mail.contains("jeanne@village.test"), "{mail}");
    server.stop();
    // Restarted the same day: not twice.
    let _server = start_at(&data, 1);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !sink.dir.join("0002.eml").exists(),
        "a digest was sent twice"
    );
}
