//! Tests of the VEVENT reader on the fixtures and on the shapes real exports take.

use super::super::parse::parse;
use super::*;

const PARIS: Tz = chrono_tz::Europe::Paris;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn utc(s: &str) -> i64 {
    at(s).and_utc().timestamp()
}

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
}

#[test]
fn reads_a_mobilizon_feed() {
    let feed = parse(
        include_str!("../../../tests/data/mobilizon-chorale.ics"),
        PARIS,
    )
    .unwrap();
    // The private event is refused and said so; the alarm's DESCRIPTION does not leak.
    assert_eq!(feed.events.len(), 3);
    assert_eq!(feed.refused.len(), 1);
    assert_eq!(feed.refused[0].reasons[0].code, "private");
    let concert = &feed.events[0];
    assert_eq!(concert.title, "Concert de Noël de la chorale");
    assert_eq!(concert.start, at("2026-12-18 20:30"));
    assert_eq!(concert.end, at("2026-12-18 22:30"));
    assert_eq!(concert.tz, PARIS);
    assert!(concert.description.starts_with(
        "Chants de Noël du monde entier, suivis d'un vin chaud.\nEntrée libre; participation au chapeau."
    ));
    assert!(concert
        .description
        .ends_with("https://mobilizon.fr/events/6b1c2f7e-4c1e-4b4e-9f0a-2d3c4b5a6e7f"));
    assert_eq!(
        concert.address,
        "Église Saint-Pierre, Place de l'Église, 49000 Le Bourg"
    );
    assert_eq!(concert.point, Some((47.3512, -0.8143)));
    assert_eq!(
        concert.tags,
        vec!["chant".to_string(), "musique".to_string()]
    );
    assert!(concert.notes.is_empty());
    let weekly = &feed.events[1];
    assert_eq!(weekly.end, at("2026-12-01 22:00"));
    assert!(weekly.rrule.starts_with("FREQ=WEEKLY"));
    // EXDATE with a time: that one start is excluded.
    assert_eq!(weekly.exdate_times, vec![at("2026-12-29 20:00")]);
    let ag = &feed.events[2];
    assert!(ag.all_day);
    assert_eq!(
        (ag.start, ag.end),
        (at("2027-01-16 00:00"), at("2027-01-17 00:00"))
    );
}

#[test]
fn reads_a_gancio_feed_with_utc_times_and_tab_folding() {
    let feed = parse(include_str!("../../../tests/data/gancio-bourg.ics"), PARIS).unwrap();
    assert_eq!(feed.events.len(), 4);
    let market = &feed.events[0];
    // 08:00Z is 09:00 in Paris in December.
    assert_eq!(market.start, at("2026-12-05 09:00"));
    assert!(market.description.contains("vos paniers !"));
    let fete = &feed.events[1];
    assert!(fete.all_day && fete.end == at("2026-12-13 00:00"));
    assert!(feed.events[3].cancelled && !market.cancelled);
}

#[test]
fn a_google_series_with_a_moved_and_a_cancelled_date() {
    // The repair café, last Saturday of the month; September's moved a week earlier and
    // retitled, October's cancelled (as Google and Thunderbird export them).
    let text = cal(
        "BEGIN:VEVENT\r\nUID:cafe@google.com\r\nSUMMARY:Repair café\r\n\
        DTSTART;TZID=Europe/Paris:20270130T140000\r\nDTEND;TZID=Europe/Paris:20270130T170000\r\n\
        RRULE:FREQ=MONTHLY;BYDAY=-1SA;WKST=SU\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:cafe@google.com\r\nRECURRENCE-ID;TZID=Europe/Paris:20270925T140000\r\n\
        SUMMARY:Repair café (spécial rentrée)\r\nDTSTART;TZID=Europe/Paris:20270918T100000\r\n\
        DTEND;TZID=Europe/Paris:20270918T120000\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:cafe@google.com\r\nRECURRENCE-ID:20271030T130000Z\r\n\
        SUMMARY:Repair café\r\nSTATUS:CANCELLED\r\nDTSTART;TZID=Europe/Paris:20271030T140000\r\n\
        DTEND;TZID=Europe/Paris:20271030T170000\r\nEND:VEVENT\r\n",
    );
    let feed = parse(&text, PARIS).unwrap();
    assert_eq!(feed.events.len(), 1, "one series with its changed dates");
    let ev = &feed.events[0];
    assert!(ev.notes.is_empty(), "{:?}", ev.notes);
    assert_eq!(ev.rrule, "FREQ=MONTHLY;BYDAY=-1SA;WKST=SU");
    assert_eq!(ev.overrides.len(), 2);
    let sept = &ev.overrides[0];
    assert_eq!(sept.recurrence, at("2027-09-25 14:00"));
    assert_eq!(sept.start_utc, utc("2027-09-18 08:00"));
    assert_eq!(sept.title.as_deref(), Some("Repair café (spécial rentrée)"));
    let oct = &ev.overrides[1];
    assert_eq!(
        oct.recurrence,
        at("2027-10-30 15:00"),
        "13:00Z is 15:00 in summer time"
    );
    assert!(oct.cancelled && oct.title.is_none());
}

