//! Tests of materialising: edits that keep dates, the clock changes, imported overrides.
use super::super::tests::{event_row, fixture};
use super::*;
use crate::agenda::store::{insert_event, rsvps, update_event};
use crate::agenda::{Rsvp, Status};

fn dates(c: &Connection, id: i64) -> Vec<(String, bool)> {
    let mut st = c
        .prepare(
            "SELECT start_utc, cancelled FROM occurrences WHERE event_id = ?1 ORDER BY start_utc",
        )
        .unwrap();
    st.query_map([id], |r| {
        let t: i64 = r.get(0)?;
        let local = utc_to_local(chrono_tz::Europe::Paris, t);
        Ok((local.format("%Y-%m-%d %H:%M").to_string(), r.get(1)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_series_keeps_its_cancelled_dates_and_rsvps_when_edited() {
    let (db, user) = fixture();
    let c = db.conn().unwrap();
    let mut row = event_row("2027-03-02 18:30", "2027-03-02 20:00");
    row.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=6".into();
    let id = insert_event(
        &c,
        &row,
        "yoga",
        "uid-1",
        Status::Scheduled,
        Some(user),
        ("", ""),
        1,
    )
    .unwrap();
    materialise(&c, id, i64::MAX).unwrap();
    let d = dates(&c, id);
    assert_eq!(d.len(), 6);
    assert_eq!(
        d[4].0, "2027-03-30 18:30",
        "after the clock change, still 18:30"
    );
    // Cancel 9 March, RSVP on 16 March.
    let ninth = by_recurrence_id(
        &c,
        id,
        local_to_utc(
            chrono_tz::Europe::Paris,
            row.start + chrono::Duration::days(7),
        ),
    )
    .unwrap()
    .unwrap();
    set_cancelled(&c, ninth.id, true).unwrap();
    let sixteenth = by_recurrence_id(
        &c,
        id,
        local_to_utc(
            chrono_tz::Europe::Paris,
            row.start + chrono::Duration::days(14),
        ),
    )
    .unwrap()
    .unwrap();
    rsvps::set(&c, sixteenth.id, user, Some(Rsvp::Going), None, 1).unwrap();

    // The class moves to 19:00 and one more week: the same days keep their rows.
    row.start += chrono::Duration::minutes(30);
    row.end += chrono::Duration::minutes(30);
    row.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=7".into();
    update_event(&c, id, &row, Some(user), 2).unwrap();
    materialise(&c, id, i64::MAX).unwrap();
    let d = dates(&c, id);
    assert_eq!(d.len(), 7);
    assert_eq!(
        d[1],
        ("2027-03-09 19:00".to_string(), true),
        "still cancelled"
    );
    assert!(d.iter().all(|(t, _)| t.ends_with("19:00")));
    assert_eq!(
        rsvps::counts(&c, sixteenth.id).unwrap().going,
        1,
        "the RSVP stayed"
    );

    // An excluded date leaves the series; the horizon bounds an endless one.
    row.rrule = "FREQ=WEEKLY;BYDAY=TU".into();
    let exdates = [NaiveDate::from_ymd_opt(2027, 3, 16).unwrap()];
    row.exdates = &exdates;
    update_event(&c, id, &row, Some(user), 3).unwrap();
    let horizon = local_to_utc(
        chrono_tz::Europe::Paris,
        row.start + chrono::Duration::days(70),
    );
    materialise(&c, id, horizon).unwrap();
    let d = dates(&c, id);
    assert_eq!(
        d.len(),
        10,
        "11 Tuesdays to the horizon, one excluded: {d:?}"
    );
    assert!(!d.iter().any(|(t, _)| t.starts_with("2027-03-16")));
    assert_eq!(to_extend(&c, horizon + 1, 10).unwrap(), vec![id]);
    assert!(to_extend(&c, horizon, 10).unwrap().is_empty());
}

fn times(c: &Connection, id: i64) -> Vec<(String, String, bool, Option<String>)> {
    let mut st = c
        .prepare("SELECT start_utc, end_utc, cancelled, title FROM occurrences WHERE event_id = ?1 ORDER BY start_utc")
        .unwrap();
    let fmt = |t: i64| {
        utc_to_local(chrono_tz::Europe::Paris, t)
            .format("%m-%d %H:%M")
            .to_string()
    };
    st.query_map([id], |r| {
        Ok((fmt(r.get(0)?), fmt(r.get(1)?), r.get(2)?, r.get(3)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn a_date_in_the_spring_gap_keeps_its_exact_duration() {
    let (db, user) = fixture();
    let c = db.conn().unwrap();
    let mut row = event_row("2027-03-27 02:30", "2027-03-27 03:00");
    row.rrule = "FREQ=DAILY;COUNT=3".into();
    let id = insert_event(
        &c,
        &row,
        "nuit",
        "uid-n",
        Status::Scheduled,
        Some(user),
        ("", ""),
        1,
    )
    .unwrap();
    materialise(&c, id, i64::MAX).unwrap();
    let t = times(&c, id);
    // 28 March: 02:30 does not exist; RFC 5545 reads it as 03:30 and keeps 30 minutes.
    assert_eq!(
        (t[1].0.as_str(), t[1].1.as_str()),
        ("03-28 03:30", "03-28 04:00")
    );
    assert_eq!(
        (t[2].0.as_str(), t[2].1.as_str()),
        ("03-29 02:30", "03-29 03:00")
    );
}

#[test]
fn imported_overrides_move_retitle_and_cancel_single_dates_and_go_when_withdrawn() {
    let (db, user) = fixture();
    let c = db.conn().unwrap();
    let mut row = event_row("2027-01-30 14:00", "2027-01-30 17:00");
    row.rrule = "FREQ=MONTHLY;BYDAY=-1SA;COUNT=4".into();
    let id = insert_event(
        &c,
        &row,
        "cafe",
        "uid-c",
        Status::Scheduled,
        Some(user),
        ("", ""),
        1,
    )
    .unwrap();
    let paris = chrono_tz::Europe::Paris;
    let at = |s: &str| {
        local_to_utc(
            paris,
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
        )
    };
    let moved = Override {
        recurrence_id: at("2027-02-27 14:00"),
        start_utc: at("2027-02-20 10:00"),
        end_utc: at("2027-02-20 12:00"),
        cancelled: false,
        title: Some("Spécial".into()),
    };
    let off = Override {
        recurrence_id: at("2027-03-27 14:00"),
        start_utc: at("2027-03-27 14:00"),
        end_utc: at("2027-03-27 17:00"),
        cancelled: true,
        title: None,
    };
    set_overrides(&c, id, &[moved, off.clone()]).unwrap();
    materialise(&c, id, i64::MAX).unwrap();
    let t = times(&c, id);
    assert_eq!(t.len(), 4);
    assert_eq!(
        t[1],
        (
            "02-20 10:00".into(),
            "02-20 12:00".into(),
            false,
            Some("Spécial".into())
        )
    );
    assert_eq!(
        t[2],
        ("03-27 14:00".into(), "03-27 17:00".into(), true, None)
    );
    // The next run no longer moves February: it follows the series again.
    set_overrides(&c, id, &[off]).unwrap();
    materialise(&c, id, i64::MAX).unwrap();
    let t = times(&c, id);
    assert_eq!(
        t[1],
        ("02-27 14:00".into(), "02-27 17:00".into(), false, None)
    );
    assert!(t[2].2);
}
