//! The agenda's events in iCalendar, with the shared writer (`crate::ical`): RRULE (as written
//! or imported), RDATE and EXDATE for series, and one overriding VEVENT (RECURRENCE-ID) per date cancelled or changed alone.

use chrono::Datelike;
use chrono_tz::Tz;

use super::{Event, Occurrence, Status};
pub use crate::ical::CONTENT_TYPE;
use crate::ical::{escape, utc_stamp, vtimezone, when, Writer};
use crate::time::utc_to_local;

/// What a VEVENT needs besides the event: the site's address for links and the description's
/// organiser line.
pub struct Context<'a> {
    pub base_url: &'a str,
    pub organised_by: &'a dyn Fn(&str) -> String,
}

fn common(w: &mut Writer, ev: &Event, cx: &Context, description: &str) {
    let url = format!("{}/e/{}", cx.base_url, ev.slug);
    let mut text = String::new();
    if let Some(org) = ev.organiser_name() {
        text.push_str(&(cx.organised_by)(org));
        text.push_str("\n\n");
    }
    if !description.is_empty() {
        text.push_str(description);
        text.push_str("\n\n");
    }
    text.push_str(&url);
    w.text("DESCRIPTION", &text);
    let location = ev.location_label();
    if !location.is_empty() {
        w.text("LOCATION", &location);
    }
    if let Some((lat, lon)) = ev.point() {
        w.line("GEO", &format!("{lat:.6};{lon:.6}"));
    }
    w.line("URL", &url);
    let categories: Vec<String> = std::iter::once(ev.type_.as_str().to_string())
        .chain(ev.tags.iter().cloned())
        .map(|c| escape(&c))
        .collect();
    w.line("CATEGORIES", &categories.join(","));
    w.line("CLASS", "PUBLIC");
}

/// Writes an event: the master VEVENT (with RRULE and EXDATE for a series) and one VEVENT per
/// date that differs from the series (`exceptions`: cancelled or changed alone).
pub fn vevent(w: &mut Writer, ev: &Event, exceptions: &[Occurrence], cx: &Context) {
    let tz = ev.tz;
    w.line("BEGIN", "VEVENT");
    w.line("UID", &ev.uid);
    w.line("DTSTAMP", &utc_stamp(ev.updated_at));
    w.line("CREATED", &utc_stamp(ev.created_at));
    w.line("LAST-MODIFIED", &utc_stamp(ev.updated_at));
    let (n, v) = when("DTSTART", tz, ev.all_day, ev.start);
    w.line(&n, &v);
    if ev.end > ev.start {
        let (n, v) = when("DTEND", tz, ev.all_day, ev.end);
        w.line(&n, &v);
    }
    let single_cancelled = !ev.is_series() && exceptions.iter().any(|o| o.cancelled);
    if ev.is_series() {
        // The rule exactly as it was written or imported, with its added and excluded dates.
        if !ev.rrule.is_empty() {
            w.line("RRULE", &ev.rrule);
        }
        for t in &ev.rdates {
            let (n, v) = when("RDATE", tz, ev.all_day, *t);
            w.line(&n, &v);
        }
        for d in &ev.exdates {
            let (n, v) = when("EXDATE", tz, ev.all_day, d.and_time(ev.start.time()));
            w.line(&n, &v);
        }
        for t in &ev.exdate_times {
            let (n, v) = when("EXDATE", tz, ev.all_day, *t);
            w.line(&n, &v);
        }
    }
    w.text("SUMMARY", &ev.title);
    let cancelled = ev.status == Status::Cancelled || single_cancelled;
    w.line("STATUS", if cancelled { "CANCELLED" } else { "CONFIRMED" });
    common(w, ev, cx, &ev.description);
    w.line("END", "VEVENT");
    if !ev.is_series() {
        return;
    }
    for o in exceptions {
        w.line("BEGIN", "VEVENT");
        w.line("UID", &ev.uid);
        w.line("DTSTAMP", &utc_stamp(ev.updated_at));
        let (n, v) = when(
            "RECURRENCE-ID",
            tz,
            ev.all_day,
            utc_to_local(tz, o.recurrence_id),
        );
        w.line(&n, &v);
        let (n, v) = when("DTSTART", tz, ev.all_day, utc_to_local(tz, o.start_utc));
        w.line(&n, &v);
        if o.end_utc > o.start_utc {
            let (n, v) = when("DTEND", tz, ev.all_day, utc_to_local(tz, o.end_utc));
            w.line(&n, &v);
        }
        w.text("SUMMARY", o.title.as_deref().unwrap_or(&ev.title));
        let off = o.cancelled || ev.status == Status::Cancelled;
        w.line("STATUS", if off { "CANCELLED" } else { "CONFIRMED" });
        let description = if o.note.is_empty() {
            ev.description.clone()
        } else {
            format!("{}\n\n{}", o.note, ev.description)
        };
        common(w, ev, cx, description.trim());
        w.line("END", "VEVENT");
    }
}

/// A whole calendar: name, the VTIMEZONE of `tz` over the years the events need, the events.
pub fn calendar(name: &str, tz: Tz, events: &[(Event, Vec<Occurrence>)], cx: &Context) -> String {
    let mut w = Writer::default();
    w.line("BEGIN", "VCALENDAR");
    w.line("VERSION", "2.0");
    w.line(
        "PRODID",
        &format!("-//Placette//Placette {}//FR", env!("CARGO_PKG_VERSION")),
    );
    w.line("CALSCALE", "GREGORIAN");
    w.line("METHOD", "PUBLISH");
    w.text("X-WR-CALNAME", name);
    w.line("X-WR-TIMEZONE", tz.name());
    let now_year = utc_to_local(tz, crate::db::now()).year();
    let first = events
        .iter()
        .map(|(e, _)| e.start.year())
        .min()
        .unwrap_or(now_year);
    let mut zones: Vec<Tz> = vec![tz];
    for (e, _) in events {
        if !e.all_day && !zones.contains(&e.tz) {
            zones.push(e.tz);
        }
    }
    for z in zones {
        vtimezone(&mut w, z, first.min(now_year) - 1, now_year.max(first) + 3);
    }
    for (e, exceptions) in events {
        vevent(&mut w, e, exceptions, cx);
    }
    w.line("END", "VCALENDAR");
    w.finish()
}
