//! The agenda as residents use it: a weekly class through the form and its dates on the month
//! page across both clock changes, one date cancelled, feeds read by a real iCalendar parser
//! (Python's `icalendar`), RSVPs under concurrent requests, members-only events kept from
//! everyone else (pages, lists, search, feeds, API), submissions without an account, form
//! errors, sub-events, the module switch, CSRF on every agenda POST.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Europe::Paris;

use crate::support::*;

/// The fields of the event form: a concert on 2 March 2027, 18:30–20:00, public.
fn fields(title: &str) -> Vec<(&'static str, String)> {
    [
        ("title", title),
        ("type", "concert"),
        ("start_date", "2027-03-02"),
        ("start_time", "18:30"),
        ("end_date", ""),
        ("end_time", "20:00"),
        ("repeat", ""),
        ("interval", "1"),
        ("ends", "never"),
        ("until", ""),
        ("count", ""),
        ("exdates", ""),
        ("place", ""),
        ("address", "Lavoir de la Fontaine"),
        ("lat", "47,352"),
        ("lon", "-0.812"),
        ("organiser", ""),
        ("parent", ""),
        (
            "description",
            "Venez **nombreux**, <script>alert(1)</script>",
        ),
        ("tags", "musique"),
        ("capacity", ""),
        ("visibility", "public"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn set(fields: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((key, value.to_string())),
    }
}

/// Creates an event through the form; returns its slug.
fn create(c: &Client, fields: &[(&'static str, String)]) -> String {
    let page = c.get("/agenda/new");
    assert_eq!(page.status, 200);
    let r = c.post_form("/agenda/new", &page, fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/e/").to_string()
}

fn json(r: &Resp) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
}

/// The UTC instant of a wall-clock time in Paris.
fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    Paris
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .timestamp()
}

/// A date `days` from today in Paris, as the form takes it.
fn in_days(days: i64) -> String {
    let today = chrono::Utc::now().with_timezone(&Paris).date_naive();
    (today + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Weekly on Tuesdays at 18:30 from 2 March to 30 November 2027 (both clock changes).
fn weekly_class(title: &str) -> Vec<(&'static str, String)> {
    let mut f = fields(title);
    set(&mut f, "type", "sport");
    set(&mut f, "tags", "yoga");
    set(&mut f, "repeat", "weekly");
    set(&mut f, "day_tu", "on");
    set(&mut f, "ends", "until");
    set(&mut f, "until", "2027-11-30");
    set(&mut f, "exdates", "2027-04-06");
    f
}

#[test]
fn a_weekly_class_keeps_18_30_across_both_clock_changes_on_the_month_page_and_in_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let slug = create(&claire, &weekly_class("Yoga du mardi"));
    assert_eq!(slug, "yoga-du-mardi-2027-03-02");

    // March 2027: five Tuesdays, each at 18:30 local (UTC+1, then UTC+2 from the 28th).
    let anon = server.client();
    let march = anon.get("/agenda/month?m=2027-03");
    assert_eq!(march.status, 200);
    for day in [2, 9, 16, 23, 30] {
        let rid = paris(2027, 3, day, 18, 30);
        assert!(
            march.body.contains(&format!("/e/{slug}?o={rid}")),
            "18:30 on {day} March missing from the month page"
        );
    }
    assert_eq!(
        paris(2027, 3, 23, 18, 30) % 86_400,
        17 * 3600 + 1800,
        "winter: 17:30 UTC"
    );
    assert_eq!(
        paris(2027, 3, 30, 18, 30) % 86_400,
        16 * 3600 + 1800,
        "summer: 16:30 UTC"
    );
    assert_eq!(march.body.matches(&format!("/e/{slug}?o=")).count(), 5);
    assert!(march.body.contains("18:30"));
    // The excluded 6 April is not in April; 27 April is.
    let april = anon.get("/agenda/month?m=2027-04");
    assert!(!april
        .body
        .contains(&format!("?o={}", paris(2027, 4, 6, 18, 30))));
    assert!(april
        .body
        .contains(&format!("?o={}", paris(2027, 4, 27, 18, 30))));
    // The week view of the October change.
    let week = anon.get("/agenda/week?w=2027-W44");
    assert!(week
        .body
        .contains(&format!("?o={}", paris(2027, 11, 2, 18, 30))));

    // The API gives every date with its offset: +01:00 in winter, +02:00 in summer.
    let api = json(&anon.get("/api/v1/events?tag=yoga&from=2027-03-01&to=2027-12-31"));
    let starts: Vec<&str> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts.len(), 39, "40 Tuesdays, one excluded: {starts:?}");
    assert!(starts.iter().all(|s| s.contains("T18:30:00+0")));
    assert!(starts.contains(&"2027-03-23T18:30:00+01:00"));
    assert!(starts.contains(&"2027-03-30T18:30:00+02:00"));
    assert!(starts.contains(&"2027-10-26T18:30:00+02:00"));
    assert!(starts.contains(&"2027-11-02T18:30:00+01:00"));

    // The event page: the rule in words, safe Markdown, schema.org JSON-LD.
    let p = anon.get(&format!("/e/{slug}?o={}", paris(2027, 3, 30, 18, 30)));
    assert_eq!(p.status, 200);
    assert!(p
        .body
        .contains("Chaque semaine le mardi, jusqu'au mardi 30 novembre 2027"));
    assert!(p.body.contains("<strong>nombreux</strong>") && !p.body.contains("<script>alert"));
    assert!(p.body.contains("\"@type\":\"Event\""));
    assert!(p
        .body
        .contains("\"startDate\":\"2027-03-30T18:30:00+02:00\""));
    assert!(!p.body.contains("claire@village.test"));
    assert_eq!(anon.get(&format!("/e/{slug}?o=12345")).status, 404);
}

/// Runs Python's `icalendar` (and dateutil, which it depends on) over a feed: every master
/// event with its dates expanded from DTSTART, RRULE and EXDATE, its overrides, and the UTC
/// offsets our VTIMEZONE gives in January and July.
fn parse_with_python(ics: &str) -> serde_json::Value {
    const SCRIPT: &str = r#"
import sys, json, datetime
from icalendar import Calendar
from dateutil.rrule import rrulestr
cal = Calendar.from_ical(sys.stdin.buffer.read())
tz = cal.walk('VTIMEZONE')[0].to_tz()
offsets = {m: tz.utcoffset(datetime.datetime(2027, m, 15, 12, 0)).total_seconds() for m in (1, 7)}
masters, overrides = {}, {}
for ev in cal.walk('VEVENT'):
    uid = str(ev['UID'])
    if ev.get('RECURRENCE-ID') is not None:
        overrides.setdefault(uid, []).append({
            "rid": int(ev.decoded('RECURRENCE-ID').timestamp()), "status": str(ev.get('STATUS'))})
    else:
        masters[uid] = ev
out = []
for uid, ev in masters.items():
    start = ev.decoded('DTSTART')
    dates = [start]
    if ev.get('RRULE') is not None:
        dates = list(rrulestr(ev['RRULE'].to_ical().decode(), dtstart=start))
        ex = ev.get('EXDATE')
        ex = ex if isinstance(ex, list) else ([ex] if ex is not None else [])
        excluded = {d.dt for e in ex for d in e.dts}
        dates = [d for d in dates if d not in excluded]
    timed = isinstance(start, datetime.datetime)
    out.append({
        "uid": uid, "summary": str(ev['SUMMARY']), "status": str(ev.get('STATUS')),
        "location": str(ev.get('LOCATION', '')),
        "utc": [int(d.timestamp()) for d in dates] if timed else [],
        "local": [d.strftime('%Y-%m-%d %H:%M') if timed else d.isoformat() for d in dates],
        "overrides": overrides.get(uid, []),
    })
print(json.dumps({"events": out, "offsets": offsets}))
"#;
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Python's icalendar refused the feed (is it installed? `make test-deps`):\n{}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn feeds_are_read_by_a_real_icalendar_parser_with_the_same_dates_across_dst() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let slug = create(
        &claire,
        &weekly_class("Yoga, étirements; et \"détente\" — pour tous les âges du village"),
    );
    // One date called off: it stays in the series, as a cancelled override.
    let off = paris(2027, 3, 9, 18, 30);
    let page = claire.get(&format!("/e/{slug}"));
    let r = claire.post_form(
        &format!("/e/{slug}/dates/{off}/cancel"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    // An all-day fair in the future, so that the village feed has it.
    let mut fair = fields("Foire aux plants");
    set(&mut fair, "type", "market");
    set(&mut fair, "all_day", "on");
    set(&mut fair, "start_date", &in_days(20));
    set(&mut fair, "end_date", &in_days(21));
    set(&mut fair, "tags", "jardin");
    create(&claire, &fair);

    let anon = server.client();
    let ics = anon.get(&format!("/e/{slug}.ics"));
    assert_eq!(ics.status, 200);
    assert!(ics.header("content-type").starts_with("text/calendar"));
    assert!(ics.body.contains("\r\n") && ics.body.split("\r\n").all(|l| l.len() <= 75));
    let parsed = parse_with_python(&ics.body);
    assert_eq!(
        parsed["offsets"]["1"], 3600.0,
        "our VTIMEZONE: UTC+1 in January"
    );
    assert_eq!(
        parsed["offsets"]["7"], 7200.0,
        "our VTIMEZONE: UTC+2 in July"
    );
    let ev = &parsed["events"][0];
    assert_eq!(
        ev["summary"],
        "Yoga, étirements; et \"détente\" — pour tous les âges du village"
    );
    let local: Vec<&str> = ev["local"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(local.len(), 39);
    assert!(local.iter().all(|l| l.ends_with("18:30")), "{local:?}");
    let utc: Vec<i64> = ev["utc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    for (m, d) in [(3, 23), (3, 30), (10, 26), (11, 2)] {
        assert!(
            utc.contains(&paris(2027, m, d, 18, 30)),
            "{d}/{m} in {local:?}"
        );
    }
    assert!(!utc.contains(&paris(2027, 4, 6, 18, 30)), "EXDATE honoured");
    assert_eq!(
        ev["overrides"],
        serde_json::json!([{"rid": off, "status": "CANCELLED"}])
    );
    // The parser and the server agree on every date.
    let api = json(&anon.get("/api/v1/events?tag=yoga&from=2027-01-01&to=2027-12-31"));
    let mut ours: Vec<i64> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            chrono::DateTime::parse_from_rfc3339(i["start"].as_str().unwrap())
                .unwrap()
                .timestamp()
        })
        .collect();
    ours.sort();
    assert_eq!(ours, utc);
    let cancelled: Vec<&serde_json::Value> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "cancelled")
        .collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["recurrence_id"], off);

    // The village feed, and the tag feed, parse too; the all-day fair is a date.
    let village = anon.get("/agenda.ics");
    let parsed = parse_with_python(&village.body);
    let fair = parsed["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["summary"] == "Foire aux plants")
        .expect("the fair in the village feed");
    assert_eq!(fair["local"][0], in_days(20));
    let tagged = parse_with_python(&anon.get("/agenda.ics?tag=jardin").body);
    assert_eq!(tagged["events"].as_array().unwrap().len(), 1);

    // RSS and JSON Feed of the dates to come.
    let rss = anon.get("/agenda.rss");
    assert!(rss.body.starts_with("<?xml") && rss.body.contains("Foire aux plants"));
    let feed = json(&anon.get("/agenda.json"));
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["title"] == "Foire aux plants"));
}

