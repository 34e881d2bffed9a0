//! What the VEVENTs of a calendar mean: each series with its dates, zone, rule (any RFC 5545
//! rule, checked by the recurrence library), added dates (RDATE), excluded ones (EXDATE), and
//! the dates changed alone (RECURRENCE-ID: moved, retimed, retitled or cancelled). Every event
//! ends up imported as written, imported with an adjustment, or refused, with its reasons
//! ([`Reason`]): nothing is dropped silently. Private events are refused, never imported.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::parse::{duration, unescape, Line};
use super::report::{Entry, Reason};
use super::values::{has_seconds, in_zone, period_end, refusal, when, When, Zones};
use super::zones::Definition;
use super::Feed;
use crate::agenda::recurrence;
use crate::agenda::MAX_DURATION_SECS;
use crate::time::local_to_utc;

/// One date of a series as the calendar changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct DateOverride {
    /// The date's place in the series: its original local start, in the series' zone.
    pub recurrence: NaiveDateTime,
    pub start_utc: i64,
    pub end_utc: i64,
    pub cancelled: bool,
    /// Its own title, when it differs from the series'.
    pub title: Option<String>,
}

/// One event (a series with its changed dates) of the feed, in its own zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub point: Option<(f64, f64)>,
    pub tags: Vec<String>,
    pub tz: Tz,
    pub start: NaiveDateTime,
    /// Exclusive for all-day events (the next day at 00:00).
    pub end: NaiveDateTime,
    pub all_day: bool,
    /// The RRULE value as written ('' for none, or when it could not be read).
    pub rrule: String,
    pub rdates: Vec<NaiveDateTime>,
    pub exdates: Vec<NaiveDate>,
    pub exdate_times: Vec<NaiveDateTime>,
    pub overrides: Vec<DateOverride>,
    pub cancelled: bool,
    /// How it was adjusted (empty: imported as written).
    pub notes: Vec<Reason>,
}

/// The earliest and latest years an event may start in: beyond, a date is a typing mistake
/// or a test of the importer, never a village's event.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

fn text(props: &[Line], n: &str) -> Option<String> {
    props
        .iter()
        .find(|l| l.name == n)
        .map(|l| unescape(&l.value).trim().to_string())
}

fn title_of(props: &[Line], uid: &str) -> String {
    let t: String = text(props, "SUMMARY")
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    if t.is_empty() {
        uid.to_string()
    } else {
        t
    }
}