#[test]
fn added_and_excluded_dates_with_times_and_a_windows_zone() {
    let text = cal("BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Yoga\r\n\
        DTSTART;TZID=Romance Standard Time:20270302T183000\r\nDURATION:PT1H30M\r\n\
        RRULE:FREQ=WEEKLY;UNTIL=20270330T170000Z;BYDAY=TU;WKST=SU\r\n\
        EXDATE;TZID=Romance Standard Time:20270309T183000\r\n\
        RDATE;TZID=Romance Standard Time:20270311T183000,20270312T183000\r\nEND:VEVENT\r\n");
    let feed = parse(&text, chrono_tz::UTC).unwrap();
    let ev = &feed.events[0];
    assert_eq!(ev.tz, PARIS);
    assert_eq!(
        ev.notes,
        vec![Reason::new("zone", "Romance Standard Time → Europe/Paris")]
    );
    assert_eq!(ev.end, at("2027-03-02 20:00"));
    assert_eq!(ev.exdate_times, vec![at("2027-03-09 18:30")]);
    assert_eq!(
        ev.rdates,
        vec![at("2027-03-11 18:30"), at("2027-03-12 18:30")]
    );
}

#[test]
fn absurd_and_unknowable_events_are_refused_with_their_reason_never_a_panic() {
    let text = cal("BEGIN:VEVENT\r\nUID:long\r\nDTSTART:20270101T100000Z\r\n\
        DURATION:P999999999999999999W\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:year\r\nDTSTART:99990101T100000\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:zone\r\nDTSTART;TZID=Mars/Olympus:20270101T100000\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:bad\r\nDTSTART:2027-01-01\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:nostart\r\nSUMMARY:?\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nSUMMARY:Sans UID\r\nDTSTART:20270101T100000\r\nEND:VEVENT\r\n");
    let feed = parse(&text, PARIS).unwrap();
    let codes: Vec<(&str, &str)> = feed
        .refused
        .iter()
        .map(|e| (e.uid.as_str(), e.reasons[0].code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("long", "too_long"),
            ("year", "year"),
            ("zone", "zone_unknown"),
            ("bad", "bad_date"),
            ("nostart", "no_start")
        ]
    );
    assert_eq!(feed.events.len(), 1);
    assert!(feed.events[0].uid.starts_with("no-uid-"));
    assert_eq!(feed.events[0].notes[0].code, "no_uid");
}

#[test]
fn a_rule_the_library_refuses_keeps_the_first_date_and_says_so() {
    let text = cal("BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20270101T100000\r\n\
        RRULE:FREQ=FORTNIGHTLY\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:y\r\nDTSTART:20270614T100000\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n");
    let feed = parse(&text, PARIS).unwrap();
    assert_eq!(feed.events[0].rrule, "");
    assert_eq!(feed.events[0].notes[0].code, "rule_refused");
    assert_eq!(feed.events[1].rrule, "FREQ=YEARLY");
    assert!(feed.events[1].notes.is_empty());
}