#[test]
fn cancelling_one_date_or_moving_it_leaves_the_rest_of_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let slug = create(&claire, &weekly_class("Yoga"));
    let (ninth, sixteenth) = (paris(2027, 3, 9, 18, 30), paris(2027, 3, 16, 18, 30));
    let page = claire.get(&format!("/e/{slug}?o={ninth}"));
    assert!(page.body.contains("Annuler cette date"));

    // Someone else may not.
    let yann = server.resident("yann@village.test", "Yann");
    let other = yann.get(&format!("/e/{slug}"));
    assert!(!other.body.contains("Annuler cette date"));
    let r = yann.post_form(
        &format!("/e/{slug}/dates/{ninth}/cancel"),
        &other,
        &[("x", "")],
    );
    assert_eq!(r.status, 403);

    let r = claire.post_form(
        &format!("/e/{slug}/dates/{ninth}/cancel"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/e/{slug}?o={ninth}"));
    let anon = server.client();
    let p = anon.get(&format!("/e/{slug}?o={ninth}"));
    assert!(p.body.contains("Cette date est annulée."));
    assert!(p.body.contains("https://schema.org/EventCancelled"));
    let p = anon.get(&format!("/e/{slug}?o={sixteenth}"));
    assert!(!p.body.contains("Cette date est annulée.") && p.body.contains("EventScheduled"));
    let month = anon.get("/agenda/month?m=2027-03");
    assert_eq!(
        month.body.matches("li class=\"cancelled\"").count(),
        1,
        "one date struck through"
    );
    assert_eq!(
        month.body.matches(&format!("/e/{slug}?o=")).count(),
        5,
        "and still shown"
    );

    // The 16th moves to 19:00 and gets a note; the series is then edited: both stay.
    let form = claire.get(&format!("/e/{slug}/dates/{sixteenth}/edit"));
    assert_eq!(form.status, 200);
    let r = claire.post_form(
        &format!("/e/{slug}/dates/{sixteenth}/edit"),
        &form,
        &[
            ("date", "2027-03-16"),
            ("start_time", "19:00"),
            ("end_time", "20:30"),
            ("title", ""),
            ("note", "Dans la petite salle"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let edit = claire.get(&format!("/e/{slug}/edit"));
    let mut f = weekly_class("Yoga");
    set(&mut f, "description", "Nouveau professeur.");
    assert_eq!(
        claire
            .post_form(&format!("/e/{slug}/edit"), &edit, &f)
            .status,
        303
    );
    let p = anon.get(&format!("/e/{slug}?o={sixteenth}"));
    assert!(
        p.body.contains("19:00–20:30") && p.body.contains("Dans la petite salle"),
        "{}",
        p.body
    );
    let p = anon.get(&format!("/e/{slug}?o={ninth}"));
    assert!(
        p.body.contains("Cette date est annulée."),
        "the cancellation survived the edit"
    );
    let ics = parse_with_python(&anon.get(&format!("/e/{slug}.ics")).body);
    assert_eq!(ics["events"][0]["overrides"].as_array().unwrap().len(), 2);

    // Restored.
    let r = claire.post_form(
        &format!("/e/{slug}/dates/{ninth}/restore"),
        &page,
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert!(!anon
        .get(&format!("/e/{slug}?o={ninth}"))
        .body
        .contains("Cette date est annulée."));
}

/// A resident signed up and logged in from their own address (the per-IP limits of sign-ups
/// and logins apply to each resident, as in real life).
fn resident_from(server: &Server, n: usize) -> Client {
    let c = server.client();
    let ip = format!("10.77.0.{n}");
    let email = format!("voisin{n}@village.test");
    let (csrf, name) = (c.get("/signup").csrf(), format!("Voisin {n}"));
    let r: Resp = c
        .agent
        .post(&format!("{}/signup", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("name", name.as_str()),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
        ])
        .into();
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = server.outbox_for(&email).pop().expect("confirmation mail");
    let link = link_containing(&mail, "/confirm/");
    assert_eq!(c.get(&link[link.find("/confirm/").unwrap()..]).status, 303);
    let csrf = c.get("/login").csrf();
    let r: Resp = c
        .agent
        .post(&format!("{}/login", c.base))
        .set("X-Forwarded-For", &ip)
        .send_form(&[
            ("_csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", "mot de passe du village"),
            ("next", "/account"),
        ])
        .into();
    assert_eq!(r.status, 303, "{}", r.body);
    c
}

#[test]
fn twenty_residents_answer_at_once_and_exactly_the_capacity_goes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let host = server.resident("atelier@village.test", "Atelier");
    let mut f = fields("Atelier pain au levain");
    set(&mut f, "type", "workshop");
    set(&mut f, "start_date", &in_days(5));
    set(&mut f, "start_time", "10:00");
    set(&mut f, "end_time", "12:00");
    set(&mut f, "capacity", "5");
    let slug = create(&host, &f);
    let rid = json(&host.get(&format!("/api/v1/events/{slug}")))["dates"][0]["recurrence_id"]
        .as_i64()
        .unwrap()
        .to_string();

    let residents: Vec<Client> = (1..=20).map(|n| resident_from(&server, n)).collect();
    let barrier = Arc::new(Barrier::new(residents.len()));
    let threads: Vec<_> = residents
        .into_iter()
        .map(|c| {
            let (barrier, slug, rid) = (barrier.clone(), slug.clone(), rid.clone());
            std::thread::spawn(move || {
                let page = c.get(&format!("/e/{slug}"));
                barrier.wait();
                c.post_form(
                    &format!("/e/{slug}/rsvp"),
                    &page,
                    &[("o", rid.as_str()), ("answer", "going")],
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    let p = server.client().get(&format!("/e/{slug}"));
    assert!(
        p.body.contains("5 inscrit·e(s)") && p.body.contains("Complet"),
        "{}",
        p.body
    );
    assert!(p.body.contains("\"remainingAttendeeCapacity\":0"));

    // A late resident may still say they are interested, and gets the place someone frees.
    let late = resident_from(&server, 21);
    let page = late.get(&format!("/e/{slug}"));
    let r = late.post_form(
        &format!("/e/{slug}/rsvp"),
        &page,
        &[("o", rid.as_str()), ("answer", "going")],
    );
    assert_eq!(r.status, 409);
    assert!(r.body.contains("toutes les places viennent d'être prises"));
    let r = late.post_form(
        &format!("/e/{slug}/rsvp"),
        &page,
        &[("o", rid.as_str()), ("answer", "interested")],
    );
    assert_eq!(r.status, 303);
    assert!(server
        .client()
        .get(&format!("/e/{slug}"))
        .body
        .contains("1 intéressé·e(s)"));
}

/// Polls a search until `found` says the results are as expected (the indexer runs beside).
fn search_until(c: &Client, q: &str, found: impl Fn(&str) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if found(&c.get(&format!("/search?q={q}")).body) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_members_only_event_is_invisible_to_everyone_else_in_pages_lists_search_and_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let jeanne = server.resident("jeanne@village.test", "Jeanne");
    let page = jeanne.get("/directory/new");
    let club = [
        ("kind", "organisation"),
        ("type", "association"),
        ("name", "Club des aînés"),
        ("summary", ""),
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
    ];
    assert_eq!(jeanne.post_form("/directory/new", &page, &club).status, 303);

    let mut secret = fields("Assemblée zorglubienne");
    set(&mut secret, "type", "meeting");
    set(&mut secret, "start_date", &in_days(10));
    set(&mut secret, "tags", "club");
    set(&mut secret, "visibility", "members");
    set(&mut secret, "organiser", "club-des-aines");
    let hidden = create(&jeanne, &secret);
    let mut open = fields("Thé dansant bramaplouf");
    set(&mut open, "start_date", &in_days(11));
    set(&mut open, "tags", "club");
    set(&mut open, "organiser", "club-des-aines");
    let shown = create(&jeanne, &open);

    let anon = server.client();
    let neighbour = server.resident("paul@village.test", "Paul");
    for (who, c) in [
        ("a visitor", &anon),
        ("a resident who is not a member", &neighbour),
    ] {
        assert_eq!(c.get(&format!("/e/{hidden}")).status, 404, "{who}: page");
        assert_eq!(
            c.get(&format!("/e/{hidden}.ics")).status,
            404,
            "{who}: .ics"
        );
        assert_eq!(
            c.get(&format!("/api/v1/events/{hidden}")).status,
            404,
            "{who}: API"
        );
        for list in [
            "/agenda?tag=club",
            "/agenda/month",
            "/agenda/week",
            "/api/v1/events",
            "/",
        ] {
            let body = c.get(list).body;
            assert!(!body.contains("zorglubienne"), "{who}: {list}");
        }
        let m = in_days(10);
        assert!(!c
            .get(&format!("/agenda/month?m={}", &m[..7]))
            .body
            .contains("zorglubienne"));
        assert!(
            c.get("/agenda?tag=club").body.contains("bramaplouf"),
            "{who} sees the public one"
        );
    }
    // The members (and the site's admins) see it, marked members-only.
    let p = jeanne.get(&format!("/e/{hidden}"));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("Réservé aux membres"));
    assert!(jeanne.get("/agenda?tag=club").body.contains("zorglubienne"));
    assert!(
        jeanne.get("/my").body.contains("zorglubienne"),
        "my village lists it for its member"
    );
    assert_eq!(admin.get(&format!("/e/{hidden}")).status, 200);
    // Feeds are public whoever asks: never there.
    for feed in [
        "/agenda.ics",
        "/agenda.rss",
        "/agenda.json",
        "/a/club-des-aines/agenda.ics",
        "/agenda.ics?tag=club",
    ] {
        let body = jeanne.get(feed).body;
        assert!(!body.contains("zorglubienne"), "{feed}");
        assert!(body.contains("bramaplouf"), "{feed} has the public one");
    }
    // Search finds the public one, never the other.
    assert!(search_until(&anon, "bramaplouf", |b| b.contains(&format!("/e/{shown}"))));
    assert!(search_until(&anon, "zorglubienne", |b| !b
        .contains(&format!("/e/{hidden}"))));
    assert!(!jeanne
        .get("/search?q=zorglubienne")
        .body
        .contains(&format!("/e/{hidden}")));
    // A members-only event needs an organising page.
    let mut orphan = fields("Réunion sans page");
    set(&mut orphan, "visibility", "members");
    let page = jeanne.get("/agenda/new");
    let r = jeanne.post_form("/agenda/new", &page, &orphan);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("a besoin d'une page organisatrice"));
    // Nobody organises in the name of a page they do not belong to.
    let mut usurped = fields("Faux thé dansant");
    set(&mut usurped, "organiser", "club-des-aines");
    let page = neighbour.get("/agenda/new");
    let r = neighbour.post_form("/agenda/new", &page, &usurped);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("au nom des pages dont vous êtes membre"));
    // Their data download has their events.
    let export = json(&jeanne.get("/account/export"));
    let titles: Vec<&str> = export["agenda"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Assemblée zorglubienne") && titles.contains(&"Thé dansant bramaplouf")
    );
}

#[test]
fn form_errors_come_back_with_what_was_typed_and_messages_in_the_readers_language() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let page = claire.get("/agenda/new");
    let mut f = fields("Concert au lavoir");
    set(&mut f, "type", "rave");
    set(&mut f, "start_date", "le 2 mars");
    set(&mut f, "repeat", "weekly");
    set(&mut f, "day_we", "on");
    set(&mut f, "ends", "count");
    set(&mut f, "count", "9999");
    set(&mut f, "capacity", "beaucoup");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422);
    for message in [
        "Choisissez un type d'événement dans la liste.",
        "Date illisible",
        "Le nombre de places est un nombre entier positif.",
    ] {
        assert!(r.body.contains(message), "{message}");
    }
    assert!(
        r.body.contains("value=\"Concert au lavoir\"") && r.body.contains("value=\"le 2 mars\"")
    );
    assert!(r.body.contains("value=\"beaucoup\"") && r.body.contains("Lavoir de la Fontaine"));
    // The date is fixed; the start is a Tuesday but Wednesday is ticked; the end is before it.
    set(&mut f, "type", "concert");
    set(&mut f, "start_date", "02/03/2027");
    set(&mut f, "end_date", "2027-03-01");
    set(&mut f, "capacity", "");
    set(&mut f, "count", "4");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("La première date doit tomber un des jours cochés."));
    assert!(r.body.contains("La fin est avant le début."));
    assert!(r.body.contains("name=\"day_we\" checked"));
    // In English for an English reader.
    let en = server.client();
    let page = en.get_with("/agenda/new", &[("Accept-Language", "en")]);
    let r: Resp = en
        .agent
        .post(&format!("{}/agenda/new", en.base))
        .set("Accept-Language", "en")
        .send_form(&[
            ("_csrf", page.csrf().as_str()),
            ("title", ""),
            ("type", "concert"),
            ("start_date", "2027-03-02"),
            ("start_time", "18:30"),
            ("visibility", "public"),
        ])
        .into();
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Give a title") && r.body.contains("So that the moderator can answer you")
    );
}

#[test]
fn a_visitor_without_an_account_submits_an_event_that_a_moderator_approves() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let anon = server.client();
    let page = anon.get("/agenda/new");
    assert!(page.body.contains("relue par un modérateur"));
    let mut f = fields("Vide-grenier des Tilleuls");
    set(&mut f, "start_date", &in_days(15));
    set(&mut f, "submitter_name", "Martine");
    set(&mut f, "submitter_email", "martine@exemple.test");
    let r = anon.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/agenda");
    assert!(
        !anon.get("/agenda").body.contains("Vide-grenier"),
        "not before approval"
    );
    let mail = server
        .outbox_for(ADMIN_EMAIL)
        .pop()
        .expect("the admins are told");
    assert!(mail.contains("Vide-grenier des Tilleuls") && mail.contains("/admin/agenda"));

    let resident = server.resident("paul@village.test", "Paul");
    assert_eq!(resident.get("/admin/agenda").status, 403);
    let queue = admin.get("/admin/agenda");
    assert!(
        queue.body.contains("Vide-grenier des Tilleuls")
            && queue.body.contains("martine@exemple.test")
    );
    let start = queue.body.find("/admin/agenda/").unwrap() + "/admin/agenda/".len();
    let id: String = queue.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let r = resident.post_form(
        &format!("/admin/agenda/{id}/approve"),
        &resident.get("/"),
        &[("x", "")],
    );
    assert_eq!(r.status, 403);
    let r = admin.post_form(&format!("/admin/agenda/{id}/approve"), &queue, &[("x", "")]);
    assert_eq!(r.status, 303);
    let list = anon.get("/agenda");
    assert!(list.body.contains("Vide-grenier des Tilleuls"));
    assert!(
        !list.body.contains("martine@exemple.test"),
        "the submitter's address is never public"
    );
    assert!(admin
        .get("/admin/agenda")
        .body
        .contains("Aucune proposition en attente."));
}

#[test]
fn a_festival_lists_its_concerts_and_a_cancelled_one_stays_visible_as_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    let mut fest = fields("Fête de la Loire");
    set(&mut fest, "type", "festival");
    set(&mut fest, "all_day", "on");
    set(&mut fest, "start_date", &in_days(30));
    set(&mut fest, "end_date", &in_days(32));
    let festival = create(&claire, &fest);
    let mut concert = fields("Fanfare du dimanche");
    set(&mut concert, "start_date", &in_days(32));
    set(&mut concert, "parent", &format!("/e/{festival}"));
    let page = claire.get(&format!("/agenda/new?parent={festival}"));
    assert!(page.body.contains(&format!("value=\"{festival}\"")));
    let slug = create(&claire, &concert);
    // Someone else cannot hang their event under Claire's festival.
    let paul = server.resident("paul@village.test", "Paul");
    let r = paul.post_form("/agenda/new", &paul.get("/agenda/new"), &concert);
    assert_eq!(r.status, 422);

    let p = claire.get(&format!("/e/{slug}"));
    let r = claire.post_form(&format!("/e/{slug}/cancel"), &p, &[("x", "")]);
    assert_eq!(r.status, 303);
    let anon = server.client();
    let f = anon.get(&format!("/e/{festival}"));
    assert!(
        f.body.contains("Au programme")
            && f.body.contains("Fanfare du dimanche")
            && f.body.contains("Annulé")
    );
    let c = anon.get(&format!("/e/{slug}"));
    assert!(c.body.contains("Cet événement est annulé.") && c.body.contains("EventCancelled"));
    assert!(c.body.contains("Fait partie de") && c.body.contains("\"superEvent\""));
    assert!(anon
        .get(&format!("/e/{slug}.ics"))
        .body
        .contains("STATUS:CANCELLED"));
    assert!(
        !anon.get(&format!("/e/{slug}")).body.contains("J'y vais"),
        "no answer to a cancelled event"
    );
    // The festival spans three days in the week view and on the printed month.
    let day = NaiveDate::parse_from_str(&in_days(31), "%Y-%m-%d").unwrap();
    let w = format!("{}-W{:02}", day.iso_week().year(), day.iso_week().week());
    let print = anon.get(&format!("/agenda/print?w={w}"));
    assert!(print.body.contains("print-sheet") && print.body.contains("Fête de la Loire"));
    // Deleted by its author: gone, the concert stays on its own.
    let r = claire.post_form(&format!("/e/{festival}/delete"), &f, &[("x", "")]);
    assert_eq!(r.status, 403, "the visitor's page has no token of Claire's");
    let r = claire.post_form(
        &format!("/e/{festival}/delete"),
        &claire.get(&format!("/e/{festival}")),
        &[("x", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(anon.get(&format!("/e/{festival}")).status, 404);
    assert_eq!(anon.get(&format!("/e/{slug}")).status, 200);
}

#[test]
fn events_are_on_the_map_with_their_date_and_the_agenda_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let mut f = fields("Concert au lavoir");
    let date = in_days(12);
    set(&mut f, "start_date", &date);
    let slug = create(&admin, &f);
    let anon = server.client();
    let map = anon.get("/map.geojson?bbox=-1,47,0,48&zoom=18");
    assert!(map.body.contains(&format!("/e/{slug}")), "{}", map.body);
    assert!(map
        .body
        .contains(&format!("Concert au lavoir · {date} 18:30")));
    assert!(anon.get("/").body.contains("Cette semaine"));
    let doc = json(&anon.get("/api/v1/openapi.json"));
    assert!(
        doc["paths"]["/events"]["get"].is_object()
            && doc["components"]["schemas"]["EventDate"].is_object()
    );

    let page = admin.get("/admin");
    let fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .chain([
            ("modules", "directory".to_string()),
            ("modules", "map".to_string()),
            ("public_url", server.url.clone()),
        ])
        .collect();
    assert_eq!(admin.post_form("/admin", &page, &fields).status, 303);
    for path in [
        "/agenda",
        "/agenda/month",
        "/agenda.ics",
        &format!("/e/{slug}"),
        "/api/v1/events",
        "/admin/agenda",
    ] {
        assert_eq!(anon.get(path).status, 404, "{path}");
    }
    assert!(!anon
        .get("/map.geojson?bbox=-1,47,0,48&zoom=18")
        .body
        .contains("/e/"));
    assert!(!anon.get("/").body.contains("Cette semaine"));
}

#[test]
fn every_agenda_post_needs_the_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = create(&admin, &fields("Concert"));
    admin.get(&format!("/e/{slug}")); // shows (and clears) the "saved" message
    let before = admin.get(&format!("/e/{slug}")).body;
    for path in [
        "/agenda/new".to_string(),
        format!("/e/{slug}/edit"),
        format!("/e/{slug}/delete"),
        format!("/e/{slug}/cancel"),
        format!("/e/{slug}/restore"),
        format!("/e/{slug}/image"),
        format!("/e/{slug}/rsvp"),
        format!("/e/{slug}/dates/1/cancel"),
        format!("/e/{slug}/dates/1/restore"),
        format!("/e/{slug}/dates/1/edit"),
        "/admin/agenda/1/approve".to_string(),
        "/admin/agenda/1/reject".to_string(),
    ] {
        let r = admin.post_raw(&path, &[("title", "Piraté"), ("answer", "going")]);
        assert_eq!(r.status, 403, "{path} accepted a POST without CSRF token");
    }
    assert_eq!(
        admin.get(&format!("/e/{slug}")).body,
        before,
        "nothing changed"
    );
    // Odd query strings and paths are refused or ignored, never a 500.
    for path in [
        "/agenda?after=x:y&km=-4&lat=NaN&from=31/02/2027",
        "/agenda/month?m=99999-99",
        "/agenda/week?w=2027-W99",
        "/agenda/print?m=abc&w=",
        "/api/v1/events?from=2027-13-45&after=1",
        "/e/nope",
        "/e/nope.ics",
        &format!("/e/{slug}?o=abc"),
        &format!("/e/{slug}/dates/abc/edit"),
        "/a/nope/agenda.ics",
    ] {
        let s = admin.get(path).status;
        assert!(s < 500, "{path} gave {s}");
    }
}