/// A UID for an event that has none (RFC 5545 requires one; some exports forget it): stable
/// across runs, from its title and first start, so that a new run updates rather than adds.
fn made_uid(props: &[Line]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for n in ["SUMMARY", "DTSTART"] {
        for b in text(props, n).unwrap_or_default().bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("no-uid-{h:016x}")
}

/// The start, end and all-day flag of a VEVENT, in its zone (`None` and a refusal when they
/// cannot be known or make no sense).
#[allow(clippy::type_complexity)]
fn times(
    props: &[Line],
    default: Tz,
    zones: &mut Zones,
    notes: &mut Vec<Reason>,
) -> Result<(Tz, NaiveDateTime, NaiveDateTime, bool), Reason> {
    let get = |n: &str| props.iter().find(|l| l.name == n);
    let dtstart = get("DTSTART").ok_or_else(|| Reason::new("no_start", ""))?;
    let start_w = when(&dtstart.value, dtstart, default, zones, notes).map_err(refusal)?;
    let series = props.iter().any(|l| l.name == "RRULE" || l.name == "RDATE");
    let (tz, all_day) = match start_w {
        When::Date(_) => (default, true),
        // A series in UTC repeats in UTC (19:00Z every day is 20:00 or 21:00 in Paris); a
        // single date in UTC is kept in the village's zone, as people read it.
        When::Local(_, z) if z == chrono_tz::UTC && !series => (default, false),
        When::Local(_, z) => (z, false),
    };
    let start = in_zone(start_w, tz);
    if [Some(dtstart), get("DTEND")]
        .into_iter()
        .flatten()
        .any(|l| has_seconds(&l.value))
    {
        notes.push(Reason::new("seconds", ""));
    }
    if !YEARS.contains(&start.year()) {
        return Err(Reason::new("year", start.year().to_string()));
    }
    let end = if let Some(l) = get("DTEND") {
        let w = when(&l.value, l, default, zones, notes).map_err(refusal)?;
        if !YEARS.contains(&in_zone(w, tz).year()) {
            return Err(Reason::new("year", in_zone(w, tz).year().to_string()));
        }
        in_zone(w, tz)
    } else if let Some(l) = get("DURATION") {
        let secs = duration(&l.value)
            .filter(|s| s.abs() <= MAX_DURATION_SECS)
            .ok_or_else(|| Reason::new("too_long", l.value.trim()))?;
        start + Duration::seconds(secs)
    } else if all_day {
        start + Duration::days(1)
    } else {
        start
    };
    let end = if end < start {
        notes.push(Reason::new("end_before_start", ""));
        if all_day {
            start + Duration::days(1)
        } else {
            start
        }
    } else if all_day && end == start {
        // RFC 5545 gives an all-day date without an end one day; an end equal to the start
        // (some exports) is read the same way, and said so.
        notes.push(Reason::new("all_day_length", ""));
        start + Duration::days(1)
    } else {
        end
    };
    if (end - start).num_seconds() > MAX_DURATION_SECS {
        return Err(Reason::new(
            "too_long",
            format!("{} j", (end - start).num_days()),
        ));
    }
    Ok((tz, start, end, all_day))
}

/// One VEVENT without RECURRENCE-ID, read as a series (overrides are attached later).
fn master(
    uid: &str,
    props: &[Line],
    default: Tz,
    zones: &mut Zones,
    mut notes: Vec<Reason>,
) -> Result<Imported, Reason> {
    let (tz, start, end, all_day) = times(props, default, zones, &mut notes)?;
    if let Some(l) = props.iter().find(|l| l.repaired) {
        notes.push(Reason::new("repaired", l.no.to_string()));
    }
    let mut rrule = String::new();
    let rules: Vec<&Line> = props.iter().filter(|l| l.name == "RRULE").collect();
    if let Some(l) = rules.first() {
        let value = l.value.trim();
        match recurrence::check(value, start) {
            Ok(()) => {
                rrule = value.strip_prefix("RRULE:").unwrap_or(value).to_string();
                if until_before(&rrule, tz, start) {
                    notes.push(Reason::new("until_before_start", ""));
                }
            }
            Err(e) => notes.push(Reason::new("rule_refused", format!("{value} ({})", e.0))),
        }
        if rules.len() > 1 {
            notes.push(Reason::new("rules_many", rules.len().to_string()));
        }
    }
    let (mut rdates, mut exdates, mut exdate_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut periods = Vec::new();
    for l in props
        .iter()
        .filter(|l| l.name == "RDATE" || l.name == "EXDATE")
    {
        for v in l.value.split(',').filter(|v| !v.trim().is_empty()) {
            if let (true, Some((a, b))) = (l.name == "RDATE", v.split_once('/')) {
                // A PERIOD: its own start and end (or duration), a date of its own length.
                let begin = when(a, l, default, zones, &mut notes);
                match (begin, period_end(a, b, l, default, zones, &mut notes)) {
                    (Ok(w), Some(end_utc)) => {
                        let local = in_zone(w, tz);
                        rdates.push(local);
                        periods.push(DateOverride {
                            recurrence: local,
                            start_utc: local_to_utc(tz, local),
                            end_utc,
                            cancelled: false,
                            title: None,
                        });
                    }
                    _ => notes.push(Reason::new("date_ignored", l.no.to_string())),
                }
                continue;
            }
            let w = match when(v, l, default, zones, &mut notes) {
                Ok(w) => w,
                Err(e) => {
                    notes.push(Reason::new("date_ignored", refusal(e).detail));
                    continue;
                }
            };
            match (l.name.as_str(), w) {
                ("RDATE", When::Date(d)) => rdates.push(d.and_time(start.time())),
                ("RDATE", w) => rdates.push(in_zone(w, tz)),
                (_, When::Date(d)) => exdates.push(d),
                (_, w) => exdate_times.push(in_zone(w, tz)),
            }
        }
    }
    exdates.sort();
    exdates.dedup();
    exdate_times.sort();
    exdate_times.dedup();
    rdates.sort();
    rdates.dedup();
    let mut description = text(props, "DESCRIPTION").unwrap_or_default();
    if let Some(url) =
        text(props, "URL").filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        if !description.contains(&url) {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&url);
        }
    }
    let point = props.iter().find(|l| l.name == "GEO").and_then(|l| {
        let (a, b) = l.value.split_once([';', ','])?;
        let (lat, lon) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    });
    let categories: Vec<String> = props
        .iter()
        .filter(|l| l.name == "CATEGORIES")
        .map(|l| unescape(&l.value))
        .collect();
    Ok(Imported {
        title: title_of(props, uid),
        uid: uid.to_string(),
        description,
        address: text(props, "LOCATION").unwrap_or_default(),
        point,
        tags: crate::text::parse_tags(&categories.join(",")),
        tz,
        start,
        end,
        all_day,
        rrule,
        rdates,
        exdates,
        exdate_times,
        overrides: periods,
        cancelled: is_cancelled(props),
        notes,
    })
}
/// Whether the rule's UNTIL is before the first start (the series is then its first date
/// alone, as RFC 5545 counts DTSTART; other readers show no date at all).
fn until_before(rrule: &str, tz: Tz, start: NaiveDateTime) -> bool {
    use recurrence::Until;
    let until = rrule.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("UNTIL")
            .then(|| recurrence::parse_ical_time(v.trim()))
            .flatten()
    });
    match until {
        Some(Until::Utc(t)) => local_to_utc(tz, start) > t.and_utc().timestamp(),
        Some(Until::Local(t)) => start > t,
        Some(Until::Date(d)) => start.date() > d,
        None => false,
    }
}

