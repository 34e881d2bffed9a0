//! The agenda as residents use it: a weekly class through the form and its dates on the month
//! page across both clock changes, one date cancelled or moved alone (here); feeds read by a
//! real iCalendar parser (`feeds.rs`); RSVPs under concurrent requests, members-only events,
//! submissions without an account (`people.rs`); form errors, sub-events, the map, the module
//! switch, CSRF on every agenda POST (`pages.rs`).

mod corpus;
mod feeds;
mod pages;
mod people;
mod speed;

use chrono::TimeZone;
use chrono_tz::Europe::Paris;

use crate::support::*;

/// The fields of the event form: a concert on 2 March 2027, 18:30–20:00, public.
pub fn fields(title: &str) -> Vec<(&'static str, String)> {
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

pub fn set(fields: &mut Vec<(&'static str, String)>, key: &'static str, value: &str) {
    match fields.iter_mut().find(|(k, _)| *k == key) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((key, value.to_string())),
    }
}

/// Creates an event through the form; returns its slug.
pub fn create(c: &Client, fields: &[(&'static str, String)]) -> String {
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
    let url = format!("\"url\":\"{}/e/{slug}\"", server.url);
    assert!(p.body.contains(&url), "absolute {url} in the JSON-LD");
    assert!(p
        .body
        .contains("\"startDate\":\"2027-03-30T18:30:00+02:00\""));
    assert!(!p.body.contains("claire@village.test"));
    assert_eq!(anon.get(&format!("/e/{slug}?o=12345")).status, 404);
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
    let ics = feeds::parse_with_python(&anon.get(&format!("/e/{slug}.ics")).body);
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

#[test]
fn a_rule_beyond_the_plain_fields_is_typed_as_text_checked_kept_and_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let claire = server.resident("claire@village.test", "Claire");
    // The village fête: the last Saturday of June, three years.
    let mut f = fields("Fête du village");
    set(&mut f, "start_date", "2027-06-26");
    set(&mut f, "start_time", "14:00");
    set(&mut f, "end_time", "23:00");
    set(&mut f, "repeat", "custom");
    set(
        &mut f,
        "rrule",
        "FREQ=YEARLY;BYMONTH=6;BYDAY=SA;BYSETPOS=-1;CONUT=3",
    );
    // A typo: a 422 with the message in French and the rule as typed.
    let page = claire.get("/agenda/new");
    let r = claire.post_form("/agenda/new", &page, &f);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("pas une règle iCalendar lisible"),
        "{}",
        r.body
    );
    assert!(r.body.contains("CONUT=3"));
    set(
        &mut f,
        "rrule",
        "FREQ=YEARLY;BYMONTH=6;BYDAY=SA;BYSETPOS=-1;COUNT=3",
    );
    let slug = create(&claire, &f);
    let api = json(&server.client().get(&format!(
        "/api/v1/events/{slug}?from=2027-01-01&to=2030-01-01"
    )));
    let starts: Vec<&str> = api["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2027-06-26T14:00:00+02:00",
            "2028-06-24T14:00:00+02:00",
            "2029-06-30T14:00:00+02:00"
        ]
    );
    assert_eq!(
        api["rrule"],
        "FREQ=YEARLY;BYMONTH=6;BYDAY=SA;BYSETPOS=-1;COUNT=3"
    );
    // The page says the rule; the edit form shows it as text; the feed carries it as written.
    let page = server.client().get(&format!("/e/{slug}"));
    assert!(
        page.body.contains("Selon la règle de son calendrier"),
        "{}",
        page.body
    );
    let edit = claire.get(&format!("/e/{slug}/edit"));
    assert!(edit
        .body
        .contains("value=\"FREQ=YEARLY;BYMONTH=6;BYDAY=SA;BYSETPOS=-1;COUNT=3\""));
    let ics = server.client().get(&format!("/e/{slug}.ics"));
    assert!(ics
        .body
        .contains("RRULE:FREQ=YEARLY;BYMONTH=6;BYDAY=SA;BYSETPOS=-1;COUNT=3"));
}
