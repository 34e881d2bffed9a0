//! Mails over real SMTP: a request to the room's managers, the decision to the booker, the
//! reminder the day before, each sent once by the server's background task.

use std::time::{Duration, Instant};

use chrono::Timelike;

use super::*;

/// Waits until a received mail satisfies `found`; returns it.
fn wait_for(smtp: &SmtpSink, what: &str, found: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut files: Vec<_> = std::fs::read_dir(&smtp.dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        {
            let m = decode_qp(&std::fs::read_to_string(f).unwrap_or_default());
            if found(&m) {
                return m;
            }
        }
        assert!(Instant::now() < deadline, "no mail: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn count(smtp: &SmtpSink, found: impl Fn(&str) -> bool) -> usize {
    std::fs::read_dir(&smtp.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter(|e| {
            found(&decode_qp(
                &std::fs::read_to_string(e.path()).unwrap_or_default(),
            ))
        })
        .count()
}

#[test]
fn managers_hear_of_requests_and_bookers_of_decisions_and_the_day_before() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des Fêtes", "");
    // Residents first: their confirmation mails go to the outbox until SMTP is set.
    let marie = resident_from(&server, 1, "Marie");
    let jeanne = resident_from(&server, 2, "Jeanne");
    let r = set_rules(
        &admin,
        &slug,
        &[("approval", "1"), ("managers", "marie1@village.test")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    server.use_smtp(&admin, smtp.port);

    // A request: the manager is told, with a link to decide.
    let d = monday(2);
    assert_eq!(
        book(&jeanne, &slug, d, "18:00", "20:00", &[("purpose", "Loto")]).status,
        303
    );
    let m = wait_for(&smtp, "request", |m| {
        m.contains("To: marie1@village.test") && m.contains("Loto")
    });
    assert!(
        m.contains("Jeanne demande la salle « Salle des Fêtes »"),
        "{m}"
    );
    assert!(m.contains("Jeanne") && m.contains("/rooms/requests"), "{m}");

    // Marie approves from her phone: Jeanne is told.
    let requests = marie.get("/rooms/requests");
    let ids = booking_ids(&requests.body, "approve");
    assert_eq!(ids.len(), 1, "{}", requests.body);
    let r = marie.post_form(
        &format!("/rooms/bookings/{}/approve", ids[0]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 303);
    let m = wait_for(&smtp, "confirmation", |m| {
        m.contains("To: jeanne2@village.test") && m.contains("confirmée")
    });
    assert!(m.contains("Salle des Fêtes") && m.contains("Loto"), "{m}");

    // A declined request.
    assert_eq!(
        book(
            &jeanne,
            &slug,
            plus(d, 1),
            "18:00",
            "20:00",
            &[("purpose", "Belote")]
        )
        .status,
        303
    );
    wait_for(&smtp, "second request", |m| {
        m.contains("To: marie1@village.test") && m.contains("Belote")
    });
    let requests = marie.get("/rooms/requests");
    let ids = booking_ids(&requests.body, "decline");
    let r = marie.post_form(
        &format!("/rooms/bookings/{}/decline", ids[0]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 303);
    wait_for(&smtp, "refusal", |m| {
        m.contains("To: jeanne2@village.test")
            && m.contains("pas pu être acceptée")
            && m.contains("Belote")
    });

    // Tomorrow (within a day): confirmed, then the reminder with the access instructions.
    let soon = chrono::Utc::now().with_timezone(&Paris) + chrono::Duration::hours(2);
    let (date, hour) = if soon.hour() >= 23 {
        (soon.date_naive() + chrono::Duration::days(1), 0)
    } else {
        (soon.date_naive(), soon.hour())
    };
    let (start, end) = (format!("{hour:02}:00"), format!("{:02}:00", hour + 1));
    assert_eq!(
        book(&jeanne, &slug, date, &start, &end, &[("purpose", "Goûter")]).status,
        303
    );
    wait_for(&smtp, "third request", |m| {
        m.contains("To: marie1@village.test") && m.contains("Goûter")
    });
    let requests = marie.get("/rooms/requests");
    let ids = booking_ids(&requests.body, "approve");
    let r = marie.post_form(
        &format!("/rooms/bookings/{}/approve", ids[0]),
        &requests,
        &[("next", "")],
    );
    assert_eq!(r.status, 303);
    let m = wait_for(&smtp, "reminder", |m| {
        m.contains("To: jeanne2@village.test") && m.contains("Rappel")
    });
    assert!(m.contains("Goûter") && m.contains("code 4321"), "{m}");

    // Each mail went once, even after more passes of the task and a restart.
    std::thread::sleep(Duration::from_secs(2));
    let data = server.data.clone();
    server.stop();
    let server = Server::start(&data, &[]);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(count(&smtp, |m| m.contains("Rappel")), 1);
    assert_eq!(
        count(&smtp, |m| m.contains("To: marie1@village.test")
            && m.contains("Loto")),
        1
    );
    assert_eq!(
        count(&smtp, |m| m.contains("To: jeanne2@village.test")
            && m.contains("Loto")),
        1
    );
    drop(server);
}

#[test]
fn a_whole_series_is_asked_for_and_decided_in_one_mail_each() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle des Fêtes", "");
    let marie = resident_from(&server, 1, "Marie");
    let jeanne = resident_from(&server, 2, "Jeanne");
    let r = set_rules(
        &admin,
        &slug,
        &[("approval", "1"), ("managers", "marie1@village.test")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    server.use_smtp(&admin, smtp.port);

    // The town hall holds the third Thursday; the choir asks for six and books the five free.
    let first = plus(monday(2), 3);
    assert_eq!(
        book(&admin, &slug, plus(first, 14), "19:00", "23:00", &[]).status,
        303
    );
    let until = ymd(plus(first, 35));
    let series = [
        ("repeat", "weekly"),
        ("until", until.as_str()),
        ("purpose", "Chorale"),
    ];
    let report = book(&jeanne, &slug, first, "20:00", "22:00", &series);
    assert_eq!(report.status, 409);
    let date = ymd(first);
    let mut fields: Vec<(&str, &str)> = series.to_vec();
    fields.extend([
        ("date", date.as_str()),
        ("start", "20:00"),
        ("end", "22:00"),
        ("mode", "free"),
    ]);
    let r = jeanne.post_form(&format!("/rooms/{slug}/book"), &report, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let m = wait_for(&smtp, "request", |m| m.contains("To: marie1@village.test"));
    assert!(
        m.contains("5 date(s) en tout") && m.contains("Chorale"),
        "{m}"
    );

    // Meanwhile the town hall takes the fourth Thursday: requests may coexist with it.
    assert_eq!(
        book(&admin, &slug, plus(first, 21), "18:00", "21:00", &[]).status,
        303
    );

    // One card for the series; approving it approves the free dates, one is left.
    let requests = marie.get("/rooms/requests");
    assert!(
        requests
            .body
            .contains("Dates en attente dans cette série : 5."),
        "{}",
        requests.body
    );
    let ids = booking_ids(&requests.body, "approve");
    assert_eq!(ids.len(), 1);
    let r = marie.post_form(
        &format!("/rooms/bookings/{}/approve", ids[0]),
        &requests,
        &[("next", ""), ("scope", "following")],
    );
    assert_eq!(r.status, 303);
    let after = marie.get("/rooms/requests");
    assert!(after
        .body
        .contains("celles qui sont prises restent à décider"));
    assert_eq!(booking_ids(&after.body, "approve").len(), 1);
    let m = wait_for(&smtp, "decision", |m| {
        m.contains("To: jeanne2@village.test")
    });
    assert!(
        m.contains("Cette décision vaut pour 4 dates de la série"),
        "{m}"
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(count(&smtp, |m| m.contains("To: marie1@village.test")), 1);
    assert_eq!(count(&smtp, |m| m.contains("To: jeanne2@village.test")), 1);
    let mine = jeanne.get("/rooms/mine");
    assert_eq!(mine.body.matches("Confirmée").count(), 4);
    assert_eq!(mine.body.matches("En attente").count(), 1);
}