fn is_cancelled(props: &[Line]) -> bool {
    text(props, "STATUS").is_some_and(|s| s.eq_ignore_ascii_case("CANCELLED"))
}

/// One VEVENT with a RECURRENCE-ID: a date of `ev` changed alone.
fn date_override(
    ev: &Imported,
    props: &[Line],
    default: Tz,
    zones: &mut Zones,
    notes: &mut Vec<Reason>,
) -> Result<DateOverride, Reason> {
    let rid = props
        .iter()
        .find(|l| l.name == "RECURRENCE-ID")
        .ok_or_else(|| Reason::new("no_start", ""))?;
    if rid
        .param("RANGE")
        .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"))
    {
        notes.push(Reason::new("this_and_future", ""));
    }
    if props.iter().any(|l| l.name == "RRULE") {
        notes.push(Reason::new("override_rule", ""));
    }
    let rid_w = when(&rid.value, rid, default, zones, notes).map_err(refusal)?;
    let recurrence = in_zone(rid_w, ev.tz);
    let (start_utc, end_utc) = if props.iter().any(|l| l.name == "DTSTART") {
        let (tz, start, end, _) = times(props, default, zones, notes)?;
        (local_to_utc(tz, start), local_to_utc(tz, end))
    } else {
        let start = local_to_utc(ev.tz, recurrence);
        let len = local_to_utc(ev.tz, ev.end) - local_to_utc(ev.tz, ev.start);
        (start, start + len)
    };
    let title = text(props, "SUMMARY")
        .filter(|t| !t.is_empty() && *t != ev.title)
        .map(|t| t.chars().take(200).collect());
    Ok(DateOverride {
        recurrence,
        start_utc,
        end_utc: end_utc.max(start_utc),
        cancelled: is_cancelled(props),
        title,
    })
}

