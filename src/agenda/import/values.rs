//! The values of a VEVENT's date properties (DTSTART, DTEND, RDATE, EXDATE, RECURRENCE-ID):
//! dates, floating and UTC times, times in a zone of the file (through [`super::zones`], said
//! in the report when the zone is not read by its IANA name), and RDATE periods.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::parse::{duration, Line};
use super::report::Reason;
use super::zones::{self, Definition, How};
use crate::agenda::MAX_DURATION_SECS;
use crate::time::local_to_utc;

/// A DTSTART/DTEND/EXDATE/RDATE/RECURRENCE-ID value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum When {
    Date(NaiveDate),
    /// Wall time in a zone.
    Local(NaiveDateTime, Tz),
}

/// Why a value could not be read.
pub(super) enum Unread {
    /// On this line.
    Bad(usize),
    /// A zone no rule can know.
    Zone(String),
}

/// The zones of one file: its VTIMEZONE definitions and what each TZID was found to be.
pub(super) struct Zones<'a> {
    definitions: &'a [Definition],
    known: HashMap<String, Option<(Tz, How)>>,
}

impl Zones<'_> {
    pub(super) fn new(definitions: &[Definition]) -> Zones<'_> {
        Zones {
            definitions,
            known: HashMap::new(),
        }
    }

    pub(super) fn resolve(&mut self, tzid: &str, near: NaiveDate) -> Option<(Tz, How)> {
        let defs = self.definitions;
        self.known
            .entry(tzid.to_string())
            .or_insert_with(|| zones::resolve(tzid, defs, near))
            .clone()
    }
}

/// Whether a DATE-TIME value has seconds (times here are to the minute).
pub(super) fn has_seconds(v: &str) -> bool {
    let v = v.trim().trim_end_matches('Z');
    v.len() == 15 && !v.ends_with("00")
}

/// `20270302T183000`, with or without seconds.
fn stamp(v: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M"))
        .ok()
}

pub(super) fn when(
    value: &str,
    line: &Line,
    default: Tz,
    zones: &mut Zones,
    notes: &mut Vec<Reason>,
) -> Result<When, Unread> {
    let v = value.trim();
    // PERIOD values (RDATE;VALUE=PERIOD): the start counts.
    let v = v.split('/').next().unwrap_or(v);
    let date_only = line
        .param("VALUE")
        .is_some_and(|x| x.eq_ignore_ascii_case("DATE"));
    if date_only || v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(When::Date)
            .map_err(|_| Unread::Bad(line.no));
    }
    if let Some(utc) = v.strip_suffix('Z') {
        let t = stamp(utc).ok_or(Unread::Bad(line.no))?;
        return Ok(When::Local(t, chrono_tz::UTC));
    }
    let t = stamp(v).ok_or(Unread::Bad(line.no))?;
    let Some(tzid) = line.param("TZID").map(str::trim).filter(|z| !z.is_empty()) else {
        return Ok(When::Local(t, default));
    };
    match zones.resolve(tzid, t.date()) {
        Some((tz, How::Iana)) => Ok(When::Local(t, tz)),
        Some((tz, _)) => {
            let note = Reason::new("zone", format!("{tzid} → {}", tz.name()));
            if !notes.contains(&note) {
                notes.push(note);
            }
            Ok(When::Local(t, tz))
        }
        None => match zones::utc_by_definition(tzid, zones.definitions, t) {
            // A zone only the file defines: its times are read by that definition and kept
            // in UTC (a series then repeats in UTC, which the note says).
            Some(utc) => {
                let note = Reason::new("zone_definition", tzid);
                if !notes.contains(&note) {
                    notes.push(note);
                }
                Ok(When::Local(utc, chrono_tz::UTC))
            }
            None => Err(Unread::Zone(tzid.to_string())),
        },
    }
}

/// Wall time of `w` in `tz` (through UTC when the zones differ).
pub(super) fn in_zone(w: When, tz: Tz) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_time(chrono::NaiveTime::MIN),
        When::Local(t, z) if z == tz => t,
        When::Local(t, z) => crate::time::utc_to_local(tz, local_to_utc(z, t)),
    }
}

pub(super) fn refusal(e: Unread) -> Reason {
    match e {
        Unread::Bad(line) => Reason::new("bad_date", line.to_string()),
        Unread::Zone(tzid) => Reason::new("zone_unknown", tzid),
    }
}

/// The end of an RDATE PERIOD (`start/end` or `start/duration`), in UTC.
pub(super) fn period_end(
    start: &str,
    end: &str,
    line: &Line,
    default: Tz,
    zones: &mut Zones,
    notes: &mut Vec<Reason>,
) -> Option<i64> {
    let begin = when(start, line, default, zones, notes).ok()?;
    let begin_utc = match begin {
        When::Date(d) => local_to_utc(default, d.and_time(chrono::NaiveTime::MIN)),
        When::Local(t, z) => local_to_utc(z, t),
    };
    if end.trim().starts_with(['P', '+', '-']) {
        let secs = duration(end).filter(|s| (0..=MAX_DURATION_SECS).contains(s))?;
        return Some(begin_utc + secs);
    }
    match when(end, line, default, zones, notes).ok()? {
        When::Date(d) => Some(local_to_utc(default, d.and_time(chrono::NaiveTime::MIN))),
        When::Local(t, z) => Some(local_to_utc(z, t)),
    }
}
