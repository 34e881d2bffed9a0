//! iCalendar import (issue 6): a Mobilizon-like and a Gancio-like feed, by file and by URL;
//! de-duplication on a second run, updates in place, cancellations of what disappeared
//! upstream, malformed files, permissions.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// The fixtures' dates are moved forward by whole 52-week periods (weekdays kept) so that their
/// events stay to come, whatever day the tests run.
fn mobilizon() -> String {
    later(include_str!("../data/mobilizon-chorale.ics"))
}

fn gancio() -> String {
    later(include_str!("../data/gancio-bourg.ics"))
}

/// `text` with every date (`20261205` or `2026-12-05`) moved forward by as many 364-day periods
/// as it takes for the fixtures' first date (1 December 2026) to be at least a day ahead.
fn later(text: &str) -> String {
    use chrono::NaiveDate;
    let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let today = chrono::Utc::now().date_naive();
    let behind = (today - first).num_days() + 1;
    let periods = if behind > 0 { (behind + 363) / 364 } else { 0 };
    let shift = chrono::Duration::days(364 * periods);
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
        let try_fmt = |len: usize, fmt: &str| -> Option<NaiveDate> {
            let cand = text.get(i..i + len)?;
            let after = bytes.get(i + len).copied();
            if digit_before || after.is_some_and(|b| b.is_ascii_digit()) || !cand.starts_with("20")
            {
                return None;
            }
            NaiveDate::parse_from_str(cand, fmt).ok()
        };
        if let Some(d) = try_fmt(10, "%Y-%m-%d") {
            out.push_str(&(d + shift).format("%Y-%m-%d").to_string());
            i += 10;
        } else if let Some(d) = try_fmt(8, "%Y%m%d") {
            out.push_str(&(d + shift).format("%Y%m%d").to_string());
            i += 8;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// POST the import form as a browser does (multipart, CSRF token in the query string).
fn upload(c: &Client, slug: &str, url: &str, file: &str) -> Resp {
    let page = c.get(&format!("/a/{slug}/agenda/import"));
    assert_eq!(page.status, 200, "{}", page.body);
    let boundary = "----placette-import-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\n{url}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"agenda.ics\"\r\n\
         Content-Type: text/calendar\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    Resp::from(
        c.agent
            .post(&format!(
                "{}/a/{slug}/agenda/import?_csrf={}",
                c.base,
                page.csrf()
            ))
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(body.as_bytes()),
    )
}

/// The last result shown for the page's sources (the text of each result cell).
/// The link to the first source's report on the import page.
fn report_path(body: &str) -> &str {
    let at = body.find("/report.json").unwrap();
    let start = body[..at].rfind('"').unwrap() + 1;
    &body[start..at + "/report.json".len()]
}

fn results(c: &Client, slug: &str) -> String {
    let page = c.get(&format!("/a/{slug}/agenda/import"));
    assert_eq!(page.status, 200);
    page.body
        .split("class=\"import-result\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An organisation page created by `c` (who becomes its admin); returns its slug.
fn organisation(c: &Client, name: &str) -> String {
    let page = c.get("/directory/new");
    let r = c.post_form(
        "/directory/new",
        &page,
        &[
            ("kind", "organisation"),
            ("type", "association"),
            ("name", name),
            ("summary", "Au village."),
            ("description", ""),
            ("tags", ""),
            ("address", ""),
            ("lat", ""),
            ("lon", ""),
            ("phone", ""),
            ("website", ""),
            ("social", ""),
            ("capacity", ""),
            ("parent", ""),
            ("visibility", "public"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/a/").to_string()
}

#[test]
fn a_file_import_is_deduplicated_updated_in_place_and_cancels_what_disappeared() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let slug = organisation(&jeanne, "Chorale du Bourg");

    // Someone who does not manage the page may neither see the form nor post to it.
    let paul = server.resident("paul@village.test", "Paul");
    assert_eq!(paul.get(&format!("/a/{slug}/agenda/import")).status, 403);
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    let r = Resp::from(
        paul.agent
            .post(&format!(
                "{}/a/{slug}/agenda/import?_csrf={}",
                paul.base,
                paul.get("/agenda/new").csrf()
            ))
            .set("Content-Type", "multipart/form-data; boundary=x")
            .send_bytes(b"--x--\r\n"),
    );
    assert_eq!(r.status, 403);
    assert!(page.body.contains("for=\"f-file\"") && page.body.contains("for=\"f-url\""));

    // Not a calendar: 422 with a message in the viewer's language, nothing imported.
    let r = upload(&jeanne, &slug, "", "<html>pas un agenda</html>");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("BEGIN:VCALENDAR"));
    assert!(results(&jeanne, &slug).is_empty());
    // An event with an unreadable date is refused alone, and the report says where.
    let r = upload(&jeanne, &slug, "", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Loto\r\nDTSTART:2026-12-01\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    assert_eq!(r.status, 303, "{}", r.body);
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    assert!(page.body.contains("0 adaptés, 1 refusés"), "{}", page.body);
    assert!(
        page.body.contains("Loto")
            && page
                .body
                .contains("Date illisible à la ligne 5 du fichier.")
    );
    let report = page
        .body
        .split("href=\"")
        .find(|s| s.contains("report.json"))
        .unwrap();
    let report = jeanne.get(report.split('"').next().unwrap());
    assert_eq!(report.status, 200);
    assert!(
        report.body.contains(r#""outcome":"refused""#)
            && report.body.contains(r#""code":"bad_date""#),
        "{}",
        report.body
    );
    assert_eq!(paul.get(report_path(&page.body)).status, 403);

    // First import: three events (the private one is left out).
    let r = upload(&jeanne, &slug, "", &mobilizon());
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        results(&jeanne, &slug),
        "3 ajoutés, 0 mis à jour, 0 annulés."
    );
    let agenda = server.client().get("/agenda");
    for title in [
        "Concert de Noël de la chorale",
        "Répétition hebdomadaire",
        "Assemblée générale de la chorale",
    ] {
        assert!(agenda.body.contains(title), "{title} missing from /agenda");
    }
    assert!(!agenda.body.contains("Réunion du bureau"));
    let feed = server.client().get(&format!("/a/{slug}/agenda.ics"));
    assert_eq!(feed.status, 200);
    assert!(
        feed.body.contains("SUMMARY:Concert de Noël de la chorale"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("RRULE:FREQ=WEEKLY"));
    let concert = &later("/e/concert-de-noel-de-la-chorale-2026-12-18");
    let ev = server.client().get(concert);
    assert_eq!(ev.status, 200);
    assert!(ev.body.contains("Chorale du Bourg") && ev.body.contains("participation au chapeau"));

    // Second run of the same file: nothing added, nothing duplicated.
    let before = agenda.body.matches("Répétition hebdomadaire").count();
    assert!(before > 0);
    assert_eq!(upload(&jeanne, &slug, "", &mobilizon()).status, 303);
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 0 mis à jour, 0 annulés."
    );
    let agenda = server.client().get("/agenda");
    assert_eq!(
        agenda.body.matches("Répétition hebdomadaire").count(),
        before
    );
    let feed2 = server.client().get(&format!("/a/{slug}/agenda.ics"));
    assert_eq!(feed2.body.matches("BEGIN:VEVENT").count(), 3);

    // A changed SUMMARY upstream: updated in place, same address.
    let changed = mobilizon().replace(
        "SUMMARY:Concert de Noël de la chorale",
        "SUMMARY:Grand concert de Noël",
    );
    assert_eq!(upload(&jeanne, &slug, "", &changed).status, 303);
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 1 mis à jour, 0 annulés."
    );
    let ev = server.client().get(concert);
    assert_eq!(ev.status, 200);
    assert!(ev.body.contains("Grand concert de Noël"));
    assert_eq!(
        server
            .client()
            .get(&format!("/a/{slug}/agenda.ics"))
            .body
            .matches("BEGIN:VEVENT")
            .count(),
        3
    );

    // Removed upstream: cancelled here, still shown as cancelled.
    let start = changed
        .find("BEGIN:VEVENT\r\nUID:https://mobilizon.fr/events/aaaa")
        .unwrap();
    let end = start + changed[start..].find("END:VEVENT\r\n").unwrap() + "END:VEVENT\r\n".len();
    let removed = format!("{}{}", &changed[..start], &changed[end..]);
    assert_eq!(upload(&jeanne, &slug, "", &removed).status, 303);
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 0 mis à jour, 1 annulés."
    );
    let ag = server
        .client()
        .get(&later("/e/assemblee-generale-de-la-chorale-2027-01-16"));
    assert_eq!(ag.status, 200);
    assert!(ag.body.contains("Cet événement est annulé."));

    // Back upstream: scheduled again.
    assert_eq!(upload(&jeanne, &slug, "", &changed).status, 303);
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 1 mis à jour, 0 annulés."
    );
    assert!(!server
        .client()
        .get(&later("/e/assemblee-generale-de-la-chorale-2027-01-16"))
        .body
        .contains("Cet événement est annulé."));

    // The site's admin manages every page; a loopback URL is refused without the test switch.
    let r = upload(&admin, &slug, "http://127.0.0.1:9/agenda.ics", "");
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Impossible de lire l&#39;agenda")
            || r.body.contains("Impossible de lire l'agenda"),
        "{}",
        r.body
    );
    let r = upload(&admin, &slug, "file:///etc/passwd", "");
    assert_eq!(r.status, 422);
}

/// `python -m http.server` on a free loopback port serving `dir`; killed on drop.
struct Served(Child, u16);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &std::path::Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new(python)
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python http.server");
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "http.server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Served(child, port)
}

#[test]
fn a_url_import_reads_a_gancio_feed_and_is_kept_for_refreshes() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("gancio.ics"), gancio()).unwrap();
    let served = serve(&www);
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_IMPORT_ALLOW_LOCAL", "1");
    let server = Server::start_command(cmd, &dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let slug = organisation(&jeanne, "Comité des fêtes");

    let url = format!("http://127.0.0.1:{}/gancio.ics", served.1);
    let r = upload(&jeanne, &slug, &url, "");
    assert_eq!(r.status, 303, "{}", r.body);
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    assert!(page.body.contains(&url));
    assert_eq!(
        results(&jeanne, &slug),
        "4 ajoutés, 0 mis à jour, 0 annulés."
    );
    let agenda = server.client().get("/agenda");
    assert!(
        agenda.body.contains("Marché de producteurs")
            && agenda.body.contains("Atelier réparation vélo")
    );
    // STATUS:CANCELLED upstream is imported as cancelled.
    assert!(server
        .client()
        .get(&later("/e/conference-annulee-2026-12-15"))
        .body
        .contains("Cet événement est annulé."));
    // The market at 08:00 UTC is at 09:00 in the village.
    assert!(
        server
            .client()
            .get(&later("/e/marche-de-producteurs-2026-12-05"))
            .body
            .contains("09:00")
            || server
                .client()
                .get(&later("/e/marche-de-producteurs-2026-12-05"))
                .body
                .contains("9 h")
    );

    // The same URL again: the same source, no duplicates.
    assert_eq!(upload(&jeanne, &slug, &url, "").status, 303);
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 0 mis à jour, 0 annulés."
    );
    // A missing file upstream is an error shown on the form, nothing changes.
    let r = upload(
        &jeanne,
        &slug,
        &format!("http://127.0.0.1:{}/absent.ics", served.1),
        "",
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("(404)"), "{}", r.body);

    // Upstream drops an event; the server refreshes due sources by itself (on start, then
    // every 10 minutes): restarted with the source marked due, it cancels the event here.
    let start = gancio().find("BEGIN:VEVENT\r\nUID:43@").unwrap();
    let end = start + gancio()[start..].find("END:VEVENT\r\n").unwrap() + "END:VEVENT\r\n".len();
    std::thread::sleep(Duration::from_millis(1100)); // a newer Last-Modified than the first read
    std::fs::write(
        www.join("gancio.ics"),
        format!("{}{}", &gancio()[..start], &gancio()[end..]),
    )
    .unwrap();
    let data = server.data.clone();
    server.stop();
    let db = rusqlite::Connection::open(data.join("placette.db")).unwrap();
    db.execute("UPDATE agenda_sources SET last_fetch = 0", [])
        .unwrap();
    drop(db);
    let mut cmd = Command::new(BIN);
    cmd.env("PLACETTE_IMPORT_ALLOW_LOCAL", "1");
    let server = Server::start_command(cmd, &data, &[]);
    let jeanne = Client {
        base: server.url.clone(),
        agent: jeanne.agent.clone(),
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while !results(&jeanne, &slug).contains("1 annulés") {
        assert!(
            Instant::now() < deadline,
            "not refreshed: {}",
            results(&jeanne, &slug)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        results(&jeanne, &slug),
        "0 ajoutés, 0 mis à jour, 1 annulés."
    );
    assert!(server
        .client()
        .get(&later("/e/fete-de-la-lumiere-2026-12-12"))
        .body
        .contains("Cet événement est annulé."));

    // The event comes back upstream; "refresh now" brings it back without waiting an hour.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(www.join("gancio.ics"), gancio()).unwrap();
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    let id = page
        .body
        .split("/agenda/import/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a source with its actions")
        .to_string();
    let r = jeanne.post_form(
        &format!("/a/{slug}/agenda/import/{id}/refresh"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!server
        .client()
        .get(&later("/e/fete-de-la-lumiere-2026-12-12"))
        .body
        .contains("Cet événement est annulé."));
    // Someone else cannot act on the source.
    let paul = server.resident("paul@village.test", "Paul");
    let p = paul.get("/");
    let r = paul.post_form(
        &format!("/a/{slug}/agenda/import/{id}/delete"),
        &p,
        &[("x", "")],
    );
    assert_eq!(r.status, 403);
    // "Stop importing": the source goes, its events stay.
    let r = jeanne.post_form(
        &format!("/a/{slug}/agenda/import/{id}/delete"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    assert!(!page.body.contains(&url), "the source is gone");
    assert!(server
        .client()
        .get("/agenda")
        .body
        .contains("Marché de producteurs"));
}

/// The dates of every event of a calendar from `from` for 400 days by `recurring-ical-events`:
/// sorted (start UTC, end UTC, cancelled, title).
fn reference_dates(ics: &str, from: chrono::NaiveDate) -> Vec<(i64, i64, bool, String)> {
    const SCRIPT: &str = r#"
import sys, json, datetime
import icalendar, recurring_ical_events
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
start = datetime.date.fromisoformat(sys.argv[1])
out = []
for e in recurring_ical_events.of(cal).between(start, start + datetime.timedelta(days=400)):
    s, t = e["DTSTART"].dt, e["DTEND"].dt
    out.append([int(s.timestamp()), int(t.timestamp()), str(e.get("STATUS", "")) == "CANCELLED", str(e["SUMMARY"])])
print(json.dumps(sorted(out)))
"#;
    python_json(
        SCRIPT,
        &[&from.to_string()],
        ics,
        "recurring-ical-events refused the calendar",
    )
}

#[test]
fn a_google_series_with_changed_dates_comes_back_out_of_our_feed_date_for_date() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let slug = organisation(&jeanne, "Repair café du Bourg");
    // Saturdays at 14:00 from the first Saturday at least a week ahead, across a clock change;
    // the second date moved to the Friday morning and retitled, the third cancelled; Outlook's
    // zone name, an added date and an excluded one, as Google, Outlook and Thunderbird write them.
    let today = chrono::Utc::now().date_naive();
    let mut first = today + chrono::Duration::days(7);
    while chrono::Datelike::weekday(&first) != chrono::Weekday::Sat {
        first += chrono::Duration::days(1);
    }
    let day = |n: i64| {
        (first + chrono::Duration::days(n))
            .format("%Y%m%d")
            .to_string()
    };
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n\
         BEGIN:VEVENT\r\nUID:cafe@google.com\r\nSUMMARY:Repair café\r\n\
         DTSTART;TZID=Romance Standard Time:{d0}T140000\r\nDTEND;TZID=Romance Standard Time:{d0}T170000\r\n\
         RRULE:FREQ=WEEKLY;COUNT=30;BYDAY=SA;WKST=SU\r\nEXDATE;TZID=Europe/Paris:{d28}T140000\r\n\
         RDATE;TZID=Europe/Paris:{d30}T100000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:cafe@google.com\r\nRECURRENCE-ID;TZID=Europe/Paris:{d7}T140000\r\n\
         SUMMARY:Repair café spécial vélos\r\nDTSTART;TZID=Europe/Paris:{d6}T100000\r\n\
         DTEND;TZID=Europe/Paris:{d6}T120000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:cafe@google.com\r\nRECURRENCE-ID;TZID=Europe/Paris:{d14}T140000\r\n\
         SUMMARY:Repair café\r\nSTATUS:CANCELLED\r\nDTSTART;TZID=Europe/Paris:{d14}T140000\r\n\
         DTEND;TZID=Europe/Paris:{d14}T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        d0 = day(0),
        d6 = day(6),
        d7 = day(7),
        d14 = day(14),
        d28 = day(28),
        d30 = day(30),
    );
    let r = upload(&jeanne, &slug, "", &ics);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = jeanne.get(&format!("/a/{slug}/agenda/import"));
    assert!(
        page.body.contains("Romance Standard Time → Europe/Paris"),
        "{}",
        page.body
    );
    let ours = server.client().get(&format!("/a/{slug}/agenda.ics"));
    assert_eq!(ours.status, 200);
    assert!(ours.body.contains("RECURRENCE-ID") && ours.body.contains("RDATE"));
    assert!(ours
        .body
        .contains("RRULE:FREQ=WEEKLY;COUNT=30;BYDAY=SA;WKST=SU"));
    let theirs = reference_dates(&ics, today);
    let back = reference_dates(&ours.body, today);
    assert_eq!(theirs.len(), 30, "{theirs:?}");
    assert_eq!(
        back, theirs,
        "our feed says other dates than the calendar imported"
    );
    assert!(
        back.iter().any(|d| d.2),
        "the cancelled date stays, cancelled"
    );
    assert!(back.iter().any(|d| d.3 == "Repair café spécial vélos"));
}