/// Reads every VEVENT of a file (with the file's VTIMEZONEs).
pub(super) fn read_all(vevents: Vec<Vec<Line>>, definitions: &[Definition], default: Tz) -> Feed {
    let mut zones = Zones::new(definitions);
    let mut feed = Feed::default();
    // Masters first, in the file's order; then the changed dates, by UID.
    let mut changed: Vec<(String, Vec<Line>, Vec<Reason>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for props in vevents {
        let mut notes = Vec::new();
        let uid = match text(&props, "UID").filter(|u| !u.is_empty()) {
            Some(u) => u,
            None => {
                notes.push(Reason::new("no_uid", ""));
                made_uid(&props)
            }
        };
        let private = text(&props, "CLASS").is_some_and(|c| {
            c.eq_ignore_ascii_case("PRIVATE") || c.eq_ignore_ascii_case("CONFIDENTIAL")
        });
        if private {
            let title = title_of(&props, &uid);
            if !feed.refused.iter().any(|e| e.uid == uid) && !index.contains_key(&uid) {
                let reason = Reason::new("private", "");
                feed.refused
                    .push(Entry::new(&uid, &title, vec![reason], None));
            }
            continue;
        }
        if props.iter().any(|l| l.name == "RECURRENCE-ID") {
            changed.push((uid, props, notes));
            continue;
        }
        if index.contains_key(&uid) || feed.refused.iter().any(|e| e.uid == uid) {
            // A second series under the same UID (a faulty export): the first one stands.
            if let Some(&i) = index.get(&uid) {
                let note = Reason::new("duplicate", "");
                if !feed.events[i].notes.contains(&note) {
                    feed.events[i].notes.push(note);
                }
            }
            continue;
        }
        match master(&uid, &props, default, &mut zones, notes) {
            Ok(ev) => {
                index.insert(uid, feed.events.len());
                feed.events.push(ev);
            }
            Err(reason) => {
                let title = title_of(&props, &uid);
                feed.refused
                    .push(Entry::new(&uid, &title, vec![reason], None));
            }
        }
    }
    for (uid, props, mut notes) in changed {
        if feed.refused.iter().any(|e| e.uid == uid) {
            continue;
        }
        let i = match index.get(&uid) {
            Some(&i) => i,
            None => {
                // A changed date whose series is not in the file: a date of its own, the
                // first one standing for the series, the next ones added to it.
                let mut own = notes.clone();
                own.push(Reason::new("orphan_date", ""));
                let lines: Vec<Line> = props
                    .iter()
                    .filter(|l| l.name != "RECURRENCE-ID" && l.name != "RRULE")
                    .map(Line::clone)
                    .collect();
                match master(&uid, &lines, default, &mut zones, own) {
                    Ok(ev) => {
                        index.insert(uid.clone(), feed.events.len());
                        feed.events.push(ev);
                        continue;
                    }
                    Err(reason) => {
                        let title = title_of(&props, &uid);
                        feed.refused
                            .push(Entry::new(&uid, &title, vec![reason], None));
                        continue;
                    }
                }
            }
        };
        let ev = &feed.events[i];
        match date_override(ev, &props, default, &mut zones, &mut notes) {
            Ok(o) => {
                let ev = &mut feed.events[i];
                if ev.notes.iter().any(|n| n.code == "orphan_date") {
                    // Another date of a series absent from the file: added to the first one.
                    ev.rdates
                        .push(crate::time::utc_to_local(ev.tz, o.start_utc));
                    ev.rdates.sort();
                    ev.rdates.dedup();
                    let o = DateOverride {
                        recurrence: crate::time::utc_to_local(ev.tz, o.start_utc),
                        ..o
                    };
                    ev.overrides.push(o);
                } else {
                    ev.overrides.retain(|x| x.recurrence != o.recurrence);
                    ev.overrides.push(o);
                }
                for n in notes {
                    if !ev.notes.contains(&n) {
                        ev.notes.push(n);
                    }
                }
            }
            Err(reason) => {
                let ev = &mut feed.events[i];
                ev.notes.push(Reason::new(
                    "date_ignored",
                    format!("{}: {}", reason.code, reason.detail),
                ));
            }
        }
    }
    for ev in &mut feed.events {
        ev.overrides.sort_by_key(|o| o.recurrence);
    }
    feed
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
